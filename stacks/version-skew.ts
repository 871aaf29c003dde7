import * as semver from "semver";

/**
 * The Istio version a remote may run, given its primary's. The primary's istiod is the
 * control plane of every remote; istio.io's supported-releases page ("Control Plane/Data
 * Plane Skew"): the control plane can be one minor version ahead of the data plane, and the
 * data plane cannot be ahead of the control plane. So an upgrade runs the primary first,
 * then each remote, one minor version at a time (docs/runbook.md, section 12).
 */
export type VersionSkew =
    /** The same version: nothing to say. */
    | { readonly kind: "same" }
    /** Older by patches or by one minor version: supported while the mesh is being upgraded. */
    | { readonly kind: "behind"; readonly warning: string }
    /** Newer than the primary: refused by `pulumi up`; a preview warns (the primary may be deployed first). */
    | { readonly kind: "ahead"; readonly expected: string }
    /** Another major version, or more than one minor version behind: refused. */
    | { readonly kind: "too-far"; readonly expected: string };

/** Compares a remote's Istio version with its primary's (`where` names the primary stack in messages). */
export function remoteVersionSkew(primary: string, remote: string, where: string): VersionSkew {
    if (primary === remote) return { kind: "same" };
    const p = semver.parse(primary);
    const r = semver.parse(remote);
    if (p === null || r === null) return { kind: "too-far", expected: `expected the primary's Istio version ('${primary}' in ${where})` };
    if (semver.gt(r, p)) {
        return {
            kind: "ahead",
            expected: `expected at most the primary's Istio version ('${primary}' in ${where}): Istio's data plane cannot be ahead of its control plane; deploy the primary first`,
        };
    }
    if (r.major !== p.major || p.minor - r.minor > 1) {
        return {
            kind: "too-far",
            expected: `expected the primary's Istio version ('${primary}' in ${where}) or one minor version behind it (${p.major}.${p.minor - 1}.x): Istio supports a control plane at most one minor version ahead of its data plane`,
        };
    }
    return {
        kind: "behind",
        warning: `istioVersion ${remote} is behind the primary's ${primary} (${where}): supported while the mesh is being upgraded (istiod at most one minor version ahead); upgrade this remote to ${primary} next.`,
    };
}
