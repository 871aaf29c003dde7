import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DomainRecords, type DomainRecord, type EdgeTarget } from "../components/dns/domain-records";
import { GatewayApiEdge } from "../components/edge/gateway-api-edge";
import type { GatewayHost } from "../components/edge/gateway-api-objects";
import { IngressController } from "../components/edge/ingress-controller";
import { NginxRoutes } from "../components/edge/routes";
import { responseHeaderNames, routeGroups } from "../components/edge/routing";
import type { ClusterProviders } from "../components/providers";
import { CertManager, certManagerServiceAccount, type CertManagerCredentials } from "../components/tls/cert-manager";
import { certificateSecretName, Certificates, type CertificateRequest } from "../components/tls/certificates";
import { Dns01Role, type Dns01Credentials } from "../components/tls/dns01-role";
import { challengeRecordNames, hostSlug, sharedChallenges } from "../config/dns-names";
import { ConfigError, invalid } from "../config/problems";
import type { Settings } from "../config/registry";
import { coveringSet } from "../config/settings/edge";
import { edgeDeployment } from "../config/settings/gateway-api";
import type { Problem } from "../config/setting";
import type { ReferencedStack } from "./references";

/**
 * TLS, the edge and DNS of one cluster, the same for the primary and every remote: the
 * certificates this stack issues (each identifier set once in the mesh), the ingress
 * controller and its routes, and the records of the domains it serves.
 */

/** An identifier set a stack issues, as stacks export it to each other. */
export interface IdentifierSet {
    readonly name: string;
    readonly dnsNames: readonly string[];
}

/** A domain a stack serves, and how its record shares the name, as stacks export it. */
export interface ServedDomain {
    readonly host: string;
    readonly routing: "simple" | "weighted" | "failover";
    readonly failover?: "primary" | "secondary";
}

/** What this module reads from another stack of the mesh. */
export interface PeerStack {
    readonly name: string;
    readonly tlsIdentifierSets: readonly IdentifierSet[];
    readonly servedDomains: readonly ServedDomain[];
}

/** The namespace of cert-manager. */
export const certManagerNamespace = "cert-manager";

/** Every identifier set this stack issues: its certificate sets and its per-host certificates. */
export function stackIdentifierSets(settings: Pick<Settings, "tlsCertificates" | "edgeHosts">): IdentifierSet[] {
    return [
        ...settings.tlsCertificates.map((s) => ({ name: s.name, dnsNames: [...s.dnsNames] })),
        ...settings.edgeHosts.filter((h) => h.certificate === "own").map((h) => ({ name: h.host, dnsNames: [h.host] })),
    ];
}

/** Every domain this stack serves and how its record is shared. */
export function stackServedDomains(settings: Pick<Settings, "edgeHosts" | "dnsRouting">): ServedDomain[] {
    return settings.edgeHosts.map((h) => {
        const r = settings.dnsRouting.find((x) => x.host === h.host);
        if (r === undefined) return { host: h.host, routing: "simple" as const };
        return r.policy === "failover" ? { host: h.host, routing: "failover" as const, failover: r.failover ?? "primary" } : { host: h.host, routing: "weighted" as const };
    });
}

/** What another stack exported, read from its stack reference (exported by this same program). */
export function peerOf(reference: ReferencedStack): PeerStack {
    return {
        name: reference.name,
        tlsIdentifierSets: reference.plain<IdentifierSet[]>("tlsIdentifierSets") ?? [],
        servedDomains: reference.plain<ServedDomain[]>("servedDomains") ?? [],
    };
}

/**
 * Configuration problems between this stack and the others of the mesh: an identifier set
 * whose challenge record another stack also writes (cert-manager#6229: the TXT record race
 * and a shared Let's Encrypt allowance), and a domain another stack serves without both
 * records sharing the name through the same routing policy.
 */
