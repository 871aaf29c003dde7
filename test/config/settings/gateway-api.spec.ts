import * as assert from "node:assert/strict";
import { maxGatewayHosts } from "../../../config/settings/gateway-api";
import { problemLines, remote } from "../../support/config-source";
import { gatewayPrimary, host, servingPrimary } from "../../support/serving";

/**
 * The rules of the Gateway API edge (config/settings/gateway-api.ts), as a user reads them:
 * only on the primary (istiod deploys gateways in its config cluster), the Gateway API
 * release the pinned Istio minor is built against, per-host WAF choices (Coraza selects its
 * rules per authority) and the acknowledgement of its maturity, the Gateway's listener
 * limit (spec.listeners maxItems 64, one of them the HTTP redirect), certificates in the
 * Gateway's namespace, per-host certificates while both edges run, the pinned digests of
 * the CRD manifest and of the Coraza module (istio-agent compares an oci:// reference's
 * digest with the WasmPlugin's sha256; an https:// URL pins nothing), and no NGINX
 * admission webhook sources without NGINX. Each case asserts the exact lines.
 */

/** The lines of the Gateway API primary with `values` laid over it. */
const lines = (values: Readonly<Record<string, unknown>>): string[] => problemLines({ ...gatewayPrimary, ...values });

/** A path of service web:80. */
const path = (p: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({ path: p, service: "web", port: 80, ...extra });

const digest = "b".repeat(64);
const otherDigest = "c".repeat(64);

/** Everything a host with waf: true needs on the Gateway API edge. */
const wafReady = { edgeWafMaturityAcknowledged: true, edgeCorazaWasmSha256: digest };

describe("config/settings/gateway-api: where it runs", () => {
    const remoteServing = { ...gatewayPrimary, ...remote, meshId: "" };
    const remoteLine = (implementation: string): string =>
        `edgeImplementation = "${implementation}": expected 'nginx' on a remote: the primary's istiod reads Gateway API objects and deploys gateways only in its own (config) cluster, so a Gateway on a remote cluster would never be served`;

    it("is refused on a remote that serves hosts, alone or beside NGINX", () => {
        assert.deepEqual(problemLines(remoteServing), [remoteLine("gateway-api")]);
        assert.deepEqual(problemLines({ ...remoteServing, edgeImplementation: "nginx+gateway-api", edgeAdmissionWebhookSources: ["10.0.0.0/16"] }), [remoteLine("nginx+gateway-api")]);
    });

    it("is let be on a remote without hosts, and NGINX serves a remote's hosts", () => {
        assert.deepEqual(problemLines({ ...remote, edgeImplementation: "gateway-api" }), []);
        assert.deepEqual(problemLines({ ...servingPrimary, ...remote, meshId: "" }), []);
    });
});

describe("config/settings/gateway-api: the Gateway API release of the Istio version", () => {
    it("refuses an Istio minor whose Gateway API release is not known, listing the known ones", () => {
        assert.deepEqual(lines({ istioVersion: "1.29.3" }), [
            'istioVersion = "1.29.3": expected an Istio version whose Gateway API release is known for the Gateway API edge (Istio 1.30: v1.5.x, Istio 1.31: v1.6.x)',
        ]);
    });

    it("refuses another minor of the Gateway API than the Istio version's, and accepts any patch of it", () => {
        assert.deepEqual(lines({ gatewayApiVersion: "v1.4.1" }), [
            'gatewayApiVersion = "v1.4.1": expected v1.5.x, the Gateway API release Istio 1.30 is built against (other CRD versions leave kinds invisible to istiod)',
        ]);
        assert.deepEqual(lines({ gatewayApiVersion: "v1.5.0" }), []);
        assert.deepEqual(lines({ istioVersion: "1.31.0", gatewayApiVersion: "v1.6.0" }), []);
    });

    it("does not constrain the NGINX edge's stack", () => {
        assert.deepEqual(problemLines({ ...servingPrimary, istioVersion: "1.29.3", gatewayApiVersion: "v1.4.1" }), []);
    });
});

describe("config/settings/gateway-api: WAF per host", () => {
    const profiles = [{ name: "waf", waf: true }, { name: "nowaf", waf: false }, { name: "limited", rps: 10 }];

    it("refuses a path profile whose WAF choice differs from its host's, either way", () => {
        const hosts = [
            host("app.example.com", "apps", { profile: "waf", paths: [path("/"), path("/raw", { profile: "nowaf" }), path("/slow", { profile: "limited" })] }),
            host("www.example.com", "apps", { paths: [path("/"), path("/guarded", { profile: "waf" }), path("/slow", { profile: "limited" })] }),
        ];
        assert.deepEqual(lines({ ...wafReady, edgeSecurityProfiles: profiles, edgeHosts: hosts }), [
            'edgeHosts[0].paths[1].profile = "nowaf": expected a profile with the host\'s WAF choice (waf: true): Coraza on the Gateway selects its rules per host (per_authority_directives), not per path',
            'edgeHosts[1].paths[1].profile = "waf": expected a profile with the host\'s WAF choice (waf: false): Coraza on the Gateway selects its rules per host (per_authority_directives), not per path',
        ]);
    });

    it("accepts hosts without a profile and path profiles that leave waf to the host", () => {
        const hosts = [host("app.example.com", "apps", { paths: [path("/"), path("/slow", { profile: "limited" })] })];
        assert.deepEqual(lines({ edgeSecurityProfiles: profiles, edgeHosts: hosts }), []);
    });

    it("asks to acknowledge Coraza's maturity, and the module's digest, once a host's profile has waf: true", () => {
        const hosts = [host("app.example.com", "apps", { profile: "waf" })];
        assert.deepEqual(lines({ edgeSecurityProfiles: profiles, edgeHosts: hosts }), [
            "edgeWafMaturityAcknowledged is not set: a host's profile has waf: true, which the Gateway API edge enforces with Coraza (proxy-wasm 0.5.0, low maturity, fail-closed: a module that cannot load answers 5xx); read the README's 'Gateway API edge' and set it to true, or set edgeWafMode: off",
            "edgeCorazaWasmSha256 is not set: a host's profile has waf: true, and the gateway loads the Coraza module only if its SHA-256 is pinned (the WasmPlugin's sha256); set the image's manifest digest (crane digest) or the file's sha256sum",
        ]);
        assert.deepEqual(lines({ ...wafReady, edgeSecurityProfiles: profiles, edgeHosts: hosts }), []);
    });

    it("asks for neither while edgeWafMode is off (which refuses waf: true itself)", () => {
        const hosts = [host("app.example.com", "apps", { profile: "waf" })];
        assert.deepEqual(lines({ edgeWafMode: "off", edgeSecurityProfiles: profiles, edgeHosts: hosts }), [
            "edgeSecurityProfiles[0].waf = true: expected false while edgeWafMode is off (the WAF module is not loaded)",
        ]);
    });
});

describe("config/settings/gateway-api: the Gateway's listeners", () => {
    const hosts = (n: number): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => host(`h${i}.example.com`));

    it(`accepts ${maxGatewayHosts} hosts and refuses one more (64 listeners, one of them the HTTP redirect)`, () => {
        assert.equal(maxGatewayHosts, 63);
        assert.deepEqual(lines({ edgeHosts: hosts(63) }), []);
        assert.deepEqual(lines({ edgeHosts: hosts(64) }), [
            'edgeHosts = "64 hosts": expected at most 63 hosts: the Gateway has one HTTPS listener per host and at most 64 listeners',
        ]);
    });
});

