import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { chartName, isRemoteIstiod, istiodDeployment, istiodPdbEnabled, releaseType, stringMap, valuesOf, type IstiodDeployment } from "./charts";
import { arrayAt, at, forTypes, isRecord, listed, numberOf, objectName, objectNamespace, stringAt, type Json } from "./helpers";
import { parseKubeconfig, remoteKubeconfigProblems, secretEntries } from "./kubeconfig";
import { selectorOf, selects } from "./selectors";

/**
 * Mesh rules: istiod in HA on the primary, the east-west gateway's two Gateways, the
 * remote-cluster secrets Istio reads, and one cluster identity across values and secrets.
 * Facts: istio.io "Install Primary-Remote on different networks", istio/istio
 * `manifests/charts/istio-control/istio-discovery`, `samples/multicluster/expose-*.yaml`,
 * `istioctl/pkg/multicluster/remote_secret.go`.
 */

/** Istio's Gateway and VirtualService, at every API version the CRDs serve. */
const istioVersions = ["v1", "v1beta1", "v1alpha3"];
export const gatewayTypes = istioVersions.map((v) => `kubernetes:networking.istio.io/${v}:Gateway`);
export const virtualServiceTypes = istioVersions.map((v) => `kubernetes:networking.istio.io/${v}:VirtualService`);
const secretType = "kubernetes:core/v1:Secret";
const namespaceType = "kubernetes:core/v1:Namespace";

