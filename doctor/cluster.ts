import * as http from "node:http";
import { Duplex, PassThrough, type Readable, type Writable } from "node:stream";
import type * as Client from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node" with { "resolution-mode": "import" };

/**
 * How the doctor reads a cluster: through `@kubernetes/client-node`, reached with the same
 * settings as the program's Kubernetes provider (components/providers.ts): the secret
 * `kubeconfig`, or the context `kubeContext` of the ambient kubeconfig (`KUBECONFIG`, or
 * `~/.kube/config`). Reads only: get, list, and a port-forward to istiod's debug port.
 */

/** The client library is ESM only: loaded once, with import(). */
type ClientModule = typeof Client;
let clientModule: Promise<ClientModule> | undefined;
function client(): Promise<ClientModule> {
    clientModule ??= import("@kubernetes/client-node");
    return clientModule;
}

/** The cluster cannot be used at all (no such context, unreachable, credentials refused): exit status 2. */
export class ClusterAccessError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ClusterAccessError";
    }
}

/** One read failed (forbidden, not served, timed out): the check that needed it cannot run. */
export class ReadError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReadError";
    }
}

/** How to reach the cluster, as the stack configures it. */
export interface ClusterAccess {
    /** The kubeconfig itself (the secret setting `kubeconfig`), when the stack uses one. */
    readonly kubeconfig?: string;
    /** A context of the ambient kubeconfig (the setting `kubeContext`). */
    readonly context?: string;
}

/** The part of undici's Dispatcher used here. */
interface SharedDispatcher {
    close(): Promise<void>;
}

/** A cluster object as read: metadata, spec and status, typed loosely by the caller. */
export type ClusterObject = KubernetesObject & { readonly spec?: unknown; readonly status?: unknown; readonly [key: string]: unknown };

/** Reads one cluster. */
export class ClusterReader {
    /** The context used. */
    public readonly context: string;
    /** The API server's URL. */
    public readonly server: string;
    /** Where the kubeconfig came from. */
    public readonly origin: string;

    private constructor(
        private readonly k8s: ClientModule,
        private readonly kc: KubeConfig,
        private readonly api: KubernetesObjectApi,
        private readonly timeoutMs: number,
        origin: string,
    ) {
        this.context = kc.getCurrentContext();
        this.server = kc.getCurrentCluster()?.server ?? "(no server)";
        this.origin = origin;
    }

    /** Loads the kubeconfig the stack's provider would use; a missing context is a {@link ClusterAccessError}. */
    static async open(access: ClusterAccess, timeoutMs = 15000): Promise<ClusterReader> {
        const k8s = await client();
        const kc = new k8s.KubeConfig();
        let origin: string;
        try {
            if (access.kubeconfig !== undefined) {
                kc.loadFromString(access.kubeconfig);
                origin = "the stack's secret kubeconfig";
            } else {
                kc.loadFromDefault();
                origin = process.env["KUBECONFIG"] ? `KUBECONFIG=${process.env["KUBECONFIG"]}` : "~/.kube/config";
            }
        } catch (e) {
            throw new ClusterAccessError(`the kubeconfig cannot be read: ${firstLine(e)}`);
        }
        if (access.context !== undefined && access.context !== "") {
            if (kc.getContextObject(access.context) === null) {
                throw new ClusterAccessError(`kubeContext '${access.context}' is not a context of the kubeconfig (${origin}); contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"}`);
            }
            kc.setCurrentContext(access.context);
        }
        if (kc.getCurrentCluster() === null) throw new ClusterAccessError(`the kubeconfig (${origin}) has no cluster for context '${kc.getCurrentContext()}'`);
        // The client library builds a new HTTPS agent (and TLS connection) for every request;
        // one agent, the first request's, serves them all, and is closed at the end. Each
        // request gets a deadline.
        const shared: { dispatcher?: SharedDispatcher } = {};
        const perRequest = {
            pre: (context: { setSignal(signal: AbortSignal): void; getDispatcher(): unknown; setDispatcher(d: unknown): void }) => {
                context.setSignal(AbortSignal.timeout(timeoutMs));
                const own = context.getDispatcher() as SharedDispatcher | undefined;
                if (shared.dispatcher === undefined) shared.dispatcher = own;
                else if (own !== undefined && own !== shared.dispatcher) {
                    context.setDispatcher(shared.dispatcher);
                    void own.close();
                }
                return Promise.resolve(context);
            },
            post: <T>(response: T) => Promise.resolve(response),
        };
        const cluster = kc.getCurrentCluster()!;
        const configuration = k8s.createConfiguration({
            baseServer: new k8s.ServerConfiguration(cluster.server, {}),
            authMethods: { default: kc },
            promiseMiddleware: [perRequest as never],
        });
        const reader = new ClusterReader(k8s, kc, new k8s.KubernetesObjectApi(configuration), timeoutMs, origin);
        reader.shared = shared;
        return reader;
    }

    private shared: { dispatcher?: SharedDispatcher } = {};

    /** Closes the connections to the API server. */
    async close(): Promise<void> {
        await this.shared.dispatcher?.close();
    }

    /** Proves the API server answers and accepts the credentials, or throws a {@link ClusterAccessError}. */
    async verify(): Promise<void> {
        try {
            await this.list("v1", "Namespace", { limit: 1 });
        } catch (e) {
            throw new ClusterAccessError(`cannot use the cluster of context '${this.context}' at ${this.server}: ${e instanceof ReadError ? e.message : firstLine(e)}`);
        }
    }

