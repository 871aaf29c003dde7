import { allowlistPolicyObject, rateLimitFilterObject, redirectRouteObject } from "../../components/edge/gateway-api-objects";
import { gatewayApiCrdsPinnedStandard, gatewayHttpsRedirect, gatewayPublicRoutesRateLimited, gatewayRoutesSetHsts, gatewayTlsEveryHost } from "../../policy/gateway-api";
import { designGatewayProps, designGroups, designRouteProps, gatewayApiTypes } from "./gateway-api-design";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The Gateway API edge's rules on the cases their first tests left open (found by mutation
 * testing): which parentRefs attach a route to a Gateway (Gateway API v1.5 ParentReference:
 * group defaults to gateway.networking.k8s.io, kind to Gateway, namespace to the route's),
 * what counts as a redirect-only route, which headers are HSTS, which hosts are public,
 * and the YAML forms a CRD stream may take.
 */

const groups = designGroups;
const T = gatewayApiTypes;
const gatewayGroup = "gateway.networking.k8s.io";
const gateway = (change: (g: any) => void = () => undefined, name = "gateway"): ResourceArgs => {
    const props: any = designGatewayProps();
    change(props);
    return { type: T.gateway, name, props };
};
const routeProps = designRouteProps;
const route = (props: unknown, name = "api", type: string = T.route): ResourceArgs => ({ type, name, props: props as Record<string, unknown> });
const withRoute = (i: number, change: (r: any) => void, name = "api"): ResourceArgs => {
    const props = routeProps(i);
    change(props);
    return route(props, name);
};
const redirect = (change: (r: any) => void = () => undefined): ResourceArgs => {
    const props: any = redirectRouteObject("istio-ingress");
    change(props);
    return route(props, "redirect");
};
const onHttp = (routeId: string, hosts: string, gatewayId = "istio-ingress/edge"): string =>
    `HTTPRoute '${routeId}' serves ${hosts} on plain-HTTP listener 'http' of Gateway '${gatewayId}'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.`;

describe("gateway-tls-every-host: which parentRefs attach a route to a Gateway", () => {
    it("takes a parentRef without group, kind or namespace for a Gateway in the route's namespace", async () => {
        const r = withRoute(0, (p) => {
            p.metadata.namespace = "istio-ingress";
            p.spec.parentRefs = [{ name: "edge", sectionName: "http" }];
        });
        await assertViolates(gatewayTlsEveryHost, [gateway(), r], onHttp("istio-ingress/api-example-com", "api.example.com"));
    });

    it("does not take a parentRef to a ListenerSet, or to another API group's Gateway, for the Gateway", async () => {
        const r = withRoute(0, (p) => {
            p.spec.parentRefs = [
                { group: gatewayGroup, kind: "ListenerSet", namespace: "istio-ingress", name: "edge", sectionName: "http" },
                { group: "networking.istio.io", kind: "Gateway", namespace: "istio-ingress", name: "edge", sectionName: "http" },
            ];
        });
        await assertPasses(gatewayTlsEveryHost, [gateway(), r]);
    });

    it("places a Gateway and a route without a namespace in the default namespace", async () => {
        const g = gateway((p) => delete p.metadata.namespace);
        const r = withRoute(0, (p) => {
            delete p.metadata.namespace;
            p.spec.parentRefs = [{ group: gatewayGroup, kind: "Gateway", name: "edge", sectionName: "http" }];
        });
        await assertViolates(gatewayTlsEveryHost, [g, r], onHttp("default/api-example-com", "api.example.com", "default/edge"));
    });

    it("judges a Gateway's listeners when a route has the Gateway's namespace and name", async () => {
        const g = gateway((p) => delete p.spec.listeners[1].tls.certificateRefs);
        const sameName = redirect((p) => (p.metadata.name = "edge"));
        await assertViolates(gatewayTlsEveryHost, [g, sameName],
            "Gateway 'istio-ingress/edge' listener 'https-api-example-com' (api.example.com) does not terminate TLS with a certificate; set tls.mode: Terminate and a certificateRefs Secret.");
    });
});

describe("gateway-tls-every-host: the findings' wording", () => {
    it("says 'any host' for an HTTPS listener without a hostname", async () => {
        const g = gateway((p) => {
            delete p.spec.listeners[1].hostname;
            delete p.spec.listeners[1].tls.certificateRefs;
        });
        await assertViolates(gatewayTlsEveryHost, g,
            "Gateway 'istio-ingress/edge' listener 'https-api-example-com' (any host) does not terminate TLS with a certificate; set tls.mode: Terminate and a certificateRefs Secret.");
    });

    it("lists every hostname of a route on plain HTTP, or says 'its hosts' when it has none", async () => {
        const on = (hostnames: string[] | undefined) =>
            withRoute(0, (p) => {
                p.spec.parentRefs[0].sectionName = "http";
                if (hostnames) p.spec.hostnames = hostnames;
                else delete p.spec.hostnames;
            });
        await assertViolates(gatewayTlsEveryHost, [gateway(), on(["api.example.com", "www.example.com"])], onHttp("api/api-example-com", "api.example.com, www.example.com"));
        await assertViolates(gatewayTlsEveryHost, [gateway(), on(undefined)], onHttp("api/api-example-com", "its hosts"));
    });
});

describe("gateway-tls-every-host and gateway-https-redirect: what a redirect-only route is", () => {
    const missing =
        "Gateway 'istio-ingress/edge' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.";

    it("counts a redirect that also modifies the request's headers", async () => {
        const r = redirect((p) => {
            p.spec.rules[0].filters.push({ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-Forwarded-Proto", value: "http" }] } });
        });
        await assertPasses(gatewayHttpsRedirect, [gateway(), r]);
        await assertPasses(gatewayTlsEveryHost, [gateway(), r]);
    });

    it("does not count a route without rules, nor one with a redirect rule and a rule serving a backend", async () => {
        await assertViolates(gatewayHttpsRedirect, [gateway(), redirect((p) => (p.spec.rules = []))], missing);
        const mixed = redirect((p) => {
            p.spec.rules.push({ matches: [{ path: { type: "PathPrefix", value: "/.well-known/" } }], backendRefs: [{ name: "web", port: 80 }] });
        });
        await assertViolates(gatewayHttpsRedirect, [gateway(), mixed], missing);
        await assertViolates(gatewayTlsEveryHost, [gateway(), mixed], onHttp("istio-ingress/https-redirect", "its hosts"));
    });
});

describe("gateway-https-redirect: which listener the redirect serves", () => {
    const missing = (gatewayId: string): string =>
        `Gateway '${gatewayId}' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.`;
    const second = gateway((p) => (p.metadata.name = "internal"), "internal");

    it("needs the port-80 listener to speak HTTP", async () => {
        await assertViolates(gatewayHttpsRedirect, [gateway((g) => (g.spec.listeners[0].protocol = "TCP")), redirect()], missing("istio-ingress/edge"));
    });

    it("passes a redirect without sectionName (every listener), and fails one on an HTTPS listener only", async () => {
        await assertPasses(gatewayHttpsRedirect, [gateway(), redirect((p) => delete p.spec.parentRefs[0].sectionName)]);
        await assertViolates(gatewayHttpsRedirect, [gateway(), redirect((p) => (p.spec.parentRefs[0].sectionName = "https-api-example-com"))], missing("istio-ingress/edge"));
    });

    it("counts a redirect for each Gateway it is attached to, and for no other", async () => {
        await assertViolates(gatewayHttpsRedirect, [gateway(), second, redirect()], missing("istio-ingress/internal"));
        await assertPasses(gatewayHttpsRedirect, [gateway(), second, redirect((p) => {
            p.spec.parentRefs.push({ ...p.spec.parentRefs[0], name: "internal" });
        })]);
    });
});

describe("gateway-routes-set-hsts: which headers are HSTS", () => {
    it("passes a rule that sets and removes other response headers beside HSTS", async () => {
        const r = routeProps(0);
        r.spec.rules[0].filters[0].responseHeaderModifier.set.push({ name: "X-Frame-Options", value: "DENY" });
        r.spec.rules[0].filters[0].responseHeaderModifier.remove = ["Server"];
        await assertPasses(gatewayRoutesSetHsts, route(r));
    });

    it("reports a rule that only removes HSTS once, as a removal", async () => {
        const r = routeProps(0);
        r.spec.rules[0].filters[0].responseHeaderModifier = { remove: ["Strict-Transport-Security"] };
        await assertViolates(gatewayRoutesSetHsts, route(r), "HTTPRoute 'api/api-example-com' rule 1 removes the Strict-Transport-Security header; HSTS comes from the edge's settings on every rule, never removed.");
    });

    // RFC 6797 §6.1: directives are separated by ';' with optional whitespace around '=' and ';' (implied *LWS),
    // and max-age's value is delta-seconds (digits only): anything else makes the directive, and the header, invalid.
    it("reads max-age with whitespace around '=' and ';', and not with trailing characters", async () => {
        await assertPasses(gatewayRoutesSetHsts, route(routeProps(0, "max-age = 31536000 ; includeSubDomains")));
        await assertViolates(gatewayRoutesSetHsts, route(routeProps(0, "max-age=31536000s")),
            "HTTPRoute 'api/api-example-com' rule 1 sends Strict-Transport-Security 'max-age=31536000s' without a max-age; every HSTS header it sends needs max-age=31536000 or more.");
    });

    it("asks HSTS of HTTPRoutes only, not of a GRPCRoute (gRPC clients do not read it)", async () => {
        const grpc = { metadata: { name: "grpc", namespace: "api" }, spec: { rules: [{ backendRefs: [{ name: "grpc", port: 9090 }] }] } };
        await assertPasses(gatewayRoutesSetHsts, route(grpc, "grpc", T.grpcRoute));
    });
});

describe("gateway-public-routes-rate-limited: which hosts are public", () => {
    const unlimited = (hosts: string, routeId = "api/api-example-com", envoyName = "api.api-example-com.0"): string =>
        `HTTPRoute '${routeId}' rule 1 (route '${envoyName}') serves ${hosts} without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).`;
    const allowlist = (change: (p: any) => void = () => undefined): ResourceArgs => {
        const props: any = allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" });
        change(props);
        return { type: T.authz, name: "allowlist", props };
    };

    it("counts a route without hostnames, which serves every host of its listeners, as public", async () => {
        await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), withRoute(0, (p) => delete p.spec.hostnames)], unlimited("every host of its listeners"));
    });

    it("counts a route as public when one of its hosts is not allowlisted, and lists them all", async () => {
        const both = withRoute(1, (p) => (p.spec.hostnames = ["admin.example.com", "www.example.com"]), "admin");
        await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), both, allowlist()], unlimited("public host(s) admin.example.com, www.example.com", "admin/admin-example-com", "admin.admin-example-com.0"));
    });

    it("judges a route attached to this stack's Gateway and to one of another stack", async () => {
        const shared = withRoute(0, (p) => {
            p.spec.parentRefs.push({ group: gatewayGroup, kind: "Gateway", namespace: "other", name: "edge" });
        });
        await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), shared], unlimited("public host(s) api.example.com"));
    });

    // istio/api AuthorizationPolicy: a rule matches a request that matches any of its `from` entries.
    it("exempts a host whose DENY rule restricts the address in one of several sources", async () => {
        const twoSources = allowlist((p) => {
            p.spec.rules[0].from.push({ source: { principals: ["cluster.local/ns/legacy/sa/scanner"] } });
        });
        await assertPasses(gatewayPublicRoutesRateLimited, [gateway(), route(routeProps(1), "admin"), twoSources]);
    });

    it("divides by a fill interval with two decimals: 25 per 0.25s passes, 26 fails", async () => {
        const filter = (tokens: number): ResourceArgs => {
            const props: any = rateLimitFilterObject(groups, "istio-ingress");
            const descriptor = props.spec.configPatches[1].patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"].descriptors[0];
            descriptor.token_bucket = { max_tokens: 100, tokens_per_fill: tokens, fill_interval: "0.25s" };
            return { type: T.envoyFilter, name: "limits", props };
        };
        await assertPasses(gatewayPublicRoutesRateLimited, [gateway(), route(routeProps(0)), filter(25)]);
        await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), route(routeProps(0)), filter(26)],
            "HTTPRoute 'api/api-example-com' rule 1 (route 'api.api-example-com.0') allows 104 requests per second per client, above the ceiling of 100; lower the profile's rps/rpm.");
    });
});

