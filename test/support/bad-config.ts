import * as assert from "node:assert/strict";
import { exitStatus, plan, type ConfigOverrides } from "../../offline/plan";

/**
 * Bad configurations: each must give the plan's exit status 2 and a one-line message
 * that names the offending key. The cases live by area (test/offline/bad-config*.ts);
 * this module holds their shape and the one check they all go through.
 */
export interface BadCase {
    readonly stack: "primary" | "remote";
    readonly what: string;
    readonly overrides: ConfigOverrides;
    /** The key the message must name (at the start of its line). */
    readonly key: string;
    /** What the line must also say. */
    readonly says?: RegExp;
    /** A stack file to start from instead of Pulumi.<stack>.yaml. */
    readonly configFile?: string;
}

/** Plans the case and asserts exit status 2 with a line that names the key and says what is expected. */
export async function assertRejected(c: BadCase): Promise<void> {
    const outcome = await plan({ stack: c.stack, overrides: c.overrides, ...(c.configFile ? { configFile: c.configFile } : {}) });
    assert.equal(exitStatus(outcome), 2, `expected exit status 2, got ${exitStatus(outcome)}`);
    const lines = outcome.kind === "invalid" ? outcome.lines : [];
    const line = lines.find((l) => l.startsWith(`${c.key} `));
    assert.ok(line, `expected a line starting with '${c.key} ' among:\n${lines.join("\n")}`);
    if (c.says) assert.match(line, c.says);
    for (const l of lines) {
        assert.ok(!l.includes("\n"), "one line per problem");
        assert.ok(!/\n\s+at /.test(l), "no stack trace");
    }
}
