import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { projectCacheDir } from "./helm";

/**
 * The chart cache: a folder of packaged charts named as `helm pull` names them
 * (`<chart>-<version>.tgz`, e.g. `istiod-1.30.5.tgz`, `cert-manager-v1.21.3.tgz`).
 * `npm run charts` fills it; `MESH_INGRESS_CHART_CACHE` points at another one (CI uses
 * the shared `../shared/charts`).
 *
 * The rule for versions: the pinned version when the cache has it; otherwise the newest
 * older patch of the same minor (pinned 1.30.5, cached 1.30.3), which the render reports
 * as a substitution. A newer patch or another minor is never substituted.
 */

/** The environment variable naming an existing chart cache. */
export const chartCacheVariable = "MESH_INGRESS_CHART_CACHE";

/** Where `npm run charts` pulls to when the variable is not set. */
export const defaultChartCache = path.join(projectCacheDir, "charts");

/** Raised when the cache cannot be used or lacks a chart; the commands report it as one line (exit 2). */
export class ChartCacheError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ChartCacheError";
    }
}

/** The chart cache folder and where its location came from. */
export interface ChartCache {
    readonly dir: string;
    /** `variable`: from MESH_INGRESS_CHART_CACHE; `default`: the project's own cache. */
    readonly from: "variable" | "default";
}

/**
 * The chart cache to read: the folder named by {@link chartCacheVariable} (relative paths
 * from the current directory), which must exist, else the project's default cache.
 */
export function chartCache(env: NodeJS.ProcessEnv = process.env): ChartCache {
    const named = env[chartCacheVariable];
    if (named !== undefined && named !== "") {
        const dir = path.resolve(named);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
            throw new ChartCacheError(`${chartCacheVariable} = ${named}: expected an existing folder of packaged charts (${dir} is not one)`);
        }
        return { dir, from: "variable" };
    }
    return { dir: defaultChartCache, from: "default" };
}

/** One packaged chart of the cache. */
export interface CachedChart {
    readonly name: string;
    /** The version as the file names it (`v1.21.1` keeps its `v`). */
    readonly version: string;
    readonly file: string;
}

/** The packaged charts in `dir` (an absent folder has none). */
export function cachedCharts(dir: string): CachedChart[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .map((f) => /^(.+?)-(v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)\.tgz$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null && semver.valid(m[2]) !== null)
        .map((m) => ({ name: m[1]!, version: m[2]!, file: path.join(dir, m[0]) }));
}

/** The chart file chosen for a pinned version. */
export interface ChosenChart extends CachedChart {
    /** The version the release pins. */
    readonly pinned: string;
    /** True when the cache had only an older patch of the pinned minor, which is rendered instead. */
    readonly substituted: boolean;
}

/**
 * The cached chart to render for `name` pinned at `pinned`: that exact version, else the
 * newest older patch of the same major.minor. Throws {@link ChartCacheError} naming what the
 * cache has otherwise.
 */
export function chooseChart(cache: ChartCache, name: string, pinned: string): ChosenChart {
    const want = semver.parse(pinned);
    if (!want) throw new ChartCacheError(`chart ${name} is pinned at '${pinned}', which is not an exact version: a render needs one`);
    const same = cachedCharts(cache.dir).filter((c) => c.name === name);
    const exact = same.find((c) => semver.eq(c.version, want));
    if (exact) return { ...exact, pinned, substituted: false };
    const olderPatches = same
        .filter((c) => {
            const v = semver.parse(c.version)!;
            return v.major === want.major && v.minor === want.minor && v.prerelease.length === 0 && semver.lt(v, want);
        })
        .sort((a, b) => semver.rcompare(a.version, b.version));
    const older = olderPatches[0];
    if (older) return { ...older, pinned, substituted: true };
    const has = same.length > 0 ? `it has ${name} ${same.map((c) => c.version).sort(semver.compare).join(", ")}` : `it has no ${name} chart`;
    const where = cache.from === "variable" ? `${chartCacheVariable} = ${cache.dir}` : `the chart cache ${cache.dir}`;
    throw new ChartCacheError(`chart ${name} ${pinned} is not in ${where} (${has}; only an older patch of ${want.major}.${want.minor} may stand in): run npm run charts (needs the network), or set ${chartCacheVariable} to a cache that has it`);
}
