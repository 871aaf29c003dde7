import { Resolver } from "node:dns/promises";
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import * as tls from "node:tls";
import type { X509Certificate } from "node:crypto";
import { guarded, notRun, result, type CheckContext, type CheckHead } from "./checks";
import type { EdgeExpectation } from "./expectation";
import type { Check } from "./report";

/**
 * The per-host probes from where the doctor runs: DNS answers with this cluster's load
 * balancer, plain HTTP redirects to HTTPS, HTTPS presents a trusted certificate that covers
 * the host, and the response carries HSTS with the configured max-age. Requests go to this
 * cluster's load balancer (the host in the Host header and SNI), as `curl --resolve` does in
 * the runbook, so a shared (weighted) name still tests this cluster. Turn them off for
 * private clusters (`--no-probes`).
 */

/** `--connect-to HOST1:PORT1:HOST2:PORT2`, as curl reads it: requests for HOST1:PORT1 go to HOST2:PORT2 (empty parts match any / keep). */
export interface ConnectTo {
    readonly host: string;
    readonly port: string;
    readonly toHost: string;
    readonly toPort: string;
}

/** How the probes reach the network. */
export interface ProbeOptions {
    /** DNS servers to ask (`ip` or `ip:port`); the system's when empty. */
    readonly resolvers: readonly string[];
    readonly connectTo: readonly ConnectTo[];
    /** Extra trusted CA certificates (PEM), besides Node's bundled roots. */
    readonly ca: readonly string[];
    readonly timeoutMs: number;
}

/** Parses one `--connect-to` value; undefined when it is not HOST1:PORT1:HOST2:PORT2. */
export function parseConnectTo(value: string): ConnectTo | undefined {
    const parts = /^(\[[^\]]*\]|[^:]*):(\d*):(\[[^\]]*\]|[^:]*):(\d*)$/.exec(value);
    if (!parts) return undefined;
    const strip = (h: string): string => h.replace(/^\[(.*)\]$/, "$1");
    return { host: strip(parts[1]!), port: parts[2]!, toHost: strip(parts[3]!), toPort: parts[4]! };
}

interface Target {
    readonly address: string;
    readonly port: number;
}

