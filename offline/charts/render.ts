import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments, parseDocument } from "yaml";
import type { RecordedResource } from "../engine";
import { chartCache, chooseChart, ChartCacheError, type ChartCache, type ChosenChart } from "./cache";
import { capabilitiesOf, type Capabilities } from "./capabilities";
import { findHelm, HelmUnavailable, projectCacheDir, runHelm, type Helm } from "./helm";
import { helmReleases, UnrenderableRelease, type HelmRelease } from "./releases";
import { clusterScoped, objectKey, type RenderedObject } from "./objects";
import { plain } from "../values";

/**
 * Renders every Helm release of an evaluation with Helm (`helm template`), the release's
 * chart from the chart cache, and exactly what `helm.v3.Release` hands Helm: its merged
 * values, release name and namespace, CRDs unless `skipCrds`, hooks unless
 * `disableWebhooks`, never test hooks (an install does not create them). Each render is
 * done once per process and kept on disk between runs under
 * node_modules/.cache/mesh-ingress/renders, keyed by a hash of everything that shapes it.
 */

/** The chart a release was rendered from. */
export interface RenderedChart extends ChosenChart {
    /** The Helm that rendered it (`v4.1.4`). */
    readonly helm: string;
}

/** One release and the objects its chart renders, as Helm installs them. */
export interface RenderedRelease {
    readonly release: HelmRelease;
    readonly chart: RenderedChart;
    /**
     * The objects, in Helm's order. Namespaced objects without a namespace carry the
     * release's (Helm installs them there); hooks keep their `helm.sh/hook` annotation.
     */
    readonly objects: readonly RenderedObject[];
    /** What the render could not reproduce exactly, or had to interpret (duplicate keys, say). */
    readonly notes: readonly string[];
}

/** Every release of a stack, rendered. */
export interface StackRender {
    readonly stack: string;
    readonly helm: Pick<Helm, "version" | "source" | "path">;
    readonly capabilities: Capabilities;
    readonly chartCache: ChartCache;
    readonly releases: readonly RenderedRelease[];
    /**
     * Objects deployed twice: the same group, kind, namespace and name from two releases,
     * or from a release and the program itself. Helm refuses to install an object that
     * another owner created; Pulumi and Helm would fight over one they both manage.
     */
    readonly duplicates: readonly string[];
}

/** Problems a user can fix (no Helm, a chart missing from the cache), one line each. */
export class RenderProblems extends Error {
    constructor(readonly lines: readonly string[]) {
        super(lines.join("\n"));
        this.name = "RenderProblems";
    }
}

/** Where renders are kept between runs. */
export const renderCacheDir = path.join(projectCacheDir, "renders");

/** Options of {@link renderEvaluation}. */
export interface RenderOptions {
    /** The chart cache. @default chartCache() (MESH_INGRESS_CHART_CACHE, else the project's own) */
    readonly chartCache?: ChartCache;
    /** Keep renders on disk between runs. @default true */
    readonly diskCache?: boolean;
}

/**
 * Renders every release among `resources` (an evaluation of the stack, best the `up` one:
 * its computed values are plausible placeholders, as Helm receives real ones). Throws
 * {@link RenderProblems} for what the user can fix, and `HelmFailed` (./helm) when a chart
 * refuses the values the program built (a bug of the program).
 */
export async function renderEvaluation(stack: string, resources: readonly RecordedResource[], options: RenderOptions = {}): Promise<StackRender> {
    let releases: HelmRelease[];
    try {
        releases = await helmReleases(resources);
    } catch (e) {
        if (e instanceof UnrenderableRelease) throw new RenderProblems([e.message]);
        throw e;
    }
    return renderReleases(stack, releases, { capabilities: capabilitiesOf(resources), resources }, options);
}

/**
 * Renders releases for a cluster with the given capabilities; `resources` (the program's
 * own, when known) are checked for objects that a chart deploys too.
 */
