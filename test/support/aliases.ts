import type { RecordedResource } from "../../offline/engine";

/**
 * How the Pulumi engine finds a registered resource's previous state, for tests that
 * check upgrades and renames without a CLI. It follows pulumi/pulumi
 * `pkg/resource/deploy/step_generator.go` (the program sends alias specs: the SDK and
 * the mocks support `aliasSpecs`):
 *
 * - `collapseAliasToUrn`: a spec's missing name and type are the resource's own; a
 *   missing parent is the resource's parent; a parent that itself matched an alias stands
 *   for its old URN; `noParent`, or a parent that is the root Stack, means no parent;
 * - `generateAliases`: when the parent matched an old URN through an alias, the child also
 *   gets `inheritedChildAlias`: under the parent's old URN, with the parent's new name
 *   prefix of the child's name replaced by the parent's old name;
 * - `generateSteps`: the resource's own URN is looked up first, then its aliases in order;
 *   the first URN found in the old state is the resource's previous identity.
 *
 * URNs are compared in the engine's form (`Deployment.generateURN`): the qualified type is
 * the whole chain of parent types, without the root Stack's. The mocks' URNs differ: they
 * keep only the parent's own type, and put the root Stack's in.
 */

/** A URN's parts: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function urnParts(urn: string): { stack: string; project: string; qualifiedType: string; type: string; name: string } {
    const [head, project, qualifiedType, ...name] = urn.split("::");
    const types = (qualifiedType ?? "").split("$");
    return { stack: (head ?? "").replace(/^urn:pulumi:/, ""), project: project ?? "", qualifiedType: qualifiedType ?? "", type: types[types.length - 1] ?? "", name: name.join("::") };
}

/** `resource.NewURN`: a URN under a parent's qualified type (empty for a top-level resource). */
export function newUrn(stack: string, project: string, parentQualifiedType: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${parentQualifiedType !== "" ? `${parentQualifiedType}$` : ""}${type}::${name}`;
}

const rootStackType = "pulumi:pulumi:Stack";

/** The engine's URN of every recorded resource, by its mock URN. */
export function engineUrnsOf(recorded: readonly RecordedResource[]): Map<string, string> {
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    const qualified = (urn: string | undefined): string => {
        const r = urn !== undefined ? byUrn.get(urn) : undefined;
        if (r === undefined || r.type === rootStackType) return "";
        const parent = qualified(r.parent);
        return parent !== "" ? `${parent}$${r.type}` : r.type;
    };
    return new Map(
        recorded.map((r) => {
            const { stack, project } = urnParts(r.urn);
            return [r.urn, newUrn(stack, project, r.type === rootStackType ? "" : qualified(r.parent), r.type, r.name)];
        }),
    );
}

/**
 * The old identity of every resource of an evaluation, given the URNs of the old state:
 * by current URN (engine form), the old URN it takes over (its own when unchanged). Resources that
 * match nothing are new. Fails on an old URN claimed twice (the engine's duplicate-alias
 * error).
 */
export function previousIdentities(recorded: readonly RecordedResource[], old: ReadonlySet<string>): Map<string, string> {
    const engineUrns = engineUrnsOf(recorded);
    const engineUrn = (urn: string): string => engineUrns.get(urn) ?? urn;
    const resources = recorded.map((r) => ({ ...r, urn: engineUrn(r.urn), parent: r.parent !== undefined ? engineUrn(r.parent) : undefined }));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const depth = (r: (typeof resources)[number]): number => (r.parent !== undefined && byUrn.has(r.parent) ? 1 + depth(byUrn.get(r.parent)!) : 0);
    const ordered = [...resources].sort((a, b) => depth(a) - depth(b));
    const aliased = new Map<string, string>(); // sg.aliases: new URN -> old URN, for resources found through an alias
    const matched = new Map<string, string>();
    const claimedBy = new Map<string, string>();
    for (const r of ordered) {
        const { stack, project } = urnParts(r.urn);
        const collapse = (alias: string | Readonly<Record<string, string | boolean>>): string => {
            if (typeof alias === "string") return engineUrn(alias);
            const name = typeof alias["name"] === "string" ? alias["name"] : r.name;
            const type = typeof alias["type"] === "string" ? alias["type"] : r.type;
            let parent = typeof alias["parent"] === "string" ? engineUrn(alias["parent"]) : (r.parent ?? "");
            if (typeof alias["parent"] === "string") parent = aliased.get(parent) ?? parent;
            if (alias["noParent"] === true || (parent !== "" && urnParts(parent).type === rootStackType)) parent = "";
            return newUrn(typeof alias["stack"] === "string" ? alias["stack"] : stack, typeof alias["project"] === "string" ? alias["project"] : project, parent !== "" ? urnParts(parent).qualifiedType : "", type, name);
        };
        const candidates = (r.options.aliases ?? []).map(collapse);
        const parentOld = r.parent !== undefined ? aliased.get(r.parent) : undefined;
        if (parentOld !== undefined && r.parent !== undefined) {
            const parentName = urnParts(r.parent).name;
            const inherit = (type: string, name: string): string =>
                newUrn(stack, project, urnParts(parentOld).qualifiedType, type, name.startsWith(parentName) ? urnParts(parentOld).name + name.slice(parentName.length) : name);
            candidates.push(inherit(r.type, r.name), ...candidates.map((c) => inherit(urnParts(c).type, urnParts(c).name)));
        }
        const found = [r.urn, ...candidates].find((u) => old.has(u));
        if (found === undefined) continue;
        const other = claimedBy.get(found);
        if (other !== undefined) throw new Error(`${found} is claimed by both ${other} and ${r.urn}`);
        claimedBy.set(found, r.urn);
        matched.set(r.urn, found);
        if (found !== r.urn) aliased.set(r.urn, found);
    }
    return matched;
}
