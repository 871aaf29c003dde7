import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { captureCommand } from "../../offline/cli/command";
import { planCommand } from "../../offline/cli/plan-command";
import { evaluate } from "../../offline/engine";
import { graphSize, mermaidGraph, type GraphResource } from "../../offline/graph";
import { parseMermaid } from "../support/mermaid";
import { plannedOnce } from "../support/plan";

const stackUrn = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";

/** A resource for the graph; its URN is made of its type and name, like a real one. */
function res(name: string, type: string, options: { parent?: GraphResource; provider?: GraphResource; deps?: GraphResource[]; custom?: boolean } = {}): GraphResource {
    return {
        urn: `urn:pulumi:s::p::${type}::${name}`,
        type,
        name,
        custom: options.custom ?? true,
        parent: options.parent?.urn ?? stackUrn,
        provider: options.provider?.urn,
        dependencies: (options.deps ?? []).map((d) => d.urn),
    };
}

const stack: GraphResource = { urn: stackUrn, type: "pulumi:pulumi:Stack", name: "p-s", custom: false, parent: undefined, provider: undefined, dependencies: [] };
const ns = "kubernetes:core/v1:Namespace";
const cm = "kubernetes:core/v1:ConfigMap";

/** Id of the node (or subgraph) labelled with this name (and type, when given). */
function idOf(chart: string, name: string, type?: string): string {
    const label = `"${name}<br/>${type ?? ""}`;
    const line = chart.split("\n").find((l) => l.includes(label));
    const match = line !== undefined ? /^\s*(?:subgraph )?([rc]\d+)/.exec(line) : null;
    assert.ok(match, `no node labelled ${name} in\n${chart}`);
    return match[1]!;
}

function edgesOf(chart: string): string[] {
    return chart.split("\n").map((l) => l.trim()).filter((l) => / --> /.test(l));
}

