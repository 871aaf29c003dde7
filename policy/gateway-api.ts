import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { openToEveryone } from "./addresses";
import { at } from "./helpers";

/**
 * Rules for the Gateway API edge, the counterparts of the NGINX edge's: every host a
 * Gateway serves is under TLS, plain HTTP only redirects to HTTPS, HSTS is set, allowlists
 * never admit the whole address space, public hosts are rate-limited, the CRDs come from a
 * pinned standard-channel release and the WAF module is pinned. GRPCRoutes (standard
 * channel, v1) attach to HTTP and HTTPS listeners as HTTPRoutes do, so the rules on where
 * routes attach and on rate limits judge them too. Facts: Gateway API v1.5
 * (listeners, HTTPRoute filters, parentRefs/sectionName/port), istio/api (AuthorizationPolicy
 * sources, EnvoyFilter HTTP_ROUTE patches, WasmPlugin failStrategy), Istio's route names
 * for HTTPRoute and GRPCRoute rules (`<namespace>.<name>.<index>`, or the rule's name:
 * pilot/pkg/config/kube/gateway/conversion.go convertHTTPRoute and convertGRPCRoute, 1.30.3).
 */

type Json = Record<string, unknown>;

const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
/** HTTPRoute at each version the standard channel serves (v1.5.1 config/crd/standard: v1 and v1beta1). */
const httpRouteTypes = ["v1", "v1beta1"].map((v) => `kubernetes:gateway.networking.k8s.io/${v}:HTTPRoute`);
/**
 * GRPCRoute (gateway-api v1.5.1 apis/v1/grpcroute_types.go, standard channel, served as v1
 * only): the same CommonRouteSpec parentRefs as an HTTPRoute; on an HTTP listener it is
 * served as cleartext HTTP/2 (h2c). Its filters have no RequestRedirect, so it never redirects.
 */
const grpcRouteType = "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute";
/** The route kinds that attach to HTTP and HTTPS listeners, by type token. */
const routeKinds: Readonly<Record<string, string>> = { ...Object.fromEntries(httpRouteTypes.map((t) => [t, "HTTPRoute"])), [grpcRouteType]: "GRPCRoute" };
const authorizationPolicyTypes = ["kubernetes:security.istio.io/v1:AuthorizationPolicy", "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"];
const envoyFilterType = "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter";
const wasmPluginType = "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin";
const manifestTypes = ["kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml:ConfigFile", "kubernetes:yaml:ConfigGroup"];
const localRateLimit = "envoy.filters.http.local_ratelimit";

const isRecord = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const records = (v: unknown): Json[] => list(v).filter(isRecord);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const nameOf = (props: Json, fallback: string): string => text(at(props, "metadata.name")) ?? fallback;
const namespaceOf = (props: Json): string => text(at(props, "metadata.namespace")) ?? "default";

/** A stack resource as a stack policy reads it. */
interface StackResource {
    readonly type: string;
    readonly name: string;
    readonly props: Json;
}

/** True when every rule of an HTTPRoute only redirects to HTTPS. */
function redirectsOnlyToHttps(route: Json): boolean {
    const rules = records(at(route, "spec.rules"));
    return (
        rules.length > 0 &&
        rules.every((r) => {
            const filters = records(r["filters"]);
            return list(r["backendRefs"]).length === 0 && filters.some((f) => f["type"] === "RequestRedirect" && at(f, "requestRedirect.scheme") === "https");
        })
    );
}

/** A route's parent: a Gateway (`namespace/name`), with the listener name and port it selects (undefined: any). */
interface Parent {
    readonly gateway: string;
    readonly section: string | undefined;
    readonly port: number | undefined;
}

