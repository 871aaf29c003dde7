/**
 * What the command-line tools print can carry text a user wrote (keys, values, hosts,
 * file names). In a CI log such text must not become a line of its own, nor a command
 * the CI runner obeys:
 *
 * - GitHub Actions reads a line as a workflow command (`::error::`, `::add-mask::`,
 *   `::stop-commands::`...) when it starts with `::` after leading white space, and as a
 *   v1 command when it contains `##[` anywhere (actions/runner
 *   `src/Runner.Common/ActionCommand.cs`, `TryParseV2` and `TryParse`);
 * - Azure Pipelines reads `##vso[` anywhere in a line as a logging command.
 *
 * Every line the tools write goes through {@link safeLine}: control characters (other
 * than the tab) are escaped as `\uXXXX` (so no `\r` rewrites a line and no escape sequence
 * reaches the terminal), a leading `::` becomes `\u003a:`, and the `[` of `##[` and
 * `##vso[` becomes `\u005b`. In a JSON document these escapes are JSON's own, so `--json`
 * output parses to the same values.
 */

const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** One line (without its line break) as it is safe to print. */
export function safeLine(line: string): string {
    return line
        .replace(controls, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
        .replace(/^(\s*)::/, "$1\\u003a:")
        .replace(/##(vso)?\[/gi, (m) => `${m.slice(0, -1)}\\u005b`);
}

/** Text of one or more lines, each made safe; the line breaks stay. */
export function safeText(text: string): string {
    return text.split("\n").map(safeLine).join("\n");
}

/**
 * Makes every later write to the stream safe: the tool's own lines as much as anything it
 * quotes. Applied by `runCommand` to stdout and stderr of every tool.
 */
export function guardStream(stream: NodeJS.WriteStream): void {
    const write = stream.write.bind(stream);
    const safe = (chunk: string | Uint8Array): string | Uint8Array => (typeof chunk === "string" ? safeText(chunk) : safeText(Buffer.from(chunk).toString("utf8")));
    stream.write = ((chunk: string | Uint8Array, ...rest: [BufferEncoding?, ((err?: Error | null) => void)?]) => write(safe(chunk), ...(rest as [BufferEncoding]))) as typeof stream.write;
}
