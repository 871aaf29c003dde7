import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { parseAllDocuments } from "yaml";
import { projectDir } from "../../offline/plan";
import { plannedOnce } from "../support/plan";
import { validateObject } from "../support/schemas";
import { environmentOf, secretsRead, setupAction, setupActionText, workflows, workflowTexts, type Job, type Workflow } from "../support/workflows";

/**
 * Least privilege in CI: pull-request previews run the pull request's code, so nothing
 * reachable from a pull request may name a deploy secret or a deploy environment; each kind
 * of job reads only its own credentials; every action is pinned by commit; the credentials
 * check and the drift report behave as documented; and the documented roles and cluster
 * RBAC are read-only (IAM simulator, upstream RBAC schema).
 */

/**
 * The actions the workflows may use: the release each is pinned to, that release's commit
 * (resolved from the tag in the action's repository), the inputs its action.yml declares at
 * that commit, and the inputs this project always passes (or the action requires at run
 * time, as pulumi/auth-actions does `requested-token-type`). Using another action or release
 * means reading its action.yml at the new commit first, then changing this table.
 */
const pinnedActions: Readonly<Record<string, { version: string; sha: string; inputs: readonly string[]; required: readonly string[] }>> = {
    "actions/checkout": {
        version: "v6.1.0",
        sha: "d23441a48e516b6c34aea4fa41551a30e30af803",
        inputs: ["allow-unsafe-pr-checkout", "clean", "fetch-depth", "fetch-tags", "filter", "github-server-url", "lfs", "path", "persist-credentials", "ref", "repository", "set-safe-directory", "show-progress", "sparse-checkout", "sparse-checkout-cone-mode", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "submodules", "token"],
        required: ["persist-credentials"],
    },
    "actions/setup-node": {
        version: "v6.5.0",
        sha: "249970729cb0ef3589644e2896645e5dc5ba9c38",
        inputs: ["architecture", "cache", "cache-dependency-path", "check-latest", "mirror", "mirror-token", "node-version", "node-version-file", "package-manager-cache", "registry-url", "scope", "token"],
        required: ["node-version"],
    },
    "actions/upload-artifact": {
        version: "v6.0.0",
        sha: "b7c566a772e6b6bfb58ed0dc250532a479d7789f",
        inputs: ["compression-level", "if-no-files-found", "include-hidden-files", "name", "overwrite", "path", "retention-days"],
        required: ["name", "path"],
    },
    "aws-actions/configure-aws-credentials": {
        version: "v6.2.3",
        sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        inputs: [
            "action-timeout-s", "allowed-account-ids", "audience", "aws-access-key-id", "aws-profile", "aws-region", "aws-secret-access-key", "aws-session-token", "custom-tags", "disable-retry", "force-skip-oidc",
            "http-proxy", "inline-session-policy", "managed-session-policies", "mask-aws-account-id", "no-proxy", "output-credentials", "output-env-credentials", "overwrite-aws-profile", "retry-max-attempts",
            "role-chaining", "role-duration-seconds", "role-external-id", "role-session-name", "role-skip-session-tagging", "role-to-assume", "special-characters-workaround", "sts-endpoint", "transitive-tag-keys",
            "unset-current-credentials", "use-existing-credentials", "web-identity-token-file",
        ],
        required: ["aws-region", "role-to-assume"],
    },
    "pulumi/actions": {
        version: "v7.0.0",
        sha: "8e5e406f4007fca908480587cb9893c07090f58d",
        inputs: [
            "always-include-summary", "cloud-url", "color", "command", "comment-on-pr", "comment-on-pr-number", "comment-on-summary", "config-map", "continue-on-error", "debug", "diff", "edit-pr-comment", "exclude",
            "exclude-dependents", "exclude-protected", "expect-no-changes", "github-token", "log-flow", "log-verbosity", "message", "parallel", "plan", "policyPackConfigs", "policyPacks", "pulumi-version",
            "pulumi-version-file", "refresh", "remove", "replace", "secrets-provider", "stack-name", "suppress-outputs", "suppress-progress", "target", "target-dependents", "upsert", "work-dir",
        ],
        required: ["command", "stack-name", "pulumi-version", "policyPacks"],
    },
    "pulumi/auth-actions": {
        version: "v2.1.0",
        sha: "141415910c3beb54e03b48e9057c204c97b956f2",
        inputs: ["cloud-url", "export-environment-variables", "organization", "requested-token-type", "scope", "token-expiration"],
        required: ["organization", "requested-token-type"],
    },
};

