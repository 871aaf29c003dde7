import * as path from "node:path";
import { projectDir } from "../../offline/plan";
import { assertRejected, type BadCase } from "../support/bad-config";

/**
 * The hostile stack files of issue 13, each refused with exit 2 and a line naming the
 * setting, on the NGINX edge (Pulumi.primary.yaml, Pulumi.remote.yaml) and on the Gateway
 * API edge (examples/Pulumi.primary-gateway-api.yaml).
 */

const gatewayApi = path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml");

/** The default primary's profiles with `internal` changed (it is edgeSecurityProfiles[1] in both primary files). */
const internal = (change: Record<string, unknown>, connections = true): Record<string, unknown>[] => [
    { name: "public", rps: 10, rpm: 100, ...(connections ? { connections: 20 } : {}), burstMultiplier: 5 },
    { name: "internal", allowlist: ["10.0.0.0/8", "172.16.0.0/12"], rps: 10, rpm: 100, ...change },
    { name: "api", rps: 10, burstMultiplier: 5 },
    { name: "upload", rps: 1, burstMultiplier: 5 },
    { name: "static-assets", rps: 100, rpm: 6000 },
];
/** One host of the primary files' edge, with the given paths (no DNS routing for it). */
const host = (name: string, profile: string, paths: Record<string, unknown>[]): Record<string, unknown> => ({ host: `${name}.example.com`, namespace: name, profile, paths });
const path1 = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ path: "/", service: "web", port: 80, ...extra });
const hosts = (...list: Record<string, unknown>[]): Record<string, unknown> => ({ edgeHosts: list, dnsRouting: [] });

