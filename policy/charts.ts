import { helmTruthy } from "./booleans";
import { arrayAt, at, booleanOf, isRecord, numberOf, recordAt, stringAt, whenKnown, type Json } from "./helpers";
import { renderedChart, renderedOfKind } from "./rendered";
import { selectorOf, selects, type PodSelector } from "./selectors";

export type { PodSelector };

/**
 * Readers for Helm releases (`kubernetes:helm.sh/v3:Release`). CrossGuard sees only a
 * release's own inputs, so during a real preview everything the policies know about what a
 * chart deploys is predicted here from its `values`, with the chart's own defaults at the
 * pinned versions: istio/istio `manifests/charts/{istio-control/istio-discovery,gateway}`,
 * kubernetes/ingress-nginx `charts/ingress-nginx` (4.12 to 4.15), cert-manager/cert-manager
 * `deploy/charts/cert-manager`. Each prediction is checked against Helm's render of those
 * charts (test/policy/chart-predictions.spec.ts). When a release carries its render
 * (`npm run plan -- --render`, see rendered.ts) the policies read the render instead.
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

/**
 * A value as the chart's templates read it: the chart's default (`fallback`) when the release
 * does not set it, else `read` of the release's value. A value set to null is read too, as
 * the nil the templates then see, not as the default: Helm deletes a key whose user value is
 * null when it coalesces the values with the chart's defaults (helm/helm v4.1.4
 * `pkg/chart/common/util/coalesce.go`, coalesceValues and coalesceTablesFullKey: "the user is
 * nullifying a chart default - remove the key"), which is how cert-manager's and
 * ingress-nginx's templates get it; the istiod and gateway charts keep their defaults under
 * `_internal_defaults_do_not_set` and merge the user's values over them
 * (`templates/zzz_profile.yaml`, `mustMergeOverwrite`), where a null overwrites the default
 * with nil as well (both checked with `helm template` at the pinned chart versions). Flags are
 * read with {@link helmTruthy} (nil is false). A count set to null is 0 to the templates'
 * `int`; {@link numberOf} leaves it to the fallback 1, which every count here is compared
 * with `> 1` alike.
 */
function valueOr<T>(values: Json, path: string, fallback: T, read: (v: unknown) => T | undefined): T {
    const v = at(values, path);
    return v === undefined ? fallback : (read(v) ?? fallback);
}

/* ----------------------------------------------------------------------------------- */
/* istiod (chart `istiod`, 1.24 and later: HA values at the top level)                  */

/** True when the istiod release installs the remote profile (no istiod in this cluster). */
export function isRemoteIstiod(values: Json): boolean {
    return at(values, "profile") === "remote" || booleanOf(at(values, "istiodRemote.enabled")) === true;
}

/**
 * True when the istiod chart deploys istiod itself (`deployment.yaml`): unless
 * `global.resourceScope` is `cluster`, and unless it is a remote (`istiodRemote.enabled`,
 * set by `profile: remote`) without `istiodRemote.enabledLocalInjectorIstiod`.
 */
export function istiodRuns(values: Json): boolean {
    const scope = stringAt(values, "global.resourceScope") ?? "all";
    if (scope !== "all" && scope !== "namespace") return false;
    return !isRemoteIstiod(values) || booleanOf(at(values, "istiodRemote.enabledLocalInjectorIstiod")) === true;
}

/**
 * The istiod replicas as the chart's PDB condition counts them (`poddisruptionbudget.yaml`):
 * `autoscaleMin` when `autoscaleEnabled`, else `replicaCount`.
 */
