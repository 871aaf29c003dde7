import { automation } from "@pulumi/pulumi";

/**
 * The stacks' own outputs, read from the Pulumi backend through the Automation API
 * (`LocalWorkspace`), which drives the Pulumi CLI. Read-only: outputs come from
 * `pulumi stack output --stack <name>` and a secret setting from `pulumi config get
 * --stack <name>`; no stack is selected (`selectStack` would change the workspace's
 * current stack, a side effect a diagnosis must not have).
 */

/** One stack's outputs: values (secrets in clear, kept in memory only) and which of them are secrets. */
export interface StackOutputs {
    readonly stack: string;
    readonly values: Readonly<Record<string, unknown>>;
    readonly secrets: readonly string[];
}

/** Where the doctor reads stack outputs from, or why it cannot. */
export type Backend =
    | {
          readonly available: true;
          /** Who and where (`pulumi whoami`), for the report. */
          readonly describe: string;
          /** A stack's outputs; undefined when the backend has no such stack (or it was never deployed). */
          outputs(stack: string): Promise<StackOutputs | undefined>;
          /** A configuration value of a stack, decrypted (for the secret `kubeconfig`). */
          config(stack: string, key: string): Promise<string | undefined>;
      }
    | { readonly available: false; readonly reason: string };

/** How to find the Pulumi CLI. */
export interface BackendOptions {
    /** The project folder (Pulumi.yaml). */
    readonly workDir: string;
    /** A Pulumi installation root (`<root>/bin/pulumi`) instead of `pulumi` on PATH. */
    readonly pulumiRoot?: string;
    /** Do not try at all (`--no-backend`). */
    readonly disabled?: boolean;
}

/** Opens the backend the Pulumi CLI is logged in to; never throws. */
export async function openBackend(options: BackendOptions): Promise<Backend> {
    if (options.disabled === true) return { available: false, reason: "not read (--no-backend)" };
    let workspace: automation.LocalWorkspace;
    try {
        const pulumiCommand = await automation.PulumiCommand.get(options.pulumiRoot !== undefined ? { root: options.pulumiRoot } : {});
        workspace = await automation.LocalWorkspace.create({ workDir: options.workDir, pulumiCommand });
    } catch (e) {
        const message = messageOf(e);
        if (/ENOENT|not found/i.test(message)) {
            return { available: false, reason: `the Pulumi CLI is not installed (no ${options.pulumiRoot !== undefined ? `${options.pulumiRoot}/bin/pulumi` : "pulumi on PATH"}; the Automation API needs it)` };
        }
        return { available: false, reason: `the Pulumi CLI cannot be used: ${message}` };
    }
    let describe: string;
    try {
        const who = await workspace.whoAmI();
        describe = `${who.user}${who.url !== undefined ? ` at ${who.url}` : ""}`;
    } catch (e) {
        return { available: false, reason: `no Pulumi backend is reachable (pulumi whoami: ${messageOf(e)})` };
    }
    return {
        available: true,
        describe,
        async outputs(stack: string): Promise<StackOutputs | undefined> {
            try {
                const outputs = await workspace.stackOutputs(stack);
                const values: Record<string, unknown> = {};
                const secrets: string[] = [];
                for (const [key, output] of Object.entries(outputs)) {
                    values[key] = output.value;
                    if (output.secret) secrets.push(key);
                }
                return Object.keys(values).length === 0 ? undefined : { stack, values, secrets };
            } catch (e) {
                if (/no stack named|not found|does not exist/i.test(messageOf(e))) return undefined;
                throw new Error(`pulumi stack output --stack ${stack}: ${messageOf(e)}`);
            }
        },
        async config(stack: string, key: string): Promise<string | undefined> {
            try {
                const value = await workspace.getConfig(stack, key);
                return value.value;
            } catch (e) {
                if (/configuration key .* not found|not found/i.test(messageOf(e))) return undefined;
                throw new Error(`pulumi config get ${key} --stack ${stack}: ${messageOf(e)}`);
            }
        },
    };
}

/** The useful line of a CLI error (the Automation API wraps stderr in a long message). */
function messageOf(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    const stderr = /stderr: ([^\n]+)/.exec(text)?.[1]?.trim();
    const line = stderr !== undefined && stderr !== "" ? stderr : (text.split("\n").find((l) => l.trim() !== "" && !/^code: |^stdout:|^err\?:/.test(l.trim())) ?? text);
    return line.replace(/^error: /, "").trim();
}