/** A `pdb.minAvailable`-style value (a count or a percentage) as a count of pods. */
function podCount(value: unknown, replicas: number, roundUp: boolean): number | undefined {
    if (typeof value === "string" && /^\d+%$/.test(value)) {
        const exact = (replicas * Number(value.slice(0, -1))) / 100;
        return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    return numberOf(value);
}

/** A number or string value as text; undefined when absent or empty. */
function scalar(value: unknown): string | undefined {
    return (typeof value === "number" || typeof value === "string") && String(value) !== "" ? String(value) : undefined;
}

/** True when a required anti-affinity term keeps istiod's pods apart. */
function spreadsIstiod(istiod: IstiodDeployment): boolean {
    return istiod.requiredAntiAffinity.some((term) => {
        const selector = selectorOf(term["labelSelector"]);
        const topologyKey = stringAt(term, "topologyKey");
        return selector !== undefined && (Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0) && selects(selector, istiod.podLabels) && !!topologyKey;
    });
}

/**
 * istiod on a primary runs in HA, as the article's diagram draws it: at least three
 * guaranteed replicas (`replicaCount` without autoscaling, else `autoscaleMin`), a
 * required pod anti-affinity so no two share a node, and the chart's PDB
 * (`pdb.minAvailable`, or `pdb.maxUnavailable`, which overrides it) keeping at least two
 * up while still allowing an eviction. Values are top level in the 1.24+ chart.
 * Upgrades must progress under that anti-affinity: the Deployment's `maxUnavailable`
 * (`rollingMaxUnavailable`, chart default 25%, rounded down as Kubernetes does) must be
 * at least one pod, or on a cluster of exactly as many nodes as replicas the new pods
 * stay Pending and no old pod is removed; and at most what the PDB allows to be down.
 * The Deployment, HPA and PDB are read from the release's render when it carries one
 * (`plan --render`), else predicted from its values.
 */
export const istiodHighAvailability: ResourceValidationPolicy = {
    name: "istiod-high-availability",
    description: "istiod on a primary has enough guaranteed replicas, required anti-affinity, a PDB that keeps a quorum yet allows evictions, and a rollout that progresses under that anti-affinity.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minReplicas: { type: "integer", minimum: 2, default: 3, description: "Fewest guaranteed istiod replicas." },
            minAvailable: { type: "integer", minimum: 1, default: 2, description: "Fewest istiod pods the PDB must keep during voluntary disruptions." },
        },
    },
    validateResource: forTypes([releaseType], (props, args, report) => {
        if (chartName(props) !== "istiod") return;
        const istiod = istiodDeployment(props);
        if (!istiod) return;
        const values = valuesOf(props);
        const config = args.getConfig<{ minReplicas: number; minAvailable: number }>();
        const { replicas, autoscaling } = istiod;
        const name = `Helm release '${args.name}' (chart istiod)`;
        if (replicas < config.minReplicas) {
            report(
                autoscaling
                    ? `${name} guarantees ${replicas} istiod replica(s) (autoscaleEnabled with autoscaleMin ${replicas}); set autoscaleMin to at least ${config.minReplicas} (or autoscaleEnabled: false with replicaCount ${config.minReplicas}).`
                    : `${name} runs ${replicas} istiod replica(s) (replicaCount ${replicas}, autoscaling off); set replicaCount to at least ${config.minReplicas}.`,
            );
        }
        if (istiod.maxReplicas !== undefined && istiod.maxReplicas < replicas) {
            report(`${name} sets autoscaleMax ${istiod.maxReplicas} below autoscaleMin ${replicas}; raise autoscaleMax to at least ${replicas}.`);
        }
        const spread = spreadsIstiod(istiod);
        if (!spread) {
            report(
                `${name} has no required pod anti-affinity for istiod; set affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution with a term selecting app: istiod on topologyKey kubernetes.io/hostname, so no two replicas share a node.`,
            );
        }
        // The Deployment's strategy (deployment.yaml: rollingMaxSurge, rollingMaxUnavailable), resolved
        // as Kubernetes does (deployment_util.go ResolveFenceposts): surge rounded up, unavailable
        // down, and unavailable 1 when both come to 0.
        const rolling = String(istiod.rollingMaxUnavailable);
        const surge = podCount(String(istiod.rollingMaxSurge), replicas, true) ?? 0;
        const unavailable = podCount(rolling, replicas, false) ?? 0;
        const down = surge === 0 && unavailable === 0 ? 1 : unavailable;
        if (spread && down < 1) {
            report(
                `${name} rolls istiod out with maxUnavailable ${down} of ${replicas} pods (rollingMaxUnavailable ${rolling}): under the required anti-affinity an upgrade on a cluster of exactly ${replicas} nodes can place no new pod and removes no old one, so it hangs; set rollingMaxUnavailable: 1 and rollingMaxSurge: 0.`,
            );
        }
        if (!istiodPdbEnabled(values)) {
            report(`${name} disables the chart's PodDisruptionBudget (global.defaultPodDisruptionBudget.enabled: false); enable it and set pdb.minAvailable to at least ${config.minAvailable}.`);
            return;
        }
        // With one guaranteed replica the chart (1.28+) renders no PDB: the replica finding says what to fix.
        if (istiod.pdb === undefined) return;
        // pdb.maxUnavailable, when set, replaces pdb.minAvailable in the chart's PDB. The disruption
        // controller rounds both up (disruption.go getExpectedPodCount), and a PDB with neither
        // (the chart's answer to pdb.maxUnavailable: 0) allows no eviction at all (updatePdbStatus).
        const maxUnavailable = scalar(istiod.pdb.maxUnavailable);
        const minAvailable = scalar(istiod.pdb.minAvailable);
        const kept =
            maxUnavailable !== undefined
                ? Math.max(0, replicas - (podCount(maxUnavailable, replicas, true) ?? 0))
                : minAvailable !== undefined
                  ? podCount(minAvailable, replicas, true)
                  : replicas;
        if (kept === undefined) return;
        const setting =
            maxUnavailable !== undefined
                ? `pdb.maxUnavailable ${maxUnavailable}`
                : minAvailable !== undefined
                  ? `pdb.minAvailable ${minAvailable}`
                  : "a PDB with neither minAvailable nor maxUnavailable, as the chart renders pdb.maxUnavailable: 0";
        if (kept < config.minAvailable) {
            const bound = config.minAvailable >= replicas ? ` and guarantee more than ${config.minAvailable} replicas` : ` (below the ${replicas} guaranteed replicas)`;
            report(`${name} keeps only ${kept} istiod pod(s) available during disruptions (${setting}); set pdb.minAvailable to at least ${config.minAvailable}${bound}.`);
        } else if (kept >= replicas) {
            report(`${name} keeps ${kept} of ${replicas} istiod pods available (${setting}), so no istiod pod can ever be evicted and node drains block; set pdb.minAvailable below ${replicas} (and raise the replicas).`);
        } else if (replicas - down < kept) {
            report(
                `${name} rolls istiod out with maxUnavailable ${down} of ${replicas} pods (rollingMaxUnavailable ${rolling}), leaving ${replicas - down} available during an upgrade where the PDB keeps ${kept} (${setting}); set rollingMaxUnavailable to at most ${replicas - kept}.`,
            );
        }
    }),
};

