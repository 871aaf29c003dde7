import * as assert from "node:assert/strict";
import { primary, problemLines, remote } from "../../support/config-source";
import { gatewayPrimary, servingPrimary } from "../../support/serving";

/**
 * The rules across the mesh settings (config/settings/mesh.ts), as a user reads them, for
 * each role: the mesh id, the plug-in CA (all four or none, and none on a remote), the
 * settings that only apply to a remote (injection webhook, API server, its CA bundle), the
 * east-west load balancer's exposure and source ranges, and mesh-wide STRICT mTLS against
 * an NGINX edge outside the mesh. Each case asserts the exact lines, so a rule that fires
 * too often, too rarely or with another message fails it.
 */

const caKeys = ["istioCaCert", "istioCaKey", "istioCaRootCert", "istioCaCertChain"] as const;

/** PEM certificate text as a kubeconfig's certificate-authority-data carries it (base64). */
const base64 = (text: string): string => Buffer.from(text).toString("base64");
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
/** The shortest text that passes for a certificate: lines show it whole. */
const marker = "-----BEGIN CERTIFICATE-----\n";

describe("config/settings/mesh: the mesh id", () => {
    it("is required on the primary and refused on a remote, which reads it from the primary", () => {
        assert.deepEqual(problemLines({ ...primary, meshId: "" }), ["meshId is not set: the primary defines the mesh; set a DNS label such as mesh1"]);
        assert.deepEqual(problemLines({ ...remote, meshId: "mesh1" }), ['meshId = "mesh1": expected to be empty on a remote (the mesh id is read from the primary stack)']);
        assert.deepEqual(problemLines({ ...remote, meshId: "" }), []);
    });
});

describe("config/settings/mesh: the plug-in CA", () => {
    /** The four CA settings, `keys` of them set (as secrets). */
    const ca = (role: Readonly<Record<string, unknown>>, keys: readonly string[]): string[] =>
        problemLines({ ...role, ...Object.fromEntries(keys.map((k) => [k, `${k}-pem`])) }, keys);

    it("loads all four on the primary, or none", () => {
        assert.deepEqual(ca(primary, caKeys), []);
        assert.deepEqual(ca(primary, []), []);
    });

    it("names each missing one when one is set ('is set')", () => {
        assert.deepEqual(ca(primary, ["istioCaKey"]), [
            "istioCaCert is not set: a plug-in CA needs all four of istioCaCert, istioCaKey, istioCaRootCert, istioCaCertChain; istioCaKey is set",
            "istioCaRootCert is not set: a plug-in CA needs all four of istioCaCert, istioCaKey, istioCaRootCert, istioCaCertChain; istioCaKey is set",
            "istioCaCertChain is not set: a plug-in CA needs all four of istioCaCert, istioCaKey, istioCaRootCert, istioCaCertChain; istioCaKey is set",
        ]);
    });

    it("names each missing one when several are set ('are set')", () => {
        assert.deepEqual(ca(primary, ["istioCaCert", "istioCaKey", "istioCaCertChain"]), [
            "istioCaRootCert is not set: a plug-in CA needs all four of istioCaCert, istioCaKey, istioCaRootCert, istioCaCertChain; istioCaCert, istioCaKey, istioCaCertChain are set",
        ]);
    });

    it("refuses each one set on a remote, showing [secret] as every secret's value is shown", () => {
        const line = (k: string): string => `${k} = [secret]: expected to be empty on a remote (the primary's istiod is the mesh's only CA; its root reaches the remote through the stack reference)`;
        assert.deepEqual(ca(remote, ["istioCaCert", "istioCaRootCert"]), [line("istioCaCert"), line("istioCaRootCert")]);
        assert.deepEqual(ca(remote, caKeys), caKeys.map(line));
    });
});

describe("config/settings/mesh: settings that only apply to a remote", () => {
    const url = "https://istiod.mesh.example.com:15017/inject/cluster/cluster2/net/network2";

    it("refuses each of them on the primary", () => {
        assert.deepEqual(
            problemLines({ ...primary, istioRemoteInjection: "path", istioInjectionUrl: url, remoteApiServer: "https://api.example.com", remoteApiServerCaData: base64(marker) }),
            [
                "istioRemoteInjection = \"path\": expected 'auto' on the primary (it only applies to remotes)",
                `istioInjectionUrl = "${url}": expected to be empty on the primary (it only applies to remotes)`,
                'remoteApiServer = "https://api.example.com": expected to be empty on the primary (it only applies to remotes)',
                `remoteApiServerCaData = "${base64(marker)}": expected to be empty on the primary (it only applies to remotes)`,
            ],
        );
        assert.deepEqual(problemLines({ ...primary, istioRemoteInjection: "url" }), ["istioRemoteInjection = \"url\": expected 'auto' on the primary (it only applies to remotes)"]);
    });

    it("refuses istiodCustomHosts on a remote, where istiod does not run", () => {
        assert.deepEqual(problemLines({ ...remote, istiodCustomHosts: ["istiod.mesh.example.com"] }), [
            'istiodCustomHosts = ["istiod.mesh.example.com"]: expected an empty list on a remote (istiod runs on the primary; set it there)',
        ]);
        assert.deepEqual(problemLines({ ...primary, istiodCustomHosts: ["istiod.mesh.example.com"] }), []);
    });

    // The istiod chart's injection webhook uses istiodRemote.injectionURL whenever it is set, and the path only without it.
    it("refuses an injection URL with istioRemoteInjection: path, which the URL would override", () => {
        assert.deepEqual(problemLines({ ...remote, istioRemoteInjection: "path", istioInjectionUrl: url }), [
            `istioInjectionUrl = "${url}": expected to be empty when istioRemoteInjection is 'path'`,
        ]);
    });

    it("accepts an injection URL with 'url' or 'auto', and 'path' without one", () => {
        assert.deepEqual(problemLines({ ...remote, istioRemoteInjection: "url", istioInjectionUrl: url }), []);
        assert.deepEqual(problemLines({ ...remote, istioRemoteInjection: "auto", istioInjectionUrl: url }), []);
        assert.deepEqual(problemLines({ ...remote, istioRemoteInjection: "path" }), []);
    });
});

