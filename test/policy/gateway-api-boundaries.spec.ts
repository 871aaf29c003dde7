import * as assert from "node:assert/strict";
import { allowlistPolicyObject, redirectRouteObject, wafPluginObject } from "../../components/edge/gateway-api-objects";
import {
    gatewayAllowlistNotOpen,
    gatewayApiCrdsPinnedStandard,
    gatewayHttpsRedirect,
    gatewayPublicRoutesRateLimited,
    gatewayRoutesSetHsts,
    gatewayTlsEveryHost,
    gatewayWafPinned,
} from "../../policy/gateway-api";
import { designGatewayProps, designGroups, designRouteProps, gatewayApiTypes } from "./gateway-api-design";
import { assertPasses, assertViolates, violations, type ResourceArgs } from "./support";

/**
 * The Gateway API edge's rules at their boundaries: the HSTS floor and the rate ceiling
 * pass at their exact value and fail one step outside it, per second and per minute (and
 * per fractional second); configured thresholds move the boundary; and every listener
 * protocol, TLS mode, redirect status, CRD channel, AuthorizationPolicy action and source
 * field, and WAF failure strategy is judged, not only the one the program writes.
 */

const groups = designGroups;
const T = gatewayApiTypes;
const gatewayProps = designGatewayProps;
const gateway = (change: (g: any) => void = () => undefined): ResourceArgs => {
    const props = gatewayProps();
    change(props);
    return { type: T.gateway, name: "gateway", props };
};
const routeProps = designRouteProps;
const route = (props: unknown, name = "api"): ResourceArgs => ({ type: T.route, name, props: props as Record<string, unknown> });
const redirect = (change: (r: any) => void = () => undefined): ResourceArgs => {
    const props: any = redirectRouteObject("istio-ingress");
    change(props);
    return route(props, "redirect");
};

describe("gateway-routes-set-hsts at its boundaries", () => {
    const below = (age: number, min: number): string => `HTTPRoute 'api/api-example-com' rule 1 sets HSTS max-age=${age}, below ${min}; raise it.`;
    const floor = (minMaxAgeSeconds: number) => ({ "gateway-routes-set-hsts": { minMaxAgeSeconds } });

    it("passes max-age at the default floor of one year (31536000) and fails one second less", async () => {
        await assertPasses(gatewayRoutesSetHsts, route(routeProps(0, "max-age=31536000")));
        await assertViolates(gatewayRoutesSetHsts, route(routeProps(0, "max-age=31535999; includeSubDomains")), below(31535999, 31536000));
    });

    it("moves the floor with the configured minimum: 300 fails 299, and a floor of 0 accepts max-age=0", async () => {
        await assertViolates(gatewayRoutesSetHsts, route(routeProps(0, "max-age=299")), below(299, 300), floor(300));
        await assertPasses(gatewayRoutesSetHsts, route(routeProps(0, "max-age=0")), floor(0));
        await assertViolates(gatewayRoutesSetHsts, route(routeProps(0, "max-age=63071999")), below(63071999, 63072000), floor(63072000));
    });

    it("reads the directive and the header name in any case", async () => {
        const r = routeProps(0, "MAX-AGE=31536000");
        r.spec.rules[0].filters[0].responseHeaderModifier.set[0].name = "strict-transport-security";
        await assertPasses(gatewayRoutesSetHsts, route(r));
    });

    it("asks no HSTS of a rule without backends (a redirect), and asks it of every rule with one", async () => {
        await assertPasses(gatewayRoutesSetHsts, redirect());
        const r = routeProps(0);
        r.spec.rules.push({ matches: [{ path: { type: "PathPrefix", value: "/v2" } }], backendRefs: [{ group: "", kind: "Service", name: "api-v2", port: 80 }] });
        await assertViolates(gatewayRoutesSetHsts, route(r), "HTTPRoute 'api/api-example-com' rule 2 sets no Strict-Transport-Security header; add it with a ResponseHeaderModifier filter (max-age=31536000 or more).");
    });

    // RFC 6797 §6.1: unrecognised directives are ignored (so "x-max-age=…" sets nothing), and a header with a
    // directive twice is invalid and ignored by the browser: max-age=0 below removes HSTS, the second sets none.
    it("reads max-age as a directive of its own: not inside another directive's name, and not twice", async () => {
        await assertViolates(gatewayRoutesSetHsts, route(routeProps(0, "x-max-age=31536000; max-age=0")), below(0, 31536000));
        const twice = await violations(gatewayRoutesSetHsts, route(routeProps(0, "max-age=31536000; max-age=0")));
        assert.equal(twice.length, 1, twice.join("\n"));
        assert.match(twice[0]!, /^HTTPRoute 'api\/api-example-com' rule 1 .*max-age/);
    });
});