/**
 * The article's `pilot.*` keys (`pilot.replicaCount`, `pilot.env.EXTERNAL_ISTIOD`) are read
 * by no template of the 1.24+ istiod chart: they change nothing, silently.
 */
export const istioValuesNotIgnored: ResourceValidationPolicy = {
    name: "istio-values-not-ignored",
    description: "istiod releases set HA and environment values at the top level, not under pilot.* (ignored since the 1.24 chart).",
    enforcementLevel: "advisory",
    validateResource: forTypes([releaseType], (props, args, report) => {
        if (chartName(props) !== "istiod") return;
        const pilot = at(valuesOf(props), "pilot");
        if (!isRecord(pilot) || Object.keys(pilot).length === 0) return;
        // Keys are listed sorted: CrossGuard receives properties as a protobuf Struct, whose keys come sorted.
        const names = Object.keys(pilot).sort();
        const keys = names.map((k) => `pilot.${k}`);
        report(
            `Helm release '${args.name}' (chart istiod) sets ${listed(keys)}, which the istiod chart (1.24 and later) ignores; move them to the top level (${listed(names)}).`,
        );
    }),
};

/** The servers of a Gateway, with their port numbers. */
function servers(props: Json): Json[] {
    return arrayAt(props, "spec.servers").filter(isRecord);
}

/**
 * The cross-network Gateway on the east-west gateway's port 15443 uses `AUTO_PASSTHROUGH`
 * for hosts `*.local`: traffic from the other network keeps its mTLS end to end and is
 * routed by SNI. The article's `ISTIO_MUTUAL` terminates TLS at the gateway and breaks
 * cross-network calls (istio/istio `samples/multicluster/expose-services.yaml`).
 */
