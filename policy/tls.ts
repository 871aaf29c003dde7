import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { stringMap } from "./charts";
import { arrayAt, at, forTypes, isRecord, listed, objectName, objectNamespace, recordAt, stringAt, whenKnown, type Json } from "./helpers";
import { identifierSet, isWildcard, normalHost } from "./hosts";

/**
 * TLS rules for cert-manager and Let's Encrypt: how wildcards are validated, where AWS
 * credentials come from, which ACME server a stack talks to, and how often an identifier
 * set is issued. Facts: cert-manager docs (ACME DNS01 Route53, solver selectors,
 * ingress-shim), Let's Encrypt "Rate Limits" and "Challenge Types".
 */

export const certificateType = "kubernetes:cert-manager.io/v1:Certificate";
export const clusterIssuerType = "kubernetes:cert-manager.io/v1:ClusterIssuer";
export const issuerType = "kubernetes:cert-manager.io/v1:Issuer";
export const ingressType = "kubernetes:networking.k8s.io/v1:Ingress";

/**
 * The annotation that carries the stack's choice of Let's Encrypt environment (`staging` or
 * `production`) onto each certificate it requests: a Certificate, or an Ingress that asks
 * cert-manager's ingress-shim for one. The program writes it from its settings; a
 * certificate requested from the production server without it is a change nobody chose.
 */
export const acmeEnvironmentAnnotation = "mesh-ingress.io/acme-environment";

