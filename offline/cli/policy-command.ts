import * as fs from "node:fs";
import { printable } from "../../config/printable";
import { commandArguments, type CommandOutput } from "./command";
import type * as DocumentsModule from "../documents";
import type * as JudgeModule from "../judge";

/**
 * npm run policy -- FILE [--json] [--policy-config FILE]
 *
 * Judges an offline plan (npm run plan -- --json) or a state export (pulumi stack
 * export) with the policy pack, offline. Exit status: 0 no mandatory violation, 1 a
 * mandatory policy fails, 2 the file cannot be read or is neither kind of document, or
 * the --policy-config file is not the pack's (one line per problem).
 */
const usage = "usage: npm run policy -- FILE [--json] [--policy-config FILE]";

export async function policyCommand(args: readonly string[], out: CommandOutput): Promise<number> {
    const parsed = commandArguments(args, { json: { type: "boolean", default: false }, "policy-config": { type: "string" } }, usage, out, true);
    if (typeof parsed === "number") return parsed;
    const [file, ...extra] = parsed.positionals;
    if (file === undefined || extra.length > 0) {
        out.stderr(`${usage}\n`);
        return 2;
    }
    // The file is read before the policy pack (and the Pulumi SDK under it) loads.
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    } catch (e) {
        // A parser's message quotes the file; one line says what is wrong instead.
        const code = (e as NodeJS.ErrnoException).code;
        out.stderr(`${file}: ${code === "ENOENT" ? "no such file" : e instanceof SyntaxError ? "not JSON; expected an offline plan (npm run plan -- --json) or a state export (pulumi stack export)" : `cannot be read (${code ?? "error"})`}\n`);
        return 2;
    }
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily, see above */
    const { DocumentError, resourcesOf } = require("../documents") as typeof DocumentsModule;
    const { judge, policyConfigProblems } = require("../judge") as typeof JudgeModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    let resources;
    let kind;
    let unreadableSecrets = 0;
    let config: JudgeModule.PolicyConfig | undefined;
    try {
        ({ kind, resources, unreadableSecrets } = resourcesOf(doc));
        const configFile = parsed.values["policy-config"];
        if (configFile) {
            config = JSON.parse(fs.readFileSync(configFile, "utf8")) as JudgeModule.PolicyConfig;
            const problems = policyConfigProblems(config);
            if (problems.length > 0) {
                for (const line of problems) out.stderr(`--policy-config ${configFile}: ${line}\n`);
                return 2;
            }
        }
    } catch (e) {
        const reason = e instanceof DocumentError || e instanceof SyntaxError ? e.message : (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
        out.stderr(`${e instanceof DocumentError ? file : (parsed.values["policy-config"] ?? file)}: ${reason}\n`);
        return 2;
    }
    const findings = await judge(resources, config ? { config } : {});
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory").length;
    if (parsed.values.json) {
        out.stdout(`${JSON.stringify({ document: kind, resources: resources.length, unreadableSecrets, violations: findings }, null, 2)}\n`);
    } else {
        out.stdout(`Judged ${resources.length} resources of a ${kind === "plan" ? "plan" : "state export"}: ${findings.length} findings, ${mandatory} mandatory\n`);
        if (unreadableSecrets > 0) {
            out.stdout(
                `  note: ${unreadableSecrets} secret value(s) cannot be read from this ${kind === "plan" ? "plan (it redacts them)" : "export (encrypted; export with --show-secrets to judge them)"}; policies treat them as unknown\n`,
            );
        }
        for (const f of findings) out.stdout(`  [${f.enforcementLevel}] ${f.policy}${f.resource ? ` (${printable(f.resource)})` : ""}: ${printable(f.message)}\n`);
    }
    return mandatory > 0 ? 1 : 0;
}