/** The Gateways (`namespace/name`), listener names and ports a route attaches to. */
function parentsOf(route: Json): Parent[] {
    return records(at(route, "spec.parentRefs"))
        .filter((p) => (p["kind"] ?? "Gateway") === "Gateway" && (p["group"] ?? "gateway.networking.k8s.io") === "gateway.networking.k8s.io")
        .map((p) => ({ gateway: `${text(p["namespace"]) ?? namespaceOf(route)}/${String(p["name"])}`, section: text(p["sectionName"]), port: typeof p["port"] === "number" ? p["port"] : undefined }));
}

/**
 * True when a parentRef selects a listener: by sectionName and by port, each when given
 * (ParentReference, apis/v1/shared_types.go: "When both Port and SectionName are specified,
 * the name and port of the selected listener must match both"; Istio 1.30.3 checks both,
 * pilot/pkg/config/kube/gateway/conversion.go).
 */
function selects(parent: Parent, listener: Json): boolean {
    return (parent.section === undefined || listener["name"] === parent.section) && (parent.port === undefined || listener["port"] === parent.port);
}

/** The routes (HTTPRoutes and GRPCRoutes) of a stack, each with its kind. */
function routesOf(resources: readonly StackResource[]): (StackResource & { kind: string })[] {
    return resources.filter((r) => r.type in routeKinds).map((r) => ({ ...r, kind: routeKinds[r.type]! }));
}

/** The Gateways of a stack by `namespace/name`. */
function gatewaysOf(resources: readonly StackResource[]): Map<string, Json> {
    return new Map(resources.filter((r) => r.type === gatewayType).map((r) => [`${namespaceOf(r.props)}/${nameOf(r.props, r.name)}`, r.props]));
}

/**
 * Every Gateway listener that carries a hostname terminates TLS with a certificate, and an
 * HTTPRoute on a plain-HTTP listener only redirects to HTTPS (otherwise the host is served
 * in clear). A GRPCRoute cannot redirect: on a plain-HTTP listener it serves in clear.
 */
export const gatewayTlsEveryHost: StackValidationPolicy = {
    name: "gateway-tls-every-host",
    description: "Every host a Gateway serves is under TLS: HTTPS listeners terminate TLS with a certificate, and routes on plain-HTTP listeners only redirect to HTTPS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const resources = args.resources as unknown as StackResource[];
        const gateways = gatewaysOf(resources);
        for (const [key, gateway] of gateways) {
            for (const l of records(at(gateway, "spec.listeners"))) {
                if (l["protocol"] !== "HTTPS") continue;
                const refs = records(at(l, "tls.certificateRefs"));
                if ((at(l, "tls.mode") ?? "Terminate") !== "Terminate" || refs.length === 0) {
                    report(`Gateway '${key}' listener '${String(l["name"])}' (${text(l["hostname"]) ?? "any host"}) does not terminate TLS with a certificate; set tls.mode: Terminate and a certificateRefs Secret.`);
                }
            }
        }
        for (const r of routesOf(resources)) {
            if (redirectsOnlyToHttps(r.props)) continue;
            for (const parent of parentsOf(r.props)) {
                const gateway = gateways.get(parent.gateway);
                if (!gateway) continue;
                const plain = records(at(gateway, "spec.listeners")).filter((l) => l["protocol"] === "HTTP" && selects(parent, l));
                for (const l of plain) {
                    report(
                        `${r.kind} '${namespaceOf(r.props)}/${nameOf(r.props, r.name)}' serves ${list(at(r.props, "spec.hostnames")).map(String).join(", ") || "its hosts"} on plain-HTTP listener '${String(l["name"])}' of Gateway '${parent.gateway}'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.`,
                    );
                }
            }
        }
    },
};

