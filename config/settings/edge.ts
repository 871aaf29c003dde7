import { z } from "zod";
import { hostSlug, setCovers } from "../dns-names";
import { invalid, missing } from "../problems";
import { setting, type CrossRule, type DeepReadonly, type Problem } from "../setting";
import { allowlistOf, chartRepository, dnsLabel, dnsName, exactVersion, integerBetween, stringMap } from "../validators";
import { edgeDeployment, type EdgeImplementation } from "../edge-deployment";
import type { CertificateSet } from "./tls";
import { containerResourceSettings, requestsWithinLimits } from "../resources";

/**
 * The edge: the ingress controller, its capacity and load balancer, and the routing and
 * security of every host. The routing and security settings (hosts, paths, profiles,
 * response headers) say what to serve, not how a controller spells it, so another edge
 * implementation can be driven by the same settings.
 */

/** Rate limits, allowlist and WAF for a host or a group of its paths. */
export const securityProfileSchema = z.strictObject({
    name: dnsLabel,
    rps: integerBetween(1, 100000).optional(),
    rpm: integerBetween(1, 6000000).optional(),
    connections: integerBetween(1, 100000).optional(),
    burstMultiplier: z
        .number({ error: "expected an integer of at least 1" })
        .int({ error: "expected an integer of at least 1" })
        .min(1, { error: "expected an integer of at least 1 (the burst is the rate times this multiplier)" })
        .max(100, { error: "expected an integer from 1 to 100" })
        .optional(),
    allowlist: allowlistOf("the networks that may connect")
        .refine((blocks) => blocks.length > 0, {
            error: "expected at least one CIDR block: leave allowlist out for a profile without one (a path of an allowlisted host is opened only by its own public: true)",
        })
        .optional(),
    waf: z.boolean({ error: "expected true or false" }).optional(),
});

/** A security profile as configured. */
export type SecurityProfile = DeepReadonly<z.infer<typeof securityProfileSchema>>;

