import { rateLimitFilterObject, redirectRouteObject } from "../../components/edge/gateway-api-objects";
import { gatewayHttpsRedirect, gatewayPublicRoutesRateLimited, gatewayRoutesSetHsts, gatewayTlsEveryHost } from "../../policy/gateway-api";
import { meshClusterNamesMatch } from "../../policy/mesh";
import { designGatewayProps, designGroups, designRouteProps, gatewayApiTypes } from "./gateway-api-design";
import { changed, istiod, remoteStack, T } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * Two gaps of the mesh and Gateway API rules, each judged as upstream behaves:
 * - mesh-cluster-names-match on a remote whose sidecar-injection webhook names no cluster.
 *   The istiod chart (1.30.3, templates/mutatingwebhook.yaml) calls `istiodRemote.injectionURL`
 *   when set, else the istiod Service at `istiodRemote.injectionPath`, default `/inject`
 *   (`helm template --set profile=remote` renders `path: "/inject"`). istiod takes the cluster
 *   and network from that path only (pkg/kube/inject webhook.go parseInjectEnvs), else from
 *   its own values: the primary's, so the remote's pods would carry the primary's identity.
 * - GRPCRoutes under the Gateway API edge's rules. A GRPCRoute (gateway-api v1.5.1
 *   apis/v1/grpcroute_types.go, standard channel) attaches through the same CommonRouteSpec
 *   parentRefs (sectionName, port) to HTTP and HTTPS listeners; on HTTP it is cleartext h2c,
 *   and its filters cannot redirect. Istio names its rules' routes as an HTTPRoute's
 *   (`<namespace>.<name>.<index>`, conversion.go convertGRPCRoute), so the same EnvoyFilter
 *   rate-limits them. HSTS stays an HTTPRoute rule: gRPC clients do not read it.
 */

const source = "Helm release 'istiod' (chart istiod)";
const remoteIstiod = (change: (values: any) => void): ResourceArgs[] =>
    remoteStack().map((r) => (r.type === T.release && r.name === "istiod" ? changed(r, (p) => change(p.values)) : r));
const unnamed = (what: string, cluster = "cluster2", network = "network2"): string =>
    `${source} is a remote whose sidecar-injection webhook ${what}, which names no cluster or network: the primary's istiod then injects this cluster's pods with its own cluster name and network; set istiodRemote.injectionPath (or injectionURL) to /inject/cluster/${cluster}/net/${network}.`;

describe("mesh-cluster-names-match: a remote's injection webhook left without its cluster", () => {
    it("fails a remote that leaves istiodRemote at the chart's default path /inject", async () => {
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => delete v.istiodRemote),
            unnamed("keeps the chart's default path '/inject' (no istiodRemote.injectionPath or injectionURL)"));
    });

    it("fails a remote by istiodRemote.enabled too (no profile), with /inject set explicitly", async () => {
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => {
            delete v.profile;
            v.istiodRemote = { enabled: true, injectionPath: "/inject" };
        }), unnamed("calls the istiod Service at istiodRemote.injectionPath '/inject'"));
    });

    it("fails a remote whose injectionURL names no cluster, even when injectionPath (which the chart then ignores) does", async () => {
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionURL = "https://istiod.mesh.example.com:15017/inject")),
            unnamed("calls istiodRemote.injectionURL 'https://istiod.mesh.example.com:15017/inject'"));
    });

    it("names placeholders when istiod's values leave the cluster and network unset", async () => {
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => {
            v.global = {};
            delete v.istiodRemote;
        }), [
            `${source} does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).`,
            `${source} does not set global.network; set it to this cluster's network (as labelled on istio-system).`,
            unnamed("keeps the chart's default path '/inject' (no istiodRemote.injectionPath or injectionURL)", "<cluster>", "<network>"),
        ]);
    });

    it("passes a remote whose injectionURL names its cluster and network, and takes an empty injectionURL as unset (Helm's if)", async () => {
        await assertPasses(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote = { injectionURL: "https://istiod.mesh.example.com:15017/inject/cluster/cluster2/net/network2" })));
        await assertPasses(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionURL = "")));
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote = { injectionURL: "", injectionPath: "/inject" })),
            unnamed("calls the istiod Service at istiodRemote.injectionPath '/inject'"));
    });

    it("leaves a primary's default /inject alone: its own istiod injects with its own values", async () => {
        await assertPasses(meshClusterNamesMatch, [istiod]);
        await assertPasses(meshClusterNamesMatch, changed(istiod, (p) => (p.values.istiodRemote = { enabled: false, injectionPath: "/inject" })));
    });
});

