import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { captureCommand } from "../../offline/cli/command";
import { planCommand } from "../../offline/cli/plan-command";
import { runScript, type CommandResult } from "../support/cli";

/**
 * The commands as users run them: exit statuses, what goes to stdout and stderr, and no
 * stack trace for a user's mistake. The --json run goes through the entry point in a child
 * process (the process's exit status and streams); the other cases run the same command
 * in-process, one after the other, with its output escaped as the process's streams are.
 */
describe("npm run plan (command line)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
    const badStack = path.join(dir, "Pulumi.bad.yaml");
    const policyConfig = path.join(dir, "policy.json");
    let json: Promise<CommandResult>;
    const plan = (args: string[]) => captureCommand(planCommand, args);
    before(() => {
        fs.writeFileSync(badStack, "config:\n  mesh-ingress:role: primary\n  mesh-ingress:clusterName: Bad_Name\n  mesh-ingress:netwrok: network1\n");
        fs.writeFileSync(policyConfig, JSON.stringify({ "istiod-high-availability": { minReplica: 5 } }));
        json = runScript("offline/cli/plan.ts", ["--stack", "primary", "--json"]);
    });

    it("prints one parseable JSON document for --json and exits 0", async () => {
        const r = await json;
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as { stack: string; resources: unknown[]; outputs: unknown; violations: unknown[] };
        assert.equal(doc.stack, "primary");
        assert.deepEqual(Object.keys(doc).slice(0, 4), ["stack", "resources", "outputs", "violations"]);
    });

    it("prints a readable tree by default", async () => {
        const r = await plan(["--stack", "remote"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Plan for stack 'remote' \(offline, under mocks\)/);
        assert.match(r.stdout, /\+ pulumi:pulumi:Stack {2}mesh-ingress-remote/);
        assert.match(r.stdout, /acme\/mesh-ingress\/primary: sample outputs from offline\/samples\/primary\.yaml/);
    });

    it("exits 2 with one line per problem and no stack trace for an invalid stack file", async () => {
        const r = await plan(["--stack", "bad", "--config", badStack]);
        assert.equal(r.status, 2);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trimEnd().split("\n");
        // The Pulumi CLI's refusal first (it would stop there), then what the program would say about the rest.
        assert.deepEqual(lines, [
            "network is not set: the Pulumi CLI refuses it with \"Stack 'bad' is missing configuration value 'network'\"; set it with `pulumi config set network <value>`",
            "netwrok = \"network1\": unknown setting; did you mean 'network'?",
            "clusterName = \"Bad_Name\": expected a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
            "kubeconfig is not set: set `pulumi config set --secret kubeconfig < file`, or name a context of the ambient kubeconfig with `pulumi config set kubeContext <context>`",
            "meshId is not set: the primary defines the mesh; set a DNS label such as mesh1",
        ]);
    });

    it("exits 2 for a missing stack file and for bad arguments", async () => {
        const missing = await plan(["--stack", "nosuchstack"]);
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /Pulumi\.nosuchstack\.yaml: no such stack file/);
        const bad = await plan(["--stak", "primary"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /usage: npm run plan/);
    });

    it("exits 2 for a --policy-config that is not the pack's, before planning", async () => {
        const file = policyConfig;
        const r = await plan(["--stack", "primary", "--policy-config", policyConfig]);
        assert.equal(r.status, 2);
        assert.equal(r.stderr, `--policy-config ${file}: istiod-high-availability.minReplica: expected a setting of policy istiod-high-availability (minReplicas, minAvailable) (did you mean minReplicas?)\n`);
    });
});
