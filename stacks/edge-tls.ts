import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CertManager, certManagerServiceAccount, type CertManagerCredentials } from "../components/tls/cert-manager";
import { Certificates, type CertificateRequest } from "../components/tls/certificates";
import { Dns01Role, type Dns01Credentials } from "../components/tls/dns01-role";
import { challengeRecordNames, hostSlug } from "../config/dns-names";
import type { Settings } from "../config/registry";
import { edgeDeployment } from "../config/settings/gateway-api";

/**
 * The TLS of one cluster's stack: the DNS-01 role cert-manager uses, cert-manager and its
 * issuers, and the certificates of the identifier sets this stack issues (each set once in
 * the mesh; stacks/edge.ts checks that against the other stacks).
 */

/** The namespace of cert-manager. */
export const certManagerNamespace = "cert-manager";

function dns01Credentials(settings: Settings): Dns01Credentials {
    switch (settings.dns01Credentials) {
        case "irsa":
            return { mode: "irsa", oidcProviderArn: settings.dns01OidcProviderArn };
        case "pod-identity":
            return { mode: "pod-identity", eksClusterName: settings.dns01EksClusterName };
        case "static":
            return { mode: "static", iamUser: settings.dns01IamUser };
    }
}

/** What the stack's TLS needs from the rest of the edge. */
export interface StackTlsArgs {
    /** The identifier sets this stack issues (nothing is created without one). */
    readonly identifierSets: readonly { readonly dnsNames: readonly string[] }[];
    readonly zoneId: pulumi.Output<string>;
    /** The edge namespace's resource, so that certificates in it wait for it. */
    readonly edgeNamespace: k8s.core.v1.Namespace | undefined;
    /** The Gateway API CRDs, when the Gateway API edge runs: cert-manager's Gateway API support waits for them. */
    readonly gatewayApiCrds: pulumi.Resource | undefined;
    readonly opts: pulumi.ComponentResourceOptions;
}

/** cert-manager's credentials for Route53, from the DNS-01 role. */
function certManagerCredentials(settings: Settings, role: Dns01Role): CertManagerCredentials {
    switch (settings.dns01Credentials) {
        case "irsa":
            return { mode: "irsa", roleArn: role.roleArn! };
        case "pod-identity":
            return { mode: "pod-identity" };
        case "static":
            return { mode: "static", accessKeyId: settings.dns01AccessKeyId!, secretAccessKey: settings.dns01SecretAccessKey! };
    }
}

/** The certificates the stack requests: its sets, and (Gateway API edge alone, no ingress-shim) each host's own. */
function certificateRequests(settings: Settings, edgeNamespace: k8s.core.v1.Namespace | undefined): CertificateRequest[] {
    const deployment = edgeDeployment(settings.edgeImplementation);
    const requests: CertificateRequest[] = settings.tlsCertificates.map((s) => ({
        name: s.name,
        dnsNames: s.dnsNames,
        // The edge namespace's resource: the Certificate waits for the namespace to exist.
        namespace: (s.namespace ?? settings.edgeNamespace) === settings.edgeNamespace && edgeNamespace ? edgeNamespace.metadata.name : (s.namespace ?? settings.edgeNamespace),
        environment: s.issuer ?? settings.acmeEnvironment,
    }));
    if (deployment.gatewayApi && !deployment.nginx && edgeNamespace) {
        for (const h of settings.edgeHosts.filter((x) => x.certificate === "own")) {
            requests.push({ name: hostSlug(h.host), dnsNames: [h.host], namespace: edgeNamespace.metadata.name, environment: settings.acmeEnvironment });
        }
    }
    return requests;
}

/** The DNS-01 role, cert-manager and the stack's certificates, when it issues any. */
export function stackTls(settings: Settings, args: StackTlsArgs): void {
    if (args.identifierSets.length === 0) return;
    const role = new Dns01Role(
        "dns01",
        {
            hostedZoneId: args.zoneId,
            challengeRecordNames: challengeRecordNames(args.identifierSets.flatMap((s) => s.dnsNames)),
            credentials: dns01Credentials(settings),
            serviceAccountNamespace: certManagerNamespace,
            serviceAccountName: certManagerServiceAccount,
            namePrefix: `cm-dns01-${settings.clusterName}`.slice(0, 40),
        },
        args.opts,
    );
    const certManager = new CertManager(
        "cert-manager",
        {
            namespace: certManagerNamespace,
            repository: settings.certManagerRepository,
            version: settings.certManagerVersion,
            replicas: settings.certManagerReplicas,
            credentials: certManagerCredentials(settings, role),
            readyBeforePods: role.readyBeforePods,
            acmeEmail: settings.acmeEmail,
            region: settings.awsRegion,
            hostedZoneName: settings.dnsHostedZoneName,
            hostedZoneId: args.zoneId,
            monitoring: settings.monitoringEnabled,
            disposable: settings.clusterDisposable,
            // With the Gateway API edge: cert-manager's Gateway API support, after the CRDs.
            ...(args.gatewayApiCrds ? { gatewayApiCrds: args.gatewayApiCrds } : {}),
        },
        args.opts,
    );
    const requests = certificateRequests(settings, args.edgeNamespace);
    if (requests.length > 0) new Certificates("certificates", { certificates: requests, issuers: Object.values(certManager.issuers) }, args.opts);
}
