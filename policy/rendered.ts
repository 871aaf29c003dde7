import type { PolicyResource } from "@pulumi/policy";
import { arrayAt, isRecord, stringAt, type Json } from "./helpers";

/**
 * Rendered charts, when the pack has them. CrossGuard sees a Helm release's inputs only:
 * in a real `pulumi preview` the pack predicts what a chart deploys from its values
 * (`charts.ts`). The offline plan can do better: `npm run plan -- --render` renders every
 * release with Helm and hands the result to the pack in two ways.
 *
 * - Each rendered object is a resource of its own (its kind's type token, the release as
 *   parent), so every rule over Kubernetes objects judges it like the program's own.
 * - The release's properties carry the render under {@link renderedChartKey}, so rules over
 *   a release read what its chart really deploys instead of predicting it.
 *
 * Rules that predict from values do so only when a release carries no render.
 */

/** The property of a release under which the offline judge puts its rendered chart. Not a Release input. */
export const renderedChartKey = "__renderedChart";

/** A release's chart as Helm rendered it. */
export interface RenderedChart {
    /** The chart version rendered (an older patch of the pinned one when the cache had only that). */
    readonly version: string;
    /** The objects, with namespaces as Helm installs them. */
    readonly objects: readonly Json[];
}

/** The rendered chart of a release, or undefined when the pack has none (always, under CrossGuard). */
export function renderedChart(release: Json): RenderedChart | undefined {
    const value = release[renderedChartKey];
    if (!isRecord(value) || !Array.isArray(value["objects"])) return undefined;
    return { version: stringAt(value, "version") ?? "", objects: arrayAt(value, "objects").filter(isRecord) };
}

/** The rendered objects of a kind (`Deployment`, `Service`), in Helm's order. */
export function renderedOfKind(chart: RenderedChart, kind: string): Json[] {
    return chart.objects.filter((o) => o["kind"] === kind);
}

/**
 * True when a resource of a stack is an object of a rendered chart: its parent is a
 * release that carries a render (the offline judge sets both).
 */
export function isRenderedObject(resource: PolicyResource): boolean {
    const parent = resource.parent;
    return parent !== undefined && parent.type === "kubernetes:helm.sh/v3:Release" && renderedChart(parent.props as Json) !== undefined;
}