export function problemsWithPeers(settings: Pick<Settings, "tlsCertificates" | "edgeHosts" | "dnsRouting">, peers: readonly PeerStack[]): Problem[] {
    const problems: Problem[] = [];
    const setKeys = [
        ...settings.tlsCertificates.map((s, i) => ({ key: `tlsCertificates[${i}]`, dnsNames: s.dnsNames })),
        ...settings.edgeHosts.flatMap((h, i) => (h.certificate === "own" ? [{ key: `edgeHosts[${i}].certificate`, dnsNames: [h.host] }] : [])),
    ];
    for (const set of setKeys) {
        for (const peer of peers) {
            for (const theirs of peer.tlsIdentifierSets) {
                const shared = sharedChallenges(set.dnsNames, theirs.dnsNames);
                if (shared.length > 0) {
                    problems.push(invalid(set.key, set.dnsNames, `expected an identifier set no other stack issues: ${peer.name} issues '${theirs.name}' (${theirs.dnsNames.join(", ")}), and both would write ${shared.join(", ")}`));
                }
            }
        }
    }
    const mine = stackServedDomains(settings);
    settings.edgeHosts.forEach((h, i) => {
        const local = mine[i]!;
        const routingIndex = settings.dnsRouting.findIndex((r) => r.host === h.host);
        for (const peer of peers) {
            const theirs = peer.servedDomains.find((d) => d.host === h.host);
            if (theirs === undefined) continue;
            if (local.routing === "simple") {
                problems.push(invalid(`edgeHosts[${i}].host`, h.host, `expected a dnsRouting entry for it: ${peer.name} also serves it (${theirs.routing} record), and plain records of two clusters cannot share a name`));
            } else if (theirs.routing === "simple") {
                problems.push(invalid(`dnsRouting[${routingIndex}].host`, h.host, `expected ${peer.name} to share it too: it serves it with a plain record (add a ${local.routing} dnsRouting entry there)`));
            } else if (theirs.routing !== local.routing) {
                problems.push(invalid(`dnsRouting[${routingIndex}].policy`, local.routing, `expected '${theirs.routing}', the policy ${peer.name} uses for ${h.host}`));
            } else if (local.routing === "failover" && theirs.failover === local.failover) {
                problems.push(invalid(`dnsRouting[${routingIndex}].failover`, local.failover, `expected the other role: ${peer.name} is already the ${String(theirs.failover)} record of ${h.host}`));
            }
        }
    });
    return problems;
}

/** Problems between peers themselves (the primary sees every remote; remotes see only the primary). */
export function problemsAmongPeers(peers: readonly PeerStack[], keyOf: (peer: PeerStack) => string): Problem[] {
    const problems: Problem[] = [];
    peers.forEach((peer, i) => {
        for (const other of peers.slice(0, i)) {
            for (const set of peer.tlsIdentifierSets) {
                for (const theirs of other.tlsIdentifierSets) {
                    const shared = sharedChallenges(set.dnsNames, theirs.dnsNames);
                    if (shared.length > 0) problems.push(invalid(keyOf(peer), peer.name, `expected stacks that issue distinct identifier sets: ${peer.name} ('${set.name}') and ${other.name} ('${theirs.name}') both write ${shared.join(", ")}`));
                }
            }
        }
    });
    return problems;
}

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

/** The outputs this module adds to the stack's. */
export interface EdgeOutputs {
    readonly tlsIdentifierSets: readonly IdentifierSet[];
    readonly servedDomains: readonly ServedDomain[];
    readonly acmeEnvironment: string;
    readonly edgeLoadBalancer?: pulumi.Output<string>;
    /** Which edges run (`edgeImplementation`), and each one's load balancer while both run. */
    readonly edgeImplementation: string;
    readonly edgeLoadBalancers?: Readonly<Record<string, pulumi.Output<string>>>;
}

/** What the Gateway API edge needs from the rest of the stack (the primary's mesh). */
export interface GatewayApiDependencies {
    /** The Gateway API CRDs, installed before istiod and cert-manager (stacks/primary.ts). */
    readonly crds: pulumi.Resource;
    /** istiod: Istio's CRDs and the controller that deploys Gateways. */
    readonly controlPlane: pulumi.Resource;
}

/** The Gateway's hosts: each with the Secret (in the edge namespace) of its certificate and the namespaces of its routes. */
export function gatewayHosts(settings: Pick<Settings, "edgeHosts" | "tlsCertificates" | "edgeNamespace">): GatewayHost[] {
    return settings.edgeHosts.map((h) => {
        const set = coveringSet(settings.tlsCertificates, settings.edgeNamespace, h.host, settings.edgeNamespace);
        const secretName = h.certificate === "own" || set === undefined ? certificateSecretName(hostSlug(h.host)) : certificateSecretName(set.name);
        return { host: h.host, secretName, routeNamespaces: [...new Set(h.paths.map((p) => p.namespace ?? h.namespace))] };
    });
}

/**
 * Builds TLS, the edge and DNS for this stack's cluster. `peers` are the other stacks of
 * the mesh this stack can see; conflicts with them are configuration errors.
 */