export function istiodReplicas(values: Json): { replicas: number; autoscaling: boolean } {
    // autoscale.yaml and deployment.yaml test the value with Helm's if: the string "false" is true.
    const autoscaling = valueOr(values, "autoscaleEnabled", true, helmTruthy);
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

/** Whether the istiod chart's PDB switch is on: `if .Values.global.defaultPodDisruptionBudget.enabled` (default true; the string "false" is true). */
export function istiodPdbEnabled(values: Json): boolean {
    return valueOr(values, "global.defaultPodDisruptionBudget.enabled", true, helmTruthy);
}

/** The PodDisruptionBudget the istiod chart renders, if any. */
export function istiodChartPdb(release: Json, values: Json): PodSelector | undefined {
    if (!istiodRuns(values)) return undefined;
    if (!istiodPdbEnabled(values)) return undefined;
    // Since 1.28 the chart renders its PDB only when more than one replica is guaranteed.
    const minor = chartMinor(release);
    if (minor === undefined || minor[0] > 1 || minor[1] >= 28) {
        if (istiodReplicas(values).replicas <= 1) return undefined;
    }
    const revision = stringAt(values, "revision") ?? "";
    return { matchLabels: revision ? { app: "istiod", "istio.io/rev": revision } : { app: "istiod", istio: "pilot" } };
}

/** What the istiod chart deploys for availability, as the HA rule judges it. */
export interface IstiodDeployment {
    /** Replicas that are guaranteed: the HPA's `minReplicas`, else the Deployment's `replicas` (1 when unset). */
    readonly replicas: number;
    /** True when an HPA scales istiod. */
    readonly autoscaling: boolean;
    /** The HPA's `maxReplicas`, when there is one. */
    readonly maxReplicas: number | undefined;
    /** The labels of istiod's pods. */
    readonly podLabels: Record<string, string>;
    /** The required pod anti-affinity terms of istiod's pods. */
    readonly requiredAntiAffinity: readonly Json[];
    /** The chart's own PodDisruptionBudget over istiod, when it renders one. */
    readonly pdb: { readonly minAvailable?: unknown; readonly maxUnavailable?: unknown } | undefined;
    /**
     * The Deployment's rolling update `maxUnavailable` (a count or a percentage): the chart's
     * `rollingMaxUnavailable` (default 25%), or Kubernetes' default 25% when none is rendered.
     */
    readonly rollingMaxUnavailable: number | string;
    /**
     * The Deployment's rolling update `maxSurge`: the chart's `rollingMaxSurge` (default
     * 100%), or Kubernetes' default 25% when none is rendered.
     */
    readonly rollingMaxSurge: number | string;
}

/**
 * The istiod Deployment of an istiod release, with its HPA and PDB: read from the release's
 * render when it carries one, otherwise predicted from its values. Undefined when the
 * release deploys no istiod (a remote).
 */
export function istiodDeployment(release: Json): IstiodDeployment | undefined {
    const chart = renderedChart(release);
    return chart ? renderedIstiod(chart.objects) : predictedIstiod(release);
}

function predictedIstiod(release: Json): IstiodDeployment | undefined {
    const values = valuesOf(release);
    if (!istiodRuns(values)) return undefined;
    // autoscale.yaml: the HPA only `if and .Values.autoscaleEnabled .Values.autoscaleMin .Values.autoscaleMax`;
    // deployment.yaml: `replicas` only `if not .Values.autoscaleEnabled` and `if .Values.replicaCount` (else Kubernetes' 1).
    const enabled = valueOr(values, "autoscaleEnabled", true, helmTruthy);
    const given = (path: string, fallback: number): unknown => (at(values, path) === undefined ? fallback : at(values, path));
    const min = given("autoscaleMin", 1);
    const max = given("autoscaleMax", 5);
    const count = given("replicaCount", 1);
    const autoscaling = enabled && helmTruthy(min) && helmTruthy(max);
    const replicas = (autoscaling ? numberOf(min) : !enabled && helmTruthy(count) ? numberOf(count) : undefined) ?? 1;
    const pdbValues = recordAt(values, "pdb");
    // poddisruptionbudget.yaml: `minAvailable` if it is set (a null one is not) and there is no `maxUnavailable` key, else `maxUnavailable` if set.
    const minAvailable = "minAvailable" in pdbValues ? pdbValues["minAvailable"] : 1;
    const budget = "maxUnavailable" in pdbValues ? { maxUnavailable: pdbValues["maxUnavailable"] || undefined } : { minAvailable: minAvailable || undefined };
    return {
        replicas,
        autoscaling,
        maxReplicas: autoscaling ? numberOf(max) : undefined,
        podLabels: istiodPodLabels(values),
        requiredAntiAffinity: arrayAt(values, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution").filter(isRecord),
        pdb: istiodChartPdb(release, values) ? budget : undefined,
        rollingMaxUnavailable: rollingValue(at(values, "rollingMaxUnavailable")) ?? "25%",
        // Set but empty (or null), `maxSurge: {{ .Values.rollingMaxSurge }}` renders null: Kubernetes' 25%.
        rollingMaxSurge: at(values, "rollingMaxSurge") === undefined ? "100%" : (rollingValue(at(values, "rollingMaxSurge")) ?? "25%"),
    };
}

/** A rolling-update bound as the Deployment takes it (an integer or a percentage string). */
function rollingValue(value: unknown): number | string | undefined {
    return typeof value === "number" || (typeof value === "string" && value !== "") ? value : undefined;
}

function renderedIstiod(objects: readonly Json[]): IstiodDeployment | undefined {
    const chart = { version: "", objects };
    const deployment = renderedOfKind(chart, "Deployment").find((d) => stringMap(at(d, "spec.template.metadata.labels"))["app"] === "istiod");
    if (!deployment) return undefined;
    const name = stringAt(deployment, "metadata.name");
    const namespace = stringAt(deployment, "metadata.namespace");
    const hpa = renderedOfKind(chart, "HorizontalPodAutoscaler").find((h) => stringAt(h, "spec.scaleTargetRef.kind") === "Deployment" && stringAt(h, "spec.scaleTargetRef.name") === name);
    const podLabels = stringMap(at(deployment, "spec.template.metadata.labels"));
    const pdb = renderedOfKind(chart, "PodDisruptionBudget").find((b) => stringAt(b, "metadata.namespace") === namespace && selects(selectorOf(at(b, "spec.selector")) ?? {}, podLabels));
    return {
        replicas: hpa ? (numberOf(at(hpa, "spec.minReplicas")) ?? 1) : (numberOf(at(deployment, "spec.replicas")) ?? 1),
        autoscaling: hpa !== undefined,
        maxReplicas: hpa ? numberOf(at(hpa, "spec.maxReplicas")) : undefined,
        podLabels,
        requiredAntiAffinity: arrayAt(deployment, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution").filter(isRecord),
        pdb: pdb ? { minAvailable: at(pdb, "spec.minAvailable"), maxUnavailable: at(pdb, "spec.maxUnavailable") } : undefined,
        rollingMaxUnavailable: rollingValue(at(deployment, "spec.strategy.rollingUpdate.maxUnavailable")) ?? "25%",
        rollingMaxSurge: rollingValue(at(deployment, "spec.strategy.rollingUpdate.maxSurge")) ?? "25%",
    };
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
            if (!istiodRuns(values)) return [];
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
            const full = helmFullname(values, name, "cert-manager");
            const ns = stringAt(values, "namespace") || namespace;
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
                { describe: `Deployment ${full}`, namespace: ns, resourcesPath: "resources", podLabels: component("controller", "podLabels"), ...pdbFor("", "controller") },
                { describe: `Deployment ${truncated(full, 55)}-webhook`, namespace: ns, resourcesPath: "webhook.resources", podLabels: component("webhook", "webhook.podLabels"), ...pdbFor("webhook.", "webhook") },
            ];
            if (valueOr(values, "cainjector.enabled", true, helmTruthy)) {
                list.push({ describe: `Deployment ${truncated(full, 52)}-cainjector`, namespace: ns, resourcesPath: "cainjector.resources", podLabels: component("cainjector", "cainjector.podLabels"), ...pdbFor("cainjector.", "cainjector") });
            }
            if (valueOr(values, "startupapicheck.enabled", true, helmTruthy)) {
                list.push({ describe: `Job ${truncated(`${truncated(full, 52)}-startupapicheck`, 63)}`, namespace: ns, resourcesPath: "startupapicheck.resources", podLabels: component("startupapicheck", "startupapicheck.podLabels") });
            }
            return list;
        }
        case "ingress-nginx": {
            const base = stringAt(values, "nameOverride") || "ingress-nginx";
            const names = ingressNginxNames(values, name);
            const ns = stringAt(values, "namespaceOverride") || namespace;
            const labels = (c: string, podLabelsPath: string): Record<string, string> => ({
                ...stringMap(at(values, podLabelsPath)),
                "app.kubernetes.io/name": base,
                "app.kubernetes.io/instance": name,
                "app.kubernetes.io/component": c,
            });
            const controller = labels("controller", "controller.podLabels");
            const list: ChartWorkload[] = [
                {
                    describe: `${stringAt(values, "controller.kind") === "DaemonSet" ? "DaemonSet" : "Deployment"} ${names.controller}`,
                    namespace: ns,
                    resourcesPath: "controller.resources",
                    podLabels: controller,
                    ...ingressNginxControllerPdb(values, controller),
                },
            ];
            // The certificate jobs run unless the webhook is off, patching is off, or cert-manager issues the webhook's certificate.
            if (
                valueOr(values, "controller.admissionWebhooks.enabled", true, helmTruthy) &&
                valueOr(values, "controller.admissionWebhooks.patch.enabled", true, helmTruthy) &&
                !valueOr(values, "controller.admissionWebhooks.certManager.enabled", false, helmTruthy)
            ) {
                list.push(
                    { describe: `Job ${truncated(`${names.admission}-${stringAt(values, "controller.admissionWebhooks.createSecretJob.name") || "create"}`, 63)}`, namespace: ns, resourcesPath: "controller.admissionWebhooks.createSecretJob.resources", podLabels: labels("admission-webhook", "controller.admissionWebhooks.patch.labels") },
                    { describe: `Job ${truncated(`${names.admission}-${stringAt(values, "controller.admissionWebhooks.patchWebhookJob.name") || "patch"}`, 63)}`, namespace: ns, resourcesPath: "controller.admissionWebhooks.patchWebhookJob.resources", podLabels: labels("admission-webhook", "controller.admissionWebhooks.patch.labels") },
                );
            }
            if (valueOr(values, "defaultBackend.enabled", false, helmTruthy)) {
                list.push({ describe: `Deployment ${names.defaultBackend}`, namespace: ns, resourcesPath: "defaultBackend.resources", podLabels: labels("default-backend", "defaultBackend.podLabels") });
            }
            return list;
        }
        default:
            return [];
    }
}

