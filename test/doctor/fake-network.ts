import * as dgram from "node:dgram";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import * as dnsPacket from "dns-packet";
import type { KeyPair } from "./certificates";

/**
 * The network the doctor's probes see in tests, on loopback only: a DNS server answering
 * A records from a table (dns-packet over UDP), and the edge: an HTTP server that
 * redirects to HTTPS and an HTTPS server that presents a certificate and sets HSTS, each
 * changeable per case.
 */

/** A UDP DNS server answering A queries from `records`; unknown names are NXDOMAIN. */
export class FakeDns {
    /** Name (lower case, no trailing dot) to IPv4 addresses. */
    public records = new Map<string, string[]>();
    private socket: dgram.Socket | undefined;

    async start(): Promise<void> {
        this.socket = dgram.createSocket("udp4");
        this.socket.on("message", (message, remote) => {
            let query: dnsPacket.Packet;
            try {
                query = dnsPacket.decode(message);
            } catch {
                return;
            }
            const question = query.questions?.[0];
            if (question === undefined) return;
            const name = question.name.toLowerCase().replace(/\.$/, "");
            const addresses = this.records.get(name);
            const answers: dnsPacket.Answer[] = question.type === "A" && addresses !== undefined ? addresses.map((data) => ({ type: "A", name: question.name, ttl: 60, class: "IN", data })) : [];
            const nxdomain = addresses === undefined;
            const response = dnsPacket.encode({
                type: "response",
                id: query.id ?? 0,
                flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | (nxdomain ? 3 : 0),
                questions: [question],
                answers,
            });
            this.socket?.send(response, remote.port, remote.address);
        });
        await new Promise<void>((resolve) => this.socket!.bind(0, "127.0.0.1", resolve));
    }

    get address(): string {
        return `127.0.0.1:${(this.socket!.address()).port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
    }
}

/** How the fake edge answers. */
export interface EdgeBehaviour {
    /** Redirect plain HTTP to HTTPS (308, as ingress-nginx's ssl-redirect). */
    redirect: boolean;
    /** The Strict-Transport-Security value, or none. */
    hsts: string | undefined;
    /** The certificate the HTTPS server presents. */
    certificate: KeyPair;
}

/** The edge: plain HTTP and HTTPS servers on loopback, answering every host. */
export class FakeEdge {
    public behaviour: EdgeBehaviour;
    private plain: http.Server | undefined;
    private secure: https.Server | undefined;
    /** Host headers and SNI names seen, for assertions. */
    public readonly seen: { host: string; sni?: string; scheme: string }[] = [];

    constructor(defaults: EdgeBehaviour) {
        this.behaviour = { ...defaults };
    }

    async start(): Promise<void> {
        this.plain = http.createServer((req, res) => {
            this.seen.push({ host: req.headers.host ?? "", scheme: "http" });
            if (this.behaviour.redirect) {
                res.writeHead(308, { location: `https://${req.headers.host ?? ""}${req.url ?? "/"}` });
                res.end();
            } else {
                res.writeHead(200, { "content-type": "text/plain" });
                res.end("plain");
            }
        });
        this.secure = https.createServer(
            {
                SNICallback: (_name, callback) => callback(null, tls.createSecureContext({ cert: this.behaviour.certificate.cert, key: this.behaviour.certificate.key })),
                cert: this.behaviour.certificate.cert,
                key: this.behaviour.certificate.key,
            },
            (req, res) => {
                const sni = (req.socket as tls.TLSSocket).servername;
                this.seen.push({ host: req.headers.host ?? "", ...(typeof sni === "string" && sni !== "" ? { sni } : {}), scheme: "https" });
                res.writeHead(200, { "content-type": "text/plain", ...(this.behaviour.hsts !== undefined ? { "strict-transport-security": this.behaviour.hsts } : {}) });
                res.end("ok");
            },
        );
        await Promise.all([new Promise<void>((r) => this.plain!.listen(0, "127.0.0.1", r)), new Promise<void>((r) => this.secure!.listen(0, "127.0.0.1", r))]);
    }

    /** `--connect-to` values sending ports 80 and 443 of every host here. */
    get connectTo(): string[] {
        return [`:80:127.0.0.1:${(this.plain!.address() as AddressInfo).port}`, `:443:127.0.0.1:${(this.secure!.address() as AddressInfo).port}`];
    }

    async stop(): Promise<void> {
        for (const s of [this.plain, this.secure]) {
            s?.closeAllConnections();
            await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
        }
    }
}