describe("the plan's resource graph (Mermaid)", () => {
    const k = res("k", "pulumi:providers:kubernetes");
    const mesh = res("mesh", "test:index:Mesh", { custom: false });
    const meshNs = res("mesh", ns, { parent: mesh, provider: k });
    const meshCm = res("mesh-cm", cm, { parent: mesh, provider: k, deps: [meshNs] });
    const edge = res("edge", "test:index:Edge", { custom: false });
    const edgeNs = res("edge-ns", ns, { parent: edge, provider: k, deps: [meshNs, meshCm] });
    const edgeCm = res("edge-cm", cm, { parent: edge, provider: k, deps: [meshNs, meshCm, edgeNs] });
    const solo = res("solo", cm, { provider: k, deps: [k, edgeNs] });
    const all = [stack, k, mesh, meshNs, meshCm, edge, edgeNs, edgeCm, solo];

    it("draws components as subgraphs around their resources, nested as they are, and leaves the stack out", () => {
        const chart = mermaidGraph(all);
        assert.match(chart, /^flowchart LR\n/);
        assert.doesNotMatch(chart, /pulumi:pulumi:Stack/);
        const lines = chart.split("\n");
        const open = lines.findIndex((l) => l.includes(`subgraph ${idOf(chart, "mesh")}[`));
        const close = lines.findIndex((l, i) => i > open && l.trim() === "end");
        const inside = lines.slice(open + 1, close).join("\n");
        assert.match(inside, /"mesh<br\/>kubernetes:core\/v1:Namespace"/);
        assert.match(inside, /"mesh-cm<br\/>kubernetes:core\/v1:ConfigMap"/);
        assert.doesNotMatch(inside, /edge-ns/);
        assert.equal(lines.filter((l) => l.trim().startsWith("subgraph ")).length, 2);
    });

    it("points each arrow from a dependency to the resource that waits for it", () => {
        const chart = mermaidGraph(all);
        const edges = edgesOf(chart);
        // edge-cm waits for edge-ns, in the same component.
        assert.ok(edges.includes(`${idOf(chart, "edge-ns")} --> ${idOf(chart, "edge-cm")}`), chart);
        // mesh-cm waits for the namespace that shares its component's name: the arrow leaves the namespace, not the box.
        assert.ok(edges.includes(`${idOf(chart, "mesh", ns)} --> ${idOf(chart, "mesh-cm")}`), chart);
        assert.ok(!edges.includes(`${idOf(chart, "mesh", "test:index:Mesh")} --> ${idOf(chart, "mesh-cm")}`));
    });

    it("draws one arrow from a component when a resource waits for all of it, and one into a component when all of it waits", () => {
        const chart = mermaidGraph(all);
        const edges = edgesOf(chart);
        const meshId = /subgraph (c\d+)\["mesh<br\/>test:index:Mesh"/.exec(chart)![1]!;
        const edgeId = /subgraph (c\d+)\["edge<br\/>test:index:Edge"/.exec(chart)![1]!;
        // Both resources of edge wait for both resources of mesh: a single arrow between the boxes.
        assert.ok(edges.includes(`${meshId} --> ${edgeId}`), chart);
        assert.equal(edges.filter((e) => e.startsWith(`${meshId} `)).length, 1, chart);
        assert.ok(!edges.some((e) => e.endsWith(`--> ${idOf(chart, "edge-ns")}`)), "no arrow from mesh's resources into edge-ns");
        // solo waits for one resource of edge only: that arrow stays on the resource.
        assert.ok(edges.includes(`${idOf(chart, "edge-ns")} --> ${idOf(chart, "solo")}`), chart);
    });

    it("shows the explicit provider by style, not by an arrow", () => {
        const chart = mermaidGraph(all);
        const kId = idOf(chart, "k");
        assert.deepEqual(edgesOf(chart).filter((e) => e.startsWith(`${kId} `)), []);
        assert.match(chart, new RegExp(`${kId}\\{\\{"k<br/>pulumi:providers:kubernetes"\\}\\}:::provider`));
        assert.match(chart, new RegExp(`${idOf(chart, "solo")}\\["solo<br/>kubernetes:core/v1:ConfigMap"\\]:::viaKubernetes`));
        assert.match(chart, /classDef viaKubernetes /);
    });

    it("is the same chart whatever order the resources were registered in", () => {
        const chart = mermaidGraph(all);
        assert.equal(mermaidGraph([...all].reverse()), chart);
        assert.equal(mermaidGraph([all[4]!, all[0]!, all[7]!, all[2]!, all[8]!, all[1]!, all[6]!, all[3]!, all[5]!]), chart);
    });

    it("escapes names that would break a label", async () => {
        const odd = res('a "quoted" <b>name</b> & #1', cm, { provider: k });
        const chart = mermaidGraph([stack, k, odd]);
        assert.match(chart, /"a #34;quoted#34; #60;b#62;name#60;\/b#62; #38; #35;1<br\/>kubernetes:core\/v1:ConfigMap"/);
        await parseMermaid(chart);
    });

    it("draws each component as one node with --components", async () => {
        const chart = mermaidGraph(all, { componentsOnly: true });
        assert.doesNotMatch(chart, /subgraph/);
        assert.match(chart, /\[\["mesh<br\/>test:index:Mesh<br\/>2 resources"\]\]/);
        const meshId = /(c\d+)\[\["mesh<br\/>/.exec(chart)![1]!;
        const edgeId = /(c\d+)\[\["edge<br\/>/.exec(chart)![1]!;
        assert.deepEqual(edgesOf(chart).sort(), [`${meshId} --> ${edgeId}`, `${edgeId} --> ${idOf(chart, "solo")}`].sort());
        assert.deepEqual(graphSize(all, { componentsOnly: true }), { nodes: 4, edges: 2, characters: chart.length });
        await parseMermaid(chart);
    });

    it("follows what the engine records: a dependsOn on a component is one arrow from that component", async () => {
        class Group extends pulumi.ComponentResource {
            constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
                super("test:index:Group", name, {}, opts);
                const namespace = new k8s.core.v1.Namespace(name, { metadata: { name } }, { parent: this });
                new k8s.core.v1.ConfigMap(`${name}-cm`, { metadata: { name: "settings", namespace: namespace.metadata.name } }, { parent: this });
                this.registerOutputs({});
            }
        }
        const evaluation = await evaluate(
            () => {
                const provider = new k8s.Provider("k", { context: "c" });
                const first = new Group("first", { providers: { kubernetes: provider } });
                new Group("second", { providers: { kubernetes: provider }, dependsOn: [first] });
                return {};
            },
            { project: "p", stack: "s", config: {} },
        );
        const chart = mermaidGraph(evaluation.resources);
        const first = /subgraph (c\d+)\["first<br\/>test:index:Group"/.exec(chart)![1]!;
        const second = /subgraph (c\d+)\["second<br\/>test:index:Group"/.exec(chart)![1]!;
        const edges = edgesOf(chart);
        assert.ok(edges.includes(`${first} --> ${second}`), chart);
        // Inside each group, the ConfigMap waits for its namespace (an input from its output).
        assert.equal(edges.length, 3, chart);
        await parseMermaid(chart);
    });

    for (const name of ["primary", "remote"]) {
        it(`draws every resource of the default ${name} stack once, as a chart Mermaid parses`, async () => {
            const p = await plannedOnce(name);
            const chart = mermaidGraph(p.evaluation.resources);
            const customs = p.evaluation.resources.filter((r) => r.custom);
            const components = p.evaluation.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack");
            const nodeLines = chart.split("\n").filter((l) => /^\s*r\d+[[{(/]/.test(l));
            const subgraphs = chart.split("\n").filter((l) => /^\s*subgraph c\d+\[/.test(l));
            assert.equal(nodeLines.length, customs.length);
            assert.equal(subgraphs.length, components.length);
            for (const r of customs) assert.ok(chart.includes(`"${r.name}<br/>${r.type}"`), `${r.type} ${r.name} is drawn`);
            await parseMermaid(chart);
        });
    }

    it("is what npm run plan -- --graph prints", async () => {
        const p = await plannedOnce("remote");
        const result = await captureCommand(planCommand, ["--stack", "remote", "--graph"]);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, mermaidGraph(p.evaluation.resources));
    });
});