export const crossNetworkGatewayAutoPassthrough: ResourceValidationPolicy = {
    name: "cross-network-gateway-auto-passthrough",
    description: "A Gateway serving port 15443 uses tls.mode AUTO_PASSTHROUGH for hosts *.local only.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gatewayTypes, (props, args, report) => {
        for (const server of servers(props).filter((s) => numberOf(at(s, "port.number")) === 15443)) {
            const mode = stringAt(server, "tls.mode");
            if (mode !== "AUTO_PASSTHROUGH") {
                report(
                    `Gateway '${objectName(props, args.name)}' serves port 15443 with tls.mode ${mode ?? "(none)"}; cross-network traffic needs tls.mode AUTO_PASSTHROUGH (ISTIO_MUTUAL terminates the mesh's mTLS at the gateway and breaks SNI routing to the other network).`,
                );
            }
            const hosts = arrayAt(server, "hosts").filter((h): h is string => typeof h === "string");
            const outside = hosts.filter((h) => !/(^|\.)local$/.test(h.replace(/^[^/]*\//, "")));
            if (hosts.length === 0 || outside.length > 0) {
                report(`Gateway '${objectName(props, args.name)}' exposes ${hosts.length === 0 ? "no hosts" : listed(outside.map((h) => `'${h}'`))} on port 15443; limit the cross-network server to hosts "*.local" (mesh-internal services only).`);
            }
        }
    }),
};

/** istiod's ports on the east-west gateway, and the istiod Service port each must reach. */
const istiodPorts: ReadonlyArray<{ port: number; target: number; what: string }> = [
    { port: 15012, target: 15012, what: "xDS and CA (gRPC over TLS)" },
    { port: 15017, target: 443, what: "the sidecar injection and validation webhooks" },
];

/** True when a VirtualService in `vsNamespace` binds the Gateway `name` in `gwNamespace`. */
function binds(vs: Json, vsNamespace: string, name: string, gwNamespace: string): boolean {
    return arrayAt(vs, "spec.gateways").some((g) => g === `${gwNamespace}/${name}` || (g === name && vsNamespace === gwNamespace));
}

/** True when a destination host names istiod in `namespace`. */
function isIstiod(host: string | undefined, namespace: string): boolean {
    return host === `istiod.${namespace}.svc.cluster.local` || host === `istiod.${namespace}.svc` || host === `istiod.${namespace}`;
}

/**
 * istiod is exposed to remote clusters through the east-west gateway with `PASSTHROUGH`
 * on 15012 and 15017 (the remote's proxies and webhooks verify istiod's own certificate),
 * and a VirtualService routes each port's TLS to the istiod Service (15012 to 15012, 15017
 * to 443). The article's version has no TLS mode and routes 15012 as HTTP.
 * istio/istio `samples/multicluster/expose-istiod.yaml`.
 */
/** The configuration setting of policies that look for istiod's namespace. */
const istioNamespaceSchema = { type: "string", default: "istio-system", description: "The namespace istiod runs in." } as const;

export const istiodExposurePassthrough: StackValidationPolicy = {
    name: "istiod-exposure-passthrough",
    description: "Gateways exposing istiod on 15012/15017 use tls.mode PASSTHROUGH, and a VirtualService routes each port's TLS to the istiod Service.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            istioNamespace: istioNamespaceSchema,
        },
    },
    validateStack: (args, report) => {
        const { istioNamespace } = args.getConfig<{ istioNamespace: string }>();
        const vss = args.resources.filter((r) => virtualServiceTypes.includes(r.type));
        for (const gw of args.resources.filter((r) => gatewayTypes.includes(r.type))) {
            const props = gw.props as Json;
            const name = objectName(props, gw.name);
            const namespace = objectNamespace(props);
            for (const { port, target, what } of istiodPorts) {
                const server = servers(props).find((s) => numberOf(at(s, "port.number")) === port);
                if (!server) continue;
                const mode = stringAt(server, "tls.mode");
                if (mode !== "PASSTHROUGH") {
                    report(`Gateway '${name}' exposes istiod's port ${port} (${what}) with tls.mode ${mode ?? "(none)"}; set tls.mode PASSTHROUGH so remote clusters reach istiod's own TLS.`, gw.urn);
                }
                const bound = vss.filter((vs) => binds(vs.props as Json, objectNamespace(vs.props as Json), name, namespace));
                const routed = bound.some((vs) =>
                    arrayAt(vs.props, "spec.tls")
                        .filter(isRecord)
                        .some(
                            (route) =>
                                arrayAt(route, "match").some((m) => numberOf(at(m, "port")) === port) &&
                                arrayAt(route, "route").some((d) => isIstiod(stringAt(d, "destination.host"), istioNamespace) && numberOf(at(d, "destination.port.number")) === target),
                        ),
                );
                if (!routed) {
                    const http = bound.filter((vs) => arrayAt(vs.props, "spec.http").some((h) => arrayAt(h, "match").some((m) => numberOf(at(m, "port")) === port)));
                    report(
                        `Gateway '${name}' exposes port ${port} but no VirtualService bound to it routes TLS on port ${port} to istiod.${istioNamespace}.svc.cluster.local port ${target}${http.length > 0 ? ` (${listed(http.map((v) => `'${objectName(v.props as Json, v.name)}'`))} routes it as HTTP)` : ""}; add a tls route matching port ${port} (sniHosts "*") to that destination.`,
                        gw.urn,
                    );
                }
            }
        }
    },
};

const multiClusterLabel = "istio/multiCluster";
const clusterAnnotation = "networking.istio.io/cluster";
const secretPrefix = "istio-remote-secret-";

/** True when a Secret is (or is meant to be) an Istio remote-cluster secret. */
function isRemoteSecret(props: Json): boolean {
    const labels = stringMap(at(props, "metadata.labels"));
    const annotations = stringMap(at(props, "metadata.annotations"));
    return multiClusterLabel in labels || "istio/cluster" in labels || clusterAnnotation in annotations || (stringAt(props, "metadata.name") ?? "").startsWith(secretPrefix);
}

/** The cluster a remote secret is for: its annotation, else its name's suffix, else its only data key. */
function remoteSecretCluster(props: Json, entries: Record<string, string | undefined>): string | undefined {
    const annotated = stringMap(at(props, "metadata.annotations"))[clusterAnnotation];
    if (annotated) return annotated;
    const name = stringAt(props, "metadata.name") ?? "";
    if (name.startsWith(secretPrefix)) return name.slice(secretPrefix.length);
    const keys = Object.keys(entries);
    return keys.length === 1 ? keys[0] : undefined;
}

/**
 * Remote-cluster secrets have exactly the shape `istioctl create-remote-secret` gives them,
 * which is what istiod's secret controller reads: name `istio-remote-secret-<cluster>` in
 * istiod's namespace, label `istio/multiCluster: "true"` (the article's `istio/cluster`
 * label is not read), annotation `networking.istio.io/cluster: <cluster>`, one data key
 * `<cluster>` holding a kubeconfig whose only cluster, context and user are `<cluster>`.
 */
