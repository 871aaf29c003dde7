import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Helm } from "../../../offline/charts/helm";
import { pinnedCharts, pullCharts } from "../../../offline/charts/pull";
import { rendered } from "../../support/render";

/**
 * `npm run charts`: which charts it pulls, with which `helm pull`, into which folder. A
 * fake helm stands in for the network: it records its arguments and writes the chart file
 * `helm pull` would write.
 */

/** A fake Helm whose `pull` logs its arguments and writes `<chart>-<version>.tgz`, or fails for the charts named in `failing`. */
function fakeHelm(log: string, failing: readonly string[] = []): Helm {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-fake-helm-"));
    const script = `#!/bin/sh
[ "$1" = version ] && { printf v3.19.0; exit 0; }
echo "$*" >> '${log}'
ref="$2"; chart="\${ref##*/}"
while [ $# -gt 0 ]; do case "$1" in --version) version="$2"; shift;; --destination) dest="$2"; shift;; esac; shift; done
case " ${failing.join(" ")} " in *" $chart "*) echo "Error: failed to fetch $ref: 404 Not Found" >&2; exit 1;; esac
touch "$dest/$chart-$version.tgz"
`;
    fs.writeFileSync(path.join(dir, "helm"), script, { mode: 0o755 });
    return { path: path.join(dir, "helm"), version: "v3.19.0", source: "path" };
}

describe("npm run charts (pulling the pinned charts)", function () {
    this.timeout(120000);
    let charts: ReturnType<typeof pinnedCharts>;

    before(async () => {
        const stacks = await Promise.all(["primary", "remote", "primary-gateway-api"].map(async (stack) => ({ stack, render: await rendered(stack) })));
        charts = pinnedCharts(stacks.flatMap(({ stack, render }) => render.releases.map((r) => ({ stack, release: r.release }))));
    });

    it("pulls each chart the stacks pin once, from its repository or oci:// reference", () => {
        assert.deepEqual(
            charts.map((c) => [c.chart, c.version, c.reference, c.repository ?? null, c.pinnedBy.length]),
            [
                ["base", "1.30.5", "base", "https://istio-release.storage.googleapis.com/charts", 3],
                ["cert-manager", "v1.21.3", "oci://quay.io/jetstack/charts/cert-manager", null, 3],
                ["gateway", "1.30.5", "gateway", "https://istio-release.storage.googleapis.com/charts", 3],
                ["ingress-nginx", "4.15.1", "ingress-nginx", "https://kubernetes.github.io/ingress-nginx", 2],
                ["istiod", "1.30.5", "istiod", "https://istio-release.storage.googleapis.com/charts", 3],
            ],
        );
    });

    it("pulls only what the cache lacks at the exact version (an older patch does not count)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-charts-"));
        for (const f of ["ingress-nginx-4.15.1.tgz", "istiod-1.30.3.tgz"]) fs.writeFileSync(path.join(dir, f), "");
        const log = path.join(dir, "..", `${path.basename(dir)}.log`);
        const results = await pullCharts(charts, { dir, from: "variable" }, fakeHelm(log));
        assert.deepEqual(results.map((r) => [r.chart.chart, r.status]), [["base", "pulled"], ["cert-manager", "pulled"], ["gateway", "pulled"], ["ingress-nginx", "cached"], ["istiod", "pulled"]]);
        assert.deepEqual(fs.readFileSync(log, "utf8").trim().split("\n"), [
            `pull base --repo https://istio-release.storage.googleapis.com/charts --version 1.30.5 --destination ${dir}`,
            `pull oci://quay.io/jetstack/charts/cert-manager --version v1.21.3 --destination ${dir}`,
            `pull gateway --repo https://istio-release.storage.googleapis.com/charts --version 1.30.5 --destination ${dir}`,
            `pull istiod --repo https://istio-release.storage.googleapis.com/charts --version 1.30.5 --destination ${dir}`,
        ]);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["base-1.30.5.tgz", "cert-manager-v1.21.3.tgz", "gateway-1.30.5.tgz", "ingress-nginx-4.15.1.tgz", "istiod-1.30.3.tgz", "istiod-1.30.5.tgz"]);
        // A second run finds everything and pulls nothing.
        assert.ok((await pullCharts(charts, { dir, from: "variable" }, fakeHelm(log))).every((r) => r.status === "cached"));
    });

    it("reports a pull that fails with Helm's reason, and goes on with the others", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-charts-"));
        const results = await pullCharts(charts, { dir, from: "variable" }, fakeHelm(path.join(dir, "log"), ["gateway"]));
        const failed = results.filter((r) => r.status === "failed");
        assert.deepEqual(failed.map((r) => [r.chart.chart, r.status === "failed" ? r.reason : ""]), [["gateway", "Error: failed to fetch gateway: 404 Not Found"]]);
        assert.equal(results.filter((r) => r.status === "pulled").length, 4);
    });

    it("with --dry-run, only says what it would pull", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-charts-"));
        const log = path.join(dir, "log");
        const results = await pullCharts(charts, { dir, from: "variable" }, fakeHelm(log), { dryRun: true });
        assert.deepEqual(results.map((r) => r.status), ["would pull", "would pull", "would pull", "would pull", "would pull"]);
        assert.equal(fs.existsSync(log), false);
        assert.deepEqual(fs.readdirSync(dir), []);
    });
});
