import * as crypto from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { stringify } from "yaml";

/**
 * A fake Kubernetes API server on loopback, for the doctor's tests: HTTPS with a bearer
 * token, API discovery (`/api/v1`, `/apis/<group>/<version>`), get and list (label and field
 * selectors) of the objects it holds, and a pod port-forward over WebSocket
 * (`v4.channel.k8s.io`, the port number first on each channel, as the kubelet sends it)
 * behind which istiod's debug endpoint `/debug/clusterz` answers. Enough of the REST API
 * for @kubernetes/client-node's KubernetesObjectApi and PortForward; nothing is written.
 */

/** A stored object. */
export type KubeObject = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
    [key: string]: any;
};

/** The kinds the fake serves: plural, and whether they are namespaced. */
const kinds: Record<string, Record<string, { plural: string; namespaced: boolean }>> = {
    v1: {
        Namespace: { plural: "namespaces", namespaced: false },
        Node: { plural: "nodes", namespaced: false },
        Pod: { plural: "pods", namespaced: true },
        Service: { plural: "services", namespaced: true },
        Secret: { plural: "secrets", namespaced: true },
        ConfigMap: { plural: "configmaps", namespaced: true },
        ServiceAccount: { plural: "serviceaccounts", namespaced: true },
    },
    "apps/v1": { Deployment: { plural: "deployments", namespaced: true } },
    "batch/v1": { Job: { plural: "jobs", namespaced: true } },
    "policy/v1": { PodDisruptionBudget: { plural: "poddisruptionbudgets", namespaced: true } },
    "autoscaling/v2": { HorizontalPodAutoscaler: { plural: "horizontalpodautoscalers", namespaced: true } },
    "networking.k8s.io/v1": {
        Ingress: { plural: "ingresses", namespaced: true },
        IngressClass: { plural: "ingressclasses", namespaced: false },
        NetworkPolicy: { plural: "networkpolicies", namespaced: true },
    },
    "discovery.k8s.io/v1": { EndpointSlice: { plural: "endpointslices", namespaced: true } },
    "admissionregistration.k8s.io/v1": {
        MutatingWebhookConfiguration: { plural: "mutatingwebhookconfigurations", namespaced: false },
        ValidatingWebhookConfiguration: { plural: "validatingwebhookconfigurations", namespaced: false },
    },
    "cert-manager.io/v1": {
        Certificate: { plural: "certificates", namespaced: true },
        CertificateRequest: { plural: "certificaterequests", namespaced: true },
        ClusterIssuer: { plural: "clusterissuers", namespaced: false },
        Issuer: { plural: "issuers", namespaced: true },
    },
    "acme.cert-manager.io/v1": {
        Order: { plural: "orders", namespaced: true },
        Challenge: { plural: "challenges", namespaced: true },
    },
    "gateway.networking.k8s.io/v1": {
        Gateway: { plural: "gateways", namespaced: true },
        HTTPRoute: { plural: "httproutes", namespaced: true },
    },
    "networking.istio.io/v1": {
        Gateway: { plural: "gateways", namespaced: true },
        VirtualService: { plural: "virtualservices", namespaced: true },
    },
    "monitoring.coreos.com/v1": { ServiceMonitor: { plural: "servicemonitors", namespaced: true } },
};

/** True when the fake serves objects of this apiVersion and kind. */
export function served(apiVersion: string, kind: string): boolean {
    return kinds[apiVersion]?.[kind] !== undefined;
}

/** What istiod's `/debug/clusterz` lists (pkg/cluster DebugInfo). */
export interface ClusterDebugInfo {
    id: string;
    secretName?: string;
    syncStatus: string;
}

function key(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
    return [apiVersion, kind, namespace ?? "", name].join("|");
}

