import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { crdReleaseOptions, heldNamespaceOptions, type Disposable } from "../lifecycle";
import { awaitedRelease, releaseTimeouts } from "../release-bounds";

/** The Let's Encrypt ACME directories. */
export const acmeServers = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;

/** The ACME environments, and the ClusterIssuer of each. */
export type AcmeEnvironment = keyof typeof acmeServers;

/** The name of the ClusterIssuer for an environment. */
export function issuerName(environment: AcmeEnvironment): string {
    return `letsencrypt-${environment}`;
}

/**
 * pulumi-kubernetes' readiness annotation for any resource, custom resources included
 * (added in provider v4.18.0; `condition=Ready` waits for a Ready=True status condition).
 */
export const waitForAnnotation = "pulumi.com/waitFor";

/**
 * The Let's Encrypt environment the stack chose for a certificate, written on each
 * Certificate (and each Ingress that asks cert-manager for one): the policy pack's
 * `acme-production-only-when-chosen` compares it with the issuer's server.
 */
export const acmeEnvironmentAnnotation = "mesh-ingress.io/acme-environment";

/** The Secret (in cert-manager's namespace) holding a static Route53 key, and its keys. */
export const staticKeySecret = { name: "route53-dns01-credentials", accessKeyIdKey: "access-key-id", secretAccessKeyKey: "secret-access-key" } as const;

/** How cert-manager authenticates to Route53. */
export type CertManagerCredentials =
    | { readonly mode: "irsa"; readonly roleArn: pulumi.Input<string> }
    | { readonly mode: "pod-identity" }
    | { readonly mode: "static"; readonly accessKeyId: pulumi.Input<string>; readonly secretAccessKey: pulumi.Input<string> };

/** Arguments of {@link CertManager}. */
export interface CertManagerArgs extends Disposable {
    /** Chart repository: `oci://...` (the chart is `<repository>/cert-manager`) or `https://...`. */
    repository: string;
    /** Exact chart version. */
    version: string;
    /** Replicas of the controller, webhook and cainjector (each gets a PDB). */
    replicas: number;
    /** Route53 credentials. */
    credentials: CertManagerCredentials;
    /** Resources that must exist before cert-manager's pods start (IAM attachment, Pod Identity association). */
    readyBeforePods?: pulumi.Input<pulumi.Resource>[];
    /** The ACME account's e-mail address. */
    acmeEmail: string;
    /** AWS region for the Route53 client. */
    region: string;
    /** The hosted zone's name; the solver is selected for it only. */
    hostedZoneName: string;
    /** The hosted zone's id (resolved). */
    hostedZoneId: pulumi.Input<string>;
    /** Create the chart's ServiceMonitor (needs the Prometheus Operator CRDs). */
    monitoring: boolean;
    /**
     * Namespace of cert-manager.
     * @default "cert-manager"
     */
    namespace?: string;
    /**
     * The Gateway API CRDs, when the cluster runs the Gateway API edge: cert-manager's
     * Gateway API support is switched on, and the release waits for the CRDs (the
     * controller fails to start without them once the support is on).
     * @default undefined: no Gateway API support
     */
    gatewayApiCrds?: pulumi.Input<pulumi.Resource>;
}

/**
 * The controller's configuration file (chart value `config`, a ControllerConfiguration)
 * switching cert-manager's Gateway API support on (cert-manager docs, usage/gateway; the
 * support has been beta and on by feature gate since 1.15, but off until this is set).
 * From v1.21 the key is `gatewayAPI.enabled`; the older top-level `enableGatewayAPI` is
 * deprecated there (`pkg/apis/config/controller/v1alpha1/types.go` at v1.21.1). Before
 * v1.21 only `enableGatewayAPI` exists, and the controller decodes its configuration
 * strictly, so an unknown `gatewayAPI` would stop it: the key follows the chart version.
 */
export function gatewayApiControllerConfig(version: string): Record<string, unknown> {
    const current = semver.valid(version) !== null && semver.gte(version, "1.21.0");
    return {
        apiVersion: "controller.config.cert-manager.io/v1alpha1",
        kind: "ControllerConfiguration",
        ...(current ? { gatewayAPI: { enabled: true } } : { enableGatewayAPI: true }),
    };
}

/** The service account the chart creates for the controller (named explicitly, so IAM trust can name it). */
export const certManagerServiceAccount = "cert-manager";

const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Record<string, unknown> => ({
    requests: { cpu, memory },
    limits: { cpu: cpuLimit, memory: memoryLimit },
});

/**
 * The cert-manager chart's values (chart values.yaml: `crds.enabled`, `replicaCount`,
 * `podDisruptionBudget`, `webhook.*`, `cainjector.*`, `serviceAccount.*`,
 * `prometheus.servicemonitor.enabled`, `startupapicheck`). The startup API check is a
 * post-install hook that waits until the webhook answers, so an awaited release means
 * issuers can be created.
 */
