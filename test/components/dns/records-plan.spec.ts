import * as assert from "node:assert/strict";
import { elbCanonicalZones } from "../../../offline/computed";
import type { SampleLookup } from "../../../offline/engine";
import { readSamples, sampleLookup } from "../../../offline/samples";
import { inputsOf, ofType, one, planned, plannedOnce, type Planned } from "../../support/plan";

/**
 * DNS records in the plans: every domain a stack serves points at that stack's own edge
 * load balancer; a shared domain gets weighted or failover records.
 */

const records = (p: Planned): Record<string, any> => Object.fromEntries(ofType(p, "aws:route53/record:Record").map((r): [string, unknown] => [String(inputsOf(r).name), inputsOf(r) as unknown]));
// As the offline engine computes a LoadBalancer Service's hostname after `pulumi up`.
const edgeHostname = "edge-service-0123456789abcdef.elb.us-east-1.amazonaws.com";

describe("DNS records in the default stacks' plans (as pulumi up)", () => {
    let primary: Planned;
    let remote: Planned;
    before(async () => {
        primary = await plannedOnce("primary", undefined, { up: true });
        remote = await plannedOnce("remote", undefined, { up: true });
    });

    it("aliases each domain to this cluster's own NLB in its canonical zone, with target health", () => {
        const r = records(primary);
        assert.deepEqual(Object.keys(r).sort(), ["admin.example.com", "api.example.com", "secure.example.com", "user.example.com"]);
        for (const record of Object.values(r)) {
            assert.equal(record.zoneId, "Z0123456789ABCDEFGHIJ");
            assert.equal(record.type, "A");
            assert.deepEqual(record.aliases, [{ name: edgeHostname, zoneId: elbCanonicalZones.network["us-east-1"], evaluateTargetHealth: true }]);
            assert.equal(record.ttl, undefined, "alias records have no TTL");
        }
        assert.equal((primary.document.outputs as Record<string, unknown>)["edgeLoadBalancer"], edgeHostname);
    });

    it("writes plain records for domains one cluster serves and weighted records with the cluster's name for the shared one", () => {
        const p = records(primary);
        assert.equal(p["admin.example.com"].setIdentifier, undefined);
        assert.equal(p["admin.example.com"].weightedRoutingPolicies, undefined);
        assert.equal(p["api.example.com"].setIdentifier, "cluster1");
        assert.deepEqual(p["api.example.com"].weightedRoutingPolicies, [{ weight: 50 }]);
        const r = records(remote);
        assert.deepEqual(Object.keys(r), ["api.example.com"]);
        assert.equal(r["api.example.com"].setIdentifier, "cluster2");
        assert.deepEqual(r["api.example.com"].weightedRoutingPolicies, [{ weight: 50 }]);
    });

    it("uses the Route53 provider of this stack's account and region", () => {
        for (const r of ofType(primary, "aws:route53/record:Record")) assert.match(String(r.provider), /aws$/);
    });
});

describe("DNS variants", () => {
    it("writes failover records, one cluster primary, with the NLB's target health", async () => {
        const p = await planned("remote", { overrides: { set: { dnsRouting: [{ host: "api.example.com", policy: "failover", failover: "secondary" }] } }, samples: failoverPrimarySamples() });
        const record = records(p)["api.example.com"];
        assert.deepEqual(record.failoverRoutingPolicies, [{ type: "SECONDARY" }]);
        assert.equal(record.setIdentifier, "cluster2");
        assert.equal(record.aliases[0].evaluateTargetHealth, true);
    });

    it("writes CNAME records with the configured TTL for a load balancer with a hostname, health-checked when shared", async () => {
        const p = await planned("remote", { up: true, overrides: { set: { edgeLoadBalancer: "hostname", dnsRecordTtl: 60 } } });
        const record = records(p)["api.example.com"];
        assert.equal(record.type, "CNAME");
        assert.equal(record.ttl, 60);
        assert.deepEqual(record.records, [edgeHostname]);
        const check = inputsOf(one(p, "aws:route53/healthCheck:HealthCheck"));
        assert.deepEqual({ type: check.type, port: check.port, path: check.resourcePath, fqdn: check.fqdn }, { type: "HTTP", port: 80, path: "/healthz", fqdn: edgeHostname });
        assert.equal(record.healthCheckId, "dns-api.example.com-health-id");
    });

    it("writes A records to a load balancer that publishes an address", async () => {
        const p = await planned("remote", { overrides: { set: { edgeLoadBalancer: "ip", dnsRouting: [] } }, samples: plainPrimarySamples() });
        const record = records(p)["api.example.com"];
        assert.equal(record.type, "A");
        assert.equal(record.ttl, 300);
        assert.equal(ofType(p, "aws:route53/healthCheck:HealthCheck").length, 0, "a domain only this cluster serves has no health check");
    });
});

/** The shipped samples, with the primary serving api.example.com as the given routing. */
function primaryServing(routing: Record<string, unknown>[]): SampleLookup {
    const samples = readSamples();
    const key = [...samples.keys()].find((k) => k.endsWith("/primary"))!;
    const primary = samples.get(key)!;
    samples.set(key, { ...primary, outputs: { ...primary.outputs, servedDomains: routing } });
    return sampleLookup(samples);
}
function failoverPrimarySamples(): SampleLookup {
    return primaryServing([{ host: "api.example.com", routing: "failover", failover: "primary" }]);
}
function plainPrimarySamples(): SampleLookup {
    return primaryServing([{ host: "admin.example.com", routing: "simple" }]);
}
