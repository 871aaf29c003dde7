import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { setCovers } from "../../config/dns-names";
import { loadSettings } from "../../config/load";
import { evaluate } from "../../offline/engine";
import { plan, projectDir } from "../../offline/plan";
import { readProjectFile, readStackConfiguration, stackFilePath } from "../../offline/stack-files";
import { measureVariant, type Measurement } from "../../scripts/bench/measure";
import { bareProgram, observeSdk, replayProgram } from "../../scripts/bench/programs";
import { breakdownColumns, formatBreakdown, formatGrowth, formatTable, linearFit, median, tableColumns, type BenchRow } from "../../scripts/bench/report";
import { defaultPrimaryHosts, generatedHosts, primaryWithHosts, primaryWithRemotes, variants } from "../../scripts/bench/variants";
import { ofType, outputsOf, planned, plannedOnce } from "../support/plan";

/** A made-up measurement (no timing is asserted; only how it is printed). */
function fakeMeasurement(id: string, resources: number, program: number[], baseline: number[], replay: number[] = program): Measurement {
    return {
        id,
        resources,
        program: { evaluateMs: program, evaluateCpuMs: program, planMs: program.map((t) => t + 1) },
        baseline: { evaluateMs: baseline, evaluateCpuMs: baseline },
        replay: { evaluateMs: replay, evaluateCpuMs: replay },
        sdkPromises: { program: resources * 40, replay: resources * 38, baseline: resources * 9 },
        peakRssMiB: 100,
    };
}