/** Every Gateway with HTTPS listeners also listens on HTTP port 80 and redirects it to HTTPS. */
export const gatewayHttpsRedirect: StackValidationPolicy = {
    name: "gateway-https-redirect",
    description: "Every Gateway with HTTPS listeners has an HTTP listener whose route redirects to HTTPS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const resources = args.resources as unknown as StackResource[];
        const routes = resources.filter((x) => httpRouteTypes.includes(x.type));
        for (const [key, gateway] of gatewaysOf(resources)) {
            const listeners = records(at(gateway, "spec.listeners"));
            if (!listeners.some((l) => l["protocol"] === "HTTPS")) continue;
            const http = listeners.filter((l) => l["protocol"] === "HTTP" && l["port"] === 80);
            const redirected = http.some((l) =>
                routes.some((r) => redirectsOnlyToHttps(r.props) && parentsOf(r.props).some((p) => p.gateway === key && selects(p, l))),
            );
            if (!redirected) {
                report(`Gateway '${key}' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.`);
            }
        }
    },
};

/**
 * Every Strict-Transport-Security value a rule would send (each ResponseHeaderModifier of the
 * rule and of its backendRefs, `set` and `add`: each may end up in the response), and
 * whether one of them removes the header.
 */
function hstsHeaders(rule: Json): { values: string[]; removed: boolean } {
    const filters = [...records(rule["filters"]), ...records(rule["backendRefs"]).flatMap((b) => records(b["filters"]))].filter((f) => f["type"] === "ResponseHeaderModifier");
    const isHsts = (name: unknown): boolean => String(name).toLowerCase() === "strict-transport-security";
    const values = filters.flatMap((f) => [...records(at(f, "responseHeaderModifier.set")), ...records(at(f, "responseHeaderModifier.add"))]).filter((h) => isHsts(h["name"])).map((h) => text(h["value"]) ?? "");
    const removed = filters.some((f) => list(at(f, "responseHeaderModifier.remove")).some(isHsts));
    return { values, removed };
}

/** Every rule of an HTTPRoute that serves a backend sets HSTS, and every HSTS value it sends has at least the configured max-age. */
export const gatewayRoutesSetHsts: ResourceValidationPolicy = {
    name: "gateway-routes-set-hsts",
    description: "Every HTTPRoute rule that serves a backend sets Strict-Transport-Security (ResponseHeaderModifier), and every such header it would send has at least the configured max-age.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minMaxAgeSeconds: { type: "integer", minimum: 0, default: 31536000, description: "Lowest HSTS max-age accepted (one year by default, as the article)." } } },
    validateResource: (args, report) => {
        if (!httpRouteTypes.includes(args.type)) return;
        const props = args.props as Json;
        const min = Number(args.getConfig<{ minMaxAgeSeconds: number }>().minMaxAgeSeconds);
        const route = `HTTPRoute '${namespaceOf(props)}/${nameOf(props, args.name)}'`;
        records(at(props, "spec.rules")).forEach((rule, i) => {
            if (list(rule["backendRefs"]).length === 0) return;
            const { values, removed } = hstsHeaders(rule);
            if (removed) report(`${route} rule ${i + 1} removes the Strict-Transport-Security header; HSTS comes from the edge's settings on every rule, never removed.`);
            if (values.length === 0) {
                if (!removed) report(`${route} rule ${i + 1} sets no Strict-Transport-Security header; add it with a ResponseHeaderModifier filter (max-age=${min} or more).`);
                return;
            }
            for (const value of values) {
                const maxAges = hstsMaxAges(value);
                if (maxAges.length !== 1) report(`${route} rule ${i + 1} sends Strict-Transport-Security '${value}' without a max-age; every HSTS header it sends needs max-age=${min} or more.`);
                else if (maxAges[0]! < min) report(`${route} rule ${i + 1} sets HSTS max-age=${maxAges[0]!}, below ${min}; raise it.`);
            }
        });
    },
};

/**
 * The max-age directives of a Strict-Transport-Security value, as a browser reads them
 * (RFC 6797 §6.1): directives split on ';', names case-insensitive, the value optionally
 * quoted; other directives (`x-max-age`) are ignored. A header with max-age twice, or none,
 * is invalid and sets no HSTS at all: callers want exactly one.
 */
