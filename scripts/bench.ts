import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { evaluate, type Program, type RecordedResource, type SampleLookup, type StackSample } from "../offline/engine";
import { loadProgram, plan, projectDir, type ConfigOverrides } from "../offline/plan";
import { anotherRemote, readSamples, sampleLookup } from "../offline/samples";
import { readProjectFile, readStackConfiguration, stackFilePath } from "../offline/stack-files";
import { plain } from "../offline/values";
import type { EdgeHost } from "../config/settings/edge";
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
 * rounds, measured around the evaluation (module loading excluded).
 *
 * A third program takes its turn too, to show where the time goes: the replay, which
 * registers the variant's own resources (types, names, parents, property names, inputs)
 * straight through the SDK, without the program's logic. The breakdown table sets the
 * program against it (the program's own cost) and it against the baseline (the SDK's
 * cost for typed resources over bare ones). Then, per scale (remotes, edge hosts), how
 * the evaluation's time grows: a least-squares line through the points and how well it
 * fits.
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
    /** Where the variant sits on each scale it belongs to, to see how time grows along it. */
    readonly scales?: readonly Scale[];
}

/** A point on a scale: the variant's size along one axis (remotes, edge hosts). */
export interface Scale {
    readonly axis: string;
    readonly n: number;
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
        scales: [{ axis: "remotes", n }],
    };
}

/** The edge hosts of a stack file, and the hosted zone they live in. */
function stackEdge(stack: string): { hosts: EdgeHost[]; zone: string } {
    const project = readProjectFile(projectDir);
    const values = readStackConfiguration(project, stackFilePath(projectDir, stack)).values;
    const read = (key: string): string => values[`${project.name}:${key}`] ?? "";
    return { hosts: JSON.parse(read("edgeHosts") || "[]") as EdgeHost[], zone: read("dnsHostedZoneName") };
}

/**
 * `count` generated hosts for the edge, in the zone `zone`: distinct one-label names
 * (`svc-001.<zone>`, ...), so the stack's wildcard certificate (`*.<zone>`) covers each of
 * them, ten to a namespace, in turn shaped like the default primary's four hosts (one
 * public path; a public path and static assets with their own profile and response
 * headers; two versioned API paths; an allowlisted host with WAF and tighter limits on
 * `/api` and `/upload`). They use only the default primary's security profiles.
 */
export function generatedHosts(count: number, zone: string): EdgeHost[] {
    return Array.from({ length: count }, (_, i) => {
        const id = String(i + 1).padStart(3, "0");
        const host = `svc-${id}.${zone}`;
        const namespace = `team-${String(Math.floor(i / 10) + 1).padStart(2, "0")}`;
        const service = `svc-${id}`;
        switch (i % 4) {
            case 0:
                return { host, namespace, profile: "public", paths: [{ path: "/", service, port: 80 }] };
            case 1:
                return {
                    host,
                    namespace,
                    profile: "public",
                    paths: [
                        { path: "/", service, port: 80 },
                        { path: "/static", service, port: 80, profile: "static-assets", responseHeaders: { "Cache-Control": "public, max-age=31536000, immutable" } },
                    ],
                };
            case 2:
                return {
                    host,
                    namespace,
                    profile: "public",
                    paths: [
                        { path: "/v1", service: `${service}-v1`, port: 80 },
                        { path: "/v2", service: `${service}-v2`, port: 80 },
                    ],
                };
            default:
                return {
                    host,
                    namespace,
                    profile: "internal",
                    paths: [
                        { path: "/", service, port: 80 },
                        { path: "/api", service, port: 80, profile: "api" },
                        { path: "/upload", service, port: 80, profile: "upload" },
                    ],
                };
        }
    });
}

/**
 * The primary stack serving `n` edge hosts in all: its own hosts (from its stack file)
 * and generated ones up to `n`. Everything else (its remote, certificates, profiles) is
 * the default stack's.
 */
export function primaryWithHosts(n: number): BenchVariant {
    const { hosts, zone } = stackEdge("primary");
    if (n < hosts.length) throw new Error(`the primary already serves ${hosts.length} hosts; a variant with ${n} would drop some`);
    return {
        id: `primary-${n}-hosts`,
        title: `primary, ${n} edge hosts`,
        stack: "primary",
        overrides: { set: { edgeHosts: [...hosts, ...generatedHosts(n - hosts.length, zone)] } },
        scales: [{ axis: "edge hosts", n }],
    };
}

/** The number of edge hosts the default primary stack serves (the first point of that scale). */
export const defaultPrimaryHosts = stackEdge("primary").hosts.length;

/**
 * The variants, in the order of the table. To add a scale, add its points here (a
 * function like {@link primaryWithHosts} that changes the default stack's configuration),
 * with the default stack as the axis's first point; a scale with three points or more
 * gets a line fitted through it.
 */