/** Helm's `trunc N | trimSuffix "-"`. */
function truncated(name: string, length: number): string {
    return name.slice(0, length).replace(/-$/, "");
}

/**
 * The usual `<chart>.fullname` helper (ingress-nginx, cert-manager): `fullnameOverride`, else
 * the release name when it contains the chart's name (or `nameOverride`), else both joined.
 */
function helmFullname(values: Json, release: string, chart: string): string {
    const override = stringAt(values, "fullnameOverride");
    if (override) return truncated(override, 63);
    const name = stringAt(values, "nameOverride") || chart;
    return truncated(release.includes(name) ? release : `${release}-${name}`, 63);
}

/** The names ingress-nginx's `_helpers.tpl` gives its controller, admission webhook and default backend. */
function ingressNginxNames(values: Json, release: string): { controller: string; admission: string; defaultBackend: string } {
    const full = helmFullname(values, release, "ingress-nginx");
    return {
        controller: truncated(`${full}-${stringAt(values, "controller.name") || "controller"}`, 63),
        admission: truncated(`${full}-${stringAt(values, "controller.admissionWebhooks.name") || "admission"}`, 63),
        defaultBackend: truncated(`${full}-${stringAt(values, "defaultBackend.name") || "defaultbackend"}`, 63),
    };
}

