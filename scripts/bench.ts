import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { evaluate, type Program, type SampleLookup, type StackSample } from "../offline/engine";
import { loadProgram, plan, projectDir, type ConfigOverrides } from "../offline/plan";
import { anotherRemote, readSamples, sampleLookup } from "../offline/samples";
import { readProjectFile } from "../offline/stack-files";
import { runCommand } from "../offline/cli/command";

/**
 * npm run bench -- [--reps N (10)] [--warmup N (2)] [--only id,id] [--json FILE]
 *
 * Plans each variant below with the real program under the shared mock engine, and
 * beside it a baseline: a synthetic program that registers as many bare resources, in
 * the same engine, with the same mocks, in the same process, the two taking turns. It
 * prints, per variant: the resources; the wall time of the whole plan (evaluation and
 * policy pack), of the program's evaluation alone and of the baseline's, and their ratio;
 * the same for CPU time; and the peak memory (RSS) of the variant's process and of a
 * process that ran only the baseline. Times are medians over the rounds, after warm-up
 * rounds, measured around the evaluation (module loading excluded). Then, per scale
 * (remotes; later edge hosts), how the evaluation's time grows: a least-squares line
 * through the points and how well it fits.
 *
 * Each variant runs in a fresh child process, so that its peak memory is its own; the
 * baseline's peak is measured in another fresh process that imports the program too, so
 * that both count the same loaded modules.
 */

/** One configuration to measure. */
export interface BenchVariant {
    /** Short id, for `--only`. */
    readonly id: string;
    /** What it is, for the table. */
    readonly title: string;
    /** The stack file it starts from. */
    readonly stack: string;
    /** Changes to the stack's configuration. */
    readonly overrides?: ConfigOverrides;
    /** Outputs of referenced stacks, where the shipped samples do not answer them. */
    readonly samples?: () => SampleLookup;
    /** Where the variant sits on a scale, to see how time grows along it. */
    readonly scale?: { readonly axis: string; readonly n: number };
}

const remoteSampleName = "acme/mesh-ingress/remote";

/** The fully qualified names of `n` remote stacks. */
export function remoteStackNames(n: number): string[] {
    return Array.from({ length: n }, (_, i) => `acme/mesh-ingress/remote-${String(i + 1).padStart(2, "0")}`);
}

/**
 * Answers the shipped samples, and each of the given remote stacks with the shipped
 * remote's outputs under its own cluster name and network (the primary refuses remotes
 * that share either), so the primary sees them all deployed.
 */
export function lookupWithRemotes(names: readonly string[]): SampleLookup {
    const shipped = readSamples();
    const base = sampleLookup(shipped);
    const remote = shipped.get(remoteSampleName);
    if (remote === undefined) throw new Error(`no shipped sample for ${remoteSampleName} in offline/samples`);
    const generated = new Map<string, StackSample>(
        names.map((name, i) => {
            const n = String(i + 1).padStart(2, "0");
            return [name, anotherRemote(remote, `remote-${n}`, `network-r${n}`, `bench: ${remote.source} as ${name}`)];
        }),
    );
    return { get: (name) => generated.get(name) ?? base.get(name) };
}

/** The primary stack controlling `n` deployed remotes. */
export function primaryWithRemotes(n: number): BenchVariant {
    const names = remoteStackNames(n);
    return {
        id: `primary-${n}-remotes`,
        title: `primary, ${n} remotes`,
        stack: "primary",
        overrides: { set: { remoteStacks: names } },
        samples: () => lookupWithRemotes(names),
        scale: { axis: "remotes", n },
    };
}

/**
 * The variants, in the order of the table. To add a scale, add its points here: for the
 * edge's hosts (issue 6), once the `edgeHosts` setting exists, something like
 *   ...[50, 200].map((n) => ({ id: `primary-${n}-hosts`, title: `primary, ${n} edge hosts`, stack: "primary",
 *        overrides: { set: { edgeHosts: sampleHosts(n) } }, scale: { axis: "edge hosts", n } })),
 * with the default stack as the axis's first point.
 */
export const variants: readonly BenchVariant[] = [
    { id: "primary", title: "primary (default: 1 remote)", stack: "primary", scale: { axis: "remotes", n: 1 } },
    { id: "remote", title: "remote (default)", stack: "remote" },
    primaryWithRemotes(10),
    primaryWithRemotes(20),
    primaryWithRemotes(40),
    primaryWithRemotes(80),
];

