import { renderedChartKey } from "../../policy/rendered";
import type { JudgedResource } from "../judge";
import { renderedResourceName, typeToken, type RenderedObject } from "./objects";
import type { RenderedRelease, StackRender } from "./render";

/**
 * Rendered charts as the policy pack receives them (the contract is policy/rendered.ts):
 * every object as a resource under its release, and each release carrying its render.
 */

/** The URN a rendered object gets: a child of its release, named as pulumi-kubernetes names chart objects. */
export function renderedUrn(releaseUrn: string, o: RenderedObject, releaseResource: string): string {
    const at = releaseUrn.lastIndexOf("::");
    return `${releaseUrn.slice(0, at)}$${typeToken(o)}::${renderedResourceName(releaseResource, o)}`;
}

/**
 * `resources` (the program's, as the judge receives them) with the rendered charts added:
 * each release of `render` gets its render under the policy pack's key, and each rendered
 * object follows as a resource whose parent is its release (provider: the release's).
 */
export function withRenderedCharts(resources: readonly JudgedResource[], render: StackRender): JudgedResource[] {
    const byUrn = new Map(render.releases.map((r) => [r.release.urn, r]));
    const out: JudgedResource[] = [];
    for (const resource of resources) {
        const rendered = byUrn.get(resource.urn);
        if (!rendered) {
            out.push(resource);
            continue;
        }
        out.push({ ...resource, props: { ...resource.props, [renderedChartKey]: { version: rendered.chart.version, objects: rendered.objects } } });
        out.push(...renderedResources(rendered, resource));
    }
    return out;
}

function renderedResources(rendered: RenderedRelease, release: JudgedResource): JudgedResource[] {
    return rendered.objects.map((o) => ({
        urn: renderedUrn(release.urn, o, release.name),
        type: typeToken(o),
        name: renderedResourceName(release.name, o),
        props: o,
        parent: release.urn,
        ...(release.provider ? { provider: release.provider } : {}),
        dependencies: [],
    }));
}