export const remoteSecretShape: ResourceValidationPolicy = {
    name: "remote-secret-shape",
    description: "Istio remote-cluster secrets have the name, label, annotation, key and kubeconfig shape istiod reads.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            istioNamespace: { type: "string", default: "istio-system", description: "The namespace istiod runs in (where it reads remote secrets)." },
        },
    },
    validateResource: forTypes([secretType], (props, args, report) => {
        if (!isRemoteSecret(props)) return;
        const { istioNamespace } = args.getConfig<{ istioNamespace: string }>();
        const name = objectName(props, args.name);
        const { keysKnown, entries } = secretEntries(props);
        const cluster = remoteSecretCluster(props, entries);
        const problems: string[] = [];
        const labels = stringMap(at(props, "metadata.labels"));
        if (labels[multiClusterLabel] !== "true") {
            problems.push(`label ${multiClusterLabel} is ${JSON.stringify(labels[multiClusterLabel] ?? null)} (expected "true"${"istio/cluster" in labels ? "; the istio/cluster label is not read by Istio" : ""})`);
        }
        if (cluster === undefined) {
            problems.push(`it names no cluster (expected annotation ${clusterAnnotation}: <cluster>)`);
        } else {
            if (name !== `${secretPrefix}${cluster}`) problems.push(`its name is '${name}' (expected '${secretPrefix}${cluster}')`);
            const annotated = stringMap(at(props, "metadata.annotations"))[clusterAnnotation];
            if (annotated !== cluster) problems.push(`annotation ${clusterAnnotation} is ${JSON.stringify(annotated ?? null)} (expected '${cluster}')`);
            const keys = Object.keys(entries).sort();
            if (keysKnown && (keys.length !== 1 || keys[0] !== cluster)) {
                problems.push(`its data keys are ${keys.length === 0 ? "missing" : listed(keys.map((k) => `'${k}'`))} (expected exactly '${cluster}', which istiod reads as the cluster id)`);
            }
            // The kubeconfig is checked when it can be read: it is unknown while its inputs are, and encrypted in a state export without --show-secrets.
            const text = entries[cluster];
            if (text !== undefined) {
                const config = parseKubeconfig(text);
                if (!config) problems.push(`data['${cluster}'] is not a kubeconfig`);
                else problems.push(...remoteKubeconfigProblems(config, cluster).map((p) => `in data['${cluster}'] ${p}`));
            }
        }
        const namespace = objectNamespace(props);
        if (namespace !== istioNamespace) problems.push(`it is in namespace '${namespace}' (expected '${istioNamespace}', where istiod reads remote secrets)`);
        if (problems.length > 0) {
            report(`Secret '${name}' is not a remote-cluster secret Istio can read: ${problems.join("; ")}. Build it as istioctl create-remote-secret does.`);
        }
    }),
};

/** What a stack says about its own cluster: from istiod, gateway and namespace values. */
interface Identity {
    readonly source: string;
    readonly urn: string;
    readonly clusterName?: string | undefined;
    readonly network?: string | undefined;
}

/** An injection path or URL an istiod release sets, with the identity its values give. */
interface InjectionTarget {
    readonly source: string;
    readonly urn: string;
    readonly path: string;
    readonly cluster?: string | undefined;
    readonly network?: string | undefined;
}

/** A remote istiod release whose injection webhook names no cluster, and what it calls instead. */
interface UnnamedTarget extends Omit<InjectionTarget, "path"> {
    readonly what: string;
}

/**
 * The cluster and network an injection path (or an injection URL's path) gives the proxies
 * istiod injects, read as istiod 1.30.3 reads it (pkg/kube/inject/webhook.go
 * parseInjectEnvs): after the first segment (istiod serves `/inject` and `/inject/...`),
 * key/value segments in any order, `cluster` and `net` (or the environment variables they
 * stand for, by name in any case), `--slash--` meaning `/` in a value; or the deprecated
 * `:ENV:key=value` form. Undefined where istiod would not serve the path.
 */