function matchesLabels(labels: Record<string, string>, selector: string | null): boolean {
    if (selector === null || selector === "") return true;
    return selector.split(",").every((term) => {
        const t = term.trim();
        const ne = /^([^!=]+)!=(.*)$/.exec(t);
        if (ne) return labels[ne[1]!.trim()] !== ne[2]!.trim();
        const eq = /^([^=]+)==?(.*)$/.exec(t);
        if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
        if (t.startsWith("!")) return labels[t.slice(1)] === undefined;
        return labels[t] !== undefined;
    });
}

function fieldValue(o: KubeObject, path: string): unknown {
    return path.split(".").reduce<unknown>((v, p) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined), o);
}

function matchesFields(o: KubeObject, selector: string | null): boolean {
    if (selector === null || selector === "") return true;
    return selector.split(",").every((term) => {
        const ne = /^([^!=]+)!=(.*)$/.exec(term);
        if (ne) return JSON.stringify(fieldValue(o, ne[1]!) ?? "").replace(/^"|"$/g, "") !== ne[2];
        const eq = /^([^=]+)==?(.*)$/.exec(term);
        return eq ? JSON.stringify(fieldValue(o, eq[1]!) ?? "").replace(/^"|"$/g, "") === eq[2] : true;
    });
}

/** A minimal RFC 6455 server-side connection: unmasks client frames, writes unmasked binary frames. */
class WebSocketConnection {
    private buffer = Buffer.alloc(0);
    private closed = false;

    constructor(
        private readonly socket: Socket,
        private readonly onMessage: (data: Buffer) => void,
        private readonly onClose: () => void,
    ) {
        socket.on("data", (chunk: Buffer) => this.receive(chunk));
        socket.on("close", () => this.finish());
        socket.on("error", () => this.finish());
    }

    send(data: Buffer, opcode = 0x2): void {
        if (this.closed) return;
        const length = data.length;
        const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
        this.socket.write(Buffer.concat([header, data]));
    }

    close(): void {
        if (this.closed) return;
        this.send(Buffer.from([0x03, 0xe8]), 0x8);
        this.closed = true;
        this.socket.end();
        this.onClose();
    }

    private finish(): void {
        if (this.closed) return;
        this.closed = true;
        this.onClose();
    }

    private receive(chunk: Buffer): void {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        for (;;) {
            if (this.buffer.length < 2) return;
            const opcode = this.buffer[0]! & 0x0f;
            const masked = (this.buffer[1]! & 0x80) !== 0;
            let length = this.buffer[1]! & 0x7f;
            let offset = 2;
            if (length === 126) {
                if (this.buffer.length < 4) return;
                length = this.buffer.readUInt16BE(2);
                offset = 4;
            } else if (length === 127) {
                if (this.buffer.length < 10) return;
                length = Number(this.buffer.readBigUInt64BE(2));
                offset = 10;
            }
            const maskOffset = offset;
            if (masked) offset += 4;
            if (this.buffer.length < offset + length) return;
            const payload = Buffer.from(this.buffer.subarray(offset, offset + length));
            if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= this.buffer[maskOffset + (i % 4)]!;
            this.buffer = this.buffer.subarray(offset + length);
            if (opcode === 0x8) {
                this.close();
                return;
            }
            if (opcode === 0x9) this.send(payload, 0xa);
            else if (opcode === 0x1 || opcode === 0x2) this.onMessage(payload);
        }
    }
}

function bigLength(n: number): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
}

/** The fake API server. */
export class FakeCluster {
    private objects = new Map<string, KubeObject>();
    /** `/debug/clusterz` answers by istiod pod name; a pod not listed refuses the port-forward. */
    public clusterz = new Map<string, ClusterDebugInfo[]>();
    /** apiVersions the server does not serve (a CRD not installed). */
    public unserved = new Set<string>();
    /** Every request path, for assertions (the fake is read-only: anything but GET is refused). */
    public readonly requests: string[] = [];
    private server: https.Server | undefined;
    private readonly debug: http.Server;
    private readonly podOf = new WeakMap<object, string>();

