import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { chartName, chartResourceDefaults, chartServices, chartWorkloads, releaseType, stringMap, valuesOf, type ChartService, type PodSelector } from "./charts";
import { arrayAt, at, forTypes, isRecord, listed, objectName, objectNamespace, recordAt, stringAt, type Json } from "./helpers";
import { isRenderedObject, renderedChart } from "./rendered";
import { describeSelector, labelsImply, selectorOf, selects } from "./selectors";

/** Kubernetes rules: how traffic reaches pods, and how workloads are sized and protected. */

const serviceType = "kubernetes:core/v1:Service";
const pdbType = "kubernetes:policy/v1:PodDisruptionBudget";

/**
 * No Service of type NodePort: the article's anti-pattern (an external load balancer in
 * front of node ports) adds a hop through kube-proxy and makes every node a failure
 * point. Load balancers target pods directly instead. Charts count too: a NodePort set in
 * the gateway's or ingress-nginx's values is the same Service (predicted from the values,
 * or, when the release carries its render, judged as the rendered Service itself).
 */
export const noNodePortServices: ResourceValidationPolicy = {
    name: "no-nodeport-services",
    description: "No Service of type NodePort: traffic reaches pods through a LoadBalancer with IP targets, not through node ports.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([serviceType, releaseType], (props, args, report) => {
        if (args.type === serviceType) {
            if (stringAt(props, "spec.type") === "NodePort") {
                report(`Service '${args.name}' is of type NodePort; use type LoadBalancer with NLB IP targets (or ClusterIP behind the edge).`);
            }
            return;
        }
        if (renderedChart(props)) return; // its Services are judged as resources of their own
        for (const service of chartServices(props, args.name)) {
            if (service.type === "NodePort") {
                report(`Helm release '${args.name}' (chart ${chartName(props)}) renders ${service.describe} of type NodePort (${service.path}.type); use LoadBalancer with NLB IP targets.`);
            }
        }
    }),
};

const lbTypeAnnotation = "service.beta.kubernetes.io/aws-load-balancer-type";
const targetTypeAnnotation = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
const nlbClass = "service.k8s.aws/nlb";

/** What a LoadBalancer Service lacks to be an NLB with IP targets that keeps client IPs. */
function loadBalancerGaps(
    annotations: Record<string, string>,
    loadBalancerClass: string | undefined,
    externalTrafficPolicy: string | undefined,
    paths: { readonly annotations: string; readonly spec: string },
): string[] {
    const gaps: string[] = [];
    if (loadBalancerClass !== nlbClass && annotations[lbTypeAnnotation] !== "external") {
        gaps.push(`${paths.annotations}['${lbTypeAnnotation}'] = external (or ${paths.spec}loadBalancerClass = ${nlbClass}), so the AWS Load Balancer Controller builds an NLB`);
    }
    if (annotations[targetTypeAnnotation] !== "ip") gaps.push(`${paths.annotations}['${targetTypeAnnotation}'] = ip, so the NLB targets pods directly`);
    if (externalTrafficPolicy !== "Local") gaps.push(`${paths.spec}externalTrafficPolicy = Local, so client IPs reach the pods (allowlists and rate limits need them)`);
    return gaps;
}

/**
 * LoadBalancer Services are NLBs with IP targets (no node hop, the article's recommended
 * pattern) and `externalTrafficPolicy: Local` (source IPs preserved: ingress-nginx's
 * allowlists and per-client rate limits only work with the real client address).
 * AWS Load Balancer Controller docs, "Network Load Balancer" and service annotations.
 */
