import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { SampleLookup, StackSample } from "../../offline/engine";
import { projectDir } from "../../offline/plan";
import { readSamples, sampleLookup } from "../../offline/samples";
import { problemsAmongPeers, problemsWithPeers, stackIdentifierSets, type PeerStack } from "../../stacks/edge";
import { outputsOf, planned, rejected } from "../support/plan";

/**
 * Each identifier set is issued by one stack of the mesh, and a domain served by several
 * clusters is shared through the same routing policy: stacks check each other through
 * their stack references.
 */

/** The shipped samples, with one stack's outputs changed (and further stacks added). */
function samplesWith(changes: Record<string, Record<string, unknown>>, added: Record<string, StackSample> = {}): SampleLookup {
    const samples = readSamples();
    for (const [stack, outputs] of Object.entries(changes)) {
        const key = [...samples.keys()].find((k) => k.endsWith(`/${stack}`))!;
        const sample = samples.get(key)!;
        samples.set(key, { ...sample, outputs: { ...sample.outputs, ...outputs } });
    }
    for (const [name, sample] of Object.entries(added)) samples.set(name, sample);
    return sampleLookup(samples);
}

describe("identifier sets and shared domains across the mesh", () => {
    it("exports each stack's identifier sets and served domains, as the offline samples document them", async () => {
        for (const stack of ["primary", "remote"]) {
            const outputs = outputsOf(await planned(stack));
            const sample = (parse(fs.readFileSync(path.join(projectDir, "offline", "samples", `${stack}.yaml`), "utf8")) as { outputs: Record<string, unknown> }).outputs;
            assert.deepEqual(outputs.tlsIdentifierSets, sample["tlsIdentifierSets"], stack);
            assert.deepEqual(outputs.servedDomains, sample["servedDomains"], stack);
        }
    });

    it("lets the primary's wildcard and the remote's api certificate coexist: different challenge records", () => {
        const remote: PeerStack = { name: "acme/mesh-ingress/remote", tlsIdentifierSets: [{ name: "api-example-com", dnsNames: ["api.example.com"] }], servedDomains: [] };
        const settings = { tlsCertificates: [{ name: "example-com", dnsNames: ["*.example.com", "example.com"] }], edgeHosts: [], dnsRouting: [] };
        assert.deepEqual(problemsWithPeers(settings, [remote]), []);
        assert.deepEqual(stackIdentifierSets(settings), [{ name: "example-com", dnsNames: ["*.example.com", "example.com"] }]);
    });

    it("refuses, on a remote, a set the primary already issues (the wildcard's challenge record)", async () => {
        const lines = await rejected("remote", { overrides: { set: { tlsCertificates: [{ name: "example-com-apex", dnsNames: ["example.com"] }, { name: "api-example-com", dnsNames: ["api.example.com"], namespace: "api" }] } } });
        assert.deepEqual(lines, [
            `tlsCertificates[0] = ["example.com"]: expected an identifier set no other stack issues: acme/mesh-ingress/primary issues 'example-com' (*.example.com, example.com), and both would write _acme-challenge.example.com`,
        ]);
    });

    it("refuses, on the primary, a per-host certificate a deployed remote already issues", async () => {
        const hosts = [{ host: "api.example.com", namespace: "api", profile: "public", certificate: "own", paths: [{ path: "/v1", service: "api-v1-service", port: 80 }] }];
        const lines = await rejected("primary", { overrides: { set: { edgeHosts: hosts } } });
        assert.match(lines[0]!, /^edgeHosts\[0\]\.certificate = \["api\.example\.com"\]: expected an identifier set no other stack issues: acme\/mesh-ingress\/remote issues 'api-example-com'/);
    });

    it("refuses two remotes that issue the same set, when the primary sees both", async () => {
        const remote = readSamples().get("acme/mesh-ingress/remote")!;
        const samples = samplesWith({}, { "acme/mesh-ingress/remote-eu": { ...remote, outputs: { ...remote.outputs, clusterName: "cluster3", network: "network3" } } });
        const lines = await rejected("primary", { samples, overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote", "acme/mesh-ingress/remote-eu"] } } });
        assert.match(lines[0]!, /^remoteStacks\[1\] = "acme\/mesh-ingress\/remote-eu": expected stacks that issue distinct identifier sets: .* both write _acme-challenge\.api\.example\.com/);
    });

    it("refuses a domain another cluster serves unless this stack shares it too", async () => {
        const lines = await rejected("remote", { overrides: { set: { dnsRouting: [] } } });
        assert.deepEqual(lines, [
            "edgeHosts[0].host = \"api.example.com\": expected a dnsRouting entry for it: acme/mesh-ingress/primary also serves it (weighted record), and plain records of two clusters cannot share a name",
        ]);
    });

    it("refuses a shared domain whose other cluster writes a plain record", async () => {
        const lines = await rejected("remote", { samples: samplesWith({ primary: { servedDomains: [{ host: "api.example.com", routing: "simple" }] } }) });
        assert.deepEqual(lines, ["dnsRouting[0].host = \"api.example.com\": expected acme/mesh-ingress/primary to share it too: it serves it with a plain record (add a weighted dnsRouting entry there)"]);
    });

    it("refuses mismatched routing policies and two primaries of a failover pair", async () => {
        const mismatch = await rejected("remote", { overrides: { set: { dnsRouting: [{ host: "api.example.com", policy: "failover", failover: "secondary" }] } } });
        assert.deepEqual(mismatch, ["dnsRouting[0].policy = \"failover\": expected 'weighted', the policy acme/mesh-ingress/primary uses for api.example.com"]);
        const samples = samplesWith({ primary: { servedDomains: [{ host: "api.example.com", routing: "failover", failover: "primary" }] } });
        const twoPrimaries = await rejected("remote", { samples, overrides: { set: { dnsRouting: [{ host: "api.example.com", policy: "failover", failover: "primary" }] } } });
        assert.deepEqual(twoPrimaries, ["dnsRouting[0].failover = \"primary\": expected the other role: acme/mesh-ingress/primary is already the primary record of api.example.com"]);
    });

    it("checks peers among themselves by their challenge records", () => {
        const a: PeerStack = { name: "a", tlsIdentifierSets: [{ name: "w", dnsNames: ["*.example.org"] }], servedDomains: [] };
        const b: PeerStack = { name: "b", tlsIdentifierSets: [{ name: "apex", dnsNames: ["example.org"] }], servedDomains: [] };
        const c: PeerStack = { name: "c", tlsIdentifierSets: [{ name: "shop", dnsNames: ["shop.example.org"] }], servedDomains: [] };
        assert.equal(problemsAmongPeers([a, c], (p) => p.name).length, 0);
        assert.equal(problemsAmongPeers([a, b, c], (p) => p.name).length, 1);
    });
});
