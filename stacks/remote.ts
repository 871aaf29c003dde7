import * as pulumi from "@pulumi/pulumi";
import type { ClusterProviders } from "../components/providers";
import { ConfigError, invalid } from "../config/problems";
import type { Settings } from "../config/registry";
import type { Problem } from "../config/setting";
import { injectionMode } from "../components/mesh/charts";
import { IstioRemote } from "../components/mesh/istio-remote";
import { remoteClusterEndpoint } from "./cluster-endpoint";
import { primaryOutputsForRemotes } from "./contract";
import { legacyMeshName, meshResourceName } from "./names";
import { eastWestOf } from "./primary";
import { buildEdge, peerOf } from "./edge";
import { readStack, type ReferencedStack } from "./references";
import { remoteVersionSkew } from "./version-skew";

/**
 * A remote stack: Istio's remote profile on this cluster, controlled by the primary it
 * reads through a stack reference.
 */
export async function remoteStack(settings: Settings, providers: ClusterProviders): Promise<Record<string, unknown>> {
    const primary = await readPrimary(settings);

    // TLS, edge and DNS: this cluster's certificates, ingress and records (stacks/edge.ts).
    const edge = buildEdge(settings, providers, [peerOf(primary)]);

    return {
        role: settings.role,
        clusterName: settings.clusterName,
        network: settings.network,
        primaryClusterName: primary.plain<string>("clusterName"),
        meshId: primary.plain<string>("meshId"),
        ...meshOfRemote(settings, providers, primary),
        ...edge,
    };
}

// ---- Mesh (Istio): the remote profile, and what the primary needs for the remote secret ----

/** Creates the remote's part of the mesh; returns the outputs the primary reads. */
function meshOfRemote(settings: Settings, providers: ClusterProviders, primary: ReferencedStack): Record<string, unknown> {
    const discoveryAddress = primary.plain<string>("discoveryAddress");
    const remote = new IstioRemote(
        meshResourceName,
        {
            clusterName: settings.clusterName,
            network: settings.network,
            primaryClusterName: primary.plain<string>("clusterName"),
            discoveryAddress,
            injection: settings.istioRemoteInjection,
            injectionUrl: settings.istioInjectionUrl,
            caRootCert: primary.plain<string>("caRootCert"),
            chart: { repository: settings.istioChartRepository, version: settings.istioVersion },
            eastWest: eastWestOf(settings),
            readerTokenGeneration: settings.istioReaderTokenGeneration,
            disposable: settings.clusterDisposable,
        },
        { providers: { kubernetes: providers.kubernetes }, aliases: [{ name: legacyMeshName(settings.clusterName) }] },
    );
    const endpoint = remoteClusterEndpoint(settings);
    return {
        istioVersion: settings.istioVersion,
        injectionMode: injectionMode({ discoveryAddress, injection: settings.istioRemoteInjection, injectionUrl: settings.istioInjectionUrl }),
        eastWestAddress: remote.eastWest.address,
        apiServer: endpoint.server,
        apiServerCaData: endpoint.caData,
        readerToken: remote.readerToken,
    };
}

/**
 * Reads the primary stack. It must have been deployed first: without its outputs a
 * remote cannot know where istiod is, so this is an error that names the stack to deploy.
 */
export async function readPrimary(settings: Settings): Promise<ReferencedStack> {
    const name = settings.primaryStack;
    const primary = await readStack(name, name, primaryOutputsForRemotes);
    if (primary.missing.length === primaryOutputsForRemotes.length) {
        throw new pulumi.RunError(
            `The primary stack '${name}' has not been deployed yet. Deploy it first (pulumi up -s ${name}), then this remote, then the primary again.`,
        );
    }
    if (primary.missing.length > 0) {
        throw new pulumi.RunError(
            `The primary stack '${name}' does not export ${primary.missing.join(", ")}: it was deployed by an older version of this program. Run pulumi up -s ${name} first.`,
        );
    }
    const problems: Problem[] = [];
    const primaryCluster = primary.plain<string>("clusterName");
    const primaryNetwork = primary.plain<string>("network");
    if (primaryCluster === settings.clusterName) {
        problems.push(invalid("clusterName", settings.clusterName, `expected a name other than the primary's ('${primaryCluster}' in ${name})`));
    }
    const skew = remoteVersionSkew(primary.plain<string>("istioVersion"), settings.istioVersion, name);
    if (skew.kind === "too-far" || (skew.kind === "ahead" && !pulumi.runtime.isDryRun())) problems.push(invalid("istioVersion", settings.istioVersion, skew.expected));
    // A preview may run before the primary is upgraded (a pull request that upgrades the whole mesh).
    else if (skew.kind === "ahead") void pulumi.log.warn(`istioVersion = "${settings.istioVersion}": ${skew.expected}; \`pulumi up\` refuses it until then.`);
    else if (skew.kind === "behind") void pulumi.log.warn(skew.warning);
    if (primaryNetwork === settings.network) {
        problems.push(invalid("network", settings.network, `expected a network other than the primary's ('${primaryNetwork}' in ${name}); this program builds a multi-network mesh`));
    }
    if (problems.length > 0) throw new ConfigError(problems, pulumi.getStack());
    return primary;
}