export const loadBalancerNlbIpTargets: ResourceValidationPolicy = {
    name: "load-balancer-nlb-ip-targets",
    description: "LoadBalancer Services (plain or rendered by the gateway and ingress-nginx charts) are NLBs with IP targets and externalTrafficPolicy Local.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([serviceType, releaseType], (props, args, report) => {
        if (args.type === serviceType) {
            if (stringAt(props, "spec.type") !== "LoadBalancer") return;
            const gaps = loadBalancerGaps(stringMap(at(props, "metadata.annotations")), stringAt(props, "spec.loadBalancerClass"), stringAt(props, "spec.externalTrafficPolicy"), {
                annotations: "metadata.annotations",
                spec: "spec.",
            });
            if (gaps.length > 0) report(`LoadBalancer Service '${args.name}' must set ${listed(gaps)}.`);
            return;
        }
        if (renderedChart(props)) return; // its Services are judged as resources of their own
        for (const service of chartServices(props, args.name).filter((s: ChartService) => s.type === "LoadBalancer")) {
            const gaps = loadBalancerGaps(service.annotations, service.loadBalancerClass, service.externalTrafficPolicy, { annotations: `${service.path}.annotations`, spec: `${service.path}.` });
            if (gaps.length > 0) report(`Helm release '${args.name}' (chart ${chartName(props)}) renders LoadBalancer ${service.describe}; set ${listed(gaps)}.`);
        }
    }),
};

const workloadTypes: Readonly<Record<string, string>> = {
    "kubernetes:apps/v1:Deployment": "spec.template.spec",
    "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
    "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
    "kubernetes:batch/v1:Job": "spec.template.spec",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
};

/** The resource fields missing from a container's `resources`. */
function missingResources(resources: Json, requireCpuLimit: boolean): string[] {
    const wanted = ["requests.cpu", "requests.memory", "limits.memory", ...(requireCpuLimit ? ["limits.cpu"] : [])];
    return wanted.filter((path) => {
        const v = at(resources, path);
        return !(typeof v === "string" ? v.length > 0 : typeof v === "number");
    });
}

/** The suffixes of the Kubernetes quantity grammar, as [base, exponent] (apimachinery `suffix.go`, newSuffixer). */
const quantitySuffixes: Readonly<Record<string, readonly [number, number]>> = {
    n: [10, -9], u: [10, -6], m: [10, -3], "": [10, 0], k: [10, 3], M: [10, 6], G: [10, 9], T: [10, 12], P: [10, 15], E: [10, 18],
    Ki: [2, 10], Mi: [2, 20], Gi: [2, 30], Ti: [2, 40], Pi: [2, 50], Ei: [2, 60],
};

/** Go's `strings.TrimSpace` (Unicode White_Space), which `Quantity.UnmarshalJSON` applies first. */
const goSpace = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const goTrim = new RegExp(`^${goSpace}+|${goSpace}+$`, "g");

/**
 * A Kubernetes resource quantity as a number, or undefined when the API server refuses it.
 * Strings are read as kubernetes/apimachinery v0.35.7 reads them (`pkg/api/resource/quantity.go`:
 * `UnmarshalJSON` trims spaces, then `ParseQuantity` and its scanner `parseQuantityString`):
 * an optional sign, digits with an optional fraction (`1`, `1.5`, `1.`, `.5`, even none at all:
 * `.`, `-` and `+` read as 0), then one suffix: `n u m "" k M G T P E`, `Ki Mi Gi Ti Pi Ei`, or a
 * decimal exponent `e`/`E` followed by a signed integer (`1e3`, `1E-3`, `1e+3`; `1E` alone is
 * exa). Anything else is refused: other suffixes (`mi`, `K`, `1i`), an empty exponent (`1e`,
 * `1e-`), inner spaces, a second point. The exponent is read as Go's int64 and used as an
 * int32. A JSON number is taken as it is. Kubernetes keeps the value exactly (rounding up
 * below 1n, capping binary-suffixed values at 2^63-1); here it is a float, which is enough
 * to compare a limit with its request.
 */
export function quantity(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
    if (typeof value !== "string") return undefined;
    const text = value.replace(goTrim, "");
    const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(text);
    if (!m || text === "") return undefined;
    const [, sign, whole, fraction, suffix] = m as unknown as [string, string, string, string | undefined, string];
    // No digits at all (`.`, `k`) is NaN to Number() and 0 to Kubernetes.
    const digits = `${sign}${whole}.${fraction ?? ""}`;
    const known = quantitySuffixes[suffix];
    if (known) return (known[0] === 10 ? Number(`${digits}e${known[1]}`) : Number(digits) * 2 ** known[1]) || 0;
    // Else a decimal exponent: `e` or `E`, then what Go's strconv.ParseInt(s, 10, 64) takes (suffix.go, interpret);
    // the scanner already ended the suffix with its digits.
    const exponent = /^[eE]([+-]?[0-9]+)/.exec(suffix)?.[1];
    if (exponent === undefined) return undefined;
    const big = BigInt(exponent);
    if (big > 2n ** 63n - 1n || big < -(2n ** 63n)) return undefined;
    return Number(`${digits}e${Number(BigInt.asIntN(32, big))}`) || 0;
}

