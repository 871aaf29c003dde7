import * as assert from "node:assert/strict";
import { corazaWarning } from "../../../components/edge/gateway-api-edge";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, ofType, one, type Planned } from "../plan";

/** The Coraza module's mirror, and a digest for it (a plan deploys nothing, so any 64 hex digits). */
const corazaMirror = "oci://registry.example.com/mirror/coraza-proxy-wasm:0.5.0";
const corazaDigest = "0123456789abcdef".repeat(4);
/** Gateway API v1.5.0's standard-install.yaml SHA-256 (as published with the release; kubespray's checksums agree). */
const v150Digest = "510338cf6709f84410efcce5269268f4c7c5067efdc5d04c75aa2fd2f8380c96";
const v150Manifest = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.0/standard-install.yaml";

/** The WasmPlugin's spec, and the lines of the checked CRD manifest the offline plan shows. */
const wasmPlugin = (p: Planned): any => inputsOf(one(p, "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin")).spec;
const crdManifestLines = (p: Planned): string[] => String(inputsOf(one(p, "kubernetes:yaml/v2:ConfigGroup", "gateway-api-crds-standard")).yaml).split("\n");
/** Where the DNS records point: the load balancers their aliases name. */
const recordTargets = (p: Planned): string[] => [...new Set(ofType(p, "aws:route53/record:Record").map((r) => String(inputsOf(r).aliases[0].name)))];

/**
 * The Gateway API settings at non-default values (see test/support/non-default.ts): the
 * example Gateway API stack migrating with both edges, on Gateway API v1.5.0, with its WAF
 * turned on (the internal profile's `waf: true`) from a mirrored Coraza module.
 */
export const gatewayApiVariants: readonly NonDefaultVariant[] = [
    {
        name: "gateway-api: both edges, v1.5.0 CRDs, mirrored Coraza WAF",
        base: "primary-gateway-api",
        up: true,
        context: {
            // NGINX runs too: its admission webhook needs its sources.
            edgeAdmissionWebhookSources: ["10.0.0.0/20"],
            edgeSecurityProfiles: [
                { name: "public", rps: 10, rpm: 100, burstMultiplier: 5 },
                { name: "internal", allowlist: ["10.0.0.0/8", "172.16.0.0/12"], rps: 10, rpm: 100, waf: true },
                { name: "api", rps: 10, burstMultiplier: 5 },
                { name: "upload", rps: 1, burstMultiplier: 5 },
                { name: "static-assets", rps: 100, rpm: 6000 },
            ],
        },
        rows: [
            {
                key: "edgeImplementation",
                value: "nginx+gateway-api",
                effect: "runs the NGINX edge beside the Gateway and points DNS at NGINX's load balancer",
                check: (p) => {
                    assert.deepEqual(ofType(p, "mesh-ingress:edge:IngressController").map((r) => r.name), ["edge"]);
                    assert.deepEqual(ofType(p, "mesh-ingress:edge:GatewayApiEdge").map((r) => r.name), ["gateway"]);
                    assert.equal(inputsOf(one(p, "kubernetes:helm.sh/v3:Release", "edge-release")).chart, "ingress-nginx");
                    assert.equal(inputsOf(one(p, "kubernetes:gateway.networking.k8s.io/v1:Gateway")).metadata.name, "edge");
                    assert.deepEqual(recordTargets(p), ["edge-service-0123456789abcdef.elb.us-east-1.amazonaws.com"]);
                },
            },
            {
                key: "gatewayApiVersion",
                value: "v1.5.0",
                effect: "installs the CRDs from Gateway API v1.5.0's standard-install.yaml",
                check: (p) => {
                    assert.equal(crdManifestLines(p)[0], `# Offline plan: pulumi preview and up download ${v150Manifest}`);
                },
            },
            {
                key: "gatewayApiCrdsSha256",
                value: v150Digest,
                effect: "applies the CRD manifest only if it has this SHA-256",
                check: (p) => {
                    assert.equal(crdManifestLines(p)[1], `# and apply it only if its SHA-256 is ${v150Digest}.`);
                },
            },
            {
                key: "edgeCorazaWasmUrl",
                value: corazaMirror,
                effect: "the gateway loads the Coraza module from the mirror",
                check: (p) => {
                    assert.equal(wasmPlugin(p).url, corazaMirror);
                },
            },
            {
                key: "edgeCorazaWasmSha256",
                value: corazaDigest,
                effect: "the gateway loads the Coraza module only if it has this SHA-256",
                check: (p) => {
                    assert.equal(wasmPlugin(p).sha256, corazaDigest);
                },
            },
            {
                key: "edgeWafMaturityAcknowledged",
                value: true,
                effect: "lets Coraza enforce the WAF of the internal hosts on the Gateway, fail-closed, with its warning",
                check: (p) => {
                    const plugin = wasmPlugin(p);
                    assert.equal(plugin.failStrategy, "FAIL_CLOSE");
                    assert.deepEqual(plugin.pluginConfig.per_authority_directives, {
                        "admin.example.com": "crs",
                        "admin.example.com:443": "crs",
                        "secure.example.com": "crs",
                        "secure.example.com:443": "crs",
                    });
                    assert.deepEqual(p.document.warnings.filter((w) => w.includes("Coraza")), [corazaWarning]);
                },
            },
        ],
    },
];