export async function renderReleases(
    stack: string,
    releases: readonly HelmRelease[],
    cluster: { readonly capabilities: Capabilities; readonly resources?: readonly RecordedResource[] },
    options: RenderOptions = {},
): Promise<StackRender> {
    const problems: string[] = [];
    let cache: ChartCache | undefined;
    try {
        cache = options.chartCache ?? chartCache();
    } catch (e) {
        if (e instanceof ChartCacheError) throw new RenderProblems([e.message]);
        throw e;
    }
    const chosen = new Map<HelmRelease, ChosenChart>();
    for (const release of releases) {
        try {
            chosen.set(release, release.localPath !== undefined ? localChart(release) : chooseChart(cache, release.chart, release.version));
        } catch (e) {
            if (e instanceof ChartCacheError) problems.push(`${release.resource}: ${e.message}`);
            else throw e;
        }
    }
    let helm: Helm | undefined;
    try {
        helm = await findHelm();
    } catch (e) {
        if (e instanceof HelmUnavailable) problems.push(e.message);
        else throw e;
    }
    if (problems.length > 0 || helm === undefined) throw new RenderProblems(problems);

    const { capabilities } = cluster;
    const manifests = await Promise.all(releases.map((r) => renderManifest(helm, r, chosen.get(r)!, capabilities, options.diskCache ?? true)));
    const parsed = releases.map((release, i) => ({ release, chart: { ...chosen.get(release)!, helm: helm.version }, ...parsedManifest(manifests[i]!) }));
    const scoped = clusterScoped(parsed.flatMap((p) => p.objects));
    const rendered: RenderedRelease[] = parsed.map((p) => ({
        release: p.release,
        chart: p.chart,
        objects: p.objects.map((o) => withNamespace(o, p.release.namespace, scoped)),
        notes: [...p.release.notes, ...p.notes],
    }));
    return {
        stack,
        helm: { version: helm.version, source: helm.source, path: helm.path },
        capabilities,
        chartCache: cache,
        releases: rendered,
        duplicates: duplicates(rendered, cluster.resources ?? []),
    };
}

function localChart(release: HelmRelease): ChosenChart {
    return { name: release.chart, version: release.version, file: release.localPath!, pinned: release.version, substituted: false };
}

/** Helm's arguments for one release (the values file is passed separately). */
export function templateArgs(release: HelmRelease, chartFile: string, capabilities: Capabilities, valuesFile: string): string[] {
    return [
        "template",
        release.name,
        chartFile,
        "--namespace",
        release.namespace,
        "--values",
        valuesFile,
        "--kube-version",
        capabilities.kubeVersion,
        ...capabilities.apiVersions.flatMap((v) => ["--api-versions", v]),
        ...(release.includeCrds ? ["--include-crds"] : []),
        ...(release.hooks ? [] : ["--no-hooks"]),
        "--skip-tests",
    ];
}

const inProcess = new Map<string, Promise<string>>();
const parsedManifests = new Map<string, { objects: RenderedObject[]; notes: string[] }>();

/** A manifest parsed once per process (the objects are shared: never change them). */
function parsedManifest(manifest: string): { objects: RenderedObject[]; notes: string[] } {
    let parsed = parsedManifests.get(manifest);
    if (parsed === undefined) {
        parsed = parseManifest(manifest);
        parsedManifests.set(manifest, parsed);
    }
    return parsed;
}
const fileHashes = new Map<string, string>();

function fileHash(file: string): string {
    const stat = fs.statSync(file);
    const id = `${file}:${stat.size}:${stat.mtimeMs}`;
    let hash = fileHashes.get(id);
    if (hash === undefined) {
        hash = stat.isDirectory() ? `dir:${id}` : createHash("sha256").update(fs.readFileSync(file)).digest("hex");
        fileHashes.set(id, hash);
    }
    return hash;
}

