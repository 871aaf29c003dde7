// npm run mutation [-- --mutate FILE]: StrykerJS over the policies, the settings and the
// components (README, "Mutation testing"). MUTATION_SCOPE=policy|config|components picks one
// folder and the specs that can kill its mutants; without it, all three with all of them.
// Only in-process specs are run: a spec that spawns the CLI or the analyzer cannot see the
// active mutant. Per-test coverage runs only the tests that reach each mutant; the
// TypeScript checker drops mutants that do not compile, so none counts as killed by a
// compile error.
const specs = {
    policy: ["test/policy/*.spec.ts"],
    config: ["test/config/**/*.spec.ts", "test/offline/bad-config*.spec.ts", "test/offline/cli-config.spec.ts"],
    components: ["test/components/**/*.spec.ts", "test/stacks/*.spec.ts", "test/offline/plan.spec.ts", "test/offline/charts/*.spec.ts"],
};
const scope = process.env.MUTATION_SCOPE;
if (scope !== undefined && !(scope in specs)) throw new Error(`MUTATION_SCOPE '${scope}' must be one of ${Object.keys(specs).join(", ")}`);
const scopes = scope === undefined ? Object.keys(specs) : [scope];
// MUTATION_SPECS=glob,glob: only these specs (a quick lower bound while writing tests for one file).
const only = process.env.MUTATION_SPECS?.split(",").filter((s) => s.length > 0);

export default {
    packageManager: "npm",
    mutate: scopes.map((s) => `${s}/**/*.ts`),
    testRunner: "mocha",
    testRunnerNodeArgs: ["--import", "tsx"],
    mochaOptions: {
        config: ".mocharc.json",
        extension: ["ts"],
        spec: only ?? [...new Set(scopes.flatMap((s) => specs[s]))],
        // The analyzer spec spawns CrossGuard's analyzer: it cannot see a mutant.
        ignore: ["test/policy/analyzer.spec.ts", "test/offline/charts/cli.spec.ts", "test/offline/charts/pull.spec.ts"],
    },
    coverageAnalysis: "perTest",
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    // Static mutants (module-level constants) would need every test for each: left out.
    ignoreStatic: true,
    ignorePatterns: ["bin", "reports", ".pulumi", "/tmp"],
    concurrency: 2,
    dryRunTimeoutMinutes: 30,
    timeoutMS: 20000,
    // A run with other specs must not reuse a full run's results.
    incremental: only === undefined,
    incrementalFile: `reports/mutation/${scope ?? "all"}-incremental.json`,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${scope ?? "all"}.html` },
    jsonReporter: { fileName: `reports/mutation/${scope ?? "all"}.json` },
    thresholds: { high: 90, low: 80, break: null },
};
