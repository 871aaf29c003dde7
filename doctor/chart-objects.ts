/**
 * The names and labels of the chart-rendered objects the doctor reads, from a Release's
 * inputs in the plan. Each rule mirrors the pinned chart's templates (rendered with Helm
 * v4.1.4 and the charts in shared/charts; test/doctor/fixtures.ts renders them again and
 * fails when a name here is not in the render):
 *
 * - istiod (istio-discovery 1.30): Deployment and PodDisruptionBudget `istiod[-<revision>]`,
 *   pods labelled `app: istiod`, `istio: pilot`, metrics and debug on `prometheus.io/port`
 *   (15014); MutatingWebhookConfiguration `istio-sidecar-injector[-<revision>]`;
 *   ValidatingWebhookConfiguration `istio-validator[-<revision>]-<istioNamespace>`. With
 *   `profile: remote`, no Deployment: a Service `istiod` (ExternalName for a hostname,
 *   EndpointSlice `istiod` for an IP) and the two webhooks.
 * - base (1.30): ValidatingWebhookConfiguration `istiod-default-validator` unless
 *   `defaultRevision` is empty; ServiceAccount `istio-reader-service-account`.
 * - gateway (1.30): Deployment, HorizontalPodAutoscaler, PodDisruptionBudget named
 *   `values.name` (else the release name).
 * - cert-manager (v1.21): Deployments `<fullname>`, `<fullname>-webhook`, `<fullname>-cainjector`,
 *   where fullname is `fullnameOverride`, else the release name when it contains
 *   "cert-manager", else `<release>-cert-manager`; ServiceAccount `serviceAccount.name`.
 * - ingress-nginx (4.15.1): `<fullname>-controller` Deployment and PodDisruptionBudget, where
 *   fullname is `fullnameOverride`, else the release name when it contains "ingress-nginx".
 *
 * This is the one place to switch to the objects the render infrastructure will produce.
 */

/** A Helm release as the plan records it. */
export interface ReleaseInputs {
    readonly name: string;
    readonly namespace: string;
    readonly chart: string;
    readonly values: Readonly<Record<string, unknown>>;
}

/** The chart of a release: the last part of `chart` (`oci://.../istiod` or `istiod`). */
export function chartOf(release: Pick<ReleaseInputs, "chart">): string {
    return release.chart.split("/").pop() ?? release.chart;
}

function revisionSuffix(values: Readonly<Record<string, unknown>>): string {
    const revision = typeof values["revision"] === "string" ? values["revision"] : "";
    return revision === "" ? "" : `-${revision}`;
}

/** What the istiod chart renders that the doctor reads. */
export interface IstiodObjects {
    /** Deployment and PodDisruptionBudget (not rendered with `profile: remote`). */
    readonly deployment?: string;
    readonly podDisruptionBudget?: string;
    /** The label selector of istiod's pods (istioctl selects them by `app=istiod`). */
    readonly podSelector: string;
    readonly mutatingWebhooks: readonly string[];
    readonly validatingWebhooks: readonly string[];
    /** The Service remotes' webhooks name in path mode. */
    readonly service: string;
}

/** The istiod chart's objects for a release. */
export function istiodObjects(release: ReleaseInputs): IstiodObjects {
    const suffix = revisionSuffix(release.values);
    const global = (release.values["global"] ?? {}) as { istioNamespace?: string };
    const istioNamespace = global.istioNamespace ?? "istio-system";
    const remote = release.values["profile"] === "remote";
    return {
        ...(remote ? {} : { deployment: `istiod${suffix}`, podDisruptionBudget: `istiod${suffix}` }),
        podSelector: "app=istiod",
        mutatingWebhooks: [`istio-sidecar-injector${suffix}`],
        validatingWebhooks: [`istio-validator${suffix}-${istioNamespace}`],
        service: `istiod${suffix}`,
    };
}

/** The base chart's validating webhook for the default revision, when it renders one. */
export function baseValidatingWebhooks(release: ReleaseInputs): string[] {
    const defaultRevision = typeof release.values["defaultRevision"] === "string" ? release.values["defaultRevision"] : "default";
    return defaultRevision === "" ? [] : ["istiod-default-validator"];
}

/** The gateway chart's Deployment, HPA and PDB (all the same name). */
export function gatewayObjectsName(release: ReleaseInputs): string {
    return typeof release.values["name"] === "string" && release.values["name"] !== "" ? release.values["name"] : release.name;
}

/** The ingress-nginx chart's controller Deployment and PodDisruptionBudget name. */
export function ingressNginxControllerName(release: ReleaseInputs): string {
    const override = release.values["fullnameOverride"];
    const full = typeof override === "string" && override !== "" ? override : release.name.includes("ingress-nginx") ? release.name : `${release.name}-ingress-nginx`;
    return `${full}-controller`;
}

/** The cert-manager chart's three Deployments (controller, webhook, cainjector). */
export function certManagerDeployments(release: ReleaseInputs): string[] {
    const override = release.values["fullnameOverride"];
    const full = typeof override === "string" && override !== "" ? override : release.name.includes("cert-manager") ? release.name : `${release.name}-cert-manager`;
    return [full, `${full}-webhook`, `${full}-cainjector`];
}

/** The Gateway API edge's objects istiod deploys for a Gateway (kube-gateway.yaml: `<gateway>-<class>`). */
export function gatewayDeploymentName(gateway: string, gatewayClass: string): string {
    return `${gateway}-${gatewayClass}`;
}