export function certManagerValues(args: Pick<CertManagerArgs, "version" | "replicas" | "credentials" | "monitoring" | "gatewayApiCrds">): Record<string, unknown> {
    const pdb = { enabled: true, minAvailable: 1 };
    const irsa = args.credentials.mode === "irsa";
    return {
        crds: { enabled: true, keep: true },
        replicaCount: args.replicas,
        podDisruptionBudget: pdb,
        resources: resources("50m", "128Mi", "500m", "512Mi"),
        serviceAccount: {
            create: true,
            name: certManagerServiceAccount,
            ...(irsa ? { annotations: { "eks.amazonaws.com/role-arn": (args.credentials as { roleArn: pulumi.Input<string> }).roleArn } } : {}),
        },
        // The IRSA web identity token must be readable by the non-root controller (cert-manager route53 docs).
        ...(irsa ? { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1001 } } : {}),
        webhook: { replicaCount: args.replicas, podDisruptionBudget: pdb, resources: resources("20m", "64Mi", "200m", "256Mi") },
        cainjector: { replicaCount: args.replicas, podDisruptionBudget: pdb, resources: resources("50m", "128Mi", "500m", "512Mi") },
        startupapicheck: { enabled: true, resources: resources("10m", "32Mi", "100m", "64Mi") },
        prometheus: { enabled: true, servicemonitor: { enabled: args.monitoring } },
        ...(args.gatewayApiCrds !== undefined ? { config: gatewayApiControllerConfig(args.version) } : {}),
    };
}

/** A Let's Encrypt ClusterIssuer solving DNS-01 in one Route53 hosted zone. */
export function clusterIssuerObject(
    environment: AcmeEnvironment,
    args: { acmeEmail: string; region: string; hostedZoneName: string; hostedZoneId: pulumi.Input<string>; staticKey: boolean },
): Record<string, unknown> {
    const route53: Record<string, unknown> = { region: args.region, hostedZoneID: args.hostedZoneId };
    if (args.staticKey) {
        route53["accessKeyIDSecretRef"] = { name: staticKeySecret.name, key: staticKeySecret.accessKeyIdKey };
        route53["secretAccessKeySecretRef"] = { name: staticKeySecret.name, key: staticKeySecret.secretAccessKeyKey };
    }
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        // Awaited: the ACME account must register (Ready) before certificates are requested.
        metadata: { name: issuerName(environment), annotations: { [waitForAnnotation]: "condition=Ready" } },
        spec: {
            acme: {
                server: acmeServers[environment],
                email: args.acmeEmail,
                privateKeySecretRef: { name: `${issuerName(environment)}-account-key` },
                solvers: [{ selector: { dnsZones: [args.hostedZoneName] }, dns01: { route53 } }],
            },
        },
    };
}

/**
 * cert-manager on this cluster: its namespace, the release (awaited, so the webhook is
 * serving before anything depends on it), the static Route53 key Secret when there is
 * one, and the two Let's Encrypt ClusterIssuers (staging and production), which are
 * created only after the release.
 */
export class CertManager extends pulumi.ComponentResource {
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;
    /** The ClusterIssuers, by environment. */
    public readonly issuers: Readonly<Record<AcmeEnvironment, k8s.apiextensions.CustomResource>>;
    /** cert-manager's namespace. */
    public readonly namespace: string;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:tls:CertManager", name, {}, opts);
        this.namespace = args.namespace ?? "cert-manager";
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: this.namespace } }, { parent: this, ...heldNamespaceOptions(args) });

        const dependsOn: pulumi.Input<pulumi.Resource>[] = [namespace, ...(args.readyBeforePods ?? []), ...(args.gatewayApiCrds !== undefined ? [args.gatewayApiCrds] : [])];
        let keySecret: k8s.core.v1.Secret | undefined;
        if (args.credentials.mode === "static") {
            keySecret = new k8s.core.v1.Secret(
                `${name}-route53-key`,
                {
                    metadata: { name: staticKeySecret.name, namespace: this.namespace },
                    type: "Opaque",
                    stringData: {
                        [staticKeySecret.accessKeyIdKey]: pulumi.secret(args.credentials.accessKeyId),
                        [staticKeySecret.secretAccessKeyKey]: pulumi.secret(args.credentials.secretAccessKey),
                    },
                },
                { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
            );
        }

        const oci = args.repository.startsWith("oci://");
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "cert-manager",
                namespace: this.namespace,
                chart: oci ? `${args.repository.replace(/\/$/, "")}/cert-manager` : "cert-manager",
                ...(oci ? {} : { repositoryOpts: { repo: args.repository } }),
                version: args.version,
                values: certManagerValues(args),
                ...awaitedRelease(releaseTimeouts.certManager),
            },
            { parent: this, dependsOn, ...crdReleaseOptions(args) },
        );

        const issuer = (environment: AcmeEnvironment): k8s.apiextensions.CustomResource =>
            new k8s.apiextensions.CustomResource(
                `${name}-${issuerName(environment)}`,
                clusterIssuerObject(environment, { ...args, staticKey: keySecret !== undefined }) as k8s.apiextensions.CustomResourceArgs,
                { parent: this, dependsOn: [this.release, ...(keySecret ? [keySecret] : [])] },
            );
        this.issuers = { staging: issuer("staging"), production: issuer("production") };
        this.registerOutputs({ namespace: this.namespace, issuers: Object.keys(this.issuers).map((e) => issuerName(e as AcmeEnvironment)) });
    }
}