describe("gateway-public-routes-rate-limited at its boundaries", () => {
    const routeName = "api.api-example-com.0";
    const above = (rps: number, max: number, rule = 1, name = routeName): string =>
        `HTTPRoute 'api/api-example-com' rule ${rule} (route '${name}') allows ${rps} requests per second per client, above the ceiling of ${max}; lower the profile's rps/rpm.`;
    const unlimited = (rule = 1, name = routeName, host = "api.example.com", routeId = "api/api-example-com"): string =>
        `HTTPRoute '${routeId}' rule ${rule} (route '${name}') serves public host(s) ${host} without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).`;
    const ceiling = (maxRps: number) => ({ "gateway-public-routes-rate-limited": { maxRps } });
    /** A per-client token bucket: `tokens` (Envoy's default 1 when undefined) every `interval`. */
    const perClient = (tokens: number | undefined, interval: string, entries: unknown[] = [{ key: "remote_address", value: "" }]) => ({
        entries,
        token_bucket: { max_tokens: 1000, ...(tokens === undefined ? {} : { tokens_per_fill: tokens }), fill_interval: interval },
    });
    /** An EnvoyFilter patching each named route with these descriptors. */
    const limits = (routes: Record<string, unknown[]>, applyTo = "HTTP_ROUTE"): ResourceArgs => ({
        type: T.envoyFilter,
        name: "limits",
        props: {
            metadata: { name: "edge-local-ratelimit", namespace: "istio-ingress" },
            spec: {
                configPatches: Object.entries(routes).map(([name, descriptors]) => ({
                    applyTo,
                    match: { context: "GATEWAY", routeConfiguration: { vhost: { route: { name } } } },
                    patch: { operation: "MERGE", value: { typed_per_filter_config: { "envoy.filters.http.local_ratelimit": { descriptors } } } },
                })),
            },
        },
    });
    const stack = (...descriptors: unknown[]): ResourceArgs[] => [gateway(), route(routeProps(0)), limits({ [routeName]: descriptors })];

    it("passes 100 per second at the default ceiling and fails 101", async () => {
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(100, "1s")));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(101, "1s")), above(101, 100));
    });

    it("passes a per-minute bucket of 6000 (100 per second) and fails 6001", async () => {
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(6000, "60s")));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(6001, "60s")), above(6001 / 60, 100));
    });

    it("divides by a fractional fill interval: 50 per 0.5s passes, 51 fails", async () => {
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(50, "0.5s")));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(51, "0.5s")), above(102, 100));
    });

    it("moves the ceiling with the configured maxRps, per second and per minute", async () => {
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(10, "1s")), ceiling(10));
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(600, "60s")), ceiling(10));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(11, "1s")), above(11, 10), ceiling(10));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(601, "60s")), above(601 / 60, 10), ceiling(10));
    });

    it("takes Envoy's default of one token per fill when tokens_per_fill is unset", async () => {
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(undefined, "1s")), ceiling(1));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(undefined, "0.5s")), above(2, 1), ceiling(1));
    });

    it("judges the strictest per-client bucket, whichever form it has", async () => {
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(500, "1s"), perClient(6000, "60s", [{ key: "window", value: "minute" }, { key: "remote_address", value: "" }])));
        await assertPasses(gatewayPublicRoutesRateLimited, stack(perClient(100, "1s"), perClient(60000, "60s")));
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(101, "1s"), perClient(6060, "60s")), above(101, 100));
    });

    it("counts only descriptors keyed on the client's address, with a readable interval, patched on an HTTP_ROUTE", async () => {
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(10, "1s", [{ key: "window", value: "minute" }])), unlimited());
        await assertViolates(gatewayPublicRoutesRateLimited, stack(perClient(10, "1m")), unlimited());
        await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), route(routeProps(0)), limits({ [routeName]: [perClient(10, "1s")] }, "HTTP_FILTER")], unlimited());
    });

    it("finds rule n by istiod's name <namespace>.<name>.<n-1>, or by the rule's own name", async () => {
        const r = routeProps(0);
        r.spec.rules.push({ ...structuredClone(r.spec.rules[0]), matches: [{ path: { type: "PathPrefix", value: "/v2" } }] });
        await assertPasses(gatewayPublicRoutesRateLimited, [gateway(), route(r), limits({ [routeName]: [perClient(10, "1s")], "api.api-example-com.1": [perClient(10, "1s")] })]);
        await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), route(r), limits({ [routeName]: [perClient(10, "1s")], "api.api-example-com.2": [perClient(10, "1s")] })], unlimited(2, "api.api-example-com.1"));
        r.spec.rules[1].name = "v2";
        await assertPasses(gatewayPublicRoutesRateLimited, [gateway(), route(r), limits({ [routeName]: [perClient(10, "1s")], v2: [perClient(10, "1s")] })]);
    });

    describe("which hosts count as allowlisted", () => {
        const admin = route(routeProps(1), "admin");
        const policy = (change: (p: any) => void = () => undefined): ResourceArgs => {
            const props: any = allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" });
            change(props);
            return { type: T.authz, name: "allowlist", props };
        };
        const adminUnlimited = unlimited(1, "admin.admin-example-com.0", "admin.example.com", "admin/admin-example-com");

        it("exempts a host that a DENY rule restricts through notIpBlocks or notRemoteIpBlocks", async () => {
            await assertPasses(gatewayPublicRoutesRateLimited, [gateway(), admin, policy()]);
            await assertPasses(gatewayPublicRoutesRateLimited, [
                gateway(),
                admin,
                policy((p) => (p.spec.rules[0].from[0].source = { notRemoteIpBlocks: ["10.0.0.0/8"] })),
            ]);
        });

        for (const action of ["ALLOW", "AUDIT", "CUSTOM"]) {
            it(`does not exempt a host whose rule is ${action}, not DENY`, async () => {
                await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), admin, policy((p) => (p.spec.action = action))], adminUnlimited);
            });
        }

        for (const field of ["ipBlocks", "remoteIpBlocks"]) {
            it(`does not exempt a host whose DENY rule lists ${field} (it refuses those, admits the rest)`, async () => {
                await assertViolates(gatewayPublicRoutesRateLimited, [gateway(), admin, policy((p) => (p.spec.rules[0].from[0].source = { [field]: ["10.0.0.0/8"] }))], adminUnlimited);
            });
        }
    });
});

