import * as assert from "node:assert/strict";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, ofType, one, type Planned } from "../plan";

const apiRecord = (p: Planned): any => inputsOf(one(p, "aws:route53/record:Record", "dns-api.example.com"));
/** What the rows read of a ClusterIssuer. */
interface Issuer {
    readonly metadata: { readonly name: string };
    readonly spec: { readonly acme: { readonly solvers: readonly { readonly selector: unknown; readonly dns01: { readonly route53: { readonly hostedZoneID: string } } }[] } };
}
const issuers = (p: Planned): Issuer[] => ofType(p, "kubernetes:cert-manager.io/v1:ClusterIssuer").map((r) => inputsOf(r) as Issuer);

/**
 * The dns settings at non-default values (see test/support/non-default.ts): the remote stack
 * in a hosted zone of its own (api.example.com), with its edge load balancer publishing an
 * IP, so that its record is an A record with a TTL rather than an alias.
 */
export const dnsVariants: readonly NonDefaultVariant[] = [
    {
        name: "dns: a remote in its own zone, on an IP load balancer",
        base: "remote",
        context: { edgeLoadBalancer: "ip" },
        rows: [
            {
                key: "dnsHostedZoneName",
                value: "api.example.com",
                effect: "cert-manager's issuers solve DNS-01 challenges in the zone api.example.com",
                check: (p) => {
                    assert.deepEqual(
                        issuers(p).map((i) => [i.metadata.name, i.spec.acme.solvers.map((s) => s.selector)]),
                        [
                            ["letsencrypt-staging", [{ dnsZones: ["api.example.com"] }]],
                            ["letsencrypt-production", [{ dnsZones: ["api.example.com"] }]],
                        ],
                    );
                },
            },
            {
                key: "dnsHostedZoneId",
                value: "Z9876543210ZYXWVUTSRQ",
                effect: "the record, the issuers and the DNS-01 IAM policy use the hosted zone Z9876543210ZYXWVUTSRQ",
                check: (p) => {
                    assert.equal(apiRecord(p).zoneId, "Z9876543210ZYXWVUTSRQ");
                    assert.deepEqual(
                        issuers(p).map((i) => [i.metadata.name, i.spec.acme.solvers.map((s) => s.dns01.route53.hostedZoneID)]),
                        [
                            ["letsencrypt-staging", ["Z9876543210ZYXWVUTSRQ"]],
                            ["letsencrypt-production", ["Z9876543210ZYXWVUTSRQ"]],
                        ],
                    );
                    const policy = JSON.parse(inputsOf(one(p, "aws:iam/policy:Policy", "dns01-policy")).policy) as { Statement: { Sid: string; Resource: string }[] };
                    assert.deepEqual(
                        policy.Statement.filter((s) => s.Sid !== "PollChanges").map((s) => s.Resource),
                        ["arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSRQ", "arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSRQ"],
                    );
                },
            },
            {
                key: "dnsRecordTtl",
                value: 123,
                effect: "the A record to the load balancer's IP has a TTL of 123 seconds",
                check: (p) => {
                    const record = apiRecord(p);
                    assert.equal(record.type, "A");
                    assert.equal(record.ttl, 123);
                },
            },
            {
                key: "dnsRouting",
                value: [{ host: "api.example.com", policy: "weighted", weight: 30 }],
                effect: "api.example.com is a weighted record of weight 30 with the cluster's name as set identifier, health-checked",
                check: (p) => {
                    const record = apiRecord(p);
                    assert.deepEqual(record.weightedRoutingPolicies, [{ weight: 30 }]);
                    assert.equal(record.setIdentifier, "cluster2");
                    assert.equal(record.failoverRoutingPolicies, undefined);
                    assert.deepEqual(inputsOf(one(p, "aws:route53/healthCheck:HealthCheck", "dns-api.example.com-health")).tags, { Name: "api.example.com via cluster2" });
                },
            },
        ],
    },
];
