import * as fs from "node:fs";
import * as path from "node:path";
import { projectDir, stackFilePath } from "../stack-files";
import { commandArguments, type CommandOutput } from "./command";
import type * as CacheModule from "../charts/cache";
import type * as HelmModule from "../charts/helm";
import type * as PlanModule from "../plan";
import type * as PullModule from "../charts/pull";
import type * as ReleasesModule from "../charts/releases";
import type * as StackModule from "../charts/stack";

/**
 * npm run charts [-- --stack <name> [--config FILE]] [--dry-run]
 *
 * Pulls the charts the stacks pin (chart, version and repository of every Helm release,
 * as the program builds them from the settings) into the chart cache with `helm pull`:
 * MESH_INGRESS_CHART_CACHE when set, else node_modules/.cache/mesh-ingress/charts. Without
 * --stack, every stack file of the repository (Pulumi.*.yaml and examples/Pulumi.*.yaml).
 * Charts already cached at their exact version are skipped. Needs the network; --dry-run
 * prints the `helm pull` commands instead of running them.
 *
 * Exit status: 0 every chart cached; 2 a usage or configuration problem, or a pull that
 * failed (one line each); 3 a bug.
 */
const usage = "usage: npm run charts -- [--stack <name> [--config Pulumi.<stack>.yaml]] [--dry-run]";

export async function chartsCommand(args: readonly string[], out: CommandOutput): Promise<number> {
    const parsed = commandArguments(
        args,
        {
            stack: { type: "string" },
            config: { type: "string" },
            "dry-run": { type: "boolean", default: false },
        },
        usage,
        out,
    );
    if (typeof parsed === "number") return parsed;
    const { values } = parsed;
    if (values.config && !values.stack) {
        out.stderr(`--config needs --stack\n${usage}\n`);
        return 2;
    }
    /* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the arguments are checked */
    const { repositoryStacks } = require("../charts/stack") as typeof StackModule;
    const stacks = values.stack ? [{ stack: values.stack, configFile: values.config ? path.resolve(values.config) : stackFilePath(projectDir, values.stack) }] : repositoryStacks();
    for (const s of stacks) {
        if (!fs.existsSync(s.configFile)) {
            out.stderr(`${s.configFile}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)\n`);
            return 2;
        }
    }
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded after the arguments are checked */
    const { chartCache, ChartCacheError } = require("../charts/cache") as typeof CacheModule;
    const { findHelm, HelmUnavailable } = require("../charts/helm") as typeof HelmModule;
    const { plan } = require("../plan") as typeof PlanModule;
    const { pinnedCharts, pullCharts } = require("../charts/pull") as typeof PullModule;
    const { helmReleases, UnrenderableRelease } = require("../charts/releases") as typeof ReleasesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */

    let cache;
    try {
        cache = chartCache();
    } catch (e) {
        if (!(e instanceof ChartCacheError)) throw e;
        out.stderr(`${e.message}\n`);
        return 2;
    }
    const releases = [];
    for (const s of stacks) {
        const outcome = await plan({ stack: s.stack, configFile: s.configFile, up: true, policyConfig: { all: "disabled" } });
        if (outcome.kind === "invalid") {
            for (const line of outcome.lines) out.stderr(`${path.relative(projectDir, s.configFile)}: ${line}\n`);
            return 2;
        }
        if (outcome.kind === "failed") throw outcome.error;
        try {
            for (const release of await helmReleases(outcome.evaluation.resources)) releases.push({ stack: s.stack, release });
        } catch (e) {
            if (!(e instanceof UnrenderableRelease)) throw e;
            out.stderr(`${s.stack}: ${e.message}\n`);
            return 2;
        }
    }
    let helm;
    if (!values["dry-run"]) {
        try {
            helm = await findHelm();
        } catch (e) {
            if (!(e instanceof HelmUnavailable)) throw e;
            out.stderr(`${e.message}\n`);
            return 2;
        }
    }
    const results = await pullCharts(pinnedCharts(releases), cache, helm, { dryRun: values["dry-run"] });
    let failed = false;
    for (const r of results) {
        const what = `${r.chart.chart} ${r.chart.version}`;
        switch (r.status) {
            case "cached":
                out.stdout(`cached      ${what}: ${r.file}\n`);
                break;
            case "pulled":
                out.stdout(`pulled      ${what} into ${cache.dir}\n`);
                break;
            case "would pull":
                out.stdout(`would pull  ${what}: helm ${r.args.join(" ")}\n`);
                break;
            case "failed":
                failed = true;
                out.stderr(`${what}: helm ${r.args.join(" ")} failed: ${r.reason}\n`);
                break;
        }
    }
    return failed ? 2 : 0;
}