const letsEncrypt = {
    production: "https://acme-v02.api.letsencrypt.org/directory",
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/** An issuer of the stack, by the key a Certificate's issuerRef resolves to. */
function issuerKey(kind: string, name: string, namespace: string): string {
    return kind === "ClusterIssuer" ? `ClusterIssuer/${name}` : `Issuer/${namespace}/${name}`;
}

function issuersOf(resources: readonly PolicyResource[]): Map<string, { props: Json; name: string }> {
    const out = new Map<string, { props: Json; name: string }>();
    for (const r of resources) {
        const props = r.props as Json;
        if (r.type === clusterIssuerType) out.set(issuerKey("ClusterIssuer", objectName(props, r.name), ""), { props, name: objectName(props, r.name) });
        if (r.type === issuerType) out.set(issuerKey("Issuer", objectName(props, r.name), objectNamespace(props)), { props, name: objectName(props, r.name) });
    }
    return out;
}

/** A certificate the stack asks for: a Certificate resource, or one ingress-shim makes from an annotated Ingress. */
interface Requested {
    readonly label: string;
    readonly namespace: string;
    readonly secretName: string | undefined;
    readonly names: string[];
    readonly issuer: { kind: string; name: string } | undefined;
    readonly labels: Record<string, string>;
    /** The Let's Encrypt environment written on the request ({@link acmeEnvironmentAnnotation}). */
    readonly chosenEnvironment: string | undefined;
    readonly urn: string;
}

/** Every certificate the stack requests, including those cert-manager's ingress-shim creates from Ingress annotations. */
export function requestedCertificates(resources: readonly PolicyResource[]): Requested[] {
    const out: Requested[] = [];
    for (const r of resources.filter((x) => x.type === certificateType)) {
        const props = r.props as Json;
        const names = arrayAt(props, "spec.dnsNames").filter((n): n is string => typeof n === "string");
        const commonName = stringAt(props, "spec.commonName");
        out.push({
            label: `Certificate '${objectName(props, r.name)}'`,
            namespace: objectNamespace(props),
            secretName: stringAt(props, "spec.secretName"),
            names: commonName ? [commonName, ...names] : names,
            issuer: stringAt(props, "spec.issuerRef.name") ? { kind: stringAt(props, "spec.issuerRef.kind") ?? "Issuer", name: stringAt(props, "spec.issuerRef.name") ?? "" } : undefined,
            labels: stringMap(at(props, "metadata.labels")),
            chosenEnvironment: stringMap(at(props, "metadata.annotations"))[acmeEnvironmentAnnotation],
            urn: r.urn,
        });
    }
    const explicit = new Set(out.map((c) => `${c.namespace}/${c.label.slice("Certificate '".length, -1)}`));
    for (const r of resources.filter((x) => x.type === ingressType)) {
        const props = r.props as Json;
        const annotations = stringMap(at(props, "metadata.annotations"));
        const clusterIssuer = annotations["cert-manager.io/cluster-issuer"];
        const issuer = annotations["cert-manager.io/issuer"];
        if (!clusterIssuer && !issuer) continue;
        const namespace = objectNamespace(props);
        for (const tls of arrayAt(props, "spec.tls").filter(isRecord)) {
            const secretName = stringAt(tls, "secretName");
            if (!secretName || explicit.has(`${namespace}/${secretName}`)) continue;
            out.push({
                label: `the Certificate '${secretName}' that cert-manager creates for Ingress '${objectName(props, r.name)}'`,
                namespace,
                secretName,
                names: arrayAt(tls, "hosts").filter((h): h is string => typeof h === "string"),
                issuer: clusterIssuer ? { kind: "ClusterIssuer", name: clusterIssuer } : { kind: "Issuer", name: issuer ?? "" },
                labels: {},
                chosenEnvironment: annotations[acmeEnvironmentAnnotation],
                urn: r.urn,
            });
        }
    }
    return out;
}

/**
 * The ACME solver cert-manager picks for a name, by its selector rules (cert-manager API
 * reference, `CertificateDNSNameSelector`): a `dnsNames` match wins over a `dnsZones` match,
 * the most specific zone (most labels) wins among zones, more matching `matchLabels` break
 * ties, a solver without selector has the lowest priority, and the earlier solver wins a
 * remaining tie.
 */
function solverFor(solvers: Json[], name: string, certLabels: Record<string, string>): Json | undefined {
    const host = normalHost(name);
    let best: { solver: Json; score: number } | undefined;
    for (const solver of solvers) {
        const selector = recordAt(solver, "selector");
        const dnsNames = arrayAt(selector, "dnsNames").filter((n): n is string => typeof n === "string").map(normalHost);
        const dnsZones = arrayAt(selector, "dnsZones").filter((z): z is string => typeof z === "string").map(normalHost);
        const matchLabels = stringMap(selector["matchLabels"]);
        if (!Object.entries(matchLabels).every(([k, v]) => certLabels[k] === v)) continue;
        const labels = Object.keys(matchLabels).length;
        let score: number;
        if (dnsNames.length > 0 || dnsZones.length > 0) {
            const zoneLabels = Math.max(-1, ...dnsZones.filter((z) => host === z || host.endsWith(`.${z}`)).map((z) => z.split(".").length));
            if (dnsNames.includes(host)) score = 3_000_000 + labels;
            else if (zoneLabels >= 0) score = 2_000_000 + zoneLabels * 1000 + labels;
            else continue;
        } else {
            score = labels > 0 ? 1_000_000 + labels : 0;
        }
        if (!best || score > best.score) best = { solver, score };
    }
    return best?.solver;
}

/**
 * A wildcard identifier is requested only from an issuer whose solver for it is DNS-01:
 * Let's Encrypt validates wildcards through DNS-01 alone, so an HTTP-01 solver fails every
 * order (and burns the failed-validation limit). The article's reason for DNS-01 in
 * multi-cluster setups applies to every name, but for wildcards it is a hard rule.
 */
export const wildcardNeedsDns01: StackValidationPolicy = {
    name: "wildcard-needs-dns01",
    description: "Wildcard identifiers are requested only from issuers whose solver for them is DNS-01.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const issuers = issuersOf(args.resources);
        for (const cert of requestedCertificates(args.resources)) {
            const wildcards = cert.names.filter(isWildcard);
            if (wildcards.length === 0 || !cert.issuer) continue;
            const issuer = issuers.get(issuerKey(cert.issuer.kind, cert.issuer.name, cert.namespace));
            if (!issuer) continue; // an issuer outside this stack: nothing to judge it by
            if (!isRecord(at(issuer.props, "spec.acme"))) continue; // only ACME validates by challenge
            const solvers = arrayAt(issuer.props, "spec.acme.solvers").filter(isRecord);
            for (const name of wildcards) {
                const solver = solverFor(solvers, name, cert.labels);
                if (!solver || !isRecord(solver["dns01"])) {
                    const how = !solver ? "has no solver for it" : `would validate it with ${Object.keys(solver).filter((k) => k !== "selector").sort().join("/") || "an empty solver"}`;
                    report(`${cert.label} requests ${name} from ${cert.issuer.kind} '${cert.issuer.name}', which ${how}; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.`, cert.urn);
                }
            }
        }
    },
};

const accessKeyPattern = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/;