describe("config/settings/gateway-api: certificates", () => {
    const apps = (dnsNames: string[]): Record<string, unknown> => ({ name: "apps", namespace: "apps", dnsNames });
    const wildcard = { name: "wildcard", dnsNames: ["*.example.com"] };

    it("refuses a set in another namespace that serves hosts, naming the stack-certificate hosts it covers", () => {
        const hosts = [host("a.example.com"), host("own.example.com", "apps", { certificate: "own" }), host("b.example.com")];
        assert.deepEqual(lines({ tlsCertificates: [apps(["*.example.com"])], edgeHosts: hosts }), [
            'tlsCertificates[0].namespace = "apps": expected no namespace (the edge namespace ingress-nginx): the Gateway\'s listeners for a.example.com, b.example.com use certificates in the Gateway\'s namespace',
        ]);
    });

    it("accepts a set in another namespace that serves only per-host-certificate hosts, and a set in the edge namespace written out", () => {
        const hosts = [host("app.example.com"), host("x.shop.example.com", "apps", { certificate: "own" })];
        assert.deepEqual(lines({ tlsCertificates: [wildcard, apps(["*.shop.example.com"])], edgeHosts: hosts }), []);
        assert.deepEqual(lines({ tlsCertificates: [{ ...wildcard, namespace: "ingress-nginx" }], edgeHosts: hosts }), []);
    });

    it("refuses a per-host certificate while both edges run, and accepts it on the Gateway API edge alone", () => {
        const hosts = [host("app.example.com"), host("own.example.com", "apps", { certificate: "own" })];
        const both = { edgeAdmissionWebhookSources: ["10.0.0.0/16"], edgeHosts: hosts };
        for (const edgeImplementation of ["nginx+gateway-api", "gateway-api+nginx"]) {
            assert.deepEqual(lines({ ...both, edgeImplementation }), [
                'edgeHosts[1].certificate = "own": expected \'stack\' while both edges run: NGINX needs the host\'s own certificate in the host\'s namespace and the Gateway in its own, and two Certificates for one name in a cluster race for its challenge record',
            ]);
        }
        assert.deepEqual(lines({ edgeHosts: hosts }), []);
        assert.deepEqual(lines({ ...both, edgeImplementation: "nginx+gateway-api", edgeHosts: [host("app.example.com", "apps", { certificate: "stack" })] }), []);
    });
});

