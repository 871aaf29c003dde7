import { parse as parseYaml } from "yaml";
import { objectKey, type RenderedObject } from "../../offline/charts/objects";
import { at, isRecord } from "../../policy/helpers";
import { describeSelector, selectorOf, selects, type PodSelector } from "../../policy/selectors";

/**
 * Cross-references between Kubernetes objects (rendered by charts, or the program's own):
 * each check takes every object a cluster gets and returns what does not hold, one line per
 * problem, naming the objects. The specs run them over every stack file (expecting none)
 * and over deliberately broken object lists (expecting the exact problem).
 */

type Labels = Readonly<Record<string, string>>;

/** The pods a workload creates: its pod template. */
export interface PodSet {
    /** `Deployment istio-system/istiod`. */
    readonly describe: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace: string;
    readonly labels: Labels;
    readonly annotations: Labels;
    /** The pod spec. */
    readonly spec: Record<string, unknown>;
    /** The workload itself. */
    readonly workload: RenderedObject;
}

/** What the checks need besides the objects. */
export interface CrossReferenceContext {
    /**
     * Istio's injection templates by name (`gateway`, `sidecar`), as the injecting istiod
     * has them (ConfigMap istio-sidecar-injector, `config.templates`): a remote's pods are
     * injected by the primary's istiod. Empty: injected ports are not known.
     */
    readonly injectionTemplates?: Readonly<Record<string, string>>;
}

const podTemplatePaths: Readonly<Record<string, string>> = {
    Deployment: "spec.template",
    DaemonSet: "spec.template",
    StatefulSet: "spec.template",
    ReplicaSet: "spec.template",
    Job: "spec.template",
    CronJob: "spec.jobTemplate.spec.template",
};

const describe = (o: RenderedObject): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
const strings = (v: unknown): Labels => (isRecord(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "string")) : {}) as Labels;
/** A value for messages: strings as they are, anything else as JSON. */
const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** Every pod template among the objects. */
export function podSets(objects: readonly RenderedObject[]): PodSet[] {
    return objects.flatMap((o) => {
        const path = podTemplatePaths[o.kind];
        const template = path !== undefined && o.apiVersion.startsWith(o.kind === "CronJob" || o.kind === "Job" ? "batch/" : "apps/") ? at(o, path) : undefined;
        if (!isRecord(template)) return [];
        return [
            {
                describe: describe(o),
                kind: o.kind,
                name: o.metadata.name,
                namespace: o.metadata.namespace ?? "default",
                labels: strings(at(template, "metadata.labels")),
                annotations: strings(at(template, "metadata.annotations")),
                spec: isRecord(template["spec"]) ? template["spec"] : {},
                workload: o,
            },
        ];
    });
}

/** Istio's injection templates from a rendered istio-sidecar-injector ConfigMap among the objects. */
export function injectionTemplates(objects: readonly RenderedObject[]): Record<string, string> {
    const injector = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "istio-sidecar-injector");
    const config = at(injector, "data.config");
    if (typeof config !== "string") return {};
    const templates = at(parseYaml(config) as unknown, "templates");
    return isRecord(templates) ? { ...strings(templates) } : {};
}

/** The ports a pod serves: by name, and by number. */
export interface PodPorts {
    readonly names: ReadonlyMap<string, number>;
    readonly numbers: ReadonlySet<number>;
}

const isGatewayObject = (o: RenderedObject): boolean => o.kind === "Gateway" && o.apiVersion.startsWith("networking.istio.io/");
const isService = (o: RenderedObject): boolean => o.kind === "Service" && o.apiVersion === "v1";
const serviceSelector = (s: RenderedObject): Labels => strings(at(s, "spec.selector"));
const serviceSelects = (s: RenderedObject, pod: PodSet): boolean => {
    const selector = serviceSelector(s);
    return Object.keys(selector).length > 0 && (s.metadata.namespace ?? "default") === pod.namespace && selects({ matchLabels: { ...selector } }, pod.labels);
};

