import type { ConfigOverrides } from "../../offline/plan";

/**
 * Bad TLS, DNS and edge configurations for test/offline/bad-config.spec.ts: each must give
 * exit status 2 and a line naming the offending key.
 */
export interface TlsEdgeBadCase {
    readonly stack: "primary" | "remote";
    readonly what: string;
    readonly overrides: ConfigOverrides;
    readonly key: string;
    readonly says: RegExp;
}

const host = (paths: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ host: "admin.example.com", namespace: "admin", profile: "public", paths, ...extra });
const path = (p: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ path: p, service: "admin-service", port: 80, ...extra });
const profiles = (extra: Record<string, unknown> = {}): Record<string, unknown>[] => [{ name: "public", rps: 10, ...extra }];

export const tlsEdgeCases: readonly TlsEdgeBadCase[] = [
    // TLS
    { stack: "primary", what: "an ACME e-mail that is not an address", overrides: { set: { acmeEmail: "platform-at-example.com" } }, key: "acmeEmail", says: /expected an e-mail address/ },
    { stack: "primary", what: "no ACME e-mail while certificates are issued", overrides: { unset: ["acmeEmail"] }, key: "acmeEmail", says: /is not set: the stack issues certificates/ },
    { stack: "primary", what: "an ACME environment that does not exist", overrides: { set: { acmeEnvironment: "prod" } }, key: "acmeEnvironment", says: /expected 'staging' or 'production'/ },
    { stack: "primary", what: "a certificate using the production issuer without the stack's explicit choice", overrides: { set: { tlsCertificates: [{ name: "example-com", dnsNames: ["*.example.com"], issuer: "production" }] } }, key: "tlsCertificates[0].issuer", says: /production ACME needs the explicit stack choice acmeEnvironment: production/ },
    { stack: "primary", what: "a certificate name outside the hosted zone", overrides: { set: { tlsCertificates: [{ name: "example-com", dnsNames: ["*.example.com", "example.org"] }] } }, key: "tlsCertificates[0].dnsNames[1]", says: /expected a name in the hosted zone example.com/ },
    { stack: "primary", what: "a certificate name that is not a DNS name", overrides: { set: { tlsCertificates: [{ name: "example-com", dnsNames: ["*.*.example.com"] }] } }, key: "tlsCertificates[0].dnsNames[0]", says: /expected a DNS name/ },
    { stack: "primary", what: "two sets of the stack sharing a challenge record", overrides: { set: { tlsCertificates: [{ name: "example-com", dnsNames: ["*.example.com"] }, { name: "apex", dnsNames: ["example.com"], namespace: "web" }] } }, key: "tlsCertificates[1]", says: /both would write _acme-challenge\.example\.com/ },
    { stack: "primary", what: "two sets for the controller's default certificate", overrides: { set: { tlsCertificates: [{ name: "example-com", dnsNames: ["*.example.com"] }, { name: "apex", dnsNames: ["apex.example.com"] }] } }, key: "tlsCertificates[1].namespace", says: /only one set .* can be the controller's default certificate/ },
    { stack: "primary", what: "a misspelt certificate field", overrides: { set: { tlsCertificates: [{ name: "example-com", dnsName: ["*.example.com"] }] } }, key: "tlsCertificates[0].dnsName", says: /did you mean 'dnsNames'\?/ },
    { stack: "remote", what: "an identifier set the primary already issues", overrides: { set: { tlsCertificates: [{ name: "wildcard", dnsNames: ["*.example.com"] }] } }, key: "tlsCertificates[0]", says: /acme\/mesh-ingress\/primary issues 'example-com'/ },
    { stack: "primary", what: "IRSA without the OIDC provider", overrides: { unset: ["dns01OidcProviderArn"] }, key: "dns01OidcProviderArn", says: /is not set: irsa needs the cluster's IAM OIDC provider ARN/ },
    { stack: "primary", what: "an OIDC provider ARN of another kind", overrides: { set: { dns01OidcProviderArn: "arn:aws:iam::123456789012:role/cert-manager" } }, key: "dns01OidcProviderArn", says: /expected an IAM OIDC provider ARN/ },
    { stack: "primary", what: "Pod Identity without the EKS cluster's name", overrides: { set: { dns01Credentials: "pod-identity" } }, key: "dns01EksClusterName", says: /a Pod Identity association needs/ },
    { stack: "primary", what: "a static key on a cluster configured as EKS", overrides: { set: { dns01Credentials: "static", dns01IamUser: "dns01", dns01AccessKeyId: "id", dns01SecretAccessKey: "key" }, secret: ["dns01AccessKeyId", "dns01SecretAccessKey"] }, key: "dns01Credentials", says: /static keys are for clusters outside AWS only/ },
    { stack: "primary", what: "static mode without the key", overrides: { set: { dns01Credentials: "static", dns01IamUser: "dns01" }, unset: ["dns01OidcProviderArn"] }, key: "dns01SecretAccessKey", says: /pulumi config set --secret dns01SecretAccessKey/ },
    { stack: "primary", what: "a static key in plain text", overrides: { set: { dns01Credentials: "static", dns01IamUser: "dns01", dns01AccessKeyId: "id", dns01SecretAccessKey: "key" }, secret: ["dns01AccessKeyId"], unset: ["dns01OidcProviderArn"] }, key: "dns01SecretAccessKey", says: /expected a secret/ },
    { stack: "primary", what: "a static key alongside IRSA", overrides: { set: { dns01AccessKeyId: "id", dns01SecretAccessKey: "key" }, secret: ["dns01AccessKeyId", "dns01SecretAccessKey"] }, key: "dns01AccessKeyId", says: /expected no static key with dns01Credentials: irsa/ },
    { stack: "primary", what: "a cert-manager chart version range", overrides: { set: { certManagerVersion: "^1.21" } }, key: "certManagerVersion", says: /expected an exact version/ },
    { stack: "primary", what: "a single cert-manager replica", overrides: { set: { certManagerReplicas: 1 } }, key: "certManagerReplicas", says: /expected an integer from 2 to 5/ },
    // DNS
    { stack: "primary", what: "a malformed hosted zone id", overrides: { set: { dnsHostedZoneId: "z0123" } }, key: "dnsHostedZoneId", says: /expected a Route53 hosted zone id/ },
    { stack: "primary", what: "no hosted zone while serving domains", overrides: { unset: ["dnsHostedZoneName"] }, key: "dnsHostedZoneName", says: /is not set: the stack serves domains/ },
    { stack: "primary", what: "a host outside the hosted zone", overrides: { set: { edgeHosts: [host([path("/")], { host: "admin.example.org" })], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].host", says: /expected a name in the hosted zone example.com/ },
    { stack: "primary", what: "shared routing for a host the stack does not serve", overrides: { set: { dnsRouting: [{ host: "api.example.com", policy: "weighted", weight: 50 }, { host: "www.example.com", policy: "weighted", weight: 10 }] } }, key: "dnsRouting[1].host", says: /expected a host this stack serves/ },
    { stack: "primary", what: "a weighted record without a weight", overrides: { set: { dnsRouting: [{ host: "api.example.com", policy: "weighted" }] } }, key: "dnsRouting[0].weight", says: /a weighted record needs a weight/ },
    { stack: "primary", what: "a CNAME at the zone apex", overrides: { set: { edgeLoadBalancer: "hostname", edgeHosts: [host([path("/")], { host: "example.com" })], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].host", says: /the apex cannot be a CNAME/ },
    { stack: "primary", what: "a record TTL below 30 seconds", overrides: { set: { dnsRecordTtl: 5 } }, key: "dnsRecordTtl", says: /expected an integer from 30 to 86400/ },
    // Edge
    { stack: "primary", what: "an allowlist entry that is not a CIDR block", overrides: { set: { edgeSecurityProfiles: profiles({ allowlist: ["10.0.0.0/33"] }) } }, key: "edgeSecurityProfiles[0].allowlist[0]", says: /expected a CIDR block/ },
    { stack: "primary", what: "an allowlist entry with host bits set", overrides: { set: { edgeSecurityProfiles: profiles({ allowlist: ["10.1.2.3/8"] }) } }, key: "edgeSecurityProfiles[0].allowlist[0]", says: /no address bits beyond the prefix/ },
    { stack: "primary", what: "a catch-all allowlist", overrides: { set: { edgeSecurityProfiles: profiles({ allowlist: ["10.0.0.0/8", "0.0.0.0/0"] }) } }, key: "edgeSecurityProfiles[0].allowlist[1]", says: /an allowlist that admits everyone is no allowlist/ },
    { stack: "primary", what: "a catch-all IPv6 allowlist", overrides: { set: { edgeSecurityProfiles: profiles({ allowlist: ["::/0"] }) } }, key: "edgeSecurityProfiles[0].allowlist[0]", says: /an allowlist that admits everyone is no allowlist/ },
    { stack: "primary", what: "a burst multiplier below 1", overrides: { set: { edgeSecurityProfiles: profiles({ burstMultiplier: 0 }) } }, key: "edgeSecurityProfiles[0].burstMultiplier", says: /expected an integer of at least 1/ },
    { stack: "primary", what: "a host no certificate of the stack covers", overrides: { set: { edgeHosts: [host([path("/")], { host: "a.b.example.com" })], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].host", says: /expected a host covered by a certificate of this stack/ },
    { stack: "primary", what: "the same host and path twice", overrides: { set: { edgeHosts: [host([path("/v1"), path("/v1", { service: "other" })])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[1].path", says: /expected each path of admin.example.com once/ },
    { stack: "primary", what: "the same host twice", overrides: { set: { edgeHosts: [host([path("/")]), host([path("/other")])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[1].host", says: /expected each host once/ },
    { stack: "primary", what: "two hosts whose object names would clash", overrides: { set: { edgeHosts: [host([path("/")], { host: "a-b.c.example.com" }), host([path("/")], { host: "a.b-c.example.com" })], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[1].host", says: /object names \('a-b-c-example-com'\) differ/ },
    { stack: "primary", what: "a path that does not start with /", overrides: { set: { edgeHosts: [host([path("v1")])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[0].path", says: /expected a path that starts with \// },
    { stack: "primary", what: "a path with regex characters", overrides: { set: { edgeHosts: [host([path("/static/.*")])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[0].path", says: /strict path validation/ },
    { stack: "primary", what: "a misspelt path field", overrides: { set: { edgeHosts: [host([{ path: "/", servce: "admin-service", port: 80 }])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[0].servce", says: /did you mean 'service'\?/ },
    { stack: "primary", what: "a profile that does not exist", overrides: { set: { edgeHosts: [host([path("/", { profile: "strict" })])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[0].profile", says: /expected a profile of edgeSecurityProfiles \(public\)/ },
    { stack: "primary", what: "a WAF profile while the WAF is off", overrides: { set: { edgeWafMode: "off" } }, key: "edgeSecurityProfiles[1].waf", says: /expected false while edgeWafMode is off/ },
    { stack: "primary", what: "a per-host certificate across namespaces", overrides: { set: { edgeHosts: [host([path("/"), path("/x", { namespace: "other" })], { certificate: "own" })], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[1].namespace", says: /a per-host certificate's Secret lives in one namespace/ },
    { stack: "primary", what: "a response header name with a space", overrides: { set: { edgeHosts: [host([path("/", { responseHeaders: { "Cache Control": "public" } })])], edgeSecurityProfiles: profiles(), dnsRouting: [] } }, key: "edgeHosts[0].paths[0].responseHeaders.Cache Control", says: /expected a header name/ },
    { stack: "primary", what: "an HPA minimum above its maximum", overrides: { set: { edgeMinReplicas: 5, edgeMaxReplicas: 4 } }, key: "edgeMinReplicas", says: /expected at most edgeMaxReplicas \(4\)/ },
    { stack: "primary", what: "a CPU request above its limit", overrides: { set: { edgeCpuRequest: "1500m" } }, key: "edgeCpuRequest", says: /expected at most the limit edgeCpuLimit \(1\)/ },
    { stack: "primary", what: "a memory request above its limit", overrides: { set: { edgeMemoryRequest: "2Gi" } }, key: "edgeMemoryRequest", says: /expected at most the limit edgeMemoryLimit \(1Gi\)/ },
    { stack: "primary", what: "a CPU limit that is not a quantity", overrides: { set: { edgeCpuLimit: "one" } }, key: "edgeCpuLimit", says: /expected a CPU quantity/ },
    { stack: "primary", what: "no admission webhook sources while serving domains", overrides: { unset: ["edgeAdmissionWebhookSources"] }, key: "edgeAdmissionWebhookSources", says: /must only be reachable from the API server/ },
    { stack: "primary", what: "the admission webhook open to everyone", overrides: { set: { edgeAdmissionWebhookSources: ["0.0.0.0/0"] } }, key: "edgeAdmissionWebhookSources[0]", says: /not the whole address space/ },
    { stack: "primary", what: "an edge chart version range", overrides: { set: { edgeChartVersion: "4.x" } }, key: "edgeChartVersion", says: /expected an exact version/ },
    { stack: "primary", what: "a load balancer kind that does not exist", overrides: { set: { edgeLoadBalancer: "alb" } }, key: "edgeLoadBalancer", says: /expected 'aws-nlb', 'hostname' or 'ip'/ },
];