export const variants: readonly BenchVariant[] = [
    {
        id: "primary",
        title: `primary (default: 1 remote, ${defaultPrimaryHosts} edge hosts)`,
        stack: "primary",
        scales: [
            { axis: "remotes", n: 1 },
            { axis: "edge hosts", n: defaultPrimaryHosts },
        ],
    },
    { id: "remote", title: "remote (default)", stack: "remote" },
    primaryWithRemotes(10),
    primaryWithRemotes(20),
    primaryWithRemotes(40),
    primaryWithRemotes(80),
    primaryWithHosts(50),
    primaryWithHosts(100),
    primaryWithHosts(200),
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

/**
 * What the SDK was given for each resource the program registered: its constructor's
 * property names (inputs and output-only properties alike: the SDK makes an output for
 * each), by `type::name`.
 */
export type PropertyNames = ReadonlyMap<string, readonly string[]>;

/** The key of a resource in {@link PropertyNames}. */
export const resourceKey = (type: string, name: string): string => `${type}::${name}`;

// SDK internals the measurement hooks into (not in the public typings): the functions every
// resource constructor calls, and the helper that wraps each of the SDK's promises.
/* eslint-disable @typescript-eslint/no-require-imports */
const sdkResource = require("@pulumi/pulumi/runtime/resource") as Record<"registerResource" | "readResource", (...args: unknown[]) => unknown>;
const sdkDebuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
/* eslint-enable @typescript-eslint/no-require-imports */

/** What {@link observeSdk} saw while `run` ran. */
export interface SdkObservation<T> {
    readonly result: T;
    /** Property names per registered or read resource. */
    readonly propertyNames: PropertyNames;
    /** Promises the SDK created through its `debuggablePromise` helper (each captures a stack trace). */
    readonly sdkPromises: number;
}

/**
 * Runs `run` while watching the SDK: the property names each resource constructor hands
 * to it, and how many promises it creates (each one captures and formats a stack trace,
 * the SDK's main per-property cost). Only for sizing runs, never around timed rounds.
 */
export async function observeSdk<T>(run: () => Promise<T>): Promise<SdkObservation<T>> {
    const names = new Map<string, string[]>();
    let promises = 0;
    const { registerResource, readResource } = sdkResource;
    const { debuggablePromise } = sdkDebuggable;
    // registerResource(res, parent, t, name, custom, remote, newDependency, props, ...); readResource(res, parent, t, name, props, ...)
    sdkResource.registerResource = function (this: unknown, ...args: unknown[]) {
        names.set(resourceKey(args[2] as string, args[3] as string), Object.keys(args[7] as object));
        return registerResource.apply(this, args);
    };
    sdkResource.readResource = function (this: unknown, ...args: unknown[]) {
        names.set(resourceKey(args[2] as string, args[3] as string), Object.keys(args[4] as object));
        return readResource.apply(this, args);
    };
    sdkDebuggable.debuggablePromise = (p, ctx) => {
        promises++;
        return debuggablePromise(p, ctx);
    };
    try {
        const result = await run();
        return { result, propertyNames: names, sdkPromises: promises };
    } finally {
        Object.assign(sdkResource, { registerResource, readResource });
        sdkDebuggable.debuggablePromise = debuggablePromise;
    }
}

/** A custom resource of any type, registered with the given properties. */
class Replayed extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

/** A component of any type. */
class ReplayedComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }
}

/**
 * The SDK's floor for a plan: a synthetic program that registers the plan's resources
 * again, straight through the SDK and without any of the program's logic: every
 * resource with its type, name, parent and kind (component or custom), the same property
 * names, and its recorded inputs as plain values (computed ones left undefined, secrets
 * unwrapped). What the program costs beyond this is its own work (settings, routing,
 * outputs and applies, stack references, invokes); what this costs beyond the bare
 * baseline is the SDK's per-resource cost for these types and inputs.
 */
