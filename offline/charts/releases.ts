import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type { RecordedResource } from "../engine";
import { projectDir } from "../stack-files";
import { plain } from "../values";

/**
 * The Helm releases of an evaluation, as `kubernetes:helm.sh/v3:Release` hands them to
 * Helm (pulumi/pulumi-kubernetes `provider/pkg/provider/helm_release.go`): the values are
 * `valueYamlFiles` merged in order, then `values` merged over them (Helm's `MergeMaps`,
 * a deep merge of maps); the release name is `name` (the provider auto-names from the
 * resource name otherwise); the namespace is `namespace` (the provider's default namespace
 * otherwise); CRDs from the chart's `crds/` folder are installed unless `skipCrds`; hooks
 * run unless `disableWebhooks`.
 */

/** The type token of a Helm release. */
export const releaseType = "kubernetes:helm.sh/v3:Release";

/** One Helm release, with everything a render needs. */
export interface HelmRelease {
    /** The Pulumi resource's name (`mesh-istiod`). */
    readonly resource: string;
    readonly urn: string;
    /** The chart's name (`istiod`, `cert-manager`). */
    readonly chart: string;
    /** The chart as the release names it (`istiod`, `oci://quay.io/jetstack/charts/cert-manager`). */
    readonly reference: string;
    /** The https:// repository (`repositoryOpts.repo`), when the chart is not an oci:// or local one. */
    readonly repository: string | undefined;
    /** A local chart (folder or .tgz) the release points at, resolved from the project folder. */
    readonly localPath: string | undefined;
    /** The pinned chart version (`1.30.5`). */
    readonly version: string;
    /** The Helm release name. */
    readonly name: string;
    readonly namespace: string;
    /** The values Helm receives: valueYamlFiles, then values, merged. Secrets unwrapped. */
    readonly values: Record<string, unknown>;
    /** False when the release sets `skipCrds`. */
    readonly includeCrds: boolean;
    /** False when the release sets `disableWebhooks` (Helm's --no-hooks). */
    readonly hooks: boolean;
    /** Secret strings inside the values, to keep out of what is printed. */
    readonly secrets: readonly string[];
    /** What the render cannot reproduce exactly (an auto-named release, say). */
    readonly notes: readonly string[];
}

/** Raised when a release cannot be rendered offline (a remote values file, a post-renderer). */
export class UnrenderableRelease extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnrenderableRelease";
    }
}

/** A value that is only known after deployment, as a render shows it. */
export const computedPlaceholder = "offline-computed-value";

/** The releases among recorded resources, in registration order. */
export async function helmReleases(resources: readonly RecordedResource[]): Promise<HelmRelease[]> {
    const out: HelmRelease[] = [];
    for (const r of resources.filter((x) => x.type === releaseType && !x.read)) out.push(await helmRelease({ name: r.name, urn: r.urn, inputs: r.inputs }));
    return out;
}

/**
 * One release from its resource name, URN and inputs: as recorded (secrets wrapped,
 * assets as assets) or as plain JSON (a policy test's fixture).
 */
