import * as path from "node:path";
import { projectDir } from "../../offline/plan";
import { assertRejected, type BadCase } from "../support/bad-config";

/**
 * Bad Gateway API edge configurations, on top of examples/Pulumi.primary-gateway-api.yaml
 * (and the default remote): each gives exit status 2 and a line naming the offending key.
 */

const configFile = path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml");

const hosts = (n: number): Record<string, unknown>[] =>
    Array.from({ length: n }, (_, i) => ({ host: `h${i}.example.com`, namespace: "web", profile: "public", paths: [{ path: "/", service: "web", port: 80 }] }));

const cases: BadCase[] = [
    { stack: "primary", what: "an unknown edge implementation", overrides: { set: { edgeImplementation: "envoy" } }, key: "edgeImplementation", says: /expected 'nginx', 'gateway-api', 'nginx\+gateway-api' or 'gateway-api\+nginx'/ },
    { stack: "remote", what: "the Gateway API edge on a remote", overrides: { set: { edgeImplementation: "gateway-api", edgeAdmissionWebhookSources: [] } }, key: "edgeImplementation", says: /expected 'nginx' on a remote: the primary's istiod reads Gateway API objects .* only in its own \(config\) cluster/ },
    { stack: "primary", what: "an Istio version whose Gateway API release is unknown", overrides: { set: { istioVersion: "1.29.3" } }, key: "istioVersion", says: /expected an Istio version whose Gateway API release is known for the Gateway API edge \(Istio 1\.30: v1\.5\.x, Istio 1\.31: v1\.6\.x\)/ },
    { stack: "primary", what: "CRDs of another release than the Istio version's", overrides: { set: { gatewayApiVersion: "v1.4.1" } }, key: "gatewayApiVersion", says: /expected v1\.5\.x, the Gateway API release Istio 1\.30 is built against/ },
    { stack: "primary", what: "a Gateway API version that is not exact", overrides: { set: { gatewayApiVersion: "v1.5" } }, key: "gatewayApiVersion", says: /expected an exact Gateway API release such as v1\.5\.1/ },
    { stack: "primary", what: "a WAF without the maturity acknowledgement", overrides: { set: { edgeCorazaWasmSha256: "0123456789abcdef".repeat(4), edgeSecurityProfiles: [{ name: "public", rps: 10 }, { name: "internal", rps: 5, allowlist: ["10.0.0.0/8"], waf: true }, { name: "api", rps: 10 }, { name: "upload", rps: 1 }, { name: "static-assets", rps: 100 }] } }, key: "edgeWafMaturityAcknowledged", says: /is not set: a host's profile has waf: true, .* Coraza .* fail-closed/ },
    { stack: "primary", what: "a Coraza module tagged latest", overrides: { set: { edgeCorazaWasmUrl: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:latest" } }, key: "edgeCorazaWasmUrl", says: /expected a pinned tag or digest, not 'latest'/ },
    { stack: "primary", what: "an untagged Coraza module", overrides: { set: { edgeCorazaWasmUrl: "oci://ghcr.io/corazawaf/coraza-proxy-wasm" } }, key: "edgeCorazaWasmUrl", says: /expected oci:\/\/<registry>\/<repository>:<tag>/ },
    {
        stack: "primary",
        what: "a connection limit, which only ingress-nginx has",
        overrides: { set: { edgeSecurityProfiles: [{ name: "public", rps: 10 }, { name: "internal", rps: 5, connections: 20, allowlist: ["10.0.0.0/8"], waf: true }, { name: "api", rps: 10 }, { name: "upload", rps: 1 }, { name: "static-assets", rps: 100 }] } },
        key: "edgeSecurityProfiles[1].connections",
        says: /expected no connection limit with the Gateway API edge: Envoy has no per-client concurrent-connection limit/,
    },
    {
        stack: "primary",
        what: "a path profile that switches the WAF off under a WAF host",
        overrides: { set: { edgeSecurityProfiles: [{ name: "public", rps: 10 }, { name: "internal", rps: 5, allowlist: ["10.0.0.0/8"], waf: true }, { name: "api", rps: 10, waf: false }, { name: "upload", rps: 1 }, { name: "static-assets", rps: 100 }] } },
        key: "edgeHosts[3].paths[1].profile",
        says: /expected a profile with the host's WAF choice \(waf: true\): Coraza on the Gateway selects its rules per host/,
    },
    {
        stack: "primary",
        what: "a certificate set in an application namespace",
        overrides: { set: { tlsCertificates: [{ name: "example-com", dnsNames: ["*.example.com", "example.com"], namespace: "api" }] } },
        key: "tlsCertificates[0].namespace",
        says: /expected no namespace \(the edge namespace istio-ingress\): the Gateway's listeners for .* use certificates in the Gateway's namespace/,
    },
    {
        stack: "primary",
        what: "a host's own certificate while both edges run",
        overrides: { set: { edgeImplementation: "nginx+gateway-api", edgeAdmissionWebhookSources: ["10.0.0.0/20"], edgeHosts: [{ host: "shop.example.com", namespace: "shop", profile: "public", certificate: "own", paths: [{ path: "/", service: "shop", port: 80 }] }], dnsRouting: [] } },
        key: "edgeHosts[0].certificate",
        says: /expected 'stack' while both edges run/,
    },
    { stack: "primary", what: "admission webhook sources without NGINX", overrides: { set: { edgeAdmissionWebhookSources: ["10.0.0.0/20"] } }, key: "edgeAdmissionWebhookSources", says: /expected no sources with edgeImplementation: gateway-api/ },
    { stack: "primary", what: "both edges without NGINX's admission webhook sources", overrides: { set: { edgeImplementation: "gateway-api+nginx" } }, key: "edgeAdmissionWebhookSources", says: /is not set: the controller's admission webhook/ },
    { stack: "primary", what: "more hosts than a Gateway has listeners", overrides: { set: { edgeHosts: hosts(64), dnsRouting: [] } }, key: "edgeHosts", says: /expected at most 63 hosts: the Gateway has one HTTPS listener per host/ },
];

describe("bad Gateway API edge configurations", () => {
    for (const c of cases) {
        it(`${c.stack}: ${c.what} -> exit 2 naming ${c.key}`, async () => {
            await assertRejected(c.stack === "primary" ? { ...c, configFile } : c);
        });
    }

});
