import type { RenderedObject } from "../offline/charts/objects";
import type { RenderedRelease, StackRender } from "../offline/charts/render";

/**
 * The chart-rendered objects the doctor reads, taken from the stack's render (offline/charts:
 * each Helm release rendered with Helm and its pinned chart from the chart cache, as
 * `npm run render` shows them). Nothing here restates a chart's naming rules: a name the
 * doctor expects is the name of an object in the render.
 */

/** The release of a chart (`istiod`, `gateway`, `ingress-nginx`), in a namespace when given. */
export function releaseOf(render: StackRender, chart: string, namespace?: string): RenderedRelease | undefined {
    return render.releases.find((r) => r.release.chart === chart && (namespace === undefined || r.release.namespace === namespace));
}

/** The objects of a kind in a release's render, in Helm's order. */
export function objectsOf(release: RenderedRelease | undefined, kind: string): RenderedObject[] {
    return (release?.objects ?? []).filter((o) => o.kind === kind);
}

/** The names of the objects of a kind in a release's render. */
export function namesOf(release: RenderedRelease | undefined, kind: string): string[] {
    return objectsOf(release, kind).map((o) => o.metadata.name);
}

/** A label selector as `kubectl -l` takes it, from a Deployment's `spec.selector.matchLabels`. */
export function selectorOf(deployment: RenderedObject): string {
    const labels = ((deployment["spec"] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {});
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** The one object of a kind a release renders (the first when it renders several), and its release. */
export function firstOf(release: RenderedRelease | undefined, kind: string): RenderedObject | undefined {
    return objectsOf(release, kind)[0];
}

/** The HorizontalPodAutoscaler of a release that scales a Deployment. */
export function autoscalerOf(release: RenderedRelease | undefined, deployment: string): RenderedObject | undefined {
    return objectsOf(release, "HorizontalPodAutoscaler").find((h) => {
        const target = (h["spec"] as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
        return target?.kind === "Deployment" && target.name === deployment;
    });
}

/** The PodDisruptionBudget of a release that covers a Deployment's pods (its selector's labels are the pods'). */
export function disruptionBudgetOf(release: RenderedRelease | undefined, deployment: RenderedObject): RenderedObject | undefined {
    const podLabels = ((deployment["spec"] as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels ?? {});
    return objectsOf(release, "PodDisruptionBudget").find((p) => {
        const match = (p["spec"] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
        return match !== undefined && Object.entries(match).every(([k, v]) => podLabels[k] === v);
    });
}

/** The Gateway API edge's objects istiod deploys for a Gateway (kube-gateway.yaml: `<gateway>-<class>`); not in any chart render. */
export function gatewayDeploymentName(gateway: string, gatewayClass: string): string {
    return `${gateway}-${gatewayClass}`;
}
