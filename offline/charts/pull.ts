import * as fs from "node:fs";
import * as semver from "semver";
import { cachedCharts, type ChartCache } from "./cache";
import { HelmFailed, runHelm, type Helm } from "./helm";
import type { HelmRelease } from "./releases";

/**
 * `npm run charts`: pulls the charts the stacks pin into the chart cache with `helm pull`
 * (the network is needed), so that renders work offline afterwards.
 */

/** A chart at a pinned version, and where to pull it from. */
export interface PinnedChart {
    readonly chart: string;
    readonly version: string;
    /** `oci://...` chart reference, or the chart's name in {@link repository}. */
    readonly reference: string;
    /** The https:// repository, when the chart is not an oci:// one. */
    readonly repository: string | undefined;
    /** The releases (by resource name, with their stack) that pin it. */
    readonly pinnedBy: readonly string[];
}

/** The distinct charts that releases pin (local charts need no pull). */
export function pinnedCharts(releases: readonly { readonly stack: string; readonly release: HelmRelease }[]): PinnedChart[] {
    const byKey = new Map<string, PinnedChart>();
    for (const { stack, release } of releases) {
        if (release.localPath !== undefined) continue;
        const key = `${release.reference}|${release.repository ?? ""}|${release.version}`;
        const known = byKey.get(key);
        const by = `${stack}: ${release.resource}`;
        byKey.set(key, known ? { ...known, pinnedBy: [...known.pinnedBy, by] } : { chart: release.chart, version: release.version, reference: release.reference, repository: release.repository, pinnedBy: [by] });
    }
    return [...byKey.values()].sort((a, b) => (a.chart === b.chart ? semver.compare(a.version, b.version) : a.chart < b.chart ? -1 : 1));
}

/** The arguments of the `helm pull` that puts `chart` into `dir` as `<chart>-<version>.tgz`. */
export function pullArgs(chart: PinnedChart, dir: string): string[] {
    const where = chart.repository !== undefined && !chart.reference.startsWith("oci://") ? [chart.reference, "--repo", chart.repository] : [chart.reference];
    return ["pull", ...where, "--version", chart.version, "--destination", dir];
}

/** What happened to one chart. */
export type PullResult =
    | { readonly chart: PinnedChart; readonly status: "cached"; readonly file: string }
    | { readonly chart: PinnedChart; readonly status: "pulled" | "would pull"; readonly args: readonly string[] }
    | { readonly chart: PinnedChart; readonly status: "failed"; readonly args: readonly string[]; readonly reason: string };

/**
 * Pulls every chart the cache does not have at its exact pinned version (an older patch
 * that a render may stand in with does not count). With `dryRun`, only says what it would pull.
 */
export async function pullCharts(charts: readonly PinnedChart[], cache: ChartCache, helm: Helm | undefined, options: { dryRun?: boolean } = {}): Promise<PullResult[]> {
    const results: PullResult[] = [];
    for (const chart of charts) {
        const have = cachedCharts(cache.dir).find((c) => c.name === chart.chart && semver.valid(c.version) && semver.eq(c.version, chart.version));
        if (have) {
            results.push({ chart, status: "cached", file: have.file });
            continue;
        }
        const args = pullArgs(chart, cache.dir);
        if (options.dryRun || helm === undefined) {
            results.push({ chart, status: "would pull", args });
            continue;
        }
        try {
            fs.mkdirSync(cache.dir, { recursive: true });
            await runHelm(helm, args, { timeoutMs: 300000 });
            results.push({ chart, status: "pulled", args });
        } catch (e) {
            const reason = e instanceof HelmFailed ? e.stderr.split("\n")[0] ?? "" : (e as Error).message;
            results.push({ chart, status: "failed", args, reason });
        }
    }
    return results;
}