/**
 * The ports a pod serves: its containers' declared ports and probe ports; for an injected
 * Istio proxy (`sidecar.istio.io/inject: "true"`), the ports of its injection templates
 * (`inject.istio.io/templates`, default `sidecar`); and for a pod an Istio Gateway selects,
 * the Gateway's server ports, each resolved through a Service of the pod that has it as
 * its port (Envoy listens on the Service's targetPort), else as itself.
 */
export function podPorts(pod: PodSet, objects: readonly RenderedObject[], context: CrossReferenceContext = {}): PodPorts {
    const names = new Map<string, number>();
    const numbers = new Set<number>();
    const containers = [...records(pod.spec["containers"]), ...records(pod.spec["initContainers"]).filter((c) => c["restartPolicy"] === "Always")];
    for (const c of containers) {
        for (const p of records(c["ports"])) {
            if (typeof p["containerPort"] !== "number") continue;
            numbers.add(p["containerPort"]);
            if (typeof p["name"] === "string") names.set(p["name"], p["containerPort"]);
        }
        for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
            for (const kind of ["httpGet", "tcpSocket", "grpc"]) {
                const port = at(c, `${probe}.${kind}.port`);
                if (typeof port === "number") numbers.add(port);
            }
        }
    }
    if ((pod.labels["sidecar.istio.io/inject"] ?? pod.annotations["sidecar.istio.io/inject"]) === "true") {
        for (const name of (pod.annotations["inject.istio.io/templates"] ?? "sidecar").split(",").map((t) => t.trim())) {
            for (const m of (context.injectionTemplates?.[name] ?? "").matchAll(/\b(?:containerPort|port):\s*(\d+)\s*$/gm)) numbers.add(Number(m[1]));
        }
    }
    const services = objects.filter((s) => isService(s) && serviceSelects(s, pod));
    for (const g of objects.filter(isGatewayObject)) {
        if (!selects({ matchLabels: { ...strings(at(g, "spec.selector")) } }, pod.labels) || Object.keys(strings(at(g, "spec.selector"))).length === 0) continue;
        for (const server of records(at(g, "spec.servers"))) {
            const number = at(server, "port.number");
            if (typeof number !== "number") continue;
            const servicePort = services.flatMap((s) => records(at(s, "spec.ports"))).find((p) => p["port"] === number);
            const target = servicePort?.["targetPort"];
            numbers.add(typeof target === "number" ? target : number);
        }
    }
    return { names, numbers };
}

/** True when the pod serves the port (a name, or a number). */
function serves(ports: PodPorts, port: unknown): boolean {
    return typeof port === "string" ? ports.names.has(port) || (/^\d+$/.test(port) && ports.numbers.has(Number(port))) : typeof port === "number" && ports.numbers.has(port);
}

/**
 * Every Service with a selector selects at least one pod template in its namespace, and
 * each of its target ports (`targetPort`, else `port`) is served by every pod it selects.
 */
export function serviceProblems(objects: readonly RenderedObject[], context: CrossReferenceContext = {}): string[] {
    const pods = podSets(objects);
    const out: string[] = [];
    for (const s of objects.filter(isService)) {
        if (Object.keys(serviceSelector(s)).length === 0) continue;
        const selected = pods.filter((p) => serviceSelects(s, p));
        if (selected.length === 0) {
            out.push(`${describe(s)} selects no pod (selector ${describeSelector({ matchLabels: { ...serviceSelector(s) } })})`);
            continue;
        }
        for (const port of records(at(s, "spec.ports"))) {
            const target = port["targetPort"] ?? port["port"];
            for (const pod of selected) {
                if (!serves(podPorts(pod, objects, context), target)) out.push(`${describe(s)} port ${String(port["name"] ?? port["port"])} targets ${String(target)}, which ${pod.describe} does not serve`);
            }
        }
    }
    return out;
}

/**
 * Every Istio Gateway selects pods, and each of its server ports is a port of a Service
 * that selects those pods (the port clients reach the gateway on).
 */
