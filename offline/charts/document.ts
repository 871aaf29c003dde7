import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { secretMark } from "../values";
import { renderedUrn } from "./judged";
import { renderedResourceName, typeToken, type RenderedObject } from "./objects";
import type { RenderedRelease, StackRender } from "./render";

/**
 * What `--render` adds to the plan document and what `npm run render` prints: the rendered
 * objects (secrets of the release's values never in clear) and a summary of each render.
 */

/** Where a rendered resource of the plan comes from. */
export interface RenderedFrom {
    /** The release's resource name (the resource's parent). */
    readonly release: string;
    readonly chart: string;
    /** The chart version rendered. */
    readonly version: string;
    /** The version the release pins (differs when an older cached patch stood in). */
    readonly pinnedVersion: string;
}

/** One release's render, summarised. */
export interface ChartRenderSummary {
    readonly release: string;
    readonly chart: string;
    readonly pinnedVersion: string;
    readonly renderedVersion: string;
    /** True when the cache had only an older patch of the pinned minor, which was rendered instead. */
    readonly substituted: boolean;
    /** The packaged chart rendered. */
    readonly file: string;
    readonly name: string;
    readonly namespace: string;
    readonly objects: number;
    readonly notes: readonly string[];
}

/** The `charts` section of a plan document (and of `npm run render -- --json`). */
export interface ChartsSection {
    readonly helm: string;
    readonly kubeVersion: string;
    readonly apiVersions: readonly string[];
    readonly chartCache: string;
    readonly releases: readonly ChartRenderSummary[];
    readonly duplicates: readonly string[];
}

/** The summary of a stack's render. */
export function chartsSection(render: StackRender): ChartsSection {
    return {
        helm: render.helm.version,
        kubeVersion: render.capabilities.kubeVersion,
        apiVersions: render.capabilities.apiVersions,
        chartCache: render.chartCache.dir,
        releases: render.releases.map((r) => ({
            release: r.release.resource,
            chart: r.release.chart,
            pinnedVersion: r.chart.pinned,
            renderedVersion: r.chart.version,
            substituted: r.chart.substituted,
            file: r.chart.file,
            name: r.release.name,
            namespace: r.release.namespace,
            objects: r.objects.length,
            notes: r.notes,
        })),
        duplicates: render.duplicates,
    };
}

/** One line saying that an older patch was rendered, or undefined when the pinned version was. */
export function substitutionNote(r: RenderedRelease): string | undefined {
    return r.chart.substituted
        ? `${r.release.resource}: chart ${r.release.chart} ${r.chart.pinned} is pinned, but the chart cache has only ${r.chart.version}; rendered ${r.chart.version} (the same minor, an older patch)`
        : undefined;
}

/** The objects of a release as printed: every secret string of the release's values (plain or base64) as "[secret]". */
export function printableObjects(r: RenderedRelease): RenderedObject[] {
    const secrets = r.release.secrets.flatMap((s) => [s, Buffer.from(s).toString("base64")]);
    if (secrets.length === 0) return [...r.objects];
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") return secrets.some((s) => v.includes(s)) ? secretMark : v;
        if (Array.isArray(v)) return v.map(walk);
        if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        return v;
    };
    return r.objects.map((o) => walk(o) as RenderedObject);
}

/** A rendered object as a resource of the plan document. */
export interface RenderedPlanResource {
    readonly type: string;
    readonly name: string;
    readonly custom: true;
    readonly read: false;
    readonly parent: string;
    readonly provider: string | null;
    readonly inputs: unknown;
    readonly urn: string;
    readonly dependsOn: readonly string[];
    readonly options: Record<string, never>;
    readonly renderedFrom: RenderedFrom;
}

/** The rendered objects as plan resources, under their release (`provider`: the release's). */
export function renderedPlanResources(render: StackRender, providerOf: (releaseUrn: string) => string | null): RenderedPlanResource[] {
    return render.releases.flatMap((r) =>
        printableObjects(r).map((o) => ({
            type: typeToken(o),
            name: renderedResourceName(r.release.resource, o),
            custom: true as const,
            read: false as const,
            parent: r.release.resource,
            provider: providerOf(r.release.urn),
            inputs: o,
            urn: renderedUrn(r.release.urn, o, r.release.resource),
            dependsOn: [],
            options: {},
            renderedFrom: { release: r.release.resource, chart: r.release.chart, version: r.chart.version, pinnedVersion: r.chart.pinned },
        })),
    );
}

/** What `npm run render -- --json` prints: the charts section, each release with its objects. */
export function renderDocument(render: StackRender): { stack: string } & Omit<ChartsSection, "releases"> & { releases: (Omit<ChartRenderSummary, "objects"> & { objects: RenderedObject[] })[] } {
    const summary = chartsSection(render);
    return { stack: render.stack, ...summary, releases: render.releases.map((r, i) => ({ ...summary.releases[i]!, objects: printableObjects(r) })) };
}

/** One release as `npm run render` prints it: a comment naming the chart and version, then its objects as YAML documents. */
export function releaseYaml(render: StackRender, r: RenderedRelease): string {
    const header = [
        `# Release ${r.release.resource}: Helm release '${r.release.name}' in namespace ${r.release.namespace}, chart ${r.release.chart} ${r.chart.version}` +
            (r.chart.substituted ? ` (pinned ${r.chart.pinned}; the chart cache has only ${r.chart.version}, an older patch)` : ""),
        `# Rendered by Helm ${render.helm.version} for Kubernetes ${render.capabilities.kubeVersion}; ${r.objects.length} objects.`,
        ...r.notes.map((n) => `# Note: ${n}`),
    ];
    const docs = printableObjects(r).map((o) => `---\n${stringify(o, { lineWidth: 0 })}`);
    return `${header.join("\n")}\n${docs.join("")}`;
}

/** Writes `<release>.yaml` per release into `dir` (created if needed); returns one line per file for the user. */
export function writeReleaseFiles(render: StackRender, dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    return render.releases.map((r) => {
        const file = path.join(dir, `${r.release.resource}.yaml`);
        fs.writeFileSync(file, releaseYaml(render, r));
        return `${file}: ${r.objects.length} objects (chart ${r.release.chart} ${r.chart.version}${r.chart.substituted ? `, pinned ${r.chart.pinned}` : ""})`;
    });
}