    /** The object, or undefined when it does not exist. */
    async get<T = ClusterObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
        try {
            return (await this.api.read({ apiVersion, kind, metadata: { name, ...(namespace !== undefined ? { namespace } : {}) } })) as unknown as T;
        } catch (e) {
            if (this.status(e) === 404 && !this.unserved(e)) return undefined;
            throw this.readError(e, `${kind} ${namespace !== undefined ? `${namespace}/` : ""}${name}`, apiVersion);
        }
    }

    /** Every object of a kind, in one namespace or all, optionally selected. */
    async list<T = ClusterObject>(
        apiVersion: string,
        kind: string,
        options: { namespace?: string; labelSelector?: string; fieldSelector?: string; limit?: number } = {},
    ): Promise<T[]> {
        try {
            const result = await this.api.list(apiVersion, kind, options.namespace, undefined, undefined, undefined, options.fieldSelector, options.labelSelector, options.limit);
            return result.items as unknown as T[];
        } catch (e) {
            throw this.readError(e, `${kind} list${options.namespace !== undefined ? ` in ${options.namespace}` : ""}`, apiVersion);
        }
    }

    /**
     * GET `path` on a pod's port through a port-forward, as istioctl reaches istiod's debug
     * endpoints (pkg/kube/client.go, portForwardRequest): istiod answers its debug endpoints
     * only to localhost or to an authenticated proxy, so the API server's pod proxy (which
     * strips the caller's token) is refused where a port-forward is accepted.
     */
    async portForwardGet(namespace: string, pod: string, port: number, path: string): Promise<{ status: number; body: string }> {
        const forward = new this.k8s.PortForward(this.kc, true);
        const toPod = new PassThrough();
        const fromPod = new PassThrough();
        const errors = new PassThrough();
        let errorText = "";
        errors.on("data", (chunk: Buffer) => (errorText += chunk.toString("utf8")));
        let socket: { close(): void } | null = null;
        try {
            // The socket's type comes from isomorphic-ws, whose typings are not installed: only close() is used.
            const portForward = forward.portForward.bind(forward) as unknown as (ns: string, pod: string, ports: number[], out: Writable, err: Writable, input: Readable) => Promise<unknown>;
            const opened = await portForward(namespace, pod, [port], fromPod, errors, toPod);
            const ws = (typeof opened === "function" ? (opened as () => unknown)() : opened) as { close(): void; on?(event: "close", listener: () => void): void } | null;
            socket = ws;
            // When the API server closes the stream (the pod refused the port), nothing more will come.
            ws?.on?.("close", () => fromPod.end());
            const connection = Duplex.from({ readable: fromPod, writable: toPod });
            return await new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(errorText.trim() || `no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
                const request = http.request({ createConnection: () => connection, path, method: "GET", headers: { host: `localhost:${port}`, connection: "close" } }, (response) => {
                    let body = "";
                    response.setEncoding("utf8");
                    response.on("data", (chunk: string) => (body += chunk));
                    response.on("end", () => {
                        clearTimeout(timer);
                        resolve({ status: response.statusCode ?? 0, body });
                    });
                });
                request.on("error", (e) => {
                    clearTimeout(timer);
                    reject(new Error(errorText.trim() || e.message));
                });
                request.end();
            });
        } catch (e) {
            throw this.readError(e, `port-forward to pod ${namespace}/${pod}:${port}`, "v1");
        } finally {
            socket?.close();
            toPod.end();
        }
    }

    private status(e: unknown): number | undefined {
        return e instanceof this.k8s.ApiException ? e.code : undefined;
    }

    /** The API server does not know the kind at all (its CRD is not installed): discovery answers 404, or lists no such kind. */
    private unserved(e: unknown): boolean {
        if (!(e instanceof Error)) return false;
        return /Unrecognized API version and kind/.test(e.message) || (this.status(e) === 404 && /Failed to fetch resource metadata/.test(e.message));
    }

    private readError(e: unknown, what: string, apiVersion: string): ReadError {
        const code = this.status(e);
        if (this.unserved(e)) {
            return new ReadError(`the API server does not serve ${apiVersion} (${what.split(" ")[0] ?? what}): is its CRD installed?`);
        }
        if (code === 401) return new ReadError(`the API server refused the credentials (401) for ${what}`);
        if (code === 403) return new ReadError(`forbidden (403): the credentials may not read ${what}`);
        if (code !== undefined) return new ReadError(`the API server answered ${code} for ${what}${apiMessage(e)}`);
        return new ReadError(`${what}: ${firstLine(e)}`);
    }
}

function apiMessage(e: unknown): string {
    const body = (e as { body?: unknown }).body;
    const message = typeof body === "object" && body !== null ? (body as { message?: unknown }).message : typeof body === "string" ? body : undefined;
    return typeof message === "string" && message !== "" ? `: ${message.split("\n")[0]}` : "";
}

/** The first line of an error, with the cause of a failed fetch (ECONNREFUSED, a certificate error). */
export function firstLine(e: unknown): string {
    if (!(e instanceof Error)) return String(e);
    // The client library prefixes errors of its API discovery; the cause is what matters.
    const message = (e.message.split("\n")[0] ?? "").replace(/^Failed to fetch resource metadata for [^:]+: /, "");
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${message} (${cause.message.split("\n")[0] ?? ""})` : message;
}
