import { spawn } from "node:child_process";
import * as path from "node:path";
import { projectDir } from "../../offline/plan";

/** The result of running one of the project's commands in a child process. */
export interface CommandResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs an npm script's entry point as `npm run` would (tsx on the project's Node), in a
 * child process. It returns at once: a spec starts all of its commands in a `before`
 * hook and awaits each in its test, so the commands run side by side.
 */
export function runScript(script: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CommandResult> {
    const tsx = path.join(projectDir, "node_modules", ".bin", "tsx");
    return new Promise((resolve, reject) => {
        const child = spawn(tsx, [script, ...args], {
            cwd: projectDir,
            env: { ...process.env, ...env, PATH: `${path.join(projectDir, "node_modules", ".bin")}${path.delimiter}${process.env["PATH"] ?? ""}` },
            timeout: 60000,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (status) => {
            resolve({ status, stdout, stderr });
        });
    });
}