/** Limits below their requests (which the API server rejects), as phrases. */
function limitsBelowRequests(resources: Json): string[] {
    return ["cpu", "memory"].flatMap((r) => {
        const request = at(resources, `requests.${r}`);
        const limit = at(resources, `limits.${r}`);
        const q = quantity(request);
        const l = quantity(limit);
        return q !== undefined && l !== undefined && l < q ? [`limits.${r} ${String(limit)} below requests.${r} ${String(request)}`] : [];
    });
}

function merged(defaults: Json, given: Json): Json {
    const out: Json = { ...defaults };
    for (const [k, v] of Object.entries(given)) out[k] = isRecord(v) && isRecord(out[k]) ? merged(out[k], v) : v;
    return out;
}

/**
 * Every workload has CPU and memory requests and a memory limit (and a CPU limit when the
 * configuration asks for one): without requests the scheduler packs istiod, gateways and
 * the edge onto nodes that cannot hold them and the HPA has nothing to scale on; without
 * a memory limit one leaking pod takes the node down. Applies to the workloads the
 * program's charts render (read from the release values, with the chart defaults) and to
 * plain workloads.
 */
export const workloadResourcesSet: ResourceValidationPolicy = {
    name: "workload-resources-set",
    description: "Workloads (in Helm releases and plain) set CPU and memory requests and a memory limit.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requireCpuLimit: { type: "boolean", default: false, description: "Also require limits.cpu (off by default: CPU limits throttle istiod and the proxies under bursts)." },
        },
    },
    validateResource: forTypes([releaseType, ...Object.keys(workloadTypes)], (props, args, report) => {
        const { requireCpuLimit } = args.getConfig<{ requireCpuLimit: boolean }>();
        if (args.type === releaseType) {
            if (renderedChart(props)) return; // its workloads are judged as resources of their own
            const chart = chartName(props);
            const values = valuesOf(props);
            for (const w of chartWorkloads(props, args.name)) {
                // A null `resources` drops the chart's defaults too (see valueOr in charts.ts: Helm deletes the key, the istio charts merge nil over it).
                const resources = at(values, w.resourcesPath) === null ? {} : merged(chartResourceDefaults[chart]?.[w.resourcesPath] ?? {}, recordAt(values, w.resourcesPath));
                const missing = missingResources(resources, requireCpuLimit);
                if (missing.length > 0) {
                    report(`Helm release '${args.name}' (chart ${chart}) leaves ${w.describe} without ${listed(missing)}; set them under ${w.resourcesPath} in the release's values.`);
                }
                const below = limitsBelowRequests(resources);
                if (below.length > 0) {
                    report(`Helm release '${args.name}' (chart ${chart}) sets ${listed(below)} for ${w.describe} (the chart's defaults merged in), which the API server rejects; raise the limit or lower the request under ${w.resourcesPath}.`);
                }
            }
            return;
        }
        const podSpec = at(props, workloadTypes[args.type] ?? "");
        for (const list of ["initContainers", "containers"] as const) {
            for (const c of arrayAt(podSpec, list).filter(isRecord)) {
                const missing = missingResources(recordAt(c, "resources"), requireCpuLimit);
                const kind = args.type.split(":").pop() ?? "Workload";
                if (missing.length > 0) {
                    report(`${kind} '${args.name}' container '${stringAt(c, "name") ?? "?"}' has no resources.${missing.join(", resources.")}; set requests and limits on every container.`);
                }
                const below = limitsBelowRequests(recordAt(c, "resources"));
                if (below.length > 0) report(`${kind} '${args.name}' container '${stringAt(c, "name") ?? "?"}' sets ${listed(below)}, which the API server rejects; raise the limit or lower the request.`);
            }
        }
    }),
};

/** A PodDisruptionBudget of the stack: explicit, or rendered by a chart. */
interface Budget {
    readonly label: string;
    readonly namespace: string;
    readonly selector: PodSelector;
    readonly urn: string;
    /** True for a PodDisruptionBudget the program creates itself (not a chart's). */
    readonly explicit: boolean;
}

