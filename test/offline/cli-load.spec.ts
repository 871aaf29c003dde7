import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { languageHostEnvironment } from "../../offline/cli-config";
import { offlineKubeconfigFor, projectDir } from "../../offline/plan";
import { readProjectFile, readStackConfiguration, stackFilePath } from "../../offline/stack-files";
import { redact } from "../../offline/values";
import type { CliRunResult } from "../support/cli-run";
import { plannedOnce, type Planned } from "../support/plan";

/**
 * The offline plan runs index.ts through tsx, which strips types without checking them.
 * The Pulumi CLI's Node.js language host runs it through ts-node instead, with the
 * project's tsconfig.json and type checking on (pulumi/pulumi sdk/nodejs/cmd/run/run.ts).
 * This spec loads the program that second way, through the SDK's own run entry, for the
 * default primary stack with its configuration passed as the language host passes it, and
 * checks that it compiles and registers exactly what the tsx plan registers.
 */

/** Starts test/support/cli-run.ts in a fresh Node.js process with the language host's environment. */
function runLikeTheCli(stack: string): Promise<CliRunResult> {
    const project = readProjectFile(projectDir);
    const configuration = readStackConfiguration(project, stackFilePath(projectDir, stack), { stack });
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cli-load-")), "result.json");
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...languageHostEnvironment(configuration),
        // What pulumi-language-nodejs sets for a TypeScript project (its `typescript` option defaults to true).
        PULUMI_NODEJS_TYPESCRIPT: "true",
        KUBECONFIG: offlineKubeconfigFor(configuration.values[`${project.name}:kubeContext`]),
        CLI_RUN_PROJECT: project.name,
        CLI_RUN_STACK: stack,
        CLI_RUN_OUT: out,
    };
    // Nothing that would change how ts-node compiles, and no loader inherited from mocha.
    for (const key of Object.keys(env)) if (key.startsWith("TS_NODE_") || key === "PULUMI_NODEJS_TRANSPILE_ONLY" || key === "PULUMI_NODEJS_TSCONFIG_PATH" || key === "NODE_OPTIONS") delete env[key];
    const harness = path.join(projectDir, "test", "support", "cli-run.ts");
    // tsx loads the harness and the engine, then steps aside before the SDK registers ts-node.
    const bootstrap = `const unregister = require("tsx/cjs/api").register(); require(${JSON.stringify(harness)}); unregister();`;
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-e", bootstrap], { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
        // Low priority: it runs beside the rest of the suite and must not slow its timed tests.
        if (child.pid !== undefined) os.setPriority(child.pid, 15);
        // A suite that ends first (a timeout, a failure elsewhere) must not leave the child running.
        const stop = (): void => {
            child.kill("SIGKILL");
        };
        process.once("exit", stop);
        child.once("close", () => process.off("exit", stop));
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout.resume();
        child.on("error", reject);
        child.on("close", (code) => {
            if (code !== 0 || !fs.existsSync(out)) reject(new Error(`the run like the CLI's failed (exit ${String(code)}):\n${stderr}`));
            else resolve(JSON.parse(fs.readFileSync(out, "utf8")) as CliRunResult);
        });
    });
}

// Started when mocha loads this file, so that the child (mostly ts-node parsing the type
// declarations of @pulumi/aws and @pulumi/kubernetes) runs on the second core while the
// other spec files run (at low priority), instead of adding its time to the suite's.
const cliRun = runLikeTheCli("primary");
cliRun.catch(() => undefined);

describe("the program loaded the way the Pulumi CLI loads it (ts-node, type-checked)", function () {
    this.timeout(240_000);
    let cli: CliRunResult;
    let tsx: Planned;

    before(async () => {
        [cli, tsx] = await Promise.all([cliRun, plannedOnce("primary")]);
    });

    it("compiles index.ts and every module it loads with the SDK's ts-node registration: the project's tsconfig.json, type checking on", () => {
        assert.equal(cli.tsNode.transpileOnly, false);
        assert.equal(cli.tsNode.project, "tsconfig.json");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.equal(cli.tsNode.version, (require("ts-node/package.json") as { version: string }).version, "the project's ts-node, not the SDK's vendored 7.0.1");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.equal(cli.tsNode.typescript, (require("typescript/package.json") as { version: string }).version);
        assert.ok(cli.compiled.includes("index.ts"), cli.compiled.join(", "));
        for (const dir of ["components", "config", "stacks"]) assert.ok(cli.compiled.some((f) => f.startsWith(`${dir}${path.sep}`)), `a module of ${dir}/ was compiled by ts-node`);
        assert.ok(!cli.compiled.some((f) => f.startsWith(`offline${path.sep}`) || f.startsWith(`test${path.sep}`)), "the program loads nothing of the offline tooling");
    });

    it("refuses a type error through the same registration (so the program's clean compile means something)", () => {
        assert.deepEqual(cli.typeError, { name: "TSError", codes: [2322] });
    });

    it("registers exactly what the tsx plan registers: the same resources, parents, providers and inputs, and the same outputs", () => {
        assert.deepEqual(cli.errors, []);
        const shape = (r: { type: string; name: string; custom: boolean; parent: string | undefined; provider: string | undefined; inputs: unknown }) => ({
            type: r.type,
            name: r.name,
            custom: r.custom,
            parent: r.parent ?? null,
            provider: r.provider ?? null,
            inputs: r.inputs,
        });
        const planned = tsx.evaluation.resources.map((r) => shape({ ...r, inputs: redact(r.inputs) }));
        assert.ok(planned.length > 40, `${planned.length} resources`);
        assert.deepEqual(JSON.parse(JSON.stringify(cli.resources.map(shape))), JSON.parse(JSON.stringify(planned)));
        assert.deepEqual(cli.outputs, JSON.parse(JSON.stringify(redact(tsx.evaluation.outputs))));
    });
});