/** Cases that hold on both edges: each runs on the primary's NGINX edge and on the Gateway API edge. */
const bothEdges: Omit<BadCase, "stack">[] = [
    // 1. Address sets, not strings.
    { what: "an allowlist of the two halves of IPv4", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: ["0.0.0.0/1", "128.0.0.0/1"] }) } }, key: "edgeSecurityProfiles[1].allowlist", says: /expected the networks that may connect, not everyone: 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 cover all of IPv4$/ },
    { what: "an allowlist of the two halves of IPv6", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: ["::/1", "8000::/1"] }) } }, key: "edgeSecurityProfiles[1].allowlist", says: /not everyone: ::\/1 \+ 8000::\/1 cover all of IPv4 and IPv6$/ },
    { what: "an allowlist of IPv4-mapped IPv6 covering IPv4", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: ["::ffff:0.0.0.0/96"] }) } }, key: "edgeSecurityProfiles[1].allowlist[0]", says: /expected the canonical CIDR block 0\.0\.0\.0\/0 \(an IPv4-mapped IPv6 block is the IPv4 block it maps\)/ },
    { what: "an octal allowlist entry", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: ["010.0.0.0/8"] }) } }, key: "edgeSecurityProfiles[1].allowlist[0]", says: /= "010\.0\.0\.0\/8": expected the canonical CIDR block 10\.0\.0\.0\/8 \(octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal\)/ },
    { what: "a hexadecimal allowlist entry", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: ["0x0a.0.0.0/8"] }) } }, key: "edgeSecurityProfiles[1].allowlist[0]", says: /expected the canonical CIDR block 10\.0\.0\.0\/8/ },
    { what: "an IPv4-mapped allowlist entry", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: ["::ffff:10.0.0.0/104"] }) } }, key: "edgeSecurityProfiles[1].allowlist[0]", says: /expected the canonical CIDR block 10\.0\.0\.0\/8 \(an IPv4-mapped IPv6 block is the IPv4 block it maps\)/ },
    // 2. Inheritance that cannot silently open a path.
    { what: "an empty allowlist", overrides: { set: { edgeSecurityProfiles: internal({ allowlist: [] }) } }, key: "edgeSecurityProfiles[1].allowlist", says: /expected at least one CIDR block: .* opened only by its own public: true/ },
    { what: "a public path of a host without allowlist", overrides: { set: hosts(host("shop", "public", [path1({ public: true })])) }, key: "edgeHosts[0].paths[0].public", says: /expected public: true only on a path of a host with an allowlist: shop\.example\.com has none/ },
    { what: "a public path whose own profile has an allowlist", overrides: { set: hosts(host("shop", "public", [path1(), path1({ path: "/x", profile: "internal", public: true })])) }, key: "edgeHosts[0].paths[1].public", says: /expected no public: true on a path whose profile 'internal' has an allowlist/ },
    // 4. HSTS only from the controller.
    { what: "HSTS weakened on one path", overrides: { set: hosts(host("shop", "public", [path1({ responseHeaders: { "Strict-Transport-Security": "max-age=0" } })])) }, key: "edgeHosts[0].paths[0].responseHeaders.Strict-Transport-Security", says: /= "max-age=0": expected no Strict-Transport-Security header on a path: HSTS comes only from edgeHstsMaxAge/ },
    { what: "HSTS in lower case on one path", overrides: { set: hosts(host("shop", "public", [path1({ responseHeaders: { "strict-transport-security": "max-age=60" } })])) }, key: "edgeHosts[0].paths[0].responseHeaders.strict-transport-security", says: /expected no Strict-Transport-Security header on a path/ },
    // 5. Backends outside the control plane.
    { what: "a route to istiod's namespace", overrides: { set: hosts(host("shop", "public", [path1({ namespace: "istio-system", service: "istiod", port: 15010 })])) }, key: "edgeHosts[0].paths[0].service", says: /= "istio-system\/istiod": expected a backend outside the control plane: istio-system is istiod's namespace .* list 'istio-system\/istiod' in edgeControlPlaneBackends/ },
    { what: "a route to the API server", overrides: { set: hosts(host("shop", "public", [path1({ namespace: "default", service: "kubernetes", port: 443 })])) }, key: "edgeHosts[0].paths[0].service", says: /= "default\/kubernetes": expected a backend outside the control plane: default is the Kubernetes API server's Service/ },
    { what: "a route to kube-system", overrides: { set: hosts(host("shop", "public", [path1({ namespace: "kube-system", service: "kube-dns", port: 53 })])) }, key: "edgeHosts[0].paths[0].service", says: /kube-system is the Kubernetes control plane's namespace/ },
    { what: "a route to cert-manager", overrides: { set: hosts(host("shop", "public", [path1({ namespace: "cert-manager", service: "cert-manager-webhook", port: 443 })])) }, key: "edgeHosts[0].paths[0].service", says: /cert-manager is cert-manager's namespace/ },
    { what: "an allowance for a backend no path uses", overrides: { set: { edgeControlPlaneBackends: ["kube-system/metrics-server"] } }, key: "edgeControlPlaneBackends[0]", says: /expected a control-plane backend that a path of edgeHosts routes to/ },
    // 3. Protections user settings cannot override.
    { what: "client IP preservation switched off", overrides: { set: { edgeServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=false" } } }, key: "edgeServiceAnnotations.service.beta.kubernetes.io/aws-load-balancer-target-group-attributes", says: /expected preserve_client_ip\.enabled=true \(or no such annotation\): edgeLoadBalancer aws-nlb sets it so that allowlists and rate limits see the client's address/ },
    { what: "target group attributes that drop client IP preservation", overrides: { set: { edgeServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "deregistration_delay.timeout_seconds=30" } } }, key: "edgeServiceAnnotations.service.beta.kubernetes.io/aws-load-balancer-target-group-attributes", says: /expected preserve_client_ip\.enabled=true/ },
    { what: "instance targets instead of IP targets", overrides: { set: { edgeServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance" } } }, key: "edgeServiceAnnotations.service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", says: /expected ip .* the NLB targets the pods directly/ },
    { what: "another scheme for the edge's NLB", overrides: { set: { edgeServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } } }, key: "edgeServiceAnnotations.service.beta.kubernetes.io/aws-load-balancer-scheme", says: /expected internet-facing/ },
    { what: "Istio's proxy configuration among the Service annotations", overrides: { set: { edgeServiceAnnotations: { "proxy.istio.io/config": '{"gatewayTopology":{"numTrustedProxies":2}}' } } }, key: "edgeServiceAnnotations.proxy.istio.io/config", says: /expected Service and load balancer annotations only: .* istiod copies these annotations onto the gateway's pods/ },
    { what: "a sidecar annotation among the Service annotations", overrides: { set: { edgeServiceAnnotations: { "sidecar.istio.io/inject": "false" } } }, key: "edgeServiceAnnotations.sidecar.istio.io/inject", says: /expected Service and load balancer annotations only/ },
    { what: "an AppArmor annotation among the Service annotations", overrides: { set: { edgeServiceAnnotations: { "container.apparmor.security.beta.kubernetes.io/istio-proxy": "unconfined" } } }, key: "edgeServiceAnnotations.container.apparmor.security.beta.kubernetes.io/istio-proxy", says: /expected Service and load balancer annotations only/ },
    { what: "edge source ranges of everyone in halves", overrides: { set: { edgeServiceAnnotations: { "service.beta.kubernetes.io/load-balancer-source-ranges": "0.0.0.0/1,128.0.0.0/1" } } }, key: "edgeServiceAnnotations.service.beta.kubernetes.io/load-balancer-source-ranges", says: /expected the networks that may reach the edge, not everyone: 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 cover all of IPv4/ },
    // 6. Mesh exposure.
    { what: "east-west source ranges of everyone", overrides: { set: { eastWestGatewaySourceRanges: ["0.0.0.0/0"] } }, key: "eastWestGatewaySourceRanges", says: /expected the other clusters' addresses, not everyone: 0\.0\.0\.0\/0 covers all of IPv4/ },
    { what: "an internet-facing east-west NLB without source ranges", overrides: { set: { eastWestGatewayServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external", "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } } }, key: "eastWestGatewaySourceRanges", says: /is not set: the east-west load balancer is internet-facing .* exposes istiod's ports 15012 and 15017/ },
    { what: "another cloud's public east-west load balancer without source ranges", overrides: { set: { eastWestGatewayServiceAnnotations: { "cloud.google.com/load-balancer-type": "External" } } }, key: "eastWestGatewaySourceRanges", says: /is not set: the east-west load balancer is internet-facing/ },
    { what: "mTLS disabled mesh-wide", overrides: { set: { meshMtlsMode: "DISABLE" } }, key: "meshMtlsMode", says: /expected 'PERMISSIVE' or 'STRICT' \(mTLS is never disabled mesh-wide\)/ },
];

const cases: BadCase[] = [
    ...bothEdges.map((c) => ({ ...c, stack: "primary" as const })),
    ...bothEdges.map((c) => ({ ...c, stack: "primary" as const, what: `${c.what} (Gateway API edge)`, configFile: gatewayApi, overrides: gatewayVariant(c.overrides) })),
    // NGINX only.
    { stack: "primary", what: "the webhook NetworkPolicy opened to the two halves of IPv4", overrides: { set: { edgeAdmissionWebhookSources: ["0.0.0.0/1", "128.0.0.0/1"] } }, key: "edgeAdmissionWebhookSources", says: /expected the API server's addresses, not everyone: 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 cover all of IPv4/ },
    { stack: "primary", what: "a route to the edge's own namespace", overrides: { set: hosts(host("shop", "public", [path1({ namespace: "ingress-nginx", service: "ingress-nginx-controller-admission", port: 443 })])) }, key: "edgeHosts[0].paths[0].service", says: /ingress-nginx is the edge's own namespace/ },
    { stack: "primary", what: "STRICT mTLS while the NGINX edge serves hosts", overrides: { set: { meshMtlsMode: "STRICT" } }, key: "meshMtlsMode", says: /expected PERMISSIVE while the NGINX edge serves hosts: its pods are not in the mesh/ },
    { stack: "remote", what: "STRICT mTLS on a remote", overrides: { set: { meshMtlsMode: "STRICT" } }, key: "meshMtlsMode", says: /expected the default on a remote/ },
    { stack: "remote", what: "the remote's webhook NetworkPolicy opened to the two halves of IPv4", overrides: { set: { edgeAdmissionWebhookSources: ["0.0.0.0/1", "128.0.0.0/1"] } }, key: "edgeAdmissionWebhookSources", says: /not everyone: 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 cover all of IPv4/ },
    { stack: "remote", what: "the remote's allowlist of everyone in halves", overrides: { set: { edgeSecurityProfiles: [{ name: "public", rps: 10, allowlist: ["0.0.0.0/1", "128.0.0.0/1"] }] } }, key: "edgeSecurityProfiles[0].allowlist", says: /not everyone/ },
    // Gateway API edge only: supply chain and STRICT with a remote edge.
    { stack: "primary", configFile: gatewayApi, what: "a route to the Gateway's own namespace", overrides: { set: hosts(host("shop", "public", [path1({ namespace: "istio-ingress", service: "edge-istio", port: 443 })])) }, key: "edgeHosts[0].paths[0].service", says: /istio-ingress is the edge's own namespace/ },
    { stack: "primary", configFile: gatewayApi, what: "a Coraza module from a local file", overrides: { set: { edgeCorazaWasmUrl: "file:///opt/coraza.wasm" } }, key: "edgeCorazaWasmUrl", says: /never http:\/\/ or file:\/\// },
    { stack: "primary", configFile: gatewayApi, what: "a Coraza module over plain http", overrides: { set: { edgeCorazaWasmUrl: "http://mirror.example.com/coraza.wasm" } }, key: "edgeCorazaWasmUrl", says: /never http:\/\/ or file:\/\// },
    { stack: "primary", configFile: gatewayApi, what: "a WAF whose Coraza module has no digest", overrides: { set: { edgeWafMaturityAcknowledged: true, edgeSecurityProfiles: internal({ waf: true }, false) } }, key: "edgeCorazaWasmSha256", says: /is not set: a host's profile has waf: true, and the gateway loads the Coraza module only if its SHA-256 is pinned/ },
    { stack: "primary", configFile: gatewayApi, what: "a Coraza digest that is not SHA-256", overrides: { set: { edgeCorazaWasmSha256: "0.5.0" } }, key: "edgeCorazaWasmSha256", says: /expected a SHA-256 digest: 64 lowercase hexadecimal digits/ },
    {
        stack: "primary",
        configFile: gatewayApi,
        what: "a Coraza digest other than the one the URL pins",
        overrides: { set: { edgeCorazaWasmUrl: `oci://ghcr.io/corazawaf/coraza-proxy-wasm@sha256:${"a".repeat(64)}`, edgeCorazaWasmSha256: "b".repeat(64) } },
        key: "edgeCorazaWasmSha256",
        says: /expected the digest edgeCorazaWasmUrl pins \(a{64}\)/,
    },
    { stack: "primary", configFile: gatewayApi, what: "Gateway API CRDs without a checksum", overrides: { unset: ["gatewayApiCrdsSha256"] }, key: "gatewayApiCrdsSha256", says: /is not set: the Gateway API edge applies the release's standard-install\.yaml only once its SHA-256 matches/ },
    { stack: "primary", configFile: gatewayApi, what: "a Gateway API CRD checksum in upper case", overrides: { set: { gatewayApiCrdsSha256: "751002B3B91A87F7AE3BD2517C79A47A8D7ED6702901808A1CF9BD97D284F9B8" } }, key: "gatewayApiCrdsSha256", says: /expected a SHA-256 digest/ },
    { stack: "primary", configFile: gatewayApi, what: "STRICT mTLS while a remote serves hosts through NGINX", overrides: { set: { meshMtlsMode: "STRICT" } }, key: "meshMtlsMode", says: /expected PERMISSIVE while remote acme\/mesh-ingress\/remote serves api\.example\.com through its NGINX edge/ },
];

/** The same override on the Gateway API example: its profiles have no `connections`, and it has no admission webhook. */
function gatewayVariant(overrides: BadCase["overrides"]): BadCase["overrides"] {
    const set = { ...(overrides.set ?? {}) };
    const profiles = set["edgeSecurityProfiles"];
    if (Array.isArray(profiles)) set["edgeSecurityProfiles"] = profiles.map((p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== "connections")));
    return { ...overrides, set };
}

describe("hostile stack files (issue 13)", () => {
    for (const c of cases) {
        it(`${c.stack}: ${c.what} -> exit 2 naming ${c.key}`, async () => {
            await assertRejected(c);
        });
    }
});
