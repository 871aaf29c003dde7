import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { allSettings, registry } from "../../config/registry";
import { projectDir } from "../../offline/plan";
import type { GraphResource } from "../../offline/graph";
import { graphedStacks, graphMarkers, pulumiYaml, readmeGraph, readmeGraphs, readmeWithGraphs, readmeWithTable } from "../../scripts/gen";
import { parseMermaid } from "../support/mermaid";

describe("generated files (npm run gen)", () => {
    it("Pulumi.yaml is what the settings declare", () => {
        assert.equal(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"), pulumiYaml(), "Pulumi.yaml is out of date: run npm run gen");
    });

    it("the README's settings table is what the settings declare", () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        assert.equal(readme, readmeWithTable(readme), "README.md's settings table is out of date: run npm run gen");
    });

    it("the README's resource graphs are the default stacks' plans, as charts Mermaid parses", async () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const graphs = await readmeGraphs();
        assert.deepEqual(graphs.map((g) => g.stack), [...graphedStacks]);
        assert.equal(readme, readmeWithGraphs(readme, graphs), "README.md's resource graphs are out of date: run npm run gen");
        for (const graph of graphs) {
            const chart = /```mermaid\n([\s\S]*?)```/.exec(graph.markdown)?.[1];
            assert.ok(chart !== undefined && chart.startsWith("flowchart LR\n"), graph.markdown);
            await parseMermaid(chart);
        }
    });

    it("draws a stack too large for GitHub's Mermaid limits with one node per component", async () => {
        const stackUrn = "urn:pulumi:primary::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-primary";
        const resources: GraphResource[] = [{ urn: stackUrn, type: "pulumi:pulumi:Stack", name: "mesh-ingress-primary", custom: false, parent: undefined, provider: undefined, dependencies: [] }];
        for (let c = 0; c < 20; c++) {
            const component = `urn:component-${c}`;
            resources.push({ urn: component, type: "mesh-ingress:edge:Host", name: `host-${c}`, custom: false, parent: stackUrn, provider: undefined, dependencies: [] });
            for (let i = 0; i < 40; i++) {
                resources.push({ urn: `${component}-r${i}`, type: "kubernetes:networking.k8s.io/v1:Ingress", name: `host-${c}-ingress-${i}`, custom: true, parent: component, provider: undefined, dependencies: i > 0 ? [`${component}-r${i - 1}`] : [] });
            }
        }
        const big = readmeGraph("primary", resources);
        assert.match(big.markdown, /^The `primary` stack plans 821 resources, too many for one readable chart, so each component is one node here;/);
        assert.doesNotMatch(big.markdown, /subgraph/);
        await parseMermaid(/```mermaid\n([\s\S]*?)```/.exec(big.markdown)![1]!);
        const small = readmeGraph("primary", resources.slice(0, 42));
        assert.match(small.markdown, /^The `primary` stack plans 42 resources, the stack itself included/);
        assert.match(small.markdown, /subgraph/);
    });

    it("replaces only what is between a stack's graph markers, and names missing markers", () => {
        const { start, end } = graphMarkers("primary");
        const before = `# Title\n\n${start}\nold chart\n${end}\n\nafter\n`;
        assert.equal(readmeWithGraphs(before, [{ stack: "primary", markdown: "new chart" }]), `# Title\n\n${start}\nnew chart\n${end}\n\nafter\n`);
        assert.throws(() => readmeWithGraphs("# no markers\n", [{ stack: "primary", markdown: "x" }]), /README\.md lacks the markers <!-- graph:primary:start/);
    });

    it("declares every setting in Pulumi.yaml with its type, a description and, unless required, a default", () => {
        const config = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }).config;
        const declared = Object.keys(config).filter((k) => !k.includes(":"));
        assert.deepEqual(declared.sort(), Object.keys(registry).sort());
        for (const s of allSettings()) {
            const d = config[s.key]!;
            assert.equal(d["description"], s.description);
            assert.deepEqual(d["default"], s.default);
            // Every setting is typed, so the CLI checks its stack values (objects too: a type since Pulumi v3.187.0).
            assert.equal(d["type"], s.type, `${s.key} declares its type`);
            if (s.type === "array") assert.deepEqual(d["items"], { type: s.items ?? "object" });
            // The CLI copies a default into the stack as plain text and refuses it under `secret: true`.
            assert.equal(d["secret"], s.secret === true && s.default === undefined ? true : undefined, `${s.key}: secret: true only on a required secret`);
        }
        assert.deepEqual(config["pulumi:disable-default-providers"], { value: ["*"] });
    });

    it("keys each setting by its own key", () => {
        for (const [key, s] of Object.entries(registry)) assert.equal(s.key, key);
    });
});
