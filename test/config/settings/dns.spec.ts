import * as assert from "node:assert/strict";
import { problemLines } from "../../support/config-source";
import { host, servingPrimary } from "../../support/serving";

/**
 * The rules across the DNS settings (config/settings/dns.ts), as a user reads them: the
 * hosted zone the served hosts live in, the Route53 routing policy of a host shared with
 * other clusters (a weighted record has a weight from 0 to 255 and no failover role; a
 * failover record has a role, PRIMARY or SECONDARY, and no weight), and the zone apex,
 * which cannot be a CNAME (RFC 1034 §3.6.2; Route53 answers the apex with an alias or A
 * records instead). Each case asserts the exact lines.
 */

/** A primary that serves app.example.com and the apex example.com, with a certificate for both. */
const serving = {
    ...servingPrimary,
    tlsCertificates: [{ name: "site", dnsNames: ["example.com", "*.example.com"] }],
    edgeHosts: [host("app.example.com"), host("example.com")],
};

describe("config/settings/dns: the hosted zone of the served hosts", () => {
    it("loads hosts at and below the zone", () => {
        assert.deepEqual(problemLines(serving), []);
    });

    it("refuses a host outside the zone, by its index", () => {
        assert.deepEqual(problemLines({ ...serving, tlsCertificates: [{ name: "site", dnsNames: ["example.com", "*.example.com", "app.example.org"] }], edgeHosts: [host("app.example.com"), host("app.example.org")] }), [
            'tlsCertificates[0].dnsNames[2] = "app.example.org": expected a name in the hosted zone example.com (dnsHostedZoneName)',
            'edgeHosts[1].host = "app.example.org": expected a name in the hosted zone example.com (dnsHostedZoneName)',
        ]);
    });
});

describe("config/settings/dns: routing of a host shared with other clusters", () => {
    const routing = (...entries: Record<string, unknown>[]): Record<string, unknown> => ({ ...serving, dnsRouting: entries });

    it("loads a weighted record at either end of the weight range and a failover record with its role", () => {
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "weighted", weight: 0 }, { host: "example.com", policy: "failover", failover: "secondary" })), []);
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "weighted", weight: 255 }, { host: "example.com", policy: "failover", failover: "primary" })), []);
    });

    it("refuses a host the stack does not serve", () => {
        assert.deepEqual(problemLines(routing({ host: "www.example.com", policy: "weighted", weight: 10 })), ['dnsRouting[0].host = "www.example.com": expected a host this stack serves (one of edgeHosts)']);
    });

    it("refuses a host routed twice, on each later entry", () => {
        const entry = { host: "app.example.com", policy: "weighted", weight: 10 };
        assert.deepEqual(problemLines(routing(entry, entry, entry)), ['dnsRouting[1].host = "app.example.com": expected each host once', 'dnsRouting[2].host = "app.example.com": expected each host once']);
    });

    it("weighted: needs a weight and takes no failover role", () => {
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "weighted" })), ["dnsRouting[0].weight is not set: a weighted record needs a weight from 0 to 255"]);
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "weighted", weight: 10, failover: "primary" })), [
            'dnsRouting[0].failover = "primary": expected no failover role on a weighted record',
        ]);
    });

    it("failover: needs a role and takes no weight", () => {
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "failover" })), ["dnsRouting[0].failover is not set: a failover record is 'primary' or 'secondary'"]);
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "failover", failover: "primary", weight: 10 })), ["dnsRouting[0].weight = 10: expected no weight on a failover record"]);
        // A weight of 0 is a weight too.
        assert.deepEqual(problemLines(routing({ host: "app.example.com", policy: "failover", failover: "primary", weight: 0 })), ["dnsRouting[0].weight = 0: expected no weight on a failover record"]);
    });
});

describe("config/settings/dns: the zone apex and edgeLoadBalancer", () => {
    it("refuses the apex behind a hostname load balancer (a CNAME), and only the apex", () => {
        assert.deepEqual(problemLines({ ...serving, edgeLoadBalancer: "hostname" }), [
            'edgeHosts[1].host = "example.com": expected a name below the zone apex: the apex cannot be a CNAME (use edgeLoadBalancer aws-nlb for an alias, or ip)',
        ]);
        assert.deepEqual(problemLines({ ...serving, edgeLoadBalancer: "hostname", edgeHosts: [host("app.example.com")] }), []);
    });

    it("accepts the apex behind an AWS NLB (an alias record) or an IP address (A records)", () => {
        assert.deepEqual(problemLines({ ...serving, edgeLoadBalancer: "aws-nlb" }), []);
        assert.deepEqual(problemLines({ ...serving, edgeLoadBalancer: "ip" }), []);
    });
});