const G = gatewayApiTypes;
const edge = (): ResourceArgs => ({ type: G.gateway, name: "edge", props: designGatewayProps() });
const redirect: ResourceArgs = { type: G.route, name: "redirect", props: redirectRouteObject("istio-ingress") };
/** A GRPCRoute in api for grpc.example.com with one rule, attached by the parentRef given. */
const grpcRoute = (parentRef: Record<string, unknown>, change: (p: any) => void = () => undefined): ResourceArgs => {
    const props: any = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "GRPCRoute",
        metadata: { name: "grpc-example-com", namespace: "api" },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "istio-ingress", name: "edge", ...parentRef }],
            hostnames: ["grpc.example.com"],
            rules: [{ matches: [{ method: { service: "echo.Echo" } }], backendRefs: [{ name: "echo", port: 9090 }] }],
        },
    };
    change(props);
    return { type: G.grpcRoute, name: "grpc", props };
};
const onHttp = (kind: string, route: string, hosts: string): string =>
    `${kind} '${route}' serves ${hosts} on plain-HTTP listener 'http' of Gateway 'istio-ingress/edge'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.`;
const httpsListener = (): string => String(designGatewayProps().spec.listeners[1].name);

describe("gateway-tls-every-host: GRPCRoutes", () => {
    it("fails a GRPCRoute on the edge Gateway's plain-HTTP listener (port 80), by sectionName or by port", async () => {
        await assertViolates(gatewayTlsEveryHost, [edge(), redirect, grpcRoute({ sectionName: "http" })], onHttp("GRPCRoute", "api/grpc-example-com", "grpc.example.com"));
        await assertViolates(gatewayTlsEveryHost, [edge(), redirect, grpcRoute({ port: 80 })], onHttp("GRPCRoute", "api/grpc-example-com", "grpc.example.com"));
    });

    it("fails a GRPCRoute attached to the whole Gateway (no sectionName or port): the HTTP listener is one of its listeners", async () => {
        await assertViolates(gatewayTlsEveryHost, [edge(), grpcRoute({}, (p) => delete p.spec.hostnames)], onHttp("GRPCRoute", "api/grpc-example-com", "its hosts"));
    });

    it("passes a GRPCRoute on an HTTPS listener, by sectionName or by port 443", async () => {
        await assertPasses(gatewayTlsEveryHost, [edge(), redirect, grpcRoute({ sectionName: httpsListener() })]);
        await assertPasses(gatewayTlsEveryHost, [edge(), redirect, grpcRoute({ port: 443 })]);
    });

    it("selects listeners by sectionName and port together: a port that is not the listener's selects none", async () => {
        await assertPasses(gatewayTlsEveryHost, [edge(), grpcRoute({ sectionName: "http", port: 443 })]);
        await assertViolates(gatewayTlsEveryHost, [edge(), grpcRoute({ sectionName: "http", port: 80 })], onHttp("GRPCRoute", "api/grpc-example-com", "grpc.example.com"));
    });

    it("judges an HTTPRoute's parentRef port the same way", async () => {
        const api = (port: number): ResourceArgs => ({ ...grpcRoute({ port }), type: G.route, name: "api" });
        await assertPasses(gatewayTlsEveryHost, [edge(), api(443)]);
        await assertViolates(gatewayTlsEveryHost, [edge(), api(80)], onHttp("HTTPRoute", "api/grpc-example-com", "grpc.example.com"));
    });
});

describe("gateway-https-redirect: the redirect route's parentRef port", () => {
    const noRedirect = "Gateway 'istio-ingress/edge' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.";
    const redirectOn = (ref: Record<string, unknown>): ResourceArgs => changed(redirect, (p) => Object.assign(p.spec.parentRefs[0], ref));

    it("counts a redirect on port 80, not one on port 443 only", async () => {
        await assertPasses(gatewayHttpsRedirect, [edge(), redirectOn({ port: 80 })]);
        await assertViolates(gatewayHttpsRedirect, [edge(), redirectOn({ sectionName: undefined, port: 443 })], noRedirect);
    });

    it("does not take a GRPCRoute for the redirect (its filters cannot redirect)", async () => {
        await assertViolates(gatewayHttpsRedirect, [edge(), { ...redirect, type: G.grpcRoute }], noRedirect);
    });
});

