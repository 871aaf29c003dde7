/**
 * The plan as a picture: the resource graph of one evaluation as a Mermaid flowchart.
 *
 * Components are subgraphs (nested as the components are), custom resources are nodes
 * inside their component, and an arrow `A --> B` means that B waits for A (B depends on
 * A, through `dependsOn` or through an input that is one of A's outputs). Arrows are
 * drawn between the largest groups they hold for: when B waits for every resource of a
 * component, one arrow leaves the component instead of one per resource, and the same on
 * the receiving side. Each resource's explicit provider is shown by the node's style
 * (one class per provider package), not by an arrow, since every resource has one.
 *
 * The output is deterministic (children sorted by type and name), so the README can embed
 * it and a test can tell when it is out of date.
 */

import type { RecordedResource } from "./engine";

/** What the graph needs of a resource: the engine's {@link RecordedResource} has it. */
export type GraphResource = Pick<RecordedResource, "urn" | "type" | "name" | "custom" | "parent" | "provider" | "dependencies">;

/** Options of {@link mermaidGraph}. */
export interface GraphOptions {
    /** A title shown above the chart. */
    readonly title?: string;
    /**
     * Draw every component as one node (with how many resources it holds) instead of a
     * subgraph of its resources: for stacks too large to read, or too large for a
     * renderer's limits. @default false
     */
    readonly componentsOnly?: boolean;
}

/** Size of a generated chart, to compare with a renderer's limits. */
export interface GraphSize {
    readonly nodes: number;
    readonly edges: number;
    readonly characters: number;
}

/**
 * Mermaid's default limits (`maxTextSize` 50000 characters, `maxEdges` 500), which
 * GitHub's renderer applies: a larger chart shows an error instead of a picture.
 */
export const mermaidLimits = { characters: 50000, edges: 500 } as const;

const stackType = "pulumi:pulumi:Stack";

interface Node {
    readonly resource: GraphResource;
    readonly id: string;
    readonly children: Node[];
    parent: Node | undefined;
}

/** The chart's text (without the Markdown fence). */
export function mermaidGraph(resources: readonly GraphResource[], options: GraphOptions = {}): string {
    return build(resources, options).text;
}

/** The chart's size. */
export function graphSize(resources: readonly GraphResource[], options: GraphOptions = {}): GraphSize {
    const { text, nodes, edges } = build(resources, options);
    return { nodes, edges, characters: text.length };
}

