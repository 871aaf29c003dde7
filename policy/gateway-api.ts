import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as ipaddr from "ipaddr.js";
import { at } from "./helpers";

/**
 * Rules for the Gateway API edge, the counterparts of the NGINX edge's: every host a
 * Gateway serves is under TLS, plain HTTP only redirects to HTTPS, HSTS is set, allowlists
 * never admit the whole address space, public hosts are rate-limited, the CRDs come from a
 * pinned standard-channel release and the WAF module is pinned. Facts: Gateway API v1.5
 * (listeners, HTTPRoute filters, parentRefs/sectionName), istio/api (AuthorizationPolicy
 * sources, EnvoyFilter HTTP_ROUTE patches, WasmPlugin failStrategy), Istio's route names
 * for HTTPRoute rules (`<namespace>.<name>.<index>`, or the rule's name).
 */

type Json = Record<string, unknown>;

const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const httpRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
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

/** The Gateways (`namespace/name`) and listener names an HTTPRoute attaches to (an undefined section means every listener). */
function parentsOf(route: Json): { gateway: string; section: string | undefined }[] {
    return records(at(route, "spec.parentRefs"))
        .filter((p) => (p["kind"] ?? "Gateway") === "Gateway" && (p["group"] ?? "gateway.networking.k8s.io") === "gateway.networking.k8s.io")
        .map((p) => ({ gateway: `${text(p["namespace"]) ?? namespaceOf(route)}/${String(p["name"])}`, section: text(p["sectionName"]) }));
}

/** The Gateways of a stack by `namespace/name`. */
function gatewaysOf(resources: readonly StackResource[]): Map<string, Json> {
    return new Map(resources.filter((r) => r.type === gatewayType).map((r) => [`${namespaceOf(r.props)}/${nameOf(r.props, r.name)}`, r.props]));
}

/**
 * Every Gateway listener that carries a hostname terminates TLS with a certificate, and an
 * HTTPRoute on a plain-HTTP listener only redirects to HTTPS (otherwise the host is served
 * in clear).
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
        for (const r of resources.filter((x) => x.type === httpRouteType)) {
            if (redirectsOnlyToHttps(r.props)) continue;
            for (const parent of parentsOf(r.props)) {
                const gateway = gateways.get(parent.gateway);
                if (!gateway) continue;
                const plain = records(at(gateway, "spec.listeners")).filter((l) => l["protocol"] === "HTTP" && (parent.section === undefined || l["name"] === parent.section));
                for (const l of plain) {
                    report(
                        `HTTPRoute '${namespaceOf(r.props)}/${nameOf(r.props, r.name)}' serves ${list(at(r.props, "spec.hostnames")).map(String).join(", ") || "its hosts"} on plain-HTTP listener '${String(l["name"])}' of Gateway '${parent.gateway}'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.`,
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
        const routes = resources.filter((x) => x.type === httpRouteType);
        for (const [key, gateway] of gatewaysOf(resources)) {
            const listeners = records(at(gateway, "spec.listeners"));
            if (!listeners.some((l) => l["protocol"] === "HTTPS")) continue;
            const http = listeners.filter((l) => l["protocol"] === "HTTP" && l["port"] === 80);
            const redirected = http.some((l) =>
                routes.some((r) => redirectsOnlyToHttps(r.props) && parentsOf(r.props).some((p) => p.gateway === key && (p.section === undefined || p.section === l["name"]))),
            );
            if (!redirected) {
                report(`Gateway '${key}' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.`);
            }
        }
    },
};

/** The HSTS max-age an HTTPRoute rule sets, or undefined. */
function hstsMaxAge(rule: Json): number | undefined {
    for (const f of records(rule["filters"])) {
        if (f["type"] !== "ResponseHeaderModifier") continue;
        const headers = [...records(at(f, "responseHeaderModifier.set")), ...records(at(f, "responseHeaderModifier.add"))];
        const hsts = headers.find((h) => String(h["name"]).toLowerCase() === "strict-transport-security");
        const match = /max-age=(\d+)/i.exec(text(hsts?.["value"]) ?? "");
        if (match) return Number(match[1]);
    }
    return undefined;
}

/** Every rule of an HTTPRoute that serves a backend sets HSTS with at least the configured max-age. */
export const gatewayRoutesSetHsts: ResourceValidationPolicy = {
    name: "gateway-routes-set-hsts",
    description: "Every HTTPRoute rule that serves a backend sets Strict-Transport-Security (ResponseHeaderModifier) with at least the configured max-age.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minMaxAgeSeconds: { type: "integer", minimum: 0, default: 31536000, description: "Lowest HSTS max-age accepted (one year by default, as the article)." } } },
    validateResource: (args, report) => {
        if (args.type !== httpRouteType) return;
        const props = args.props as Json;
        const min = Number(args.getConfig<{ minMaxAgeSeconds: number }>().minMaxAgeSeconds);
        records(at(props, "spec.rules")).forEach((rule, i) => {
            if (list(rule["backendRefs"]).length === 0) return;
            const age = hstsMaxAge(rule);
            if (age === undefined) report(`HTTPRoute '${namespaceOf(props)}/${nameOf(props, args.name)}' rule ${i + 1} sets no Strict-Transport-Security header; add it with a ResponseHeaderModifier filter (max-age=${min} or more).`);
            else if (age < min) report(`HTTPRoute '${namespaceOf(props)}/${nameOf(props, args.name)}' rule ${i + 1} sets HSTS max-age=${age}, below ${min}; raise it.`);
        });
    },
};

const sourceFields = ["ipBlocks", "remoteIpBlocks", "notIpBlocks", "notRemoteIpBlocks"];

