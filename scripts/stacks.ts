import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { clusterSettings } from "../config/settings/cluster";
import { commandArguments, processOutput, type CommandOutput } from "../offline/cli/command";
import { guardStream } from "../offline/cli/safe-output";
import { readProjectFile } from "../offline/stack-files";

/**
 * The stacks of this repository, read from its stack files (`Pulumi.<stack>.yaml`), with
 * the role each one runs. The workflows build their matrices from it, so a new
 * `Pulumi.remote-<name>.yaml` is planned, previewed and deployed (after the primary,
 * before the primary's second run) without editing them.
 *
 *   npm run --silent stacks                    every stack, as a JSON array
 *   npm run --silent stacks -- --role remote   the stacks of one role
 *
 * Exit status 2 when a stack file has no valid role, or when no primary stack exists.
 */

/** The roles a stack can run (the `role` setting, whose schema decides what is valid). */
export const roles = ["primary", "remote"] as const;
export type Role = (typeof roles)[number];
const isRole = (value: unknown): value is Role => clusterSettings.role.schema.safeParse(value).success;

/** One stack file of the repository. */
export interface StackFile {
    /** The stack's short name (`primary` for Pulumi.primary.yaml). */
    readonly stack: string;
    readonly role: Role;
}

/** Raised when the stack files do not describe a mesh the workflows can deploy. */
export class StackListError extends Error {}

/** Every stack file in `dir`, sorted by name, with its role. */
export function stackFiles(dir: string): StackFile[] {
    const key = `${readProjectFile(dir).name}:role`;
    const files = fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));
    const stacks: StackFile[] = [];
    const problems: string[] = [];
    for (const match of files) {
        const doc = parse(fs.readFileSync(path.join(dir, match[0]), "utf8")) as { config?: Record<string, unknown> } | null;
        const role = doc?.config?.[key];
        if (isRole(role)) stacks.push({ stack: match[1]!, role });
        else problems.push(`${match[0]}: ${key} = ${JSON.stringify(role ?? null)}: expected one of ${roles.join(", ")}`);
    }
    if (problems.length > 0) throw new StackListError(problems.join("\n"));
    if (!stacks.some((s) => s.role === "primary")) throw new StackListError(`no stack file with ${key}: primary: the mesh needs its primary`);
    return stacks;
}

const usage = "usage: npm run --silent stacks [-- --role primary|remote]";

/** The command: prints the stack names as a JSON array (or its one-line complaint) and returns the exit status. */
export function stacksCommand(args: readonly string[], out: CommandOutput): number {
    const parsed = commandArguments(args, { role: { type: "string" } }, usage, out);
    if (typeof parsed === "number") return parsed;
    const { values } = parsed;
    const role = values.role;
    if (role !== undefined && !isRole(role)) {
        out.stderr(`--role ${role}: expected one of ${roles.join(", ")}\n`);
        return 2;
    }
    try {
        const stacks = stackFiles(path.resolve(__dirname, "..")).filter((s) => role === undefined || s.role === role);
        out.stdout(`${JSON.stringify(stacks.map((s) => s.stack))}\n`);
        return 0;
    } catch (e) {
        if (!(e instanceof StackListError)) throw e;
        out.stderr(`${e.message}\n`);
        return 2;
    }
}

if (require.main === module) {
    // No line it prints can forge a line of its own or a CI command (offline/cli/safe-output.ts).
    guardStream(process.stdout);
    guardStream(process.stderr);
    process.exitCode = stacksCommand(process.argv.slice(2), processOutput);
}