/** Paths inside `value` that hold an AWS access key: an `accessKeyID` field (whatever its value) or a string shaped like a key id. */
function inlineKeys(value: unknown, path: string, found: string[]): void {
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) inlineKeys(safely(() => value[i] as unknown), `${path}[${i}]`, found);
        return;
    }
    if (isRecord(value)) {
        for (const key of Object.keys(value).sort()) {
            const child = safely(() => value[key]);
            if (key === "accessKeyID" || key === "secretAccessKey") {
                found.push(`${path}.${key}`);
                continue;
            }
            inlineKeys(child, `${path}.${key}`, found);
        }
        return;
    }
    if (typeof value === "string" && accessKeyPattern.test(value)) found.push(path);
}

/** A value, or undefined when it is unknown during preview (a key id from a resource is still an inline key: its presence is enough). */
function safely(read: () => unknown): unknown {
    return whenKnown(read, undefined);
}

/**
 * No AWS access key inline in an issuer: the article's ClusterIssuer carries
 * `accessKeyID: AKIA...`, a long-lived credential in the cluster's API objects, in the
 * Pulumi state and in every backup. cert-manager takes ambient credentials from an IAM
 * role (IRSA or EKS Pod Identity, optionally `role` to assume); outside AWS the key id and
 * secret come from Secrets (`accessKeyIDSecretRef`, `secretAccessKeySecretRef`).
 */
export const issuerNoInlineAwsKeys: ResourceValidationPolicy = {
    name: "issuer-no-inline-aws-keys",
    description: "No AWS access key written inline anywhere in an Issuer or ClusterIssuer.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([clusterIssuerType, issuerType], (props, args, report) => {
        const found: string[] = [];
        inlineKeys(safely(() => props["spec"]), "spec", found);
        if (found.length > 0) {
            report(
                `${args.type.endsWith("ClusterIssuer") ? "ClusterIssuer" : "Issuer"} '${objectName(props, args.name)}' has an inline AWS access key at ${listed(found)}; use ambient credentials from an IAM role (IRSA or EKS Pod Identity) or, outside AWS, accessKeyIDSecretRef and secretAccessKeySecretRef.`,
            );
        }
    }),
};

/**
 * Certificates come from Let's Encrypt's production server only when the stack chose
 * production. A first run against production that fails spends the real allowance (5
 * certificates per identifier set per week, 5 failed validations per hour) and can block
 * issuance for days. Both issuers may exist (the switch then only changes which one a
 * certificate uses); what must not happen is a certificate requested from production
 * without the stack's choice, written on the request as `mesh-ingress.io/acme-environment`.
 */
export const acmeProductionOnlyWhenChosen: StackValidationPolicy = {
    name: "acme-production-only-when-chosen",
    description: "A certificate is requested from Let's Encrypt's production server only when the stack chose production (the request's mesh-ingress.io/acme-environment annotation).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const issuers = issuersOf(args.resources);
        for (const cert of requestedCertificates(args.resources)) {
            if (cert.issuer === undefined) continue;
            const issuer = issuers.get(issuerKey(cert.issuer.kind, cert.issuer.name, cert.namespace));
            if (issuer === undefined) continue; // an issuer outside the stack: nothing to compare
            const server = whenKnown(() => stringAt(issuer.props, "spec.acme.server"), undefined);
            const environment = server === letsEncrypt.production ? "production" : server === letsEncrypt.staging ? "staging" : undefined;
            const chosen = cert.chosenEnvironment;
            const from = `${cert.issuer.kind} '${cert.issuer.name}'`;
            if (environment === "production" && chosen !== "production") {
                report(
                    `${cert.label} is requested from ${from}, Let's Encrypt's production server, but the stack chose ${chosen ? `'${chosen}'` : "no environment"} (annotation ${acmeEnvironmentAnnotation}); use the staging issuer until the stack's settings choose production (acmeEnvironment).`,
                    cert.urn,
                );
            } else if (environment === "staging" && chosen === "production") {
                report(`${cert.label} is annotated ${acmeEnvironmentAnnotation}=production but requested from ${from}, Let's Encrypt's staging server; use the production issuer, or annotate it staging.`, cert.urn);
            }
        }
    },
};

/**
 * One Certificate per identifier set in a stack: Let's Encrypt allows 5 certificates per
 * exact set of names per week, and two Certificates for the same names renew
 * independently and compete for the same `_acme-challenge` records (cert-manager#6229).
 * Issue the set once and use its Secret from the Ingresses in that namespace.
 */
