import * as lb from "@pulumi/aws/lb";
import * as route53 from "@pulumi/aws/route53";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DomainRecords, type DomainRecord, type EdgeTarget } from "../components/dns/domain-records";
import { GatewayApiEdge } from "../components/edge/gateway-api-edge";
import type { GatewayHost } from "../components/edge/gateway-api-objects";
import { IngressController, type IngressControllerArgs } from "../components/edge/ingress-controller";
import { NginxRoutes } from "../components/edge/routes";
import { responseHeaderNames, routeGroups, type RouteGroup } from "../components/edge/routing";
import { heldNamespaceOptions } from "../components/lifecycle";
import type { ClusterProviders } from "../components/providers";
import { certificateSecretName } from "../components/tls/certificates";
import { hostSlug, sharedChallenges } from "../config/dns-names";
import { ConfigError, invalid } from "../config/problems";
import type { Settings } from "../config/registry";
import { coveringSet } from "../config/settings/edge";
import { edgeDeployment, type EdgeDeployment } from "../config/settings/gateway-api";
import type { Problem } from "../config/setting";
import { stackTls } from "./edge-tls";
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

/** What every part of the edge shares: the component options, the hosted zone, the groups of paths, which edges run. */
interface EdgeContext {
    readonly settings: Settings;
    readonly providers: ClusterProviders;
    readonly opts: pulumi.ComponentResourceOptions;
    readonly zoneId: pulumi.Output<string>;
    readonly groups: readonly RouteGroup[];
    readonly deployment: EdgeDeployment;
}

/** The hosted zone's id: configured, or looked up by name. */
function hostedZoneId(settings: Settings, providers: ClusterProviders): pulumi.Output<string> {
    return settings.dnsHostedZoneId !== ""
        ? pulumi.output(settings.dnsHostedZoneId)
        : route53.getZoneOutput({ name: settings.dnsHostedZoneName, privateZone: false }, { provider: providers.aws }).zoneId;
}

/** The NGINX edge's controller, when it runs and the stack serves hosts. */
function nginxController(c: EdgeContext): IngressController | undefined {
    const s = c.settings;
    if (s.edgeHosts.length === 0 || !c.deployment.nginx) return undefined;
    const defaultSet = s.tlsCertificates.find((set) => (set.namespace ?? s.edgeNamespace) === s.edgeNamespace);
    return new IngressController(
        "edge",
        {
            namespace: s.edgeNamespace,
            repository: s.edgeChartRepository,
            version: s.edgeChartVersion,
            autoscaling: edgeAutoscaling(s),
            resources: edgeResources(s),
            hsts: edgeHsts(s),
            ...(defaultSet ? { defaultCertificate: `${s.edgeNamespace}/${certificateSecretName(defaultSet.name)}` } : {}),
            loadBalancer: s.edgeLoadBalancer,
            serviceAnnotations: s.edgeServiceAnnotations,
            wafMode: s.edgeWafMode,
            allowedResponseHeaders: responseHeaderNames(c.groups),
            admissionWebhookSources: s.edgeAdmissionWebhookSources,
            monitoring: s.monitoringEnabled,
            disposable: s.clusterDisposable,
        },
        c.opts,
    );
}

const edgeAutoscaling = (s: Settings): IngressControllerArgs["autoscaling"] => ({ minReplicas: s.edgeMinReplicas, maxReplicas: s.edgeMaxReplicas, targetCpuUtilization: s.edgeTargetCpuUtilization });
const edgeResources = (s: Settings): IngressControllerArgs["resources"] => ({ cpuRequest: s.edgeCpuRequest, memoryRequest: s.edgeMemoryRequest, cpuLimit: s.edgeCpuLimit, memoryLimit: s.edgeMemoryLimit });
const edgeHsts = (s: Settings): IngressControllerArgs["hsts"] => ({ maxAgeSeconds: s.edgeHstsMaxAge, includeSubdomains: s.edgeHstsIncludeSubdomains, preload: s.edgeHstsPreload });

/**
 * The edge namespace: the NGINX edge's, or (Gateway API edge alone) the same object created
 * here; the alias keeps it, and every certificate in it, when NGINX is removed.
 */
function edgeNamespaceOf(c: EdgeContext, nginx: IngressController | undefined): k8s.core.v1.Namespace | undefined {
    if (nginx) return nginx.namespace;
    if (c.settings.edgeHosts.length === 0) return undefined;
    return new k8s.core.v1.Namespace(
        "edge-namespace",
        { metadata: { name: c.settings.edgeNamespace } },
        {
            provider: c.providers.kubernetes,
            aliases: [{ parent: pulumi.createUrn("edge", "mesh-ingress:edge:IngressController") }],
            ...heldNamespaceOptions({ disposable: c.settings.clusterDisposable }),
        },
    );
}

