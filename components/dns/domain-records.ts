import * as route53 from "@pulumi/aws/route53";
import * as pulumi from "@pulumi/pulumi";

/** Where this cluster's edge is reached. */
export type EdgeTarget =
    /** An AWS NLB: alias records to its hostname in its canonical hosted zone, health from the NLB's targets. */
    | { readonly kind: "aws-nlb"; readonly hostname: pulumi.Input<string>; readonly canonicalZoneId: pulumi.Input<string> }
    /** Another load balancer with a hostname: CNAME records. */
    | { readonly kind: "hostname"; readonly hostname: pulumi.Input<string> }
    /** A load balancer with an address: A records. */
    | { readonly kind: "ip"; readonly ip: pulumi.Input<string> };

/** How a domain is shared with other clusters of the mesh. */
export type SharedRouting = { readonly policy: "weighted"; readonly weight: number } | { readonly policy: "failover"; readonly role: "primary" | "secondary" };

/** One domain this cluster serves. */
export interface DomainRecord {
    readonly host: string;
    /** Undefined: this cluster alone serves it (a plain record). */
    readonly shared?: SharedRouting;
}

/** Arguments of {@link DomainRecords}. */
export interface DomainRecordsArgs {
    /** The hosted zone's id. */
    hostedZoneId: pulumi.Input<string>;
    /** The domains this cluster serves. */
    domains: readonly DomainRecord[];
    /** This cluster's edge load balancer. */
    target: EdgeTarget;
    /** The record's set identifier when a domain is shared: this cluster's name, unique in the mesh. */
    setIdentifier: string;
    /** TTL of CNAME and A records (alias records have none). */
    ttl: number;
    /**
     * Path a Route53 health check requests from a non-AWS load balancer of a shared
     * domain (ingress-nginx answers 200 on its catch-all server).
     * @default "/healthz"
     */
    healthCheckPath?: string;
}

/** The routing-policy arguments of a shared record. */
export function routingPolicyArgs(shared: SharedRouting | undefined, setIdentifier: string): Partial<route53.RecordArgs> {
    if (shared === undefined) return {};
    return shared.policy === "weighted"
        ? { setIdentifier, weightedRoutingPolicies: [{ weight: shared.weight }] }
        : { setIdentifier, failoverRoutingPolicies: [{ type: shared.role === "primary" ? "PRIMARY" : "SECONDARY" }] };
}

/**
 * Route53 records for the domains this cluster serves, each pointing at this cluster's
 * edge load balancer: alias A records to an AWS NLB (target health evaluated), CNAME or A
 * records to other load balancers. A domain that other clusters serve too gets a
 * weighted or failover record with this cluster's set identifier, health-checked, so the
 * clusters' records share the name instead of competing for it.
 */
export class DomainRecords extends pulumi.ComponentResource {
    /** The records, by host. */
    public readonly records: Readonly<Record<string, route53.Record>>;

    constructor(name: string, args: DomainRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:dns:DomainRecords", name, {}, opts);
        const records: Record<string, route53.Record> = {};
        const target = args.target;
        for (const domain of args.domains) {
            const id = `${name}-${domain.host}`;
            const common = { zoneId: args.hostedZoneId, name: domain.host, ...routingPolicyArgs(domain.shared, args.setIdentifier) };
            if (target.kind === "aws-nlb") {
                records[domain.host] = new route53.Record(
                    id,
                    { ...common, type: "A", aliases: [{ name: target.hostname, zoneId: target.canonicalZoneId, evaluateTargetHealth: true }] },
                    { parent: this },
                );
                continue;
            }
            let healthCheckId: pulumi.Output<string> | undefined;
            if (domain.shared !== undefined) {
                const check = new route53.HealthCheck(
                    `${id}-health`,
                    {
                        type: "HTTP",
                        port: 80,
                        resourcePath: args.healthCheckPath ?? "/healthz",
                        failureThreshold: 3,
                        requestInterval: 30,
                        ...(target.kind === "hostname" ? { fqdn: target.hostname } : { ipAddress: target.ip }),
                        tags: { Name: `${domain.host} via ${args.setIdentifier}` },
                    },
                    { parent: this },
                );
                healthCheckId = check.id;
            }
            records[domain.host] = new route53.Record(
                id,
                {
                    ...common,
                    type: target.kind === "hostname" ? "CNAME" : "A",
                    ttl: args.ttl,
                    records: [target.kind === "hostname" ? target.hostname : target.ip],
                    ...(healthCheckId ? { healthCheckId } : {}),
                },
                { parent: this },
            );
        }
        this.records = records;
        this.registerOutputs({ records: Object.keys(records) });
    }
}
