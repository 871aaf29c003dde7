import * as os from "node:os";
import type { Measurement } from "./measure";
import type { BenchVariant } from "./variants";

/**
 * What the benchmark prints: the table of variants beside their baselines, where the time
 * goes, and how time grows along each scale (a least-squares line).
 */

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
