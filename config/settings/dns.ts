import { z } from "zod";
import { isInZone } from "../dns-names";
import { invalid, missing } from "../problems";
import { setting, type CrossRule, type DeepReadonly, type Problem } from "../setting";
import { dnsName, hostedZoneId, integerBetween } from "../validators";

/**
 * DNS: the Route53 hosted zone the stack's domains live in, and how a domain that more
 * than one cluster serves is shared between them.
 */

/** How the records of a domain served by several clusters share it. */
export const dnsRoutingSchema = z.strictObject({
    host: dnsName,
    policy: z.enum(["weighted", "failover"], { error: "expected 'weighted' or 'failover'" }),
    weight: integerBetween(0, 255).optional(),
    failover: z.enum(["primary", "secondary"], { error: "expected 'primary' or 'secondary'" }).optional(),
});

/** A shared domain's routing as configured. */
export type DnsRouting = DeepReadonly<z.infer<typeof dnsRoutingSchema>>;

export const dnsSettings = {
    dnsHostedZoneName: setting<string>({
        key: "dnsHostedZoneName",
        area: "dns",
        type: "string",
        default: "",
        description: "The public Route53 hosted zone that holds this stack's domains and challenge records, such as `example.com`. Required when the stack serves domains or issues certificates.",
        schema: z.union([z.literal(""), dnsName], { error: "expected a DNS name such as example.com" }),
    }),
    dnsHostedZoneId: setting<string>({
        key: "dnsHostedZoneId",
        area: "dns",
        type: "string",
        default: "",
        description: "The hosted zone's id. Empty: looked up by `dnsHostedZoneName` when the stack deploys (the issuers and the IAM policy always get the resolved id).",
        schema: z.union([z.literal(""), hostedZoneId], { error: "expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (upper case, starting with Z)" }),
    }),
    dnsRecordTtl: setting<number>({
        key: "dnsRecordTtl",
        area: "dns",
        type: "integer",
        default: 300,
        description: "TTL in seconds of CNAME and A records to a load balancer that is not an AWS NLB (alias records to an NLB have no TTL of their own).",
        schema: integerBetween(30, 86400),
    }),
    dnsRouting: setting<z.infer<typeof dnsRoutingSchema>[]>({
        key: "dnsRouting",
        area: "dns",
        type: "array",
        items: "object",
        default: [],
        description:
            "Domains this stack serves together with other clusters, each `{host, policy: weighted|failover, weight?, failover?: primary|secondary}`. Each cluster then writes its own health-checked record with its cluster name as set identifier, instead of competing plain records. Every cluster serving the host must configure the same policy.",
        schema: z.array(dnsRoutingSchema, { error: "expected a list of {host, policy} entries" }),
    }),
};

interface HostLike {
    readonly host: string;
}

/** Rules across the DNS settings and the hosts the edge serves. */
export const dnsRules: readonly CrossRule[] = [
    {
        keys: ["dnsHostedZoneName", "edgeHosts"],
        check: (v) => {
            const zone = v["dnsHostedZoneName"] as string;
            const hosts = v["edgeHosts"] as HostLike[];
            if (hosts.length > 0 && zone === "") return [missing("dnsHostedZoneName", "the stack serves domains; name the Route53 hosted zone they live in")];
            // Here the zone is set, or there are no hosts.
            return hosts.flatMap((h, i) => (!isInZone(h.host, zone) ? [invalid(`edgeHosts[${i}].host`, h.host, `expected a name in the hosted zone ${zone} (dnsHostedZoneName)`)] : []));
        },
    },
    {
        keys: ["dnsRouting", "edgeHosts"],
        check: (v) => {
            const problems: Problem[] = [];
            const served = new Set((v["edgeHosts"] as HostLike[]).map((h) => h.host));
            const seen = new Set<string>();
            (v["dnsRouting"] as DnsRouting[]).forEach((r, i) => {
                const key = `dnsRouting[${i}]`;
                if (!served.has(r.host)) problems.push(invalid(`${key}.host`, r.host, "expected a host this stack serves (one of edgeHosts)"));
                if (seen.has(r.host)) problems.push(invalid(`${key}.host`, r.host, "expected each host once"));
                seen.add(r.host);
                if (r.policy === "weighted" && r.weight === undefined) problems.push(missing(`${key}.weight`, "a weighted record needs a weight from 0 to 255"));
                if (r.policy === "weighted" && r.failover !== undefined) problems.push(invalid(`${key}.failover`, r.failover, "expected no failover role on a weighted record"));
                if (r.policy === "failover" && r.failover === undefined) problems.push(missing(`${key}.failover`, "a failover record is 'primary' or 'secondary'"));
                if (r.policy === "failover" && r.weight !== undefined) problems.push(invalid(`${key}.weight`, r.weight, "expected no weight on a failover record"));
            });
            return problems;
        },
    },
    {
        keys: ["dnsHostedZoneName", "edgeHosts", "edgeLoadBalancer"],
        check: (v) =>
            v["edgeLoadBalancer"] === "hostname"
                ? (v["edgeHosts"] as HostLike[]).flatMap((h, i) =>
                      h.host === v["dnsHostedZoneName"]
                          ? [invalid(`edgeHosts[${i}].host`, h.host, "expected a name below the zone apex: the apex cannot be a CNAME (use edgeLoadBalancer aws-nlb for an alias, or ip)")]
                          : [],
                  )
                : [],
    },
];