export function istioGatewayProblems(objects: readonly RenderedObject[]): string[] {
    const pods = podSets(objects);
    const out: string[] = [];
    for (const g of objects.filter(isGatewayObject)) {
        const selector = strings(at(g, "spec.selector"));
        const selected = pods.filter((p) => Object.keys(selector).length > 0 && selects({ matchLabels: { ...selector } }, p.labels));
        if (selected.length === 0) {
            out.push(`${describe(g)} selects no pod (selector ${describeSelector({ matchLabels: { ...selector } })})`);
            continue;
        }
        const servicePorts = new Set(objects.filter((s) => isService(s) && selected.some((p) => serviceSelects(s, p))).flatMap((s) => records(at(s, "spec.ports")).map((p) => p["port"])));
        for (const server of records(at(g, "spec.servers"))) {
            const number = at(server, "port.number");
            if (!servicePorts.has(number)) out.push(`${describe(g)} server port ${String(at(server, "port.name"))} (${String(number)}) is no port of a Service of ${selected.map((p) => p.describe).join(", ")}`);
        }
    }
    return out;
}

/** The Service a cluster-local host names (`istiod.istio-system.svc.cluster.local`, or a short name in `namespace`). */
function serviceOfHost(host: string, namespace: string, objects: readonly RenderedObject[]): RenderedObject | undefined | "external" {
    const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
    if (!m) return "external";
    return objects.find((s) => isService(s) && s.metadata.name === m[1] && (s.metadata.namespace ?? "default") === (m[2] ?? namespace));
}

/**
 * Every VirtualService's gateways exist, the ports its routes match are ports of those
 * gateways' servers, and each destination names an existing Service and one of its ports.
 */
export function virtualServiceProblems(objects: readonly RenderedObject[]): string[] {
    const out: string[] = [];
    for (const vs of objects.filter((o) => o.kind === "VirtualService" && o.apiVersion.startsWith("networking.istio.io/"))) {
        const namespace = vs.metadata.namespace ?? "default";
        const gateways = ((at(vs, "spec.gateways") ?? []) as unknown[]).filter((g): g is string => typeof g === "string" && g !== "mesh");
        const found = gateways.flatMap((ref) => {
            const [ns, name] = ref.includes("/") ? ref.split("/") : [namespace, ref];
            const g = objects.find((o) => isGatewayObject(o) && o.metadata.name === name && (o.metadata.namespace ?? "default") === ns);
            if (!g) out.push(`${describe(vs)} names gateway ${ref}, which does not exist`);
            return g ? [g] : [];
        });
        const gatewayPorts = new Set(found.flatMap((g) => records(at(g, "spec.servers")).map((s) => at(s, "port.number"))));
        for (const kind of ["http", "tls", "tcp"]) {
            for (const route of records(at(vs, `spec.${kind}`))) {
                for (const match of records(route["match"])) {
                    if (match["port"] !== undefined && found.length > 0 && !gatewayPorts.has(match["port"])) out.push(`${describe(vs)} matches port ${text(match["port"])}, which no server of ${gateways.join(", ")} has`);
                }
                for (const r of records(route["route"])) {
                    const host = at(r, "destination.host");
                    const port = at(r, "destination.port.number");
                    if (typeof host !== "string") continue;
                    const service = serviceOfHost(host, namespace, objects);
                    if (service === "external") continue;
                    if (service === undefined) out.push(`${describe(vs)} routes to ${host}, which is no Service`);
                    else if (port !== undefined && !records(at(service, "spec.ports")).some((p) => p["port"] === port)) out.push(`${describe(vs)} routes to ${host} port ${text(port)}, which ${describe(service)} does not have`);
                }
            }
        }
    }
    return out;
}

/**
 * Every ServiceMonitor selects Services in its namespaces, and each endpoint's `port` (a
 * Service port name) or `targetPort` (a pod port) exists on a selected Service or its pods.
 */