/** True for a block that holds every address of its family (0.0.0.0/0, ::/0). */
function catchAll(block: string): boolean {
    try {
        const [, bits] = block.includes("/") ? ipaddr.parseCIDR(block) : [ipaddr.parse(block), 32];
        return bits === 0;
    } catch {
        return false;
    }
}

/** No AuthorizationPolicy source admits or exempts the whole address space (an allowlist of 0.0.0.0/0 is no allowlist). */
export const gatewayAllowlistNotOpen: ResourceValidationPolicy = {
    name: "gateway-allowlist-not-open",
    description: "No AuthorizationPolicy source block (ipBlocks, remoteIpBlocks or their not- forms) is 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!authorizationPolicyTypes.includes(args.type)) return;
        const props = args.props as Json;
        records(at(props, "spec.rules")).forEach((rule, i) => {
            for (const from of records(rule["from"])) {
                for (const field of sourceFields) {
                    const open = list(at(from, `source.${field}`)).map(String).filter(catchAll);
                    if (open.length > 0) {
                        report(`AuthorizationPolicy '${namespaceOf(props)}/${nameOf(props, args.name)}' rule ${i + 1} lists ${open.join(", ")} in ${field}, which covers every client: the allowlist admits the whole Internet; list the networks that may connect.`);
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
 * Every public route (a host without an allowlist) of an HTTPRoute on a Gateway has a
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
                .filter((rule) => records(rule["from"]).some((f) => list(at(f, "source.notIpBlocks")).length > 0 || list(at(f, "source.notRemoteIpBlocks")).length > 0))
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
        for (const r of resources.filter((x) => x.type === httpRouteType)) {
            if (redirectsOnlyToHttps(r.props) || !parentsOf(r.props).some((p) => gateways.has(p.gateway))) continue;
            const hosts = list(at(r.props, "spec.hostnames")).map(String);
            if (hosts.length > 0 && hosts.every((h) => allowlisted.has(h))) continue;
            const route = `${namespaceOf(r.props)}/${nameOf(r.props, r.name)}`;
            records(at(r.props, "spec.rules")).forEach((rule, i) => {
                const envoyName = text(rule["name"]) ?? `${namespaceOf(r.props)}.${nameOf(r.props, r.name)}.${i}`;
                const config = limits.get(envoyName);
                const rps = config ? perClientRps(config) : undefined;
                if (rps === undefined) {
                    report(`HTTPRoute '${route}' rule ${i + 1} (route '${envoyName}') serves public host(s) ${hosts.join(", ")} without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).`);
                } else if (rps > max) {
                    report(`HTTPRoute '${route}' rule ${i + 1} (route '${envoyName}') allows ${rps} requests per second per client, above the ceiling of ${max}; lower the profile's rps/rpm.`);
                }
            });
        }
    },
};

const releasePattern = /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v\d+\.\d+\.\d+\/standard-install\.yaml$/;

/** Gateway API CRDs applied from a URL come from a pinned release's standard channel. */
export const gatewayApiCrdsPinnedStandard: ResourceValidationPolicy = {
    name: "gateway-api-crds-pinned-standard",
    description: "Gateway API CRDs applied from a URL come from a pinned release's standard-channel manifest (standard-install.yaml), never experimental or an unpinned branch.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!manifestTypes.includes(args.type)) return;
        const props = args.props as Json;
        const files = [...(typeof props["file"] === "string" ? [props["file"]] : []), ...list(props["files"]).map(String)];
        for (const file of files.filter((f) => f.includes("kubernetes-sigs/gateway-api") || f.includes("gateway-api/releases"))) {
            if (!releasePattern.test(file)) {
                report(`${args.type} '${args.name}' applies Gateway API CRDs from ${file}; use a release's standard channel, https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml (experimental CRDs cannot be replaced by standard ones later, and an unpinned URL changes under you).`);
            }
        }
    },
};

/** The WAF module is pinned, and its failure mode is a choice the policy makes visible. */
export const gatewayWafPinned: ResourceValidationPolicy = {
    name: "gateway-waf-pinned",
    description: "A WasmPlugin's module is pinned (a tag other than latest, or a digest), and a WAF that fails open is reported.",
    enforcementLevel: "mandatory",
    validateResource: (args, report: ReportViolation) => {
        if (args.type !== wasmPluginType) return;
        const props = args.props as Json;
        const name = `${namespaceOf(props)}/${nameOf(props, args.name)}`;
        const url = text(at(props, "spec.url")) ?? "";
        const oci = url.startsWith("oci://") || !url.includes("://");
        const reference = url.replace(/^oci:\/\//, "");
        const pinned = !oci || reference.includes("@sha256:") || (/:[^/:]+$/.test(reference) && !reference.endsWith(":latest"));
        if (!pinned) report(`WasmPlugin '${name}' loads ${url} without a pinned tag or digest; pin it (for example coraza-proxy-wasm:0.5.0 or @sha256:...), so every gateway pod runs the same module.`);
        if (at(props, "spec.failStrategy") === "FAIL_OPEN") report(`WasmPlugin '${name}' fails open: when the module cannot load, requests pass uninspected; use FAIL_CLOSE for a WAF (or, to accept the risk, set this policy to advisory).`);
    },
};

/** The Gateway API edge's policies, in the order the pack lists them. */
export const gatewayApiPolicies = [gatewayTlsEveryHost, gatewayHttpsRedirect, gatewayRoutesSetHsts, gatewayAllowlistNotOpen, gatewayPublicRoutesRateLimited, gatewayApiCrdsPinnedStandard, gatewayWafPinned] as const;
