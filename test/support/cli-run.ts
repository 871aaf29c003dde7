import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluateRun } from "../../offline/engine";
import { readSamples, sampleLookup } from "../../offline/samples";
import { redact } from "../../offline/values";

/**
 * Runs `index.ts` the way `pulumi preview` does, under the project's mock engine, in a
 * process of its own (test/offline/cli-load.spec.ts starts it: tsx loads this file and
 * the engine, then unregisters before anything else loads, so that the SDK's ts-node is
 * the only TypeScript loader left for the program).
 *
 * The program is loaded by the Pulumi SDK's own run entry, `@pulumi/pulumi/cmd/run`, with
 * the arguments the Node.js language host gives it (`constructArguments` in
 * pulumi-language-nodejs), the monitor being the mock one: with
 * `PULUMI_NODEJS_TYPESCRIPT=true`, as the language host sets it, the SDK's `run`
 * (cmd/run/run.ts) registers ts-node with the project's tsconfig.json and type checking
 * on (unless `PULUMI_NODEJS_TRANSPILE_ONLY` or `compilerOptions.noCheck`), then requires
 * the package's `main` and runs it inside the root Stack. The configuration comes from
 * `PULUMI_CONFIG` and `PULUMI_CONFIG_SECRET_KEYS`, as the language host passes it.
 *
 * Environment: `CLI_RUN_PROJECT`, `CLI_RUN_STACK`, `CLI_RUN_OUT` (where the result goes, as
 * JSON: {@link CliRunResult}).
 */

/** What the run reports. */
export interface CliRunResult {
    /** Every recorded resource, as the plan shows it. */
    readonly resources: readonly { type: string; name: string; custom: boolean; parent: string | undefined; provider: string | undefined; inputs: unknown }[];
    readonly outputs: unknown;
    /** Errors the program logged. */
    readonly errors: readonly string[];
    /** The ts-node that compiled the program: its version, the TypeScript it used, and whether it type-checked. */
    readonly tsNode: { readonly version: string; readonly typescript: string; readonly transpileOnly: boolean; readonly project: string | undefined };
    /** The project's TypeScript files that ts-node compiled. */
    readonly compiled: readonly string[];
    /** What ts-node said about a file with a type error, loaded after the program. */
    readonly typeError: { readonly name: string; readonly codes: readonly number[] } | undefined;
}

interface TsNodeService {
    readonly options: { readonly transpileOnly?: boolean; readonly project?: string };
    readonly ts: { readonly version: string };
    readonly configFilePath: string | undefined;
}

type SdkRun = (argv: Record<string, unknown>, programStarted: () => void, reportLoggedError: (err: Error) => void, isErrorReported: (err: Error) => boolean) => Promise<unknown>;

/**
 * Starts `@pulumi/pulumi/cmd/run` as the language host does (`node <sdk>/cmd/run --monitor
 * ... --project ... --stack ... --pwd ... --dry-run .`) and resolves with the program's
 * outputs. The entry parses those arguments and calls `run` (cmd/run/run.js) on a later
 * turn; `run` is wrapped first, only to learn when the program has finished.
 */
function sdkEntry(project: string, stack: string, reported: string[]): Promise<unknown> {
    process.argv = [process.argv[0]!, require.resolve("@pulumi/pulumi/cmd/run"), "--monitor", "mock", "--project", project, "--stack", stack, "--organization", "organization", "--pwd", process.cwd(), "--dry-run", "."];
    // Loading run.js loads the entry (cmd/run/index.js), which reads process.argv at once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runModule = require("@pulumi/pulumi/cmd/run/run") as { run: SdkRun };
    const sdkRun = runModule.run;
    return new Promise((resolve, reject) => {
        runModule.run = (argv, programStarted, reportLoggedError, isErrorReported) => {
            const running = sdkRun(argv, programStarted, (err) => {
                reported.push(err.message);
                reportLoggedError(err);
            }, isErrorReported);
            running.then(resolve, reject);
            return running;
        };
    });
}

/**
 * Ends this run when the process that started it is gone (a mocha worker stopped by a
 * signal runs no exit handler): otherwise the run would go on alone, at full memory.
 */
function endWithParent(): void {
    const parent = process.ppid;
    setInterval(() => {
        try {
            process.kill(parent, 0);
        } catch {
            process.exit(1);
        }
    }, 1000).unref();
}

async function main(): Promise<void> {
    endWithParent();
    const out = process.env["CLI_RUN_OUT"] ?? "";
    const project = process.env["CLI_RUN_PROJECT"] ?? "";
    const stack = process.env["CLI_RUN_STACK"] ?? "";
    const before = new Set(Object.keys(require.cache));
    const reported: string[] = [];
    const evaluation = await evaluateRun(() => sdkEntry(project, stack, reported), {
        project,
        stack,
        preview: true,
        samples: sampleLookup(readSamples()),
        // The run includes ts-node's compilation and type check of the whole program.
        timeoutMs: 600_000,
    });
    const service = (process as unknown as Record<symbol, TsNodeService | undefined>)[Symbol.for("ts-node.register.instance")];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNodeVersion = (require("ts-node/package.json") as { version: string }).version;
    const compiled = Object.keys(require.cache)
        .filter((f) => !before.has(f) && f.endsWith(".ts") && !f.includes(`${path.sep}node_modules${path.sep}`))
        .map((f) => path.relative(process.cwd(), f))
        .sort();

    // A negative control: the same registration must refuse a file that does not type-check.
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cli-run-")), "bad.ts");
    fs.writeFileSync(bad, 'export const replicas: number = "three";\n');
    let typeError: CliRunResult["typeError"];
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(bad);
    } catch (e) {
        typeError = { name: (e as Error).name, codes: (e as { diagnosticCodes?: number[] }).diagnosticCodes ?? [] };
    }

    const result: CliRunResult = {
        resources: evaluation.resources.map((r) => ({ type: r.type, name: r.name, custom: r.custom, parent: r.parent, provider: r.provider, inputs: redact(r.inputs) })),
        outputs: redact(evaluation.outputs),
        errors: [...reported, ...evaluation.logs.filter((l) => l.severity === "error").map((l) => l.message)],
        tsNode: {
            version: tsNodeVersion,
            typescript: service?.ts.version ?? "none",
            transpileOnly: service?.options.transpileOnly === true,
            project: service?.configFilePath !== undefined ? path.relative(process.cwd(), service.configFilePath) : undefined,
        },
        compiled,
        typeError,
    };
    fs.writeFileSync(out, JSON.stringify(result));
}

main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
});