/** The Gateway API edge, when it runs and the stack serves hosts. */
function gatewayApiEdge(c: EdgeContext, gatewayApi: GatewayApiDependencies | undefined, namespace: k8s.core.v1.Namespace | undefined): GatewayApiEdge | undefined {
    const s = c.settings;
    if (s.edgeHosts.length === 0 || !c.deployment.gatewayApi || gatewayApi === undefined) return undefined;
    return new GatewayApiEdge(
        "gateway",
        {
            namespace: s.edgeNamespace,
            namespaceExists: true,
            loadBalancer: s.edgeLoadBalancer,
            serviceAnnotations: s.edgeServiceAnnotations,
            autoscaling: edgeAutoscaling(s),
            resources: edgeResources(s),
            hosts: gatewayHosts(s),
            groups: c.groups,
            hsts: edgeHsts(s),
            wafMode: s.edgeWafMode,
            corazaUrl: s.edgeCorazaWasmUrl,
            corazaSha256: s.edgeCorazaWasmSha256,
            crds: gatewayApi.crds,
            controlPlane: gatewayApi.controlPlane,
            gatewayDependsOn: namespace ? [namespace] : [],
            disposable: s.clusterDisposable,
        },
        c.opts,
    );
}

/** A load balancer's two possible addresses. */
interface Balancer {
    readonly hostname: pulumi.Output<string>;
    readonly ip: pulumi.Output<string>;
}

/** The records of every served domain, pointing at the load balancer of the edge `edgeImplementation` names first. */
function domainRecords(c: EdgeContext, served: Balancer): void {
    const s = c.settings;
    const target: EdgeTarget =
        s.edgeLoadBalancer === "aws-nlb"
            ? { kind: "aws-nlb", hostname: served.hostname, canonicalZoneId: lb.getHostedZoneIdOutput({ loadBalancerType: "network", region: s.awsRegion }, { provider: c.providers.aws }).id }
            : s.edgeLoadBalancer === "hostname"
              ? { kind: "hostname", hostname: served.hostname }
              : { kind: "ip", ip: served.ip };
    const domains: DomainRecord[] = s.edgeHosts.map((h) => {
        const r = s.dnsRouting.find((x) => x.host === h.host);
        if (r === undefined) return { host: h.host };
        return { host: h.host, shared: r.policy === "weighted" ? { policy: "weighted", weight: r.weight ?? 0 } : { policy: "failover", role: r.failover ?? "primary" } };
    });
    new DomainRecords("dns", { hostedZoneId: c.zoneId, domains, target, setIdentifier: s.clusterName, ttl: s.dnsRecordTtl }, c.opts);
}

/**
 * Builds TLS, the edge and DNS for this stack's cluster. `peers` are the other stacks of
 * the mesh this stack can see; conflicts with them are configuration errors. The edge comes
 * first (the stack's default certificate lives in its namespace), then TLS, the routes, the
 * Gateway API edge and the records.
 */
export function buildEdge(settings: Settings, providers: ClusterProviders, peers: readonly PeerStack[], gatewayApi?: GatewayApiDependencies): EdgeOutputs {
    const problems = problemsWithPeers(settings, peers);
    if (problems.length > 0) throw new ConfigError(problems, pulumi.getStack());
    const outputs = {
        tlsIdentifierSets: stackIdentifierSets(settings),
        servedDomains: stackServedDomains(settings),
        acmeEnvironment: settings.acmeEnvironment,
        edgeImplementation: settings.edgeImplementation,
    };
    if (outputs.tlsIdentifierSets.length === 0 && settings.edgeHosts.length === 0) return outputs;
    const deployment = edgeDeployment(settings.edgeImplementation);
    if (settings.edgeHosts.length > 0 && deployment.gatewayApi && gatewayApi === undefined) {
        throw new pulumi.RunError("The Gateway API edge needs the Gateway API CRDs and istiod of this cluster; only the primary stack can run it.");
    }
    const c: EdgeContext = {
        settings,
        providers,
        opts: { providers: { kubernetes: providers.kubernetes, aws: providers.aws, random: providers.random } },
        zoneId: hostedZoneId(settings, providers),
        groups: routeGroups({ hosts: settings.edgeHosts, profiles: settings.edgeSecurityProfiles, certificates: settings.tlsCertificates, edgeNamespace: settings.edgeNamespace }),
        deployment,
    };

    const nginx = nginxController(c);
    const namespace = edgeNamespaceOf(c, nginx);
    stackTls(settings, { identifierSets: outputs.tlsIdentifierSets, zoneId: c.zoneId, edgeNamespace: namespace, gatewayApiCrds: deployment.gatewayApi ? gatewayApi?.crds : undefined, opts: c.opts });
    if (settings.edgeHosts.length === 0) return outputs;
    if (nginx) new NginxRoutes("routes", { groups: c.groups, wafMode: settings.edgeWafMode, acmeEnvironment: settings.acmeEnvironment, controller: nginx.release }, c.opts);
    const gateway = gatewayApiEdge(c, gatewayApi, namespace);

    const balancers: Record<string, Balancer> = {};
    if (nginx) balancers["nginx"] = { hostname: nginx.loadBalancerHostname, ip: nginx.loadBalancerIp };
    if (gateway) balancers["gateway-api"] = { hostname: gateway.loadBalancerHostname, ip: gateway.loadBalancerIp };
    const served = balancers[deployment.dns]!;
    domainRecords(c, served);
    const address = (b: Balancer): pulumi.Output<string> => (settings.edgeLoadBalancer === "ip" ? b.ip : b.hostname);
    return {
        ...outputs,
        edgeLoadBalancer: address(served),
        ...(nginx && gateway ? { edgeLoadBalancers: Object.fromEntries(Object.entries(balancers).map(([k, b]) => [k, address(b)])) } : {}),
    };
}