describe("config/settings/gateway-api: pinned digests", () => {
    it("requires the CRD manifest's digest once the Gateway API edge serves hosts", () => {
        assert.deepEqual(lines({ gatewayApiCrdsSha256: "" }), [
            "gatewayApiCrdsSha256 is not set: the Gateway API edge applies the release's standard-install.yaml only once its SHA-256 matches; set it to the digest of the gatewayApiVersion's manifest (curl -sL <url> | sha256sum)",
        ]);
        assert.deepEqual(lines({ gatewayApiCrdsSha256: "", edgeHosts: [], tlsCertificates: [] }), []);
    });

    it("refuses a module digest that differs from the one its oci:// reference pins", () => {
        const url = `oci://ghcr.io/corazawaf/coraza-proxy-wasm@sha256:${digest}`;
        assert.deepEqual(lines({ edgeCorazaWasmUrl: url, edgeCorazaWasmSha256: otherDigest }), [
            `edgeCorazaWasmSha256 = "${otherDigest}": expected the digest edgeCorazaWasmUrl pins (${digest}); istio-agent refuses a module whose digests disagree`,
        ]);
        assert.deepEqual(lines({ edgeCorazaWasmUrl: url, edgeCorazaWasmSha256: digest }), []);
        assert.deepEqual(lines({ edgeCorazaWasmUrl: url, edgeCorazaWasmSha256: "" }), []);
    });

    it("accepts any module digest with a tag, or with an https:// URL whatever its text (istio-agent checks the file)", () => {
        assert.deepEqual(lines({ edgeCorazaWasmUrl: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", edgeCorazaWasmSha256: otherDigest }), []);
        assert.deepEqual(lines({ edgeCorazaWasmUrl: `https://artifacts.example.com/coraza-proxy-wasm@sha256:${digest}`, edgeCorazaWasmSha256: otherDigest }), []);
    });
});

describe("config/settings/gateway-api: the NGINX admission webhook's sources", () => {
    it("are refused with the Gateway API edge alone, which runs no admission webhook", () => {
        assert.deepEqual(lines({ edgeAdmissionWebhookSources: ["10.0.0.0/16"] }), [
            'edgeAdmissionWebhookSources = ["10.0.0.0/16"]: expected no sources with edgeImplementation: gateway-api (only ingress-nginx runs an admission webhook); remove it',
        ]);
    });
});