function build(resources: readonly GraphResource[], options: GraphOptions): { text: string; nodes: number; edges: number } {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const root = resources.find((r) => r.type === stackType && r.parent === undefined);
    const order = (a: GraphResource, b: GraphResource): number => compare(a.type, b.type) || compare(a.name, b.name) || compare(a.urn, b.urn);

    // The tree, without the root Stack (everything is in it), numbered in sorted order.
    const childrenOf = new Map<string | undefined, GraphResource[]>();
    for (const r of resources) {
        if (r === root) continue;
        const parent = r.parent !== undefined && byUrn.has(r.parent) && r.parent !== root?.urn ? r.parent : undefined;
        const siblings = childrenOf.get(parent) ?? [];
        siblings.push(r);
        childrenOf.set(parent, siblings);
    }
    const nodes = new Map<string, Node>();
    let counter = 0;
    const grow = (parentUrn: string | undefined, parent: Node | undefined): Node[] =>
        [...(childrenOf.get(parentUrn) ?? [])].sort(order).filter((r) => !nodes.has(r.urn)).map((r) => {
            const node: Node = { resource: r, id: `${r.custom ? "r" : "c"}${counter++}`, children: [], parent };
            nodes.set(r.urn, node);
            node.children.push(...grow(r.urn, node));
            return node;
        });
    const top = grow(undefined, undefined);

    const collapsed = options.componentsOnly ?? false;
    // In the components-only view a resource is drawn as its outermost component.
    const shown = (node: Node): Node => {
        if (!collapsed) return node;
        let outer: Node = node;
        for (let n: Node | undefined = node; n !== undefined; n = n.parent) if (!n.resource.custom) outer = n;
        return outer;
    };
    const members = memberIndex(top);
    const edges = collapseEdges(rawEdges(resources, nodes, root?.urn, shown), members, nodes);

    const lines: string[] = [];
    if (options.title !== undefined) lines.push("---", `title: ${options.title.replace(/[\r\n]+/g, " ")}`, "---");
    lines.push("flowchart LR");
    const providerClasses = new Map<string, string>();
    const classOf = (r: GraphResource): string | undefined => {
        if (r.type.startsWith("pulumi:providers:")) return "provider";
        if (r.type === "pulumi:pulumi:StackReference") return "reference";
        const provider = r.provider !== undefined ? byUrn.get(r.provider) : undefined;
        if (provider === undefined) return undefined;
        const pkg = provider.type.slice("pulumi:providers:".length).replace(/[^A-Za-z0-9]/g, "");
        const name = `via${pkg.charAt(0).toUpperCase()}${pkg.slice(1)}`;
        providerClasses.set(name, pkg);
        return name;
    };
    let nodeCount = 0;
    const emit = (node: Node, depth: number): void => {
        const indent = "    ".repeat(depth);
        const r = node.resource;
        if (r.custom) {
            nodeCount++;
            const klass = classOf(r);
            lines.push(`${indent}${node.id}${shape(r, label(r.name, r.type))}${klass !== undefined ? `:::${klass}` : ""}`);
            return;
        }
        if (collapsed) {
            nodeCount++;
            lines.push(`${indent}${node.id}[["${escape(r.name)}<br/>${escape(r.type)}<br/>${countResources(node)}"]]`);
            return;
        }
        nodeCount++;
        lines.push(`${indent}subgraph ${node.id}["${escape(r.name)}<br/>${escape(r.type)}"]`);
        for (const child of node.children) emit(child, depth + 1);
        lines.push(`${indent}end`);
    };
    for (const node of top) emit(node, 1);
    for (const [from, to] of edges) lines.push(`    ${from.id} --> ${to.id}`);
    lines.push("    classDef provider fill:#fff3cd,stroke:#b58900");
    lines.push("    classDef reference fill:#e8f4fd,stroke:#268bd2,stroke-dasharray:4 2");
    const palette = ["#e6f4ea,stroke:#2e7d32", "#fce8e6,stroke:#c62828", "#ede7f6,stroke:#5e35b1", "#e0f2f1,stroke:#00796b", "#fff8e1,stroke:#f57f17"];
    [...providerClasses.keys()].sort().forEach((name, i) => lines.push(`    classDef ${name} fill:${palette[i % palette.length]!}`));
    return { text: lines.join("\n") + "\n", nodes: nodeCount, edges: edges.length };
}

/** Edges `dependency -> dependent` between drawn nodes, without duplicates or self-loops. */
function rawEdges(resources: readonly GraphResource[], nodes: ReadonlyMap<string, Node>, rootUrn: string | undefined, shown: (n: Node) => Node): [Node, Node][] {
    const seen = new Set<string>();
    const edges: [Node, Node][] = [];
    for (const r of resources) {
        const target = nodes.get(r.urn);
        if (target === undefined) continue;
        for (const dep of r.dependencies) {
            if (dep === rootUrn || dep === r.provider) continue;
            const source = nodes.get(dep);
            if (source === undefined) continue;
            const [from, to] = [shown(source), shown(target)];
            if (from === to || contains(from, to) || contains(to, from)) continue;
            const key = `${from.id}>${to.id}`;
            if (seen.has(key)) continue;
            seen.add(key);
            edges.push([from, to]);
        }
    }
    return edges;
}

