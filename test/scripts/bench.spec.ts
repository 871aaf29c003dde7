import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluate } from "../../offline/engine";
import { projectDir } from "../../offline/plan";
import {
    bareProgram,
    formatGrowth,
    formatTable,
    linearFit,
    measureVariant,
    median,
    primaryWithRemotes,
    tableColumns,
    variants,
    type BenchRow,
    type Measurement,
} from "../../scripts/bench";
import { outputsOf, planned } from "../support/plan";

// No timing assertions here: the figures come from `npm run bench`. These tests check that
// the benchmark measures what it says it measures, and the shape of what it prints.
describe("the benchmark (npm run bench)", () => {
    it("has distinct variants, each starting from a stack file of the repository", () => {
        const ids = variants.map((v) => v.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const v of variants) assert.ok(fs.existsSync(path.join(projectDir, `Pulumi.${v.stack}.yaml`)), v.id);
        assert.ok(ids.includes("primary") && ids.includes("remote") && ids.includes("primary-10-remotes"));
    });

    it("plans the primary with 10 remotes, every one deployed (none pending), with no finding", async () => {
        const variant = primaryWithRemotes(10);
        const p = await planned("primary", { overrides: variant.overrides!, samples: variant.samples!() });
        const outputs = outputsOf(p);
        assert.equal(outputs.remoteClusters.length, 10);
        assert.equal(new Set(outputs.remoteClusters).size, 10);
        assert.deepEqual(outputs.pendingRemoteStacks, []);
        // No remote is pending: the only warning is the edge's notice that ingress-nginx is retired.
        assert.deepEqual(p.document.warnings.filter((w) => !w.startsWith("ingress-nginx is retired")), []);
        assert.deepEqual(p.findings, []);
        assert.equal(p.document.stackReferences.filter((r) => r.answer === "sample").length, 10);
    });

    it("gives the baseline exactly as many bare resources, in the same engine", async () => {
        const evaluation = await evaluate(bareProgram(7), { project: "mesh-ingress", stack: "primary", config: {} });
        assert.equal(evaluation.resources.length, 8, "seven bare resources and the root stack");
        const bare = evaluation.resources.filter((r) => r.type === "bench:index:Bare");
        assert.equal(bare.length, 7);
        for (const r of bare) assert.deepEqual(r.inputs, {});
    });

    it("prints one row per variant beside its baseline, with every column", async () => {
        const variant = variants.find((v) => v.id === "remote")!;
        const measured = await measureVariant(variant, 2, 0);
        const p = await planned("remote");
        assert.equal(measured.resources, p.evaluation.resources.length);
        for (const times of [measured.program.evaluateMs, measured.program.evaluateCpuMs, measured.program.planMs, measured.baseline.evaluateMs, measured.baseline.evaluateCpuMs]) {
            assert.equal(times.length, 2, "one time per round");
        }
        measured.program.planMs.forEach((t, i) => assert.ok(t >= measured.program.evaluateMs[i]!, "the plan includes the evaluation"));
        assert.ok(measured.peakRssMiB > 0);

        const table = formatTable([{ variant, measured, baselinePeakRssMiB: 123 }]);
        const [header, separator, row, ...rest] = table.trimEnd().split("\n");
        assert.deepEqual(rest, []);
        assert.equal(header, `| ${tableColumns.join(" | ")} |`);
        assert.equal(separator, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        const cells = row!.split("|").slice(1, -1).map((c) => c.trim());
        assert.equal(cells.length, tableColumns.length);
        assert.equal(cells[0], "remote (default)");
        assert.equal(cells[1], String(measured.resources));
        for (const cell of cells.slice(2)) assert.match(cell, /^\d+(\.\d+)?( \(\d+\.\d+–\d+\.\d+\))?$/, `a number in ${row!}`);
        assert.equal(Number(cells[5]), Number((median(measured.program.evaluateMs) / median(measured.baseline.evaluateMs)).toFixed(2)));
        assert.equal(cells[10], "123");
    });

    it("shows medians, with the range when there are several rounds", () => {
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
        const variant = variants[0]!;
        const measured: Measurement = {
            id: variant.id,
            resources: 5,
            program: { evaluateMs: [30, 10, 20], evaluateCpuMs: [30, 10, 20], planMs: [31, 11, 21] },
            baseline: { evaluateMs: [10, 10, 10], evaluateCpuMs: [5, 5, 5] },
            peakRssMiB: 100,
        };
        const table = formatTable([{ variant, measured, baselinePeakRssMiB: 90 }]);
        assert.match(table, /\| primary \(default: 1 remote\) \| 5 \| 21\.0 \(11\.0–31\.0\) \| 20\.0 \(10\.0–30\.0\) \| 10\.0 \(10\.0–10\.0\) \| 2\.00 \| 20\.0 \| 5\.0 \| 4\.00 \| 100 \| 90 \|/);
    });

    it("fits a line to see how time grows along a scale, from three points on", () => {
        assert.deepEqual(linearFit([[1, 5], [2, 7], [4, 11]]), { slope: 2, intercept: 3, r2: 1 });
        assert.ok(linearFit([[1, 1], [2, 4], [3, 9], [4, 16]]).r2 < 0.99, "a parabola is not a line");
        const row = (n: number, cpu: number): BenchRow => {
            const variant = { id: `v${n}`, title: `v${n}`, stack: "primary", scale: { axis: "remotes", n } };
            const measured: Measurement = { id: variant.id, resources: n + 4, program: { evaluateMs: [cpu], evaluateCpuMs: [cpu], planMs: [cpu] }, baseline: { evaluateMs: [n], evaluateCpuMs: [n] }, peakRssMiB: 1 };
            return { variant, measured, baselinePeakRssMiB: 1 };
        };
        assert.equal(formatGrowth([row(1, 10), row(10, 28)]), "", "two points say nothing about the shape");
        const growth = formatGrowth([row(1, 10), row(10, 28), row(20, 48)]);
        assert.match(growth, /^How the program's evaluation time grows:\n- remotes \(1, 10, 20\): \+1\.00 resources per unit; program \+2\.00 CPU ms per unit \(least-squares line through the medians, R² 1\.000\)/);
    });
});