/** Response header names and values that ingress-nginx's custom-headers accepts. */
const headerNamePattern = /^[A-Za-z0-9_-]+$/;
const headerValue = z.string().regex(/^[A-Za-z0-9_ :;.,\\/"'?!(){}[\]@<>=\-+*#$&`|~^%]+$/, { error: "expected a header value without control characters" });

/** One path of a host and the service it goes to. */
export const edgePathSchema = z.strictObject({
    path: z.string().regex(/^\/[A-Za-z0-9_/-]*$/, {
        error: "expected a path that starts with / and has only letters, digits, '/', '-' and '_' (ingress-nginx's strict path validation)",
    }),
    pathType: z.enum(["Prefix", "Exact"], { error: "expected 'Prefix' or 'Exact'" }).optional(),
    service: dnsLabel,
    port: integerBetween(1, 65535),
    namespace: dnsLabel.optional(),
    profile: dnsLabel.optional(),
    public: z.boolean({ error: "expected true or false" }).optional(),
    responseHeaders: z
        .record(z.string(), headerValue)
        .superRefine((headers, ctx) => {
            for (const name of Object.keys(headers)) {
                if (!headerNamePattern.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "expected a header name of letters, digits, '-' and '_'" });
            }
        })
        .optional(),
});

/** A path as configured. */
export type EdgePath = DeepReadonly<z.infer<typeof edgePathSchema>>;

/** One host the edge serves. */
export const edgeHostSchema = z.strictObject({
    host: dnsName,
    namespace: dnsLabel,
    profile: dnsLabel.optional(),
    certificate: z.enum(["stack", "own"], { error: "expected 'stack' (a certificate set of this stack) or 'own' (a per-host certificate)" }).optional(),
    paths: z.array(edgePathSchema, { error: "expected a list of paths" }).min(1, { error: "expected at least one path" }),
});

/** A host as configured. */
export type EdgeHost = DeepReadonly<z.infer<typeof edgeHostSchema>>;

export const edgeSettings = {
    edgeChartRepository: setting<string>({
        key: "edgeChartRepository",
        area: "edge",
        type: "string",
        default: "https://kubernetes.github.io/ingress-nginx",
        description: "Where the ingress-nginx chart comes from.",
        schema: chartRepository,
    }),
    edgeChartVersion: setting<string>({
        key: "edgeChartVersion",
        area: "edge",
        type: "string",
        default: "4.15.1",
        description: "Exact ingress-nginx chart version. 4.15.1 (controller v1.15.1) is the final release: the project is retired and gets no more security fixes.",
        schema: exactVersion,
    }),
    edgeNamespace: setting<string>({
        key: "edgeNamespace",
        area: "edge",
        type: "string",
        default: "ingress-nginx",
        description: "Namespace of the ingress controller and of the stack's default certificate.",
        schema: dnsLabel,
    }),
    edgeHstsMaxAge: setting<number>({
        key: "edgeHstsMaxAge",
        area: "edge",
        type: "integer",
        default: 31536000,
        description: "HSTS `max-age` in seconds, set in the controller's ConfigMap (one year, as in the article).",
        schema: integerBetween(0, 63072000),
    }),
    edgeHstsIncludeSubdomains: setting<boolean>({
        key: "edgeHstsIncludeSubdomains",
        area: "edge",
        type: "boolean",
        default: true,
        description: "HSTS `includeSubDomains`.",
        schema: z.boolean({ error: "expected true or false" }),
    }),
    edgeHstsPreload: setting<boolean>({
        key: "edgeHstsPreload",
        area: "edge",
        type: "boolean",
        default: false,
        description: "HSTS `preload`. Only set it once the domain is ready for the browsers' preload lists.",
        schema: z.boolean({ error: "expected true or false" }),
    }),
    edgeMinReplicas: setting<number>({
        key: "edgeMinReplicas",
        area: "edge",
        type: "integer",
        default: 3,
        description: "Minimum controller replicas: the HorizontalPodAutoscaler's `minReplicas`. The HPA alone sets the count (the Deployment has no fixed `replicas`), so upgrades keep the count it chose.",
        schema: integerBetween(2, 100),
    }),
    edgeMaxReplicas: setting<number>({
        key: "edgeMaxReplicas",
        area: "edge",
        type: "integer",
        default: 10,
        description: "Maximum controller replicas (`maxReplicas`). Rate limits apply per replica, so the effective limit grows with the replica count.",
        schema: integerBetween(2, 100),
    }),
    edgeTargetCpuUtilization: setting<number>({
        key: "edgeTargetCpuUtilization",
        area: "edge",
        type: "integer",
        default: 70,
        description: "Average CPU utilization (percent of the request) the autoscaler keeps the controller at.",
        schema: integerBetween(10, 100),
    }),
    ...containerResourceSettings("edge", "edge", "each controller pod", { cpuRequest: "500m", memoryRequest: "512Mi", cpuLimit: "1", memoryLimit: "1Gi" }),
    edgeLoadBalancer: setting<"aws-nlb" | "hostname" | "ip">({
        key: "edgeLoadBalancer",
        area: "edge",
        type: "string",
        default: "aws-nlb",
        description:
            "The controller's load balancer: `aws-nlb` (AWS Load Balancer Controller NLB with IP targets; DNS gets alias records), `hostname` (another cloud's load balancer with a hostname; CNAME records) or `ip` (a load balancer with an address; A records).",
        schema: z.enum(["aws-nlb", "hostname", "ip"], { error: "expected 'aws-nlb', 'hostname' or 'ip'" }),
    }),
    edgeServiceAnnotations: setting<Record<string, string>>({
        key: "edgeServiceAnnotations",
        area: "edge",
        type: "object",
        default: {},
        description: "Annotations of the controller's LoadBalancer Service, on top of the NLB annotations that `aws-nlb` sets (for other clouds, the whole set).",
        schema: stringMap,
    }),
    edgeWafMode: setting<"off" | "detection-only" | "blocking">({
        key: "edgeWafMode",
        area: "edge",
        type: "string",
        default: "detection-only",
        description:
            "ModSecurity with the OWASP Core Rule Set for profiles with `waf: true`: `detection-only` logs what it would block (ModSecurity's recommended start), `blocking` rejects it, `off` does not load the module.",
        schema: z.enum(["off", "detection-only", "blocking"], { error: "expected 'off', 'detection-only' or 'blocking'" }),
    }),
    edgeAdmissionWebhookSources: setting<string[]>({
        key: "edgeAdmissionWebhookSources",
        area: "edge",
        type: "array",
        items: "string",
        default: [],
        description:
            "CIDR blocks the Kubernetes API server calls admission webhooks from (on EKS, the control plane's subnets). A NetworkPolicy admits the controller's admission webhook port from these only (CVE-2025-1974). Required when the stack serves domains.",
        schema: allowlistOf("the API server's addresses"),
    }),
    edgeSecurityProfiles: setting<z.infer<typeof securityProfileSchema>[]>({
        key: "edgeSecurityProfiles",
        area: "edge",
        type: "array",
        items: "object",
        default: [],
        description:
            "Named security profiles `{name, rps?, rpm?, connections?, burstMultiplier?, allowlist?, waf?}`. A host names one; a path may name another whose fields override the host's for that path (its own Ingress). An allowlist is canonical CIDR blocks that together never cover all of IPv4 or IPv6.",
        schema: z.array(securityProfileSchema, { error: "expected a list of profiles" }),
    }),
    edgeHosts: setting<z.infer<typeof edgeHostSchema>[]>({
        key: "edgeHosts",
        area: "edge",
        type: "array",
        items: "object",
        default: [],
        description:
            "The hosts this stack serves: `{host, namespace, profile?, certificate?: stack|own, paths: [{path, pathType?, service, port, namespace?, profile?, public?, responseHeaders?}]}`. Every host is served over TLS and gets a DNS record to this cluster's load balancer. A path inherits its host's allowlist unless it says `public: true`.",
        schema: z.array(edgeHostSchema, { error: "expected a list of hosts" }),
    }),
};

/** The certificate that serves `host` for paths in `namespace`, or why none does. */
export function coveringSet(sets: readonly CertificateSet[], edgeNamespace: string, host: string, namespace: string): CertificateSet | undefined {
    const inNamespace = sets.find((s) => s.namespace !== undefined && s.namespace !== edgeNamespace && s.namespace === namespace && setCovers(s.dnsNames, host));
    return inNamespace ?? sets.find((s) => (s.namespace ?? edgeNamespace) === edgeNamespace && setCovers(s.dnsNames, host));
}

/** Rules across the edge settings. */
export const edgeRules: readonly CrossRule[] = [
    {
        keys: ["edgeMinReplicas", "edgeMaxReplicas"],
        check: (v) => (Number(v["edgeMinReplicas"]) > Number(v["edgeMaxReplicas"]) ? [invalid("edgeMinReplicas", v["edgeMinReplicas"], `expected at most edgeMaxReplicas (${String(v["edgeMaxReplicas"])})`)] : []),
    },
    requestsWithinLimits("edge"),
    {
        keys: ["edgeSecurityProfiles", "edgeWafMode"],
        check: (v) => {
            const problems: Problem[] = [];
            const names = new Set<string>();
            (v["edgeSecurityProfiles"] as SecurityProfile[]).forEach((p, i) => {
                const key = `edgeSecurityProfiles[${i}]`;
                if (names.has(p.name)) problems.push(invalid(`${key}.name`, p.name, "expected a name used by one profile only"));
                names.add(p.name);
                if (p.waf === true && v["edgeWafMode"] === "off") problems.push(invalid(`${key}.waf`, p.waf, "expected false while edgeWafMode is off (the WAF module is not loaded)"));
            });
            return problems;
        },
    },
    {
        keys: ["edgeHosts", "edgeSecurityProfiles"],
        check: (v) => {
            const problems: Problem[] = [];
            const profiles = new Set((v["edgeSecurityProfiles"] as SecurityProfile[]).map((p) => p.name));
            const hosts = new Map<string, number>();
            const slugs = new Map<string, string>();
            const unknownProfile = (key: string, name: string | undefined): void => {
                if (name !== undefined && !profiles.has(name)) problems.push(invalid(key, name, `expected a profile of edgeSecurityProfiles (${[...profiles].join(", ") || "none defined"})`));
            };
            (v["edgeHosts"] as EdgeHost[]).forEach((h, i) => {
                const key = `edgeHosts[${i}]`;
                if (hosts.has(h.host)) problems.push(invalid(`${key}.host`, h.host, `expected each host once (edgeHosts[${String(hosts.get(h.host))}] serves it; list all its paths there)`));
                hosts.set(h.host, i);
                const slug = hostSlug(h.host);
                const clash = slugs.get(slug);
                if (clash !== undefined && clash !== h.host) problems.push(invalid(`${key}.host`, h.host, `expected a host whose object names ('${slug}') differ from ${clash}'s`));
                slugs.set(slug, h.host);
                unknownProfile(`${key}.profile`, h.profile);
                const paths = new Set<string>();
                h.paths.forEach((p, j) => {
                    if (paths.has(p.path)) problems.push(invalid(`${key}.paths[${j}].path`, p.path, `expected each path of ${h.host} once`));
                    paths.add(p.path);
                    unknownProfile(`${key}.paths[${j}].profile`, p.profile);
                    if (h.certificate === "own" && (p.namespace ?? h.namespace) !== h.namespace) {
                        problems.push(invalid(`${key}.paths[${j}].namespace`, p.namespace, `expected the host's namespace '${h.namespace}': a per-host certificate's Secret lives in one namespace`));
                    }
                });
            });
            return problems;
        },
    },
    {
        keys: ["edgeHosts", "tlsCertificates", "edgeNamespace"],
        check: (v) => {
            const sets = v["tlsCertificates"] as CertificateSet[];
            const edgeNamespace = v["edgeNamespace"] as string;
            const hosts = v["edgeHosts"] as EdgeHost[];
            if (hosts.length === 0) {
                const i = sets.findIndex((s) => (s.namespace ?? edgeNamespace) === edgeNamespace);
                return i < 0 ? [] : [invalid(`tlsCertificates[${i}].namespace`, sets[i]!.namespace, `expected a namespace of its own: the edge namespace ${edgeNamespace} exists only when the stack serves hosts (edgeHosts)`)];
            }
            return hosts.flatMap((h, i) => {
                if (h.certificate === "own") return [];
                const namespaces = [...new Set(h.paths.map((p) => p.namespace ?? h.namespace))];
                const uncovered = namespaces.filter((ns) => coveringSet(sets, edgeNamespace, h.host, ns) === undefined);
                return uncovered.length === 0
                    ? []
                    : [invalid(`edgeHosts[${i}].host`, h.host, `expected a host covered by a certificate of this stack (a set of tlsCertificates in ${edgeNamespace} or in ${uncovered.join(", ")}), or certificate: own`)];
            });
        },
    },
    {
        keys: ["edgeHosts", "edgeAdmissionWebhookSources", "edgeImplementation"],
        check: (v) => {
            const sources = v["edgeAdmissionWebhookSources"] as string[];
            // Only ingress-nginx has an admission webhook (gateway-api.ts rejects sources without it).
            if (!edgeDeployment(v["edgeImplementation"] as EdgeImplementation).nginx) return [];
            if ((v["edgeHosts"] as EdgeHost[]).length > 0 && sources.length === 0) {
                return [missing("edgeAdmissionWebhookSources", "the controller's admission webhook must only be reachable from the API server; list the CIDR blocks it calls webhooks from (on EKS, the control plane's subnets)")];
            }
            return [];
        },
    },
];
