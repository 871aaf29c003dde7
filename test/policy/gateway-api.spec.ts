import {
    allowlistPolicyObject,
    httpRouteObject,
    rateLimitFilterObject,
    redirectRouteObject,
    wafPluginObject,
} from "../../components/edge/gateway-api-objects";
import { standardInstallUrl } from "../../components/edge/gateway-api-crds";
import {
    gatewayAllowlistNotOpen,
    gatewayApiCrdsPinnedStandard,
    gatewayHttpsRedirect,
    gatewayPublicRoutesRateLimited,
    gatewayRoutesSetHsts,
    gatewayTlsEveryHost,
    gatewayWafPinned,
} from "../../policy/gateway-api";
import { policies } from "../../policy/policies";
import { designGatewayProps, designGroups, designHsts, gatewayApiTypes } from "./gateway-api-design";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";
import * as assert from "node:assert/strict";

/**
 * The Gateway API edge's policies: the correct design (built by the edge's own object
 * functions) passes each; a mistake fails with the exact message; a threshold flips.
 */

const groups = designGroups;
const gw = gatewayApiTypes.gateway;
const route = gatewayApiTypes.route;
const gatewayProps = designGatewayProps;
const hsts = designHsts;
/** A module digest for the tests (64 hex digits; never deployed). */
const moduleDigest = "0123456789abcdef".repeat(4);
/** A Gateway API CRD as the standard channel annotates it (gateway-api v1.5.1 config/crd/standard). */
const crdOf = (channel: string): string =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  annotations:\n    gateway.networking.k8s.io/bundle-version: v1.5.1\n    gateway.networking.k8s.io/channel: ${channel}\n  name: gateways.gateway.networking.k8s.io\nspec:\n  group: gateway.networking.k8s.io\n`;
const standardCrd = crdOf("standard");
const routeOf = (i: number): any => httpRouteObject(groups[i]!, { gatewayNamespace: "istio-ingress", hsts });
const design = (): ResourceArgs[] => [
    { type: gw, name: "gateway", props: gatewayProps() },
    { type: route, name: "redirect", props: redirectRouteObject("istio-ingress") },
    { type: route, name: "api", props: routeOf(0) },
    { type: route, name: "admin", props: routeOf(1) },
    { type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", name: "allowlist", props: allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" })! },
    { type: "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter", name: "limits", props: rateLimitFilterObject(groups, "istio-ingress")! },
    { type: "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin", name: "waf", props: wafPluginObject(groups, { namespace: "istio-ingress", url: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", sha256: moduleDigest, mode: "blocking" })! },
    { type: "kubernetes:yaml/v2:ConfigGroup", name: "crds", props: { yaml: standardCrd } },
];
const replaced = (name: string, props: any): ResourceArgs[] => design().map((r) => (r.name === name ? { ...r, props } : r));

describe("Gateway API edge policies", () => {
    it("are in the pack", () => {
        for (const p of [gatewayTlsEveryHost, gatewayHttpsRedirect, gatewayRoutesSetHsts, gatewayAllowlistNotOpen, gatewayPublicRoutesRateLimited, gatewayApiCrdsPinnedStandard, gatewayWafPinned]) {
            assert.ok(policies.includes(p), p.name);
        }
    });

    it("pass the edge's own design, every one of them", async () => {
        for (const p of [gatewayTlsEveryHost, gatewayHttpsRedirect, gatewayRoutesSetHsts, gatewayAllowlistNotOpen, gatewayPublicRoutesRateLimited, gatewayApiCrdsPinnedStandard, gatewayWafPinned]) {
            await assertPasses(p, design());
        }
    });

    describe("gateway-tls-every-host", () => {
        it("fails an HTTPS listener without a certificate", async () => {
            const g = gatewayProps();
            delete g.spec.listeners[1].tls.certificateRefs;
            await assertViolates(
                gatewayTlsEveryHost,
                replaced("gateway", g),
                "Gateway 'istio-ingress/edge' listener 'https-api-example-com' (api.example.com) does not terminate TLS with a certificate; set tls.mode: Terminate and a certificateRefs Secret.",
            );
        });

        it("fails a route that serves its backend on the plain-HTTP listener", async () => {
            const r = routeOf(0);
            r.spec.parentRefs[0].sectionName = "http";
            await assertViolates(
                gatewayTlsEveryHost,
                replaced("api", r),
                "HTTPRoute 'api/api-example-com' serves api.example.com on plain-HTTP listener 'http' of Gateway 'istio-ingress/edge'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.",
            );
        });

        it("fails a route without a sectionName, which attaches to every listener, plain HTTP included", async () => {
            const r = routeOf(0);
            delete r.spec.parentRefs[0].sectionName;
            await assertViolates(gatewayTlsEveryHost, replaced("api", r), [
                "HTTPRoute 'api/api-example-com' serves api.example.com on plain-HTTP listener 'http' of Gateway 'istio-ingress/edge'; attach it to an HTTPS listener (parentRefs sectionName) and leave HTTP to the redirect.",
            ]);
        });
    });

    describe("gateway-https-redirect", () => {
        it("fails a Gateway whose HTTP listener has no redirect route", async () => {
            await assertViolates(
                gatewayHttpsRedirect,
                design().filter((r) => r.name !== "redirect"),
                "Gateway 'istio-ingress/edge' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.",
            );
        });

        it("fails a redirect to plain http", async () => {
            const r: any = redirectRouteObject("istio-ingress");
            r.spec.rules[0].filters[0].requestRedirect.scheme = "http";
            await assertViolates(gatewayHttpsRedirect, replaced("redirect", r), [
                "Gateway 'istio-ingress/edge' serves HTTPS but has no HTTP listener on port 80 with a route that redirects to HTTPS; add one (RequestRedirect scheme: https), so plain-HTTP clients are sent to TLS.",
            ]);
        });
    });

    describe("gateway-routes-set-hsts", () => {
        it("fails a rule without HSTS", async () => {
            const r = routeOf(0);
            r.spec.rules[0].filters = [];
            await assertViolates(gatewayRoutesSetHsts, { type: route, props: r }, "HTTPRoute 'api/api-example-com' rule 1 sets no Strict-Transport-Security header; add it with a ResponseHeaderModifier filter (max-age=31536000 or more).");
        });

        it("fails a short max-age, and passes it with a lower configured minimum", async () => {
            const r = httpRouteObject(groups[0]!, { gatewayNamespace: "istio-ingress", hsts: "max-age=300" });
            await assertViolates(gatewayRoutesSetHsts, { type: route, props: r }, "HTTPRoute 'api/api-example-com' rule 1 sets HSTS max-age=300, below 31536000; raise it.");
            await assertPasses(gatewayRoutesSetHsts, { type: route, props: r }, { "gateway-routes-set-hsts": { minMaxAgeSeconds: 300 } });
        });

        it("checks every HSTS header a rule would send, not the first", async () => {
            const r = routeOf(0);
            r.spec.rules[0].filters.push({ type: "ResponseHeaderModifier", responseHeaderModifier: { add: [{ name: "strict-transport-security", value: "max-age=0" }] } });
            r.spec.rules[0].backendRefs[0].filters = [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: "includeSubDomains" }], remove: ["Strict-Transport-Security"] } }];
            await assertViolates(gatewayRoutesSetHsts, { type: route, props: r }, [
                "HTTPRoute 'api/api-example-com' rule 1 removes the Strict-Transport-Security header; HSTS comes from the edge's settings on every rule, never removed.",
                "HTTPRoute 'api/api-example-com' rule 1 sets HSTS max-age=0, below 31536000; raise it.",
                "HTTPRoute 'api/api-example-com' rule 1 sends Strict-Transport-Security 'includeSubDomains' without a max-age; every HSTS header it sends needs max-age=31536000 or more.",
            ]);
        });
    });

    describe("gateway-allowlist-not-open", () => {
        it("fails an allowlist of the whole address space, IPv4 or IPv6", async () => {
            const policy: any = allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "proxy-protocol" });
            policy.spec.rules[0].from[0].source.notRemoteIpBlocks = ["10.0.0.0/8", "0.0.0.0/0", "::/0"];
            await assertViolates(
                gatewayAllowlistNotOpen,
                { type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", props: policy },
                "AuthorizationPolicy 'istio-ingress/edge-allowlist' rule 1 admits everyone in notRemoteIpBlocks: 10.0.0.0/8 + 0.0.0.0/0 + ::/0 cover all of IPv4 and IPv6; the allowlist admits the whole Internet; list the networks that may connect.",
            );
        });

        it("fails the two halves of IPv4, and passes a real allowlist", async () => {
            const policy: any = allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" });
            await assertPasses(gatewayAllowlistNotOpen, { type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", props: policy });
            policy.spec.rules[0].from[0].source.notIpBlocks = ["0.0.0.0/1", "128.0.0.0/1"];
            await assertViolates(
                gatewayAllowlistNotOpen,
                { type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", props: policy },
                "AuthorizationPolicy 'istio-ingress/edge-allowlist' rule 1 admits everyone in notIpBlocks: 0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4; the allowlist admits the whole Internet; list the networks that may connect.",
            );
        });
    });

    describe("gateway-public-routes-rate-limited", () => {
        it("fails a public route that no EnvoyFilter limits (allowlisted hosts are exempt)", async () => {
            await assertViolates(
                gatewayPublicRoutesRateLimited,
                design().filter((r) => r.name !== "limits"),
                "HTTPRoute 'api/api-example-com' rule 1 (route 'api.api-example-com.0') serves public host(s) api.example.com without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).",
            );
        });

        it("counts a host whose DENY rule admits everyone in two halves as public", async () => {
            const halves: any = allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" });
            halves.spec.rules[0].from[0].source.notIpBlocks = ["0.0.0.0/1", "128.0.0.0/1"];
            await assertViolates(
                gatewayPublicRoutesRateLimited,
                replaced("allowlist", halves),
                "HTTPRoute 'admin/admin-example-com' rule 1 (route 'admin.admin-example-com.0') serves public host(s) admin.example.com without a per-client rate limit; add a local rate limit for it (an EnvoyFilter HTTP_ROUTE patch on the Gateway, a remote_address descriptor).",
            );
        });

        it("fails a limit above the ceiling, and passes it with a higher configured ceiling", async () => {
            const filter: any = rateLimitFilterObject(groups, "istio-ingress");
            filter.spec.configPatches[1].patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"].descriptors[0].token_bucket.tokens_per_fill = 500;
            await assertViolates(
                gatewayPublicRoutesRateLimited,
                replaced("limits", filter),
                "HTTPRoute 'api/api-example-com' rule 1 (route 'api.api-example-com.0') allows 500 requests per second per client, above the ceiling of 100; lower the profile's rps/rpm.",
            );
            await assertPasses(gatewayPublicRoutesRateLimited, replaced("limits", filter), { "gateway-public-routes-rate-limited": { maxRps: 500 } });
        });
    });

    describe("gateway-api-crds-pinned-standard", () => {
        it("passes checked standard-channel content, fails an unchecked download and experimental content", async () => {
            await assertPasses(gatewayApiCrdsPinnedStandard, { type: "kubernetes:yaml/v2:ConfigGroup", name: "crds", props: { yaml: standardCrd } });
            const url = standardInstallUrl("v1.5.1");
            await assertViolates(
                gatewayApiCrdsPinnedStandard,
                { type: "kubernetes:yaml/v2:ConfigFile", name: "crds", props: { file: url } },
                `kubernetes:yaml/v2:ConfigFile 'crds' applies Gateway API CRDs from ${url}, which the provider downloads without checking a digest; apply the content the program checked against gatewayApiCrdsSha256 (the yaml input) instead.`,
            );
            await assertViolates(
                gatewayApiCrdsPinnedStandard,
                { type: "kubernetes:yaml/v2:ConfigGroup", name: "crds", props: { yaml: [standardCrd, crdOf("experimental").replace("gateways.", "tcproutes.")] } },
                "kubernetes:yaml/v2:ConfigGroup 'crds' applies Gateway API CRDs outside the standard channel (tcproutes.gateway.networking.k8s.io: experimental); apply a release's standard-install.yaml (experimental CRDs cannot be replaced by standard ones later).",
            );
        });

        it("fails the experimental channel and an unpinned kustomize URL", async () => {
            const experimental = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml";
            await assertViolates(
                gatewayApiCrdsPinnedStandard,
                { type: "kubernetes:yaml/v2:ConfigFile", name: "crds", props: { file: experimental } },
                `kubernetes:yaml/v2:ConfigFile 'crds' applies Gateway API CRDs from ${experimental}; use a release's standard channel, https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml (experimental CRDs cannot be replaced by standard ones later, and an unpinned URL changes under you).`,
            );
            const main = "https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/main/config/crd/standard/gateway.networking.k8s.io_gateways.yaml";
            await assertViolates(gatewayApiCrdsPinnedStandard, { type: "kubernetes:yaml/v2:ConfigGroup", name: "crds", props: { files: [main] } }, [
                `kubernetes:yaml/v2:ConfigGroup 'crds' applies Gateway API CRDs from ${main}; use a release's standard channel, https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml (experimental CRDs cannot be replaced by standard ones later, and an unpinned URL changes under you).`,
            ]);
        });
    });

    describe("gateway-waf-pinned", () => {
        it("fails a module over http or file, without sha256, or with two digests", async () => {
            const plugin = (url: string, sha256?: string): ResourceArgs => {
                const p: any = wafPluginObject(groups, { namespace: "istio-ingress", url, sha256: sha256 ?? moduleDigest, mode: "blocking" });
                if (sha256 === "") delete p.spec.sha256;
                return { type: "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin", props: p };
            };
            await assertPasses(gatewayWafPinned, [plugin("https://mirror.example.com/coraza-0.5.0.wasm"), plugin(`oci://ghcr.io/corazawaf/coraza-proxy-wasm@sha256:${moduleDigest}`)]);
            await assertViolates(gatewayWafPinned, plugin("http://mirror.example.com/coraza.wasm"), "WasmPlugin 'istio-ingress/edge-coraza' loads http://mirror.example.com/coraza.wasm over http://; load modules over oci:// or https:// only (a file:// module's checksum is never checked, http:// can be altered on the way).");
            await assertViolates(gatewayWafPinned, plugin("file:///var/lib/coraza.wasm"), "WasmPlugin 'istio-ingress/edge-coraza' loads file:///var/lib/coraza.wasm over file://; load modules over oci:// or https:// only (a file:// module's checksum is never checked, http:// can be altered on the way).");
            await assertViolates(gatewayWafPinned, plugin("oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", ""), "WasmPlugin 'istio-ingress/edge-coraza' loads oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0 without spec.sha256; set the module's SHA-256 (the image manifest's digest for oci://, the file's for https://) so istio-agent refuses any other module.");
            const other = "f".repeat(64);
            await assertViolates(gatewayWafPinned, plugin(`oci://ghcr.io/corazawaf/coraza-proxy-wasm@sha256:${other}`), `WasmPlugin 'istio-ingress/edge-coraza' pins @sha256:${other} in its url but spec.sha256 ${moduleDigest}; istio-agent refuses the module when they differ: use one digest.`);
        });

        it("fails an unpinned or latest module and a WAF that fails open", async () => {
            const plugin: any = wafPluginObject(groups, { namespace: "istio-ingress", url: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:latest", sha256: moduleDigest, mode: "blocking" });
            plugin.spec.failStrategy = "FAIL_OPEN";
            await assertViolates(gatewayWafPinned, { type: "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin", props: plugin }, [
                "WasmPlugin 'istio-ingress/edge-coraza' loads oci://ghcr.io/corazawaf/coraza-proxy-wasm:latest without a pinned tag or digest; pin it (for example coraza-proxy-wasm:0.5.0 or @sha256:...), so every gateway pod runs the same module.",
                "WasmPlugin 'istio-ingress/edge-coraza' fails open: when the module cannot load, requests pass uninspected; use FAIL_CLOSE for a WAF (or, to accept the risk, set this policy to advisory).",
            ]);
            plugin.spec.url = "oci://ghcr.io/corazawaf/coraza-proxy-wasm";
            plugin.spec.failStrategy = "FAIL_CLOSE";
            await assertViolates(
                gatewayWafPinned,
                { type: "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin", props: plugin },
                "WasmPlugin 'istio-ingress/edge-coraza' loads oci://ghcr.io/corazawaf/coraza-proxy-wasm without a pinned tag or digest; pin it (for example coraza-proxy-wasm:0.5.0 or @sha256:...), so every gateway pod runs the same module.",
            );
        });
    });
});