/** Every component's custom resources (all depths), by the component's node id. */
function memberIndex(top: readonly Node[]): Map<string, Set<string>> {
    const index = new Map<string, Set<string>>();
    const visit = (node: Node): Set<string> => {
        const own = new Set<string>();
        for (const child of node.children) {
            if (child.resource.custom) own.add(child.id);
            else for (const id of visit(child)) own.add(id);
        }
        if (!node.resource.custom) index.set(node.id, own);
        return own;
    };
    top.forEach(visit);
    return index;
}

/**
 * Replaces edges by one edge from (or to) a component when they cover every resource of
 * it: first on the sending side of each receiver, then on the receiving side of each
 * sender. Outer components are tried before inner ones.
 */
function collapseEdges(edges: readonly [Node, Node][], members: ReadonlyMap<string, ReadonlySet<string>>, nodes: ReadonlyMap<string, Node>): [Node, Node][] {
    const byId = new Map([...nodes.values()].map((n) => [n.id, n]));
    const components = [...nodes.values()].filter((n) => !n.resource.custom && (members.get(n.id)?.size ?? 0) >= 2).sort((a, b) => depth(a) - depth(b) || compare(a.id, b.id));

    const collapseSide = (list: readonly [Node, Node][], side: 0 | 1): [Node, Node][] => {
        const other = side === 0 ? 1 : 0;
        const groups = new Map<string, Set<string>>();
        for (const edge of list) {
            const key = edge[other].id;
            const set = groups.get(key) ?? new Set<string>();
            set.add(edge[side].id);
            groups.set(key, set);
        }
        const out: [Node, Node][] = [];
        const seen = new Set<string>();
        const push = (from: Node, to: Node): void => {
            const key = `${from.id}>${to.id}`;
            if (seen.has(key)) return;
            seen.add(key);
            out.push([from, to]);
        };
        for (const [key, ends] of groups) {
            const fixed = byId.get(key)!;
            const remaining = new Set(ends);
            for (const component of components) {
                const inside = members.get(component.id)!;
                if (contains(component, fixed) || [...inside].some((id) => !remaining.has(id))) continue;
                for (const id of [...remaining]) if (inside.has(id) || contains(component, byId.get(id)!)) remaining.delete(id);
                const n = component;
                if (side === 0) push(n, fixed);
                else push(fixed, n);
            }
            for (const id of remaining) {
                const n = byId.get(id)!;
                if (side === 0) push(n, fixed);
                else push(fixed, n);
            }
        }
        return out;
    };
    const sorted = (list: [Node, Node][]): [Node, Node][] => list.sort((a, b) => compareIds(a[0].id, b[0].id) || compareIds(a[1].id, b[1].id));
    return sorted(collapseSide(collapseSide(edges, 0), 1));
}

function contains(outer: Node, inner: Node): boolean {
    for (let n = inner.parent; n !== undefined; n = n.parent) if (n === outer) return true;
    return false;
}

function depth(node: Node): number {
    let d = 0;
    for (let n = node.parent; n !== undefined; n = n.parent) d++;
    return d;
}

function countResources(node: Node): string {
    let count = 0;
    const visit = (n: Node): void => {
        for (const child of n.children) {
            if (child.resource.custom) count++;
            visit(child);
        }
    };
    visit(node);
    return `${count} resource${count === 1 ? "" : "s"}`;
}

function label(name: string, type: string): string {
    return `"${escape(name)}<br/>${escape(type)}"`;
}

/** Providers as hexagons, stack references as parallelograms, other resources as boxes. */
function shape(r: GraphResource, text: string): string {
    if (r.type.startsWith("pulumi:providers:")) return `{{${text}}}`;
    if (r.type === "pulumi:pulumi:StackReference") return `[/${text}/]`;
    return `[${text}]`;
}

/** Text inside a quoted Mermaid label: quotes and markup characters as entities. */
function escape(text: string): string {
    return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Node ids (`r12`, `c3`) by their number, so r9 comes before r10. */
function compareIds(a: string, b: string): number {
    return Number(a.slice(1)) - Number(b.slice(1));
}
