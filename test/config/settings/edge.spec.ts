import * as assert from "node:assert/strict";
import { coveringSet } from "../../../config/settings/edge";
import type { CertificateSet } from "../../../config/settings/tls";
import { primary, problemLines } from "../../support/config-source";
import { host, servingPrimary } from "../../support/serving";

/**
 * The rules across the edge settings (config/settings/edge.ts), as a user reads them:
 * response header names, security profiles (unique names, WAF against edgeWafMode, the
 * profiles hosts and paths name), hosts (each once, distinct object names, a per-host
 * certificate's single namespace), which certificate set serves a host for the paths of
 * each namespace (coveringSet, which the NGINX and Gateway API edges also use to pick the
 * Secret), and the edge namespace's certificates of a stack without hosts. Each case
 * asserts the exact lines, so a rule that fires too often, too rarely or with another
 * message fails it.
 */

/** The lines of a serving primary with `values` laid over it. */
const lines = (values: Readonly<Record<string, unknown>>): string[] => problemLines({ ...servingPrimary, ...values });

/** A path of service web:80. */
const path = (p: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({ path: p, service: "web", port: 80, ...extra });

describe("config/settings/edge: response headers", () => {
    it("refuses a header name with a space and keeps a name of letters, digits, '-' and '_'", () => {
        const headers = { "X Frame": "DENY", "X-Content_Type-2": "nosniff" };
        assert.deepEqual(lines({ edgeHosts: [host("app.example.com", "apps", { paths: [path("/", { responseHeaders: headers })] })] }), [
            `edgeHosts[0].paths[0].responseHeaders.X Frame = "DENY": expected a header name of letters, digits, '-' and '_'`,
        ]);
    });
});

describe("config/settings/edge: security profiles", () => {
    it("refuses a name a second profile reuses, on the second one only", () => {
        assert.deepEqual(lines({ edgeSecurityProfiles: [{ name: "strict", rps: 5 }, { name: "loose", rps: 50 }, { name: "strict", rps: 10 }] }), [
            'edgeSecurityProfiles[2].name = "strict": expected a name used by one profile only',
        ]);
    });

    it("refuses waf: true while edgeWafMode is off, and accepts it with the module loaded or waf: false with it off", () => {
        const profiles = [{ name: "plain" }, { name: "waf", waf: true }, { name: "nowaf", waf: false }];
        assert.deepEqual(lines({ edgeSecurityProfiles: profiles, edgeWafMode: "off" }), [
            "edgeSecurityProfiles[1].waf = true: expected false while edgeWafMode is off (the WAF module is not loaded)",
        ]);
        assert.deepEqual(lines({ edgeSecurityProfiles: profiles, edgeWafMode: "detection-only" }), []);
        assert.deepEqual(lines({ edgeSecurityProfiles: profiles, edgeWafMode: "blocking" }), []);
    });

    it("refuses a host's or a path's profile that is not defined, listing the defined ones (or none)", () => {
        const hosts = [host("app.example.com", "apps", { profile: "strcit", paths: [path("/"), path("/admin", { profile: "admn" }), path("/api", { profile: "strict" })] })];
        assert.deepEqual(lines({ edgeHosts: hosts, edgeSecurityProfiles: [{ name: "strict", rps: 5 }, { name: "admin", rps: 1 }] }), [
            'edgeHosts[0].profile = "strcit": expected a profile of edgeSecurityProfiles (strict, admin)',
            'edgeHosts[0].paths[1].profile = "admn": expected a profile of edgeSecurityProfiles (strict, admin)',
        ]);
        assert.deepEqual(lines({ edgeHosts: [host("app.example.com", "apps", { profile: "strict" })] }), [
            'edgeHosts[0].profile = "strict": expected a profile of edgeSecurityProfiles (none defined)',
        ]);
    });
});

describe("config/settings/edge: hosts", () => {
    it("refuses a host listed twice with one line that points at the first entry", () => {
        assert.deepEqual(lines({ edgeHosts: [host("app.example.com"), host("www.example.com"), host("app.example.com")] }), [
            "edgeHosts[2].host = \"app.example.com\": expected each host once (edgeHosts[0] serves it; list all its paths there)",
        ]);
    });

    it("refuses two hosts whose object names would be the same ('a-b.example.com' and 'a.b.example.com')", () => {
        const tlsCertificates = [{ name: "wildcard", dnsNames: ["*.example.com", "*.b.example.com"] }];
        assert.deepEqual(lines({ tlsCertificates, edgeHosts: [host("a-b.example.com"), host("a.b.example.com")] }), [
            "edgeHosts[1].host = \"a.b.example.com\": expected a host whose object names ('a-b-example-com') differ from a-b.example.com's",
        ]);
    });

    it("refuses a path listed twice on a host, and accepts the same path on two hosts", () => {
        assert.deepEqual(lines({ edgeHosts: [host("app.example.com", "apps", { paths: [path("/"), path("/api"), path("/")] }), host("www.example.com")] }), [
            'edgeHosts[0].paths[2].path = "/": expected each path of app.example.com once',
        ]);
    });

    it("keeps every path of a host with its own certificate in the host's namespace; a host on the stack's certificate may spread", () => {
        const own = host("app.example.com", "apps", { certificate: "own", paths: [path("/"), path("/same", { namespace: "apps" }), path("/api", { namespace: "api" })] });
        assert.deepEqual(lines({ tlsCertificates: [], edgeHosts: [own] }), [
            "edgeHosts[0].paths[2].namespace = \"api\": expected the host's namespace 'apps': a per-host certificate's Secret lives in one namespace",
        ]);
        const stack = host("app.example.com", "apps", { paths: [path("/"), path("/api", { namespace: "api" })] });
        assert.deepEqual(lines({ edgeHosts: [stack] }), []);
    });
});

describe("config/settings/edge: the certificate that serves a host", () => {
    const edgeNamespace = "ingress-nginx";
    const set = (name: string, namespace: string | undefined, dnsNames: string[] = ["*.example.com"]): CertificateSet => ({ name, dnsNames, ...(namespace === undefined ? {} : { namespace }) });

    it("serves the paths of a namespace with that namespace's own covering set before the edge namespace's", () => {
        const sets = [set("other", "other"), set("edge", undefined), set("apps-other", "apps", ["*.other.org"]), set("apps", "apps")];
        assert.equal(coveringSet(sets, edgeNamespace, "app.example.com", "apps")?.name, "apps");
    });

    it("falls back to a covering set of the edge namespace, written out or left out, and never to another namespace's", () => {
        assert.equal(coveringSet([set("other", "other"), set("edge", undefined)], edgeNamespace, "app.example.com", "apps")?.name, "edge");
        assert.equal(coveringSet([set("other", "other"), set("edge", edgeNamespace)], edgeNamespace, "app.example.com", "apps")?.name, "edge");
        assert.equal(coveringSet([set("other", "other")], edgeNamespace, "app.example.com", "apps"), undefined);
        assert.equal(coveringSet([set("apps", "apps", ["*.other.org"])], edgeNamespace, "app.example.com", "apps"), undefined);
    });

    // The Gateway API edge serves any number of sets from the edge namespace (NGINX has one default certificate).
    it("in the edge namespace itself, takes the first covering set listed, however its namespace is written", () => {
        assert.equal(coveringSet([set("implicit", undefined), set("explicit", edgeNamespace)], edgeNamespace, "app.example.com", edgeNamespace)?.name, "implicit");
        assert.equal(coveringSet([set("explicit", edgeNamespace), set("implicit", undefined)], edgeNamespace, "app.example.com", edgeNamespace)?.name, "explicit");
    });

    it("refuses a host that no set covers for one of its paths' namespaces, naming each uncovered namespace", () => {
        const spread = host("app.example.com", "apps", { paths: [path("/"), path("/api", { namespace: "api" }), path("/web", { namespace: "web" })] });
        assert.deepEqual(lines({ tlsCertificates: [{ name: "web", namespace: "web", dnsNames: ["*.example.com"] }], edgeHosts: [spread] }), [
            'edgeHosts[0].host = "app.example.com": expected a host covered by a certificate of this stack (a set of tlsCertificates in ingress-nginx or in apps, api), or certificate: own',
        ]);
    });

    it("accepts a host whose every path namespace has a set of its own, and a host with its own certificate", () => {
        const spread = host("app.example.com", "apps", { paths: [path("/"), path("/api", { namespace: "api" })] });
        const sets = [
            { name: "apps", namespace: "apps", dnsNames: ["app.example.com"] },
            { name: "api", namespace: "api", dnsNames: ["*.example.com"] },
        ];
        assert.deepEqual(lines({ tlsCertificates: sets, edgeHosts: [spread, host("own.example.com", "apps", { certificate: "own" })] }), []);
    });
});

describe("config/settings/edge: a stack without hosts", () => {
    /** The lines about tlsCertificates of a primary without hosts that issues `sets`. */
    const setLines = (sets: readonly Record<string, unknown>[]): string[] =>
        problemLines({ ...primary, tlsCertificates: sets }).filter((l) => l.startsWith("tlsCertificates"));

    it("refuses the first set in the edge namespace, left out or written out: that namespace only exists with hosts", () => {
        assert.deepEqual(setLines([{ name: "site", dnsNames: ["example.com"] }]), [
            "tlsCertificates[0].namespace = (not set): expected a namespace of its own: the edge namespace ingress-nginx exists only when the stack serves hosts (edgeHosts)",
        ]);
        assert.deepEqual(setLines([{ name: "apps", namespace: "apps", dnsNames: ["a.example.com"] }, { name: "edge", namespace: "ingress-nginx", dnsNames: ["b.example.com"] }]), [
            'tlsCertificates[1].namespace = "ingress-nginx": expected a namespace of its own: the edge namespace ingress-nginx exists only when the stack serves hosts (edgeHosts)',
        ]);
    });

    it("accepts sets in namespaces of their own", () => {
        assert.deepEqual(setLines([{ name: "apps", namespace: "apps", dnsNames: ["a.example.com"] }, { name: "api", namespace: "api", dnsNames: ["b.example.com"] }]), []);
    });
});

describe("config/settings/edge: the NGINX admission webhook's sources", () => {
    it("are required once the NGINX edge serves hosts, and not without hosts or with the Gateway API edge alone", () => {
        const missing =
            "edgeAdmissionWebhookSources is not set: the controller's admission webhook must only be reachable from the API server; list the CIDR blocks it calls webhooks from (on EKS, the control plane's subnets)";
        assert.deepEqual(lines({ edgeAdmissionWebhookSources: [] }), [missing]);
        assert.deepEqual(lines({ edgeAdmissionWebhookSources: [], edgeImplementation: "gateway-api+nginx", gatewayApiCrdsSha256: "a".repeat(64) }), [missing]);
        assert.deepEqual(problemLines({ ...primary, edgeAdmissionWebhookSources: [] }), []);
    });
});

describe("config/settings/edge: replicas", () => {
    it("accepts edgeMinReplicas equal to edgeMaxReplicas and refuses it one above", () => {
        assert.deepEqual(lines({ edgeMinReplicas: 4, edgeMaxReplicas: 4 }), []);
        assert.deepEqual(lines({ edgeMinReplicas: 5, edgeMaxReplicas: 4 }), ["edgeMinReplicas = 5: expected at most edgeMaxReplicas (4)"]);
    });
});