/** All probes of the stack's hosts, through the serving load balancer's address. */
export async function probeChecks(ctx: CheckContext, options: ProbeOptions, servingAddress: string | undefined): Promise<Check[]> {
    const edge = ctx.expectation.edge;
    if (edge === undefined) return [];
    const resolver = new Resolver({ timeout: Math.min(options.timeoutMs, 5000), tries: 2 });
    if (options.resolvers.length > 0) resolver.setServers([...options.resolvers]);
    const lookup = async (name: string): Promise<string[]> => (isIP(name) !== 0 ? [name] : resolver.resolve4(name));
    let balancer: { ips: string[] } | { error: string } | undefined;
    if (servingAddress !== undefined) {
        try {
            balancer = { ips: await lookup(servingAddress) };
        } catch (e) {
            balancer = { error: `the load balancer's name ${servingAddress} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
        }
    }
    const target = async (host: string, port: number): Promise<Target | string> => {
        const rule = options.connectTo.find((r) => (r.host === "" || r.host === host) && (r.port === "" || Number(r.port) === port));
        if (rule !== undefined) {
            const to = rule.toHost === "" ? host : rule.toHost;
            const toPort = rule.toPort === "" ? port : Number(rule.toPort);
            try {
                return { address: (await lookup(to))[0]!, port: toPort };
            } catch {
                return `--connect-to target ${to} does not resolve`;
            }
        }
        if (balancer === undefined) return "the edge's load balancer has no address to connect to";
        if ("error" in balancer) return balancer.error;
        return { address: balancer.ips[0]!, port };
    };
    // One trust store for every HTTPS probe: the bundled roots and --ca. Certificates are
    // judged after the handshake (trust, host, dates), so a bad one is reported, not a bare error.
    const trust = new https.Agent({ secureContext: tls.createSecureContext({ ca: [...tls.rootCertificates, ...options.ca] }), rejectUnauthorized: false, keepAlive: false });
    try {
        const perHost = await Promise.all(edge.hosts.map((h) => hostProbes(ctx, options, trust, edge, h, lookup, balancer, servingAddress, target)));
        return perHost.flat();
    } finally {
        trust.destroy();
    }
}

async function hostProbes(
    ctx: CheckContext,
    options: ProbeOptions,
    trust: https.Agent,
    edge: EdgeExpectation,
    h: EdgeExpectation["hosts"][number],
    lookup: (name: string) => Promise<string[]>,
    balancer: { ips: string[] } | { error: string } | undefined,
    servingAddress: string | undefined,
    target: (host: string, port: number) => Promise<Target | string>,
): Promise<Check[]> {
    const lb = servingAddress ?? "the edge's load balancer";
    const shared = h.routing !== "simple";
    const dnsHead: CheckHead = {
        area: "edge",
        id: "edge.dns",
        subject: h.host,
        title: "DNS resolves to the load balancer",
        expected: `${h.host} answers with the addresses of ${lb}${shared ? ` (a ${h.routing} record: other clusters' answers are possible)` : ""}`,
        source: `${edge.source} (edgeHosts, dnsRouting); the Service's address`,
        next: `dig +short ${h.host}; dig +short ${servingAddress ?? "<load balancer>"}`,
        case: "ingress-routing",
    };
    const redirectHead: CheckHead = {
        area: "edge",
        id: "edge.https-redirect",
        subject: h.host,
        title: "HTTP redirects to HTTPS",
        expected: `http://${h.host}${h.path} answers 301/302/307/308 to https://${h.host}`,
        source: `${edge.source} (ssl-redirect / the HTTP listener's redirect route)`,
        next: `curl -sSI http://${h.host}${h.path}`,
        case: "ingress-routing",
    };
    const certHead: CheckHead = {
        area: "edge",
        id: "edge.certificate",
        subject: h.host,
        title: "HTTPS presents a valid certificate for the host",
        expected: `a certificate for ${h.host}, trusted${options.ca.length > 0 ? " (system roots and --ca)" : ""}, within its validity dates`,
        source: `${edge.source} (tlsCertificates, acmeEnvironment ${ctx.expectation.tls.acmeEnvironment})`,
        next: `openssl s_client -connect ${servingAddress ?? h.host}:443 -servername ${h.host} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate -ext subjectAltName`,
        case: "certificate-not-issued",
    };
    const hstsHead: CheckHead = {
        area: "edge",
        id: "edge.hsts",
        subject: h.host,
        title: "HSTS header with the configured max-age",
        expected: `Strict-Transport-Security: max-age=${edge.hsts.maxAge}${edge.hsts.includeSubdomains ? "; includeSubDomains" : ""}${edge.hsts.preload ? "; preload" : ""}`,
        source: "settings edgeHstsMaxAge, edgeHstsIncludeSubdomains, edgeHstsPreload",
        next: `curl -sSI https://${h.host}${h.path} | grep -i strict-transport-security`,
    };

    const dns = guarded(dnsHead, async () => {
        if (balancer === undefined) return notRun(dnsHead, "the edge's load balancer has no address to compare with");
        if ("error" in balancer) return result(dnsHead, "fail", balancer.error);
        let ips: string[];
        try {
            ips = await lookup(h.host);
        } catch (e) {
            return result(dnsHead, "fail", `${h.host} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        const ours = ips.filter((ip) => balancer.ips.includes(ip));
        const seen = `${h.host} → ${ips.join(", ")}; ${servingAddress ?? "load balancer"} → ${balancer.ips.join(", ")}`;
        if (ours.length === ips.length) return result(dnsHead, "ok", seen);
        if (shared) return result(dnsHead, "warn", `${seen}: this answer is another cluster's (${h.routing} record)`, { case: null, next: `aws route53 test-dns-answer --hosted-zone-id <zone> --record-name ${h.host} --record-type A` });
        return result(dnsHead, "fail", `${seen}: not this cluster's load balancer`);
    });

    const redirect = guarded(redirectHead, async () => {
        const t = await target(h.host, 80);
        if (typeof t === "string") return notRun(redirectHead, t);
        let answer: { status: number; location?: string };
        try {
            answer = await httpGet(h.host, h.path, t, options.timeoutMs);
        } catch (e) {
            return result(redirectHead, "fail", `no answer from ${t.address}:${t.port} (${(e as Error).message})`);
        }
        const redirects = [301, 302, 307, 308].includes(answer.status);
        const location = answer.location ?? "";
        const seen = `${answer.status}${location !== "" ? ` to ${location}` : ""}`;
        if (redirects && location.startsWith(`https://${h.host}`)) return result(redirectHead, "ok", seen);
        return result(redirectHead, "fail", redirects ? `${seen}: not to https://${h.host}` : `${seen}: served over plain HTTP, no redirect`);
    });

    const secure = (async (): Promise<Check[]> => {
        const t = await target(h.host, 443);
        if (typeof t === "string") return [notRun(certHead, t), notRun(hstsHead, t)];
        let answer: HttpsAnswer;
        try {
            answer = await httpsGet(h.host, h.path, t, trust, options.timeoutMs);
        } catch (e) {
            const why = `no TLS answer from ${t.address}:${t.port} for ${h.host} (${(e as Error).message})`;
            return [result(certHead, "fail", why), result(hstsHead, "fail", why)];
        }
        return [judgeCertificate(ctx, certHead, h.host, answer), judgeHsts(hstsHead, edge, answer)];
    })();

    return [...(await dns), ...(await redirect), ...(await secure)];
}

interface HttpsAnswer {
    readonly status: number;
    readonly hsts?: string;
    readonly certificate?: X509Certificate;
    readonly authorized: boolean;
    readonly authorizationError?: string;
}

function httpGet(host: string, path: string, t: Target, timeoutMs: number): Promise<{ status: number; location?: string }> {
    return new Promise((resolve, reject) => {
        const request = http.request({ host: t.address, port: t.port, path, method: "GET", headers: { host, "user-agent": "mesh-ingress-doctor" }, agent: false, timeout: timeoutMs }, (response) => {
            response.resume();
            const location = response.headers.location;
            resolve({ status: response.statusCode ?? 0, ...(location !== undefined ? { location } : {}) });
        });
        request.on("timeout", () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
        request.on("error", reject);
        request.end();
    });
}

function httpsGet(host: string, path: string, t: Target, trust: https.Agent, timeoutMs: number): Promise<HttpsAnswer> {
    return new Promise((resolve, reject) => {
        const request = https.request(
            {
                host: t.address,
                port: t.port,
                path,
                method: "GET",
                servername: host,
                headers: { host, "user-agent": "mesh-ingress-doctor" },
                agent: trust,
                timeout: timeoutMs,
            },
            (response) => {
                response.resume();
                const socket = response.socket as tls.TLSSocket;
                const certificate = socket.getPeerX509Certificate();
                const hsts = response.headers["strict-transport-security"];
                resolve({
                    status: response.statusCode ?? 0,
                    ...(typeof hsts === "string" ? { hsts } : {}),
                    ...(certificate !== undefined ? { certificate } : {}),
                    authorized: socket.authorized,
                    ...(socket.authorizationError !== undefined ? { authorizationError: String(socket.authorizationError) } : {}),
                });
            },
        );
        request.on("timeout", () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
        request.on("error", reject);
        request.end();
    });
}

function judgeCertificate(ctx: CheckContext, head: CheckHead, host: string, answer: HttpsAnswer): Check {
    const cert = answer.certificate;
    if (cert === undefined) return result(head, "fail", "no certificate presented");
    const issuer = cert.issuer.replace(/\n/g, ", ");
    const notAfter = new Date(cert.validTo);
    const notBefore = new Date(cert.validFrom);
    const days = Math.floor((notAfter.getTime() - ctx.now.getTime()) / 86400000);
    const names = cert.subjectAltName ?? cert.subject;
    const seen = `issued by ${issuer} for ${names}, valid until ${notAfter.toISOString().slice(0, 10)} (${days} days left)`;
    if (notAfter.getTime() <= ctx.now.getTime()) return result(head, "fail", `expired on ${notAfter.toISOString().slice(0, 10)}: issued by ${issuer} for ${names}`);
    if (notBefore.getTime() > ctx.now.getTime()) return result(head, "fail", `not valid before ${notBefore.toISOString()}: ${seen}`);
    if (cert.checkHost(host) === undefined) return result(head, "fail", `does not cover ${host}: ${seen}`);
    if (!answer.authorized) {
        if (/\(STAGING\)/.test(cert.issuer)) {
            const staging = ctx.expectation.tls.acmeEnvironment === "staging";
            return result(head, staging ? "warn" : "fail", `${seen}; Let's Encrypt staging, not trusted by browsers${staging ? " (acmeEnvironment is staging: docs/runbook.md section 7 moves to production)" : " although acmeEnvironment is production"}`, staging ? { case: null } : {});
        }
        return result(head, "fail", `not trusted (${answer.authorizationError ?? "unknown reason"}): ${seen}`);
    }
    return result(head, "ok", seen);
}

/** The HSTS directives of a header value. */
export function hstsDirectives(value: string): { maxAge?: number; includeSubdomains: boolean; preload: boolean } {
    const parts = value.split(";").map((p) => p.trim().toLowerCase());
    const maxAge = parts.map((p) => /^max-age="?(\d+)"?$/.exec(p)?.[1]).find((v) => v !== undefined);
    return { ...(maxAge !== undefined ? { maxAge: Number(maxAge) } : {}), includeSubdomains: parts.includes("includesubdomains"), preload: parts.includes("preload") };
}

function judgeHsts(head: CheckHead, edge: EdgeExpectation, answer: HttpsAnswer): Check {
    if (answer.hsts === undefined) return result(head, "fail", `no Strict-Transport-Security header (HTTP ${answer.status})`);
    const d = hstsDirectives(answer.hsts);
    const seen = `Strict-Transport-Security: ${answer.hsts}`;
    if (d.maxAge !== edge.hsts.maxAge) return result(head, "fail", `${seen}: max-age ${d.maxAge ?? "missing"}, configured ${edge.hsts.maxAge}`);
    if (d.includeSubdomains !== edge.hsts.includeSubdomains || d.preload !== edge.hsts.preload) return result(head, "warn", `${seen}: includeSubDomains/preload differ from the settings`);
    return result(head, "ok", seen);
}