export async function helmRelease(r: { readonly name: string; readonly urn: string; readonly inputs: Readonly<Record<string, unknown>> }): Promise<HelmRelease> {
    const inputs = r.inputs;
    const notes: string[] = [];
    const text = (key: string): string | undefined => {
        const v = plain(inputs[key], { computedAs: undefined });
        return typeof v === "string" && v !== "" ? v : undefined;
    };
    if (text("postrender") !== undefined) throw new UnrenderableRelease(`release ${r.name} sets postrender, which an offline render cannot run`);
    const reference = text("chart");
    const version = text("version");
    if (reference === undefined) throw new UnrenderableRelease(`release ${r.name} names no chart`);
    if (version === undefined) throw new UnrenderableRelease(`release ${r.name} pins no chart version (chart ${reference})`);
    const repository = stringIn(plain(inputs["repositoryOpts"], { computedAs: undefined }), "repo");
    const localPath = localChart(reference);

    const computed: string[] = [];
    let values: Record<string, unknown> = {};
    for (const file of Array.isArray(inputs["valueYamlFiles"]) ? (inputs["valueYamlFiles"] as unknown[]) : []) {
        values = mergeMaps(values, await valuesFile(file, r.name));
    }
    values = mergeMaps(values, (plainValues(inputs["values"], computed) as Record<string, unknown> | undefined) ?? {});
    if (computed.length > 0) notes.push(`values known only after deployment rendered as '${computedPlaceholder}': ${computed.join(", ")}`);

    const name = text("name") ?? r.name;
    if (text("name") === undefined) notes.push(`no release name: rendered as '${r.name}' (the provider adds a random suffix)`);
    const namespace = text("namespace") ?? "default";
    if (text("namespace") === undefined) notes.push("no namespace: rendered into 'default' (the provider's default namespace)");
    return {
        resource: r.name,
        urn: r.urn,
        chart: chartName(reference),
        reference,
        repository: localPath === undefined && !reference.startsWith("oci://") ? repository : undefined,
        localPath,
        version,
        name,
        namespace,
        values,
        includeCrds: plain(inputs["skipCrds"]) !== true,
        hooks: plain(inputs["disableWebhooks"]) !== true,
        secrets: secretStrings(inputs["values"]),
        notes,
    };
}

/** The chart's name from a release's `chart`: the last path segment, without a packaged chart's version. */
export function chartName(reference: string): string {
    const last = reference.replace(/\/+$/, "").split("/").pop() ?? reference;
    return /^(.*?)-v?\d+\.\d+\.\d+[^/]*\.tgz$/.exec(last)?.[1] ?? last;
}

function localChart(reference: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) return undefined;
    const candidate = path.resolve(projectDir, reference);
    return (reference.startsWith(".") || path.isAbsolute(reference)) && fs.existsSync(candidate) ? candidate : undefined;
}

function stringIn(value: unknown, key: string): string | undefined {
    const v = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
    return typeof v === "string" && v !== "" ? v : undefined;
}

/** Values with secrets unwrapped and computed values as {@link computedPlaceholder} (their paths noted). */
function plainValues(value: unknown, computed: string[], at = ""): unknown {
    if (pulumi.runtime.isRpcSecret(value)) return plainValues(pulumi.runtime.unwrapRpcSecret(value), computed, at);
    if (pulumi.isUnknown(value)) {
        computed.push(at || "values");
        return computedPlaceholder;
    }
    if (Array.isArray(value)) return value.map((v, i) => plainValues(v, computed, `${at}[${i}]`));
    if (value !== null && typeof value === "object" && !pulumi.asset.Asset.isInstance(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plainValues(v, computed, at ? `${at}.${k}` : k);
        return out;
    }
    return value;
}

/** Every string that is (inside) a secret of `value`. */
function secretStrings(value: unknown, inSecret = false): string[] {
    if (pulumi.runtime.isRpcSecret(value)) return secretStrings(pulumi.runtime.unwrapRpcSecret(value), true);
    if (typeof value === "string") return inSecret && value !== "" ? [value] : [];
    if (Array.isArray(value)) return value.flatMap((v) => secretStrings(v, inSecret));
    if (value !== null && typeof value === "object") return Object.values(value).flatMap((v) => secretStrings(v, inSecret));
    return [];
}

async function valuesFile(file: unknown, release: string): Promise<Record<string, unknown>> {
    let text: string;
    if (file instanceof pulumi.asset.StringAsset) text = await file.text;
    else if (file instanceof pulumi.asset.FileAsset) text = fs.readFileSync(path.resolve(projectDir, await file.path), "utf8");
    else throw new UnrenderableRelease(`release ${release} has a valueYamlFiles entry that is not a file or string asset, which an offline render cannot read`);
    const parsed = parseYaml(text) as unknown;
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** Helm's `MergeMaps`: `b` over `a`, maps merged key by key, anything else replaced. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
        const old = out[k];
        out[k] = isMap(v) && isMap(old) ? mergeMaps(old, v) : v;
    }
    return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}
