import { stringify } from "yaml";
import { hostSlug } from "../../config/dns-names";
import { awsNlbAnnotations } from "./ingress-controller";
import { publicPathAnnotation, type EffectiveProfile, type Route, type RouteGroup } from "./routing";

/**
 * The Gateway API edge's objects, as pure functions of the implementation-neutral routing
 * table (components/edge/routing.ts) and the edge settings. Each field was checked against
 * the Gateway API v1.5 standard channel, Istio 1.30's gateway deployment controller
 * (pilot/pkg/config/kube/gatewaycommon: `spec.infrastructure`, the `parametersRef`
 * ConfigMap's overlay keys, HPA and PDB rendered only with an overlay), and istio/api
 * (AuthorizationPolicy, EnvoyFilter and WasmPlugin with `targetRefs` to a Gateway).
 */

/** The Gateway's name; istiod names the Deployment, Service and ServiceAccount `<name>-istio`. */
export const gatewayName = "edge";
/** The ConfigMap `spec.infrastructure.parametersRef` names. */
export const gatewayOptionsName = `${gatewayName}-options`;
/** The listener that only redirects to HTTPS. */
export const httpListenerName = "http";
/** The label istiod puts on the gateway's pods. */
export const gatewayNameLabel = "gateway.networking.k8s.io/gateway-name";
/** The Gateway API group. */
export const gatewayGroup = "gateway.networking.k8s.io";
/** The local rate-limit filter's name in Envoy. */
export const localRateLimitFilter = "envoy.filters.http.local_ratelimit";
const localRateLimitType = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
/** The annotation that asks the AWS Load Balancer Controller for proxy protocol v2 on every port. */
export const awsProxyProtocolAnnotation = "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol";
/** ingress-nginx's default `limit-burst-multiplier`, used when a profile sets none. */
export const defaultBurstMultiplier = 5;

/** The HTTPS listener of a host. */
export function httpsListenerName(host: string): string {
    return `https-${hostSlug(host)}`;
}

/** One host the Gateway serves, and the Secret (in the Gateway's namespace) holding its certificate. */
export interface GatewayHost {
    readonly host: string;
    readonly secretName: string;
    /** The namespaces whose HTTPRoutes may attach to the host's listener. */
    readonly routeNamespaces: readonly string[];
}

/**
 * How the gateway learns the client's address. `packet-source`: the load balancer keeps the
 * client's address on the packets (NLB IP targets with `preserve_client_ip.enabled=true`,
 * `externalTrafficPolicy: Local` for node targets), read as the connection's peer
 * (`ipBlocks`). `proxy-protocol`: the load balancer sends a PROXY v2 header, which the
 * gateway reads (`gatewayTopology.proxyProtocol`) before anything else (`remoteIpBlocks`).
 */
export type ClientAddress = "packet-source" | "proxy-protocol";

/** What the Gateway's infrastructure and the options ConfigMap are made of. */
export interface GatewayOptions {
    readonly namespace: string;
    readonly loadBalancer: "aws-nlb" | "hostname" | "ip";
    readonly serviceAnnotations: Readonly<Record<string, string>>;
    readonly autoscaling: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCpuUtilization: number };
    readonly resources: { readonly cpuRequest: string; readonly memoryRequest: string; readonly cpuLimit: string; readonly memoryLimit: string };
}

/** The load balancer annotations of the gateway's Service (`spec.infrastructure.annotations`). */
export function loadBalancerAnnotations(o: Pick<GatewayOptions, "loadBalancer" | "serviceAnnotations">): Record<string, string> {
    return { ...(o.loadBalancer === "aws-nlb" ? awsNlbAnnotations : {}), ...o.serviceAnnotations };
}

/** How the client address reaches the gateway with these annotations. */
export function clientAddressOf(o: Pick<GatewayOptions, "loadBalancer" | "serviceAnnotations">): ClientAddress {
    return loadBalancerAnnotations(o)[awsProxyProtocolAnnotation] === "*" ? "proxy-protocol" : "packet-source";
}

