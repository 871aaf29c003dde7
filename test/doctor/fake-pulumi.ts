import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A stand-in for the Pulumi CLI, for the doctor's backend path: `<root>/bin/pulumi`, a Node
 * script answering the commands the Automation API runs for the doctor (`version`,
 * `whoami --json`, `stack output --json [--show-secrets] --stack S`, `config get K --json
 * --stack S`) from a JSON state file, and logging every command line, so that a test can
 * prove the doctor only reads (never `stack select`, `up` or `config set`).
 */

/** What the fake backend holds. */
export interface FakeBackendState {
    /** Stack outputs by stack name as passed to `--stack`; `secrets` lists the secret ones. */
    readonly stacks: Record<string, { readonly outputs: Record<string, unknown>; readonly secrets?: readonly string[]; readonly config?: Record<string, string> }>;
}

const script = `
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2).filter((a) => a !== "--non-interactive");
fs.appendFileSync(path.join(root, "calls.log"), args.join(" ") + "\\n");
const state = JSON.parse(fs.readFileSync(path.join(root, "state.json"), "utf8"));
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const fail = (message) => { process.stderr.write("error: " + message + "\\n"); process.exit(255); };
if (args[0] === "version") { process.stdout.write("v3.270.0\\n"); process.exit(0); }
if (args[0] === "whoami") { process.stdout.write(JSON.stringify({ user: "doctor-test", url: "file://" + root, organizations: [] })); process.exit(0); }
const stackName = flag("--stack");
const stack = state.stacks[stackName];
if (args[0] === "stack" && args[1] === "output") {
  if (stack === undefined) fail("no stack named '" + stackName + "' found");
  const show = args.includes("--show-secrets");
  const out = {};
  for (const [k, v] of Object.entries(stack.outputs)) out[k] = !show && (stack.secrets || []).includes(k) ? "[secret]" : v;
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}
if (args[0] === "config" && args[1] === "get") {
  if (stack === undefined) fail("no stack named '" + stackName + "' found");
  const value = (stack.config || {})[args[2]];
  if (value === undefined) fail("configuration key '" + args[2] + "' not found for stack '" + stackName + "'");
  process.stdout.write(JSON.stringify({ value, secret: true }));
  process.exit(0);
}
fail("the fake Pulumi CLI does not answer: " + args.join(" "));
`;

/** A fake Pulumi installation; `root` is what PulumiCommand.get({ root }) takes. */
export class FakePulumi {
    public readonly root: string;

    constructor(state: FakeBackendState) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-fake-pulumi-"));
        fs.mkdirSync(path.join(this.root, "bin"));
        const bin = path.join(this.root, "bin", "pulumi");
        fs.writeFileSync(bin, `#!${process.execPath}\n${script}`);
        fs.chmodSync(bin, 0o755);
        this.setState(state);
    }

    setState(state: FakeBackendState): void {
        fs.writeFileSync(path.join(this.root, "state.json"), JSON.stringify(state));
    }

    /** Every command line the doctor ran (without --non-interactive). */
    calls(): string[] {
        const log = path.join(this.root, "calls.log");
        return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : [];
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
