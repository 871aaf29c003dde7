import type {
    V1Deployment,
    V1EndpointSlice,
    V1MutatingWebhookConfiguration,
    V1Node,
    V1Pod,
    V1PodDisruptionBudget,
    V1Secret,
    V1Service,
    V1Toleration,
    V1ValidatingWebhookConfiguration,
} from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { condition, describeCondition, guarded, listed, loadBalancerAddresses, notRun, result, whyNotRun, type CheckContext, type CheckHead } from "./checks";
import type { MeshExpectation } from "./expectation";
import type { Check } from "./report";

/**
 * The mesh checks: istiod's availability on the primary (pods, nodes, zones, disruption
 * budget, rollout), the east-west gateway and its address, each remote's secret and its
 * sync state in istiod (`/debug/clusterz`, as `istioctl remote-clusters` reads it), and on
 * a remote the webhooks pointed at the primary's istiod and the reader token.
 */

const zoneLabel = "topology.kubernetes.io/zone";
const hostnameKey = "kubernetes.io/hostname";

/** All mesh checks of the stack. */
export async function meshChecks(ctx: CheckContext): Promise<Check[]> {
    const mesh = ctx.expectation.mesh;
    const groups = await Promise.all([
        mesh.istiod ? istiodChecks(ctx, mesh, mesh.istiod) : Promise.resolve([]),
        eastWestChecks(ctx, mesh),
        ctx.expectation.role === "primary" ? remoteClusterChecks(ctx, mesh) : remoteSideChecks(ctx, mesh),
    ]);
    return groups.flat();
}

// ---- istiod on the primary ----

function isReady(pod: V1Pod): boolean {
    return pod.status?.phase === "Running" && condition(pod.status, "Ready")?.status === "True";
}

/** Why a pod is not Ready, from its containers' states and its Ready condition. */
function notReadyReason(pod: V1Pod): string {
    const waiting = (pod.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter((r): r is string => r !== undefined);
    if (waiting.length > 0) return waiting.join(", ");
    const ready = condition(pod.status, "Ready");
    return ready !== undefined ? describeCondition(ready, "Ready") : (pod.status?.phase ?? "unknown phase");
}

function tolerates(tolerations: readonly V1Toleration[], taint: { key: string; value?: string; effect: string }): boolean {
    return tolerations.some(
        (t) =>
            (t.key === undefined || t.key === "" ? t.operator === "Exists" : t.key === taint.key) &&
            (t.effect === undefined || t.effect === "" || t.effect === taint.effect) &&
            (t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "")),
    );
}