/**
 * `spec.infrastructure.annotations`: istiod copies them onto the gateway's Service,
 * Deployment, pod template, ServiceAccount, HPA and PDB (and, because they are set, never
 * the Gateway's own annotations). With proxy protocol the pods also get the proxy
 * configuration that makes Envoy read the PROXY header.
 */
export function infrastructureAnnotations(o: Pick<GatewayOptions, "loadBalancer" | "serviceAnnotations">): Record<string, string> {
    const annotations = loadBalancerAnnotations(o);
    if (clientAddressOf(o) === "proxy-protocol") annotations["proxy.istio.io/config"] = JSON.stringify({ gatewayTopology: { proxyProtocol: {} } });
    return annotations;
}

const podSelector = { matchLabels: { [gatewayNameLabel]: gatewayName } };

/**
 * The `parametersRef` ConfigMap: strategic-merge overlays istiod applies to the objects it
 * renders for the Gateway (keys `deployment`, `service`, `horizontalPodAutoscaler`,
 * `podDisruptionBudget`). The HPA and PDB exist only because these overlays exist (the
 * template's HPA alone has `maxReplicas: 1`). The Deployment gets no `replicas`: the HPA
 * owns the count. The Service keeps client addresses (`externalTrafficPolicy: Local`, the
 * field the template leaves out).
 */
export function optionsConfigMapObject(o: GatewayOptions): Record<string, unknown> {
    const spread = (topologyKey: string): Record<string, unknown> => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "ScheduleAnyway", labelSelector: podSelector });
    const deployment = {
        spec: {
            template: {
                spec: {
                    containers: [
                        {
                            name: "istio-proxy",
                            resources: {
                                requests: { cpu: o.resources.cpuRequest, memory: o.resources.memoryRequest },
                                limits: { cpu: o.resources.cpuLimit, memory: o.resources.memoryLimit },
                            },
                        },
                    ],
                    affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: podSelector } }] } },
                    topologySpreadConstraints: [spread("kubernetes.io/hostname"), spread("topology.kubernetes.io/zone")],
                },
            },
        },
    };
    const hpa = {
        spec: {
            minReplicas: o.autoscaling.minReplicas,
            maxReplicas: o.autoscaling.maxReplicas,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: o.autoscaling.targetCpuUtilization } } }],
        },
    };
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: gatewayOptionsName, namespace: o.namespace },
        data: {
            deployment: stringify(deployment),
            service: stringify({ spec: { externalTrafficPolicy: "Local" } }),
            horizontalPodAutoscaler: stringify(hpa),
            podDisruptionBudget: stringify({ spec: { maxUnavailable: 1 } }),
        },
    };
}

/**
 * The Gateway: class `istio` (istiod deploys it), one HTTPS listener per host with the
 * certificate from the Gateway's namespace and routes allowed only from that host's
 * namespaces, and one HTTP listener whose only route redirects to HTTPS. No cert-manager
 * annotation: the program issues the Certificates itself (cert-manager's Gateway shim would
 * create a second Certificate for each referenced Secret). `pulumi up` waits until istiod
 * reports the Gateway `Programmed` (its load balancer has an address).
 */
export function gatewayObject(o: GatewayOptions & { readonly hosts: readonly GatewayHost[] }): Record<string, unknown> {
    const httpRoutes = [{ group: gatewayGroup, kind: "HTTPRoute" }];
    return {
        apiVersion: `${gatewayGroup}/v1`,
        kind: "Gateway",
        metadata: { name: gatewayName, namespace: o.namespace, annotations: { "pulumi.com/waitFor": "condition=Programmed" } },
        spec: {
            gatewayClassName: "istio",
            infrastructure: {
                annotations: infrastructureAnnotations(o),
                parametersRef: { group: "", kind: "ConfigMap", name: gatewayOptionsName },
            },
            listeners: [
                { name: httpListenerName, port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" }, kinds: httpRoutes } },
                ...o.hosts.map((h) => ({
                    name: httpsListenerName(h.host),
                    hostname: h.host,
                    port: 443,
                    protocol: "HTTPS",
                    tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: h.secretName }] },
                    allowedRoutes: {
                        namespaces: {
                            from: "Selector",
                            selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...new Set(h.routeNamespaces)].sort() }] },
                        },
                        kinds: httpRoutes,
                    },
                })),
            ],
        },
    };
}