export const oneCertificatePerIdentifierSet: StackValidationPolicy = {
    name: "one-certificate-per-identifier-set",
    description: "Each set of DNS names is requested by one Certificate of the stack (Ingress-annotation certificates included).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxPerIdentifierSet: { type: "integer", minimum: 1, default: 1, description: "Most certificates a stack may request for one identifier set." },
        },
    },
    validateStack: (args, report) => {
        const { maxPerIdentifierSet } = args.getConfig<{ maxPerIdentifierSet: number }>();
        const bySet = new Map<string, Requested[]>();
        for (const cert of requestedCertificates(args.resources)) {
            const set = identifierSet(cert.names);
            if (set.length === 0) continue;
            const key = set.join(",");
            bySet.set(key, [...(bySet.get(key) ?? []), cert]);
        }
        for (const [key, certs] of bySet) {
            if (certs.length <= maxPerIdentifierSet) continue;
            report(
                `${listed(certs.map((c) => `${c.label} (namespace ${c.namespace})`))} all request [${key.split(",").join(", ")}]; Let's Encrypt allows 5 certificates per identifier set per week and duplicates renew separately: issue it once and reference its Secret.`,
                certs[certs.length - 1]!.urn,
            );
        }
    },
};

/** cert-manager kinds whose readiness dependents wait for. */
const awaitedKinds: Record<string, string> = { [certificateType]: "Certificate", [clusterIssuerType]: "ClusterIssuer", [issuerType]: "Issuer" };

/** True for a `pulumi.com/waitFor` value that waits for the Ready condition (one condition, or a JSON list of them). */
function waitsForReady(value: string): boolean {
    let entries: unknown = [value];
    if (value.trim().startsWith("[")) {
        try {
            entries = JSON.parse(value);
        } catch {
            return false;
        }
    }
    return Array.isArray(entries) && entries.some((e) => typeof e === "string" && (/^condition=Ready(=True)?$/i.test(e.trim()) || /^jsonpath=.*Ready/.test(e.trim())));
}

/**
 * Certificates and issuers are awaited: pulumi-kubernetes waits for a custom resource only
 * when it carries `pulumi.com/waitFor` (4.18+; `condition=Ready` here), and never when it
 * carries `pulumi.com/skipAwait: "true"`. Without the wait, `pulumi up` reports success
 * and creates the Ingresses and Gateways that use the certificate's Secret before
 * cert-manager has issued it (and issuers before their ACME account exists).
 */
export const certificateReadinessAwaited: ResourceValidationPolicy = {
    name: "certificate-readiness-awaited",
    description: "cert-manager Certificates, Issuers and ClusterIssuers carry pulumi.com/waitFor: condition=Ready and no pulumi.com/skipAwait.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(Object.keys(awaitedKinds), (props, args, report) => {
        const annotations = stringMap(at(props, "metadata.annotations"));
        const namespace = args.type === clusterIssuerType ? "" : `${objectNamespace(props)}/`;
        const who = `${awaitedKinds[args.type] ?? args.type} '${namespace}${objectName(props, args.name)}'`;
        const waitFor = annotations["pulumi.com/waitFor"];
        if (annotations["pulumi.com/skipAwait"] === "true") {
            report(`${who} sets pulumi.com/skipAwait: "true": pulumi up would not wait until it is Ready, and what uses it would start before it is issued; remove the annotation.`);
        } else if (waitFor === undefined) {
            report(`${who} has no pulumi.com/waitFor annotation: pulumi up does not wait for a custom resource without it, so what uses it would start before it is Ready; annotate it pulumi.com/waitFor: condition=Ready.`);
        } else if (!waitsForReady(waitFor)) {
            report(`${who} waits for '${waitFor}' (pulumi.com/waitFor), not for its Ready condition; annotate it pulumi.com/waitFor: condition=Ready.`);
        }
    }),
};

/**
 * An ACME server is reached over https: ACME is defined over HTTPS (RFC 8555, section 6.1),
 * and over plain http anyone on the path can impersonate the CA, see the orders and hand
 * back certificates of their own choosing.
 */
export const acmeServerHttps: ResourceValidationPolicy = {
    name: "acme-server-https",
    description: "Issuers and ClusterIssuers reach their ACME server over https.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([clusterIssuerType, issuerType], (props, args, report) => {
        const server = whenKnown(() => stringAt(props, "spec.acme.server"), undefined);
        if (server === undefined || /^https:\/\//i.test(server)) return;
        const who = args.type === clusterIssuerType ? `ClusterIssuer '${objectName(props, args.name)}'` : `Issuer '${objectNamespace(props)}/${objectName(props, args.name)}'`;
        report(`${who} uses the ACME server '${server}', which is not https: anyone on the path could impersonate the CA (RFC 8555 requires HTTPS); use its https:// directory URL (Let's Encrypt: ${letsEncrypt.production}).`);
    }),
};
