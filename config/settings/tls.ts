import { z } from "zod";
import { isInZone, sharedChallenges } from "../dns-names";
import { invalid, missing } from "../problems";
import { secretSetting, setting, type CrossRule, type DeepReadonly, type Problem } from "../setting";
import { edgeDeployment, type EdgeImplementation } from "../edge-deployment";
import { certificateIdentifier, chartRepository, dnsLabel, email, exactVersion, integerBetween } from "../validators";

/**
 * TLS: cert-manager, its two Let's Encrypt ClusterIssuers (DNS-01 on Route53), the
 * credentials cert-manager uses for Route53, and the certificates this stack issues.
 */

/** One identifier set the stack issues: a Certificate with these DNS names. */
export const certificateSetSchema = z.strictObject({
    name: dnsLabel,
    dnsNames: z
        .array(certificateIdentifier, { error: "expected a list of DNS names" })
        .min(1, { error: "expected at least one DNS name" })
        .max(100, { error: "expected at most 100 DNS names (Let's Encrypt's limit per certificate)" }),
    namespace: dnsLabel.optional(),
    issuer: z.enum(["staging", "production"], { error: "expected 'staging' or 'production'" }).optional(),
});

/** An identifier set as configured. */
export type CertificateSet = DeepReadonly<z.infer<typeof certificateSetSchema>>;

