import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runScript } from "../support/cli";
import { planned } from "../support/plan";

describe("npm run policy (command line)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));

    it("judges a plan document: 0 without mandatory violations", async () => {
        const file = path.join(dir, "plan.json");
        fs.writeFileSync(file, JSON.stringify((await planned("primary")).document));
        const r = runScript("offline/cli/policy.ts", [file]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Judged \d+ resources of a plan: 0 findings, 0 mandatory/);
    });

    it("judges a state export: 1 with a mandatory violation, secrets never printed", () => {
        const file = path.join(dir, "export.json");
        const stack = "urn:pulumi:prod::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-prod";
        fs.writeFileSync(file, JSON.stringify({
            version: 3,
            deployment: {
                manifest: {},
                resources: [
                    { urn: stack, custom: false, type: "pulumi:pulumi:Stack" },
                    {
                        urn: "urn:pulumi:prod::mesh-ingress::pulumi:providers:kubernetes::default_4_34_2",
                        custom: true, type: "pulumi:providers:kubernetes", parent: stack,
                        inputs: { kubeconfig: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } },
                    },
                    {
                        urn: "urn:pulumi:prod::mesh-ingress::kubernetes:core/v1:Service::edge",
                        custom: true, type: "kubernetes:core/v1:Service", parent: stack,
                        provider: "urn:pulumi:prod::mesh-ingress::pulumi:providers:kubernetes::default_4_34_2::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
                        inputs: { metadata: { name: "edge" }, spec: { type: "NodePort" } },
                    },
                ],
            },
        }));
        const r = runScript("offline/cli/policy.ts", [file, "--json"]);
        assert.equal(r.status, 1, r.stderr);
        const result = JSON.parse(r.stdout) as { document: string; violations: { policy: string; enforcementLevel: string; resource: string }[] };
        assert.equal(result.document, "export");
        assert.deepEqual(result.violations.map((v) => [v.policy, v.enforcementLevel, v.resource]), [
            ["explicit-providers", "mandatory", "edge"],
            ["no-nodeport-services", "mandatory", "edge"],
        ]);
        assert.ok(!r.stdout.includes("v1:abc"));
    });

    it("exits 2 for an unreadable file or an unknown document", () => {
        assert.equal(runScript("offline/cli/policy.ts", [path.join(dir, "missing.json")]).status, 2);
        const other = path.join(dir, "other.json");
        fs.writeFileSync(other, '{"hello": "world"}');
        const r = runScript("offline/cli/policy.ts", [other]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /expected an offline plan \(npm run plan -- --json\) or a state export \(pulumi stack export\)/);
        fs.writeFileSync(other, "not json");
        assert.equal(runScript("offline/cli/policy.ts", [other]).status, 2);
    });
});
