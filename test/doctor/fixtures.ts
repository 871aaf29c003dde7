import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { StackRender } from "../../offline/charts/render";
import { readSample } from "../../offline/samples";
import type { PlanDocument } from "../../offline/plan";
import { computedMark, secretMark } from "../../offline/values";
import { served, type ClusterDebugInfo, type KubeObject } from "./fake-cluster";
import type { FakeBackendState } from "./fake-pulumi";
import { RenderedStack } from "../support/render";

/**
 * What a healthy deployment of a stack looks like in its cluster, for the fake API
 * server: the program's own Kubernetes objects from the offline plan, the objects each
 * Helm release renders (the stack's render, offline/charts), and
 * the statuses controllers give them when all is well (pods Ready on distinct nodes,
 * load balancer addresses, Certificates issued, istiod synced with every remote).
 */

const day = 86400000;

/** The load balancer names and addresses of the fake landscape. */
export const landscape = {
    eastWest: (cluster: string): string => `${cluster}-eastwest.elb.test`,
    edge: (cluster: string): string => `${cluster}-edge.elb.test`,
    /** What the edge's load balancer name resolves to (TEST-NET-1). */
    edgeIp: (cluster: string): string => (cluster === "cluster1" ? "192.0.2.10" : "192.0.2.20"),
};

// ---- Chart-rendered objects ----

/**
 * Every object the stack's Helm releases render: the stack's own render (offline/charts,
 * Helm and the chart cache as `npm run render` uses them), which the doctor prepared from
 * the same plan, read through the render helpers of the specs. Copies: the fake cluster
 * gives them statuses.
 */
export function chartObjects(render: StackRender): KubeObject[] {
    return structuredClone(new RenderedStack(render).objects) as KubeObject[];
}

/** Values as the plan records them, with computed and secret placeholders made concrete. */
function concrete(value: unknown): unknown {
    if (value === computedMark) return "computed.example.invalid";
    if (value === secretMark) return "c2VjcmV0";
    if (Array.isArray(value)) return value.map(concrete);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concrete(v)]));
    return value;
}

/** The program's own Kubernetes objects in the plan, as the API server would store them. */
export function programObjects(plan: PlanDocument): KubeObject[] {
    return plan.resources
        .filter((r) => r.custom && !r.read && r.renderedFrom === undefined && r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release")
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
export function healthyCluster(plan: PlanDocument, render: StackRender, clusterName: string, nodeCount: number): Healthy {
    const objects = [...programObjects(plan), ...chartObjects(render)].filter((o) => served(o.apiVersion, o.kind));
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
