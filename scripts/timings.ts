import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

/**
 * npm run timings [-- --runs N]
 *
 * Measures, as a user experiences them, the wall time of `npm test` and of one offline
 * plan per default stack (each command in a fresh process, as typed on the command
 * line), and prints the median of N runs. The targets are a suite under 60 s and a plan
 * under 3 s; they are measured here, never asserted in a test.
 */
const root = path.resolve(__dirname, "..");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

function time(command: string, args: readonly string[]): { seconds: number; status: number | null } {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, stdio: "ignore" });
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, status: result.status };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const rows: [string, number, number, string][] = [];
const measure = (label: string, command: string, args: readonly string[], n: number): void => {
    const samples: number[] = [];
    let failed = "";
    for (let i = 0; i < n; i++) {
        const r = time(command, args);
        samples.push(r.seconds);
        if (r.status !== 0) failed = ` (exit ${String(r.status)})`;
    }
    rows.push([label, median(samples), n, failed]);
};

measure("npm run plan -- --stack primary", "npm", ["run", "--silent", "plan", "--", "--stack", "primary"], runs);
measure("npm run plan -- --stack remote", "npm", ["run", "--silent", "plan", "--", "--stack", "remote"], runs);
measure("npm test", "npm", ["test", "--silent"], 1);

process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}\n`);
process.stdout.write("| command | median wall time | runs |\n|---|---|---|\n");
for (const [label, seconds, n, failed] of rows) process.stdout.write(`| \`${label}\` | ${seconds.toFixed(2)} s${failed} | ${n} |\n`);
