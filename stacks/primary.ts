import * as pulumi from "@pulumi/pulumi";
import type { ClusterProviders } from "../components/providers";
import { ConfigError, invalid } from "../config/problems";
import type { Settings } from "../config/registry";
import type { Problem } from "../config/setting";
import { IstioPrimary, type IstioPrimaryArgs } from "../components/mesh/istio-primary";
import { RemoteClusterSecret } from "../components/mesh/remote-cluster-secret";
import { remoteOutputsForPrimary, remoteSecretOutputs } from "./contract";
import { buildEdge, peerOf, problemsAmongPeers, type PeerStack } from "./edge";
import { gatewayApiCrdsFor } from "./gateway-api";
import { legacyMeshName, legacyRemoteSecretName, meshResourceName, remoteSecretResourceName } from "./names";
import { readStack, type ReferencedStack } from "./references";

/**
 * The primary stack: the mesh's control plane on this cluster, and one remote-cluster
 * secret for each deployed remote stack it lists.
 */
export async function primaryStack(settings: Settings, providers: ClusterProviders): Promise<Record<string, unknown>> {
    const remotes = await readRemotes(settings);

    // Gateway API edge: its CRDs come before istiod and cert-manager (stacks/gateway-api.ts).
    const gatewayApiCrds = gatewayApiCrdsFor(settings, providers);

    const mesh = meshOfPrimary(settings, providers, remotes, gatewayApiCrds);

    // TLS, edge and DNS: this cluster's certificates, ingress and records (stacks/edge.ts).
    const peers = remotes.deployed.map(peerOf);
    const amongRemotes = [...problemsAmongPeers(peers, (p) => `remoteStacks[${settings.remoteStacks.indexOf(p.name)}]`), ...strictMtlsProblems(settings, peers)];
    if (amongRemotes.length > 0) throw new ConfigError(amongRemotes, pulumi.getStack());
    const edge = buildEdge(settings, providers, peers, gatewayApiCrds ? { crds: gatewayApiCrds, controlPlane: mesh.istiod } : undefined);

    return {
        role: settings.role,
        clusterName: settings.clusterName,
        network: settings.network,
        meshId: settings.meshId,
        ...mesh.outputs,
        remoteClusters: remotes.deployed.map((r) => r.plain<string>("clusterName")),
        pendingRemoteStacks: remotes.pending,
        ...edge,
    };
}

/**
 * STRICT mTLS refuses plain text mesh-wide, so no remote may serve hosts: a remote's edge is
 * always NGINX, outside the mesh (config/settings/mesh.ts refuses the primary's own).
 */
export function strictMtlsProblems(settings: Pick<Settings, "meshMtlsMode">, peers: readonly PeerStack[]): Problem[] {
    if (settings.meshMtlsMode !== "STRICT") return [];
    return peers
        .filter((p) => p.servedDomains.length > 0)
        .map((p) => invalid("meshMtlsMode", "STRICT", `expected PERMISSIVE while remote ${p.name} serves ${p.servedDomains.map((d) => d.host).join(", ")} through its NGINX edge, which is not in the mesh and sends plain HTTP to its backends`));
}

// ---- Mesh (Istio): the control plane and one remote secret per deployed remote ----

/** Creates the primary's part of the mesh; returns the outputs the remotes read, and istiod. */
function meshOfPrimary(
    settings: Settings,
    providers: ClusterProviders,
    remotes: RemoteStacks,
    gatewayApiCrds: pulumi.Resource | undefined,
): { outputs: Record<string, unknown>; istiod: pulumi.Resource } {
    const opts = { providers: { kubernetes: providers.kubernetes } };
    const ca = [settings.istioCaCert, settings.istioCaKey, settings.istioCaRootCert, settings.istioCaCertChain];
    const [cert, key, rootCert, certChain] = ca;
    const mesh = new IstioPrimary(
        meshResourceName,
        {
            clusterName: settings.clusterName,
            network: settings.network,
            meshId: settings.meshId,
            chart: { repository: settings.istioChartRepository, version: settings.istioVersion },
            istiod: {
                replicas: settings.istiodReplicas,
                pdbMinAvailable: settings.istiodPdbMinAvailable,
                resources: {
                    requests: { cpu: settings.istiodCpuRequest, memory: settings.istiodMemoryRequest },
                    limits: { cpu: settings.istiodCpuLimit, memory: settings.istiodMemoryLimit },
                },
                customHosts: settings.istiodCustomHosts,
            },
            eastWest: eastWestOf(settings),
            mtlsMode: settings.meshMtlsMode,
            ...(cert && key && rootCert && certChain ? { pluginCa: { cert, key, rootCert, certChain } } : {}),
            monitoring: settings.monitoringEnabled,
            disposable: settings.clusterDisposable,
            ...(gatewayApiCrds ? { istiodDependsOn: [gatewayApiCrds] } : {}),
        },
        { ...opts, aliases: [{ name: legacyMeshName(settings.clusterName) }] },
    );
    const remoteSecrets = remotes.deployed.map((remote) => {
        const clusterName = remote.plain<string>("clusterName");
        return new RemoteClusterSecret(
            remoteSecretResourceName(remote.name),
            {
                clusterName,
                namespace: mesh.namespace.metadata.name,
                server: remote.secret<string>("apiServer"),
                caData: remote.secret<string>("apiServerCaData"),
                token: remote.secret<string>("readerToken"),
            },
            { ...opts, aliases: [{ name: legacyRemoteSecretName(settings.clusterName, clusterName) }] },
        );
    });
    const outputs = {
        discoveryAddress: mesh.discoveryAddress,
        istioVersion: settings.istioVersion,
        caRootCert: mesh.caRootCert,
        caMode: ca.every((v) => v !== undefined) ? "plug-in" : "self-signed",
        remoteSecrets: remoteSecrets.map((s) => s.secret.metadata.name),
    };
    return { outputs, istiod: mesh.istiod };
}

