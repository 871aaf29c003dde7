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

/** Raised when a kubeconfig does not describe the cluster well enough: one line naming the setting. */
export class KubeconfigError extends pulumi.RunError {}

/** Which setting a kubeconfig comes from, for error lines. */
export interface KubeconfigSource {
    /** The setting the user fixes (`kubeconfig`, or `kubeContext` for the ambient kubeconfig). */
    readonly key: string;
    /** How the setting's value is shown: `[secret]` for the kubeconfig setting. */
    readonly shown: string;
    /** True when the kubeconfig is a secret: then no line quotes anything from it (names, paths, parser excerpts). */
    readonly secret: boolean;
}

/** The kubeconfig setting: a secret, so its errors quote nothing from it. */
export const kubeconfigSetting: KubeconfigSource = { key: "kubeconfig", shown: "[secret]", secret: true };

/**
 * The endpoint of `context` (default: the current context) in one or more kubeconfig
 * documents, merged as kubectl merges `$KUBECONFIG` (the first definition of a name wins).
 * Errors are {@link KubeconfigError}s naming the `source` setting; a secret kubeconfig's
 * content never appears in them.
 */
export function endpointFromKubeconfig(documents: readonly string[], context: string | undefined, source: KubeconfigSource, baseDir?: string): ClusterEndpoint {
    const fail = (expected: string, detail: string): never => {
        throw new KubeconfigError(`${source.key} = ${source.shown}: expected ${expected}${source.secret ? "" : ` (${detail})`}`);
    };
    const docs = documents.map((text, i) => {
        try {
            const parsed: unknown = parse(text) ?? {};
            if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a mapping");
            return parsed as KubeconfigDoc;
        } catch (e) {
            const where = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
            throw new KubeconfigError(
                `${source.key} = ${source.shown}: expected a kubeconfig (a YAML mapping); ${documents.length > 1 ? `file ${i + 1} ` : ""}cannot be parsed${where !== undefined ? ` at line ${where}` : ""}`,
            );
        }
    });
    const wanted = context ?? docs.map((d) => d["current-context"]).find((c) => c !== undefined && c !== "");
    if (wanted === undefined) return fail("a kubeconfig with a current-context; set kubeContext, or remoteApiServer and remoteApiServerCaData", "it has none");
    const ctx = docs.flatMap((d) => d.contexts ?? []).find((c) => c.name === wanted);
    if (ctx?.context?.cluster === undefined) return fail("a kubeconfig with the context it uses", `it has no context '${wanted}'`);
    const clusterName = ctx.context.cluster;
    const cluster = docs.flatMap((d) => d.clusters ?? []).find((c) => c.name === clusterName)?.cluster;
    if (typeof cluster?.server !== "string") return fail("a kubeconfig whose cluster has a server", `no server for cluster '${clusterName}' (context '${wanted}')`);
    let caData = cluster["certificate-authority-data"];
    if (caData === undefined && cluster["certificate-authority"] !== undefined) {
        const file = path.resolve(baseDir ?? process.cwd(), String(cluster["certificate-authority"]));
        try {
            caData = fs.readFileSync(file).toString("base64");
        } catch (e) {
            return fail(
                "a kubeconfig whose certificate-authority file can be read; use certificate-authority-data, or set remoteApiServerCaData",
                `cluster '${clusterName}' names ${file}: ${(e as NodeJS.ErrnoException).code ?? "unreadable"}`,
            );
        }
    }
    if (caData === undefined) {
        return fail(
            "a kubeconfig that gives its cluster's CA (istiod must verify the API server); or set remoteApiServerCaData to its base64-encoded CA",
            `cluster '${clusterName}' has none`,
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
        fromKubeconfig = settings.kubeconfig.apply((text) => endpointFromKubeconfig([text], undefined, kubeconfigSetting));
    } else {
        const files = ambientKubeconfigFiles().filter((f) => fs.existsSync(f));
        if (files.length === 0) {
            throw new KubeconfigError(
                `kubeContext = ${JSON.stringify(settings.kubeContext)}: expected a kubeconfig with this context ($KUBECONFIG or ~/.kube/config), but none was found; set remoteApiServer and remoteApiServerCaData, or use the kubeconfig setting`,
            );
        }
        const endpoint = endpointFromKubeconfig(
            files.map((f) => fs.readFileSync(f, "utf8")),
            settings.kubeContext,
            { key: "kubeContext", shown: `${JSON.stringify(settings.kubeContext)} (the ambient kubeconfig ${files.join(path.delimiter)})`, secret: false },
            path.dirname(files[0] ?? "."),
        );
        fromKubeconfig = pulumi.output(endpoint);
    }
    return {
        server: pulumi.secret(server !== "" ? pulumi.output(server) : fromKubeconfig.server),
        caData: pulumi.secret(caData !== "" ? pulumi.output(caData) : fromKubeconfig.caData),
    };
}