export function serviceMonitorProblems(objects: readonly RenderedObject[], context: CrossReferenceContext = {}): string[] {
    const pods = podSets(objects);
    const out: string[] = [];
    for (const m of objects.filter((o) => o.kind === "ServiceMonitor")) {
        const any = at(m, "spec.namespaceSelector.any") === true;
        const names = ((at(m, "spec.namespaceSelector.matchNames") ?? [m.metadata.namespace]) as unknown[]).filter((n): n is string => typeof n === "string");
        const selector = selectorOf(at(m, "spec.selector")) ?? {};
        const services = objects.filter((s) => isService(s) && (any || names.includes(s.metadata.namespace ?? "default")) && selects(selector, s.metadata.labels ?? {}));
        if (services.length === 0) {
            out.push(`${describe(m)} selects no Service (selector ${describeSelector(selector)})`);
            continue;
        }
        for (const e of records(at(m, "spec.endpoints"))) {
            if (e["port"] !== undefined && !services.some((s) => records(at(s, "spec.ports")).some((p) => p["name"] === e["port"]))) {
                out.push(`${describe(m)} scrapes port ${text(e["port"])}, which none of ${services.map(describe).join(", ")} has`);
            }
            if (e["targetPort"] !== undefined) {
                const backing = pods.filter((p) => services.some((s) => serviceSelects(s, p)));
                if (!backing.some((p) => serves(podPorts(p, objects, context), e["targetPort"]))) out.push(`${describe(m)} scrapes target port ${text(e["targetPort"])}, which no pod of ${services.map(describe).join(", ")} serves`);
            }
        }
    }
    return out;
}

/** Every HPA's target exists in its namespace and renders no `replicas` (the HPA alone sets the count); min is at most max. */
export function autoscalerProblems(objects: readonly RenderedObject[]): string[] {
    const out: string[] = [];
    for (const h of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
        const kind = at(h, "spec.scaleTargetRef.kind");
        const name = at(h, "spec.scaleTargetRef.name");
        const target = objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === h.metadata.namespace);
        if (!target) out.push(`${describe(h)} scales ${String(kind)} ${String(name)}, which does not exist`);
        else if (at(target, "spec.replicas") !== undefined) out.push(`${describe(h)} scales ${describe(target)}, which sets replicas: ${String(at(target, "spec.replicas"))} (every Helm upgrade resets the HPA's count to it)`);
        const min = (at(h, "spec.minReplicas") as number | undefined) ?? 1;
        const max = at(h, "spec.maxReplicas") as number;
        if (!(min <= max)) out.push(`${describe(h)} has minReplicas ${min} above maxReplicas ${String(max)}`);
    }
    return out;
}

/** Every PodDisruptionBudget selects pods in its namespace, and no pod is under two of them. */
export function disruptionBudgetProblems(objects: readonly RenderedObject[]): string[] {
    const pods = podSets(objects);
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
    const over = (b: RenderedObject, p: PodSet): boolean => (b.metadata.namespace ?? "default") === p.namespace && selects(selectorOf(at(b, "spec.selector")) ?? {}, p.labels);
    const out: string[] = [];
    for (const b of budgets) if (!pods.some((p) => over(b, p))) out.push(`${describe(b)} selects no pod (selector ${describeSelector(selectorOf(at(b, "spec.selector")) ?? {})})`);
    for (const p of pods) {
        const covering = budgets.filter((b) => over(b, p));
        if (covering.length > 1) out.push(`${p.describe} is under ${covering.length} PodDisruptionBudgets (${covering.map(describe).join(", ")}): its pods cannot be evicted`);
    }
    return out;
}

/** Every NetworkPolicy selects pods in its namespace, and each port it admits is served by every pod it selects. */
export function networkPolicyProblems(objects: readonly RenderedObject[], context: CrossReferenceContext = {}): string[] {
    const pods = podSets(objects);
    const out: string[] = [];
    for (const np of objects.filter((o) => o.kind === "NetworkPolicy" && o.apiVersion.startsWith("networking.k8s.io/"))) {
        const selector = selectorOf(at(np, "spec.podSelector")) ?? {};
        const selected = pods.filter((p) => p.namespace === (np.metadata.namespace ?? "default") && selects(selector, p.labels));
        if (selected.length === 0) {
            out.push(`${describe(np)} selects no pod (selector ${describeSelector(selector)})`);
            continue;
        }
        for (const direction of ["ingress"]) {
            for (const rule of records(at(np, `spec.${direction}`))) {
                for (const port of records(rule["ports"])) {
                    for (const pod of selected) {
                        if (port["port"] !== undefined && !serves(podPorts(pod, objects, context), port["port"])) out.push(`${describe(np)} admits port ${text(port["port"])}, which ${pod.describe} does not serve`);
                    }
                }
            }
        }
    }
    return out;
}