/** The HSTS header value of the edge settings. */
export function hstsValue(hsts: { readonly maxAgeSeconds: number; readonly includeSubdomains: boolean; readonly preload: boolean }): string {
    return [`max-age=${hsts.maxAgeSeconds}`, ...(hsts.includeSubdomains ? ["includeSubDomains"] : []), ...(hsts.preload ? ["preload"] : [])].join("; ");
}

/** The HTTPRoute rule of one route: its path, the response headers, its backend. */
function ruleOf(route: Route, headers: readonly { name: string; value: string }[]): Record<string, unknown> {
    return {
        matches: [{ path: { type: route.pathType === "Exact" ? "Exact" : "PathPrefix", value: route.path } }],
        filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: headers.map((h) => ({ ...h })) } }],
        backendRefs: [{ group: "", kind: "Service", name: route.service, port: route.port }],
    };
}

/**
 * The HTTPRoute of a group of paths, in the backends' namespace (no ReferenceGrant needed),
 * attached to its host's HTTPS listener: one rule per path, each setting HSTS and the
 * group's response headers (`ResponseHeaderModifier`, the Ingress's custom-headers).
 */
export function httpRouteObject(group: RouteGroup, o: { readonly gatewayNamespace: string; readonly hsts: string }): Record<string, unknown> {
    const headers = [{ name: "Strict-Transport-Security", value: o.hsts }, ...Object.entries(group.responseHeaders ?? {}).map(([name, value]) => ({ name, value }))];
    return {
        apiVersion: `${gatewayGroup}/v1`,
        kind: "HTTPRoute",
        metadata: { name: group.name, namespace: group.namespace, ...(group.public ? { annotations: { [publicPathAnnotation]: "true" } } : {}) },
        spec: {
            parentRefs: [{ group: gatewayGroup, kind: "Gateway", namespace: o.gatewayNamespace, name: gatewayName, sectionName: httpsListenerName(group.host) }],
            hostnames: [group.host],
            rules: group.routes.map((r) => ruleOf(r, headers)),
        },
    };
}

/** The name of the Envoy route istiod builds for rule `index` of a group's HTTPRoute (`<namespace>.<name>.<index>` when the rule has no name). */
export function envoyRouteName(group: RouteGroup, index: number): string {
    return `${group.namespace}.${group.name}.${index}`;
}

/**
 * The only route of the HTTP listener: every request is redirected to HTTPS (301, Gateway
 * API core support), whatever its host. A health check on port 80 therefore sees a 3xx,
 * which Route53 counts as healthy.
 */