describe("gateway-public-routes-rate-limited: GRPCRoutes", () => {
    const unlimited = "GRPCRoute 'api/grpc-example-com' rule 1 (route 'api.grpc-example-com.0') serves public host(s) grpc.example.com without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).";
    /** The edge's own rate-limit EnvoyFilter for the public profile (10 rps), patching the route named; `rps` rewrites its per-client rate. */
    const limit = (routeName: string, rps?: number): ResourceArgs => {
        const props: any = rateLimitFilterObject([designGroups[0]!], "istio-ingress");
        for (const patch of props.spec.configPatches.filter((c: any) => c.applyTo === "HTTP_ROUTE")) {
            patch.match.routeConfiguration.vhost.route.name = routeName;
            if (rps === undefined) continue;
            for (const d of Object.values<any>(patch.patch.value.typed_per_filter_config)[0].descriptors) d.token_bucket = { max_tokens: rps, tokens_per_fill: rps, fill_interval: "1s" };
        }
        return { type: G.envoyFilter, name: "limit", props };
    };

    it("fails a public GRPCRoute rule without a per-client limit", async () => {
        await assertViolates(gatewayPublicRoutesRateLimited, [edge(), grpcRoute({ sectionName: httpsListener() })], unlimited);
    });

    it("passes one limited under its Istio route name, fails one above the ceiling", async () => {
        const route = grpcRoute({ sectionName: httpsListener() });
        await assertPasses(gatewayPublicRoutesRateLimited, [edge(), route, limit("api.grpc-example-com.0")]);
        await assertViolates(gatewayPublicRoutesRateLimited, [edge(), route, limit("api.grpc-example-com.0", 500)],
            "GRPCRoute 'api/grpc-example-com' rule 1 (route 'api.grpc-example-com.0') allows 500 requests per second per client, above the ceiling of 100; lower the profile's rps/rpm.");
    });
});

describe("gateway-routes-set-hsts: GRPCRoutes stay out", () => {
    it("asks no HSTS of a GRPCRoute", async () => {
        await assertPasses(gatewayRoutesSetHsts, grpcRoute({ sectionName: httpsListener() }));
    });
});

describe("the route kinds and versions the Gateway API rules read", () => {
    it("judges an HTTPRoute served as v1beta1 (the standard channel serves v1 and v1beta1) like a v1 one", async () => {
        const beta = (props: unknown): ResourceArgs => ({ type: "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute", name: "api", props: props as Record<string, unknown> });
        const api = designRouteProps(0);
        await assertPasses(gatewayTlsEveryHost, [edge(), beta(api)]);
        api.spec.parentRefs[0].sectionName = "http";
        await assertViolates(gatewayTlsEveryHost, [edge(), beta(api)], onHttp("HTTPRoute", "api/api-example-com", "api.example.com"));
        await assertPasses(gatewayHttpsRedirect, [edge(), beta(redirect.props)]);
        await assertViolates(gatewayRoutesSetHsts, beta(designRouteProps(0, "max-age=60")), "HTTPRoute 'api/api-example-com' rule 1 sets HSTS max-age=60, below 31536000; raise it.");
    });

    it("leaves route kinds that cannot attach to HTTP listeners alone (a TCPRoute naming the HTTP listener)", async () => {
        const tcp: ResourceArgs = { ...grpcRoute({ sectionName: "http" }), type: "kubernetes:gateway.networking.k8s.io/v1alpha2:TCPRoute", name: "tcp" };
        await assertPasses(gatewayTlsEveryHost, [edge(), tcp]);
        await assertPasses(gatewayPublicRoutesRateLimited, [edge(), tcp]);
    });

    it("takes a parentRef port of null as no port (every listener)", async () => {
        await assertViolates(gatewayTlsEveryHost, [edge(), grpcRoute({ port: null })], onHttp("GRPCRoute", "api/grpc-example-com", "grpc.example.com"));
    });
});
