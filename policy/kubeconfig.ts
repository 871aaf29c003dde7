import { parse } from "yaml";
import { arrayAt, isRecord, recordAt, stringAt, whenKnown, type Json } from "./helpers";

/**
 * Readers for Secrets and the kubeconfig an Istio remote-cluster secret holds. Istio's
 * secret controller reads every key of a Secret labelled `istio/multiCluster: "true"` as
 * a cluster id and its value as a kubeconfig (istio/istio `pkg/kube/multicluster`,
 * `istioctl/pkg/multicluster/remote_secret.go`).
 */

/**
 * The Secret's entries, decoded: `data` (base64) merged with `stringData` (which wins, as
 * the API server does). A value that is unknown (during preview, or encrypted in a state
 * export) is listed with `undefined`; when a whole map is unknown, so are the keys
 * (`keysKnown: false`).
 */
export function secretEntries(secret: Json): { readonly keysKnown: boolean; readonly entries: Record<string, string | undefined> } {
    const entries: Record<string, string | undefined> = {};
    let keysKnown = true;
    for (const [field, decode] of [
        ["data", (v: string) => Buffer.from(v, "base64").toString("utf8")],
        ["stringData", (v: string) => v],
    ] as const) {
        const map = whenKnown(() => recordAt(secret, field), undefined);
        if (map === undefined) {
            keysKnown = false;
            continue;
        }
        for (const k of Object.keys(map)) {
            const v = whenKnown(() => map[k], undefined);
            entries[k] = typeof v === "string" ? decode(v) : undefined;
        }
    }
    return { keysKnown, entries };
}

/** Parses a kubeconfig; undefined when it is not YAML describing an object. */
export function parseKubeconfig(text: string): Json | undefined {
    try {
        const parsed: unknown = parse(text);
        return isRecord(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/**
 * What is wrong with a remote-cluster kubeconfig for cluster `name`: its only cluster,
 * context and user are all named `name`, the current context is `name`, the context joins
 * that cluster and user, the cluster has an https server and CA data, the user a token.
 * Returns one phrase per problem (empty when it is right).
 */
export function remoteKubeconfigProblems(config: Json, name: string): string[] {
    const problems: string[] = [];
    // Every entry counts, an entry that is not an object too: client-go's clientcmd.Load, which
    // istiod's secret controller calls (istio/istio pkg/kube/multicluster, BuildClientsFromConfig),
    // cannot decode such a list, so istiod rejects the kubeconfig.
    const names = (list: string): string[] => arrayAt(config, list).map((e) => stringAt(e, "name") ?? "");
    for (const list of ["clusters", "contexts", "users"] as const) {
        const found = names(list);
        if (found.length !== 1 || found[0] !== name) {
            problems.push(`its ${list} are ${found.length === 0 ? "missing" : found.map((n) => `'${n}'`).join(", ")} (expected exactly one named '${name}')`);
        }
    }
    if (stringAt(config, "current-context") !== name) {
        problems.push(`its current-context is ${JSON.stringify(stringAt(config, "current-context") ?? null)} (expected '${name}')`);
    }
    const context = arrayAt(config, "contexts").filter(isRecord).find((c) => stringAt(c, "name") === name);
    if (context) {
        const cluster = stringAt(context, "context.cluster");
        const user = stringAt(context, "context.user");
        if (cluster !== name || user !== name) problems.push(`its context joins cluster '${cluster ?? ""}' and user '${user ?? ""}' (expected '${name}' for both)`);
    }
    const cluster = arrayAt(config, "clusters").filter(isRecord).find((c) => stringAt(c, "name") === name);
    if (cluster) {
        const server = stringAt(cluster, "cluster.server") ?? "";
        if (!server.startsWith("https://")) problems.push(`its cluster's server is ${JSON.stringify(server)} (expected the remote API server's https:// URL)`);
        if (!stringAt(cluster, "cluster.certificate-authority-data")) problems.push("its cluster has no certificate-authority-data");
    }
    const user = arrayAt(config, "users").filter(isRecord).find((u) => stringAt(u, "name") === name);
    if (user && !stringAt(user, "user.token")) problems.push("its user has no token (expected the istio-reader-service-account token)");
    return problems;
}
