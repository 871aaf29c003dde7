import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { projectDir } from "../../offline/plan";

/** The result of running one of the project's commands in a child process. */
export interface CommandResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs an npm script's entry point as `npm run` would (tsx on the project's Node). */
export function runScript(script: string, args: readonly string[]): CommandResult {
    const tsx = path.join(projectDir, "node_modules", ".bin", "tsx");
    const result = spawnSync(tsx, [script, ...args], {
        cwd: projectDir,
        encoding: "utf8",
        env: { ...process.env, PATH: `${path.join(projectDir, "node_modules", ".bin")}${path.delimiter}${process.env["PATH"] ?? ""}` },
        timeout: 60000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
