import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { projectDir } from "../../offline/plan";
import { inputsOf, ofType, one, planned, type Planned } from "../support/plan";

/**
 * The security choices as the plan shows them, on both edges: a path declared public under
 * an allowlisted host is its own object and says so, the others keep the host's allowlist;
 * STRICT mTLS plans where no NGINX edge serves hosts. Each plan is judged by the pack too.
 */

const gatewayExample = path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml");
const hostsOf = (file: string): Record<string, unknown>[] => (parse(fs.readFileSync(file, "utf8")) as { config: Record<string, Record<string, unknown>[]> }).config["mesh-ingress:edgeHosts"]!;
/** The stack file's hosts, with a public /status path on secure.example.com (profile internal, an allowlist). */
const withPublicStatus = (file: string): Record<string, unknown>[] =>
    hostsOf(file).map((h) => (h["host"] === "secure.example.com" ? { ...h, paths: [...(h["paths"] as unknown[]), { path: "/status", service: "secure-service", port: 80, public: true }] } : h));
const annotations = (r: { metadata: { annotations?: Record<string, string> } }): Record<string, string> => r.metadata.annotations ?? {};

describe("security choices in the plan", () => {
    let nginx: Planned;
    let gateway: Planned;
    before(async () => {
        nginx = await planned("primary", { overrides: { set: { edgeHosts: withPublicStatus(path.join(projectDir, "Pulumi.primary.yaml")) } } });
        gateway = await planned("primary", { configFile: gatewayExample, overrides: { set: { edgeHosts: withPublicStatus(gatewayExample), meshMtlsMode: "STRICT", remoteStacks: [] } } });
    });

    it("NGINX edge: the public path is its own Ingress, marked public, without the allowlist; the other paths keep it", () => {
        assert.deepEqual(nginx.findings, []);
        const ingresses: Record<string, any> = Object.fromEntries(ofType(nginx, "kubernetes:networking.k8s.io/v1:Ingress").map(inputsOf).filter((i: any) => i.metadata.namespace === "secure").map((i: any) => [String(i.metadata.name), i]));
        assert.deepEqual(Object.keys(ingresses).sort(), ["secure-example-com", "secure-example-com-api", "secure-example-com-public", "secure-example-com-upload"]);
        const open = annotations(ingresses["secure-example-com-public"]);
        assert.equal(open["mesh-ingress.io/public-path"], "true");
        assert.equal(open["nginx.ingress.kubernetes.io/allowlist-source-range"], undefined);
        assert.deepEqual(ingresses["secure-example-com-public"].spec.rules[0].http.paths.map((x: { path: string }) => x.path), ["/status"]);
        for (const name of ["secure-example-com", "secure-example-com-api", "secure-example-com-upload"]) {
            assert.equal(annotations(ingresses[name])["nginx.ingress.kubernetes.io/allowlist-source-range"], "10.0.0.0/8,172.16.0.0/12", name);
            assert.equal(annotations(ingresses[name])["mesh-ingress.io/public-path"], undefined, name);
        }
    });

    it("Gateway API edge: the public path's HTTPRoute is marked public and the host's DENY rule leaves exactly it out", () => {
        assert.deepEqual(gateway.findings, []);
        const route: any = ofType(gateway, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").map(inputsOf).find((r: any) => r.metadata.name === "secure-example-com-public");
        assert.deepEqual(route.metadata.annotations, { "mesh-ingress.io/public-path": "true" });
        const rules: any[] = (inputsOf(one(gateway, "kubernetes:security.istio.io/v1:AuthorizationPolicy")).spec.rules as any[]).filter((r: any) => Boolean(r.to[0].operation.hosts.includes("secure.example.com")));
        const root: any = rules.find((r: any) => Boolean(r.to[0].operation.paths.includes("/*")));
        assert.deepEqual(root.to[0].operation.notPaths, ["/api", "/api/*", "/upload", "/upload/*", "/status", "/status/*"]);
        assert.ok(!rules.some((r: any) => r.to[0].operation.paths.includes("/status")), "no DENY rule for the public path");
    });

    it("keeps the NGINX edge out of the mesh, which is why PERMISSIVE is the default (no injection label on its namespace or pods)", () => {
        assert.deepEqual(inputsOf(one(nginx, "kubernetes:security.istio.io/v1:PeerAuthentication")).spec, { mtls: { mode: "PERMISSIVE" } });
        assert.deepEqual(inputsOf(one(nginx, "kubernetes:core/v1:Namespace", "edge-namespace")).metadata, { name: "ingress-nginx" });
        const controller = inputsOf(one(nginx, "kubernetes:helm.sh/v3:Release", "edge-release")).values.controller;
        assert.equal(controller.podLabels, undefined);
        assert.equal(controller.podAnnotations, undefined);
    });

    it("STRICT mTLS plans on the Gateway API edge alone", () => {
        assert.deepEqual(inputsOf(one(gateway, "kubernetes:security.istio.io/v1:PeerAuthentication")).spec, { mtls: { mode: "STRICT" } });
    });
});