/** The gateway chart renders a PDB when `podDisruptionBudget` is set and more than one replica is guaranteed. */
function gatewayPdb(values: Json, selector: Record<string, string>): { pdb?: PodSelector } {
    const budget = at(values, "podDisruptionBudget");
    if (!isRecord(budget) || Object.keys(budget).length === 0) return {};
    const autoscaling = valueOr(values, "autoscaling.enabled", true, helmTruthy);
    const replicas = autoscaling ? valueOr(values, "autoscaling.minReplicas", 1, numberOf) : valueOr(values, "replicaCount", 1, numberOf);
    return replicas > 1 ? { pdb: { matchLabels: selector } } : {};
}

/**
 * ingress-nginx renders the controller's PDB only for a Deployment with more than one
 * guaranteed replica: the HPA's `minReplicas` (or KEDA's, when only one of them is on),
 * else `replicaCount`.
 */
function ingressNginxControllerPdb(values: Json, labels: Record<string, string>): { pdb?: PodSelector } {
    const autoscaling = valueOr(values, "controller.autoscaling.enabled", false, helmTruthy);
    const keda = valueOr(values, "controller.keda.enabled", false, helmTruthy);
    const replicas =
        autoscaling && !keda
            ? valueOr(values, "controller.autoscaling.minReplicas", 1, numberOf)
            : keda && !autoscaling
              ? valueOr(values, "controller.keda.minReplicas", 1, numberOf)
              : valueOr(values, "controller.replicaCount", 1, numberOf);
    if (replicas <= 1 || stringAt(values, "controller.kind") === "DaemonSet") return {};
    const { ["app.kubernetes.io/name"]: n, ["app.kubernetes.io/instance"]: i, ["app.kubernetes.io/component"]: c } = labels;
    return { pdb: { matchLabels: { "app.kubernetes.io/name": n ?? "", "app.kubernetes.io/instance": i ?? "", "app.kubernetes.io/component": c ?? "" } } };
}

