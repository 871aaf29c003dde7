import * as assert from "node:assert/strict";
import { allowlistPolicyObject, clientAddressOf, hstsValue, localRateLimitConfig, rateLimitFilterObject } from "../../../components/edge/gateway-api-objects";
import { routeGroups } from "../../../components/edge/routing";
import { edgeDeployment } from "../../../config/settings/gateway-api";

/** The Gateway API edge's pure functions, on cases the article's hosts do not reach. */

describe("Gateway API edge objects", () => {
    it("reads edgeImplementation: which edges run and which one DNS points at", () => {
        assert.deepEqual(edgeDeployment("nginx"), { nginx: true, gatewayApi: false, dns: "nginx" });
        assert.deepEqual(edgeDeployment("nginx+gateway-api"), { nginx: true, gatewayApi: true, dns: "nginx" });
        assert.deepEqual(edgeDeployment("gateway-api+nginx"), { nginx: true, gatewayApi: true, dns: "gateway-api" });
        assert.deepEqual(edgeDeployment("gateway-api"), { nginx: false, gatewayApi: true, dns: "gateway-api" });
    });

    it("lets the longest prefix decide which allowlist applies: nested groups leave each other's paths out, siblings do not", () => {
        const groups = routeGroups({
            hosts: [
                {
                    host: "app.example.com",
                    namespace: "app",
                    profile: "office",
                    paths: [
                        { path: "/api", service: "api", port: 80 },
                        { path: "/api/v1", service: "api", port: 80, profile: "partners" },
                        { path: "/api-docs", service: "docs", port: 80, profile: "open" },
                        { path: "/health", pathType: "Exact", service: "api", port: 80, profile: "open" },
                    ],
                },
            ],
            profiles: [
                { name: "office", allowlist: ["192.0.2.0/24"] },
                { name: "partners", allowlist: ["198.51.100.0/24"] },
                { name: "open", allowlist: [] },
            ],
            certificates: [],
            edgeNamespace: "edge",
        });
        const policy: any = allowlistPolicyObject(groups, { namespace: "edge", clientAddress: "packet-source" });
        assert.deepEqual(
            (policy.spec.rules as any[]).map((r): unknown => [r.from[0].source.notIpBlocks as unknown, r.to[0].operation.paths as unknown, r.to[0].operation.notPaths as unknown]),
            [
                [["192.0.2.0/24"], ["/api", "/api/*"], ["/api/v1", "/api/v1/*"]],
                [["198.51.100.0/24"], ["/api/v1", "/api/v1/*"], undefined],
            ],
            "/api-docs is a sibling of /api (path elements), and the open groups (empty allowlist) get no rule",
        );
    });

    it("limits per minute alone, with the default burst multiplier of ingress-nginx (5)", () => {
        const config: any = localRateLimitConfig({ name: "p", rpm: 120 });
        assert.deepEqual(config.descriptors, [{ entries: [{ key: "window", value: "minute" }, { key: "remote_address", value: "" }], token_bucket: { max_tokens: 600, tokens_per_fill: 120, fill_interval: "60s" } }]);
        assert.deepEqual(config.token_bucket, { max_tokens: 600, tokens_per_fill: 120, fill_interval: "60s" });
        assert.equal(localRateLimitConfig({ name: "p", allowlist: ["192.0.2.0/24"] }), undefined);
    });

    it("makes no EnvoyFilter when no profile limits requests", () => {
        const groups = routeGroups({ hosts: [{ host: "a.example.com", namespace: "a", paths: [{ path: "/", service: "a", port: 80 }] }], profiles: [], certificates: [], edgeNamespace: "edge" });
        assert.equal(rateLimitFilterObject(groups, "edge"), undefined);
    });

    it("writes HSTS from the edge settings", () => {
        assert.equal(hstsValue({ maxAgeSeconds: 63072000, includeSubdomains: true, preload: true }), "max-age=63072000; includeSubDomains; preload");
        assert.equal(hstsValue({ maxAgeSeconds: 300, includeSubdomains: false, preload: false }), "max-age=300");
    });

    it("tells proxy protocol from packet-source client addresses by the load balancer's annotations", () => {
        assert.equal(clientAddressOf({ loadBalancer: "aws-nlb", serviceAnnotations: {} }), "packet-source");
        assert.equal(clientAddressOf({ loadBalancer: "aws-nlb", serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*" } }), "proxy-protocol");
        assert.equal(clientAddressOf({ loadBalancer: "hostname", serviceAnnotations: {} }), "packet-source");
    });
});