export function buildEdge(settings: Settings, providers: ClusterProviders, peers: readonly PeerStack[], gatewayApi?: GatewayApiDependencies): EdgeOutputs {
    const problems = problemsWithPeers(settings, peers);
    if (problems.length > 0) throw new ConfigError(problems, pulumi.getStack());
    const deployment = edgeDeployment(settings.edgeImplementation);
    const outputs = {
        tlsIdentifierSets: stackIdentifierSets(settings),
        servedDomains: stackServedDomains(settings),
        acmeEnvironment: settings.acmeEnvironment,
        edgeImplementation: settings.edgeImplementation,
    };
    if (outputs.tlsIdentifierSets.length === 0 && settings.edgeHosts.length === 0) return outputs;

    const opts: pulumi.ComponentResourceOptions = { providers: { kubernetes: providers.kubernetes, aws: providers.aws, random: providers.random } };
    const zoneName = settings.dnsHostedZoneName;
    const zoneId =
        settings.dnsHostedZoneId !== ""
            ? pulumi.output(settings.dnsHostedZoneId)
            : aws.route53.getZoneOutput({ name: zoneName, privateZone: false }, { provider: providers.aws }).zoneId;

    // The edge comes first: the stack's default certificate lives in its namespace.
    const edgeNamespace = settings.edgeNamespace;
    const groups = routeGroups({ hosts: settings.edgeHosts, profiles: settings.edgeSecurityProfiles, certificates: settings.tlsCertificates, edgeNamespace });
    const defaultSet = settings.tlsCertificates.find((s) => (s.namespace ?? edgeNamespace) === edgeNamespace);
    const serving = settings.edgeHosts.length > 0;
    if (serving && deployment.gatewayApi && gatewayApi === undefined) {
        throw new pulumi.RunError("The Gateway API edge needs the Gateway API CRDs and istiod of this cluster; only the primary stack can run it.");
    }
    const edge =
        serving && deployment.nginx
            ? new IngressController(
                  "edge",
                  {
                      namespace: edgeNamespace,
                      repository: settings.edgeChartRepository,
                      version: settings.edgeChartVersion,
                      autoscaling: { minReplicas: settings.edgeMinReplicas, maxReplicas: settings.edgeMaxReplicas, targetCpuUtilization: settings.edgeTargetCpuUtilization },
                      resources: { cpuRequest: settings.edgeCpuRequest, memoryRequest: settings.edgeMemoryRequest, cpuLimit: settings.edgeCpuLimit, memoryLimit: settings.edgeMemoryLimit },
                      hsts: { maxAgeSeconds: settings.edgeHstsMaxAge, includeSubdomains: settings.edgeHstsIncludeSubdomains, preload: settings.edgeHstsPreload },
                      ...(defaultSet ? { defaultCertificate: `${edgeNamespace}/${certificateSecretName(defaultSet.name)}` } : {}),
                      loadBalancer: settings.edgeLoadBalancer,
                      serviceAnnotations: settings.edgeServiceAnnotations,
                      wafMode: settings.edgeWafMode,
                      allowedResponseHeaders: responseHeaderNames(groups),
                      admissionWebhookSources: settings.edgeAdmissionWebhookSources,
                      monitoring: settings.monitoringEnabled,
                  },
                  opts,
              )
            : undefined;

    // The edge namespace: the NGINX edge's, or (Gateway API edge alone) the same object
    // created here; the alias keeps it, and every certificate in it, when NGINX is removed.
    const edgeNamespaceResource =
        edge?.namespace ??
        (serving
            ? new k8s.core.v1.Namespace(
                  "edge-namespace",
                  { metadata: { name: edgeNamespace } },
                  { provider: providers.kubernetes, aliases: [{ parent: pulumi.createUrn("edge", "mesh-ingress:edge:IngressController") }] },
              )
            : undefined);

    if (outputs.tlsIdentifierSets.length > 0) {
        const role = new Dns01Role(
            "dns01",
            {
                hostedZoneId: zoneId,
                challengeRecordNames: challengeRecordNames(outputs.tlsIdentifierSets.flatMap((s) => s.dnsNames)),
                credentials: dns01Credentials(settings),
                serviceAccountNamespace: certManagerNamespace,
                serviceAccountName: certManagerServiceAccount,
                namePrefix: `cm-dns01-${settings.clusterName}`.slice(0, 40),
            },
            opts,
        );
        const credentials: CertManagerCredentials =
            settings.dns01Credentials === "irsa"
                ? { mode: "irsa", roleArn: role.roleArn! }
                : settings.dns01Credentials === "pod-identity"
                  ? { mode: "pod-identity" }
                  : { mode: "static", accessKeyId: settings.dns01AccessKeyId!, secretAccessKey: settings.dns01SecretAccessKey! };
        const certManager = new CertManager(
            "cert-manager",
            {
                namespace: certManagerNamespace,
                repository: settings.certManagerRepository,
                version: settings.certManagerVersion,
                replicas: settings.certManagerReplicas,
                credentials,
                readyBeforePods: role.readyBeforePods,
                acmeEmail: settings.acmeEmail,
                region: settings.awsRegion,
                hostedZoneName: zoneName,
                hostedZoneId: zoneId,
                monitoring: settings.monitoringEnabled,
                // With the Gateway API edge: cert-manager's Gateway API support, after the CRDs.
                ...(deployment.gatewayApi && gatewayApi ? { gatewayApiCrds: gatewayApi.crds } : {}),
            },
            opts,
        );
        const requests: CertificateRequest[] = settings.tlsCertificates.map((s) => ({
            name: s.name,
            dnsNames: s.dnsNames,
            // The edge namespace's resource: the Certificate waits for the namespace to exist.
            namespace: (s.namespace ?? edgeNamespace) === edgeNamespace && edgeNamespaceResource ? edgeNamespaceResource.metadata.name : (s.namespace ?? edgeNamespace),
            environment: s.issuer ?? settings.acmeEnvironment,
        }));
        // Without NGINX's ingress-shim, hosts with their own certificate get one in the Gateway's namespace.
        if (deployment.gatewayApi && !deployment.nginx && edgeNamespaceResource) {
            for (const h of settings.edgeHosts.filter((x) => x.certificate === "own")) {
                requests.push({ name: hostSlug(h.host), dnsNames: [h.host], namespace: edgeNamespaceResource.metadata.name, environment: settings.acmeEnvironment });
            }
        }
        if (requests.length > 0) new Certificates("certificates", { certificates: requests, issuers: Object.values(certManager.issuers) }, opts);
    }

    if (!serving) return outputs;
    if (edge) new NginxRoutes("routes", { groups, wafMode: settings.edgeWafMode, acmeEnvironment: settings.acmeEnvironment, controller: edge.release }, opts);

    const gateway =
        deployment.gatewayApi && gatewayApi
            ? new GatewayApiEdge(
                  "gateway",
                  {
                      namespace: edgeNamespace,
                      namespaceExists: true,
                      loadBalancer: settings.edgeLoadBalancer,
                      serviceAnnotations: settings.edgeServiceAnnotations,
                      autoscaling: { minReplicas: settings.edgeMinReplicas, maxReplicas: settings.edgeMaxReplicas, targetCpuUtilization: settings.edgeTargetCpuUtilization },
                      resources: { cpuRequest: settings.edgeCpuRequest, memoryRequest: settings.edgeMemoryRequest, cpuLimit: settings.edgeCpuLimit, memoryLimit: settings.edgeMemoryLimit },
                      hosts: gatewayHosts(settings),
                      groups,
                      hsts: { maxAgeSeconds: settings.edgeHstsMaxAge, includeSubdomains: settings.edgeHstsIncludeSubdomains, preload: settings.edgeHstsPreload },
                      wafMode: settings.edgeWafMode,
                      corazaUrl: settings.edgeCorazaWasmUrl,
                      corazaSha256: settings.edgeCorazaWasmSha256,
                      crds: gatewayApi.crds,
                      controlPlane: gatewayApi.controlPlane,
                      gatewayDependsOn: edgeNamespaceResource ? [edgeNamespaceResource] : [],
                  },
                  opts,
              )
            : undefined;

    const balancers: Record<string, { hostname: pulumi.Output<string>; ip: pulumi.Output<string> }> = {};
    if (edge) balancers["nginx"] = { hostname: edge.loadBalancerHostname, ip: edge.loadBalancerIp };
    if (gateway) balancers["gateway-api"] = { hostname: gateway.loadBalancerHostname, ip: gateway.loadBalancerIp };
    const served = balancers[deployment.dns]!;
    const target: EdgeTarget =
        settings.edgeLoadBalancer === "aws-nlb"
            ? {
                  kind: "aws-nlb",
                  hostname: served.hostname,
                  canonicalZoneId: aws.lb.getHostedZoneIdOutput({ loadBalancerType: "network", region: settings.awsRegion }, { provider: providers.aws }).id,
              }
            : settings.edgeLoadBalancer === "hostname"
              ? { kind: "hostname", hostname: served.hostname }
              : { kind: "ip", ip: served.ip };
    const domains: DomainRecord[] = settings.edgeHosts.map((h) => {
        const r = settings.dnsRouting.find((x) => x.host === h.host);
        if (r === undefined) return { host: h.host };
        return { host: h.host, shared: r.policy === "weighted" ? { policy: "weighted", weight: r.weight ?? 0 } : { policy: "failover", role: r.failover ?? "primary" } };
    });
    new DomainRecords("dns", { hostedZoneId: zoneId, domains, target, setIdentifier: settings.clusterName, ttl: settings.dnsRecordTtl }, opts);
    const address = (b: { hostname: pulumi.Output<string>; ip: pulumi.Output<string> }): pulumi.Output<string> => (settings.edgeLoadBalancer === "ip" ? b.ip : b.hostname);
    return {
        ...outputs,
        edgeLoadBalancer: address(served),
        ...(edge && gateway ? { edgeLoadBalancers: Object.fromEntries(Object.entries(balancers).map(([k, b]) => [k, address(b)])) } : {}),
    };
}