/** A custom resource with no inputs: what the baseline registers. */
class Bare extends pulumi.CustomResource {
    constructor(name: string) {
        super("bench:index:Bare", name, {});
    }
}

/** A synthetic program that registers `count` bare custom resources (no inputs, no parent but the stack). */
export function bareProgram(count: number): Program {
    return () => {
        for (let i = 0; i < count; i++) new Bare(`bare-${i}`);
        return {};
    };
}

/** Times of one program over the repetitions. */
export interface Timings {
    /** Wall time of each repetition's evaluation under mocks, in ms. */
    readonly evaluateMs: readonly number[];
    /**
     * CPU time (user and system, all of the process's threads) of each repetition's
     * evaluation, in ms: less disturbed than wall time by other work on the machine.
     */
    readonly evaluateCpuMs: readonly number[];
}

/** What one variant's process measured: the program and its baseline, run in turn. */
export interface Measurement {
    readonly id: string;
    /** Resources the engine recorded for the variant (the root stack included); the baseline records as many. */
    readonly resources: number;
    /** The real program; `planMs` is each repetition's whole plan (evaluation and policy pack). */
    readonly program: Timings & { readonly planMs: readonly number[] };
    readonly baseline: Timings;
    /** Peak resident set size of the process, in MiB. */
    readonly peakRssMiB: number;
}

/**
 * Measures a variant and its baseline in this process: a sizing run (how many resources
 * the variant records), `warmup` discarded rounds, then `reps` rounds, each running the
 * program and the baseline, in alternating order so that neither always runs first.
 */
export async function measureVariant(variant: BenchVariant, reps: number, warmup: number): Promise<Measurement> {
    const options = { stack: variant.stack, ...(variant.overrides ? { overrides: variant.overrides } : {}), ...(variant.samples ? { samples: variant.samples() } : {}) };
    const project = readProjectFile(projectDir).name;
    const runProgram = async (): Promise<{ resources: number; evaluateMs: number; evaluateCpuMs: number; planMs: number }> => {
        const started = performance.now();
        const outcome = await plan(options);
        const planMs = performance.now() - started;
        if (outcome.kind === "invalid") throw new Error(`${variant.id} does not plan:\n${outcome.lines.join("\n")}`);
        if (outcome.kind === "failed") throw outcome.error;
        if (outcome.findings.length > 0) throw new Error(`${variant.id} has policy findings: ${outcome.findings.map((f) => f.message).join("; ")}`);
        return { resources: outcome.evaluation.resources.length, evaluateMs: outcome.timings.evaluateMs, evaluateCpuMs: outcome.timings.evaluateCpuMs, planMs };
    };
    const { resources } = await runProgram();
    const bare = bareProgram(resources - 1);
    const runBaseline = async (): Promise<{ evaluateMs: number; evaluateCpuMs: number }> => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const evaluation = await evaluate(bare, { project, stack: variant.stack, config: {} });
        const result = { evaluateMs: performance.now() - started, evaluateCpuMs: cpuSince(cpu) };
        if (evaluation.resources.length !== resources) throw new Error(`the baseline recorded ${evaluation.resources.length} resources, expected ${resources}`);
        return result;
    };
    const program = { evaluateMs: [] as number[], evaluateCpuMs: [] as number[], planMs: [] as number[] };
    const baseline = { evaluateMs: [] as number[], evaluateCpuMs: [] as number[] };
    for (let i = 0; i < warmup + reps; i++) {
        let p: Awaited<ReturnType<typeof runProgram>>;
        let b: Awaited<ReturnType<typeof runBaseline>>;
        if (i % 2 === 0) {
            p = await runProgram();
            b = await runBaseline();
        } else {
            b = await runBaseline();
            p = await runProgram();
        }
        if (i < warmup) continue;
        program.evaluateMs.push(p.evaluateMs);
        program.evaluateCpuMs.push(p.evaluateCpuMs);
        program.planMs.push(p.planMs);
        baseline.evaluateMs.push(b.evaluateMs);
        baseline.evaluateCpuMs.push(b.evaluateCpuMs);
    }
    return { id: variant.id, resources, program, baseline, peakRssMiB: peakRssMiB() };
}

/**
 * The peak RSS (MiB) of a process that loads the program, as the variant's does, but
 * evaluates only the baseline of `resources` resources, `runs` times.
 */
