import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as Automation from "@pulumi/pulumi/automation";
import { runCommand } from "../offline/cli/command";
import { readProjectFile } from "../offline/stack-files";
import { StackListError, stackFiles, type StackFile } from "./stacks";

/**
 * npm run rollout -- [--stacks a,b,...] [--preview] [--org ORG]
 *
 * The mesh's rollout outside GitHub, through Pulumi's Automation API: `pulumi up` (with the
 * policy pack, refreshing first) on every primary, then on each remote, then on every
 * primary again (it writes the remote-cluster secrets). It stops at the first failure and
 * says which steps did not run. `--preview` previews instead; the primaries' second pass is
 * then left out, since nothing was deployed in between and it would repeat the first.
 *
 * The stacks are the repository's stack files with their roles (`npm run stacks`).
 * `--stacks` limits the run to the named ones; when it names no primary, every primary takes
 * part. Stack names are qualified as the backend needs them: `organization/<project>/<stack>`
 * on a self-managed backend (PULUMI_BACKEND_URL), `<org>/<stack>` with `--org` (or
 * PULUMI_ORG), otherwise the stack's own name in the token's default organization.
 *
 * Exit status: 0 every step succeeded; 1 a step failed (the rest did not run); 2 the
 * arguments or stack files are wrong, or the Pulumi CLI cannot be run; 3 a bug.
 */
export const usage = "usage: npm run rollout -- [--stacks <stack>[,<stack>...]] [--preview] [--org <organization>]";

/** Which run of a stack a step is. */
export type Pass = "first" | "remote" | "again";

/** One step of the rollout. */
export interface RolloutStep {
    /** The stack's short name (its stack file's). */
    readonly stack: string;
    /** The name the backend knows it by. */
    readonly qualifiedName: string;
    readonly pass: Pass;
}

/** What the rollout does with one stack: the part of the Automation API's `Stack` it uses. */
export interface RolloutStack {
    up(options: { refresh: boolean; policyPacks: string[]; message: string; onOutput?: (out: string) => void }): Promise<{
        summary: { result: string; startTime: Date; endTime: Date; resourceChanges?: Readonly<Record<string, number>> };
    }>;
    preview(options: { refresh: boolean; policyPacks: string[]; message: string; onOutput?: (out: string) => void }): Promise<{ changeSummary: Readonly<Record<string, number>> }>;
}

/** Opens a stack by its qualified name (LocalWorkspace.selectStack for real; a fake in tests). */
export type StackFactory = (qualifiedName: string) => Promise<RolloutStack>;

/** Raised when the Pulumi CLI cannot be started; the rollout reports it as exit status 2. */
export class PulumiCliError extends Error {}

/** How stacks are named on the backend. */
export interface Naming {
    /** The project's name (Pulumi.yaml). */
    readonly project: string;
    /** The Pulumi Cloud organization, or undefined for the token's default one. */
    readonly organization?: string;
    /** True on a self-managed backend (s3://, file://, ...), whose only organization is `organization`. */
    readonly selfManaged: boolean;
}

/** A stack's name as the backend needs it. */
export function qualifiedStackName(stack: string, naming: Naming): string {
    if (naming.selfManaged) return `organization/${naming.project}/${stack}`;
    return naming.organization ? `${naming.organization}/${stack}` : stack;
}

/**
 * The steps, in order: every selected primary, every selected remote, every primary again
 * (only when remotes ran and not in preview). Throws a StackListError naming an unknown stack.
 */
export function rolloutSteps(stacks: readonly StackFile[], selected: readonly string[] | undefined, naming: Naming, preview: boolean): RolloutStep[] {
    if (selected !== undefined) {
        const unknown = selected.filter((s) => !stacks.some((f) => f.stack === s));
        if (unknown.length > 0) {
            throw new StackListError(`--stacks ${unknown.join(",")}: expected stacks with a stack file (${stacks.map((s) => s.stack).join(", ")})`);
        }
    }
    const chosen = (role: StackFile["role"]): string[] => stacks.filter((s) => s.role === role && (selected === undefined || selected.includes(s.stack))).map((s) => s.stack);
    let primaries = chosen("primary");
    if (primaries.length === 0) primaries = stacks.filter((s) => s.role === "primary").map((s) => s.stack);
    const remotes = chosen("remote");
    const step = (stack: string, pass: Pass): RolloutStep => ({ stack, qualifiedName: qualifiedStackName(stack, naming), pass });
    return [
        ...primaries.map((s) => step(s, "first")),
        ...remotes.map((s) => step(s, "remote")),
        ...(remotes.length > 0 && !preview ? primaries.map((s) => step(s, "again")) : []),
    ];
}

