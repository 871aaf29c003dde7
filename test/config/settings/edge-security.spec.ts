import * as assert from "node:assert/strict";
import { primary, problemLines } from "../../support/config-source";
import { servingPrimary } from "../../support/serving";

/**
 * The edge's security rules (config/settings/edge-security.ts), as a user reads them:
 * `public: true` opens a path of an allowlisted host and nothing else, a path cannot
 * weaken HSTS, a route into the control plane needs an explicit allowance that some path
 * uses, and the Service annotations cannot carry pod-level ones or undo what the AWS NLB
 * edge sets for security. Each case asserts the exact lines.
 */

/** A primary that serves hosts of example.com with a wildcard certificate, and three profiles. */
const serving = {
    ...servingPrimary,
    edgeSecurityProfiles: [
        { name: "office", allowlist: ["203.0.113.0/24"] },
        { name: "partners", allowlist: ["198.51.100.0/24"] },
        { name: "limited", rps: 10 },
    ],
};

const path = (p: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({ path: p, service: "web", port: 80, ...extra });

/** app.example.com in namespace apps, with `profile` (none when undefined) and these paths. */
const app = (profile: string | undefined, ...paths: Record<string, unknown>[]): Record<string, unknown> => ({
    ...serving,
    edgeHosts: [{ host: "app.example.com", namespace: "apps", ...(profile === undefined ? {} : { profile }), paths: [path("/"), ...paths] }],
});

describe("config/settings/edge-security: public paths", () => {
    it("opens paths of an allowlisted host: inheriting its profile, naming it again, or naming a profile without an allowlist", () => {
        assert.deepEqual(problemLines(app("office", path("/health", { public: true }), path("/status", { public: true, profile: "office" }), path("/api", { public: true, profile: "limited" }))), []);
    });

    it("refuses public: true on a path whose own profile has an allowlist", () => {
        assert.deepEqual(problemLines(app("office", path("/partners", { public: true, profile: "partners" }))), [
            "edgeHosts[0].paths[1].public = true: expected no public: true on a path whose profile 'partners' has an allowlist; drop one of them",
        ]);
    });

    it("refuses public: true on a path of a host without an allowlist, with or without a profile of its own", () => {
        const already = (j: number): string => `edgeHosts[0].paths[${j}].public = true: expected public: true only on a path of a host with an allowlist: app.example.com has none, so the path is public already`;
        assert.deepEqual(problemLines(app(undefined, path("/a", { public: true }), path("/b", { public: true, profile: "limited" }))), [already(1), already(2)]);
        assert.deepEqual(problemLines(app("limited", path("/a", { public: true }))), [already(1)]);
    });

    it("accepts public: false anywhere", () => {
        assert.deepEqual(problemLines(app(undefined, path("/a", { public: false }))), []);
    });
});

describe("config/settings/edge-security: HSTS per path", () => {
    it("refuses a Strict-Transport-Security response header on a path, in any case", () => {
        assert.deepEqual(problemLines(app(undefined, path("/a", { responseHeaders: { "X-Frame-Options": "DENY", "strict-Transport-Security": "max-age=0" } }))), [
            'edgeHosts[0].paths[1].responseHeaders.strict-Transport-Security = "max-age=0": expected no Strict-Transport-Security header on a path: HSTS comes only from edgeHstsMaxAge, edgeHstsIncludeSubdomains and edgeHstsPreload, the same for every path (one weaker path weakens the whole host)',
        ]);
    });
});

describe("config/settings/edge-security: routes into the control plane", () => {
    const dashboard = path("/dash", { namespace: "kube-system", service: "dashboard" });

    it("refuses a path to a control-plane backend that is not allowed", () => {
        assert.deepEqual(problemLines(app(undefined, dashboard)), [
            "edgeHosts[0].paths[1].service = \"kube-system/dashboard\": expected a backend outside the control plane: kube-system is the Kubernetes control plane's namespace; a public host routed there exposes it to the Internet (to route there anyway, list 'kube-system/dashboard' in edgeControlPlaneBackends)",
        ]);
    });

    it("accepts it when edgeControlPlaneBackends lists it", () => {
        assert.deepEqual(problemLines({ ...app(undefined, dashboard), edgeControlPlaneBackends: ["kube-system/dashboard"] }), []);
    });

    it("refuses an allowance no path uses, and only that one", () => {
        assert.deepEqual(problemLines({ ...app(undefined, dashboard), edgeControlPlaneBackends: ["kube-system/dashboard", "istio-system/kiali"] }), [
            'edgeControlPlaneBackends[1] = "istio-system/kiali": expected a control-plane backend that a path of edgeHosts routes to (remove allowances nobody uses)',
        ]);
    });
});

describe("config/settings/edge-security: Service annotations", () => {
    const podLevel = (key: string, value: string): string =>
        `edgeServiceAnnotations.${key} = "${value}": expected Service and load balancer annotations only: this is an Istio or pod-level annotation, and on the Gateway API edge istiod copies these annotations onto the gateway's pods (proxy.istio.io/config would set the trusted proxy hops, so clients could choose their own address)`;
    const scheme = "service.beta.kubernetes.io/aws-load-balancer-scheme";

    it("refuses Istio and pod-level annotations, sorted by key, and keeps any other", () => {
        assert.deepEqual(problemLines({ ...primary, edgeLoadBalancer: "ip", edgeServiceAnnotations: { "example.com/team": "edge", "sidecar.istio.io/inject": "true", "proxy.istio.io/config": "{}" } }), [
            podLevel("proxy.istio.io/config", "{}"),
            podLevel("sidecar.istio.io/inject", "true"),
        ]);
    });

    it("aws-nlb: refuses an annotation that undoes one the edge sets, naming the value it needs and why", () => {
        assert.deepEqual(problemLines({ ...primary, edgeServiceAnnotations: { [scheme]: "internal" } }), [
            `edgeServiceAnnotations.${scheme} = "internal": expected internet-facing (or no such annotation): edgeLoadBalancer aws-nlb sets it so that the public DNS records of the edge reach it`,
        ]);
        assert.deepEqual(problemLines({ ...primary, edgeServiceAnnotations: { [scheme]: "internet-facing" } }), []);
    });

    it("other load balancers: leave those annotations to the user (the program sets none of them)", () => {
        assert.deepEqual(problemLines({ ...primary, edgeLoadBalancer: "hostname", edgeServiceAnnotations: { [scheme]: "internal" } }), []);
    });
});