/** Nodes istiod's pods could run on: Ready, schedulable, matching its nodeSelector, every NoSchedule/NoExecute taint tolerated. */
export function eligibleNodes(nodes: readonly V1Node[], deployment: V1Deployment | undefined): V1Node[] {
    const podSpec = deployment?.spec?.template?.spec;
    const tolerations = podSpec?.tolerations ?? [];
    const selector = podSpec?.nodeSelector ?? {};
    return nodes.filter((n) => {
        if (n.spec?.unschedulable === true) return false;
        if (condition(n.status, "Ready")?.status !== "True") return false;
        if (Object.entries(selector).some(([k, v]) => n.metadata?.labels?.[k] !== v)) return false;
        return (n.spec?.taints ?? []).every((t) => t.effect === "PreferNoSchedule" || tolerates(tolerations, { key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
    });
}

/** `maxSurge`/`maxUnavailable` resolved against the replicas, as the Deployment controller does (surge rounds up, unavailable down). */
export function rolloutBudget(deployment: V1Deployment): { replicas: number; surge: number; unavailable: number; surgeText: string; unavailableText: string } {
    const replicas = deployment.spec?.replicas ?? 1;
    const rolling = deployment.spec?.strategy?.rollingUpdate;
    const resolve = (value: number | string | undefined, round: (x: number) => number): number => {
        const v = value ?? "25%";
        if (typeof v === "number") return v;
        const pct = /^(\d+)%$/.exec(v);
        return pct ? round((Number(pct[1]) * replicas) / 100) : Number(v);
    };
    const surge = resolve(rolling?.maxSurge, Math.ceil);
    const unavailable = resolve(rolling?.maxUnavailable, Math.floor);
    const text = (v: unknown, n: number): string => (typeof v === "string" && v.endsWith("%") ? `${n} (${v} of ${replicas})` : String(n));
    return { replicas, surge, unavailable, surgeText: text(rolling?.maxSurge ?? "25%", surge), unavailableText: text(rolling?.maxUnavailable ?? "25%", unavailable) };
}

function requiresOnePerNode(deployment: V1Deployment): boolean {
    const required = deployment.spec?.template?.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    return required.some((term) => term.topologyKey === hostnameKey);
}

async function istiodChecks(ctx: CheckContext, mesh: MeshExpectation, istiod: NonNullable<MeshExpectation["istiod"]>): Promise<Check[]> {
    const ns = mesh.namespace;
    const k = `${ctx.kubectl} -n ${ns}`;
    const replicas = istiod.replicas.value;
    const heads = {
        ready: { area: "mesh", id: "mesh.istiod-ready", title: "istiod pods Ready", expected: `${replicas} of ${replicas} pods Ready (label ${istiod.podSelector})`, source: istiod.replicas.source, case: "istiod-unreachable" },
        nodes: { area: "mesh", id: "mesh.istiod-nodes", title: "one istiod pod per node", expected: "each istiod pod on its own node (required anti-affinity on kubernetes.io/hostname)", source: `${istiod.source} (affinity from the stack's istiod values)` },
        zones: { area: "mesh", id: "mesh.istiod-zones", title: "istiod spread over zones", expected: "istiod pods in as many zones as the schedulable nodes offer, up to the replicas (preferred anti-affinity on topology.kubernetes.io/zone)", source: istiod.source },
        pdb: { area: "mesh", id: "mesh.istiod-pdb", title: "istiod PodDisruptionBudget allows a disruption", expected: `PodDisruptionBudget ${istiod.podDisruptionBudget} with at least 1 disruption allowed`, source: `${istiod.source} (pdb.minAvailable from setting istiodPdbMinAvailable)` },
        rollout: { area: "mesh", id: "mesh.istiod-rollout", title: "istiod rollout can progress", expected: "maxUnavailable of at least 1, or a schedulable node without an istiod pod for the surge pod", source: `the istiod chart's rollingMaxSurge/rollingMaxUnavailable (Deployment ${istiod.deployment})` },
    } satisfies Record<string, CheckHead>;

    let pods: V1Pod[];
    let deployment: V1Deployment | undefined;
    try {
        [pods, deployment] = await Promise.all([ctx.cluster.list<V1Pod>("v1", "Pod", { namespace: ns, labelSelector: istiod.podSelector }), ctx.cluster.get<V1Deployment>("apps/v1", "Deployment", istiod.deployment, ns)]);
    } catch (e) {
        return Object.values(heads).map((h) => notRun(h, whyNotRun(e)));
    }
    const nodesPromise = ctx.cluster.list<V1Node>("v1", "Node");
    const checks: Check[] = [];

    // Ready
    const ready = pods.filter(isReady);
    const unready = pods.filter((p) => !isReady(p));
    const readySeen = `${ready.length} of ${pods.length} pods Ready${unready.length > 0 ? `; not Ready: ${unready.map((p) => `${p.metadata?.name ?? "?"} (${notReadyReason(p)})`).join(", ")}` : ""}`;
    checks.push(
        ready.length >= replicas && unready.length === 0
            ? result(heads.ready, "ok", readySeen)
            : result(heads.ready, "fail", deployment === undefined ? `no Deployment ${istiod.deployment} in ${ns}; ${readySeen}` : readySeen, {
                  next: unready[0] !== undefined ? `${k} describe pod ${unready[0].metadata?.name ?? ""}` : `${k} describe deployment ${istiod.deployment}`,
                  // Degraded but still answering: not the "istiod not reachable" case.
                  ...(ready.length > 0 ? { case: null } : {}),
              }),
    );

    // One per node
    const byNode = new Map<string, string[]>();
    for (const p of pods) {
        const node = p.spec?.nodeName;
        if (node !== undefined && node !== "") byNode.set(node, [...(byNode.get(node) ?? []), p.metadata?.name ?? "?"]);
    }
    const shared = [...byNode.entries()].filter(([, names]) => names.length > 1);
    checks.push(
        shared.length === 0
            ? result(heads.nodes, "ok", `${byNode.size} pods on ${byNode.size} nodes (${[...byNode.keys()].join(", ")})`)
            : result(heads.nodes, "fail", shared.map(([node, names]) => `${listed(names)} on node ${node}`).join("; "), {
                  next: `${k} get pods -l ${istiod.podSelector} -o wide; ${k} get deployment ${istiod.deployment} -o jsonpath='{.spec.template.spec.affinity}'`,
              }),
    );

    // PDB
    checks.push(
        ...(await guarded(heads.pdb, async () => {
            const pdb = await ctx.cluster.get<V1PodDisruptionBudget>("policy/v1", "PodDisruptionBudget", istiod.podDisruptionBudget, ns);
            const next = `${k} get pdb ${istiod.podDisruptionBudget}`;
            if (pdb === undefined) return result(heads.pdb, "fail", `no PodDisruptionBudget ${istiod.podDisruptionBudget} in ${ns}`, { next });
            const allowed = pdb.status?.disruptionsAllowed ?? 0;
            const rule = pdb.spec?.minAvailable !== undefined ? `minAvailable ${String(pdb.spec.minAvailable)}` : `maxUnavailable ${String(pdb.spec?.maxUnavailable)}`;
            const seen = `${allowed} disruption(s) allowed (${rule}, ${pdb.status?.currentHealthy ?? 0} healthy of ${pdb.status?.expectedPods ?? 0})`;
            return allowed >= 1 ? result(heads.pdb, "ok", seen) : result(heads.pdb, "fail", `${seen}: a node drain would wait for istiod forever`, { next });
        })),
    );

    // Zones and rollout need the nodes.
    checks.push(
        ...(await guarded([heads.zones, heads.rollout], async () => {
            const nodes = await nodesPromise;
            const eligible = eligibleNodes(nodes, deployment);
            const zoneOf = new Map(nodes.map((n) => [n.metadata?.name ?? "", n.metadata?.labels?.[zoneLabel]]));
            const zones = new Set(eligible.map((n) => n.metadata?.labels?.[zoneLabel]).filter((z): z is string => z !== undefined));
            const podZones = new Set(pods.map((p) => zoneOf.get(p.spec?.nodeName ?? "")).filter((z): z is string => z !== undefined));
            const achievable = Math.min(replicas, zones.size);
            const zoneCheck =
                zones.size === 0
                    ? result(heads.zones, "warn", `no schedulable node carries the label ${zoneLabel}; the spread over zones cannot be judged`, { next: `${ctx.kubectl} get nodes -L ${zoneLabel}` })
                    : podZones.size >= achievable
                      ? result(heads.zones, "ok", `pods in ${podZones.size} zone(s) (${[...podZones].sort().join(", ")}); schedulable nodes offer ${zones.size}`)
                      : result(heads.zones, "warn", `pods in ${podZones.size} zone(s) (${[...podZones].sort().join(", ") || "none"}) where the schedulable nodes offer ${zones.size} (${[...zones].sort().join(", ")})`, {
                            next: `${k} get pods -l ${istiod.podSelector} -o wide; ${ctx.kubectl} get nodes -L ${zoneLabel}`,
                        });
            if (deployment === undefined) return [zoneCheck, notRun(heads.rollout, `no Deployment ${istiod.deployment} in ${ns}`)];
            const budget = rolloutBudget(deployment);
            const occupied = new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => n !== undefined));
            const free = eligible.filter((n) => !occupied.has(n.metadata?.name ?? ""));
            const strategy = `maxSurge ${budget.surgeText}, maxUnavailable ${budget.unavailableText}`;
            let rollout: Check;
            if (deployment.spec?.strategy?.type === "Recreate") rollout = result(heads.rollout, "warn", "strategy Recreate: every istiod pod stops before the new ones start", { next: `${k} get deployment ${istiod.deployment} -o jsonpath='{.spec.strategy}'` });
            else if (budget.unavailable >= 1) rollout = result(heads.rollout, "ok", `${strategy}: the rollout replaces pods in place`);
            else if (!requiresOnePerNode(deployment)) rollout = result(heads.rollout, "ok", `${strategy}; no per-node anti-affinity holds the surge pods back`);
            else if (budget.surge >= 1 && free.length >= 1) rollout = result(heads.rollout, "ok", `${strategy}; ${free.length} schedulable node(s) without istiod (${free.map((n) => n.metadata?.name ?? "?").join(", ")}) take the surge pods`);
            else {
                rollout = result(
                    heads.rollout,
                    "fail",
                    `${strategy}, one pod per node required, and all ${eligible.length} schedulable node(s) already run istiod: a new pod can never be scheduled, so the next upgrade hangs`,
                    { next: `${ctx.kubectl} get nodes; add a node, or let the rollout take a pod down first (istiod chart value rollingMaxUnavailable: 1)` },
                );
            }
            return [zoneCheck, rollout];
        })),
    );
    return checks;
}

// ---- The east-west gateway ----

async function eastWestChecks(ctx: CheckContext, mesh: MeshExpectation): Promise<Check[]> {
    const ns = mesh.namespace;
    const k = `${ctx.kubectl} -n ${ns}`;
    const primary = ctx.expectation.role === "primary";
    const addressHead: CheckHead = {
        area: "mesh",
        id: "mesh.eastwest-address",
        title: "east-west gateway has a load balancer address",
        expected: `Service ${mesh.eastWest.service} with status.loadBalancer.ingress`,
        source: mesh.eastWest.source,
        ...(primary ? { case: "istiod-unreachable" as const } : {}),
    };
    const discoveryHead: CheckHead = {
        area: "mesh",
        id: "mesh.discovery-address",
        title: "east-west address is the primary's discoveryAddress",
        expected: mesh.discoveryAddress.known ? mesh.discoveryAddress.value : "the discoveryAddress output",
        source: mesh.discoveryAddress.known ? mesh.discoveryAddress.source : "the stack's outputs",
        case: "istiod-unreachable",
    };
    const readyHead: CheckHead = {
        area: "mesh",
        id: "mesh.eastwest-ready",
        title: "east-west gateway pods Ready",
        expected: `every replica of Deployment ${mesh.eastWest.deployment} Ready`,
        source: mesh.eastWest.source,
        ...(primary ? { case: "istiod-unreachable" as const } : {}),
    };
    const checks: Check[] = [];
    checks.push(
        ...(await guarded(primary ? [addressHead, discoveryHead] : [addressHead], async () => {
            const service = await ctx.cluster.get<V1Service>("v1", "Service", mesh.eastWest.service, ns);
            const addresses = loadBalancerAddresses(service?.status);
            const next = `${k} describe svc ${mesh.eastWest.service}; ${ctx.kubectl} -n kube-system logs deployment/aws-load-balancer-controller --tail=50`;
            const address = service === undefined
                ? result(addressHead, "fail", `no Service ${mesh.eastWest.service} in ${ns}`, { next: `pulumi up -s ${ctx.expectation.stack}` })
                : addresses.length === 0
                  ? result(addressHead, "fail", `Service ${mesh.eastWest.service} has no load balancer address`, { next })
                  : result(addressHead, "ok", addresses.join(", "));
            if (!primary) return [address];
            if (!mesh.discoveryAddress.known) return [address, notRun(discoveryHead, mesh.discoveryAddress.why)];
            if (addresses.length === 0) return [address, notRun(discoveryHead, "the east-west Service has no address to compare")];
            const same = addresses.includes(mesh.discoveryAddress.value);
            return [
                address,
                same
                    ? result(discoveryHead, "ok", addresses[0]!)
                    : result(discoveryHead, "fail", `${addresses.join(", ")}: the load balancer changed since the last pulumi up, and the remotes still point at ${mesh.discoveryAddress.value}`, {
                          next: `pulumi up -s ${ctx.expectation.stack}, then pulumi up on each remote stack`,
                      }),
            ];
        })),
    );
    checks.push(
        ...(await guarded(readyHead, async () => {
            const deployment = await ctx.cluster.get<V1Deployment>("apps/v1", "Deployment", mesh.eastWest.deployment, ns);
            const next = `${k} get pods -l istio=eastwestgateway; ${k} describe deployment ${mesh.eastWest.deployment}`;
            if (deployment === undefined) return result(readyHead, "fail", `no Deployment ${mesh.eastWest.deployment} in ${ns}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
            const want = deployment.spec?.replicas ?? 1;
            const readyCount = deployment.status?.readyReplicas ?? 0;
            const seen = `${readyCount} of ${want} replicas Ready`;
            if (readyCount >= want && want > 0) return result(readyHead, "ok", seen);
            if (readyCount > 0) return result(readyHead, "warn", seen, { next, case: null });
            const hint = primary ? "" : ": a remote's gateway proxies start only once the primary's istiod reads this cluster (its remote secret on the primary)";
            return result(readyHead, "fail", `${seen}${hint}`, { next });
        })),
    );
    return checks;
}

// ---- Remotes, seen from the primary ----

interface ClusterStatus {
    readonly id: string;
    readonly secretName?: string;
    readonly syncStatus: string;
}

async function remoteClusterChecks(ctx: CheckContext, mesh: MeshExpectation): Promise<Check[]> {
    const ns = mesh.namespace;
    const k = `${ctx.kubectl} -n ${ns}`;
    const checks: Check[] = [];
    // istiod's view of its clusters, once per pod, as `istioctl remote-clusters` asks it.
    const clusterz = mesh.remotes.some((r) => r.state === "deployed") ? readClusterz(ctx, ns, mesh.istiod?.podSelector ?? "app=istiod") : undefined;
    for (const remote of mesh.remotes) {
        const secretHead: CheckHead = {
            area: "mesh",
            id: "mesh.remote-secret",
            subject: remote.clusterName ?? remote.stack,
            title: "remote-cluster secret",
            expected:
                remote.state === "deployed"
                    ? `Secret ${remote.secretName ?? "?"} labelled istio/multiCluster=true, annotated networking.istio.io/cluster=${remote.clusterName ?? "?"}, with the kubeconfig under key ${remote.clusterName ?? "?"}`
                    : `the remote stack ${remote.stack} deployed, then its secret written by pulumi up on this stack`,
            source: `${remote.source} (remoteStacks)`,
            case: "istiod-unreachable",
        };
        if (remote.state === "pending" || remote.clusterName === undefined || remote.secretName === undefined) {
            checks.push(result(secretHead, "warn", `remote stack ${remote.stack} is not deployed yet: its secret is pending`, { next: `pulumi up -s ${remote.stack}, then pulumi up -s ${ctx.expectation.stack}` }));
            continue;
        }
        const cluster = remote.clusterName;
        const secretName = remote.secretName;
        checks.push(
            ...(await guarded(secretHead, async () => {
                const secret = await ctx.cluster.get<V1Secret>("v1", "Secret", secretName, ns);
                const next = `${k} get secret -l istio/multiCluster=true; pulumi up -s ${ctx.expectation.stack}`;
                if (secret === undefined) return result(secretHead, "fail", `no Secret ${secretName} in ${ns}: istiod cannot read ${cluster}`, { next });
                const problems: string[] = [];
                const label = secret.metadata?.labels?.["istio/multiCluster"];
                if (label !== "true") problems.push(`label istio/multiCluster is ${label === undefined ? "missing" : `'${label}'`}`);
                const annotation = secret.metadata?.annotations?.["networking.istio.io/cluster"];
                if (annotation !== cluster) problems.push(`annotation networking.istio.io/cluster is ${annotation === undefined ? "missing" : `'${annotation}'`}`);
                if (secret.data?.[cluster] === undefined || secret.data[cluster] === "") problems.push(`no key ${cluster} in its data (keys: ${Object.keys(secret.data ?? {}).join(", ") || "none"})`);
                return problems.length === 0
                    ? result(secretHead, "ok", `Secret ${secretName}, labelled and annotated for ${cluster}`)
                    : result(secretHead, "fail", `Secret ${secretName}: ${problems.join("; ")}`, { next: `${k} get secret ${secretName} -o yaml; pulumi up -s ${ctx.expectation.stack}` });
            })),
        );
        const syncHead: CheckHead = {
            area: "mesh",
            id: "mesh.remote-synced",
            subject: cluster,
            title: "istiod reports the remote cluster synced",
            expected: `${cluster} synced in every istiod's /debug/clusterz (istioctl remote-clusters)`,
            source: `${remote.source}; istiod's debug endpoint through a port-forward`,
            case: "istiod-unreachable",
        };
        checks.push(
            ...(await guarded(syncHead, async () => {
                const views = await clusterz!;
                if (views.length === 0) return notRun(syncHead, `no running istiod pod (label ${mesh.istiod?.podSelector ?? "app=istiod"}) in ${ns} to ask`);
                const states = views.map((v) => ({ pod: v.pod, status: v.clusters.find((c) => c.id === cluster)?.syncStatus ?? "not listed" }));
                const seen = states.map((s) => `${s.pod}: ${s.status}`).join(", ");
                const next = `istioctl --context ${ctx.context} remote-clusters; ${k} logs -l app=istiod -c discovery --tail=200 --prefix | grep -i -E '${cluster}|remote cluster'`;
                if (states.every((s) => s.status === "synced")) return result(syncHead, "ok", seen);
                if (states.every((s) => s.status === "synced" || s.status === "syncing")) return result(syncHead, "warn", `${seen} (still syncing: run the doctor again in a minute)`, { next, case: null });
                return result(syncHead, "fail", seen, { next });
            })),
        );
    }
    return checks;
}

/** Each running istiod pod's `/debug/clusterz`, through a port-forward to its monitoring port. */
async function readClusterz(ctx: CheckContext, namespace: string, selector: string): Promise<{ pod: string; clusters: ClusterStatus[] }[]> {
    const pods = await ctx.cluster.list<V1Pod>("v1", "Pod", { namespace, labelSelector: selector, fieldSelector: "status.phase=Running" });
    return Promise.all(
        pods.map(async (pod) => {
            const name = pod.metadata?.name ?? "";
            // istioctl: FindIstiodMonitoringPort, the prometheus.io/port annotation or 15014.
            const port = Number(pod.metadata?.annotations?.["prometheus.io/port"] ?? "15014") || 15014;
            const answer = await ctx.cluster.portForwardGet(namespace, name, port, "/debug/clusterz");
            if (answer.status !== 200) return { pod: name, clusters: [{ id: "", syncStatus: `HTTP ${answer.status} from /debug/clusterz` }] };
            try {
                return { pod: name, clusters: JSON.parse(answer.body) as ClusterStatus[] };
            } catch {
                return { pod: name, clusters: [] };
            }
        }),
    );
}

// ---- A remote's own side ----

interface WebhookClientConfig {
    readonly url?: string;
    readonly caBundle?: string;
    readonly service?: { readonly name: string; readonly namespace: string };
}

async function remoteSideChecks(ctx: CheckContext, mesh: MeshExpectation): Promise<Check[]> {
    const remote = mesh.remote!;
    const ns = mesh.namespace;
    const discovery = mesh.discoveryAddress;
    const configs = [
        ...remote.mutatingWebhooks.map((name) => ({ kind: "MutatingWebhookConfiguration", name, short: "mutatingwebhookconfiguration" })),
        ...remote.validatingWebhooks.map((name) => ({ kind: "ValidatingWebhookConfiguration", name, short: "validatingwebhookconfiguration" })),
    ];
    const addressHead: CheckHead = {
        area: "mesh",
        id: "mesh.webhooks-address",
        title: "webhooks point at the primary's discovery address",
        expected: `${listed(configs.map((c) => c.name))} calling ${discovery.known ? discovery.value : "the primary's discoveryAddress"} (${remote.injectionMode === "url" ? "URL on port 15017" : `Service ${remote.istiodService}`})`,
        source: discovery.known ? `${discovery.source}; ${remote.source}` : remote.source,
        case: "istiod-unreachable",
    };
    const caHead: CheckHead = {
        area: "mesh",
        id: "mesh.webhooks-cabundle",
        title: "webhooks carry a caBundle",
        expected: "a caBundle on every webhook (the mesh root, patched by the primary's istiod on the injection webhook)",
        source: remote.source,
        case: "istiod-unreachable",
    };
    const tokenHead: CheckHead = {
        area: "mesh",
        id: "mesh.reader-token",
        title: "reader token secret",
        expected: `Secret ${remote.readerTokenSecret} of type kubernetes.io/service-account-token with a token (the primary's remote secret carries it)`,
        source: remote.source,
        case: "istiod-unreachable",
    };
    const checks: Check[] = [];
    checks.push(
        ...(await guarded([addressHead, caHead], async () => {
            const read = await Promise.all(
                configs.map(async (c) => {
                    const object = await ctx.cluster.get<V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration>("admissionregistration.k8s.io/v1", c.kind, c.name);
                    return { ...c, object };
                }),
            );
            const missing = read.filter((r) => r.object === undefined).map((r) => `${r.kind} ${r.name}`);
            const targets: { config: string; webhook: string; address: string; caBundle: boolean; failurePolicy: string; kind: string }[] = [];
            for (const r of read) {
                for (const w of r.object?.webhooks ?? []) {
                    const cc = w.clientConfig as WebhookClientConfig;
                    const address = cc.url !== undefined ? hostOf(cc.url) : cc.service !== undefined ? await serviceAddress(ctx, cc.service.namespace, cc.service.name) : "(no target)";
                    targets.push({ config: r.name, webhook: w.name, address, caBundle: cc.caBundle !== undefined && cc.caBundle !== "", failurePolicy: w.failurePolicy ?? "Fail", kind: r.short });
                }
            }
            const firstMutating = configs.find((c) => c.kind === "MutatingWebhookConfiguration");
            const next = firstMutating ? `${ctx.kubectl} get ${firstMutating.short} ${firstMutating.name} -o jsonpath='{.webhooks[*].clientConfig.url}'` : `${ctx.kubectl} get mutatingwebhookconfigurations`;
            const addresses = [...new Set(targets.map((t) => t.address))];
            let addressCheck: Check;
            if (missing.length > 0) addressCheck = result(addressHead, "fail", `missing: ${missing.join(", ")}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
            else if (!discovery.known) addressCheck = notRun(addressHead, `${discovery.why}; the webhooks call ${addresses.join(", ")}`);
            else {
                const wrong = targets.filter((t) => t.address !== discovery.value);
                addressCheck =
                    wrong.length === 0
                        ? result(addressHead, "ok", `${targets.length} webhooks call ${discovery.value}`)
                        : result(addressHead, "fail", `${wrong.map((t) => `${t.config}/${t.webhook} calls ${t.address}`).join("; ")}`, {
                              next: `${next}; pulumi up -s ${ctx.expectation.stack} (the primary's load balancer changed)`,
                          });
            }
            const withoutCa = targets.filter((t) => !t.caBundle);
            const failing = withoutCa.filter((t) => t.failurePolicy !== "Ignore");
            const failOpen = withoutCa.filter((t) => t.failurePolicy === "Ignore");
            let caCheck: Check;
            if (targets.length === 0) caCheck = result(caHead, "fail", `no webhooks found (${missing.join(", ") || "empty configurations"})`, { next: `pulumi up -s ${ctx.expectation.stack}` });
            else if (failing.length > 0) {
                caCheck = result(caHead, "fail", `no caBundle on ${failing.map((t) => `${t.config}/${t.webhook}`).join(", ")}: the API server cannot verify istiod's certificate`, {
                    next: `${next}; istioctl --context ${ctx.context} remote-clusters (the primary's istiod patches the injection webhook once it reads this cluster)`,
                });
            } else if (failOpen.length > 0) {
                caCheck = result(caHead, "warn", `no caBundle on ${failOpen.map((t) => `${t.config}/${t.webhook}`).join(", ")} (failurePolicy Ignore): Istio config validation fails open on this cluster`, {
                    next: `${ctx.kubectl} get validatingwebhookconfiguration ${failOpen[0]!.config} -o yaml; set the base and istiod charts' base.validationCABundle to the mesh root`,
                    case: null,
                });
            } else caCheck = result(caHead, "ok", `${targets.length} webhooks, each with a caBundle`);
            return [addressCheck, caCheck];
        })),
    );
    checks.push(
        ...(await guarded(tokenHead, async () => {
            const secret = await ctx.cluster.get<V1Secret>("v1", "Secret", remote.readerTokenSecret, ns);
            const next = `${ctx.kubectl} -n ${ns} get secret ${remote.readerTokenSecret}; pulumi up -s ${ctx.expectation.stack}`;
            if (secret === undefined) return result(tokenHead, "fail", `no Secret ${remote.readerTokenSecret} in ${ns}`, { next });
            if (secret.type !== "kubernetes.io/service-account-token") return result(tokenHead, "fail", `Secret ${remote.readerTokenSecret} has type ${secret.type ?? "(none)"}`, { next });
            if (secret.data?.["token"] === undefined || secret.data["token"] === "") return result(tokenHead, "fail", `Secret ${remote.readerTokenSecret} holds no token yet (is the token controller running?)`, { next });
            return result(tokenHead, "ok", `Secret ${remote.readerTokenSecret} holds a token`);
        })),
    );
    return checks;
}

function hostOf(url: string): string {
    try {
        return new URL(url).hostname;
    } catch {
        return url;
    }
}

/** Where a webhook's Service leads: an ExternalName's name, or its EndpointSlices' addresses. */
async function serviceAddress(ctx: CheckContext, namespace: string, name: string): Promise<string> {
    const service = await ctx.cluster.get<V1Service>("v1", "Service", name, namespace);
    if (service === undefined) return `(no Service ${namespace}/${name})`;
    if (service.spec?.type === "ExternalName") return service.spec.externalName ?? "(no externalName)";
    const slices = await ctx.cluster.list<V1EndpointSlice>("discovery.k8s.io/v1", "EndpointSlice", { namespace, labelSelector: `kubernetes.io/service-name=${name}` });
    const addresses = slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses));
    return addresses.join(",") || `(Service ${namespace}/${name} has no endpoints)`;
}