describe("gateway-api-crds-pinned-standard: the forms of a CRD stream and of a file", () => {
    const crd = (name: string, channel: string): string =>
        `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  annotations:\n    gateway.networking.k8s.io/channel: ${channel}\n  name: ${name}.gateway.networking.k8s.io\nspec:\n  group: gateway.networking.k8s.io\n`;
    const outside = (list: string): string =>
        `kubernetes:yaml/v2:ConfigGroup 'crds' applies Gateway API CRDs outside the standard channel (${list}); apply a release's standard-install.yaml (experimental CRDs cannot be replaced by standard ones later).`;
    const group = (yaml: string | string[]): ResourceArgs => ({ type: T.configGroup, name: "crds", props: { yaml } });

    it("lists every CRD outside the standard channel", async () => {
        await assertViolates(gatewayApiCrdsPinnedStandard, group([crd("tcproutes", "experimental"), crd("udproutes", "experimental")]),
            outside("tcproutes.gateway.networking.k8s.io: experimental, udproutes.gateway.networking.k8s.io: experimental"));
    });

    it("reads a CRD written with extra spaces around its values", async () => {
        const spaced = "apiVersion: apiextensions.k8s.io/v1\nkind:  CustomResourceDefinition  \nmetadata:\n  annotations:\n    gateway.networking.k8s.io/channel:  experimental\n  name:  tcproutes.gateway.networking.k8s.io  \nspec:\n  group:  gateway.networking.k8s.io  \n";
        await assertViolates(gatewayApiCrdsPinnedStandard, group(spaced), outside("tcproutes.gateway.networking.k8s.io: experimental"));
    });

    // YAML 1.2: a document marker may be followed by spaces or a comment on its line.
    it("splits documents on a marker with trailing spaces or a comment", async () => {
        for (const marker of ["--- ", "--- # experimental"]) {
            await assertViolates(gatewayApiCrdsPinnedStandard, group(`${crd("gateways", "standard")}${marker}\n${crd("tcproutes", "experimental")}`), outside("tcproutes.gateway.networking.k8s.io: experimental"));
        }
    });

    it("names a CRD without metadata.name '(unnamed)'", async () => {
        await assertViolates(gatewayApiCrdsPinnedStandard, group(crd("tcproutes", "experimental").replace(/^ {2}name: .*\n/m, "")), outside("(unnamed): experimental"));
    });

    it("leaves manifests of other projects alone, and reports a mirror of the release as unpinned", async () => {
        await assertPasses(gatewayApiCrdsPinnedStandard, { type: T.configFile, name: "app", props: { file: "manifests/app.yaml" } });
        const mirror = "https://mirror.example.com/gateway-api/releases/v1.5.1/standard-install.yaml";
        await assertViolates(gatewayApiCrdsPinnedStandard, { type: T.configFile, name: "crds", props: { file: mirror } },
            `kubernetes:yaml/v2:ConfigFile 'crds' applies Gateway API CRDs from ${mirror}; use a release's standard channel, https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml (experimental CRDs cannot be replaced by standard ones later, and an unpinned URL changes under you).`);
    });
});
