/**
 * The logical names of the stacks' top-level resources. None contains a value a user may
 * change (a cluster's name, its network, a namespace): a name is part of each resource's
 * URN, and of the URN of every child, so a changed name would replace everything under it.
 * Names that earlier versions derived from settings live on as aliases, computed from the
 * current settings, so that upgrading the program on a deployed stack changes nothing.
 * Upgrade first, then rename: an alias names the resource as the current settings would
 * have named it.
 */

/**
 * The mesh component's name, the same on every cluster: a renamed cluster (`clusterName`)
 * updates its resources in place instead of replacing them.
 */
export const meshResourceName = "mesh";

/** The name earlier versions gave the mesh component (`cluster1-mesh`); its alias keeps deployed stacks' resources. */
export function legacyMeshName(clusterName: string): string {
    return `${clusterName}-mesh`;
}

/**
 * A remote secret's name: keyed by the remote's stack name (the last part of its fully
 * qualified name, unique among `remoteStacks`), which only `pulumi stack rename` changes.
 * The remote's clusterName is a setting of that stack: when it changes, the Secret (whose
 * Kubernetes name must be `istio-remote-secret-<clusterName>`) is replaced under the same
 * resource, not deleted with one resource and created with another.
 */
export function remoteSecretResourceName(remoteStack: string): string {
    return `remote-${remoteStack.split("/").pop() ?? remoteStack}`;
}

/** The name earlier versions gave a remote secret (`cluster1-remote-cluster2`), from the current cluster names. */
export function legacyRemoteSecretName(clusterName: string, remoteClusterName: string): string {
    return `${clusterName}-remote-${remoteClusterName}`;
}