/** Every `uses:` line of the workflows and the setup action, as written. */
function usesLines(): { where: string; line: string }[] {
    const texts: [string, string][] = [...[...workflowTexts].map(([f, t]): [string, string] => [`.github/workflows/${f}`, t]), [".github/actions/setup/action.yml", setupActionText]];
    return texts.flatMap(([where, text]) => text.split("\n").flatMap((line, i) => (/^\s*(?:-\s+)?uses:/.test(line) ? [{ where: `${where}:${i + 1}`, line: line.trim() }] : [])));
}

/** The reasons a `uses:` line is not a known action pinned by full commit with its release in a comment. */
function pinProblems(line: string): string[] {
    const ref = /uses:\s*(\S+)(.*)$/.exec(line);
    if (!ref) return ["no uses: value"];
    const [, target, rest] = ref;
    if (target!.startsWith("./")) return target === "./.github/actions/setup" ? [] : [`${target}: the only local action is ./.github/actions/setup`];
    const m = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40})$/.exec(target!);
    if (!m) return [`${target}: expected owner/name@<40-hex commit>`];
    const known = pinnedActions[m[1]!];
    if (!known) return [`${m[1]!} is not a known action; read its action.yml and add it to pinnedActions`];
    const problems: string[] = [];
    if (m[2] !== known.sha) problems.push(`${m[1]!}@${m[2]!}: expected ${known.sha}, the commit of ${known.version}`);
    if (rest!.trim() !== `# ${known.version}`) problems.push(`${m[1]!}: expected the comment '# ${known.version}' after the commit, got '${rest!.trim()}'`);
    return problems;
}

/** Events that run a workflow for a pull request (with the pull request's code or on its behalf). */
const pullRequestEvents = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment", "issue_comment", "merge_group"];

/** The jobs a pull request can start, by workflow file. */
function pullRequestJobs(all: ReadonlyMap<string, Workflow>): [string, string, Job][] {
    return [...all].filter(([, w]) => pullRequestEvents.some((e) => e in w.on)).flatMap(([f, w]) => Object.entries(w.jobs).map(([name, job]): [string, string, Job] => [f, name, job]));
}

/** The secrets the deploy jobs read: the jobs that deploy to a stack's environment. */
function deploySecrets(): Set<string> {
    const names = new Set<string>();
    for (const job of Object.values(workflows.get("deploy.yml")!.jobs)) if (environmentOf(job) === "${{ matrix.stack }}") for (const s of secretsRead(job)) names.add(s);
    return names;
}

/** Why a set of workflows lets a pull request reach deploy credentials (empty: it does not). */
function previewIsolationProblems(all: ReadonlyMap<string, Workflow>, deploy: ReadonlySet<string>): string[] {
    const problems: string[] = [];
    for (const [file, name, job] of pullRequestJobs(all)) {
        const at = `${file} ${name}`;
        if (environmentOf(job) !== undefined) problems.push(`${at} deploys to the environment ${environmentOf(job)!}`);
        for (const s of secretsRead(job)) {
            if (deploy.has(s)) problems.push(`${at} reads the deploy secret ${s}`);
            else if (!s.startsWith("PREVIEW_")) problems.push(`${at} reads ${s}, which is not a PREVIEW_ secret`);
        }
        if (JSON.stringify(job).includes("secrets: inherit") || /"secrets":"inherit"/.test(JSON.stringify(job))) problems.push(`${at} passes every secret on`);
    }
    for (const [file, w] of all) if ("pull_request_target" in w.on) problems.push(`${file} runs on pull_request_target, with the base repository's secrets`);
    return problems;
}