/**
 * Chart defaults for resources at the pinned versions (Helm merges values over them), by
 * chart and values path: istiod requests 500m/2048Mi, the gateway requests 100m/128Mi with
 * limits 2000m/1024Mi, ingress-nginx's controller requests 100m/90Mi; cert-manager sets none.
 */
export const chartResourceDefaults: Readonly<Record<string, Readonly<Record<string, Json>>>> = {
    istiod: { resources: { requests: { cpu: "500m", memory: "2048Mi" } } },
    gateway: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2000m", memory: "1024Mi" } } },
    "ingress-nginx": { "controller.resources": { requests: { cpu: "100m", memory: "90Mi" } } },
};

/** A LoadBalancer (or other) Service a chart renders, with the values that shape it. */
export interface ChartService {
    readonly describe: string;
    /** Values path of the service block (`controller.service`). */
    readonly path: string;
    readonly type: string;
    readonly annotations: Record<string, string>;
    readonly externalTrafficPolicy: string | undefined;
    readonly loadBalancerClass: string | undefined;
    /** The Service's ports, as the chart renders them from these values. */
    readonly ports: readonly number[];
}

/** The gateway chart's Service ports (1.30 `service.yaml`): a network gateway's, else `service.ports`. */
function gatewayPorts(values: Json): number[] {
    if (stringAt(values, "networkGateway")) {
        const defaults: Record<string, number> = { "status-port": 15021, tls: 15443, "tls-istiod": 15012, "tls-webhook": 15017 };
        return Object.entries(defaults).map(([name, port]) => numberOf(at(values, `networkGatewayPorts.${name}.port`)) ?? port);
    }
    const listed = at(values, "service.ports");
    return Array.isArray(listed) ? listed.map((p) => numberOf(at(p, "port")) ?? -1) : [15021, 80, 443];
}

/**
 * The Services of the gateway and ingress-nginx charts that their values could expose
 * (with their types, which the policies check): the gateway's, ingress-nginx's controller
 * Services and its admission webhook's.
 */