    constructor(
        private readonly tls: { cert: string; key: string; ca: string },
        public readonly token = "doctor-test-token",
    ) {
        this.debug = http.createServer((req, res) => {
            const pod = this.podOf.get(req.socket) ?? "";
            const answer = this.clusterz.get(pod);
            if (req.url === "/debug/clusterz" && answer !== undefined) {
                res.writeHead(200, { "content-type": "application/json" });
                res.end(JSON.stringify(answer));
            } else {
                res.writeHead(404);
                res.end();
            }
        });
    }

    /** Replaces every object (deep copies). */
    reset(objects: readonly KubeObject[], clusterz: ReadonlyMap<string, ClusterDebugInfo[]> = new Map()): void {
        this.objects = new Map();
        for (const o of objects) this.put(o);
        this.clusterz = new Map([...clusterz].map(([k, v]) => [k, structuredClone(v)]));
        this.unserved = new Set();
    }

    put(o: KubeObject): void {
        if (!served(o.apiVersion, o.kind)) return;
        const copy = structuredClone(o);
        this.objects.set(key(o.apiVersion, o.kind, kinds[o.apiVersion]![o.kind]!.namespaced ? o.metadata.namespace : undefined, o.metadata.name), copy);
    }

    get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
        return this.objects.get(key(apiVersion, kind, namespace, name));
    }

    /** Changes one stored object; fails when it does not exist (a test that edits nothing proves nothing). */
    edit(apiVersion: string, kind: string, name: string, namespace: string | undefined, change: (o: KubeObject) => void): void {
        const o = this.get(apiVersion, kind, name, namespace);
        if (o === undefined) throw new Error(`the fake cluster has no ${kind} ${namespace ?? ""}/${name}`);
        change(o);
    }

    remove(apiVersion: string, kind: string, name: string, namespace?: string): void {
        if (!this.objects.delete(key(apiVersion, kind, namespace, name))) throw new Error(`the fake cluster has no ${kind} ${namespace ?? ""}/${name}`);
    }

    list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
        return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace));
    }

    async start(): Promise<void> {
        this.server = https.createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => this.handle(req, res));
        this.server.on("upgrade", (req: http.IncomingMessage, socket: Socket) => this.upgrade(req, socket));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    }

    async stop(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    get url(): string {
        return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }

    /** A kubeconfig with one context per name, all pointing at this server (the last one with `token`). */
    kubeconfig(contexts: readonly string[], token = this.token): string {
        return stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: contexts.map((c) => ({ name: c, cluster: { server: this.url, "certificate-authority-data": Buffer.from(this.tls.ca).toString("base64") } })),
            contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: `${c}-user` } })),
            users: contexts.map((c) => ({ name: `${c}-user`, user: { token } })),
            "current-context": contexts[0],
        });
    }

    private authorized(req: http.IncomingMessage): boolean {
        return req.headers.authorization === `Bearer ${this.token}`;
    }

    private send(res: http.ServerResponse, code: number, body: unknown): void {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
    }

    private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
        this.send(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const url = new URL(req.url ?? "/", "https://fake");
        this.requests.push(`${req.method ?? "?"} ${url.pathname}${url.search}`);
        if (!this.authorized(req)) return this.status(res, 401, "Unauthorized", "Unauthorized");
        if (req.method !== "GET") return this.status(res, 405, "MethodNotAllowed", "the fake cluster is read-only");
        const parts = url.pathname.split("/").filter((p) => p !== "");
        let apiVersion: string;
        let rest: string[];
        if (parts[0] === "api" && parts[1] === "v1") {
            apiVersion = "v1";
            rest = parts.slice(2);
        } else if (parts[0] === "apis" && parts.length >= 3) {
            apiVersion = `${parts[1]}/${parts[2]}`;
            rest = parts.slice(3);
        } else return this.status(res, 404, "NotFound", `no route ${url.pathname}`);
        const group = kinds[apiVersion];
        if (group === undefined || this.unserved.has(apiVersion)) return this.status(res, 404, "NotFound", `the server could not find the requested resource (${apiVersion})`);
        if (rest.length === 0) {
            return this.send(res, 200, {
                kind: "APIResourceList",
                apiVersion: "v1",
                groupVersion: apiVersion,
                resources: Object.entries(group).map(([kind, k]) => ({ name: k.plural, singularName: kind.toLowerCase(), namespaced: k.namespaced, kind, verbs: ["get", "list"] })),
            });
        }
        let namespace: string | undefined;
        if (rest[0] === "namespaces" && rest.length >= 3) {
            namespace = decodeURIComponent(rest[1]!);
            rest = rest.slice(2);
        }
        const entry = Object.entries(group).find(([, k]) => k.plural === rest[0]);
        if (entry === undefined) return this.status(res, 404, "NotFound", `no resource ${rest[0] ?? ""} in ${apiVersion}`);
        const [kind] = entry;
        if (rest.length === 1) {
            const items = this.list(apiVersion, kind, namespace).filter(
                (o) => matchesLabels(o.metadata.labels ?? {}, url.searchParams.get("labelSelector")) && matchesFields(o, url.searchParams.get("fieldSelector")),
            );
            const limit = Number(url.searchParams.get("limit") ?? "0");
            return this.send(res, 200, { apiVersion, kind: `${kind}List`, metadata: { resourceVersion: "1" }, items: limit > 0 ? items.slice(0, limit) : items });
        }
        const name = decodeURIComponent(rest[1]!);
        const o = this.get(apiVersion, kind, name, namespace);
        if (o === undefined) return this.status(res, 404, "NotFound", `${rest[0]} "${name}" not found`);
        return this.send(res, 200, o);
    }

    /** A pod port-forward over WebSocket: `/api/v1/namespaces/<ns>/pods/<pod>/portforward?ports=<port>`. */
    private upgrade(req: http.IncomingMessage, socket: Socket): void {
        const url = new URL(req.url ?? "/", "https://fake");
        this.requests.push(`UPGRADE ${url.pathname}${url.search}`);
        const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
        const refuse = (code: number, text: string): void => {
            socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Length: 0\r\n\r\n`);
        };
        if (!this.authorized(req)) return refuse(401, "Unauthorized");
        if (!match) return refuse(404, "Not Found");
        const [, namespace, pod] = match;
        const o = this.get("v1", "Pod", pod!, namespace);
        if (o === undefined) return refuse(404, "Not Found");
        const port = Number(url.searchParams.get("ports"));
        const offered = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
        const protocol = offered.includes("v4.channel.k8s.io") ? "v4.channel.k8s.io" : offered[0] ?? "";
        const accept = crypto.createHash("sha1").update(`${String(req.headers["sec-websocket-key"])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`);
        const portBytes = Buffer.from([port & 0xff, port >> 8]);
        const forwarded: { podSide?: Duplex } = {};
        const ws = new WebSocketConnection(
            socket,
            (data) => {
                if (data[0] === 0) forwarded.podSide?.push(data.subarray(1));
            },
            () => forwarded.podSide?.push(null),
        );
        ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
        ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
        if (!this.clusterz.has(pod!) || port !== Number(o.metadata.annotations?.["prometheus.io/port"] ?? "15014")) {
            ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port} to pod ${pod!}: connection refused`)]));
            ws.close();
            return;
        }
        const podSide = new Duplex({
            read() {},
            write(chunk: Buffer, _encoding, done) {
                ws.send(Buffer.concat([Buffer.from([0]), chunk]));
                done();
            },
            final(done) {
                ws.close();
                done();
            },
        });
        forwarded.podSide = podSide;
        this.podOf.set(podSide, pod!);
        this.debug.emit("connection", podSide);
    }
}
