import * as assert from "node:assert/strict";
import { effectiveProfile, responseHeaderNames, routeGroups, routingTable } from "../../../components/edge/routing";
import type { EdgeHost, SecurityProfile } from "../../../config/settings/edge";

/**
 * The implementation-neutral routing: the table of (host, path, backend) and the groups
 * of paths that share a profile, headers, namespace and certificate.
 */

const profiles: SecurityProfile[] = [
    { name: "internal", allowlist: ["10.0.0.0/8"], rps: 10, waf: true },
    { name: "upload", rps: 1, burstMultiplier: 5 },
    { name: "open", allowlist: [] },
];
const hosts: EdgeHost[] = [
    {
        host: "secure.example.com",
        namespace: "secure",
        profile: "internal",
        paths: [
            { path: "/", service: "web", port: 80 },
            { path: "/upload", service: "web", port: 80, profile: "upload" },
            { path: "/assets", service: "web", port: 80, responseHeaders: { "Cache-Control": "public, max-age=60" } },
            { path: "/exact", pathType: "Exact", service: "web", port: 8080, namespace: "other" },
        ],
    },
];

describe("edge routing (implementation-neutral)", () => {
    it("lists every host and path with its backend, Prefix by default", () => {
        assert.deepEqual(routingTable(hosts), [
            { host: "secure.example.com", path: "/", pathType: "Prefix", namespace: "secure", service: "web", port: 80 },
            { host: "secure.example.com", path: "/upload", pathType: "Prefix", namespace: "secure", service: "web", port: 80 },
            { host: "secure.example.com", path: "/assets", pathType: "Prefix", namespace: "secure", service: "web", port: 80 },
            { host: "secure.example.com", path: "/exact", pathType: "Exact", namespace: "other", service: "web", port: 8080 },
        ]);
    });

    it("lays a path's profile over its host's (the allowlist and WAF stay, the limits change)", () => {
        assert.deepEqual(effectiveProfile(profiles, "internal", "upload"), { name: "internal+upload", allowlist: ["10.0.0.0/8"], rps: 1, waf: true, burstMultiplier: 5 });
        assert.deepEqual(effectiveProfile(profiles, "internal", "open"), { name: "internal+open", allowlist: [], rps: 10, waf: true });
        assert.equal(effectiveProfile(profiles, undefined, undefined), undefined);
    });

    it("groups paths by namespace, profile and headers, with stable names", () => {
        const groups = routeGroups({ hosts, profiles, certificates: [{ name: "example-com", dnsNames: ["*.example.com"] }], edgeNamespace: "ingress-nginx" });
        assert.deepEqual(
            groups.map((g) => [g.name, g.namespace, g.profile?.name, g.routes.map((r) => r.path), g.tls.kind]),
            [
                ["secure-example-com", "secure", "internal", ["/"], "default"],
                ["secure-example-com-upload", "secure", "internal+upload", ["/upload"], "default"],
                ["secure-example-com-headers", "secure", "internal", ["/assets"], "default"],
                ["secure-example-com-other", "other", "internal", ["/exact"], "default"],
            ],
        );
        assert.deepEqual(responseHeaderNames(groups), ["Cache-Control"]);
    });
});
