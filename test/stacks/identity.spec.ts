import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackSample } from "../../offline/engine";
import type { PlanOptions } from "../../offline/plan";
import { readSamples, sampleLookup } from "../../offline/samples";
import { previousIdentities, urnParts } from "../support/aliases";
import { planned, plannedOnce, type Planned } from "../support/plan";

/**
 * Stable identity: logical names (and so URNs, through parents) contain no value a user
 * may change, and stacks deployed with the earlier names keep their resources through
 * aliases. See stacks/names.ts.
 */

const gatewayApiFile = path.join(__dirname, "..", "..", "examples", "Pulumi.primary-gateway-api.yaml");
const deployed = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "deployed-urns-0.1.0.json"), "utf8")) as Record<string, string[]>;

/** Every resource as `<urn> under <parent urn>`, sorted. */
function identities(p: Planned): string[] {
    return p.evaluation.resources.map((r) => `${r.urn} under ${r.parent ?? "-"}`).sort();
}

interface Variant {
    readonly stack: string;
    /** The stack file, when it is not Pulumi.<stack>.yaml. */
    readonly configFile?: string;
    /** The changes, each planned on its own against the stack as it is. */
    readonly changes: Readonly<Record<string, Omit<PlanOptions, "stack">>>;
}

const remoteSample = readSamples().get("acme/mesh-ingress/remote")!;
const renamedRemote: StackSample = { ...remoteSample, outputs: { ...remoteSample.outputs, clusterName: "cluster7" } };

const variants: Variant[] = [
    {
        stack: "primary",
        changes: {
            clusterName: { overrides: { set: { clusterName: "cluster9" } } },
            network: { overrides: { set: { network: "network9" } } },
            edgeNamespace: { overrides: { set: { edgeNamespace: "edge-public" } } },
            "the remote's clusterName": { samples: sampleLookup(new Map([["acme/mesh-ingress/remote", renamedRemote]])) },
        },
    },
    {
        stack: "remote",
        changes: {
            "clusterName, network and edgeNamespace": { overrides: { set: { clusterName: "cluster9", network: "network9", edgeNamespace: "edge-public" } } },
        },
    },
    {
        stack: "primary-gateway-api",
        configFile: gatewayApiFile,
        changes: {
            "clusterName, network and edgeNamespace": { configFile: gatewayApiFile, overrides: { set: { clusterName: "cluster9", network: "network9", edgeNamespace: "edge-public" } } },
        },
    },
];

describe("stable identity: names that do not change with settings", () => {
    for (const v of variants) {
        describe(`${v.stack}`, () => {
            let base: Planned;
            before(async () => {
                base = await plannedOnce(v.stack, v.configFile);
            });

            for (const [what, options] of Object.entries(v.changes)) {
                it(`changing ${what} keeps every resource's URN and parent`, async () => {
                    const changed = await planned(v.stack, options);
                    assert.deepEqual(identities(changed), identities(base));
                });
            }

            it("takes over every resource a stack deployed with 0.1.0 holds, through its URN or an alias, and the renamed ones through an alias equal to the old URN", () => {
                const old = new Set(deployed[v.stack] ?? assert.fail(`no deployed URNs for ${v.stack}`));
                const previous = previousIdentities(base.evaluation.resources, old);
                const takenOver = new Set(previous.values());
                // The one resource 0.1.0 held that is gone on purpose: the edge's own HPA, replaced
                // by the chart's under the same object name (runbook 10.1 hands it to Helm and
                // drops it from the state before the upgrade).
                // And in the Gateway API example: its Coraza WasmPlugin, since the example no longer
                // turns the WAF on (the module loads only when pinned by a digest, which an
                // example cannot know); a stack that keeps `waf: true` keeps the plugin's name.
                const retired = [...old].filter(
                    (u) => u.endsWith("$kubernetes:autoscaling/v2:HorizontalPodAutoscaler::edge-hpa") || u.endsWith("$kubernetes:extensions.istio.io/v1alpha1:WasmPlugin::gateway-coraza"),
                );
                assert.deepEqual(
                    retired.map((u) => urnParts(u).name),
                    v.stack === "primary-gateway-api" ? ["gateway-coraza"] : ["edge-hpa"],
                );
                assert.deepEqual([...old].filter((u) => !takenOver.has(u) && !retired.includes(u)), [], "old URNs nothing claims: pulumi up would delete them");
                for (const u of retired) assert.ok(!takenOver.has(u), `${u} is retired, not taken over`);
                const renamed = [...previous].filter(([now, was]) => now !== was);
                // The resources whose names contained the cluster's name: the providers, the
                // mesh component with every child, and the remote secret with its Secret.
                // And one whose type changed: the Gateway API CRDs, a ConfigFile in 0.1.0 and a
                // ConfigGroup (of the digest-checked manifest) now.
                const retyped = (u: string): boolean => urnParts(u).type === "kubernetes:yaml/v2:ConfigFile";
                const expected = [...old].filter((u) => /^cluster[12]-/.test(urnParts(u).name) || retyped(u)).sort();
                assert.deepEqual(renamed.map(([, was]) => was).sort(), expected);
                for (const [now, was] of renamed) {
                    if (retyped(was)) assert.deepEqual([urnParts(now).type, urnParts(now).name], ["kubernetes:yaml/v2:ConfigGroup", urnParts(was).name]);
                    else assert.equal(urnParts(now).type, urnParts(was).type, `${now} takes over ${was} of the same type`);
                }
            });
        });
    }

    it("names the top-level resources of the mesh and the providers without the cluster's name, with aliases to the names of 0.1.0", async () => {
        const p = await plannedOnce("primary");
        const top = (type: string) => p.evaluation.resources.filter((r) => r.type === type).map((r) => [r.name, r.options.aliases]);
        assert.deepEqual(top("pulumi:providers:kubernetes"), [["kubernetes", [{ name: "cluster1-kubernetes", parent: "urn:pulumi:primary::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-primary" }]]]);
        assert.deepEqual(top("pulumi:providers:aws"), [["aws", [{ name: "cluster1-aws", parent: "urn:pulumi:primary::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-primary" }]]]);
        assert.deepEqual(top("pulumi:providers:random"), [["random", [{ name: "cluster1-random", parent: "urn:pulumi:primary::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-primary" }]]]);
        assert.deepEqual(top("mesh-ingress:mesh:IstioPrimary"), [["mesh", [{ name: "cluster1-mesh", parent: "urn:pulumi:primary::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-primary" }]]]);
        assert.deepEqual(top("mesh-ingress:mesh:RemoteClusterSecret"), [["remote-remote", [{ name: "cluster1-remote-cluster2", parent: "urn:pulumi:primary::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-primary" }]]]);
    });
});
