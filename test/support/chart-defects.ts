import { parse as parseYaml } from "yaml";
import type { RenderedObject } from "../../offline/charts/objects";
import { at, isRecord } from "../../policy/helpers";
import { selectorOf, selects } from "../../policy/selectors";

/**
 * The five chart defects found by rendering the releases (issue 12), each as a check over
 * rendered objects that returns what is wrong, one line each. The defects spec runs them on
 * every stack file (none) and on renders with the old values (the defect, named).
 */

/** A value for messages: strings as they are, anything else as JSON. */
const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const named = (objects: readonly RenderedObject[], kind: string, name: string): RenderedObject[] => objects.filter((o) => o.kind === kind && o.metadata.name === name);

/** A rolling update's maxSurge or maxUnavailable in pods: percentages round up for surge, down for unavailable (Kubernetes' rule). */
export function rolloutPods(value: unknown, replicas: number, round: "up" | "down"): number {
    if (typeof value === "number") return value;
    const m = typeof value === "string" ? /^(\d+)%$/.exec(value) : null;
    if (!m) throw new Error(`not a count or percentage: ${String(value)}`);
    const exact = (replicas * Number(m[1])) / 100;
    return round === "up" ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * 1. istiod's rollout under a required per-node anti-affinity: on a cluster of exactly
 * `replicas` nodes, a surge pod has no node to go to and only an unavailable old pod frees
 * one, so the strategy must be maxSurge 0 and maxUnavailable of at least one pod (the
 * chart's default, 100% and 25%, is 3 surge pods and 0 unavailable of 3: the upgrade hangs).
 */
export function istiodRolloutProblems(objects: readonly RenderedObject[]): string[] {
    return named(objects, "Deployment", "istiod").flatMap((d) => {
        const labels = (at(d, "spec.template.metadata.labels") ?? {}) as Record<string, string>;
        const required = records(at(d, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution")).filter(
            (t) => t["topologyKey"] === "kubernetes.io/hostname" && selects(selectorOf(t["labelSelector"]) ?? {}, labels),
        );
        if (required.length === 0) return [];
        const replicas = (at(d, "spec.replicas") as number | undefined) ?? 1;
        // A Deployment without a strategy rolls with 25% and 25% (apps/v1 defaults).
        const surgeValue = at(d, "spec.strategy.rollingUpdate.maxSurge") ?? "25%";
        const unavailableValue = at(d, "spec.strategy.rollingUpdate.maxUnavailable") ?? "25%";
        const surge = rolloutPods(surgeValue, replicas, "up");
        const unavailable = rolloutPods(unavailableValue, replicas, "down");
        if (at(d, "spec.strategy.type") === "Recreate" || (surge === 0 && unavailable >= 1)) return [];
        return [
            `Deployment ${d.metadata.namespace ?? ""}/istiod rolls out with maxSurge ${text(surgeValue)} (${surge} pods) and maxUnavailable ${text(unavailableValue)} (${unavailable} pods) of ${replicas} under a required per-node anti-affinity: an upgrade on ${replicas} nodes ${unavailable === 0 ? "never removes an old pod and hangs" : "starts surge pods that cannot schedule"} (expected maxSurge 0, maxUnavailable at least 1)`,
        ];
    });
}

/** 2. The edge controller's Deployment renders no `replicas`, and the chart's own HPA scales it. */
export function edgeReplicaProblems(objects: readonly RenderedObject[], deployment = "ingress-nginx-controller"): string[] {
    return named(objects, "Deployment", deployment).flatMap((d) => {
        const out: string[] = [];
        if (at(d, "spec.replicas") !== undefined) out.push(`Deployment ${d.metadata.namespace ?? ""}/${deployment} renders replicas: ${String(at(d, "spec.replicas"))}, which every Helm upgrade sets back`);
        const hpa = objects.filter((h) => h.kind === "HorizontalPodAutoscaler" && h.metadata.namespace === d.metadata.namespace && at(h, "spec.scaleTargetRef.kind") === "Deployment" && at(h, "spec.scaleTargetRef.name") === deployment);
        if (hpa.length !== 1) out.push(`the chart renders ${hpa.length} HPAs over Deployment ${d.metadata.namespace ?? ""}/${deployment}, expected its own one`);
        return out;
    });
}

/** The edge controller's container arguments. */
export function controllerArgs(objects: readonly RenderedObject[], deployment = "ingress-nginx-controller"): string[] {
    return named(objects, "Deployment", deployment).flatMap((d) => records(at(d, "spec.template.spec.containers")).flatMap((c) => ((c["args"] ?? []) as unknown[]).filter((a): a is string => typeof a === "string")));
}

/** 3. The controller publishes the Service the program owns (`--publish-service=<namespace>/<name>`), which exists. */
export function publishServiceProblems(objects: readonly RenderedObject[], service: { readonly namespace: string; readonly name: string }, deployment = "ingress-nginx-controller"): string[] {
    const out: string[] = [];
    const flag = `--publish-service=${service.namespace}/${service.name}`;
    const published = controllerArgs(objects, deployment).filter((a) => a.startsWith("--publish-service"));
    if (published.length !== 1 || published[0] !== flag) out.push(`the controller publishes ${published.join(" ") || "no Service"}, expected ${flag}`);
    if (!objects.some((o) => o.kind === "Service" && o.metadata.namespace === service.namespace && o.metadata.name === service.name && at(o, "spec.type") === "LoadBalancer")) out.push(`no LoadBalancer Service ${service.namespace}/${service.name} to publish`);
    return out;
}

/** The validating webhooks of a remote that only `base.validationCABundle` gives the mesh root. */
export const remoteValidators = ["istiod-default-validator", "istio-validator-istio-system"] as const;

/** 4. A remote's validators trust the mesh root (`caBundle`, base64 of the PEM) and fail closed. */
export function remoteValidatorProblems(objects: readonly RenderedObject[], caBundle: string): string[] {
    return remoteValidators.flatMap((name) => {
        const found = named(objects, "ValidatingWebhookConfiguration", name);
        if (found.length !== 1) return [`${found.length} ValidatingWebhookConfigurations ${name}, expected one`];
        return records(found[0]!["webhooks"]).flatMap((w) => {
            const out: string[] = [];
            const bundle = at(w, "clientConfig.caBundle");
            if (bundle !== caBundle) out.push(`${name} webhook ${String(w["name"])} has ${bundle === undefined || bundle === "" ? "no caBundle" : "a caBundle other than the mesh root"}`);
            if (w["failurePolicy"] !== "Fail") out.push(`${name} webhook ${String(w["name"])} has failurePolicy ${text(w["failurePolicy"] ?? "(unset)")}, expected Fail`);
            return out;
        });
    });
}

/** cert-manager's controller configuration file, parsed (undefined when the chart renders none). */
export function certManagerControllerConfig(objects: readonly RenderedObject[]): Record<string, unknown> | undefined {
    const text = objects.filter((o) => o.kind === "ConfigMap" && o.metadata.name === "cert-manager").map((o) => (isRecord(o["data"]) ? o["data"]["config.yaml"] : undefined))[0];
    return typeof text === "string" ? (parseYaml(text) as Record<string, unknown>) : undefined;
}

/** 5. cert-manager's Gateway API support: `gatewayAPI.enabled` exactly when wanted, never the deprecated `enableGatewayAPI`. */
export function certManagerGatewayApiProblems(objects: readonly RenderedObject[], wanted: boolean): string[] {
    const config = certManagerControllerConfig(objects) ?? {};
    const out: string[] = [];
    if ("enableGatewayAPI" in config) out.push(`cert-manager's config.yaml sets the deprecated enableGatewayAPI: ${String(config["enableGatewayAPI"])} (v1.21: gatewayAPI.enabled)`);
    const enabled = at(config, "gatewayAPI.enabled") === true;
    if (enabled !== wanted) out.push(`cert-manager's config.yaml has gatewayAPI.enabled ${text(at(config, "gatewayAPI.enabled") ?? "unset")}, expected ${wanted ? "true" : "it off"}`);
    return out;
}
