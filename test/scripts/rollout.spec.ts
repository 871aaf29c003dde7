import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { projectDir } from "../../offline/plan";
import { formatChanges, formatDuration, main, qualifiedStackName, rolloutSteps, type RolloutDeps, type RolloutStack } from "../../scripts/rollout";
import type { StackFile } from "../../scripts/stacks";

/**
 * npm run rollout: the order of its steps, where it stops, what it prints and its exit
 * statuses, against a fake workspace (the Pulumi CLI is not available here); and, as a
 * child process, on a machine without the CLI (--help: test/offline/plan-output.spec.ts).
 */

const files: StackFile[] = [
    { stack: "primary", role: "primary" },
    { stack: "remote", role: "remote" },
    { stack: "remote-eu", role: "remote" },
];

interface Call {
    readonly stack: string;
    readonly op: "up" | "preview";
    readonly options: { refresh: boolean; policyPacks: string[]; message: string };
}

/** A workspace whose stacks answer from a script: a failure for the named stack at its nth operation. */
function fakeWorkspace(failAt?: { stack: string; nth: number; message: string }): { calls: Call[]; open: RolloutDeps["open"]; opened: string[] } {
    const calls: Call[] = [];
    const opened: string[] = [];
    const seen = new Map<string, number>();
    const open = (name: string): Promise<RolloutStack> => {
        opened.push(name);
        const run = (op: Call["op"], options: Call["options"]): void => {
            calls.push({ stack: name, op, options: { refresh: options.refresh, policyPacks: options.policyPacks, message: options.message } });
            const n = (seen.get(name) ?? 0) + 1;
            seen.set(name, n);
            if (failAt && name.endsWith(failAt.stack) && n === failAt.nth) throw new Error(failAt.message);
        };
        return Promise.resolve({
            up: (options) => {
                run("up", options);
                const start = new Date("2026-12-01T10:00:00Z");
                return Promise.resolve({ summary: { result: "succeeded", startTime: start, endTime: new Date(start.getTime() + 65_000), resourceChanges: { same: 40, create: 2, update: 1 } } });
            },
            preview: (options) => {
                run("preview", options);
                return Promise.resolve({ changeSummary: { same: 52, update: 1 } });
            },
        });
    };
    return { calls, open, opened };
}

async function rollout(argv: string[], open: RolloutDeps["open"], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const status = await main(argv, { open, stacks: () => files, project: "mesh-ingress", env, io: { out: (t) => (out += t) }, err: (t) => (err += t) });
    return { status, out, err };
}

