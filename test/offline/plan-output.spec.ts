import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { displayPaths, offlineKubeconfigFor, projectDir } from "../../offline/plan";
import { captureCommand, type Command } from "../../offline/cli/command";
import { planCommand } from "../../offline/cli/plan-command";
import { policyCommand } from "../../offline/cli/policy-command";
import { renderTree } from "../../offline/render";
import { main as rolloutMain } from "../../scripts/rollout";
import { runScript, type CommandResult } from "../support/cli";
import { inputsOf, isSecretInput, one, planned, plannedOnce, type Planned } from "../support/plan";

/**
 * What the plan shows of the machine that ran it (nothing), the commands' --help, and stack
 * files written the ways users write them: with an ESC `environment:` block, and with the
 * stack names of a self-managed backend.
 */

/** A copy of a shipped stack file, changed, in a temporary folder. */
function stackFileLike(stack: string, change: (doc: { environment?: unknown; config: Record<string, unknown> }) => void): string {
    const doc = parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    change(doc);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, stringify(doc));
    return file;
}

describe("the plan's output", () => {
    let primary: Planned;
    before(async () => {
        primary = await plannedOnce("primary");
    });

    it("shows the provider's kubeconfig path relative to the project, and no absolute path anywhere", () => {
        const provider = one(primary, "pulumi:providers:kubernetes");
        assert.equal(inputsOf(provider).kubeconfig.startsWith(projectDir), true, "the program itself gets the real path");
        const shown = primary.document.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs as Record<string, unknown>;
        assert.equal(shown["kubeconfig"], "offline/ambient-kubeconfig.yaml");
        const text = JSON.stringify(primary.document) + renderTree(primary.document);
        assert.ok(!text.includes(projectDir), "no path of the project's folder");
        assert.ok(!text.includes(os.tmpdir() + path.sep), "no path of the temporary folder");
        assert.ok(!text.includes(os.homedir() + path.sep), "no path of the home folder");
    });

    it("shows the extra kubeconfig of a context the sample lacks under $TMPDIR, the same on every run", () => {
        const list = offlineKubeconfigFor("cluster3");
        assert.equal(list, offlineKubeconfigFor("cluster3"));
        assert.equal(displayPaths(list), ["offline/ambient-kubeconfig.yaml", "$TMPDIR/mesh-ingress-offline/kubeconfig-cluster3.yaml"].join(path.delimiter));
        const [, extra] = list.split(path.delimiter);
        assert.deepEqual((parse(fs.readFileSync(extra!, "utf8")) as { contexts: { name: string }[] }).contexts.map((c) => c.name), ["cluster3"]);
        assert.deepEqual(displayPaths({ a: [`${projectDir}${path.sep}x.yaml`, "plain"] }), { a: ["x.yaml", "plain"] });
    });
});

describe("--help of every command", () => {
    // Each command's one child-process run proves its entry point: stacks and bench here;
    // plan (test/offline/cli.spec.ts), policy (test/offline/policy-cli.spec.ts) and rollout
    // (test/scripts/rollout.spec.ts) elsewhere, so their --help runs in-process.
    const rollout: Command = (args, out) =>
        rolloutMain(args, { open: () => assert.fail("--help opens no stack"), stacks: () => assert.fail("--help reads no stack file"), project: "mesh-ingress", env: {}, io: { out: (t) => out.stdout(t) }, err: (t) => out.stderr(t) });
    const commands: Record<string, [string, RegExp, Command?]> = {
        plan: ["offline/cli/plan.ts", /^usage: npm run plan -- --stack <name>/, planCommand],
        policy: ["offline/cli/policy.ts", /^usage: npm run policy -- FILE/, policyCommand],
        stacks: ["scripts/stacks.ts", /^usage: npm run --silent stacks/],
        rollout: ["scripts/rollout.ts", /^usage: npm run rollout --/, rollout],
        bench: ["scripts/bench.ts", /^usage: npm run bench --/],
    };
    let runs: Record<string, Promise<CommandResult>>;
    before(() => {
        runs = Object.fromEntries(Object.entries(commands).filter(([, [, , command]]) => command === undefined).map(([name, [script]]) => [name, runScript(script, ["--help"])]));
    });

    for (const [name, [, usage, command]] of Object.entries(commands)) {
        it(`npm run ${name} -- --help prints the usage on stdout and exits 0${command ? " (in-process)" : ""}`, async () => {
            const r = command ? await captureCommand(command, ["--help"]) : await runs[name]!;
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, usage);
            assert.equal(r.stdout.trimEnd().split("\n").length, 1);
            assert.equal(r.stderr, "");
        });
    }

    it("covers every npm script that parses arguments", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> };
        for (const name of Object.keys(commands)) assert.equal(pkg.scripts[name], `tsx ${commands[name]![0]}`);
    });
});

describe("stack files as users write them", () => {
    it("plans a stack file that imports the example ESC environment (`environment:`), with the settings it supplies", async () => {
        // The offline plan opens no environment: the test resolves the example's pulumiConfig itself.
        const esc = parse(fs.readFileSync(path.join(projectDir, "examples", "esc-primary.yaml"), "utf8")) as { values: Record<string, unknown> & { pulumiConfig: Record<string, unknown>; environmentVariables: Record<string, string> } };
        const lookup = (ref: string): unknown => ref.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], esc.values);
        const set: Record<string, unknown> = {};
        const secret: string[] = [];
        for (const [key, raw] of Object.entries(esc.values.pulumiConfig)) {
            const ref = typeof raw === "string" ? /^\$\{([\w.]+)\}$/.exec(raw)?.[1] : undefined;
            const value = ref !== undefined ? lookup(ref) : raw;
            const wrapped = value !== null && typeof value === "object" && "fn::secret" in value;
            set[key] = wrapped ? (value as Record<string, unknown>)["fn::secret"] : value;
            if (wrapped) secret.push(key);
        }
        assert.deepEqual(secret, ["mesh-ingress:kubeconfig"], "the kubeconfig reaches the stack as a secret");
        assert.deepEqual(Object.keys((esc.values["aws"] as { login: Record<string, unknown> }).login), ["fn::open::aws-login"]);
        assert.deepEqual(esc.values.environmentVariables, { AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}", AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}", AWS_SESSION_TOKEN: "${aws.login.sessionToken}" });
        const file = stackFileLike("primary", (doc) => {
            doc.environment = ["mesh-ingress/primary"];
            delete doc.config["mesh-ingress:kubeContext"];
            delete doc.config["mesh-ingress:acmeEmail"];
            delete doc.config["mesh-ingress:dnsHostedZoneId"];
        });
        const p = await planned("primary", { configFile: file, overrides: { set, secret } });
        assert.deepEqual(p.document.violations, []);
        const provider = one(p, "pulumi:providers:kubernetes");
        assert.equal(isSecretInput(provider, "kubeconfig"), true, "the kubeconfig stays a secret into the provider");
        assert.match(inputsOf(provider).kubeconfig as string, /command: aws\n/);
    });

    it("plans stacks that name each other as on a self-managed backend (organization/mesh-ingress/<stack>)", async () => {
        const file = stackFileLike("remote", (doc) => {
            doc.config["mesh-ingress:primaryStack"] = "organization/mesh-ingress/primary";
        });
        const p = await planned("remote", { configFile: file });
        assert.deepEqual(p.document.violations, []);
        assert.deepEqual(
            p.document.stackReferences.map((r) => [r.stack, r.answer]),
            [["organization/mesh-ingress/primary", "sample"]],
        );
    });
});