export function hstsMaxAges(value: string): number[] {
    return value
        .split(";")
        .map((d) => /^\s*max-age\s*=\s*"?(\d+)"?\s*$/i.exec(d))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]));
}

const sourceFields = ["ipBlocks", "remoteIpBlocks", "notIpBlocks", "notRemoteIpBlocks"];

/**
 * No AuthorizationPolicy source admits or exempts everyone: the blocks of each source field
 * of a rule, read as one set of addresses (policy/addresses.ts), never cover all of IPv4 or
 * IPv6, however they are cut (an allowlist of 0.0.0.0/1 and 128.0.0.0/1 is no allowlist).
 */
export const gatewayAllowlistNotOpen: ResourceValidationPolicy = {
    name: "gateway-allowlist-not-open",
    description: "No AuthorizationPolicy source field (ipBlocks, remoteIpBlocks or their not- forms) covers all of IPv4 or IPv6, however its blocks are cut.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!authorizationPolicyTypes.includes(args.type)) return;
        const props = args.props as Json;
        records(at(props, "spec.rules")).forEach((rule, i) => {
            for (const from of records(rule["from"])) {
                for (const field of sourceFields) {
                    const open = openToEveryone(list(at(from, `source.${field}`)).map(String));
                    if (open !== undefined) {
                        report(`AuthorizationPolicy '${namespaceOf(props)}/${nameOf(props, args.name)}' rule ${i + 1} admits everyone in ${field}: ${open}; the allowlist admits the whole Internet; list the networks that may connect.`);
                    }
                }
            }
        });
    },
};

/** The per-client rate (requests per second) of a local rate-limit configuration, or undefined. */
function perClientRps(config: Json): number | undefined {
    const rates = records(config["descriptors"])
        .filter((d) => records(d["entries"]).some((e) => e["key"] === "remote_address"))
        .map((d) => {
            const tokens = Number(at(d, "token_bucket.tokens_per_fill") ?? 1);
            const seconds = Number(/^(\d+(?:\.\d+)?)s$/.exec(text(at(d, "token_bucket.fill_interval")) ?? "")?.[1] ?? NaN);
            return tokens / seconds;
        })
        .filter((r) => Number.isFinite(r));
    return rates.length > 0 ? Math.min(...rates) : undefined;
}

/**
 * Every public route (a host without an allowlist) of an HTTPRoute or GRPCRoute on a Gateway has a
 * per-client local rate limit, from an EnvoyFilter on that Gateway patching the route by
 * the name istiod gives it, no higher than the ceiling.
 */
