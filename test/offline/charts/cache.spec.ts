import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cachedCharts, chartCache, chartCacheVariable, chooseChart, defaultChartCache, type ChartCache } from "../../../offline/charts/cache";

/** A chart cache folder holding empty files with the given names. */
function cacheWith(...files: string[]): ChartCache {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-chart-cache-"));
    for (const f of files) fs.writeFileSync(path.join(dir, f), "");
    return { dir, from: "variable" };
}

describe("the chart cache", () => {
    it("reads charts named as helm pull names them, versions with and without a v", () => {
        const cache = cacheWith("istiod-1.30.3.tgz", "cert-manager-v1.21.1.tgz", "ingress-nginx-4.15.1.tgz", "README.md", "gateway-latest.tgz");
        assert.deepEqual(
            cachedCharts(cache.dir).map((c) => [c.name, c.version]).sort(),
            [["cert-manager", "v1.21.1"], ["ingress-nginx", "4.15.1"], ["istiod", "1.30.3"]],
        );
    });

    it("renders the pinned version when the cache has it", () => {
        const cache = cacheWith("istiod-1.30.3.tgz", "istiod-1.30.5.tgz");
        const chosen = chooseChart(cache, "istiod", "1.30.5");
        assert.deepEqual({ version: chosen.version, substituted: chosen.substituted, file: chosen.file }, { version: "1.30.5", substituted: false, file: path.join(cache.dir, "istiod-1.30.5.tgz") });
    });

    it("stands in the newest older patch of the pinned minor, and says so", () => {
        const cache = cacheWith("istiod-1.30.1.tgz", "istiod-1.30.3.tgz", "istiod-1.29.9.tgz", "cert-manager-v1.21.1.tgz");
        assert.deepEqual(pick(chooseChart(cache, "istiod", "1.30.5")), { version: "1.30.3", pinned: "1.30.5", substituted: true });
        assert.deepEqual(pick(chooseChart(cache, "cert-manager", "v1.21.3")), { version: "v1.21.1", pinned: "v1.21.3", substituted: true });
    });

    it("never stands in a newer patch, another minor or a pre-release", () => {
        const cache = cacheWith("istiod-1.30.6.tgz", "istiod-1.31.0.tgz", "istiod-1.29.4.tgz", "istiod-1.30.4-rc.1.tgz");
        assert.throws(
            () => chooseChart(cache, "istiod", "1.30.5"),
            new RegExp(`^ChartCacheError: chart istiod 1\\.30\\.5 is not in ${chartCacheVariable} = ${escape(cache.dir)} \\(it has istiod 1\\.29\\.4, 1\\.30\\.4-rc\\.1, 1\\.30\\.6, 1\\.31\\.0; only an older patch of 1\\.30 may stand in\\): run npm run charts \\(needs the network\\), or set MESH_INGRESS_CHART_CACHE to a cache that has it$`),
        );
    });

    it("names the chart it lacks entirely, and refuses a version range", () => {
        const cache = cacheWith();
        assert.throws(() => chooseChart(cache, "gateway", "1.30.5"), /chart gateway 1\.30\.5 is not in .* \(it has no gateway chart;/);
        assert.throws(() => chooseChart(cache, "gateway", "^1.30.0"), /^ChartCacheError: chart gateway is pinned at '\^1\.30\.0', which is not an exact version: a render needs one$/);
    });

    it("is MESH_INGRESS_CHART_CACHE when set (which must exist), else the project's own", () => {
        const dir = cacheWith().dir;
        assert.deepEqual(chartCache({ [chartCacheVariable]: dir }), { dir, from: "variable" });
        assert.deepEqual(chartCache({}), { dir: defaultChartCache, from: "default" });
        assert.deepEqual(chartCache({ [chartCacheVariable]: "" }), { dir: defaultChartCache, from: "default" });
        const missing = path.join(dir, "nowhere");
        assert.throws(() => chartCache({ [chartCacheVariable]: missing }), new RegExp(`^ChartCacheError: MESH_INGRESS_CHART_CACHE = ${escape(missing)}: expected an existing folder of packaged charts \\(${escape(missing)} is not one\\)$`));
    });
});

function pick(c: { version: string; pinned: string; substituted: boolean }): { version: string; pinned: string; substituted: boolean } {
    return { version: c.version, pinned: c.pinned, substituted: c.substituted };
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
