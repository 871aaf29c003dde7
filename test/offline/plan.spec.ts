import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { exitStatus, plan, projectDir } from "../../offline/plan";
import { sampleLookup, readSamples } from "../../offline/samples";
import { renderTree } from "../../offline/render";
import { placeholderFor } from "../../offline/stack-files";
import { retirementWarning } from "../../components/edge/ingress-controller";
import { planned, plannedOnce, rejected } from "../support/plan";

/** The plan's warnings besides the edge's one ingress-nginx retirement notice. */
const otherWarnings = (warnings: readonly string[]): string[] => warnings.filter((w) => w !== retirementWarning);

const builtin = (type: string): boolean => type.startsWith("pulumi:providers:") || type.startsWith("pulumi:pulumi:");

describe("offline plan", () => {
    for (const stack of ["primary", "remote"]) {
        describe(`the default ${stack} stack`, () => {
            it("plans with exit status 0 and the contract's JSON shape", async () => {
                const outcome = await plan({ stack });
                assert.equal(outcome.kind, "planned");
                assert.equal(exitStatus(outcome), 0);
                const doc = outcome.kind === "planned" ? outcome.document : assert.fail();
                assert.equal(doc.stack, stack);
                assert.ok(Array.isArray(doc.resources) && doc.resources.length > 0);
                for (const r of doc.resources) {
                    assert.deepEqual(Object.keys(r).slice(0, 6), ["type", "name", "custom", "parent", "provider", "inputs"]);
                    assert.equal(typeof r.type, "string");
                    assert.equal(typeof r.custom, "boolean");
                    assert.ok(r.parent === null || doc.resources.some((p) => p.name === r.parent), `parent ${String(r.parent)} of ${r.name} is a resource of the plan`);
                    assert.ok(r.provider === null || doc.resources.some((p) => p.name === r.provider && p.type.startsWith("pulumi:providers:")));
                }
                assert.equal(typeof doc.outputs, "object");
                assert.deepEqual(doc.violations, []);
                // The document survives a JSON round trip unchanged (nothing but plain data in it).
                assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
            });

            it("gives every custom resource an explicit provider", async () => {
                const p = await planned(stack);
                const without = p.document.resources.filter((r) => r.custom && !builtin(r.type) && r.provider === null);
                assert.deepEqual(without.map((r) => `${r.type} ${r.name}`), []);
                const kubernetes = p.document.resources.filter((r) => r.type.startsWith("kubernetes:"));
                for (const r of kubernetes) assert.equal(r.provider, "kubernetes", r.name);
            });
        });
    }

    it("answers the remote's reference to the primary with the documented sample, and says so", async () => {
        const p = await plannedOnce("remote");
        assert.deepEqual(p.document.stackReferences, [{ stack: "acme/mesh-ingress/primary", answer: "sample", source: "offline/samples/primary.yaml" }]);
        const ref = p.document.resources.find((r) => r.type === "pulumi:pulumi:StackReference");
        assert.equal(ref?.name, "acme/mesh-ingress/primary");
        assert.equal((p.document.outputs as Record<string, unknown>)["primaryClusterName"], "cluster1");
    });

    it("answers a primary's reference to a remote with the remote sample", async () => {
        const p = await plannedOnce("primary");
        assert.deepEqual(p.document.stackReferences, [{ stack: "acme/mesh-ingress/remote", answer: "sample", source: "offline/samples/remote.yaml" }]);
        assert.deepEqual((p.document.outputs as Record<string, unknown>)["remoteClusters"], ["cluster2"]);
        assert.deepEqual(otherWarnings(p.document.warnings), []);
    });

    it("matches samples by project and stack when the organization differs", () => {
        const lookup = sampleLookup(readSamples());
        assert.equal(lookup.get("myorg/mesh-ingress/primary")?.source, "offline/samples/primary.yaml");
        assert.equal(lookup.get("myorg/other-project/primary"), undefined);
    });

    it("keeps the samples consistent with the stack files they stand for", () => {
        for (const [stack, sample] of [["primary", "primary.yaml"], ["remote", "remote.yaml"]] as const) {
            const config = (parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
            const outputs = (parse(fs.readFileSync(path.join(projectDir, "offline", "samples", sample), "utf8")) as { outputs: Record<string, unknown> }).outputs;
            assert.equal(outputs["clusterName"], config["mesh-ingress:clusterName"]);
            assert.equal(outputs["network"], config["mesh-ingress:network"]);
            assert.equal(outputs["role"], config["mesh-ingress:role"]);
        }
    });

    it("warns, and does not fail, when a listed remote has not been deployed yet", async () => {
        const p = await planned("primary", { overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote", "acme/mesh-ingress/remote-eu"] } } });
        assert.deepEqual((p.document.outputs as Record<string, unknown>)["pendingRemoteStacks"], ["acme/mesh-ingress/remote-eu"]);
        assert.deepEqual(otherWarnings(p.document.warnings), [
            "Remote stack 'acme/mesh-ingress/remote-eu' has not been deployed yet, so its remote-cluster secret is pending. Deploy it (pulumi up -s acme/mesh-ingress/remote-eu), then run pulumi up on this primary again.",
        ]);
        assert.equal(p.document.stackReferences.find((r) => r.stack === "acme/mesh-ingress/remote-eu")?.answer, "absent");
    });

    it("refuses to plan a remote whose primary has not been deployed, naming the stack to deploy first", async () => {
        const lines = await rejected("remote", { samples: { get: () => undefined } });
        assert.deepEqual(lines, [
            "The primary stack 'acme/mesh-ingress/primary' has not been deployed yet. Deploy it first (pulumi up -s acme/mesh-ingress/primary), then this remote, then the primary again.",
        ]);
    });

    it("plans a user's stack file with encrypted values as present secrets with placeholders", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, [
            "config:",
            "  mesh-ingress:role: primary",
            "  mesh-ingress:clusterName: prod-a",
            "  mesh-ingress:network: vpc-a",
            "  mesh-ingress:meshId: prod",
            "  mesh-ingress:kubeconfig:",
            "    secure: AAABAHNvbWUtY2lwaGVydGV4dA==",
        ].join("\n"));
        const p = await planned("prod", { configFile: file });
        assert.deepEqual(p.document.placeholders, ["mesh-ingress:kubeconfig"]);
        const provider = p.document.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.deepEqual(provider?.inputs, { kubeconfig: "[secret]" });
        assert.ok(!JSON.stringify(p.document).includes(placeholderFor("mesh-ingress:kubeconfig")), "a secret never appears in clear");
    });

    it("records resource options as the engine receives them, and reads as reads", async () => {
        const p = await plannedOnce("primary");
        const byName = (name: string) => p.document.resources.find((r) => r.name === name);
        // Certificates wait for Ready within 20 minutes (DNS-01 propagation), on create and update.
        assert.deepEqual(byName("certificates-example-com")?.options, { customTimeouts: { create: "20m", update: "20m" } });
        // The remote-cluster secret's outputs are kept secret by the engine as well.
        assert.deepEqual(byName("remote-remote-secret")?.options, { additionalSecretOutputs: ["data", "stringData"] });
        // A resource with no options has an empty object, not engine defaults.
        assert.deepEqual(byName("cert-manager-letsencrypt-staging")?.options, {});
        // Protected and retained resources (test/stacks/lifecycle.spec.ts has them all).
        assert.deepEqual(byName("cert-manager-namespace")?.options, { retainOnDelete: true });
        assert.deepEqual(byName("mesh-base")?.options, { protect: true });
        // Reads: the stack reference and the CA root ConfigMap are read, nothing else.
        assert.deepEqual(p.document.resources.filter((r) => r.read).map((r) => `${r.type} ${r.name}`), [
            "pulumi:pulumi:StackReference acme/mesh-ingress/remote",
            "kubernetes:core/v1:ConfigMap mesh-ca-root-cert",
        ]);
        const text = renderTree(p.document);
        assert.match(text, /^ {2}> pulumi:pulumi:StackReference {2}acme\/mesh-ingress\/remote {2}\(read\)$/m);
        assert.doesNotMatch(text, /^\s*\+ pulumi:pulumi:StackReference/m);
    });

    it("rejects a stack file with duplicate keys, as YAML requires", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const file = path.join(dir, "Pulumi.dup.yaml");
        fs.writeFileSync(file, "config:\n  mesh-ingress:role: primary\n  mesh-ingress:role: remote\n");
        const [line] = await rejected("dup", { configFile: file });
        assert.match(line!, /Pulumi\.dup\.yaml: not valid YAML \(Map keys must be unique/);
    });
});