describe("gateway-tls-every-host on every listener protocol and TLS mode", () => {
    const noTls = (listener: string, host: string): string =>
        `Gateway 'istio-ingress/edge' listener '${listener}' (${host}) does not terminate TLS with a certificate; set tls.mode: Terminate and a certificateRefs Secret.`;

    it("passes an HTTPS listener whose mode is Terminate, written or left to the default", async () => {
        await assertPasses(gatewayTlsEveryHost, [gateway(), gateway((g) => delete g.spec.listeners[1].tls.mode)]);
    });

    it("fails an HTTPS listener in Passthrough mode, and one with an empty certificate list", async () => {
        await assertViolates(gatewayTlsEveryHost, gateway((g) => (g.spec.listeners[1].tls.mode = "Passthrough")), noTls("https-api-example-com", "api.example.com"));
        await assertViolates(gatewayTlsEveryHost, gateway((g) => (g.spec.listeners[2].tls.certificateRefs = [])), noTls("https-admin-example-com", "admin.example.com"));
    });

    it("asks no certificate of TLS, TCP, UDP and HTTP listeners", async () => {
        await assertPasses(
            gatewayTlsEveryHost,
            gateway((g) => {
                g.spec.listeners.push(
                    { name: "tls", port: 8443, protocol: "TLS", hostname: "db.example.com", tls: { mode: "Passthrough" } },
                    { name: "tcp", port: 9000, protocol: "TCP" },
                    { name: "udp", port: 9001, protocol: "UDP" },
                );
            }),
        );
    });

    it("lets a route serve on HTTPS and TLS listeners, and only redirect on an HTTP one", async () => {
        const onSection = (section: string): ResourceArgs => {
            const r = routeProps(0);
            r.spec.parentRefs[0].sectionName = section;
            return route(r);
        };
        const withTls = gateway((g) => {
            g.spec.listeners.push({ name: "tls", port: 8443, protocol: "TLS", hostname: "api.example.com", tls: { mode: "Passthrough" } });
        });
        await assertPasses(gatewayTlsEveryHost, [withTls, onSection("tls"), redirect()]);
        await assertViolates(
            gatewayTlsEveryHost,
            [gateway(), onSection("http")],
            "HTTPRoute 'api/api-example-com' serves api.example.com on plain-HTTP listener 'http' of Gateway 'istio-ingress/edge'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.",
        );
    });
});