/** The manifest Helm renders for a release: from memory, else from disk, else from Helm. */
function renderManifest(helm: Helm, release: HelmRelease, chart: ChosenChart, capabilities: Capabilities, disk: boolean): Promise<string> {
    const key = createHash("sha256")
        .update(
            canonicalJson({
                helm: helm.version,
                chart: fileHash(chart.file),
                name: release.name,
                namespace: release.namespace,
                values: release.values,
                includeCrds: release.includeCrds,
                hooks: release.hooks,
                capabilities,
            }),
        )
        .digest("hex");
    let pending = inProcess.get(key);
    if (pending === undefined) {
        pending = (async () => {
            const cached = path.join(renderCacheDir, `${key}.yaml`);
            if (disk && fs.existsSync(cached)) return fs.readFileSync(cached, "utf8");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-values-"));
            try {
                const valuesFile = path.join(dir, "values.json");
                fs.writeFileSync(valuesFile, JSON.stringify(release.values));
                const manifest = await runHelm(helm, templateArgs(release, chart.file, capabilities, valuesFile));
                if (disk) writeQuietly(cached, manifest);
                return manifest;
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        })();
        pending.catch(() => inProcess.delete(key));
        inProcess.set(key, pending);
    }
    return pending;
}

/** Writes a cache file atomically; a cache that cannot be written is no error. */
function writeQuietly(file: string, text: string): void {
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const partial = `${file}.${process.pid}.partial`;
        fs.writeFileSync(partial, text);
        fs.renameSync(partial, file);
    } catch {
        // read-only or full: render again next time
    }
}

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_, v: unknown) =>
        v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    );
}

/** The objects of a rendered manifest (empty documents dropped, `List`s expanded). */
export function parseManifest(manifest: string): { objects: RenderedObject[]; notes: string[] } {
    const objects: RenderedObject[] = [];
    const notes: string[] = [];
    // Kubernetes' YAML decoding keeps the last of repeated keys: a document with one is read again leniently, and noted.
    parseAllDocuments(manifest, { uniqueKeys: true }).forEach((strict) => {
        const repeated = strict.errors.find((e) => e.code === "DUPLICATE_KEY");
        const doc = repeated ? parseDocument(manifest.slice(strict.range[0], strict.range[2]), { uniqueKeys: false }) : strict;
        if (doc.errors.length > 0) throw new Error(`Helm rendered a document that is not YAML: ${doc.errors[0]!.message}`);
        const value = doc.toJS() as unknown;
        if (value === null || value === undefined) return;
        if (typeof value !== "object" || Array.isArray(value)) throw new Error(`Helm rendered a document that is not an object: ${String(doc).slice(0, 200)}`);
        const object = value as RenderedObject;
        const items = typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object["items"]) ? (object["items"] as RenderedObject[]) : [object];
        for (const item of items) {
            if (typeof item.apiVersion !== "string" || typeof item.kind !== "string" || typeof item.metadata?.name !== "string") {
                throw new Error(`Helm rendered an object without apiVersion, kind or metadata.name: ${JSON.stringify(item).slice(0, 200)}`);
            }
            objects.push(item);
        }
        if (repeated) notes.push(`${objectKey(object)} repeats a key (${repeated.message.split("\n")[0] ?? ""}); Kubernetes keeps the last one`);
    });
    return { objects, notes };
}

function withNamespace(o: RenderedObject, namespace: string, scoped: (o: RenderedObject) => boolean | undefined): RenderedObject {
    if (o.metadata.namespace !== undefined || scoped(o) !== false) return o;
    return { ...o, metadata: { ...o.metadata, namespace } };
}

/** Objects that two owners deploy (see {@link StackRender.duplicates}). */
function duplicates(releases: readonly RenderedRelease[], resources: readonly RecordedResource[]): string[] {
    const owners = new Map<string, string[]>();
    const add = (key: string, owner: string): void => {
        owners.set(key, [...(owners.get(key) ?? []), owner]);
    };
    for (const r of releases) for (const o of r.objects) add(objectKey(o), `release ${r.release.resource}`);
    for (const r of resources) {
        const m = /^kubernetes:([^:]+):([^:]+)$/.exec(r.type);
        if (!r.custom || r.read || !m || r.type.startsWith("kubernetes:helm.sh/") || r.type.startsWith("kubernetes:yaml/")) continue;
        const metadata = (plain(r.inputs["metadata"], { computedAs: undefined }) ?? {}) as { name?: unknown; namespace?: unknown };
        if (typeof metadata.name !== "string") continue;
        const apiVersion = m[1]!.replace(/^core\//, "");
        add(objectKey({ apiVersion, kind: m[2]!, metadata: { name: metadata.name, ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}) } }), `the program's ${r.name}`);
    }
    return [...owners.entries()].filter(([, o]) => o.length > 1).map(([key, o]) => `${key} is deployed by ${o.join(" and ")}`);
}