export function redirectRouteObject(namespace: string): Record<string, unknown> {
    return {
        apiVersion: `${gatewayGroup}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "https-redirect", namespace },
        spec: {
            parentRefs: [{ group: gatewayGroup, kind: "Gateway", name: gatewayName, sectionName: httpListenerName }],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
    };
}

const targetGateway = [{ group: gatewayGroup, kind: "Gateway", name: gatewayName }];

/** Istio path patterns of a route: an exact path, or a prefix and everything under it. */
function pathPatterns(route: Pick<Route, "path" | "pathType">): string[] {
    if (route.pathType === "Exact") return [route.path];
    return route.path === "/" ? ["/*"] : [route.path, `${route.path}/*`];
}

/** True when `inner` lies strictly under the prefix `outer` (path elements, as PathPrefix matches). */
function nestedUnder(inner: string, outer: string): boolean {
    return outer === "/" ? inner !== "/" : inner.startsWith(`${outer}/`);
}

/**
 * The allowlists as one DENY AuthorizationPolicy on the Gateway: for each group of paths
 * with an allowlist, requests to its host and paths from addresses outside the list are
 * denied (a DENY rule, so hosts without an allowlist stay open; an ALLOW policy would
 * close them). A group's rule leaves out the paths of the host's more specific groups, as
 * the longest prefix decides which group serves a request. The client address is the
 * connection's (`notIpBlocks`) or, with proxy protocol, the PROXY header's
 * (`notRemoteIpBlocks`).
 */
export function allowlistPolicyObject(groups: readonly RouteGroup[], o: { readonly namespace: string; readonly clientAddress: ClientAddress }): Record<string, unknown> | undefined {
    const rules = groups
        .filter((g) => (g.profile?.allowlist ?? []).length > 0)
        .map((g) => {
            const own = g.routes.flatMap(pathPatterns);
            const others = groups
                .filter((x) => x.host === g.host && x !== g)
                .flatMap((x) => x.routes)
                .filter((r) => g.routes.some((mine) => mine.pathType !== "Exact" && nestedUnder(r.path, mine.path)))
                .flatMap(pathPatterns);
            const source = o.clientAddress === "proxy-protocol" ? { notRemoteIpBlocks: [...g.profile!.allowlist!] } : { notIpBlocks: [...g.profile!.allowlist!] };
            return {
                from: [{ source }],
                to: [{ operation: { hosts: [g.host, `${g.host}:*`], paths: own, ...(others.length > 0 ? { notPaths: others } : {}) } }],
            };
        });
    if (rules.length === 0) return undefined;
    return {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: `${gatewayName}-allowlist`, namespace: o.namespace },
        spec: { targetRefs: targetGateway, action: "DENY", rules },
    };
}

/** A token bucket of `rate` requests per `seconds`, holding `rate × multiplier` (the burst). */
function bucket(rate: number, seconds: number, multiplier: number): Record<string, unknown> {
    return { max_tokens: rate * multiplier, tokens_per_fill: rate, fill_interval: `${seconds}s` };
}

/**
 * The per-route local rate limit of a profile: one token bucket per client address
 * (dynamic descriptors: the empty descriptor value makes one bucket per distinct address,
 * at most `max_dynamic_descriptors`, least recently used evicted) for requests per second
 * and, separately, per minute, each with a burst of rate × burstMultiplier, as
 * ingress-nginx's limit-rps, limit-rpm and limit-burst-multiplier. Per gateway pod.
 */
export function localRateLimitConfig(profile: EffectiveProfile): Record<string, unknown> | undefined {
    if (profile.rps === undefined && profile.rpm === undefined) return undefined;
    const multiplier = profile.burstMultiplier ?? defaultBurstMultiplier;
    const rateLimits: Record<string, unknown>[] = [];
    const descriptors: Record<string, unknown>[] = [];
    if (profile.rps !== undefined) {
        rateLimits.push({ actions: [{ remote_address: {} }] });
        descriptors.push({ entries: [{ key: "remote_address", value: "" }], token_bucket: bucket(profile.rps, 1, multiplier) });
    }
    if (profile.rpm !== undefined) {
        rateLimits.push({ actions: [{ generic_key: { descriptor_key: "window", descriptor_value: "minute" } }, { remote_address: {} }] });
        descriptors.push({ entries: [{ key: "window", value: "minute" }, { key: "remote_address", value: "" }], token_bucket: bucket(profile.rpm, 60, multiplier) });
    }
    const percent = (key: string): Record<string, unknown> => ({ runtime_key: key, default_value: { numerator: 100, denominator: "HUNDRED" } });
    return {
        "@type": localRateLimitType,
        stat_prefix: "http_local_rate_limiter",
        // Every request matches a per-address descriptor, so this bucket is never drawn from.
        token_bucket: profile.rps !== undefined ? bucket(profile.rps, 1, multiplier) : bucket(profile.rpm!, 60, multiplier),
        always_consume_default_token_bucket: false,
        max_dynamic_descriptors: 10000,
        filter_enabled: percent("local_rate_limit_enabled"),
        filter_enforced: percent("local_rate_limit_enforced"),
        response_headers_to_add: [{ append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-local-rate-limit", value: "true" } }],
        rate_limits: rateLimits,
        descriptors,
    };
}

/**
 * The rate limits as one EnvoyFilter on the Gateway: Envoy's local rate-limit filter in
 * the gateway's HTTP filter chain (before the router, no limit of its own), and for every
 * route of a group whose profile limits requests, that profile's per-route configuration.
 * Routes are found by the names istiod gives them. Istio has no rate-limit API; the
 * EnvoyFilter API is marked unstable across Envoy upgrades (check it on every Istio upgrade).
 */
export function rateLimitFilterObject(groups: readonly RouteGroup[], namespace: string): Record<string, unknown> | undefined {
    const routePatches = groups.flatMap((g) => {
        const config = g.profile ? localRateLimitConfig(g.profile) : undefined;
        if (!config) return [];
        return g.routes.map((_, i) => ({
            applyTo: "HTTP_ROUTE",
            match: { context: "GATEWAY", routeConfiguration: { vhost: { route: { name: envoyRouteName(g, i) } } } },
            patch: { operation: "MERGE", value: { typed_per_filter_config: { [localRateLimitFilter]: config } } },
        }));
    });
    if (routePatches.length === 0) return undefined;
    return {
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "EnvoyFilter",
        metadata: { name: `${gatewayName}-local-ratelimit`, namespace },
        spec: {
            targetRefs: targetGateway,
            configPatches: [
                {
                    applyTo: "HTTP_FILTER",
                    match: { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.router" } } } } },
                    patch: { operation: "INSERT_BEFORE", value: { name: localRateLimitFilter, typed_config: { "@type": localRateLimitType, stat_prefix: "http_local_rate_limiter" } } },
                },
                ...routePatches,
            ],
        },
    };
}

/** Coraza's directives for a WAF mode: the recommended configuration, the engine's mode, the OWASP CRS it embeds. */
export function corazaDirectives(mode: "detection-only" | "blocking"): string[] {
    return ["Include @recommended-conf", `SecRuleEngine ${mode === "blocking" ? "On" : "DetectionOnly"}`, "Include @crs-setup-conf", "Include @owasp_crs/*.conf"];
}

/**
 * The WAF as Coraza (proxy-wasm) in a WasmPlugin on the Gateway, in the AUTHN phase:
 * the OWASP CRS for the hosts whose profile has `waf: true` (looked up by the exact
 * authority, so with and without `:443`), the engine off for the others, the module pinned
 * by its SHA-256. Fail closed (the
 * default, made explicit): if the module cannot be fetched or its VM fails, the gateway
 * answers 5xx for every host, not only the protected ones.
 */
export function wafPluginObject(
    groups: readonly RouteGroup[],
    o: { readonly namespace: string; readonly url: string; readonly sha256: string; readonly mode: "off" | "detection-only" | "blocking" },
): Record<string, unknown> | undefined {
    if (o.mode === "off") return undefined;
    const hosts = [...new Set(groups.filter((g) => g.profile?.waf === true).map((g) => g.host))];
    if (hosts.length === 0) return undefined;
    return {
        apiVersion: "extensions.istio.io/v1alpha1",
        kind: "WasmPlugin",
        metadata: { name: `${gatewayName}-coraza`, namespace: o.namespace },
        spec: {
            targetRefs: targetGateway,
            url: o.url,
            // istio-agent checks the module against it before the gateway loads it (oci: the
            // image manifest's digest; https: the file's), pkg/wasm/cache.go.
            sha256: o.sha256,
            imagePullPolicy: "IfNotPresent",
            phase: "AUTHN",
            failStrategy: "FAIL_CLOSE",
            pluginConfig: {
                directives_map: { crs: corazaDirectives(o.mode), off: ["SecRuleEngine Off"] },
                default_directives: "off",
                per_authority_directives: Object.fromEntries(hosts.flatMap((h) => [[h, "crs"], [`${h}:443`, "crs"]])),
            },
        },
    };
}
