import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandArguments, runCommand, type CommandOutput } from "../offline/cli/command";
import { projectDir } from "../offline/stack-files";
import type * as MeasureModule from "./bench/measure";
import type { Measurement } from "./bench/measure";
import { formatBreakdown, formatGrowth, formatTable, machine, type BenchRow } from "./bench/report";
import { variants } from "./bench/variants";

/**
 * npm run bench -- [--reps N (10)] [--warmup N (2)] [--only id,id] [--json FILE]
 *
 * Plans each variant (scripts/bench/variants.ts) with the real program under the shared mock engine, and
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
 *
 * The parts: scripts/bench/variants.ts (what is measured), programs.ts (the baseline and
 * the replay), measure.ts (one variant's measurement), report.ts (the tables).
 */

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
    // The program and the Pulumi SDK load in the measuring child only, not for --help or a mistake.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { baselinePeakRss, measureVariant } = require("./bench/measure") as typeof MeasureModule;
    const result = values.variant !== undefined ? await measureVariant(variant, reps, warmup) : await baselinePeakRss(variant.stack, Number(values.resources), reps + warmup + 1);
    fs.writeFileSync(values.out!, JSON.stringify(result));
}

/** The command: measures the variants (each in processes of its own) and prints the table; returns the exit status. */
export async function benchCommand(args: readonly string[], out: CommandOutput): Promise<number> {
    const usage = "usage: npm run bench -- [--reps N] [--warmup N] [--only id,id] [--json FILE]";
    const parsed = commandArguments(
        args,
        {
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
        usage,
        out,
    );
    if (typeof parsed === "number") return parsed;
    const { values } = parsed;
    if (values.child) {
        await child(values);
        return 0;
    }
    const reps = Number(values.reps);
    const warmup = Number(values.warmup);
    if (!Number.isInteger(reps) || reps < 1 || !Number.isInteger(warmup) || warmup < 0) {
        out.stderr(`--reps must be a positive integer and --warmup a non-negative one\n${usage}\n`);
        return 2;
    }
    const only = values.only?.split(",").map((s) => s.trim());
    const unknown = (only ?? []).filter((id) => !variants.some((v) => v.id === id));
    if (unknown.length > 0) {
        out.stderr(`unknown variant ${unknown.join(", ")}: expected one of ${variants.map((v) => v.id).join(", ")}\n`);
        return 2;
    }
    const chosen = variants.filter((v) => only === undefined || only.includes(v.id));
    out.stderr(`${machine()}\n${reps} rounds after ${warmup} warm-up round(s); each variant in its own process, beside its baseline\n`);
    const rows: BenchRow[] = [];
    for (const variant of chosen) {
        out.stderr(`measuring ${variant.id} ...\n`);
        const measured = runChild<Measurement>(["--variant", variant.id, "--reps", String(reps), "--warmup", String(warmup)]);
        const baselinePeakRssMiB = runChild<number>(["--baseline", variant.id, "--resources", String(measured.resources), "--reps", String(reps), "--warmup", String(warmup)]);
        rows.push({ variant, measured, baselinePeakRssMiB });
    }
    out.stdout(
        `${machine()}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} at the end; ${reps} rounds after ${warmup} warm-up rounds; medians (range) in ms\n\n` +
            `${formatTable(rows)}\nWhere the time goes (CPU ms, medians):\n\n${formatBreakdown(rows)}\n${formatGrowth(rows)}`,
    );
    if (values.json) fs.writeFileSync(values.json, JSON.stringify({ machine: machine(), reps, warmup, rows: rows.map((r) => ({ variant: r.variant.id, measured: r.measured, baselinePeakRssMiB: r.baselinePeakRssMiB })) }, null, 2));
    return 0;
}

if (require.main === module) {
    runCommand(benchCommand, 1);
}
