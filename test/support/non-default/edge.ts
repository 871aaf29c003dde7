import * as assert from "node:assert/strict";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, ofType, one, outputsOf, type Planned } from "../plan";

const release = (p: Planned): any => inputsOf(one(p, "kubernetes:helm.sh/v3:Release", "edge-release"));
const controller = (p: Planned): any => release(p).values.controller;
const loadBalancerService = (p: Planned): any => inputsOf(one(p, "kubernetes:core/v1:Service", "edge-service"));
const ingress = (p: Planned, namespace: string, name: string): any => {
    const found = ofType(p, "kubernetes:networking.k8s.io/v1:Ingress")
        .map(inputsOf)
        .filter((i) => i.metadata.namespace === namespace && i.metadata.name === name);
    assert.equal(found.length, 1, `expected one Ingress ${namespace}/${name}`);
    return found[0];
};
const n = (name: string): string => `nginx.ingress.kubernetes.io/${name}`;

/** The stack file's one host on the remote, kept as it is next to the host a row adds. */
const remoteApiHost = {
    host: "api.example.com",
    namespace: "api",
    profile: "public",
    paths: [
        { path: "/v1", service: "api-v1-service", port: 80 },
        { path: "/v2", service: "api-v2-service", port: 80 },
    ],
};

/**
 * The edge settings at non-default values (see test/support/non-default.ts): the NGINX
 * controller's chart, namespace, HSTS, capacity, WAF and webhook sources on the primary;
 * its load balancer, Service annotations, profiles and hosts on the remote.
 */