describe("gateway-https-redirect on every redirect status and port", () => {
    const missing =
        "Gateway 'istio-ingress/edge' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.";

    for (const statusCode of [301, 302, 303, 307, 308, undefined]) {
        it(`passes a redirect to https with status ${statusCode ?? "unset (302)"}`, async () => {
            await assertPasses(gatewayHttpsRedirect, [gateway(), redirect((r) => (r.spec.rules[0].filters[0].requestRedirect = { scheme: "https", ...(statusCode ? { statusCode } : {}) }))]);
        });
    }

    it("needs the HTTP listener on port 80 exactly", async () => {
        await assertViolates(gatewayHttpsRedirect, [gateway((g) => (g.spec.listeners[0].port = 8080)), redirect()], missing);
        await assertViolates(gatewayHttpsRedirect, [gateway((g) => (g.spec.listeners[0].port = 81)), redirect()], missing);
    });

    it("fails a redirect without a scheme, and one that also serves a backend", async () => {
        await assertViolates(gatewayHttpsRedirect, [gateway(), redirect((r) => delete r.spec.rules[0].filters[0].requestRedirect.scheme)], missing);
        await assertViolates(gatewayHttpsRedirect, [gateway(), redirect((r) => (r.spec.rules[0].backendRefs = [{ name: "web", port: 80 }]))], missing);
    });

    it("asks no redirect of a Gateway without an HTTPS listener", async () => {
        await assertPasses(gatewayHttpsRedirect, gateway((g) => {
            g.spec.listeners = [g.spec.listeners[0], { name: "tls", port: 443, protocol: "TLS", tls: { mode: "Passthrough" } }];
        }));
    });
});

describe("gateway-allowlist-not-open on every source field and API version", () => {
    const open = (field: string): string =>
        `AuthorizationPolicy 'istio-ingress/edge-allowlist' rule 1 admits everyone in ${field}: 0.0.0.0/0 covers all of IPv4; the allowlist admits the whole Internet; list the networks that may connect.`;
    const policy = (type: string, field: string): ResourceArgs => {
        const props: any = allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" });
        props.spec.rules[0].from[0].source = { [field]: ["0.0.0.0/0"] };
        return { type, name: "allowlist", props };
    };

    for (const field of ["ipBlocks", "remoteIpBlocks", "notIpBlocks", "notRemoteIpBlocks"]) {
        it(`fails everyone in ${field}`, async () => {
            await assertViolates(gatewayAllowlistNotOpen, policy(T.authz, field), open(field));
        });
    }

    it("reads security.istio.io/v1beta1 as v1", async () => {
        await assertViolates(gatewayAllowlistNotOpen, policy("kubernetes:security.istio.io/v1beta1:AuthorizationPolicy", "notIpBlocks"), open("notIpBlocks"));
    });
});

describe("gateway-api-crds-pinned-standard on every channel and release URL", () => {
    const crd = (annotation: string, group = "gateway.networking.k8s.io"): string =>
        `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  annotations:\n    gateway.networking.k8s.io/bundle-version: v1.5.1\n${annotation}  name: httproutes.${group}\nspec:\n  group: ${group}\n`;
    const outside = (what: string): string =>
        `kubernetes:yaml/v2:ConfigGroup 'crds' applies Gateway API CRDs outside the standard channel (httproutes.gateway.networking.k8s.io: ${what}); apply a release's standard-install.yaml (experimental CRDs cannot be replaced by standard ones later).`;
    const group = (yaml: string): ResourceArgs => ({ type: T.configGroup, name: "crds", props: { yaml } });

    it("passes the standard channel, bare or quoted", async () => {
        await assertPasses(gatewayApiCrdsPinnedStandard, [group(crd("    gateway.networking.k8s.io/channel: standard\n")), group(crd('    gateway.networking.k8s.io/channel: "standard"\n'))]);
    });

    it("fails the experimental channel and a CRD without a channel; ignores CRDs of other groups", async () => {
        await assertViolates(gatewayApiCrdsPinnedStandard, group(crd("    gateway.networking.k8s.io/channel: experimental\n")), outside("experimental"));
        await assertViolates(gatewayApiCrdsPinnedStandard, group(crd("")), outside("no channel"));
        await assertPasses(gatewayApiCrdsPinnedStandard, group(crd("", "example.com")));
    });

    it("fails a pre-release and a latest URL as unpinned, and a release's standard-install.yaml as unchecked", async () => {
        const unpinned = (url: string): string =>
            `kubernetes:yaml/v2:ConfigFile 'crds' applies Gateway API CRDs from ${url}; use a release's standard channel, https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml (experimental CRDs cannot be replaced by standard ones later, and an unpinned URL changes under you).`;
        const file = (url: string): ResourceArgs => ({ type: T.configFile, name: "crds", props: { file: url } });
        for (const url of [
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.0-rc.1/standard-install.yaml",
            "https://github.com/kubernetes-sigs/gateway-api/releases/latest/download/standard-install.yaml",
        ]) {
            await assertViolates(gatewayApiCrdsPinnedStandard, file(url), unpinned(url));
        }
        const release = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml";
        await assertViolates(
            gatewayApiCrdsPinnedStandard,
            file(release),
            `kubernetes:yaml/v2:ConfigFile 'crds' applies Gateway API CRDs from ${release}, which the provider downloads without checking a digest; apply the content the program checked against gatewayApiCrdsSha256 (the yaml input) instead.`,
        );
    });
});

