import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { doctorCommand } from "../../doctor/command";
import { renderText, type DoctorReport } from "../../doctor/report";
import { captureCommand } from "../../offline/cli/command";
import { projectDir } from "../../offline/plan";
import { runScript, type CommandResult } from "../support/cli";
import { Bench } from "./harness";

/**
 * `npm run doctor` as a user runs it: the command with the fake Pulumi CLI on PATH and the
 * fake cluster's kubeconfig in KUBECONFIG (in this process, to share its loaded program;
 * one run in a child process through doctor/cli.ts). Usage mistakes exit 2 with one line; a
 * failing run exits 1, names the troubleshooting cases, and is the run the README quotes.
 */

const doctor = path.join("doctor", "cli.ts");

/** The README's quoted failing run, and what makes two runs differ (ports, temporary folders, dates). */
function normalized(text: string): string {
    return text
        .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
        .replace(/\/tmp\/[A-Za-z0-9._-]+/g, "/tmp/...")
        .replace(/\d{4}-\d\d-\d\d/g, "YYYY-MM-DD")
        .replace(/\(\d+ days left\)/g, "(N days left)")
        .trimEnd();
}

function readmeQuote(): string {
    const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
    const match = /<!-- doctor: a failing run -->\s*```text\n([\s\S]*?)```/.exec(readme);
    assert.ok(match, "the README quotes a failing run after <!-- doctor: a failing run -->");
    return match[1]!;
}

/** The command run in this process (doctor/command.ts, what doctor/cli.ts runs), its output collected and escaped as the process's streams are. */
function command(args: readonly string[]): Promise<CommandResult> {
    return captureCommand(doctorCommand, args);
}

describe("npm run doctor (the command line)", function () {
    let bench: Bench;
    let usage: CommandResult[];
    let asUsersRunIt: Promise<CommandResult>;
    let json: CommandResult;

    before(async function () {
        this.timeout(180000);
        // One run as a child process, as `npm run doctor` runs: it answers before the SDK loads.
        asUsersRunIt = runScript(doctor, ["--stack", "nope"]);
        usage = await Promise.all([
            command([]),
            command(["--stack", "primary", "--only", "dns"]),
            command(["--stack", "primary", "--no-probes", "--resolver", "127.0.0.1:53"]),
            command(["--stack", "primary", "--connect-to", "api.example.com:443"]),
        ]);
        bench = await Bench.start(["primary"]);
        bench.reset("primary");
        // The failing run: the east-west load balancer lost its address, and the wildcard certificate is not issued.
        bench.cluster.edit("v1", "Service", "istio-eastwestgateway", "istio-system", (s) => (s.status = { loadBalancer: {} }));
        bench.cluster.edit("cert-manager.io/v1", "Certificate", "example-com", "ingress-nginx", (c) => {
            c.status = {
                conditions: [
                    { type: "Ready", status: "False", reason: "DoesNotExist", message: "Issuing certificate as Secret does not exist" },
                    { type: "Issuing", status: "True", reason: "DoesNotExist", message: "Issuing certificate as Secret does not exist" },
                ],
                failedIssuanceAttempts: 2,
                lastFailureTime: "2026-11-30T09:12:44Z",
            };
        });
        const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "doctor-ca-")), "ca.pem");
        fs.writeFileSync(caFile, bench.certs.ca.cert);
        // The backend through the fake Pulumi CLI on PATH, as a user's `pulumi`.
        const pathBefore = process.env["PATH"];
        process.env["PATH"] = `${path.join(bench.pulumi.root, "bin")}${path.delimiter}${pathBefore ?? ""}`;
        try {
            json = await command(["--stack", "primary", "--json", "--resolver", bench.dns.address, ...bench.edge.connectTo.flatMap((c) => ["--connect-to", c]), "--ca", caFile]);
        } finally {
            process.env["PATH"] = pathBefore;
        }
    });
    after(async () => bench?.stop());

    it("answers usage mistakes with exit status 2, one line and the usage", async () => {
        const [none, only, both, connect] = usage;
        const missing = await asUsersRunIt;
        assert.deepEqual([none!.status, none!.stderr.split("\n")[0]], [2, "--stack is required"]);
        assert.deepEqual([only!.status, only!.stderr.split("\n")[0]], [2, "--only dns: expected a comma-separated list of mesh, tls, edge"]);
        assert.deepEqual([both!.status, both!.stderr.split("\n")[0]], [2, "--resolver, --connect-to and --ca set up the probes, which --no-probes turns off: choose one"]);
        assert.deepEqual([connect!.status, connect!.stderr.split("\n")[0]], [2, "--connect-to api.example.com:443: expected HOST1:PORT1:HOST2:PORT2 (as curl; empty parts match any, or keep)"]);
        assert.match(none!.stderr, /^usage: npm run doctor -- --stack NAME /m);
        assert.deepEqual([missing.status, missing.stderr], [2, `${path.join(projectDir, "Pulumi.nope.yaml")}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)\n`]);
    });

    it("exits 1 on a failing run, prints one JSON document with every check, and names each troubleshooting case it is in", () => {
        const run = json;
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stderr, "");
        const doc = JSON.parse(run.stdout) as DoctorReport;
        assert.equal(doc.exitStatus, 1);
        assert.deepEqual(doc.summary, { ok: 41, warn: 0, fail: 2, skip: 1 });
        assert.deepEqual(
            doc.diagnoses.map((d) => [d.title, d.runbook, d.checks]),
            [
                ["istiod not reachable through the east-west gateway", "docs/runbook.md section 9.1", ["mesh.eastwest-address"]],
                ["certificate not issued", "docs/runbook.md section 9.2", ["tls.certificate[ingress-nginx/example-com]"]],
            ],
        );
        // The probes ran through --resolver, --connect-to and --ca.
        assert.deepEqual(
            doc.checks.filter((c) => c.id === "edge.certificate").map((c) => [c.subject, c.status]),
            ["admin.example.com", "user.example.com", "api.example.com", "secure.example.com"].map((h) => [h, "ok"]),
        );
        assert.equal(doc.checks.find((c) => c.id === "mesh.discovery-address")?.seen, "not run: the east-west Service has no address to compare");
        const text = renderText(doc);
        assert.match(text, /^Diagnosis: istiod not reachable through the east-west gateway \(docs\/runbook\.md section 9\.1\): mesh\.eastwest-address$/m);
        assert.match(text, /^Summary: 41 ok, 0 warn, 2 fail, 1 could not run \(a check that could not run is not a pass\)\.$/m);
    });

    it("is the run the README quotes (as text, without --json)", () => {
        assert.equal(normalized(readmeQuote()), normalized(renderText(JSON.parse(json.stdout) as DoctorReport)));
    });
});