const passLabel: Record<Pass, string> = { first: "primary", remote: "remote", again: "primary again, remote-cluster secrets" };

/** "1m 05s", "42s". */
export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    return seconds >= 60 ? `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s` : `${seconds}s`;
}

/** The resource changes of an operation, in Pulumi's words: "2 to create, 1 to update, 40 unchanged". */
export function formatChanges(changes: Readonly<Record<string, number>> | undefined, preview: boolean): string {
    const entries = Object.entries(changes ?? {}).filter(([, n]) => n > 0);
    if (entries.length === 0) return "no resources";
    const order = ["create", "update", "replace", "delete", "read", "same"];
    entries.sort(([a], [b]) => (order.indexOf(a) < 0 ? 99 : order.indexOf(a)) - (order.indexOf(b) < 0 ? 99 : order.indexOf(b)) || a.localeCompare(b));
    const past: Record<string, string> = { create: "created", update: "updated", replace: "replaced", delete: "deleted", read: "read", same: "unchanged" };
    return entries.map(([op, n]) => (op === "same" ? `${n} unchanged` : preview ? `${n} to ${op}` : `${n} ${past[op] ?? op}`)).join(", ");
}

/** The lines of an operation's error worth printing: Pulumi's own `error:` lines, else the last few. */
export function errorLines(e: unknown): string[] {
    const lines = String((e as Error)?.message ?? e)
        .split("\n")
        // The Automation API's CommandError reads "code: N\n stdout: ...\n stderr: ...".
        .map((l) => l.trimEnd().replace(/^\s*(?:stdout|stderr|err\?):\s*/, ""))
        .filter((l) => l.trim() !== "");
    const errors = lines.filter((l) => /^\s*error:/.test(l));
    return (errors.length > 0 ? errors : lines.slice(-3)).map((l) => l.trim());
}

/** Where the rollout writes. */
export interface Output {
    readonly out: (text: string) => void;
    /** Pulumi's own output of each operation, streamed; none in tests. */
    readonly onOutput?: (text: string) => void;
}

/** Runs the steps in order; stops at the first failure. Returns the exit status (0 or 1). */
export async function runRollout(steps: readonly RolloutStep[], open: StackFactory, preview: boolean, io: Output): Promise<0 | 1> {
    const verb = preview ? "preview" : "up";
    const options = (step: RolloutStep): { refresh: boolean; policyPacks: string[]; message: string; onOutput?: (out: string) => void } => ({
        refresh: true,
        policyPacks: ["policy"],
        message: `rollout ${steps.indexOf(step) + 1}/${steps.length}: ${step.stack} (${passLabel[step.pass]})`,
        ...(io.onOutput ? { onOutput: io.onOutput } : {}),
    });
    for (const [i, step] of steps.entries()) {
        const tag = `[${i + 1}/${steps.length}] ${step.qualifiedName} (${passLabel[step.pass]})`;
        io.out(`${tag}: pulumi ${verb} ...\n`);
        const started = Date.now();
        try {
            const stack = await open(step.qualifiedName);
            if (preview) {
                const result = await stack.preview(options(step));
                io.out(`${tag}: previewed in ${formatDuration(Date.now() - started)}: ${formatChanges(result.changeSummary, true)}\n`);
            } else {
                const { summary } = await stack.up(options(step));
                const ms = summary.endTime.getTime() - summary.startTime.getTime();
                if (summary.result !== "succeeded") throw new Error(`error: the update ended as '${summary.result}'`);
                io.out(`${tag}: succeeded in ${formatDuration(ms)}: ${formatChanges(summary.resourceChanges, false)}\n`);
            }
        } catch (e) {
            if (e instanceof PulumiCliError) throw e;
            io.out(`${tag}: failed after ${formatDuration(Date.now() - started)}\n`);
            for (const line of errorLines(e)) io.out(`    ${line}\n`);
            const rest = steps.slice(i + 1).map((s) => `${s.qualifiedName} (${passLabel[s.pass]})`);
            io.out(`Stopped at step ${i + 1} of ${steps.length}.${rest.length > 0 ? ` Not run: ${rest.join(", ")}.` : ""}\n`);
            return 1;
        }
    }
    if (preview && steps.some((s) => s.pass === "remote")) io.out("The primaries' second run (remote-cluster secrets) is not previewed: nothing was deployed since their first preview.\n");
    io.out(`Rollout ${preview ? "previewed" : "done"}: ${steps.length} step${steps.length === 1 ? "" : "s"}.\n`);
    return 0;
}

