import * as assert from "node:assert/strict";
import type { V1Deployment, V1Node } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { eligibleNodes, rolloutBudget } from "../../doctor/mesh";
import { hstsDirectives, parseConnectTo } from "../../doctor/probes";
import { checkLine, report, type Check } from "../../doctor/report";
import { challengeRecord } from "../../doctor/tls";

/** The doctor's pure parts: the report and its exit status, and the rules the checks apply. */

const base = { area: "mesh" as const, title: "t", expected: "e", source: "s" };

describe("the doctor's report", () => {
    it("exits 0 with only ok and warn, 1 with a failure or a check that could not run", () => {
        const ok: Check = { ...base, id: "a", status: "ok", seen: "x" };
        assert.equal(report(context(), [ok, { ...ok, id: "b", status: "warn" }]).exitStatus, 0);
        assert.equal(report(context(), [ok, { ...ok, id: "b", status: "fail" }]).exitStatus, 1);
        assert.equal(report(context(), [ok, { ...ok, id: "b", status: "skip", seen: "not run: forbidden" }]).exitStatus, 1);
    });

    it("names a troubleshooting case only for failing checks, in the article's order", () => {
        const r = report(context(), [
            { ...base, id: "edge.dns", subject: "a.example.com", status: "fail", seen: "x", case: "ingress-routing" },
            { ...base, id: "tls.certificate", subject: "ns/c", status: "warn", seen: "x", case: "certificate-not-issued" },
            { ...base, id: "mesh.remote-synced", subject: "cluster2", status: "fail", seen: "x", case: "istiod-unreachable" },
        ]);
        assert.deepEqual(
            r.diagnoses.map((d) => [d.title, d.checks]),
            [
                ["istiod not reachable through the east-west gateway", ["mesh.remote-synced[cluster2]"]],
                ["ingress routing fails", ["edge.dns[a.example.com]"]],
            ],
        );
    });

    it("prints one line per check, with the next command and the case only where something is wrong", () => {
        const fail: Check = { ...base, id: "mesh.x", subject: "c2", status: "fail", seen: "bad", next: "kubectl get x", case: "istiod-unreachable" };
        assert.equal(checkLine(fail), "FAIL mesh t [c2] | seen: bad | expected: e (s) | next: kubectl get x | case: istiod not reachable through the east-west gateway");
        assert.equal(checkLine({ ...fail, status: "ok", seen: "good" }), "ok   mesh t [c2] | seen: good | expected: e (s)");
    });
});

describe("the rules the doctor's checks apply", () => {
    it("resolves maxSurge up and maxUnavailable down, as the Deployment controller does", () => {
        const d = (surge: string | number | undefined, unavailable: string | number | undefined, replicas = 3): V1Deployment =>
            ({ spec: { replicas, selector: {}, template: {}, strategy: { rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } } });
        assert.deepEqual(
            [rolloutBudget(d("100%", "25%")).surge, rolloutBudget(d("100%", "25%")).unavailable],
            [3, 0],
        );
        assert.equal(rolloutBudget(d("25%", "25%", 4)).unavailable, 1);
        assert.equal(rolloutBudget(d("10%", 1)).surge, 1);
        assert.equal(rolloutBudget(d(undefined, undefined, 8)).unavailable, 2, "Kubernetes' default 25%");
    });

    it("counts only nodes istiod could run on: Ready, schedulable, matching its nodeSelector, taints tolerated", () => {
        const node = (name: string, extra: Record<string, unknown> = {}): V1Node =>
            ({ metadata: { name, labels: { pool: "system" } }, spec: {}, status: { conditions: [{ type: "Ready", status: "True" }] }, ...extra });
        const deployment = { spec: { selector: {}, template: { spec: { containers: [], nodeSelector: { pool: "system" }, tolerations: [{ key: "dedicated", operator: "Equal", value: "mesh", effect: "NoSchedule" }] } } } } as unknown as V1Deployment;
        const nodes = [
            node("ok"),
            node("cordoned", { spec: { unschedulable: true } }),
            node("not-ready", { status: { conditions: [{ type: "Ready", status: "False" }] } }),
            node("other-pool", { metadata: { name: "other-pool", labels: { pool: "apps" } } }),
            node("tainted-tolerated", { spec: { taints: [{ key: "dedicated", value: "mesh", effect: "NoSchedule" }] } }),
            node("tainted", { spec: { taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }] } }),
            node("prefers-not", { spec: { taints: [{ key: "gpu", value: "true", effect: "PreferNoSchedule" }] } }),
        ];
        assert.deepEqual(eligibleNodes(nodes, deployment).map((n) => n.metadata?.name), ["ok", "tainted-tolerated", "prefers-not"]);
    });

    it("reads --connect-to as curl does", () => {
        assert.deepEqual(parseConnectTo("api.example.com:443:127.0.0.1:8443"), { host: "api.example.com", port: "443", toHost: "127.0.0.1", toPort: "8443" });
        assert.deepEqual(parseConnectTo("::[::1]:"), { host: "", port: "", toHost: "::1", toPort: "" });
        assert.equal(parseConnectTo("api.example.com:443"), undefined);
    });

    it("reads HSTS directives case-insensitively", () => {
        assert.deepEqual(hstsDirectives("max-age=31536000; includeSubDomains"), { maxAge: 31536000, includeSubdomains: true, preload: false });
        assert.deepEqual(hstsDirectives('Max-Age="600";PRELOAD'), { maxAge: 600, includeSubdomains: false, preload: true });
        assert.deepEqual(hstsDirectives("includeSubDomains"), { includeSubdomains: true, preload: false });
    });

    it("names the TXT record a DNS-01 challenge waits for, the wildcard's base name included", () => {
        assert.equal(challengeRecord({ spec: { type: "DNS-01", dnsName: "*.example.com", key: "k1" } }), 'TXT _acme-challenge.example.com = "k1"');
        assert.equal(challengeRecord({ spec: { type: "HTTP-01", dnsName: "example.com", key: "k2" } }), undefined);
    });
});

function context(): Parameters<typeof report>[0] {
    return { stack: "primary", role: "primary", clusterName: "cluster1", cluster: { context: "cluster1", server: "https://k", kubeconfig: "~/.kube/config" }, sources: [], probes: true };
}