describe("least privilege in the workflows", () => {
    const deploy = deploySecrets();

    it("knows the deploy secrets: the secrets of the jobs that deploy to a stack's environment", () => {
        assert.deepEqual([...deploy].sort(), ["AWS_ROLE_ARN", "KUBECONFIG", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]);
    });

    it("gives nothing a pull request starts a deploy secret or a deploy environment", () => {
        assert.deepEqual(
            pullRequestJobs(workflows).map(([f, n]) => `${f} ${n}`),
            ["pull-request.yml test", "pull-request.yml plan", "pull-request.yml credentials", "pull-request.yml preview"],
        );
        assert.deepEqual(previewIsolationProblems(workflows, deploy), []);
        // The setup action reads no secret by name: each job hands it its own.
        assert.ok(!/\bsecrets\./.test(setupActionText), "the setup action names no secret");
        assert.deepEqual([...secretsRead(workflows.get("pull-request.yml")!.jobs["preview"])].sort(), ["PREVIEW_AWS_ROLE_ARN", "PREVIEW_KUBECONFIG", "PREVIEW_PULUMI_ACCESS_TOKEN", "PREVIEW_PULUMI_CONFIG_PASSPHRASE"]);
    });

    it("would catch a preview given a deploy secret or environment, or a pull_request_target workflow", () => {
        const clone = (): Map<string, Workflow> => new Map([...workflows].map(([f, w]) => [f, structuredClone(w)]));
        const withSecret = clone();
        withSecret.get("pull-request.yml")!.jobs["preview"]!.steps[1]!.with!["aws-role-arn"] = "${{ secrets.AWS_ROLE_ARN }}";
        assert.deepEqual(previewIsolationProblems(withSecret, deploy), ["pull-request.yml preview reads the deploy secret AWS_ROLE_ARN"]);
        const withEnvironment = clone();
        withEnvironment.get("pull-request.yml")!.jobs["preview"]!.environment = "primary";
        assert.deepEqual(previewIsolationProblems(withEnvironment, deploy), ["pull-request.yml preview deploys to the environment primary"]);
        const target = clone();
        target.get("drift.yml")!.on = { pull_request_target: null };
        const problems = previewIsolationProblems(target, deploy);
        assert.ok(problems.includes("drift.yml runs on pull_request_target, with the base repository's secrets"), problems.join("\n"));
        assert.ok(problems.includes("drift.yml drift deploys to the environment drift"), problems.join("\n"));
    });

    it("reads the deploy secrets only in jobs that deploy to a stack's environment, and the drift secrets only in the drift environment", () => {
        for (const [file, w] of workflows) {
            for (const [name, job] of Object.entries(w.jobs)) {
                const read = [...secretsRead(job)];
                const env = environmentOf(job);
                for (const s of read) {
                    if (deploy.has(s)) assert.equal(env, "${{ matrix.stack }}", `${file} ${name} reads ${s} outside a deploy environment`);
                    if (s.startsWith("DRIFT_")) assert.equal(env, "drift", `${file} ${name} reads ${s} outside the environment drift`);
                    if (s.startsWith("PREVIEW_")) assert.equal(file, "pull-request.yml", `${file} ${name} reads the preview secret ${s}`);
                }
                if (env === "drift") assert.ok(read.length > 0 && read.every((s) => s.startsWith("DRIFT_")), `${file} ${name}: ${read.join(", ")}`);
            }
        }
    });

    it("asks for an OIDC token only in the jobs that log in with it, and keeps the token out of the checked-out repository", () => {
        for (const [file, w] of workflows) {
            for (const [name, job] of Object.entries(w.jobs)) {
                const setup = job.steps.find((s) => s.uses === "./.github/actions/setup");
                const cloud = setup?.with?.["aws-role-arn"] !== undefined;
                assert.equal(job.permissions?.["id-token"], cloud ? "write" : undefined, `${file} ${name}`);
                for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"))) assert.equal(step.with?.["persist-credentials"], false, `${file} ${name}`);
            }
        }
        const auth = setupAction.runs.steps.find((s) => s.uses?.startsWith("pulumi/auth-actions@"))!;
        assert.equal(auth.if, "inputs.pulumi-login == 'oidc'");
        assert.equal(auth.with?.["requested-token-type"], "${{ inputs.pulumi-team != '' && 'urn:pulumi:token-type:access_token:team' || 'urn:pulumi:token-type:access_token:organization' }}");
        assert.equal(auth.with?.["scope"], "${{ inputs.pulumi-team != '' && format('team:{0}', inputs.pulumi-team) || '' }}");
        const token = setupAction.runs.steps.find((s) => s.if === "inputs.pulumi-login == 'token'")!;
        assert.match(token.run!, /\^\[A-Za-z0-9_-\]\+\$/, "the fallback token is checked before it goes into GITHUB_ENV");
    });

    it("pins every action by full commit, with its release in a comment, and passes only inputs its action.yml declares", () => {
        const lines = usesLines();
        assert.ok(lines.length >= 20, `${lines.length} uses: lines`);
        for (const { where, line } of lines) assert.deepEqual(pinProblems(line), [], `${where}: ${line}`);
        const seen = new Set(lines.map((l) => /uses:\s*([\w.-]+\/[\w.-]+)@/.exec(l.line)?.[1]).filter((n): n is string => n !== undefined));
        assert.deepEqual([...seen].sort(), Object.keys(pinnedActions).sort(), "every pinned action is used");
        const steps = [...workflows.values()].flatMap((w) => Object.values(w.jobs).flatMap((j) => j.steps)).concat(setupAction.runs.steps);
        for (const step of steps) {
            if (step.uses === undefined || step.uses.startsWith("./")) continue;
            const known = pinnedActions[step.uses.split("@")[0]!]!;
            for (const key of Object.keys(step.with ?? {})) assert.ok(known.inputs.includes(key), `${step.uses} has no input ${key}`);
            for (const key of known.required) assert.ok(step.with?.[key] !== undefined, `${step.uses} is always given ${key}`);
        }
        for (const [key, input] of Object.entries(setupAction.inputs)) assert.equal(input.required, false, `setup input ${key} is optional`);
    });

    it("refuses a major tag, a short commit, a wrong commit or a missing version comment", () => {
        assert.deepEqual(pinProblems("- uses: pulumi/actions@v7"), ["pulumi/actions@v7: expected owner/name@<40-hex commit>"]);
        assert.deepEqual(pinProblems("- uses: pulumi/actions@8e5e406"), ["pulumi/actions@8e5e406: expected owner/name@<40-hex commit>"]);
        assert.deepEqual(pinProblems("uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d"), ["pulumi/actions: expected the comment '# v7.0.0' after the commit, got ''"]);
        assert.deepEqual(pinProblems("uses: actions/checkout@8e5e406f4007fca908480587cb9893c07090f58d # v6.1.0"), [
            "actions/checkout@8e5e406f4007fca908480587cb9893c07090f58d: expected d23441a48e516b6c34aea4fa41551a30e30af803, the commit of v6.1.0",
        ]);
        assert.deepEqual(pinProblems("uses: someone/else@8e5e406f4007fca908480587cb9893c07090f58d # v1.0.0"), ["someone/else is not a known action; read its action.yml and add it to pinnedActions"]);
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
        // As GitHub runs a `run:` step with `shell: bash`, in the checked-out repository.
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
            cwd: projectDir,
            env: { PATH: process.env["PATH"] ?? "", GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, WHAT: "pulumi preview", PULUMI_TOKEN_NAME: "PREVIEW_PULUMI_ACCESS_TOKEN", AWS_ROLE_ARN_NAME: "PREVIEW_AWS_ROLE_ARN", ...env },
            encoding: "utf8",
        });
        return { status: result.status, stdout: result.stdout, outputs: fs.readFileSync(output, "utf8"), summary: fs.readFileSync(summary, "utf8") };
    }

    it("prefers Pulumi Cloud's OIDC token exchange, and names stacks <org>/<stack>", () => {
        const r = check({ PULUMI_ORG: "acme", AWS_ROLE_ARN_SET: "true", WHEN_MISSING: "skip" });
        assert.equal(r.status, 0);
        assert.equal(r.outputs, "available=true\npulumi-login=oidc\nstack-prefix=acme/\n");
    });

    it("falls back to the static token when its secret is set", () => {
        assert.equal(check({ PULUMI_ORG: "acme", PULUMI_TOKEN_SET: "true", AWS_ROLE_ARN_SET: "true" }).outputs, "available=true\npulumi-login=token\nstack-prefix=acme/\n");
        assert.equal(check({ PULUMI_TOKEN_SET: "true", AWS_ROLE_ARN_SET: "true" }).outputs, "available=true\npulumi-login=token\nstack-prefix=\n");
    });

    it("uses a self-managed backend with organization/<project>/<stack>, its only organization", () => {
        const r = check({ PULUMI_BACKEND_URL: "s3://state-bucket/mesh", PULUMI_ORG: "acme", AWS_ROLE_ARN_SET: "true", WHEN_MISSING: "fail" });
        assert.equal(r.status, 0);
        assert.equal(r.outputs, "available=true\npulumi-login=backend\nstack-prefix=organization/mesh-ingress/\n");
    });

    it("skips with a notice naming the job's own secrets (a fork's pull request)", () => {
        const r = check({ AWS_ROLE_ARN_SET: "false", WHEN_MISSING: "skip" });
        assert.equal(r.status, 0);
        assert.equal(r.outputs, "available=false\n");
        assert.match(
            r.stdout,
            /^::notice title=pulumi preview skipped::pulumi preview skipped: this run lacks the variable PULUMI_ORG \(Pulumi Cloud through OIDC\), or the secret PREVIEW_PULUMI_ACCESS_TOKEN, or the variable PULUMI_BACKEND_URL \(a self-managed backend\) and the secret PREVIEW_AWS_ROLE_ARN\. GitHub gives no secrets to pull requests from forks/m,
        );
        assert.match(r.summary, /^### pulumi preview skipped\n/);
    });

    it("fails a deployment of the repository itself that lacks them", () => {
        const r = check({ PULUMI_ORG: "acme", AWS_ROLE_ARN_SET: "false", AWS_ROLE_ARN_NAME: "AWS_ROLE_ARN", WHEN_MISSING: "fail", WHAT: "pulumi up" });
        assert.equal(r.status, 1);
        assert.equal(r.outputs, "");
        assert.match(r.stdout, /^::error title=pulumi up cannot run::This run lacks the secret AWS_ROLE_ARN: create them as the README's Continuous delivery section says\.$/m);
    });
});

describe("the drift report", () => {
    const script = path.join(projectDir, ".github", "scripts", "report-drift.sh");

    /** Runs the report with a fake `gh` that answers `issue list` with `open` and logs every call. */
    function report(outcome: string, open: { number: number; title: string }[]): { status: number | null; stdout: string; calls: string[] } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
        const log = path.join(dir, "calls");
        fs.writeFileSync(path.join(dir, "open.json"), JSON.stringify(open));
        fs.writeFileSync(
            path.join(dir, "gh"),
            `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "${log}"\nif [[ "$1 $2" == "issue list" ]]; then\n  jq -r "\${@: -1}" "${dir}/open.json"\nfi\n`,
            { mode: 0o755 },
        );
        fs.writeFileSync(log, "");
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
            env: { PATH: `${dir}${path.delimiter}${process.env["PATH"] ?? ""}`, STACK: "remote", OUTCOME: outcome, RUN_URL: "https://github.com/acme/mesh/actions/runs/7" },
            encoding: "utf8",
        });
        return { status: result.status, stdout: result.stdout, calls: fs.readFileSync(log, "utf8").trimEnd().split("\n").filter((l) => l !== "") };
    }

    it("opens an issue labelled drift for a stack that drifted, and marks the run with an error", () => {
        const r = report("failure", [{ number: 3, title: "Drift: stack primary" }]);
        assert.equal(r.status, 0);
        assert.equal(r.calls.length, 3);
        assert.match(r.calls[0]!, /^issue list --state open --label drift --limit 100 --json number,title --jq /);
        assert.match(r.calls[1]!, /^label create drift /);
        assert.match(r.calls[2]!, /^issue create --title Drift: stack remote --label drift --body `pulumi preview --refresh --expect-no-changes` failed for the stack `remote` in https:\/\/github\.com\/acme\/mesh\/actions\/runs\/7: /);
        assert.match(r.stdout, /^::error title=Drift in remote::An issue was opened; see https:/m);
    });

    it("comments on the stack's open issue instead of opening another", () => {
        const r = report("failure", [{ number: 9, title: "Drift: stack remote" }]);
        assert.deepEqual(r.calls.slice(1), ["issue comment 9 --body Still failing in https://github.com/acme/mesh/actions/runs/7."]);
    });

    it("closes the stack's open issue when the check passes, and does nothing else when none is open", () => {
        assert.deepEqual(report("success", [{ number: 9, title: "Drift: stack remote" }]).calls.slice(1), [
            "issue close 9 --comment No drift in `remote` any more: `pulumi preview --refresh --expect-no-changes` passed in https://github.com/acme/mesh/actions/runs/7.",
        ]);
        assert.equal(report("success", []).calls.length, 1);
    });
});