describe("npm run rollout", () => {
    it("runs up on the primary, each remote, then the primary again, refreshing first and with the policy pack", async () => {
        const ws = fakeWorkspace();
        const r = await rollout([], ws.open, { PULUMI_ORG: "acme" });
        assert.equal(r.status, 0, r.err);
        assert.deepEqual(
            ws.calls.map((c) => `${c.op} ${c.stack}`),
            ["up acme/primary", "up acme/remote", "up acme/remote-eu", "up acme/primary"],
        );
        for (const c of ws.calls) assert.deepEqual([c.options.refresh, c.options.policyPacks], [true, ["policy"]]);
        assert.deepEqual(
            ws.calls.map((c) => c.options.message),
            ["rollout 1/4: primary (primary)", "rollout 2/4: remote (remote)", "rollout 3/4: remote-eu (remote)", "rollout 4/4: primary (primary again, remote-cluster secrets)"],
        );
        assert.equal(
            r.out,
            [
                "[1/4] acme/primary (primary): pulumi up ...",
                "[1/4] acme/primary (primary): succeeded in 1m 05s: 2 created, 1 updated, 40 unchanged",
                "[2/4] acme/remote (remote): pulumi up ...",
                "[2/4] acme/remote (remote): succeeded in 1m 05s: 2 created, 1 updated, 40 unchanged",
                "[3/4] acme/remote-eu (remote): pulumi up ...",
                "[3/4] acme/remote-eu (remote): succeeded in 1m 05s: 2 created, 1 updated, 40 unchanged",
                "[4/4] acme/primary (primary again, remote-cluster secrets): pulumi up ...",
                "[4/4] acme/primary (primary again, remote-cluster secrets): succeeded in 1m 05s: 2 created, 1 updated, 40 unchanged",
                "Rollout done: 4 steps.",
                "",
            ].join("\n"),
        );
        assert.equal(r.err, "");
    });

    it("stops at the first failure, prints Pulumi's error lines and the steps that did not run, and exits 1", async () => {
        const ws = fakeWorkspace({ stack: "/remote", nth: 1, message: "code: 255\n stdout: Updating (remote)\n stderr: error: update failed\n    error: release istiod failed: timed out waiting for the condition\n" });
        const r = await rollout(["--stacks", "remote,remote-eu"], ws.open, { PULUMI_ORG: "acme" });
        assert.equal(r.status, 1);
        assert.deepEqual(
            ws.calls.map((c) => `${c.op} ${c.stack}`),
            ["up acme/primary", "up acme/remote"],
        );
        const lines = r.out.trimEnd().split("\n");
        assert.match(lines[3]!, /^\[2\/4\] acme\/remote \(remote\): failed after \d+s$/);
        assert.deepEqual(lines.slice(4), [
            "    error: update failed",
            "    error: release istiod failed: timed out waiting for the condition",
            "Stopped at step 2 of 4. Not run: acme/remote-eu (remote), acme/primary (primary again, remote-cluster secrets).",
        ]);
    });

    it("stops when the primary's second run fails, with nothing left to run", async () => {
        const ws = fakeWorkspace({ stack: "/primary", nth: 2, message: "error: remote secret rejected" });
        const r = await rollout(["--stacks", "remote"], ws.open, { PULUMI_ORG: "acme" });
        assert.equal(r.status, 1);
        assert.deepEqual(ws.calls.map((c) => c.stack), ["acme/primary", "acme/remote", "acme/primary"]);
        assert.match(r.out, /\[3\/3\] acme\/primary \(primary again, remote-cluster secrets\): failed after \d+s\n {4}error: remote secret rejected\nStopped at step 3 of 3\.\n$/);
    });

    it("previews the primary and the remotes, not the primary again, and prints the changes to come", async () => {
        const ws = fakeWorkspace();
        const r = await rollout(["--preview", "--stacks", "remote-eu"], ws.open);
        assert.equal(r.status, 0);
        assert.deepEqual(ws.calls.map((c) => `${c.op} ${c.stack}`), ["preview primary", "preview remote-eu"]);
        assert.match(r.out, /^\[1\/2\] primary \(primary\): previewed in \d+s: 1 to update, 52 unchanged$/m);
        assert.match(r.out, /^The primaries' second run \(remote-cluster secrets\) is not previewed: nothing was deployed since their first preview\.\nRollout previewed: 2 steps\.\n$/m);
    });

    it("names stacks as the backend needs them", () => {
        assert.equal(qualifiedStackName("remote", { project: "mesh-ingress", selfManaged: true }), "organization/mesh-ingress/remote");
        assert.equal(qualifiedStackName("remote", { project: "mesh-ingress", organization: "acme", selfManaged: false }), "acme/remote");
        assert.equal(qualifiedStackName("remote", { project: "mesh-ingress", selfManaged: false }), "remote");
    });

    it("uses organization/<project>/<stack> on a self-managed backend, and refuses another organization there", async () => {
        const ws = fakeWorkspace();
        const r = await rollout(["--preview"], ws.open, { PULUMI_BACKEND_URL: "s3://state-bucket/mesh" });
        assert.equal(r.status, 0);
        assert.deepEqual(ws.opened, ["organization/mesh-ingress/primary", "organization/mesh-ingress/remote", "organization/mesh-ingress/remote-eu"]);
        const bad = await rollout(["--org", "acme"], fakeWorkspace().open, { PULUMI_BACKEND_URL: "file:///srv/state" });
        assert.equal(bad.status, 2);
        assert.equal(bad.err, "--org acme: a self-managed backend (file:///srv/state) has only the organization 'organization'; leave --org out\n");
        // Pulumi Cloud at its own URL is not self-managed.
        const cloud = fakeWorkspace();
        assert.equal((await rollout(["--preview", "--org", "acme", "--stacks", "primary"], cloud.open, { PULUMI_BACKEND_URL: "https://api.pulumi.com" })).status, 0);
        assert.deepEqual(cloud.opened, ["acme/primary"]);
    });

    it("runs only the primaries when --stacks names no remote, once", async () => {
        const ws = fakeWorkspace();
        assert.equal((await rollout(["--stacks", "primary"], ws.open)).status, 0);
        assert.deepEqual(ws.calls.map((c) => `${c.op} ${c.stack}`), ["up primary"]);
        assert.deepEqual(
            rolloutSteps(files, undefined, { project: "p", selfManaged: false }, false).map((s) => `${s.pass}:${s.stack}`),
            ["first:primary", "remote:remote", "remote:remote-eu", "again:primary"],
        );
    });

    it("exits 2 for an unknown stack or argument, before opening any stack", async () => {
        const ws = fakeWorkspace();
        const unknown = await rollout(["--stacks", "remote,remote-us"], ws.open);
        assert.equal(unknown.status, 2);
        assert.equal(unknown.err, "--stacks remote-us: expected stacks with a stack file (primary, remote, remote-eu)\n");
        const bad = await rollout(["--stack", "remote"], ws.open);
        assert.equal(bad.status, 2);
        assert.match(bad.err, /^Unknown option '--stack'.*\nusage: npm run rollout -- \[--stacks/);
        const empty = await rollout(["--stacks", ","], ws.open);
        assert.equal(empty.status, 2);
        assert.deepEqual(ws.opened, []);
    });

    it("formats durations and change counts", () => {
        assert.deepEqual([formatDuration(42_400), formatDuration(60_000), formatDuration(3_725_000)], ["42s", "1m 00s", "62m 05s"]);
        assert.equal(formatChanges({ same: 3, delete: 1, replace: 2 }, false), "2 replaced, 1 deleted, 3 unchanged");
        assert.equal(formatChanges({ same: 0 }, true), "no resources");
    });

    describe("as a command", () => {
        /** The script in a child process whose PATH holds only the project's tools (no Pulumi CLI). */
        const command = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
            new Promise((resolve, reject) => {
                const bin = path.join(projectDir, "node_modules", ".bin");
                const child = spawn(path.join(bin, "tsx"), ["scripts/rollout.ts", ...args], { cwd: projectDir, env: { PATH: bin, HOME: process.env["HOME"] ?? "/tmp" }, timeout: 60000 });
                let stdout = "";
                let stderr = "";
                child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
                child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
                child.on("error", reject);
                child.on("close", (status) => resolve({ status, stdout, stderr }));
            });
        // --help: test/offline/plan-output.spec.ts, with the other commands.
        let noCli: ReturnType<typeof command>;
        before(() => {
            noCli = command(["--preview"]);
        });

        it("exits 2 with one line, no stack trace, where the Pulumi CLI is not installed", async () => {
            const r = await noCli;
            assert.equal(r.status, 2);
            assert.equal(r.stdout, "[1/2] primary (primary): pulumi preview ...\n");
            assert.equal(r.stderr, "the Pulumi CLI is not on PATH (spawn pulumi ENOENT): install it (README: Deploying for real) and run the rollout again\n");
        });
    });
});
