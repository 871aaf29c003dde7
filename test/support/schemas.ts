import type { RecordedResource } from "../../offline/engine";
import { plain } from "../../offline/values";

/**
 * Validates Kubernetes objects against upstream OpenAPI schemas with kubernetes-models
 * (and its Istio, cert-manager, Prometheus Operator and Gateway API packages). The
 * packages are ESM-only, so they are loaded with import().
 */

const crdPackages: Record<string, string> = {
    "networking.istio.io": "@kubernetes-models/istio",
    "security.istio.io": "@kubernetes-models/istio",
    "extensions.istio.io": "@kubernetes-models/istio",
    "telemetry.istio.io": "@kubernetes-models/istio",
    "cert-manager.io": "@kubernetes-models/cert-manager",
    "acme.cert-manager.io": "@kubernetes-models/cert-manager",
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
    "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
};

/** The module of kubernetes-models that holds the model for apiVersion/kind. */
export function modelModule(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (group === "") return `kubernetes-models/${version}/${kind}`;
    const pkg = crdPackages[group!] ?? "kubernetes-models";
    return `${pkg}/${group}/${version}/${kind}`;
}

/** Validates one object; throws with the schema's message when it does not conform. */
export async function validateObject(object: { apiVersion: string; kind: string }): Promise<void> {
    const module = (await import(modelModule(object.apiVersion, object.kind))) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = module[object.kind];
    if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
    new Model(object).validate();
}

/** True for recorded resources that are Kubernetes objects (not Helm releases, providers or components). */
export function isKubernetesObject(r: RecordedResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && !r.type.startsWith("pulumi:");
}

/** The object a recorded Kubernetes resource creates: its inputs with apiVersion and kind. */
export function objectOf(r: RecordedResource): { apiVersion: string; kind: string; [k: string]: unknown } {
    const [, apiVersion, kind] = /^kubernetes:(.+):([^:]+)$/.exec(r.type) ?? [];
    const inputs = plain(r.inputs, { computedAs: "computed-value" }) as Record<string, unknown>;
    const groupVersion = (apiVersion ?? "").replace(/^core\//, "");
    const declared = (key: string, fallback: string): string => (typeof inputs[key] === "string" ? inputs[key] : fallback);
    return { ...inputs, apiVersion: declared("apiVersion", groupVersion), kind: declared("kind", kind ?? "") };
}

/** Validates every Kubernetes object among `resources`; returns the failures (empty when all conform). */
export async function invalidObjects(resources: readonly RecordedResource[]): Promise<string[]> {
    const failures: string[] = [];
    for (const r of resources.filter(isKubernetesObject)) {
        try {
            await validateObject(objectOf(r));
        } catch (e) {
            failures.push(`${r.type} ${r.name}: ${(e as Error).message}`);
        }
    }
    return failures;
}