describe("the documented CI roles and cluster identities (docs/ci)", () => {
    const ci = path.join(projectDir, "docs", "ci");
    const account = "123456789012";
    const fill = (text: string): string =>
        text
            .replaceAll("ACCOUNT_ID", account)
            .replaceAll("HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ")
            .replaceAll("REGION", "us-east-1")
            .replaceAll("EKS_CLUSTER_NAME", "cluster1")
            .replaceAll("STATE_BUCKET", "acme-pulumi-state")
            .replaceAll("OWNER/REPOSITORY", "acme/mesh");
    const readPolicy = JSON.parse(fill(fs.readFileSync(path.join(ci, "readonly-role-policy.json"), "utf8"))) as { Statement: { Action: string | string[] }[] };

    async function decision(action: string, resource: string): Promise<string> {
        const simulation: Simulation = {
            identityPolicies: [{ name: "readonly", policy: readPolicy }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: { action, principal: `arn:aws:iam::${account}:role/mesh-ingress-preview`, resource: { accountId: account, resource }, contextVariables: {} },
        };
        const result = await runSimulation(simulation, {});
        if (result.resultType === "error") assert.fail(JSON.stringify(result.errors));
        return result.overallResult;
    }

    it("gives the preview and drift roles read actions only", () => {
        assert.deepEqual(validateIdentityPolicy(readPolicy), []);
        const actions = readPolicy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
        for (const action of actions) assert.match(action, /^[a-z0-9]+:(Get|List|Describe)[A-Za-z]+$/, action);
    });

    it("lets them read the zone, the DNS-01 roles and policies, the cluster and the state, and change nothing", async () => {
        const zone = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";
        const role = `arn:aws:iam::${account}:role/cm-dns01-cluster1-abcdefgh`;
        const policy = `arn:aws:iam::${account}:policy/cm-dns01-cluster1-abcdefgh`;
        const allowed: [string, string][] = [
            ["route53:ListResourceRecordSets", zone],
            ["route53:GetHostedZone", zone],
            ["route53:ListHostedZonesByName", "*"],
            ["iam:GetRole", role],
            ["iam:ListAttachedRolePolicies", role],
            ["iam:GetPolicyVersion", policy],
            ["eks:DescribeCluster", `arn:aws:eks:us-east-1:${account}:cluster/cluster1`],
            ["s3:GetObject", "arn:aws:s3:::acme-pulumi-state/.pulumi/stacks/mesh-ingress/primary.json"],
        ];
        for (const [action, resource] of allowed) assert.equal(await decision(action, resource), "Allowed", action);
        const denied: [string, string][] = [
            ["route53:ChangeResourceRecordSets", zone],
            ["iam:CreateRole", role],
            ["iam:PutRolePolicy", role],
            ["iam:PassRole", role],
            ["iam:CreatePolicyVersion", policy],
            ["iam:GetRole", `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`],
            ["eks:CreatePodIdentityAssociation", `arn:aws:eks:us-east-1:${account}:cluster/cluster1`],
            ["s3:PutObject", "arn:aws:s3:::acme-pulumi-state/.pulumi/stacks/mesh-ingress/primary.json"],
            ["s3:GetObject", "arn:aws:s3:::another-bucket/secrets.json"],
        ];
        for (const [action, resource] of denied) assert.equal(await decision(action, resource), "ImplicitlyDenied", `${action} on ${resource}`);
    });

    it("trusts only this repository's pull requests (preview), its drift environment (drift) and its stacks' environments (deploy)", () => {
        const subjects: Record<string, string | string[]> = {
            "preview-role-trust.json": "repo:acme/mesh:pull_request",
            "drift-role-trust.json": "repo:acme/mesh:environment:drift",
            "deploy-role-trust.json": ["repo:acme/mesh:environment:primary", "repo:acme/mesh:environment:remote"],
        };
        for (const [file, sub] of Object.entries(subjects)) {
            const trust = JSON.parse(fill(fs.readFileSync(path.join(ci, file), "utf8"))) as { Statement: { Condition: { StringEquals: Record<string, unknown> } }[] };
            assert.deepEqual(validateTrustPolicy(trust), [], file);
            assert.deepEqual(trust.Statement[0]!.Condition.StringEquals, { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": sub }, file);
        }
    });

    describe("cluster RBAC", () => {
        interface Rule {
            apiGroups: string[];
            resources: string[];
            verbs: string[];
        }
        const rbac = (file: string): { kind: string; metadata: { name: string }; rules?: Rule[]; apiVersion: string }[] =>
            parseAllDocuments(fs.readFileSync(path.join(ci, file), "utf8")).map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[]; apiVersion: string });
        const preview = rbac("preview-rbac.yaml");
        const drift = rbac("drift-rbac.yaml");
        const rulesOf = (docs: typeof preview): Rule[] => docs.find((d) => d.kind === "ClusterRole")!.rules!;
        const allows = (rules: Rule[], group: string, resource: string, verb: string): boolean =>
            rules.some((r) => r.apiGroups.includes(group) && (r.resources.includes(resource) || r.resources.includes("*")) && r.verbs.includes(verb));
        /** The resource a Kubernetes type token names: kubernetes:networking.k8s.io/v1:NetworkPolicy -> [networking.k8s.io, networkpolicies]. */
        const resourceOf = (type: string): [string, string] => {
            const [, groupVersion, kind] = /^kubernetes:(.+):([^:]+)$/.exec(type)!;
            const group = groupVersion!.startsWith("core/") ? "" : groupVersion!.split("/")[0]!;
            const lower = kind!.toLowerCase();
            return [group, lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower.endsWith("s") ? `${lower}es` : `${lower}s`];
        };
        let types: Set<string>;

        before(async function () {
            this.timeout(60000);
            // The remote's kinds are a subset of these two (checked when this test was written).
            const plans = [await plannedOnce("primary"), await plannedOnce("primary-gateway-api", path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml"))];
            types = new Set(plans.flatMap((p) => p.evaluation.resources.map((r) => r.type)).filter((t) => t.startsWith("kubernetes:") && !t.startsWith("kubernetes:helm.sh/") && !t.startsWith("kubernetes:yaml/")));
            // The Gateway API CRDs (yaml/v2 ConfigFile) are CustomResourceDefinitions.
            types.add("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        });

        it("are valid RBAC objects binding a ClusterRole of the same name to a group", async () => {
            for (const docs of [preview, drift]) {
                for (const doc of docs) await validateObject(doc);
                const role = docs.find((d) => d.kind === "ClusterRole")!;
                const binding = docs.find((d) => d.kind === "ClusterRoleBinding") as unknown as { roleRef: { name: string }; subjects: { kind: string; name: string }[] };
                assert.equal(binding.roleRef.name, role.metadata.name);
                assert.deepEqual(binding.subjects.map((s) => [s.kind, s.name]), [["Group", role.metadata.name]]);
            }
        });

        it("grant only get, list and watch", () => {
            for (const rule of [...rulesOf(preview), ...rulesOf(drift)]) assert.deepEqual(rule.verbs, ["get", "list", "watch"]);
        });

        it("let previews read every kind the stacks manage but no Secret; let the drift check read Secrets too", () => {
            assert.ok(types.size >= 15, [...types].join(", "));
            for (const type of types) {
                const [group, resource] = resourceOf(type);
                assert.equal(allows(rulesOf(drift), group, resource, "get"), true, `drift reads ${type}`);
                assert.equal(allows(rulesOf(preview), group, resource, "list"), resource !== "secrets", `preview ${resource === "secrets" ? "does not read" : "reads"} ${type}`);
            }
            assert.ok(!rulesOf(preview).some((r) => r.apiGroups.includes("") && (r.resources.includes("secrets") || r.resources.includes("*"))), "no rule of the core group reaches Secrets");
            assert.equal(allows(rulesOf(drift), "", "secrets", "list"), true, "a refresh reads Helm's release records");
        });
    });
});
