import { stringify } from "yaml";
import type { PlanDocument, PlanResource } from "./plan";

/**
 * The plan as text for a person: the resource tree (children under their parents),
 * each resource's inputs, the outputs, the notes and the policy findings.
 */
export function renderTree(doc: PlanDocument, options: { inputs?: boolean } = {}): string {
    const lines: string[] = [];
    const children = new Map<string | null, PlanResource[]>();
    for (const r of doc.resources) {
        const siblings = children.get(r.parent) ?? [];
        siblings.push(r);
        children.set(r.parent, siblings);
    }
    const rendered = doc.resources.filter((r) => r.renderedFrom !== undefined).length;
    const own = doc.resources.length - rendered;
    const custom = doc.resources.filter((r) => r.custom && r.renderedFrom === undefined).length;
    lines.push(
        `Plan for stack '${doc.stack}' (offline, under mocks): ${own} resources, ${custom} custom and ${own - custom} components` +
            (doc.charts ? `; ${rendered} objects rendered from ${doc.charts.releases.length} Helm releases` : ""),
    );
    lines.push("");
    const visit = (r: PlanResource, depth: number): void => {
        const indent = "  ".repeat(depth);
        const via = r.provider ? `  (provider ${r.provider})` : "";
        if (r.renderedFrom) {
            // A chart's object: one line each (npm run render prints them in full).
            lines.push(`${indent}~ ${r.type}  ${r.name}  (chart ${r.renderedFrom.chart} ${r.renderedFrom.version})`);
            return;
        }
        lines.push(r.read ? `${indent}> ${r.type}  ${r.name}  (read)${via}` : `${indent}+ ${r.type}  ${r.name}${via}`);
        if (options.inputs !== false && r.custom && !r.type.startsWith("pulumi:pulumi:")) {
            const body = stringify(r.inputs, { lineWidth: 0 }).trimEnd();
            if (body !== "{}") for (const line of body.split("\n")) lines.push(`${indent}    ${line}`);
        }
        for (const child of children.get(r.name) ?? []) visit(child, depth + 1);
    };
    for (const root of children.get(null) ?? []) visit(root, 0);

    lines.push("", "Outputs:");
    const outputs = stringify(doc.outputs, { lineWidth: 0 }).trimEnd();
    for (const line of outputs.split("\n")) lines.push(`  ${line}`);

    if (doc.stackReferences.length > 0) {
        lines.push("", "Stack references (answered offline, not read from a real deployment):");
        for (const ref of doc.stackReferences) {
            lines.push(ref.answer === "sample" ? `  ${ref.stack}: sample outputs from ${ref.source ?? "a sample"}` : `  ${ref.stack}: no sample, treated as created but not deployed yet`);
        }
    }
    if (doc.placeholders.length > 0) {
        lines.push("", "Encrypted values (cannot be decrypted offline; planned with placeholders):");
        for (const key of doc.placeholders) lines.push(`  ${key}`);
    }
    if (doc.charts) {
        const c = doc.charts;
        lines.push("", `Charts rendered (Helm ${c.helm}, Kubernetes ${c.kubeVersion}, chart cache ${c.chartCache}; objects listed with '~' under their release):`);
        for (const r of c.releases) {
            const version = r.substituted ? `${r.renderedVersion} (pinned ${r.pinnedVersion}; the chart cache has only this older patch)` : r.renderedVersion;
            lines.push(`  ${r.release}: chart ${r.chart} ${version}, release '${r.name}' in ${r.namespace}, ${r.objects} objects`);
            for (const n of r.notes) lines.push(`    note: ${n}`);
        }
        for (const d of c.duplicates) lines.push(`  deployed twice: ${d}`);
    }
    if (doc.warnings.length > 0) {
        lines.push("", "Warnings:");
        for (const w of doc.warnings) lines.push(`  ${w}`);
    }
    lines.push("", doc.violations.length === 0 ? "Policy findings: none" : `Policy findings (${doc.violations.length}):`);
    for (const v of doc.violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}${v.resource ? ` (${v.resource})` : ""}: ${v.message}`);
    return lines.join("\n") + "\n";
}
