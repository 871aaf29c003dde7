import { evaluate, type Program, type RecordedResource } from "../../offline/engine";
import { loadProgram, plan, projectDir } from "../../offline/plan";
import { readProjectFile } from "../../offline/stack-files";
import { bareProgram, observeSdk, replayProgram } from "./programs";
import type { BenchVariant } from "./variants";

/**
 * One variant's measurement, in the process that runs it: the program, its bare
 * baseline and its replay, in turns, timed around the evaluation (wall and CPU), and the
 * process's peak memory.
 */

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
