import { at, booleanOf, isRecord, numberOf, recordAt, stringAt, whenKnown, type Json } from "./helpers";

/**
 * Readers for Helm releases (`kubernetes:helm.sh/v3:Release`). CrossGuard sees only a
 * release's own inputs, so everything the policies know about what a chart deploys comes
 * from its `values`, read here with the chart's own defaults at the pinned versions:
 * istio/istio `manifests/charts/{istio-control/istio-discovery,gateway}`, kubernetes/ingress-nginx
 * `charts/ingress-nginx` (4.12 to 4.15), cert-manager/cert-manager `deploy/charts/cert-manager`.
 */

/** The type token of a Helm release. */
export const releaseType = "kubernetes:helm.sh/v3:Release";

/**
 * The chart's name, whatever form the release names it in: `istiod`, `istio/istiod`
 * (a repository alias), `oci://registry.istio.io/release/charts/istiod`, or a packaged
 * chart's URL ending in `istiod-1.30.3.tgz`.
 */
export function chartName(release: Json): string {
    const chart = stringAt(release, "chart") ?? "";
    const last = chart.replace(/\/+$/, "").split("/").pop() ?? "";
    const packaged = /^(.*?)-v?\d+\.\d+\.\d+[^/]*\.tgz$/.exec(last);
    return packaged?.[1] ?? last;
}

/** The release's `values` (an empty object when it has none). */
export function valuesOf(release: Json): Json {
    return recordAt(release, "values");
}

/** The namespace the release installs into (Helm's default is `default`). */
export function releaseNamespace(release: Json): string {
    return stringAt(release, "namespace") ?? "default";
}

/** The Helm release name: the `name` input, else the Pulumi resource name (what Pulumi auto-names from). */
export function releaseName(release: Json, resourceName: string): string {
    return stringAt(release, "name") ?? resourceName;
}

