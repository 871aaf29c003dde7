import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { guardStream, safeText } from "./safe-output";

/** Where a command writes: the process's streams (see {@link runCommand}), or a test's buffers. */
export interface CommandOutput {
    stdout(text: string): void;
    stderr(text: string): void;
}

/**
 * A command: given its arguments, it writes its output or its one-line complaints and returns
 * the exit status.
 */
export type Command = (args: readonly string[], out: CommandOutput) => Promise<number>;

/** The process's streams as a {@link CommandOutput} (guarded by {@link runCommand}). */
export const processOutput: CommandOutput = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
};

/** What a command printed and returned, run in-process. */
export interface CapturedRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs a command in this process with its output collected, each write made safe as
 * `runCommand`'s guard makes the process's streams safe: the text is what a user sees.
 */
export async function captureCommand(command: Command, args: readonly string[]): Promise<CapturedRun> {
    let stdout = "";
    let stderr = "";
    const status = await command(args, { stdout: (t) => (stdout += safeText(t)), stderr: (t) => (stderr += safeText(t)) });
    return { status, stdout, stderr };
}

/**
 * Runs a command on the process's arguments and streams and turns its result into the
 * process's exit status. A user's mistake is a status the command returns (with one line
 * per problem on stderr); an exception escaping it is a bug, printed with its stack and the
 * status `crashStatus`.
 */
export function runCommand(command: Command, crashStatus = 3): void {
    // No line a tool prints can forge a line of its own or a CI command (safe-output.ts).
    guardStream(process.stdout);
    guardStream(process.stderr);
    // A reader that stops early (`| head`) is no error of the command.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
        process.exit(process.exitCode ?? 0);
    });
    command(process.argv.slice(2), processOutput).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
            process.exitCode = crashStatus;
        },
    );
}

/** The `--help` option every command takes. */
const helpOption = { help: { type: "boolean", default: false } } as const;

/** What {@link commandArguments} reads: the command's options, `--help`, and positionals when allowed. */
type CommandArguments<O extends ParseArgsOptionsConfig, P extends boolean> = ReturnType<
    typeof parseArgs<{ args: string[]; options: O & typeof helpOption; strict: true; allowPositionals: P }>
>;

/**
 * A command's arguments read strictly with its options and `--help`, or the exit status to
 * return at once: 0 after printing the usage for `--help`, 2 after the parser's complaint
 * and the usage on stderr.
 */
export function commandArguments<const O extends ParseArgsOptionsConfig, const P extends boolean = false>(
    args: readonly string[],
    options: O,
    usage: string,
    out: CommandOutput,
    allowPositionals?: P,
): CommandArguments<O, P> | number {
    let parsed: CommandArguments<O, P>;
    try {
        parsed = parseArgs({ args: [...args], options: { ...options, ...helpOption }, strict: true, allowPositionals: allowPositionals ?? false }) as CommandArguments<O, P>;
    } catch (e) {
        out.stderr(`${(e as Error).message}\n${usage}\n`);
        return 2;
    }
    if ((parsed.values as { help?: boolean }).help) {
        out.stdout(`${usage}\n`);
        return 0;
    }
    return parsed;
}