export function replayProgram(resources: readonly RecordedResource[], propertyNames: PropertyNames): Program {
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Parents first, in recorded order otherwise.
    const ordered: RecordedResource[] = [];
    const placed = new Set<string>();
    const place = (r: RecordedResource): void => {
        if (placed.has(r.urn) || r === root) return;
        const parent = r.parent !== undefined ? byUrn.get(r.parent) : undefined;
        if (parent !== undefined) place(parent);
        placed.add(r.urn);
        ordered.push(r);
    };
    resources.forEach(place);
    const replays = ordered.map((r) => {
        const names = propertyNames.get(resourceKey(r.type, r.name));
        if (names === undefined) throw new Error(`no property names recorded for ${r.type} ${r.name}`);
        const inputs = plain(r.inputs, { computedAs: undefined }) as Record<string, unknown>;
        return { r, props: Object.fromEntries(names.map((k) => [k, inputs[k]])) };
    });
    return () => {
        const made = new Map<string, pulumi.Resource>();
        for (const { r, props } of replays) {
            const parent = r.parent !== undefined && r.parent !== root?.urn ? made.get(r.parent) : undefined;
            const opts = parent !== undefined ? { parent } : {};
            made.set(r.urn, r.custom ? new Replayed(r.type, r.name, props, opts) : new ReplayedComponent(r.type, r.name, opts));
        }
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

/** What one variant's process measured: the program, its baseline and its replay, run in turn. */
export interface Measurement {
    readonly id: string;
    /** Resources the engine recorded for the variant (the root stack included); the baseline records as many. */
    readonly resources: number;
    /** The real program; `planMs` is each repetition's whole plan (evaluation and policy pack). */
    readonly program: Timings & { readonly planMs: readonly number[] };
    readonly baseline: Timings;
    /** The same resources replayed through the SDK without the program ({@link replayProgram}). */
    readonly replay: Timings;
    /** Promises the SDK created (each with a stack trace) in one evaluation of the program, the replay and the baseline. */
    readonly sdkPromises: { readonly program: number; readonly replay: number; readonly baseline: number };
    /** Peak resident set size of the process, in MiB. */
    readonly peakRssMiB: number;
}

/**
 * Measures a variant, its baseline and its replay in this process: a sizing run (how many
 * resources the variant records, and what the SDK was given for each), `warmup` discarded
 * rounds, then `reps` rounds, each running the three, in rotating order so that none
 * always runs first.
 */
export async function measureVariant(variant: BenchVariant, reps: number, warmup: number): Promise<Measurement> {
    const options = { stack: variant.stack, ...(variant.overrides ? { overrides: variant.overrides } : {}), ...(variant.samples ? { samples: variant.samples() } : {}) };
    const project = readProjectFile(projectDir).name;
    const runProgram = async (): Promise<{ resources: readonly RecordedResource[]; evaluateMs: number; evaluateCpuMs: number; planMs: number }> => {
        const started = performance.now();
        const outcome = await plan(options);
        const planMs = performance.now() - started;
        if (outcome.kind === "invalid") throw new Error(`${variant.id} does not plan:\n${outcome.lines.join("\n")}`);
        if (outcome.kind === "failed") throw outcome.error;
        if (outcome.findings.length > 0) throw new Error(`${variant.id} has policy findings: ${outcome.findings.map((f) => f.message).join("; ")}`);
        return { resources: outcome.evaluation.resources, evaluateMs: outcome.timings.evaluateMs, evaluateCpuMs: outcome.timings.evaluateCpuMs, planMs };
    };
    const sized = await observeSdk(runProgram);
    const resources = sized.result.resources.length;
    const evaluateSynthetic = (program: Program, what: string) => async (): Promise<{ evaluateMs: number; evaluateCpuMs: number }> => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const evaluation = await evaluate(program, { project, stack: variant.stack, config: {} });
        const result = { evaluateMs: performance.now() - started, evaluateCpuMs: cpuSince(cpu) };
        if (evaluation.resources.length !== resources) throw new Error(`the ${what} recorded ${evaluation.resources.length} resources, expected ${resources}`);
        return result;
    };
    const runBaseline = evaluateSynthetic(bareProgram(resources - 1), "baseline");
    const runReplay = evaluateSynthetic(replayProgram(sized.result.resources, sized.propertyNames), "replay");
    const sdkPromises = {
        program: sized.sdkPromises,
        replay: (await observeSdk(runReplay)).sdkPromises,
        baseline: (await observeSdk(runBaseline)).sdkPromises,
    };

    const program = { evaluateMs: [] as number[], evaluateCpuMs: [] as number[], planMs: [] as number[] };
    const baseline = { evaluateMs: [] as number[], evaluateCpuMs: [] as number[] };
    const replay = { evaluateMs: [] as number[], evaluateCpuMs: [] as number[] };
    const keep = (into: { evaluateMs: number[]; evaluateCpuMs: number[] }, t: { evaluateMs: number; evaluateCpuMs: number }): void => {
        into.evaluateMs.push(t.evaluateMs);
        into.evaluateCpuMs.push(t.evaluateCpuMs);
    };
    const turns = [
        async (measured: boolean): Promise<void> => {
            const p = await runProgram();
            if (!measured) return;
            keep(program, p);
            program.planMs.push(p.planMs);
        },
        async (measured: boolean): Promise<void> => {
            const b = await runBaseline();
            if (measured) keep(baseline, b);
        },
        async (measured: boolean): Promise<void> => {
            const r = await runReplay();
            if (measured) keep(replay, r);
        },
    ];
    for (let i = 0; i < warmup + reps; i++) {
        for (let j = 0; j < turns.length; j++) await turns[(i + j) % turns.length]!(i >= warmup);
    }
    return { id: variant.id, resources, program, baseline, replay, sdkPromises, peakRssMiB: peakRssMiB() };
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

/** The columns of the breakdown: where the program's time goes. */
export const breakdownColumns = [
    "Variant",
    "Resources",
    "Program CPU ms",
    "Replay CPU ms",
    "Baseline CPU ms",
    "Program / replay",
    "Replay / baseline",
    "SDK promises per resource (program, replay, baseline)",
] as const;

/**
 * Where the time goes, per variant (CPU medians): the program; the replay of its
 * resources straight through the SDK (the SDK's floor for these resources); the bare
 * baseline. Program / replay is what the program's own logic adds; replay / baseline is
 * the SDK's cost for these resource types and inputs over bare resources. The SDK creates
 * an output, made of four promises, for each property of a resource, and each promise
 * captures a stack trace: the promise counts show why typed resources cost more.
 */
export function formatBreakdown(rows: readonly BenchRow[]): string {
    const lines = [`| ${breakdownColumns.join(" | ")} |`, `|${breakdownColumns.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
    for (const { variant, measured } of rows) {
        const program = median(measured.program.evaluateCpuMs);
        const replay = median(measured.replay.evaluateCpuMs);
        const baseline = median(measured.baseline.evaluateCpuMs);
        const per = (n: number): string => (n / measured.resources).toFixed(1);
        const cells = [
            variant.title,
            String(measured.resources),
            program.toFixed(1),
            replay.toFixed(1),
            baseline.toFixed(1),
            (program / replay).toFixed(2),
            (replay / baseline).toFixed(2),
            `${per(measured.sdkPromises.program)}, ${per(measured.sdkPromises.replay)}, ${per(measured.sdkPromises.baseline)}`,
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
    const axes = new Map<string, { row: BenchRow; n: number }[]>();
    for (const row of rows) {
        for (const scale of row.variant.scales ?? []) {
            const list = axes.get(scale.axis) ?? [];
            list.push({ row, n: scale.n });
            axes.set(scale.axis, list);
        }
    }
    const lines: string[] = [];
    for (const [axis, points] of axes) {
        if (points.length < 3) continue;
        const ordered = [...points].sort((a, b) => a.n - b.n);
        const sorted = ordered.map((p) => p.row);
        const nOf = new Map(ordered.map((p) => [p.row, p.n]));
        const at = (pick: (r: BenchRow) => number): LinearFit => linearFit(sorted.map((r) => [nOf.get(r)!, pick(r)]));
        const count = at((r) => r.measured.resources);
        const wall = at((r) => median(r.measured.program.evaluateMs));
        const cpu = at((r) => median(r.measured.program.evaluateCpuMs));
        const baseCpu = at((r) => median(r.measured.baseline.evaluateCpuMs));
        const replayCpu = at((r) => median(r.measured.replay.evaluateCpuMs));
        const perResource = sorted.map((r) => (median(r.measured.program.evaluateCpuMs) / r.measured.resources).toFixed(2)).join(", ");
        lines.push(
            `- ${axis} (${ordered.map((p) => p.n).join(", ")}): +${count.slope.toFixed(2)} resources per unit; ` +
                `program +${cpu.slope.toFixed(2)} CPU ms per unit (least-squares line through the medians, R² ${cpu.r2.toFixed(3)}), ` +
                `+${wall.slope.toFixed(2)} wall ms (R² ${wall.r2.toFixed(3)}); replay +${replayCpu.slope.toFixed(2)} CPU ms per unit (R² ${replayCpu.r2.toFixed(3)}); ` +
                `baseline +${baseCpu.slope.toFixed(2)} CPU ms per unit (R² ${baseCpu.r2.toFixed(3)}); ` +
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
                help: { type: "boolean", default: false },
            },
            strict: true,
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${usage}\n`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(`${usage}\n`);
        return 0;
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
    process.stdout.write(
        `${machine()}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} at the end; ${reps} rounds after ${warmup} warm-up rounds; medians (range) in ms\n\n` +
            `${formatTable(rows)}\nWhere the time goes (CPU ms, medians):\n\n${formatBreakdown(rows)}\n${formatGrowth(rows)}`,
    );
    if (values.json) fs.writeFileSync(values.json, JSON.stringify({ machine: machine(), reps, warmup, rows: rows.map((r) => ({ variant: r.variant.id, measured: r.measured, baselinePeakRssMiB: r.baselinePeakRssMiB })) }, null, 2));
    return 0;
}

if (require.main === module) {
    runCommand(main, 1);
}