export function injectionIdentity(target: string): { cluster?: string; network?: string } | undefined {
    // An injectionURL's path; an injectionPath (always starting with '/') is no URL.
    const parts = (URL.canParse(target) ? new URL(target).pathname : target).replace(/\/$/, "").split("/");
    if (parts[0] !== "" || parts[1] !== "inject") return undefined;
    const rest = parts.slice(2).join("/");
    // `:ENV:k=v` pairs (a pair without '=' or without a key is ignored), else k/v segments.
    const entries = rest.startsWith(":ENV:")
        ? rest.split(":ENV:").flatMap((pair) => (pair.indexOf("=") > 0 ? [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)] : []))
        : rest.split("/").map((v, i) => (i % 2 === 1 ? v.replaceAll("--slash--", "/") : v));
    const envs = new Map<string, string>();
    for (let i = 0; i + 1 < entries.length; i += 2) {
        const key = entries[i]!;
        envs.set(key === "cluster" ? "ISTIO_META_CLUSTER_ID" : key === "net" ? "ISTIO_META_NETWORK" : key.toUpperCase(), entries[i + 1]!);
    }
    const cluster = envs.get("ISTIO_META_CLUSTER_ID");
    const network = envs.get("ISTIO_META_NETWORK");
    return { ...(cluster !== undefined ? { cluster } : {}), ...(network !== undefined ? { network } : {}) };
}

/** True when an injection target gives proxies a cluster or a network of their own. */
function namesIdentity(target: string): boolean {
    const id = injectionIdentity(target);
    return id !== undefined && (id.cluster !== undefined || id.network !== undefined);
}

/**
 * What a remote's sidecar-injection webhook calls, when that names no cluster:
 * the istiod chart (templates/mutatingwebhook.yaml, 1.30.3) calls `istiodRemote.injectionURL`
 * when it is set (non-empty), else the `istiod` Service at `istiodRemote.injectionPath`,
 * whose default (values.yaml) is `/inject`. istiod reads the cluster and network only from
 * that path ({@link injectionIdentity}); without them inject.go extractClusterAndNetwork
 * takes its own values', so the primary's istiod gives the remote's pods the primary's
 * cluster name and network.
 */
function unnamedRemoteTarget(values: Json): string | undefined {
    if (!isRemoteIstiod(values)) return undefined;
    const url = stringAt(values, "istiodRemote.injectionURL");
    if (url) return namesIdentity(url) ? undefined : `calls istiodRemote.injectionURL '${url}'`;
    const path = stringAt(values, "istiodRemote.injectionPath");
    if (path === undefined) return "keeps the chart's default path '/inject' (no istiodRemote.injectionPath or injectionURL)";
    return namesIdentity(path) ? undefined : `calls the istiod Service at istiodRemote.injectionPath '${path}'`;
}

function identities(resources: readonly PolicyResource[], istioNamespace: string): { istiod: Identity[]; gateways: Identity[]; namespaces: Identity[]; secrets: { cluster: string; name: string; urn: string }[]; remotePaths: InjectionTarget[]; unnamed: UnnamedTarget[] } {
    const istiod: Identity[] = [];
    const gateways: Identity[] = [];
    const namespaces: Identity[] = [];
    const secrets: { cluster: string; name: string; urn: string }[] = [];
    const remotePaths: InjectionTarget[] = [];
    const unnamed: UnnamedTarget[] = [];
    for (const r of resources) {
        const props = r.props as Json;
        if (r.type === releaseType && chartName(props) === "istiod") {
            const values = valuesOf(props);
            const id = { source: `Helm release '${r.name}' (chart istiod)`, urn: r.urn, clusterName: stringAt(values, "global.multiCluster.clusterName"), network: stringAt(values, "global.network") };
            istiod.push(id);
            for (const key of ["istiodRemote.injectionPath", "istiodRemote.injectionURL"]) {
                const path = stringAt(values, key);
                if (path && namesIdentity(path)) remotePaths.push({ source: `${id.source} ${key}`, urn: r.urn, path, cluster: id.clusterName, network: id.network });
            }
            const what = unnamedRemoteTarget(values);
            if (what) unnamed.push({ what, source: id.source, urn: r.urn, cluster: id.clusterName, network: id.network });
        } else if (r.type === releaseType && chartName(props) === "gateway") {
            const network = stringAt(valuesOf(props), "networkGateway");
            if (network) gateways.push({ source: `Helm release '${r.name}' (chart gateway) networkGateway`, urn: r.urn, network });
        } else if (r.type === namespaceType && objectName(props, r.name) === istioNamespace) {
            const network = stringMap(at(props, "metadata.labels"))["topology.istio.io/network"];
            if (network) namespaces.push({ source: `Namespace '${istioNamespace}' label topology.istio.io/network`, urn: r.urn, network });
        } else if (r.type === secretType && isRemoteSecret(props)) {
            const cluster = remoteSecretCluster(props, secretEntries(props).entries);
            if (cluster) secrets.push({ cluster, name: objectName(props, r.name), urn: r.urn });
        }
    }
    return { istiod, gateways, namespaces, secrets, remotePaths, unnamed };
}