/** The release's chart version as [major, minor], when it is an exact version. */
export function chartMinor(release: Json): [number, number] | undefined {
    const m = /^v?(\d+)\.(\d+)\./.exec(stringAt(release, "version") ?? "");
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** A value, or the chart's default when the release does not set it. */
function valueOr<T>(values: Json, path: string, fallback: T, read: (v: unknown) => T | undefined): T {
    const v = at(values, path);
    return v === undefined || v === null ? fallback : (read(v) ?? fallback);
}

/* ----------------------------------------------------------------------------------- */
/* istiod (chart `istiod`, 1.24 and later: HA values at the top level)                  */

/** True when the istiod release installs the remote profile (no istiod in this cluster). */
export function isRemoteIstiod(values: Json): boolean {
    return at(values, "profile") === "remote" || booleanOf(at(values, "istiodRemote.enabled")) === true;
}

/** The istiod replicas that are guaranteed: `replicaCount` without autoscaling, else `autoscaleMin`. */
export function istiodReplicas(values: Json): { replicas: number; autoscaling: boolean } {
    const autoscaling = valueOr(values, "autoscaleEnabled", true, booleanOf);
    const replicas = autoscaling ? valueOr(values, "autoscaleMin", 1, numberOf) : valueOr(values, "replicaCount", 1, numberOf);
    return { replicas, autoscaling };
}

/** The pod labels of the istiod Deployment (`deployment.yaml`: app, istio.io/rev, istio). */
export function istiodPodLabels(values: Json): Record<string, string> {
    const revision = stringAt(values, "revision") ?? "";
    return {
        ...stringMap(at(values, "podLabels")),
        app: "istiod",
        "istio.io/rev": revision || "default",
        istio: revision ? "istiod" : "pilot",
        "sidecar.istio.io/inject": "false",
    };
}

/** The PodDisruptionBudget the istiod chart renders, if any. */
export function istiodChartPdb(release: Json, values: Json): PodSelector | undefined {
    if (isRemoteIstiod(values)) return undefined;
    if (booleanOf(at(values, "global.defaultPodDisruptionBudget.enabled")) === false) return undefined;
    // Since 1.28 the chart renders its PDB only when more than one replica is guaranteed.
    const minor = chartMinor(release);
    if (minor === undefined || minor[0] > 1 || minor[1] >= 28) {
        if (istiodReplicas(values).replicas <= 1) return undefined;
    }
    const revision = stringAt(values, "revision") ?? "";
    return { matchLabels: revision ? { app: "istiod", "istio.io/rev": revision } : { app: "istiod", istio: "pilot" } };
}

/* ----------------------------------------------------------------------------------- */
/* Istio gateway (chart `gateway`)                                                      */

/** The gateway's name (`gateway.name`: `name` value, else the release name). */
export function gatewayName(values: Json, release: string): string {
    return stringAt(values, "name") || release;
}

/** The gateway pods' selector labels (`gateway.selectorLabels`). */
export function gatewaySelectorLabels(values: Json, release: string): Record<string, string> {
    const name = gatewayName(values, release);
    const labels = recordAt(values, "labels");
    return {
        app: typeof labels["app"] === "string" ? labels["app"] : name,
        istio: typeof labels["istio"] === "string" ? labels["istio"] : name.replace(/^istio-/, ""),
    };
}

/* ----------------------------------------------------------------------------------- */
/* Workloads each chart deploys                                                         */

/** A label selector, as PodDisruptionBudgets and Deployments carry it. */
export interface PodSelector {
    readonly matchLabels?: Record<string, string>;
    readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/** One workload a chart renders, as far as the policies need it. */
export interface ChartWorkload {
    /** Kind and name, for messages (`Deployment istiod`). */
    readonly describe: string;
    readonly namespace: string;
    /** Where its resources are set in the values (`controller.resources`). */
    readonly resourcesPath: string;
    /** Its pods' labels. */
    readonly podLabels: Record<string, string>;
    /** The selector of the PDB the chart renders for it, when it renders one. */
    readonly pdb?: PodSelector;
}

/**
 * The workloads a release deploys, for the charts this program installs (istiod, gateway,
 * cert-manager, ingress-nginx). Other charts return an empty list: the pack cannot know
 * what they render.
 */
export function chartWorkloads(release: Json, resourceName: string): ChartWorkload[] {
    const values = valuesOf(release);
    const namespace = releaseNamespace(release);
    const name = releaseName(release, resourceName);
    switch (chartName(release)) {
        case "istiod": {
            if (isRemoteIstiod(values)) return [];
            const revision = stringAt(values, "revision") ?? "";
            const pdb = istiodChartPdb(release, values);
            return [{ describe: `Deployment istiod${revision ? `-${revision}` : ""}`, namespace, resourcesPath: "resources", podLabels: istiodPodLabels(values), ...(pdb ? { pdb } : {}) }];
        }
        case "gateway": {
            const selector = gatewaySelectorLabels(values, name);
            const podLabels = { ...stringMap(at(values, "labels")), ...selector };
            return [{ describe: `Deployment ${gatewayName(values, name)}`, namespace, resourcesPath: "resources", podLabels, ...gatewayPdb(values, selector) }];
        }
        case "cert-manager": {
            const base = stringAt(values, "nameOverride") || "cert-manager";
            const component = (c: string, podLabelsPath: string): Record<string, string> => ({
                ...stringMap(at(values, podLabelsPath)),
                app: c === "controller" ? base : `${c}`,
                "app.kubernetes.io/name": c === "controller" ? base : c,
                "app.kubernetes.io/instance": name,
                "app.kubernetes.io/component": c,
            });
            const pdbFor = (prefix: string, c: string): { pdb?: PodSelector } =>
                booleanOf(at(values, `${prefix}podDisruptionBudget.enabled`)) === true
                    ? { pdb: { matchLabels: { "app.kubernetes.io/name": c === "controller" ? base : c, "app.kubernetes.io/instance": name, "app.kubernetes.io/component": c } } }
                    : {};
            const list: ChartWorkload[] = [
                { describe: "Deployment cert-manager", namespace, resourcesPath: "resources", podLabels: component("controller", "podLabels"), ...pdbFor("", "controller") },
                { describe: "Deployment cert-manager-webhook", namespace, resourcesPath: "webhook.resources", podLabels: component("webhook", "webhook.podLabels"), ...pdbFor("webhook.", "webhook") },
            ];
            if (valueOr(values, "cainjector.enabled", true, booleanOf)) {
                list.push({ describe: "Deployment cert-manager-cainjector", namespace, resourcesPath: "cainjector.resources", podLabels: component("cainjector", "cainjector.podLabels"), ...pdbFor("cainjector.", "cainjector") });
            }
            if (valueOr(values, "startupapicheck.enabled", true, booleanOf)) {
                list.push({ describe: "Job cert-manager-startupapicheck", namespace, resourcesPath: "startupapicheck.resources", podLabels: component("startupapicheck", "startupapicheck.podLabels") });
            }
            return list;
        }
        case "ingress-nginx": {
            const base = stringAt(values, "nameOverride") || "ingress-nginx";
            const labels = (c: string, podLabelsPath: string): Record<string, string> => ({
                ...stringMap(at(values, podLabelsPath)),
                "app.kubernetes.io/name": base,
                "app.kubernetes.io/instance": name,
                "app.kubernetes.io/component": c,
            });
            const controller = labels("controller", "controller.podLabels");
            const list: ChartWorkload[] = [
                {
                    describe: `${stringAt(values, "controller.kind") === "DaemonSet" ? "DaemonSet" : "Deployment"} ${base}-controller`,
                    namespace,
                    resourcesPath: "controller.resources",
                    podLabels: controller,
                    ...ingressNginxControllerPdb(values, controller),
                },
            ];
            // The certificate jobs run unless the webhook is off, patching is off, or cert-manager issues the webhook's certificate.
            if (
                valueOr(values, "controller.admissionWebhooks.enabled", true, booleanOf) &&
                valueOr(values, "controller.admissionWebhooks.patch.enabled", true, booleanOf) &&
                !valueOr(values, "controller.admissionWebhooks.certManager.enabled", false, booleanOf)
            ) {
                list.push(
                    { describe: `Job ${base}-admission-create`, namespace, resourcesPath: "controller.admissionWebhooks.createSecretJob.resources", podLabels: labels("admission-webhook", "controller.admissionWebhooks.patch.labels") },
                    { describe: `Job ${base}-admission-patch`, namespace, resourcesPath: "controller.admissionWebhooks.patchWebhookJob.resources", podLabels: labels("admission-webhook", "controller.admissionWebhooks.patch.labels") },
                );
            }
            if (valueOr(values, "defaultBackend.enabled", false, booleanOf)) {
                list.push({ describe: `Deployment ${base}-defaultbackend`, namespace, resourcesPath: "defaultBackend.resources", podLabels: labels("default-backend", "defaultBackend.podLabels") });
            }
            return list;
        }
        default:
            return [];
    }
}

/** The gateway chart renders a PDB when `podDisruptionBudget` is set and more than one replica is guaranteed. */
function gatewayPdb(values: Json, selector: Record<string, string>): { pdb?: PodSelector } {
    const budget = at(values, "podDisruptionBudget");
    if (!isRecord(budget) || Object.keys(budget).length === 0) return {};
    const autoscaling = valueOr(values, "autoscaling.enabled", true, booleanOf);
    const replicas = autoscaling ? valueOr(values, "autoscaling.minReplicas", 1, numberOf) : valueOr(values, "replicaCount", 1, numberOf);
    return replicas > 1 ? { pdb: { matchLabels: selector } } : {};
}

/** ingress-nginx renders the controller's PDB only when more than one replica is guaranteed. */
function ingressNginxControllerPdb(values: Json, labels: Record<string, string>): { pdb?: PodSelector } {
    const autoscaling = valueOr(values, "controller.autoscaling.enabled", false, booleanOf);
    const replicas = autoscaling ? valueOr(values, "controller.autoscaling.minReplicas", 1, numberOf) : valueOr(values, "controller.replicaCount", 1, numberOf);
    if (replicas <= 1 || stringAt(values, "controller.kind") === "DaemonSet") return {};
    const { ["app.kubernetes.io/name"]: n, ["app.kubernetes.io/instance"]: i, ["app.kubernetes.io/component"]: c } = labels;
    return { pdb: { matchLabels: { "app.kubernetes.io/name": n ?? "", "app.kubernetes.io/instance": i ?? "", "app.kubernetes.io/component": c ?? "" } } };
}

/** A LoadBalancer (or other) Service a chart renders, with the values that shape it. */
export interface ChartService {
    readonly describe: string;
    /** Values path of the service block (`controller.service`). */
    readonly path: string;
    readonly type: string;
    readonly annotations: Record<string, string>;
    readonly externalTrafficPolicy: string | undefined;
    readonly loadBalancerClass: string | undefined;
}

/** The externally reachable Services of the gateway and ingress-nginx charts. */
export function chartServices(release: Json, resourceName: string): ChartService[] {
    const values = valuesOf(release);
    const name = releaseName(release, resourceName);
    const read = (path: string, describe: string, defaultType: string, extraAnnotations: Json = {}): ChartService => ({
        describe,
        path,
        type: stringAt(values, `${path}.type`) || defaultType,
        annotations: { ...stringMap(extraAnnotations), ...stringMap(at(values, `${path}.annotations`)) },
        externalTrafficPolicy: stringAt(values, `${path}.externalTrafficPolicy`) || undefined,
        loadBalancerClass: stringAt(values, `${path}.loadBalancerClass`) || undefined,
    });
    switch (chartName(release)) {
        case "gateway": {
            const service = read("service", `Service ${gatewayName(values, name)}`, "LoadBalancer", recordAt(values, "annotations"));
            return service.type === "None" ? [] : [service];
        }
        case "ingress-nginx": {
            const base = stringAt(values, "nameOverride") || "ingress-nginx";
            if (valueOr(values, "controller.service.enabled", true, booleanOf) === false) return [];
            const list: ChartService[] = [];
            if (valueOr(values, "controller.service.external.enabled", true, booleanOf)) list.push(read("controller.service", `Service ${base}-controller`, "LoadBalancer"));
            if (valueOr(values, "controller.service.internal.enabled", false, booleanOf)) {
                const external = stringAt(values, "controller.service.type") || "LoadBalancer";
                list.push(read("controller.service.internal", `Service ${base}-controller-internal`, external));
            }
            return list;
        }
        default:
            return [];
    }
}

/**
 * A map of strings (labels, annotations); other entries are dropped, and so are values
 * unknown during preview (an annotation computed from another resource, say), so that
 * the keys that are known can still be judged.
 */
export function stringMap(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (!isRecord(value)) return out;
    for (const k of Object.keys(value)) {
        const v = whenKnown(() => value[k], undefined);
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
    }
    return out;
}
