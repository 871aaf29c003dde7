import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DocumentError, resourcesOf } from "../../offline/documents";
import { captureCommand } from "../../offline/cli/command";
import { policyCommand } from "../../offline/cli/policy-command";
import { safeLine, safeText } from "../../offline/cli/safe-output";
import { printable } from "../../config/printable";
import { plan as planStack, projectDir } from "../../offline/plan";
import { runScript, type CommandResult } from "../support/cli";

/**
 * Output that cannot be forged: what the tools print never holds a raw control character,
 * never a line a CI runner reads as a command (actions/runner ActionCommand.cs: `::` at the
 * start of a trimmed line, `##[` anywhere; Azure Pipelines: `##vso[` anywhere), and
 * `npm run policy` refuses a malformed or older document with exit 2 and one line.
 */

/** A line a CI runner would read as a command, or one with a raw control character. */
function forged(text: string): string[] {
    return text.split("\n").filter((line) => line.trimStart().startsWith("::") || /##(vso)?\[/i.test(line) || /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(line));
}

describe("output that cannot be forged", () => {
    it("escapes control characters and CI commands in a line (safeLine)", () => {
        assert.equal(safeLine("::error file=x::forged"), "\\u003a:error file=x::forged");
        assert.equal(safeLine("   ::set-output name=x::y"), "   \\u003a:set-output name=x::y");
        assert.equal(safeLine('  "x": "##[error]forged ##vso[task.setvariable variable=x]y"'), '  "x": "##\\u005berror]forged ##vso\\u005btask.setvariable variable=x]y"');
        assert.equal(safeLine("a\rb\u001b[31mc\u0085d\u2028e\tf"), "a\\u000db\\u001b[31mc\\u0085d\\u2028e\tf");
        assert.equal(safeLine("key: a::b"), "key: a::b", "a :: inside a line is no command");
        assert.equal(safeText("one\n::error::two\n"), "one\n\\u003a:error::two\n");
        // In JSON the escapes are JSON's own: the document parses to the same values.
        const doc = { "::error::k": "##[error]\u0085 ##vso[x]" };
        assert.deepEqual(JSON.parse(safeText(JSON.stringify(doc, null, 2))), doc);
    });

    it("escapes control characters in keys and values of configuration problems (printable)", () => {
        assert.equal(printable("edgeHosts\n::error::x\r\u001b"), "edgeHosts\\n::error::x\\r\\u001b");
    });

    describe("the command-line tools", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "forge-"));
        const stackFile = path.join(dir, "Pulumi.primary.yaml");
        const write = (name: string, text: string): string => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, text);
            return file;
        };
        // plan runs through the entry point in a child process: the guard on the process's
        // real streams; policy runs in-process, its output escaped as the streams are.
        let planRun: Promise<CommandResult>;
        const plan = (extra: object) => JSON.stringify({ stack: "primary", resources: [{ type: "kubernetes:core/v1:Namespace", name: "ns", custom: true, parent: null, provider: null, inputs: {}, urn: "urn:pulumi:primary::mesh-ingress::kubernetes:core/v1:Namespace::ns", ...extra }] });
        const policy = (args: string[]) => captureCommand(policyCommand, args);
        before(() => {
            const original = fs.readFileSync(path.join(projectDir, "Pulumi.primary.yaml"), "utf8");
            // A key with a line break and a v1 command, a value with a v2 command after a line break.
            fs.writeFileSync(
                stackFile,
                `${original}\n  "mesh-ingress:clusterNam\\n##[error]forged name": 1\n  mesh-ingress:edgeNamespace: "edge\\n::error title=forged::value"\n`,
            );
            planRun = runScript("offline/cli/plan.ts", ["--stack", "primary", "--config", stackFile]);
        });

        it("plan: exit 2, every problem on one line, keys and values escaped, no CI command", async function () {
            this.timeout(60000);
            {
                const r = await planRun;
                assert.equal(r.status, 2, r.stderr);
                assert.deepEqual(forged(r.stderr + r.stdout), []);
                const lines = r.stderr.trimEnd().split("\n");
                assert.ok(lines.some((l) => l.startsWith('edgeNamespace = "edge\\n::error title=forged::value": expected ')), lines.join("\n"));
                assert.ok(lines.some((l) => l.startsWith("clusterNam\\n##\\u005berror]forged name = 1: unknown setting")), lines.join("\n"));
            }
        });

        it("policy: a plan without dependsOn (older or hand-edited): exit 2, one line (not JSON: test/offline/policy-cli.spec.ts)", async function () {
            this.timeout(60000);
            const old = await policy([write("old-plan.json", plan({}))]);
            assert.equal(old.status, 2);
            assert.equal(old.stderr, `${path.join(dir, "old-plan.json")}: resources[0] ("ns").dependsOn = (not set): expected a list of resource names; expected a plan as npm run plan -- --json writes it (hand-edited, or written by an older version? plan again)\n`);
        });

        it("policy: findings quoting a forged name or value stay on their line", async function () {
            this.timeout(60000);
            const r = await policy([
                write(
                    "forged.json",
                    plan({ type: "kubernetes:networking.k8s.io/v1:Ingress", name: "i\n::error::forged", dependsOn: [], inputs: { metadata: { name: "x\n::error::forged", namespace: "default", annotations: { "nginx.ingress.kubernetes.io/server-snippet": "\n::error::forged" } } } }),
                ),
            ]);
            assert.equal(r.status, 1, r.stderr);
            assert.deepEqual(forged(r.stdout + r.stderr), []);
            assert.match(r.stdout, /\[mandatory\] no-snippet-annotations \(i\\n::error::forged\): /);
        });
    });

    it("plan (in process): a key the CLI cannot parse, with a carriage return, stays on its line", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "forge-")), "Pulumi.primary.yaml");
        fs.writeFileSync(file, `${fs.readFileSync(path.join(projectDir, "Pulumi.primary.yaml"), "utf8")}\n  "mesh-ingress:x\\r::warning::forged": 1\n`);
        const outcome = await planStack({ stack: "primary", configFile: file });
        assert.deepEqual(outcome.kind === "invalid" ? outcome.lines : [], [
            "Pulumi.primary.yaml: mesh-ingress:x\\r::warning::forged: the Pulumi CLI refuses it with \"could not unmarshal map: could not parse mesh-ingress:x\\r::warning::forged as a configuration key (configuration keys should be of the form `<namespace>:<name>`)\"; write it as <project>:mesh-ingress:x\\r::warning::forged",
        ]);
    });

    it("reads only whole resources from a plan or an export (resourcesOf)", () => {
        const resource = { type: "t:m:R", name: "r", custom: true, parent: null, provider: null, inputs: {}, urn: "urn:x", dependsOn: [] };
        assert.equal(resourcesOf({ stack: "s", resources: [resource] }).resources.length, 1);
        const refused = (doc: unknown): string => {
            try {
                resourcesOf(doc);
            } catch (e) {
                if (e instanceof DocumentError) return e.message.split(";")[0]!;
                throw e;
            }
            return assert.fail("accepted");
        };
        assert.equal(refused({ stack: "s", resources: [{ ...resource, dependsOn: "r" }] }), 'resources[0] ("r").dependsOn = "r": expected a list of resource names');
        assert.equal(refused({ stack: "s", resources: [{ ...resource, urn: undefined }] }), 'resources[0] ("r").urn = (not set): expected a string');
        assert.equal(refused({ stack: "s", resources: [{ ...resource, parent: 3 }] }), 'resources[0] ("r").parent = 3: expected a resource name or null');
        assert.equal(refused({ stack: "s", resources: [{ ...resource, inputs: [] }] }), 'resources[0] ("r").inputs = []: expected a mapping');
        assert.equal(refused({ stack: "s", resources: [7] }), "resources[0]: expected a resource (a mapping)");
        assert.equal(refused({ version: 3, deployment: { resources: [{ urn: "u" }] } }), "deployment.resources[0].type = (not set): expected a string");
        assert.equal(refused({ version: 3, deployment: { resources: [{ urn: "u", type: "t", dependencies: "x" }] } }), 'deployment.resources[0].dependencies = "x": expected a list of URNs');
        assert.equal(refused({ deployment: { resources: [] } }), "version = (not set): expected a state export of version 3 (pulumi stack export)");
        assert.equal(refused({ version: 2, deployment: { resources: [] } }), "version = 2: expected a state export of version 3 (pulumi stack export)");
    });
});
