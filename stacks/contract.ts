/**
 * The outputs the stacks of the mesh read from each other. The primary and the remotes
 * are the same program, so the names live here once; the offline plan's sample outputs
 * (offline/samples) follow the same lists.
 */

/** What the primary exports and every remote reads. */
export const primaryOutputsForRemotes = ["clusterName", "network", "meshId", "tlsIdentifierSets", "servedDomains"] as const;

/** What each remote exports and the primary reads. */
export const remoteOutputsForPrimary = ["clusterName", "network", "tlsIdentifierSets", "servedDomains"] as const;
