import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { Settings } from "../config/registry";

/**
 * Where a remote finds its own API server URL and CA data, which the primary's istiod
 * needs in the remote secret:
 *
 * 1. `remoteApiServer` / `remoteApiServerCaData`, when set (e.g. a private endpoint that
 *    istiod reaches, unlike the one in your kubeconfig);
 * 2. otherwise the stack's secret `kubeconfig`, parsed inside an `apply` so that nothing
 *    leaves the secret;
 * 3. otherwise the ambient kubeconfig (`$KUBECONFIG`, else `~/.kube/config`) at the
 *    context `kubeContext`: the same file and context the Kubernetes provider uses.
 *
 * Both values are exported as secrets either way.
 */

/** A cluster's API endpoint as a kubeconfig describes it. */
export interface ClusterEndpoint {
    readonly server: string;
    /** base64-encoded PEM. */
    readonly caData: string;
}

interface KubeconfigDoc {
    "current-context"?: string;
    contexts?: { name?: string; context?: { cluster?: string } }[];
    clusters?: { name?: string; cluster?: { server?: string; "certificate-authority-data"?: string; "certificate-authority"?: string } }[];
}

/** Raised when a kubeconfig does not describe the cluster well enough. */
export class KubeconfigError extends pulumi.RunError {}

/**
 * The endpoint of `context` (default: the current context) in one or more kubeconfig
 * documents, merged as kubectl merges `$KUBECONFIG` (the first definition of a name wins).
 * `where` names the source in error messages, never its content.
 */
export function endpointFromKubeconfig(documents: readonly string[], context: string | undefined, where: string, baseDir?: string): ClusterEndpoint {
    const docs = documents.map((text) => (parse(text) ?? {}) as KubeconfigDoc);
    const wanted = context ?? docs.map((d) => d["current-context"]).find((c) => c !== undefined && c !== "");
    if (wanted === undefined) throw new KubeconfigError(`${where} has no current-context; set kubeContext, or remoteApiServer and remoteApiServerCaData.`);
    const ctx = docs.flatMap((d) => d.contexts ?? []).find((c) => c.name === wanted);
    if (ctx?.context?.cluster === undefined) throw new KubeconfigError(`${where} has no context '${wanted}'.`);
    const clusterName = ctx.context.cluster;
    const cluster = docs.flatMap((d) => d.clusters ?? []).find((c) => c.name === clusterName)?.cluster;
    if (cluster?.server === undefined) throw new KubeconfigError(`${where} has no server for cluster '${clusterName}' (context '${wanted}').`);
    let caData = cluster["certificate-authority-data"];
    if (caData === undefined && cluster["certificate-authority"] !== undefined) {
        const file = path.resolve(baseDir ?? process.cwd(), cluster["certificate-authority"]);
        caData = fs.readFileSync(file).toString("base64");
    }
    if (caData === undefined) {
        throw new KubeconfigError(
            `${where} gives no CA for cluster '${clusterName}'; istiod must verify the API server. Set remoteApiServerCaData to its base64-encoded CA.`,
        );
    }
    return { server: cluster.server, caData };
}

/** The ambient kubeconfig files, as kubectl finds them. */
export function ambientKubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
    const list = env["KUBECONFIG"];
    if (list !== undefined && list !== "") return list.split(path.delimiter).filter((f) => f !== "");
    return [path.join(os.homedir(), ".kube", "config")];
}

/** This remote cluster's API server URL and CA data, as secrets. */
export function remoteClusterEndpoint(settings: Settings): { server: pulumi.Output<string>; caData: pulumi.Output<string> } {
    const server = settings.remoteApiServer;
    const caData = settings.remoteApiServerCaData;
    if (server !== "" && caData !== "") return { server: pulumi.secret(server), caData: pulumi.secret(caData) };

    let fromKubeconfig: pulumi.Output<ClusterEndpoint>;
    if (settings.kubeconfig !== undefined) {
        fromKubeconfig = settings.kubeconfig.apply((text) => endpointFromKubeconfig([text], undefined, "The kubeconfig setting"));
    } else {
        const files = ambientKubeconfigFiles().filter((f) => fs.existsSync(f));
        if (files.length === 0) {
            throw new KubeconfigError(
                `No kubeconfig found for kubeContext '${settings.kubeContext}' ($KUBECONFIG or ~/.kube/config); set remoteApiServer and remoteApiServerCaData, or use the kubeconfig setting.`,
            );
        }
        const endpoint = endpointFromKubeconfig(
            files.map((f) => fs.readFileSync(f, "utf8")),
            settings.kubeContext,
            `The ambient kubeconfig (${files.join(path.delimiter)})`,
            path.dirname(files[0] ?? "."),
        );
        fromKubeconfig = pulumi.output(endpoint);
    }
    return {
        server: pulumi.secret(server !== "" ? pulumi.output(server) : fromKubeconfig.server),
        caData: pulumi.secret(caData !== "" ? pulumi.output(caData) : fromKubeconfig.caData),
    };
}
