import * as path from "node:path";
import { ESLint } from "eslint";
import * as ts from "typescript";
import { runCommand } from "../offline/cli/command";

/**
 * npm run check: what `tsc --noEmit -p .` and `eslint .` report, over one TypeScript
 * program. ESLint's typed rules need the program the compiler builds for the type check
 * (typescript-eslint's `parserOptions.programs`); building it once instead of twice is
 * most of the time both take. Type errors print as tsc prints them, lint problems with
 * ESLint's formatter. Exit 1 when either finds an error, 2 for a broken tsconfig.json.
 */
const root = path.resolve(__dirname, "..");

const formatHost: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
};

function format(diagnostics: readonly ts.Diagnostic[]): string {
    return process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) : ts.formatDiagnostics(diagnostics, formatHost);
}

/** The project's program, as `tsc -p .` builds it, and the diagnostics of its tsconfig.json. */
function projectProgram(): { program: ts.Program; configErrors: readonly ts.Diagnostic[] } | undefined {
    const configPath = path.join(root, "tsconfig.json");
    const read = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
    if (read.error) {
        process.stderr.write(format([read.error]));
        return undefined;
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, configFileParsingDiagnostics: parsed.errors });
    return { program, configErrors: parsed.errors };
}

async function main(): Promise<number> {
    const built = projectProgram();
    if (!built) return 2;
    const typeErrors = [...built.configErrors, ...ts.getPreEmitDiagnostics(built.program)];
    if (typeErrors.length > 0) process.stdout.write(format(typeErrors));

    const eslint = new ESLint({
        cwd: root,
        // The TypeScript files get the program above; the config's `project` would build it again.
        overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parserOptions: { programs: [built.program], project: false } } }],
    });
    const results = await eslint.lintFiles(["."]);
    const lint = await (await eslint.loadFormatter("stylish")).format(results);
    if (lint) process.stdout.write(lint);
    const lintErrors = results.reduce((n, r) => n + r.errorCount, 0);
    process.stdout.write(`check: ${typeErrors.length} type error(s), ${lintErrors} lint error(s) in ${built.program.getRootFileNames().length} files\n`);
    return typeErrors.length > 0 || lintErrors > 0 ? 1 : 0;
}

runCommand(main);