export const gatewayPublicRoutesRateLimited: StackValidationPolicy = {
    name: "gateway-public-routes-rate-limited",
    description: "Every route of a public host on a Gateway has a per-client local rate limit (EnvoyFilter on the Gateway) no higher than the configured ceiling.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxRps: { type: "number", exclusiveMinimum: 0, default: 100, description: "Highest per-client requests per second (per gateway replica) that still counts as a limit." } } },
    validateStack: (args, report) => {
        const resources = args.resources as unknown as StackResource[];
        const max = Number(args.getConfig<{ maxRps: number }>().maxRps);
        const gateways = gatewaysOf(resources);
        const allowlisted = new Set(
            resources
                .filter((r) => authorizationPolicyTypes.includes(r.type) && at(r.props, "spec.action") === "DENY")
                .flatMap((r) => records(at(r.props, "spec.rules")))
                // Only a restricting source makes a host allowlisted: blocks that are everyone (however cut) do not.
                .filter((rule) => records(rule["from"]).some((f) => ["notIpBlocks", "notRemoteIpBlocks"].some((k) => list(at(f, `source.${k}`)).length > 0 && openToEveryone(list(at(f, `source.${k}`)).map(String)) === undefined)))
                .flatMap((rule) => records(rule["to"]).flatMap((t) => list(at(t, "operation.hosts")).map(String))),
        );
        const limits = new Map<string, Json>();
        for (const f of resources.filter((r) => r.type === envoyFilterType)) {
            for (const patch of records(at(f.props, "spec.configPatches"))) {
                const route = text(at(patch, "match.routeConfiguration.vhost.route.name"));
                // The filter's name has dots, so it is read as one key.
                const perFilter = at(patch, "patch.value.typed_per_filter_config");
                const config = isRecord(perFilter) ? perFilter[localRateLimit] : undefined;
                if (patch["applyTo"] === "HTTP_ROUTE" && route && isRecord(config)) limits.set(route, config);
            }
        }
        for (const r of routesOf(resources)) {
            if (redirectsOnlyToHttps(r.props) || !parentsOf(r.props).some((p) => gateways.has(p.gateway))) continue;
            const hosts = list(at(r.props, "spec.hostnames")).map(String);
            if (hosts.length > 0 && hosts.every((h) => allowlisted.has(h))) continue;
            const route = `${namespaceOf(r.props)}/${nameOf(r.props, r.name)}`;
            records(at(r.props, "spec.rules")).forEach((rule, i) => {
                const envoyName = text(rule["name"]) ?? `${namespaceOf(r.props)}.${nameOf(r.props, r.name)}.${i}`;
                const config = limits.get(envoyName);
                const rps = config ? perClientRps(config) : undefined;
                if (rps === undefined) {
                    report(`${r.kind} '${route}' rule ${i + 1} (route '${envoyName}') serves ${hosts.length > 0 ? `public host(s) ${hosts.join(", ")}` : "every host of its listeners"} without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).`);
                } else if (rps > max) {
                    report(`${r.kind} '${route}' rule ${i + 1} (route '${envoyName}') allows ${rps} requests per second per client, above the ceiling of ${max}; lower the profile's rps/rpm.`);
                }
            });
        }
    },
};

const releasePattern = /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v\d+\.\d+\.\d+\/standard-install\.yaml$/;

/** The CustomResourceDefinitions of the Gateway API in a YAML stream, with the channel each one is annotated with. */
function gatewayApiCrdChannels(yaml: string): { name: string; channel: string | undefined }[] {
    return yaml
        // A document marker may carry a comment ("--- # gateways"): YAML 1.2, c-directives-end s-l-comments.
        .split(/^---(?:[ \t].*)?$/m)
        .filter((doc) => /^kind:\s*CustomResourceDefinition\s*$/m.test(doc) && /^\s+group:\s*gateway\.networking\.k8s\.io\s*$/m.test(doc))
        .map((doc) => ({
            name: /^\s{2}name:\s*(\S+)\s*$/m.exec(doc)?.[1] ?? "(unnamed)",
            channel: /gateway\.networking\.k8s\.io\/channel:\s*"?([a-z]+)"?/.exec(doc)?.[1],
        }));
}

/**
 * Gateway API CRDs are applied from content the program checked against the SHA-256 in
 * its settings (`yaml`), never from a URL the provider downloads without a digest, and only
 * from the standard channel: every Gateway API CRD of the content is annotated
 * `gateway.networking.k8s.io/channel: standard` (experimental CRDs cannot be replaced by
 * standard ones later).
 */