const oidcProviderArn = z
    .string()
    .regex(/^$|^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/[a-z0-9.-]+(\/[A-Za-z0-9/_.-]+)?$/, {
        error: "expected an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    });

export const tlsSettings = {
    certManagerRepository: setting<string>({
        key: "certManagerRepository",
        area: "tls",
        type: "string",
        default: "oci://quay.io/jetstack/charts",
        description: "Where the cert-manager chart comes from: the OCI registry (`oci://quay.io/jetstack/charts`) or `https://charts.jetstack.io`.",
        schema: chartRepository,
    }),
    certManagerVersion: setting<string>({
        key: "certManagerVersion",
        area: "tls",
        type: "string",
        default: "v1.21.3",
        description: "Exact cert-manager chart version.",
        schema: exactVersion,
    }),
    certManagerReplicas: setting<number>({
        key: "certManagerReplicas",
        area: "tls",
        type: "integer",
        default: 2,
        description: "Replicas of the cert-manager controller, webhook and cainjector, each with a PodDisruptionBudget (`minAvailable: 1`).",
        schema: integerBetween(2, 5),
    }),
    acmeEmail: setting<string>({
        key: "acmeEmail",
        area: "tls",
        type: "string",
        default: "",
        description: "E-mail address of the Let's Encrypt account (expiry and policy notices). Required when the stack issues certificates.",
        schema: z.union([z.literal(""), email], { error: "expected an e-mail address such as platform@example.com" }),
    }),
    acmeEnvironment: setting<"staging" | "production">({
        key: "acmeEnvironment",
        area: "tls",
        type: "string",
        default: "staging",
        description:
            "Which Let's Encrypt ClusterIssuer the certificates use: `staging` (untrusted certificates, generous limits; the default for first runs) or `production`. Both issuers always exist; a certificate set may pin `issuer: staging`, and may use `production` only when this is `production`.",
        schema: z.enum(["staging", "production"], { error: "expected 'staging' or 'production'" }),
    }),
    tlsCertificates: setting<z.infer<typeof certificateSetSchema>[]>({
        key: "tlsCertificates",
        area: "tls",
        type: "array",
        items: "object",
        default: [],
        description:
            "The identifier sets this stack issues, each `{name, dnsNames, namespace?, issuer?}`. A set without `namespace` is issued in the edge's namespace and becomes the ingress controller's default certificate (at most one such set); a set with `namespace` serves the hosts routed in that namespace. No set may share a challenge record with another set of the mesh.",
        schema: z.array(certificateSetSchema, { error: "expected a list of certificate sets" }),
    }),
    dns01Credentials: setting<"irsa" | "pod-identity" | "static">({
        key: "dns01Credentials",
        area: "tls",
        type: "string",
        default: "irsa",
        description:
            "How cert-manager authenticates to Route53: `irsa` (an IAM role trusted through the cluster's OIDC provider), `pod-identity` (an EKS Pod Identity association) or `static` (an access key, for clusters outside AWS only).",
        schema: z.enum(["irsa", "pod-identity", "static"], { error: "expected 'irsa', 'pod-identity' or 'static'" }),
    }),
    dns01OidcProviderArn: setting<string>({
        key: "dns01OidcProviderArn",
        area: "tls",
        type: "string",
        default: "",
        description: "With `irsa`: the ARN of the EKS cluster's IAM OIDC provider; the role trusts only cert-manager's service account through it.",
        schema: oidcProviderArn,
    }),
    dns01EksClusterName: setting<string>({
        key: "dns01EksClusterName",
        area: "tls",
        type: "string",
        default: "",
        description: "With `pod-identity`: the EKS cluster's name, for the Pod Identity association and the role's trust conditions.",
        schema: z.string().regex(/^$|^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, { error: "expected an EKS cluster name (letters, digits, '-' and '_', up to 100)" }),
    }),
    dns01IamUser: setting<string>({
        key: "dns01IamUser",
        area: "tls",
        type: "string",
        default: "",
        description: "With `static`: the IAM user that owns the access key; the program attaches the least-privilege DNS-01 policy to it.",
        schema: z.string().regex(/^$|^[\w+=,.@-]{1,64}$/, { error: "expected an IAM user name" }),
    }),
    dns01AccessKeyId: secretSetting({
        key: "dns01AccessKeyId",
        area: "tls",
        description: "With `static`: the access key id, set with `pulumi config set --secret dns01AccessKeyId`. Never a literal in a stack file.",
        schema: z.string(),
    }),
    dns01SecretAccessKey: secretSetting({
        key: "dns01SecretAccessKey",
        area: "tls",
        description: "With `static`: the secret access key, set with `pulumi config set --secret dns01SecretAccessKey`.",
        schema: z.string(),
    }),
};

interface HostLike {
    readonly host: string;
    readonly namespace: string;
    readonly certificate?: "stack" | "own" | undefined;
}

/** Every identifier set the stack issues: configured sets and hosts with their own certificate. */
export function issuedSets(values: Readonly<Record<string, unknown>>): { key: string; name: string; dnsNames: string[] }[] {
    const sets = (values["tlsCertificates"] as CertificateSet[]).map((s, i) => ({ key: `tlsCertificates[${i}]`, name: s.name, dnsNames: [...s.dnsNames] }));
    const hosts = (values["edgeHosts"] as HostLike[] | undefined) ?? [];
    hosts.forEach((h, i) => {
        if (h.certificate === "own") sets.push({ key: `edgeHosts[${i}].certificate`, name: `${h.host} (own certificate)`, dnsNames: [h.host] });
    });
    return sets;
}

/** Rules across the TLS settings (and the edge hosts that ask for their own certificate). */
export const tlsRules: readonly CrossRule[] = [
    {
        keys: ["tlsCertificates", "edgeHosts", "acmeEmail"],
        check: (v) => (issuedSets(v).length > 0 && v["acmeEmail"] === "" ? [missing("acmeEmail", "the stack issues certificates; set the Let's Encrypt account's e-mail address")] : []),
    },
    {
        keys: ["tlsCertificates", "edgeNamespace", "dnsHostedZoneName", "edgeHosts", "edgeImplementation"],
        check: (v) => {
            const problems: Problem[] = [];
            const sets = v["tlsCertificates"] as CertificateSet[];
            const zone = v["dnsHostedZoneName"] as string;
            const names = new Set<string>();
            let inEdgeNamespace: string | undefined;
            sets.forEach((set, i) => {
                const key = `tlsCertificates[${i}]`;
                if (names.has(set.name)) problems.push(invalid(`${key}.name`, set.name, "expected a name used by one certificate set only"));
                names.add(set.name);
                if (new Set(set.dnsNames).size !== set.dnsNames.length) problems.push(invalid(`${key}.dnsNames`, set.dnsNames, "expected each DNS name once"));
                set.dnsNames.forEach((name, j) => {
                    if (zone !== "" && !isInZone(name, zone)) problems.push(invalid(`${key}.dnsNames[${j}]`, name, `expected a name in the hosted zone ${zone} (dnsHostedZoneName)`));
                });
                // ingress-nginx has one default certificate; the Gateway API edge serves any number from its namespace.
                if ((set.namespace ?? v["edgeNamespace"]) === v["edgeNamespace"] && edgeDeployment(v["edgeImplementation"] as EdgeImplementation).nginx) {
                    if (inEdgeNamespace !== undefined) {
                        problems.push(invalid(`${key}.namespace`, set.namespace, `expected a namespace: only one set (here '${inEdgeNamespace}') can be the controller's default certificate in the edge namespace`));
                    }
                    inEdgeNamespace ??= set.name;
                }
            });
            // (With hosts, the DNS rules name the missing zone.)
            if (sets.length > 0 && zone === "" && (v["edgeHosts"] as unknown[]).length === 0) problems.push(missing("dnsHostedZoneName", "certificates are validated through DNS-01 in a Route53 hosted zone; name it"));
            return problems;
        },
    },
    {
        keys: ["tlsCertificates", "edgeHosts"],
        check: (v) => {
            const problems: Problem[] = [];
            const sets = issuedSets(v);
            sets.forEach((set, i) => {
                for (const other of sets.slice(0, i)) {
                    const shared = sharedChallenges(set.dnsNames, other.dnsNames);
                    if (shared.length > 0) {
                        problems.push(invalid(set.key, set.dnsNames, `expected no challenge record shared with ${other.key} ('${other.name}'): both would write ${shared.join(", ")}`));
                    }
                }
            });
            return problems;
        },
    },
    {
        keys: ["tlsCertificates", "acmeEnvironment"],
        check: (v) =>
            v["acmeEnvironment"] === "production"
                ? []
                : (v["tlsCertificates"] as CertificateSet[]).flatMap((s, i) =>
                      s.issuer === "production"
                          ? [invalid(`tlsCertificates[${i}].issuer`, s.issuer, "expected 'staging' while acmeEnvironment is staging: production ACME needs the explicit stack choice acmeEnvironment: production")]
                          : [],
                  ),
    },
    {
        keys: ["dns01Credentials", "dns01OidcProviderArn", "dns01EksClusterName", "dns01IamUser", "dns01AccessKeyId", "dns01SecretAccessKey", "tlsCertificates", "edgeHosts"],
        check: (v) => {
            const problems: Problem[] = [];
            // Credentials matter only to a stack that issues certificates.
            if (issuedSets(v).length === 0) return problems;
            const mode = v["dns01Credentials"];
            const oidc = v["dns01OidcProviderArn"] as string;
            const cluster = v["dns01EksClusterName"] as string;
            const keysSet = v["dns01AccessKeyId"] !== "" || v["dns01SecretAccessKey"] !== "";
            if (mode === "irsa" && oidc === "") problems.push(missing("dns01OidcProviderArn", "irsa needs the cluster's IAM OIDC provider ARN (or choose dns01Credentials: pod-identity)"));
            if (mode === "pod-identity" && cluster === "") problems.push(missing("dns01EksClusterName", "a Pod Identity association needs the EKS cluster's name"));
            if (mode === "static") {
                if (oidc !== "" || cluster !== "") {
                    problems.push(invalid("dns01Credentials", mode, "expected 'irsa' or 'pod-identity' on a cluster configured as EKS (dns01OidcProviderArn or dns01EksClusterName is set): static keys are for clusters outside AWS only"));
                }
                if (v["dns01AccessKeyId"] === "") problems.push(missing("dns01AccessKeyId", "static mode needs it; set it with `pulumi config set --secret dns01AccessKeyId`"));
                if (v["dns01SecretAccessKey"] === "") problems.push(missing("dns01SecretAccessKey", "static mode needs it; set it with `pulumi config set --secret dns01SecretAccessKey`"));
                if (v["dns01IamUser"] === "") problems.push(missing("dns01IamUser", "static mode attaches the DNS-01 policy to the key's IAM user; name it"));
            } else if (keysSet) {
                problems.push(invalid("dns01AccessKeyId", "[secret]", `expected no static key with dns01Credentials: ${String(mode)} (ambient credentials are used); remove dns01AccessKeyId and dns01SecretAccessKey`, true));
            }
            return problems;
        },
    },
];