export const edgeVariants: readonly NonDefaultVariant[] = [
    {
        name: "edge controller: chart, namespace, HSTS, capacity, WAF, webhook sources",
        base: "primary",
        rows: [
            {
                key: "edgeChartRepository",
                value: "https://charts.mirror.example.org/ingress-nginx",
                effect: "the ingress-nginx chart comes from the mirror",
                check: (p) => {
                    const r = release(p);
                    assert.deepEqual(r.repositoryOpts, { repo: "https://charts.mirror.example.org/ingress-nginx" });
                    assert.equal(r.chart, "ingress-nginx");
                },
            },
            {
                key: "edgeChartVersion",
                value: "4.14.3",
                effect: "the release installs chart 4.14.3",
                check: (p) => assert.equal(release(p).version, "4.14.3"),
            },
            {
                key: "edgeNamespace",
                value: "edge-system",
                effect: "the controller, its Service and the stack's default certificate live in edge-system",
                check: (p) => {
                    assert.equal(inputsOf(one(p, "kubernetes:core/v1:Namespace", "edge-namespace")).metadata.name, "edge-system");
                    assert.equal(release(p).namespace, "edge-system");
                    assert.equal(loadBalancerService(p).metadata.namespace, "edge-system");
                    assert.deepEqual(controller(p).extraArgs, { "publish-service": "edge-system/ingress-nginx-controller", "default-ssl-certificate": "edge-system/example-com-tls" });
                    const certificate = inputsOf(one(p, "kubernetes:cert-manager.io/v1:Certificate"));
                    assert.deepEqual([certificate.metadata.namespace, certificate.spec.secretName], ["edge-system", "example-com-tls"]);
                },
            },
            {
                key: "edgeHstsMaxAge",
                value: 47304000,
                effect: "browsers keep HTTPS-only for 18 months (hsts-max-age 47304000)",
                check: (p) => assert.equal(controller(p).config["hsts-max-age"], "47304000"),
            },
            {
                key: "edgeHstsPreload",
                value: true,
                effect: "the HSTS header asks for preloading (hsts-preload true)",
                check: (p) => assert.equal(controller(p).config["hsts-preload"], "true"),
            },
            {
                key: "edgeMinReplicas",
                value: 4,
                effect: "the edge never scales below 4 pods",
                check: (p) => assert.equal(controller(p).autoscaling.minReplicas, 4),
            },
            {
                key: "edgeMaxReplicas",
                value: 9,
                effect: "the edge never scales above 9 pods",
                check: (p) => assert.equal(controller(p).autoscaling.maxReplicas, 9),
            },
            {
                key: "edgeTargetCpuUtilization",
                value: 55,
                effect: "the edge scales to keep CPU at 55% of the request",
                check: (p) => assert.equal(controller(p).autoscaling.targetCPUUtilizationPercentage, 55),
            },
            {
                key: "edgeCpuRequest",
                value: "250m",
                effect: "each controller pod requests 250m CPU",
                check: (p) => assert.equal(controller(p).resources.requests.cpu, "250m"),
            },
            {
                key: "edgeMemoryRequest",
                value: "384Mi",
                effect: "each controller pod requests 384Mi of memory",
                check: (p) => assert.equal(controller(p).resources.requests.memory, "384Mi"),
            },
            {
                key: "edgeCpuLimit",
                value: "1500m",
                effect: "each controller pod is limited to 1500m CPU",
                check: (p) => assert.equal(controller(p).resources.limits.cpu, "1500m"),
            },
            {
                key: "edgeMemoryLimit",
                value: "1536Mi",
                effect: "each controller pod is limited to 1536Mi of memory",
                check: (p) => assert.equal(controller(p).resources.limits.memory, "1536Mi"),
            },
            {
                key: "edgeWafMode",
                value: "blocking",
                effect: "ModSecurity rejects what the OWASP rules match (SecRuleEngine On in the controller's config)",
                check: (p) => {
                    const config = controller(p).config;
                    assert.equal(config["modsecurity-snippet"], "Include /etc/nginx/modsecurity/modsecurity.conf\nSecRuleEngine On");
                    assert.equal(config["enable-modsecurity"], "true");
                    assert.equal(config["enable-owasp-modsecurity-crs"], "true");
                },
            },
            {
                key: "edgeAdmissionWebhookSources",
                value: ["10.0.16.0/20", "10.0.48.0/24"],
                effect: "only 10.0.16.0/20 and 10.0.48.0/24 may reach the admission webhook",
                check: (p) => {
                    const policy = inputsOf(one(p, "kubernetes:networking.k8s.io/v1:NetworkPolicy"));
                    const webhookRules = policy.spec.ingress.filter((r: any) => r.ports.some((port: any) => port.port === 8443) as boolean);
                    assert.deepEqual(webhookRules, [{ from: [{ ipBlock: { cidr: "10.0.16.0/20" } }, { ipBlock: { cidr: "10.0.48.0/24" } }], ports: [{ protocol: "TCP", port: 8443 }] }]);
                },
            },
        ],
    },
    {
        name: "edge load balancer, profiles and hosts",
        base: "remote",
        rows: [
            {
                key: "edgeLoadBalancer",
                value: "ip",
                effect: "DNS gets plain A records to the load balancer's address, health-checked by IP, and the Service has no NLB annotations",
                check: (p) => {
                    const record = ofType(p, "aws:route53/record:Record")
                        .map(inputsOf)
                        .find((r) => r.name === "api.example.com");
                    assert.equal(record.type, "A");
                    assert.equal(record.aliases, undefined);
                    assert.equal(record.ttl, 300);
                    const health = inputsOf(one(p, "aws:route53/healthCheck:HealthCheck"));
                    assert.ok("ipAddress" in health && !("fqdn" in health));
                    assert.deepEqual(Object.keys(loadBalancerService(p).metadata.annotations).filter((k) => k.includes("aws-load-balancer")), []);
                },
            },
            {
                key: "edgeServiceAnnotations",
                value: { "metallb.universe.tf/address-pool": "edge-pool" },
                effect: "the load balancer Service carries the MetalLB address-pool annotation",
                check: (p) => assert.equal(loadBalancerService(p).metadata.annotations["metallb.universe.tf/address-pool"], "edge-pool"),
            },
            {
                key: "edgeHstsIncludeSubdomains",
                value: false,
                effect: "the HSTS header leaves subdomains out (hsts-include-subdomains false)",
                check: (p) => assert.equal(controller(p).config["hsts-include-subdomains"], "false"),
            },
            {
                key: "edgeSecurityProfiles",
                value: [{ name: "public", rps: 7, rpm: 90, connections: 13, burstMultiplier: 3, allowlist: ["192.0.2.0/24"], waf: true }],
                effect: "api.example.com is limited to 7 rps, 90 rpm, 13 connections, a burst of 3x, open to 192.0.2.0/24 only, with the WAF",
                check: (p) =>
                    assert.deepEqual(ingress(p, "api", "api-example-com").metadata.annotations, {
                        [n("ssl-redirect")]: "true",
                        [n("limit-rps")]: "7",
                        [n("limit-rpm")]: "90",
                        [n("limit-connections")]: "13",
                        [n("limit-burst-multiplier")]: "3",
                        [n("allowlist-source-range")]: "192.0.2.0/24",
                        [n("enable-modsecurity")]: "true",
                        "pulumi.com/skipAwait": "true",
                    }),
            },
            {
                key: "edgeHosts",
                value: [
                    remoteApiHost,
                    { host: "shop.example.com", namespace: "shop", certificate: "own", paths: [{ path: "/cart", pathType: "Exact", service: "cart", port: 8080 }] },
                ],
                effect: "shop.example.com/cart (exactly) goes to the cart service on 8080, with its own certificate and DNS record",
                check: (p) => {
                    const shop = ingress(p, "shop", "shop-example-com");
                    assert.deepEqual(shop.spec.rules, [
                        { host: "shop.example.com", http: { paths: [{ path: "/cart", pathType: "Exact", backend: { service: { name: "cart", port: { number: 8080 } } } }] } },
                    ]);
                    assert.deepEqual(shop.spec.tls, [{ hosts: ["shop.example.com"], secretName: "shop-example-com-tls" }]);
                    assert.deepEqual(outputsOf(p).servedDomains, [
                        { host: "api.example.com", routing: "weighted" },
                        { host: "shop.example.com", routing: "simple" },
                    ]);
                    assert.ok(ofType(p, "aws:route53/record:Record").some((r) => inputsOf(r).name === "shop.example.com"));
                },
            },
        ],
    },
];