// No timing assertions here: the figures come from `npm run bench`. These tests check that
// the benchmark measures what it says it measures, and the shape of what it prints.
describe("the benchmark (npm run bench)", () => {
    it("has distinct variants, each starting from a stack file of the repository", () => {
        const ids = variants.map((v) => v.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const v of variants) assert.ok(fs.existsSync(path.join(projectDir, `Pulumi.${v.stack}.yaml`)), v.id);
        assert.ok(ids.includes("primary") && ids.includes("remote") && ids.includes("primary-10-remotes"));
        assert.ok(ids.includes("primary-50-hosts") && ids.includes("primary-200-hosts"));
    });

    it("scales the edge with distinct hosts in the stack's zone that its wildcard certificate covers, valid as settings", () => {
        const hosts = generatedHosts(200, "example.com");
        assert.equal(new Set(hosts.map((h) => h.host)).size, 200);
        for (const h of hosts) assert.ok(setCovers(["*.example.com", "example.com"], h.host), h.host);
        // The 200-host variant's whole configuration passes the program's validation (planning it here would be slow).
        const variant = primaryWithHosts(200);
        const project = readProjectFile(projectDir);
        const values = { ...readStackConfiguration(project, stackFilePath(projectDir, "primary")).values };
        for (const [k, v] of Object.entries(variant.overrides!.set!)) values[`${project.name}:${k}`] = JSON.stringify(v);
        const settings = loadSettings({ project: project.name, stack: "primary", values, secretKeys: new Set() });
        assert.equal(settings.edgeHosts.length, 200);
        assert.equal(settings.edgeHosts.slice(0, defaultPrimaryHosts).map((h) => h.host).join(), "admin.example.com,user.example.com,api.example.com,secure.example.com");
        assert.throws(() => primaryWithHosts(defaultPrimaryHosts - 1), /would drop some/);
    });

    // The bench itself refuses a variant with findings; 24 hosts (every generated shape five
    // times, two namespaces) keep this test quick.
    it("plans the primary with more edge hosts: a record and a route for each, no finding", async () => {
        const variant = primaryWithHosts(24);
        assert.deepEqual(variant.scales, [{ axis: "edge hosts", n: 24 }]);
        const p = await planned("primary", { overrides: variant.overrides! });
        assert.deepEqual(p.findings, []);
        assert.equal(outputsOf(p).servedDomains.length, 24);
        const records = ofType(p, "aws:route53/record:Record");
        assert.equal(new Set(records.map((r) => r.inputs["name"])).size, 24);
        const ingressHosts = new Set(ofType(p, "kubernetes:networking.k8s.io/v1:Ingress").map((r) => (r.inputs["spec"] as { rules: { host: string }[] }).rules[0]!.host));
        assert.equal(ingressHosts.size, 24);
        // One certificate still serves them all (the stack's wildcard set).
        assert.equal(ofType(p, "kubernetes:cert-manager.io/v1:Certificate").length, 1);
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

    it("replays a plan's resources straight through the SDK: the same types, names, parents and property names", async () => {
        const observed = await observeSdk(() => plan({ stack: "remote" }));
        const outcome = observed.result;
        assert.equal(outcome.kind, "planned");
        if (outcome.kind !== "planned") return;
        const original = outcome.evaluation.resources;
        const replay = await observeSdk(() => evaluate(replayProgram(original, observed.propertyNames), { project: "mesh-ingress", stack: "remote", config: {} }));
        const shape = (rs: typeof original): string[] => rs.map((r) => `${r.type} ${r.name} ${String(r.custom)} ${r.parent ?? ""}`).sort();
        assert.deepEqual(shape(replay.result.resources), shape(original));
        // The property names the SDK was given are the same, so it builds the same outputs.
        for (const r of original) {
            const key = `${r.type}::${r.name}`;
            if (r.type === "pulumi:pulumi:Stack") continue;
            assert.ok(observed.propertyNames.has(key), key);
            if (r.custom) assert.deepEqual(replay.propertyNames.get(key), observed.propertyNames.get(key), key);
        }
        // An Ingress hands the SDK its output-only status too; a Route53 record its many attributes.
        assert.ok(observed.propertyNames.get("kubernetes:networking.k8s.io/v1:Ingress::routes-api-api-example-com")!.includes("status"));
        assert.ok(observed.propertyNames.get("aws:route53/record:Record::dns-api.example.com")!.length > 10);
        // Counting, not timing: the program creates at least the replay's SDK promises, and both far more than bare resources.
        const bare = await observeSdk(() => evaluate(bareProgram(original.length - 1), { project: "mesh-ingress", stack: "remote", config: {} }));
        assert.ok(observed.sdkPromises >= replay.sdkPromises, `${observed.sdkPromises} >= ${replay.sdkPromises}`);
        assert.ok(replay.sdkPromises > 2 * bare.sdkPromises, `${replay.sdkPromises} > 2 × ${bare.sdkPromises}`);
    });

    it("prints one row per variant beside its baseline, with every column", async () => {
        const variant = variants.find((v) => v.id === "remote")!;
        const measured = await measureVariant(variant, 2, 0);
        const p = await plannedOnce("remote");
        assert.equal(measured.resources, p.evaluation.resources.length);
        for (const times of [
            measured.program.evaluateMs,
            measured.program.evaluateCpuMs,
            measured.program.planMs,
            measured.baseline.evaluateMs,
            measured.baseline.evaluateCpuMs,
            measured.replay.evaluateMs,
            measured.replay.evaluateCpuMs,
        ]) {
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
        const measured: Measurement = { ...fakeMeasurement(variant.id, 5, [30, 10, 20], [10, 10, 10]), baseline: { evaluateMs: [10, 10, 10], evaluateCpuMs: [5, 5, 5] } };
        const table = formatTable([{ variant, measured, baselinePeakRssMiB: 90 }]);
        assert.match(table, /\| primary \(default: 1 remote, 4 edge hosts\) \| 5 \| 21\.0 \(11\.0–31\.0\) \| 20\.0 \(10\.0–30\.0\) \| 10\.0 \(10\.0–10\.0\) \| 2\.00 \| 20\.0 \| 5\.0 \| 4\.00 \| 100 \| 90 \|/);
    });

    it("shows where the time goes: the program against its replay, the replay against the baseline", () => {
        const variant = variants[0]!;
        const table = formatBreakdown([{ variant, measured: fakeMeasurement(variant.id, 10, [30, 36, 33], [4, 5, 6], [20, 22, 21]), baselinePeakRssMiB: 1 }]);
        const [header, separator, row, ...rest] = table.trimEnd().split("\n");
        assert.deepEqual(rest, []);
        assert.equal(header, `| ${breakdownColumns.join(" | ")} |`);
        assert.equal(separator, "|---|---:|---:|---:|---:|---:|---:|---:|");
        assert.equal(row, "| primary (default: 1 remote, 4 edge hosts) | 10 | 33.0 | 21.0 | 5.0 | 1.57 | 4.20 | 40.0, 38.0, 9.0 |");
    });

    it("fits a line to see how time grows along a scale, from three points on", () => {
        assert.deepEqual(linearFit([[1, 5], [2, 7], [4, 11]]), { slope: 2, intercept: 3, r2: 1 });
        assert.ok(linearFit([[1, 1], [2, 4], [3, 9], [4, 16]]).r2 < 0.99, "a parabola is not a line");
        const row = (n: number, cpu: number, axes: string[] = ["remotes"]): BenchRow => {
            const variant = { id: `v${n}`, title: `v${n}`, stack: "primary", scales: axes.map((axis) => ({ axis, n })) };
            return { variant, measured: fakeMeasurement(variant.id, n + 4, [cpu], [n], [cpu - 1]), baselinePeakRssMiB: 1 };
        };
        assert.equal(formatGrowth([row(1, 10), row(10, 28)]), "", "two points say nothing about the shape");
        const growth = formatGrowth([row(1, 10), row(10, 28), row(20, 48)]);
        assert.match(growth, /^How the program's evaluation time grows:\n- remotes \(1, 10, 20\): \+1\.00 resources per unit; program \+2\.00 CPU ms per unit \(least-squares line through the medians, R² 1\.000\)/);
        assert.match(growth, /replay \+2\.00 CPU ms per unit \(R² 1\.000\); baseline \+1\.00 CPU ms per unit/);
        // A variant on two scales (the default primary) is a point of each.
        const both = formatGrowth([row(4, 12, ["remotes", "edge hosts"]), row(10, 28), row(20, 48), row(50, 104, ["edge hosts"]), row(200, 404, ["edge hosts"])]);
        assert.match(both, /- remotes \(4, 10, 20\):/);
        assert.match(both, /- edge hosts \(4, 50, 200\): \+1\.00 resources per unit; program \+2\.00 CPU ms per unit/);
    });
});
