import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { captureCommand } from "../../../offline/cli/command";
import { planCommand } from "../../../offline/cli/plan-command";
import { renderCommand } from "../../../offline/cli/render-command";
import { chartCache } from "../../../offline/charts/cache";
import type { PlanDocument } from "../../../offline/plan";
import { renderTree } from "../../../offline/render";
import { writeReleaseFiles } from "../../../offline/charts/document";
import { runScript, type CommandResult } from "../../support/cli";
import { rendered } from "../../support/render";

/**
 * `npm run render`, `npm run plan -- --render` and `npm run charts` as a user runs them:
 * output, files and exit status. The commands start side by side in `before`; every
 * stack file is rendered in-process by render.spec.ts, so each command runs on one stack
 * (and the files of `--out` are written in-process, by the function the command calls).
 * One run of each command goes through its entry point in a child process (render with a
 * MESH_INGRESS_CHART_CACHE that does not exist, charts --config; plan's is in
 * test/offline/cli.spec.ts); the others run the command in-process, with its output
 * escaped as the process's streams are.
 */

const notePattern = /^note: (\S+): chart (\S+) (\S+) is pinned, but the chart cache has only (\S+); rendered \4 \(the same minor, an older patch\)$/;

describe("npm run render and plan --render (command line)", function () {
    this.timeout(120000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-render-out-"));
    const missing = path.join(out, "no-such-cache");
    let noCache: Promise<CommandResult>;
    let chartsConfig: Promise<CommandResult>;

    before(() => {
        noCache = runScript("offline/cli/render.ts", ["--stack", "primary"], { MESH_INGRESS_CHART_CACHE: missing });
        chartsConfig = runScript("offline/cli/charts.ts", ["--config", "Pulumi.primary.yaml"]);
    });

    it("renders a stack as one JSON document, and notes each older patch it stood in", async () => {
        const result = await captureCommand(renderCommand, ["--stack", "primary", "--json"]);
        assert.equal(result.status, 0, result.stderr);
        const doc = JSON.parse(result.stdout) as { stack: string; kubeVersion: string; apiVersions: string[]; chartCache: string; duplicates: string[]; releases: { release: string; chart: string; pinnedVersion: string; renderedVersion: string; substituted: boolean; objects: { kind: string; metadata: { name: string } }[] }[] };
        assert.equal(doc.stack, "primary");
        assert.equal(doc.kubeVersion, "1.34.0");
        assert.equal(doc.chartCache, chartCache().dir);
        assert.deepEqual(doc.duplicates, []);
        assert.ok(doc.apiVersions.includes("monitoring.coreos.com/v1"), "the program's ServiceMonitors make the Prometheus Operator's API available");
        assert.deepEqual(doc.releases.map((r) => r.chart).sort(), ["base", "cert-manager", "gateway", "ingress-nginx", "istiod"]);
        const istiod = doc.releases.find((r) => r.chart === "istiod")!;
        assert.ok(istiod.objects.some((o) => o.kind === "Deployment" && o.metadata.name === "istiod"));
        const notes = result.stderr.trim().split("\n").filter((l) => l !== "");
        assert.deepEqual(
            notes.map((l) => notePattern.exec(l)?.slice(1)),
            doc.releases.filter((r) => r.substituted).map((r) => [r.release, r.chart, r.pinnedVersion, r.renderedVersion]),
            result.stderr,
        );
    });

    it("adds the charts' objects to the plan under their release, judged by the pack", async () => {
        const result = await captureCommand(planCommand, ["--stack", "remote", "--render", "--json"]);
        assert.equal(result.status, 0, result.stderr);
        const doc = JSON.parse(result.stdout) as PlanDocument;
        assert.deepEqual(doc.violations, []);
        const rendered = doc.resources.filter((r) => r.renderedFrom !== undefined);
        assert.equal(rendered.length, doc.charts!.releases.reduce((n, r) => n + r.objects, 0));
        const reader = rendered.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name === "mesh-base:istio-system/istio-reader-service-account");
        assert.ok(reader, "the base chart's reader service account");
        const base = doc.charts!.releases.find((r) => r.release === "mesh-base")!;
        assert.deepEqual(reader.renderedFrom, { release: "mesh-base", chart: "base", version: base.renderedVersion, pinnedVersion: "1.30.5" });
        assert.equal(reader.parent, "mesh-base");
        assert.equal(reader.provider, "kubernetes");
        assert.match(reader.urn, /^urn:pulumi:remote::mesh-ingress::mesh-ingress:mesh:IstioRemote\$kubernetes:helm\.sh\/v3:Release\$kubernetes:core\/v1:ServiceAccount::mesh-base:istio-system\/istio-reader-service-account$/);
        // Each rendered object follows its release in the document.
        const releaseAt = doc.resources.findIndex((r) => r.name === "mesh-base");
        assert.ok(doc.resources.slice(releaseAt + 1, releaseAt + 1 + base.objects).every((r) => r.renderedFrom?.release === "mesh-base"));
        // The text output lists them under the release, one line each, and says which chart version it rendered.
        const text = renderTree(doc);
        assert.match(text, /\n {6}~ kubernetes:core\/v1:ServiceAccount {2}mesh-base:istio-system\/istio-reader-service-account {2}\(chart base \S+\)\n/);
        assert.ok(text.includes(`\n  mesh-base: chart base ${base.substituted ? `${base.renderedVersion} (pinned 1.30.5; the chart cache has only this older patch)` : "1.30.5"}, release 'istio-base' in istio-system, ${base.objects} objects\n`), text);
    });

    it("writes one YAML file per release with --out", async () => {
        const render = await rendered("primary-gateway-api");
        const dir = path.join(out, "files");
        const lines = writeReleaseFiles(render.render, dir);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["cert-manager-release.yaml", "mesh-base.yaml", "mesh-eastwest-release.yaml", "mesh-istiod.yaml"]);
        const gateway = render.release("gateway").rendered;
        const text = fs.readFileSync(path.join(dir, "mesh-eastwest-release.yaml"), "utf8");
        assert.ok(
            text.startsWith(
                `# Release mesh-eastwest-release: Helm release 'istio-eastwestgateway' in namespace istio-system, chart gateway ${gateway.chart.version}${gateway.chart.substituted ? ` (pinned 1.30.5; the chart cache has only ${gateway.chart.version}, an older patch)` : ""}\n# Rendered by Helm ${render.render.helm.version} for Kubernetes 1.34.0; 6 objects.\n---\n`,
            ),
            text.slice(0, 300),
        );
        assert.deepEqual(parseAllDocuments(text).map((d) => d.toJS() as unknown), gateway.objects);
        assert.ok(lines.includes(`${path.join(dir, "mesh-eastwest-release.yaml")}: 6 objects (chart gateway ${gateway.chart.version}${gateway.chart.substituted ? ", pinned 1.30.5" : ""})`), lines.join("\n"));
    });

    it("answers usage mistakes and a chart cache that does not exist with exit 2 before loading the program", async () => {
        const aFile = path.join(out, "a-file.yaml");
        fs.writeFileSync(aFile, "");
        const render = (args: string[]) => captureCommand(renderCommand, args);
        const noStack = await render([]);
        const both = await render(["--stack", "primary", "--json", "--out", out]);
        const badOut = await render(["--stack", "primary", "--out", aFile]);
        assert.deepEqual([noStack.status, both.status, badOut.status, (await chartsConfig).status, (await noCache).status], [2, 2, 2, 2, 2]);
        assert.equal((await noCache).stderr, `MESH_INGRESS_CHART_CACHE = ${missing}: expected an existing folder of packaged charts (${missing} is not one)\n`);
        assert.equal(noStack.stderr.split("\n")[0], "--stack is required");
        assert.equal(both.stderr.split("\n")[0], "--json prints one document and --out writes files: choose one");
        assert.equal(badOut.stderr, `--out ${aFile}: expected a folder (it is a file)\n`);
        assert.equal((await chartsConfig).stderr.split("\n")[0], "--config needs --stack");
    });
});
