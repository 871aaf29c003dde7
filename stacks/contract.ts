/**
 * The outputs the stacks of the mesh read from each other. The primary and the remotes
 * are the same program, so the names live here once; the offline plan's sample outputs
 * (offline/samples) follow the same lists.
 */

/**
 * What the primary exports and every remote reads: its identity, where istiod is
 * (`discoveryAddress`: the east-west load balancer's hostname or IP), the Istio version
 * every remote must run, and the mesh's root certificate (PEM; public, so plain).
 */
export const primaryOutputsForRemotes = [
    "clusterName",
    "network",
    "meshId",
    "discoveryAddress",
    "istioVersion",
    "caRootCert",
    // TLS and edge (stacks/edge.ts): identifier sets issued and domains served, so that no
    // set is issued twice in the mesh and shared domains agree on their routing.
    "tlsIdentifierSets",
    "servedDomains",
] as const;

/**
 * What each remote exports and the primary reads: its identity, and what the remote
 * secret's kubeconfig is made of: the API server URL, the cluster's CA data and the
 * bearer token of `istio-reader-service-account`.
 */
export const remoteOutputsForPrimary = [
    "clusterName",
    "network",
    "apiServer",
    "apiServerCaData",
    "readerToken",
    // TLS and edge (stacks/edge.ts).
    "tlsIdentifierSets",
    "servedDomains",
] as const;

/** The remote outputs that are credentials: exported as secrets, read only as secrets. */
export const remoteSecretOutputs = ["apiServer", "apiServerCaData", "readerToken"] as const;