/** The east-west gateway's settings, the same on every cluster. */
export function eastWestOf(settings: Settings): IstioPrimaryArgs["eastWest"] {
    return {
        minReplicas: settings.eastWestGatewayReplicas,
        maxReplicas: settings.eastWestGatewayMaxReplicas,
        serviceAnnotations: settings.eastWestGatewayServiceAnnotations,
        externalTrafficPolicy: settings.eastWestGatewayExternalTrafficPolicy,
        sourceRanges: settings.eastWestGatewaySourceRanges,
    };
}

/** The remote stacks of `remoteStacks`: those deployed, and those still pending. */
export interface RemoteStacks {
    readonly deployed: readonly ReferencedStack[];
    readonly pending: readonly string[];
}

/**
 * Reads every listed remote stack. A remote that has not been deployed yet is skipped
 * with a warning (the rollout is primary, remote, primary again); remotes that clash
 * with the primary or with each other are configuration errors.
 */
export async function readRemotes(settings: Settings): Promise<RemoteStacks> {
    const deployed: ReferencedStack[] = [];
    const pending: string[] = [];
    for (const name of settings.remoteStacks) {
        const remote = await readStack(name, name, remoteOutputsForPrimary);
        if (remote.missing.length === remoteOutputsForPrimary.length) {
            pending.push(name);
            void pulumi.log.warn(
                `Remote stack '${name}' has not been deployed yet, so its remote-cluster secret is pending. ` +
                    `Deploy it (pulumi up -s ${name}), then run pulumi up on this primary again.`,
            );
        } else if (remote.missing.length > 0) {
            throw new pulumi.RunError(
                `Remote stack '${name}' does not export ${remote.missing.join(", ")}: it was deployed by an older version of this program. Run pulumi up -s ${name} first.`,
            );
        } else {
            const plainCredentials = remoteSecretOutputs.filter((o) => !remote.isSecret(o));
            if (plainCredentials.length > 0) {
                void pulumi.log.warn(
                    `Remote stack '${name}' exports ${plainCredentials.join(", ")} in plain text; they are credentials. Run pulumi up -s ${name} with this program, which exports them as secrets.`,
                );
            }
            deployed.push(remote);
        }
    }
    const problems: Problem[] = [];
    const byCluster = new Map<string, string>();
    settings.remoteStacks.forEach((name, i) => {
        const remote = deployed.find((r) => r.name === name);
        if (remote === undefined) return;
        const cluster = remote.plain<string>("clusterName");
        const network = remote.plain<string>("network");
        const key = `remoteStacks[${i}]`;
        if (cluster === settings.clusterName) {
            problems.push(invalid(key, name, `expected a remote whose clusterName differs from the primary's ('${cluster}')`));
        } else if (byCluster.has(cluster)) {
            problems.push(invalid(key, name, `expected a unique clusterName; '${cluster}' is also the cluster of ${byCluster.get(cluster) ?? ""}`));
        }
        if (network === settings.network) {
            problems.push(invalid(key, name, `expected a remote on another network than the primary's ('${network}')`));
        }
        byCluster.set(cluster, name);
    });
    if (problems.length > 0) throw new ConfigError(problems, pulumi.getStack());
    return { deployed, pending };
}