/** Pods the stack is known to run. */
interface Pods {
    readonly label: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly urn: string;
}

function budgetsAndPods(resources: readonly PolicyResource[]): { budgets: Budget[]; pods: Pods[] } {
    const budgets: Budget[] = [];
    const pods: Pods[] = [];
    for (const r of resources) {
        const props = r.props as Json;
        // An object of a rendered chart is named after its release, and its budget is the chart's own.
        const rendered = isRenderedObject(r) ? r.parent!.name : undefined;
        const of = rendered !== undefined ? ` of Helm release '${rendered}'` : "";
        if (r.type === pdbType) {
            const selector = selectorOf(at(props, "spec.selector")) ?? {};
            const name = objectName(props, r.name);
            budgets.push({ label: rendered !== undefined ? `the chart's PodDisruptionBudget '${name}'${of}` : `PodDisruptionBudget '${name}'`, namespace: objectNamespace(props), selector, urn: r.urn, explicit: rendered === undefined });
        } else if (r.type === releaseType) {
            if (renderedChart(props)) continue; // its workloads and budgets are resources of their own
            for (const w of chartWorkloads(props, r.name)) {
                const label = `${w.describe} of Helm release '${r.name}'`;
                pods.push({ label, namespace: w.namespace, labels: w.podLabels, urn: r.urn });
                if (w.pdb) budgets.push({ label: `the chart's PodDisruptionBudget for ${label}`, namespace: w.namespace, selector: w.pdb, urn: r.urn, explicit: false });
            }
        } else if (workloadTypes[r.type] !== undefined) {
            const templatePath = workloadTypes[r.type]!.replace(/\.spec$/, ".metadata.labels");
            const kind = r.type.split(":").pop() ?? "Workload";
            const name = objectName(props, r.name);
            pods.push({ label: rendered !== undefined ? `${kind} ${name}${of}` : `${kind} '${name}'`, namespace: objectNamespace(props), labels: stringMap(at(props, templatePath)), urn: r.urn });
        }
    }
    return { budgets, pods };
}

/**
 * No two PodDisruptionBudgets select the same pods: the eviction API refuses to evict a
 * pod covered by more than one PDB, so node drains and cluster upgrades stall (Kubernetes
 * docs, "Configure a PodDisruptionBudget"). The usual way in is the article's extra
 * `istiod-pdb` next to the one the istiod chart renders itself.
 */
export const noOverlappingPdbs: StackValidationPolicy = {
    name: "no-overlapping-pdbs",
    description: "No two PodDisruptionBudgets (explicit or rendered by a chart) select the same pods.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const { budgets, pods } = budgetsAndPods(args.resources);
        const reported = new Set<string>();
        for (const p of pods) {
            const over = budgets.filter((b) => b.namespace === p.namespace && selects(b.selector, p.labels));
            if (over.length < 2) continue;
            for (let i = 0; i < over.length; i++) for (let j = i + 1; j < over.length; j++) reported.add(`${over[i]!.label}|${over[j]!.label}`);
            const explicit = over.find((b) => b.explicit);
            report(
                `The pods of ${p.label} in namespace ${p.namespace} are selected by ${over.length} PodDisruptionBudgets (${listed(over.map((b) => b.label))}); a pod under two PDBs cannot be evicted. Keep one: configure the chart's own budget through its values and remove the extra one.`,
                (explicit ?? over[0]!).urn,
            );
        }
        for (let i = 0; i < budgets.length; i++) {
            for (let j = i + 1; j < budgets.length; j++) {
                const a = budgets[i]!;
                const b = budgets[j]!;
                if (a.namespace !== b.namespace || reported.has(`${a.label}|${b.label}`) || reported.has(`${b.label}|${a.label}`)) continue;
                if (labelsImply(a.selector, b.selector) || labelsImply(b.selector, a.selector)) {
                    report(`${a.label} (${describeSelector(a.selector)}) and ${b.label} (${describeSelector(b.selector)}) in namespace ${a.namespace} select the same pods; a pod under two PDBs cannot be evicted. Remove one of them.`, b.urn);
                }
            }
        }
    },
};