describe("config/settings/mesh: remoteApiServerCaData", () => {
    const refusal = (value: string): string => `remoteApiServerCaData = "${value}": expected base64-encoded PEM certificates (certificate-authority-data of a kubeconfig)`;
    const caData = (value: string): string[] => problemLines({ ...remote, remoteApiServerCaData: value });

    it("accepts base64 PEM with two, one or no padding characters", () => {
        for (const text of [pem, `${pem}x`, `${pem}xy`]) assert.deepEqual(caData(base64(text)), [], base64(text));
        assert.deepEqual([base64(pem), base64(`${pem}x`), base64(`${pem}xy`)].map((b) => b.length - b.replace(/=+$/, "").length), [1, 0, 2]);
    });

    it("refuses base64 of something other than a certificate", () => {
        const key = base64("-----BEGIN PRIVATE KEY-----\n");
        assert.deepEqual(caData(key), [refusal(key)]);
    });

    it("refuses text that is not base64 before or after the certificate, and PEM that is not encoded", () => {
        const short = base64(marker);
        assert.deepEqual(caData(`!${short}`), [refusal(`!${short}`)]);
        assert.deepEqual(caData(`${short}!`), [refusal(`${short}!`)]);
        assert.deepEqual(caData(`${short}===`), [refusal(`${short}===`)]);
        assert.deepEqual(caData("-----BEGIN CERTIFICATE-----"), [refusal("-----BEGIN CERTIFICATE-----")]);
    });
});

describe("config/settings/mesh: the east-west load balancer's exposure", () => {
    const ranges = "service.beta.kubernetes.io/load-balancer-source-ranges";
    const internetFacing = { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" };
    const missing =
        "eastWestGatewaySourceRanges is not set: the east-west load balancer is internet-facing (eastWestGatewayServiceAnnotations), which exposes istiod's ports 15012 and 15017 and the mesh's 15443; list the other clusters' egress addresses, or keep the default internal scheme";

    it("requires source ranges once the annotations make it internet-facing, for each role", () => {
        assert.deepEqual(problemLines({ ...primary, eastWestGatewayServiceAnnotations: internetFacing }), [missing]);
        assert.deepEqual(problemLines({ ...remote, eastWestGatewayServiceAnnotations: internetFacing }), [missing]);
        assert.deepEqual(problemLines({ ...primary }), []);
    });

    it("takes them from eastWestGatewaySourceRanges or from the source-ranges annotation", () => {
        assert.deepEqual(problemLines({ ...primary, eastWestGatewayServiceAnnotations: internetFacing, eastWestGatewaySourceRanges: ["203.0.113.0/24"] }), []);
        assert.deepEqual(problemLines({ ...primary, eastWestGatewayServiceAnnotations: { ...internetFacing, [ranges]: "203.0.113.0/24, 198.51.100.0/24" } }), []);
    });

    it("refuses a source-ranges annotation open to everyone, or with a block that is not canonical", () => {
        assert.deepEqual(problemLines({ ...primary, eastWestGatewayServiceAnnotations: { ...internetFacing, [ranges]: "0.0.0.0/0" } }), [
            `eastWestGatewayServiceAnnotations.${ranges} = "0.0.0.0/0": expected the other clusters' addresses, not everyone: 0.0.0.0/0 covers all of IPv4`,
        ]);
        assert.deepEqual(problemLines({ ...primary, eastWestGatewayServiceAnnotations: { ...internetFacing, [ranges]: "10.0.0.1/8" } }), [
            `eastWestGatewayServiceAnnotations.${ranges} = "10.0.0.1/8": expected the canonical CIDR block 10.0.0.0/8 (no address bits beyond the prefix)`,
        ]);
    });
});

describe("config/settings/mesh: STRICT mesh-wide mTLS", () => {
    const nginxLine =
        'meshMtlsMode = "STRICT": expected PERMISSIVE while the NGINX edge serves hosts: its pods are not in the mesh and send plain HTTP to their backends, which STRICT refuses (use edgeImplementation: gateway-api, whose gateway speaks mTLS)';

    it("is refused on a remote: the primary's PeerAuthentication applies to every cluster", () => {
        assert.deepEqual(problemLines({ ...remote, meshMtlsMode: "STRICT" }), [
            "meshMtlsMode = \"STRICT\": expected the default on a remote: the mesh-wide mode is the primary's (its PeerAuthentication in the config cluster applies to every cluster)",
        ]);
    });

    it("is refused on a primary whose NGINX edge serves hosts, alone or beside the Gateway API edge", () => {
        assert.deepEqual(problemLines({ ...servingPrimary, meshMtlsMode: "STRICT" }), [nginxLine]);
        for (const edgeImplementation of ["nginx+gateway-api", "gateway-api+nginx"]) {
            assert.deepEqual(problemLines({ ...gatewayPrimary, edgeImplementation, edgeAdmissionWebhookSources: ["10.0.0.0/16"], meshMtlsMode: "STRICT" }), [nginxLine], edgeImplementation);
        }
    });

    it("is accepted with the Gateway API edge alone, or with an NGINX edge that serves no host", () => {
        assert.deepEqual(problemLines({ ...gatewayPrimary, meshMtlsMode: "STRICT" }), []);
        assert.deepEqual(problemLines({ ...primary, meshMtlsMode: "STRICT" }), []);
    });
});