/** The label selectors of a pod spec that mean "pods like this one": anti-affinity terms and spread constraints. */
function selfSelectors(spec: Record<string, unknown>): { where: string; selector: PodSelector }[] {
    const out: { where: string; selector: PodSelector }[] = [];
    const anti = "affinity.podAntiAffinity";
    records(at(spec, `${anti}.requiredDuringSchedulingIgnoredDuringExecution`)).forEach((t, i) => out.push({ where: `required anti-affinity term ${i} (${String(t["topologyKey"])})`, selector: selectorOf(t["labelSelector"]) ?? {} }));
    records(at(spec, `${anti}.preferredDuringSchedulingIgnoredDuringExecution`)).forEach((t, i) => out.push({ where: `preferred anti-affinity term ${i} (${String(at(t, "podAffinityTerm.topologyKey"))})`, selector: selectorOf(at(t, "podAffinityTerm.labelSelector")) ?? {} }));
    records(spec["topologySpreadConstraints"]).forEach((t, i) => out.push({ where: `topology spread constraint ${i} (${String(t["topologyKey"])})`, selector: selectorOf(t["labelSelector"]) ?? {} }));
    return out;
}

/**
 * Every anti-affinity term and topology spread constraint of a pod template selects the
 * template's own pods: a selector that selects nothing spreads nothing.
 */
export function spreadSelectorProblems(objects: readonly RenderedObject[]): string[] {
    return podSets(objects).flatMap((p) =>
        selfSelectors(p.spec)
            .filter((s) => !selects(s.selector, p.labels))
            .map((s) => `${p.describe}: ${s.where} selects ${describeSelector(s.selector)}, not its own pods`),
    );
}

/** Every cross-reference check over the objects a cluster gets. */
export function crossReferenceProblems(objects: readonly RenderedObject[], context: CrossReferenceContext = {}): string[] {
    return [
        ...serviceProblems(objects, context),
        ...istioGatewayProblems(objects),
        ...virtualServiceProblems(objects),
        ...serviceMonitorProblems(objects, context),
        ...autoscalerProblems(objects),
        ...disruptionBudgetProblems(objects),
        ...networkPolicyProblems(objects, context),
        ...spreadSelectorProblems(objects),
    ];
}

/**
 * The service accounts an IAM trust policy (JSON) admits through web identity
 * (`<issuer>:sub` conditions, `system:serviceaccount:<namespace>:<name>`), each checked to
 * be a ServiceAccount among the objects that a pod template runs as.
 */
export function trustSubjectProblems(trustPolicy: string, objects: readonly RenderedObject[]): string[] {
    const policy = JSON.parse(trustPolicy) as unknown;
    const subjects = records(at(policy, "Statement")).flatMap((s) =>
        Object.values(isRecord(s["Condition"]) ? s["Condition"] : {})
            .filter(isRecord)
            .flatMap((c) => Object.entries(c).filter(([k]) => k.endsWith(":sub")).flatMap(([, v]): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]))),
    );
    if (subjects.length === 0) return ["the trust policy names no service account (no :sub condition)"];
    const pods = podSets(objects);
    return subjects.flatMap((subject): string[] => {
        const m = typeof subject === "string" ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(subject) : null;
        if (!m) return [`trust subject ${String(subject)} is no service account`];
        const [, namespace, name] = m;
        const account = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === name && o.metadata.namespace === namespace);
        if (!account) return [`trust subject ${String(subject)}: no ServiceAccount ${namespace}/${name} is deployed`];
        if (!pods.some((p) => p.namespace === namespace && p.spec["serviceAccountName"] === name)) return [`trust subject ${String(subject)}: no pod runs as ${objectKey(account)}`];
        return [];
    });
}
