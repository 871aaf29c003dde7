import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { registry } from "../../config/registry";
import { exitStatus, plan, projectDir, type ConfigOverrides } from "../../offline/plan";
import { tlsEdgeCases } from "./bad-config-tls-edge";

/**
 * Bad configurations: each must give the plan's exit status 2 and a one-line message
 * that names the offending key.
 */

interface BadCase {
    readonly stack: "primary" | "remote";
    readonly what: string;
    readonly overrides: ConfigOverrides;
    /** The key the message must name (at the start of its line). */
    readonly key: string;
    /** What the line must also say. */
    readonly says: RegExp;
}

const cases: BadCase[] = [
    { stack: "primary", what: "an unknown role", overrides: { set: { role: "leader" } }, key: "role", says: /expected 'primary' or 'remote'/ },
    { stack: "primary", what: "no role", overrides: { unset: ["role"] }, key: "role", says: /is not set/ },
    { stack: "primary", what: "a cluster name that is not a DNS label", overrides: { set: { clusterName: "Cluster_1" } }, key: "clusterName", says: /expected a DNS label/ },
    { stack: "primary", what: "an empty cluster name", overrides: { set: { clusterName: "" } }, key: "clusterName", says: /expected a DNS label/ },
    { stack: "primary", what: "a cluster name longer than 63 characters", overrides: { set: { clusterName: "c".repeat(64) } }, key: "clusterName", says: /expected a DNS label/ },
    { stack: "primary", what: "a network with a space", overrides: { set: { network: "net work" } }, key: "network", says: /expected a DNS label/ },
    { stack: "primary", what: "a mesh id with a dot", overrides: { set: { meshId: "mesh.1" } }, key: "meshId", says: /expected a DNS label/ },
    { stack: "primary", what: "no mesh id on the primary", overrides: { unset: ["meshId"] }, key: "meshId", says: /is not set: the primary defines the mesh/ },
    { stack: "primary", what: "neither kubeconfig nor kubeContext", overrides: { unset: ["kubeContext"] }, key: "kubeconfig", says: /pulumi config set --secret kubeconfig/ },
    { stack: "primary", what: "a kubeconfig in plain text", overrides: { unset: ["kubeContext"], set: { kubeconfig: "apiVersion: v1" } }, key: "kubeconfig", says: /expected a secret/ },
    { stack: "primary", what: "both kubeconfig and kubeContext", overrides: { set: { kubeconfig: "apiVersion: v1" }, secret: ["kubeconfig"] }, key: "kubeContext", says: /expected to be empty when kubeconfig is set/ },
    { stack: "primary", what: "an AWS region that does not exist in that form", overrides: { set: { awsRegion: "useast1" } }, key: "awsRegion", says: /expected an AWS region/ },
    { stack: "primary", what: "remoteStacks as a single string", overrides: { set: { remoteStacks: "acme/mesh-ingress/remote" } }, key: "remoteStacks", says: /expected a list/ },
    { stack: "primary", what: "a remote stack that is not fully qualified", overrides: { set: { remoteStacks: ["remote"] } }, key: "remoteStacks[0]", says: /expected a fully qualified stack name/ },
    { stack: "primary", what: "a remote stack listed twice", overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote", "acme/mesh-ingress/remote"] } }, key: "remoteStacks[1]", says: /listed once/ },
    { stack: "primary", what: "a remote stack of another project", overrides: { set: { remoteStacks: ["acme/other/remote"] } }, key: "remoteStacks[0]", says: /a stack of this project \('mesh-ingress'\)/ },
    { stack: "primary", what: "the primary listed as its own remote", overrides: { set: { remoteStacks: ["acme/mesh-ingress/primary"] } }, key: "remoteStacks[0]", says: /cannot be its own remote/ },
    { stack: "primary", what: "a primaryStack on the primary", overrides: { set: { primaryStack: "acme/mesh-ingress/primary" } }, key: "primaryStack", says: /expected to be empty on the primary/ },
    { stack: "primary", what: "a boolean that is not true or false", overrides: { set: { monitoringEnabled: "yes" } }, key: "monitoringEnabled", says: /expected true or false/ },
    { stack: "primary", what: "a misspelt key", overrides: { set: { clusterNme: "cluster1" } }, key: "clusterNme", says: /unknown setting; did you mean 'clusterName'\?/ },
    { stack: "primary", what: "a remote whose cluster name is the primary's", overrides: { set: { clusterName: "cluster2", network: "network9" } }, key: "remoteStacks[0]", says: /clusterName differs from the primary's/ },
    { stack: "remote", what: "no primaryStack on a remote", overrides: { unset: ["primaryStack"] }, key: "primaryStack", says: /is not set: a remote reads the primary's outputs/ },
    { stack: "remote", what: "a primaryStack that is not fully qualified", overrides: { set: { primaryStack: "primary" } }, key: "primaryStack", says: /expected a fully qualified stack name/ },
    { stack: "remote", what: "a primaryStack of another project", overrides: { set: { primaryStack: "acme/other/primary" } }, key: "primaryStack", says: /a stack of this project/ },
    { stack: "remote", what: "a mesh id on a remote", overrides: { set: { meshId: "mesh1" } }, key: "meshId", says: /read from the primary stack/ },
    { stack: "remote", what: "remote stacks listed on a remote", overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote-b"] } }, key: "remoteStacks", says: /only the primary controls remote clusters/ },
    { stack: "remote", what: "the primary's cluster name on a remote", overrides: { set: { clusterName: "cluster1" } }, key: "clusterName", says: /expected a name other than the primary's \('cluster1'/ },
    { stack: "remote", what: "the primary's network on a remote", overrides: { set: { network: "network1" } }, key: "network", says: /expected a network other than the primary's/ },
    ...tlsEdgeCases,
];

async function problemLines(stack: string, overrides: ConfigOverrides): Promise<readonly string[]> {
    const outcome = await plan({ stack, overrides });
    assert.equal(exitStatus(outcome), 2, `expected exit status 2, got ${exitStatus(outcome)}`);
    return outcome.kind === "invalid" ? outcome.lines : [];
}

function assertNamesKey(lines: readonly string[], key: string, says?: RegExp): void {
    const line = lines.find((l) => l.startsWith(`${key} `));
    assert.ok(line, `expected a line starting with '${key} ' among:\n${lines.join("\n")}`);
    if (says) assert.match(line, says);
    for (const l of lines) {
        assert.ok(!l.includes("\n"), "one line per problem");
        assert.ok(!/\n\s+at /.test(l), "no stack trace");
    }
}

describe("bad configurations", () => {
    it(`has at least 20 distinct cases (${cases.length})`, () => {
        assert.ok(cases.length >= 20);
        assert.equal(new Set(cases.map((c) => c.what)).size, cases.length);
    });

    for (const c of cases) {
        it(`${c.stack}: ${c.what} -> exit 2 naming ${c.key}`, async () => {
            assertNamesKey(await problemLines(c.stack, c.overrides), c.key, c.says);
        });
    }

    for (const stack of ["primary", "remote"]) {
        const config = (parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
        for (const fullKey of Object.keys(config).filter((k) => k.startsWith("mesh-ingress:"))) {
            const key = fullKey.slice("mesh-ingress:".length);
            const spec = (registry as Record<string, { type: string } | undefined>)[key];
            it(`${stack}: ${key} set to a value of the wrong type -> exit 2 naming it`, async () => {
                assert.ok(spec, `${key} is declared`);
                const wrong = spec.type === "object" ? "not-a-mapping" : { wrong: "type" };
                assertNamesKey(await problemLines(stack, { set: { [key]: wrong } }), key);
            });
        }
    }
});