/**
 * One cluster identity per stack, matching across values and secrets: istiod sets
 * `global.multiCluster.clusterName` (it must equal the name this cluster's remote secret
 * carries on the primary, istio/istio#42516) and `global.network`; the east-west gateway's
 * `networkGateway` and the istio-system namespace's `topology.istio.io/network` label name
 * that same network; a remote's injection path names its own cluster and network (also when
 * the release leaves it at the chart's default `/inject`, which names neither); the
 * primary's remote secrets name other clusters, each once.
 */
export const meshClusterNamesMatch: StackValidationPolicy = {
    name: "mesh-cluster-names-match",
    description: "Cluster names and networks agree across istiod values, the east-west gateway, the istio-system namespace, injection paths and remote secrets.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            istioNamespace: istioNamespaceSchema,
        },
    },
    validateStack: (args, report) => {
        const { istioNamespace } = args.getConfig<{ istioNamespace: string }>();
        const { istiod, gateways, namespaces, secrets, remotePaths, unnamed } = identities(args.resources, istioNamespace);
        for (const id of istiod) {
            if (!id.clusterName || id.clusterName === "Kubernetes") {
                report(`${id.source} does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).`, id.urn);
            }
            if (!id.network) report(`${id.source} does not set global.network; set it to this cluster's network (as labelled on ${istioNamespace}).`, id.urn);
        }
        const clusters = [...new Set(istiod.map((i) => i.clusterName).filter((c): c is string => !!c))];
        const networks = [...new Set(istiod.map((i) => i.network).filter((n): n is string => !!n))];
        if (clusters.length > 1) report(`The istiod releases of this stack name different clusters (${listed(clusters)}); one cluster has one name.`, istiod[0]!.urn);
        const network = networks.length === 1 ? networks[0] : undefined;
        const cluster = clusters.length === 1 ? clusters[0] : undefined;
        if (network !== undefined) {
            for (const other of [...gateways, ...namespaces]) {
                if (other.network !== network) report(`${other.source} is '${other.network ?? ""}' but istiod's global.network is '${network}'; use one network name.`, other.urn);
            }
        }
        for (const p of remotePaths) {
            const named = injectionIdentity(p.path)!;
            if (named.cluster === undefined || named.network === undefined) {
                report(`${p.source} is '${p.path}'; use /inject/cluster/${p.cluster ?? "<cluster>"}/net/${p.network ?? "<network>"} so injected proxies carry this cluster's identity.`, p.urn);
            } else if ((p.cluster && named.cluster !== p.cluster) || (p.network && named.network !== p.network)) {
                report(`${p.source} names cluster '${named.cluster}' and network '${named.network}' but istiod's values say '${p.cluster ?? ""}' and '${p.network ?? ""}'; use /inject/cluster/${p.cluster ?? ""}/net/${p.network ?? ""}.`, p.urn);
            }
        }
        for (const u of unnamed) {
            report(
                `${u.source} is a remote whose sidecar-injection webhook ${u.what}, which names no cluster or network: the primary's istiod then injects this cluster's pods with its own cluster name and network; set istiodRemote.injectionPath (or injectionURL) to /inject/cluster/${u.cluster ?? "<cluster>"}/net/${u.network ?? "<network>"}.`,
                u.urn,
            );
        }
        const seen = new Map<string, string>();
        for (const s of secrets) {
            if (cluster !== undefined && s.cluster === cluster) {
                report(`Secret '${s.name}' is a remote secret for '${s.cluster}', this stack's own cluster; remote secrets name the other clusters of the mesh.`, s.urn);
            }
            const previous = seen.get(s.cluster);
            if (previous !== undefined) report(`Secrets '${previous}' and '${s.name}' are both remote secrets for cluster '${s.cluster}'; keep one.`, s.urn);
            seen.set(s.cluster, s.name);
        }
    },
};