describe("gateway-waf-pinned on every failure strategy, digest length and reference form", () => {
    const digest = "0123456789abcdef".repeat(4);
    const plugin = (spec: Record<string, unknown>): ResourceArgs => {
        const props: any = wafPluginObject(groups, { namespace: "istio-ingress", url: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", sha256: digest, mode: "blocking" });
        Object.assign(props.spec, spec);
        for (const [k, v] of Object.entries(spec)) if (v === undefined) delete props.spec[k];
        return { type: T.wasm, name: "waf", props };
    };
    const noDigest = (url = "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0"): string =>
        `WasmPlugin 'istio-ingress/edge-coraza' loads ${url} without spec.sha256; set the module's SHA-256 (the image manifest's digest for oci://, the file's for https://) so istio-agent refuses any other module.`;
    const unpinned = (url: string): string =>
        `WasmPlugin 'istio-ingress/edge-coraza' loads ${url} without a pinned tag or digest; pin it (for example coraza-proxy-wasm:0.5.0 or @sha256:...), so every gateway pod runs the same module.`;

    it("passes FAIL_CLOSE, FAIL_RELOAD and no strategy (FAIL_CLOSE), and fails FAIL_OPEN", async () => {
        await assertPasses(gatewayWafPinned, [plugin({ failStrategy: "FAIL_CLOSE" }), plugin({ failStrategy: "FAIL_RELOAD" }), plugin({ failStrategy: undefined })]);
        await assertViolates(
            gatewayWafPinned,
            plugin({ failStrategy: "FAIL_OPEN" }),
            "WasmPlugin 'istio-ingress/edge-coraza' fails open: when the module cannot load, requests pass uninspected; use FAIL_CLOSE for a WAF (or, to accept the risk, set this policy to advisory).",
        );
    });

    it("takes a SHA-256 of exactly 64 lowercase hex digits", async () => {
        await assertPasses(gatewayWafPinned, plugin({ sha256: digest }));
        for (const sha256 of [digest.slice(1), `${digest}0`, digest.toUpperCase()]) await assertViolates(gatewayWafPinned, plugin({ sha256 }), noDigest());
    });

    it("tells a registry port from a tag, and latest from other tags", async () => {
        await assertPasses(gatewayWafPinned, [plugin({ url: "oci://registry.example.com:5000/coraza-proxy-wasm:0.5.0" }), plugin({ url: "ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0" })]);
        for (const url of ["oci://registry.example.com:5000/coraza-proxy-wasm", "ghcr.io/corazawaf/coraza-proxy-wasm:latest"]) await assertViolates(gatewayWafPinned, plugin({ url }), unpinned(url));
    });

    it("accepts https in any case and refuses every other scheme", async () => {
        await assertPasses(gatewayWafPinned, plugin({ url: "HTTPS://mirror.example.com/coraza-0.5.0.wasm" }));
        await assertViolates(
            gatewayWafPinned,
            plugin({ url: "ftp://mirror.example.com/coraza-0.5.0.wasm" }),
            "WasmPlugin 'istio-ingress/edge-coraza' loads ftp://mirror.example.com/coraza-0.5.0.wasm over ftp://; load modules over oci:// or https:// only (a file:// module's checksum is never checked, http:// can be altered on the way).",
        );
    });
});
