import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../../config/load";
import { configSource as source, primary, problemLines } from "../support/config-source";

/** The problem lines of a configuration that must be refused. */
function problems(values: Readonly<Record<string, unknown>>, secretKeys: string[] = []): string[] {
    const lines = problemLines(values, secretKeys);
    assert.ok(lines.length > 0, "expected the configuration to be rejected");
    return lines;
}

describe("config/load", () => {
    it("applies defaults and returns a frozen, typed object", () => {
        const settings = loadSettings(source(primary));
        assert.equal(settings.role, "primary");
        assert.equal(settings.awsRegion, "us-east-1");
        assert.equal(settings.monitoringEnabled, true);
        assert.deepEqual(settings.remoteStacks, []);
        assert.equal(settings.kubeconfig, undefined);
        assert.ok(Object.isFrozen(settings));
        assert.ok(Object.isFrozen(settings.remoteStacks));
        // Refused whether or not the caller runs in strict mode (where it would throw).
        assert.equal(Reflect.set(settings, "role", "remote"), false);
        assert.equal(settings.role, "primary");
    });

    it("parses integers, booleans and lists from Pulumi's string form", () => {
        const settings = loadSettings(source({ ...primary, monitoringEnabled: "false", remoteStacks: '["acme/mesh-ingress/remote-a"]' }));
        assert.equal(settings.monitoringEnabled, false);
        assert.deepEqual(settings.remoteStacks, ["acme/mesh-ingress/remote-a"]);
    });

    it("keeps a secret setting a Pulumi secret", async () => {
        const { kubeContext: _omit, ...rest } = primary;
        void _omit;
        const settings = loadSettings(source({ ...rest, kubeconfig: "apiVersion: v1\nkind: Config\n" }, ["kubeconfig"]));
        assert.ok(settings.kubeconfig !== undefined && pulumi.Output.isInstance(settings.kubeconfig));
        assert.equal(await (settings.kubeconfig as unknown as { isSecret: Promise<boolean> }).isSecret, true);
    });

    it("reports every problem together, one line each naming key, value and expectation", () => {
        const lines = problems({ role: "leader", clusterName: "Cluster_1", network: "network1", meshId: "mesh1", kubeContext: "cluster1", awsRegion: "mars" });
        assert.equal(lines.length, 3, lines.join("\n"));
        assert.match(lines[0]!, /^role = "leader": expected 'primary' or 'remote'$/);
        assert.match(lines[1]!, /^clusterName = "Cluster_1": expected a DNS label/);
        assert.match(lines[2]!, /^awsRegion = "mars": expected an AWS region such as us-east-1$/);
        for (const line of lines) assert.ok(!line.includes("\n"));
    });

    it("names a missing required key and how to set it", () => {
        const { clusterName: _c, ...rest } = primary;
        void _c;
        assert.deepEqual(problems(rest), [
            "clusterName is not set: This cluster's name in the mesh (`global.multiCluster.clusterName`); on a remote it also names the remote-cluster secret on the primary. Set it with `pulumi config set clusterName <value>`.",
        ]);
    });

    it("rejects an unknown key with a did-you-mean suggestion instead of falling back to the default", () => {
        const lines = problems({ ...primary, monitoringEnbled: "false" });
        assert.deepEqual(lines, ["monitoringEnbled = false: unknown setting; did you mean 'monitoringEnabled'?"]);
    });

    it("lists the known settings when an unknown key resembles none", () => {
        const [line] = problems({ ...primary, zzz: "1" });
        assert.match(line!, /^zzz = 1: unknown setting; expected one of: role, clusterName, network, /);
    });

    it("ignores keys of other namespaces (providers, pulumi)", () => {
        assert.doesNotThrow(() => loadSettings(source({ ...primary, "aws:region": "us-west-2", "pulumi:disable-default-providers": '["*"]' })));
    });

    it("refuses a secret setting given in plain text, without echoing it", () => {
        const lines = problems({ role: "primary", clusterName: "cluster1", network: "network1", meshId: "mesh1", kubeconfig: "token: abc" });
        assert.deepEqual(lines, ["kubeconfig = [secret]: expected a secret; set it with `pulumi config set --secret kubeconfig`"]);
        assert.ok(!lines.join().includes("abc"));
    });

    it("rejects a mapping where a string belongs", () => {
        assert.deepEqual(problems({ ...primary, clusterName: '{"name":"cluster1"}' }), [
            'clusterName = "{\\"name\\":\\"cluster1\\"}": expected a string, not a mapping or list',
        ]);
    });

    it("checks rules across settings only once their values are valid", () => {
        // role is invalid, so the role-dependent meshId rule must not add a second line.
        const lines = problems({ role: "prime", clusterName: "cluster1", network: "network1", kubeContext: "c" });
        assert.deepEqual(lines, ["role = \"prime\": expected 'primary' or 'remote'"]);
    });
});