/** What `main` needs from its surroundings (real ones by default; fakes in tests). */
export interface RolloutDeps {
    readonly open: StackFactory;
    readonly stacks: () => StackFile[];
    readonly project: string;
    readonly env: NodeJS.ProcessEnv;
    readonly io: Output;
    readonly err: (text: string) => void;
}

/** The command: parses the arguments, builds the steps and runs them. */
export async function main(argv: readonly string[], deps: RolloutDeps): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: { stacks: { type: "string", multiple: true }, preview: { type: "boolean", default: false }, org: { type: "string" }, help: { type: "boolean", default: false } },
            strict: true,
        }));
    } catch (e) {
        deps.err(`${(e as Error).message}\n${usage}\n`);
        return 2;
    }
    if (values.help) {
        deps.io.out(`${usage}\n`);
        return 0;
    }
    const selected = values.stacks?.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
    if (values.stacks !== undefined && selected!.length === 0) {
        deps.err(`--stacks: expected one or more stack names\n${usage}\n`);
        return 2;
    }
    const backend = deps.env["PULUMI_BACKEND_URL"] ?? "";
    const selfManaged = backend !== "" && !/^https?:\/\//.test(backend);
    const organization = values.org ?? (deps.env["PULUMI_ORG"] || undefined);
    if (selfManaged && organization !== undefined && organization !== "organization") {
        deps.err(`--org ${organization}: a self-managed backend (${backend}) has only the organization 'organization'; leave --org out\n`);
        return 2;
    }
    let steps: RolloutStep[];
    try {
        steps = rolloutSteps(deps.stacks(), selected, { project: deps.project, ...(organization ? { organization } : {}), selfManaged }, values.preview);
    } catch (e) {
        if (!(e instanceof StackListError)) throw e;
        deps.err(`${e.message}\n`);
        return 2;
    }
    try {
        return await runRollout(steps, deps.open, values.preview, deps.io);
    } catch (e) {
        if (!(e instanceof PulumiCliError)) throw e;
        deps.err(`${e.message}\n`);
        return 2;
    }
}

/** Opens stacks of this project through the Automation API and the Pulumi CLI on PATH. */
export function localWorkspaceStacks(workDir: string): StackFactory {
    return async (qualifiedName) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when a stack is opened, not for --help or a mistake
        const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof Automation;
        try {
            return await LocalWorkspace.selectStack({ stackName: qualifiedName, workDir });
        } catch (e) {
            // The Automation API runs `pulumi version` first; a CLI missing from PATH fails to spawn.
            const message = String((e as Error).message ?? e);
            if (/spawn pulumi ENOENT|Command failed with ENOENT: pulumi/.test(message)) {
                throw new PulumiCliError("the Pulumi CLI is not on PATH (spawn pulumi ENOENT): install it (README: Deploying for real) and run the rollout again");
            }
            throw e;
        }
    };
}

if (require.main === module) {
    const projectDir = path.resolve(__dirname, "..");
    runCommand(() =>
        main(process.argv.slice(2), {
            open: localWorkspaceStacks(projectDir),
            stacks: () => stackFiles(projectDir),
            project: readProjectFile(projectDir).name,
            env: process.env,
            io: { out: (t) => process.stdout.write(t), onOutput: (t) => process.stdout.write(t) },
            err: (t) => process.stderr.write(t),
        }),
    );
}