export const gatewayApiCrdsPinnedStandard: ResourceValidationPolicy = {
    name: "gateway-api-crds-pinned-standard",
    description: "Gateway API CRDs are applied from checked content (never a URL the provider downloads unchecked) of a release's standard channel.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!manifestTypes.includes(args.type)) return;
        const props = args.props as Json;
        const files = [...(typeof props["file"] === "string" ? [props["file"]] : []), ...list(props["files"]).map(String)];
        for (const file of files.filter((f) => f.includes("kubernetes-sigs/gateway-api") || f.includes("gateway-api/releases"))) {
            if (!releasePattern.test(file)) {
                report(`${args.type} '${args.name}' applies Gateway API CRDs from ${file}; use a release's standard channel, https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml (experimental CRDs cannot be replaced by standard ones later, and an unpinned URL changes under you).`);
            } else {
                report(`${args.type} '${args.name}' applies Gateway API CRDs from ${file}, which the provider downloads without checking a digest; apply the content the program checked against gatewayApiCrdsSha256 (the yaml input) instead.`);
            }
        }
        const yaml = [...(typeof props["yaml"] === "string" ? [props["yaml"]] : []), ...list(props["yaml"]).filter((y): y is string => typeof y === "string")].join("\n---\n");
        const notStandard = gatewayApiCrdChannels(yaml).filter((c) => c.channel !== "standard");
        if (notStandard.length > 0) {
            report(`${args.type} '${args.name}' applies Gateway API CRDs outside the standard channel (${notStandard.map((c) => `${c.name}: ${c.channel ?? "no channel"}`).join(", ")}); apply a release's standard-install.yaml (experimental CRDs cannot be replaced by standard ones later).`);
        }
    },
};

/**
 * The WAF module comes over oci:// or https:// (never plain http, nor a local file whose
 * checksum Istio does not check), pinned by its SHA-256 in `spec.sha256` (istio-agent checks
 * it before the gateway loads the module: for oci the image manifest's digest, for https the
 * file's), by a tag other than latest; and a WAF that fails open is reported.
 */
export const gatewayWafPinned: ResourceValidationPolicy = {
    name: "gateway-waf-pinned",
    description: "A WasmPlugin's module comes over oci:// or https://, is pinned by spec.sha256 (and a tag other than latest), and a WAF that fails open is reported.",
    enforcementLevel: "mandatory",
    validateResource: (args, report: ReportViolation) => {
        if (args.type !== wasmPluginType) return;
        const props = args.props as Json;
        const name = `${namespaceOf(props)}/${nameOf(props, args.name)}`;
        const url = text(at(props, "spec.url")) ?? "";
        const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase() ?? "oci";
        const oci = scheme === "oci";
        const reference = url.replace(/^oci:\/\//, "");
        const pinned = !oci || reference.includes("@sha256:") || (/:[^/:]+$/.test(reference) && !reference.endsWith(":latest"));
        if (scheme !== "oci" && scheme !== "https") report(`WasmPlugin '${name}' loads ${url} over ${scheme}://; load modules over oci:// or https:// only (a file:// module's checksum is never checked, http:// can be altered on the way).`);
        if (!pinned) report(`WasmPlugin '${name}' loads ${url} without a pinned tag or digest; pin it (for example coraza-proxy-wasm:0.5.0 or @sha256:...), so every gateway pod runs the same module.`);
        const sha256 = text(at(props, "spec.sha256")) ?? "";
        const inUrl = /@sha256:([a-f0-9]{64})/.exec(url)?.[1];
        if (!/^[a-f0-9]{64}$/.test(sha256)) {
            report(`WasmPlugin '${name}' loads ${url} without spec.sha256; set the module's SHA-256 (the image manifest's digest for oci://, the file's for https://) so istio-agent refuses any other module.`);
        } else if (inUrl !== undefined && inUrl !== sha256) {
            report(`WasmPlugin '${name}' pins @sha256:${inUrl} in its url but spec.sha256 ${sha256}; istio-agent refuses the module when they differ: use one digest.`);
        }
        if (at(props, "spec.failStrategy") === "FAIL_OPEN") report(`WasmPlugin '${name}' fails open: when the module cannot load, requests pass uninspected; use FAIL_CLOSE for a WAF (or, to accept the risk, set this policy to advisory).`);
    },
};

/** The Gateway API edge's policies, in the order the pack lists them. */
export const gatewayApiPolicies = [gatewayTlsEveryHost, gatewayHttpsRedirect, gatewayRoutesSetHsts, gatewayAllowlistNotOpen, gatewayPublicRoutesRateLimited, gatewayApiCrdsPinnedStandard, gatewayWafPinned] as const;