export function chartServices(release: Json, resourceName: string): ChartService[] {
    const values = valuesOf(release);
    const name = releaseName(release, resourceName);
    const read = (path: string, describe: string, defaultType: string, ports: readonly number[], extraAnnotations: Json = {}): ChartService => ({
        describe,
        path,
        type: stringAt(values, `${path}.type`) || defaultType,
        annotations: { ...stringMap(extraAnnotations), ...stringMap(at(values, `${path}.annotations`)) },
        externalTrafficPolicy: stringAt(values, `${path}.externalTrafficPolicy`) || undefined,
        loadBalancerClass: stringAt(values, `${path}.loadBalancerClass`) || undefined,
        ports,
    });
    switch (chartName(release)) {
        case "gateway": {
            const service = read("service", `Service ${gatewayName(values, name)}`, "LoadBalancer", gatewayPorts(values), recordAt(values, "annotations"));
            return service.type === "None" ? [] : [service];
        }
        case "ingress-nginx": {
            const controller = ingressNginxNames(values, name).controller;
            const list: ChartService[] = [];
            const web = [numberOf(at(values, "controller.service.ports.http")) ?? 80, numberOf(at(values, "controller.service.ports.https")) ?? 443];
            if (valueOr(values, "controller.service.enabled", true, helmTruthy)) {
                if (valueOr(values, "controller.service.external.enabled", true, helmTruthy)) list.push(read("controller.service", `Service ${controller}`, "LoadBalancer", web));
                // controller-service-internal.yaml: `if and .enabled .internal.enabled .internal.annotations` (4.15.1).
                if (valueOr(values, "controller.service.internal.enabled", false, helmTruthy) && Object.keys(recordAt(values, "controller.service.internal.annotations")).length > 0) {
                    const external = stringAt(values, "controller.service.type") || "LoadBalancer";
                    list.push(read("controller.service.internal", `Service ${controller}-internal`, external, web));
                }
            }
            // The admission webhook's Service (controller-service-webhook.yaml), ClusterIP unless its values say otherwise.
            if (valueOr(values, "controller.admissionWebhooks.enabled", true, helmTruthy)) list.push(read("controller.admissionWebhooks.service", `Service ${controller}-admission`, "ClusterIP", [443]));
            return list;
        }
        default:
            return [];
    }
}

/**
 * True when a release deploys a LoadBalancer Service: one among its rendered objects when it
 * carries its render, else one predicted from its values.
 */
export function deploysLoadBalancer(release: Json, resourceName: string): boolean {
    const chart = renderedChart(release);
    if (chart) return renderedOfKind(chart, "Service").some((s) => stringAt(s, "spec.type") === "LoadBalancer");
    return chartServices(release, resourceName).some((s) => s.type === "LoadBalancer");
}

/** The containers' arguments of a rendered workload. */
function containerArgs(workload: Json): string[] {
    return arrayAt(workload, "spec.template.spec.containers")
        .filter(isRecord)
        .flatMap((c) => arrayAt(c, "args").filter((a): a is string => typeof a === "string"));
}

/**
 * The default certificate of an ingress-nginx release (`<namespace>/<secret>`): the
 * controller's `--default-ssl-certificate` in its render, else `controller.extraArgs`
 * (which `_params.tpl` turns into `--<key>=<value>`).
 */
export function ingressNginxDefaultCertificate(release: Json): string | undefined {
    const chart = renderedChart(release);
    if (!chart) return stringAt(valuesOf(release), "controller.extraArgs.default-ssl-certificate");
    const flag = "--default-ssl-certificate=";
    const controllers = [...renderedOfKind(chart, "Deployment"), ...renderedOfKind(chart, "DaemonSet")].filter((w) => stringMap(at(w, "spec.template.metadata.labels"))["app.kubernetes.io/component"] === "controller");
    return controllers.flatMap(containerArgs).find((a) => a.startsWith(flag))?.slice(flag.length);
}

/**
 * The types of the Services that ingress-nginx's admission webhook is called through: in a
 * render, those the ValidatingWebhookConfigurations name (`clientConfig.service`, a Service
 * without a type being ClusterIP); predicted, `controller.admissionWebhooks.service.type`
 * when set (the chart's default is ClusterIP).
 */
export function admissionWebhookServiceTypes(release: Json): string[] {
    const chart = renderedChart(release);
    if (!chart) {
        const type = stringAt(valuesOf(release), "controller.admissionWebhooks.service.type");
        return type !== undefined ? [type] : [];
    }
    const services = renderedOfKind(chart, "Service");
    return renderedOfKind(chart, "ValidatingWebhookConfiguration")
        .flatMap((c) => arrayAt(c, "webhooks").filter(isRecord))
        .map((w) => recordAt(w, "clientConfig.service"))
        .filter((ref) => typeof ref["name"] === "string")
        .map((ref) => services.find((svc) => stringAt(svc, "metadata.name") === ref["name"] && stringAt(svc, "metadata.namespace") === ref["namespace"]))
        .filter((svc): svc is Json => svc !== undefined)
        .map((svc) => stringAt(svc, "spec.type") ?? "ClusterIP");
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