export async function baselinePeakRss(stack: string, resources: number, runs: number): Promise<number> {
    await loadProgram();
    const project = readProjectFile(projectDir).name;
    const bare = bareProgram(resources - 1);
    for (let i = 0; i < runs; i++) await evaluate(bare, { project, stack, config: {} });
    return peakRssMiB();
}

function cpuSince(start: NodeJS.CpuUsage): number {
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1000;
}

function peakRssMiB(): number {
    return process.resourceUsage().maxRSS / 1024;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A variant's row. */
export interface BenchRow {
    readonly variant: BenchVariant;
    readonly measured: Measurement;
    /** Peak RSS of a process that ran only the baseline, in MiB. */
    readonly baselinePeakRssMiB: number;
}

const ms = (values: readonly number[]): string => {
    const sorted = [...values].sort((a, b) => a - b);
    const m = median(values).toFixed(1);
    return sorted.length > 1 ? `${m} (${sorted[0]!.toFixed(1)}–${sorted[sorted.length - 1]!.toFixed(1)})` : m;
};

/** The columns of the table. */
export const tableColumns = [
    "Variant",
    "Resources",
    "Plan ms",
    "Program ms",
    "Baseline ms",
    "Ratio",
    "Program CPU ms",
    "Baseline CPU ms",
    "CPU ratio",
    "Peak RSS MiB",
    "Baseline peak RSS MiB",
] as const;

/**
 * The results as a Markdown table. Times are medians over the repetitions, wall times
 * with their range in brackets; a ratio is the program's median over the baseline's.
 */
export function formatTable(rows: readonly BenchRow[]): string {
    const lines = [`| ${tableColumns.join(" | ")} |`, `|${tableColumns.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
    for (const { variant, measured, baselinePeakRssMiB } of rows) {
        const { program, baseline } = measured;
        const cells = [
            variant.title,
            String(measured.resources),
            ms(program.planMs),
            ms(program.evaluateMs),
            ms(baseline.evaluateMs),
            (median(program.evaluateMs) / median(baseline.evaluateMs)).toFixed(2),
            median(program.evaluateCpuMs).toFixed(1),
            median(baseline.evaluateCpuMs).toFixed(1),
            (median(program.evaluateCpuMs) / median(baseline.evaluateCpuMs)).toFixed(2),
            measured.peakRssMiB.toFixed(0),
            baselinePeakRssMiB.toFixed(0),
        ];
        lines.push(`| ${cells.join(" | ")} |`);
    }
    return lines.join("\n") + "\n";
}

/** A least-squares line `y = intercept + slope * x` and how well it fits (R²). */
export interface LinearFit {
    readonly slope: number;
    readonly intercept: number;
    readonly r2: number;
}

/** Fits a line through the points (at least two, with different x). */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit {
    const n = points.length;
    const mx = points.reduce((s, [x]) => s + x, 0) / n;
    const my = points.reduce((s, [, y]) => s + y, 0) / n;
    const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
    const syy = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
    const slope = sxy / sxx;
    const intercept = my - slope * mx;
    const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
    return { slope, intercept, r2 };
}

/** How time and resources grow along each scale with at least three points. */
export function formatGrowth(rows: readonly BenchRow[]): string {
    const axes = new Map<string, BenchRow[]>();
    for (const row of rows) {
        if (row.variant.scale === undefined) continue;
        const list = axes.get(row.variant.scale.axis) ?? [];
        list.push(row);
        axes.set(row.variant.scale.axis, list);
    }
    const lines: string[] = [];
    for (const [axis, list] of axes) {
        if (list.length < 3) continue;
        const sorted = [...list].sort((a, b) => a.variant.scale!.n - b.variant.scale!.n);
        const at = (pick: (r: BenchRow) => number): LinearFit => linearFit(sorted.map((r) => [r.variant.scale!.n, pick(r)]));
        const count = at((r) => r.measured.resources);
        const wall = at((r) => median(r.measured.program.evaluateMs));
        const cpu = at((r) => median(r.measured.program.evaluateCpuMs));
        const baseCpu = at((r) => median(r.measured.baseline.evaluateCpuMs));
        const perResource = sorted.map((r) => (median(r.measured.program.evaluateCpuMs) / r.measured.resources).toFixed(2)).join(", ");
        lines.push(
            `- ${axis} (${sorted.map((r) => r.variant.scale!.n).join(", ")}): +${count.slope.toFixed(2)} resources per unit; ` +
                `program +${cpu.slope.toFixed(2)} CPU ms per unit (least-squares line through the medians, R² ${cpu.r2.toFixed(3)}), ` +
                `+${wall.slope.toFixed(2)} wall ms (R² ${wall.r2.toFixed(3)}); baseline +${baseCpu.slope.toFixed(2)} CPU ms per unit (R² ${baseCpu.r2.toFixed(3)}); ` +
                `program CPU ms per resource: ${perResource}.`,
        );
    }
    return lines.length > 0 ? `How the program's evaluation time grows:\n${lines.join("\n")}\n` : "";
}

/** The machine the figures come from. */
export function machine(): string {
    const cpus = os.cpus();
    return `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

function runChild<T>(args: readonly string[]): T {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "result.json");
    const result = spawnSync(process.execPath, [...process.execArgv, __filename, "--child", ...args, "--out", out], {
        cwd: projectDir,
        encoding: "utf8",
        stdio: ["ignore", "inherit", "inherit"],
        timeout: 10 * 60 * 1000,
    });
    if (result.status !== 0 || !fs.existsSync(out)) throw new Error(`the measurement ${args.join(" ")} failed (exit ${String(result.status)})`);
    return JSON.parse(fs.readFileSync(out, "utf8")) as T;
}

async function child(values: { variant?: string; baseline?: string; resources?: string; reps: string; warmup: string; out?: string }): Promise<void> {
    const reps = Number(values.reps);
    const warmup = Number(values.warmup);
    const id = values.variant ?? values.baseline;
    const variant = variants.find((v) => v.id === id);
    if (variant === undefined) throw new Error(`no variant ${String(id)}`);
    const result = values.variant !== undefined ? await measureVariant(variant, reps, warmup) : await baselinePeakRss(variant.stack, Number(values.resources), reps + warmup + 1);
    fs.writeFileSync(values.out!, JSON.stringify(result));
}

async function main(): Promise<number> {
    const usage = "usage: npm run bench -- [--reps N] [--warmup N] [--only id,id] [--json FILE]";
    let values;
    try {
        ({ values } = parseArgs({
            options: {
                reps: { type: "string", default: "10" },
                warmup: { type: "string", default: "2" },
                only: { type: "string" },
                json: { type: "string" },
                child: { type: "boolean", default: false },
                variant: { type: "string" },
                baseline: { type: "string" },
                resources: { type: "string" },
                out: { type: "string" },
            },
            strict: true,
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${usage}\n`);
        return 2;
    }
    if (values.child) {
        await child(values);
        return 0;
    }
    const reps = Number(values.reps);
    const warmup = Number(values.warmup);
    if (!Number.isInteger(reps) || reps < 1 || !Number.isInteger(warmup) || warmup < 0) {
        process.stderr.write(`--reps must be a positive integer and --warmup a non-negative one\n${usage}\n`);
        return 2;
    }
    const only = values.only?.split(",").map((s) => s.trim());
    const unknown = (only ?? []).filter((id) => !variants.some((v) => v.id === id));
    if (unknown.length > 0) {
        process.stderr.write(`unknown variant ${unknown.join(", ")}: expected one of ${variants.map((v) => v.id).join(", ")}\n`);
        return 2;
    }
    const chosen = variants.filter((v) => only === undefined || only.includes(v.id));
    process.stderr.write(`${machine()}\n${reps} rounds after ${warmup} warm-up round(s); each variant in its own process, beside its baseline\n`);
    const rows: BenchRow[] = [];
    for (const variant of chosen) {
        process.stderr.write(`measuring ${variant.id} ...\n`);
        const measured = runChild<Measurement>(["--variant", variant.id, "--reps", String(reps), "--warmup", String(warmup)]);
        const baselinePeakRssMiB = runChild<number>(["--baseline", variant.id, "--resources", String(measured.resources), "--reps", String(reps), "--warmup", String(warmup)]);
        rows.push({ variant, measured, baselinePeakRssMiB });
    }
    process.stdout.write(`${machine()}; ${reps} rounds after ${warmup} warm-up rounds; medians (range) in ms\n\n${formatTable(rows)}\n${formatGrowth(rows)}`);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify({ machine: machine(), reps, warmup, rows: rows.map((r) => ({ variant: r.variant.id, measured: r.measured, baselinePeakRssMiB: r.baselinePeakRssMiB })) }, null, 2));
    return 0;
}

if (require.main === module) {
    runCommand(main, 1);
}
