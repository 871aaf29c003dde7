import * as assert from "node:assert/strict";
import { retirementWarning } from "../../../components/edge/ingress-controller";
import { setCovers } from "../../../config/dns-names";
import type { RecordedResource } from "../../../offline/engine";
import { inputsOf, ofType, one, planned, plannedOnce, type Planned } from "../../support/plan";

/**
 * The NGINX edge in both default stacks' plans: controller values, capacity, the load
 * balancer, routing and the security settings of every host and path group.
 */

const n = (name: string): string => `nginx.ingress.kubernetes.io/${name}`;
const edgeValues = (p: Planned): any => inputsOf(one(p, "kubernetes:helm.sh/v3:Release", "edge-release")).values;
const ingresses = (p: Planned): RecordedResource[] => ofType(p, "kubernetes:networking.k8s.io/v1:Ingress");
const ingress = (p: Planned, namespace: string, name: string): any => {
    const found = ingresses(p).map(inputsOf).filter((i) => i.metadata.namespace === namespace && i.metadata.name === name);
    assert.equal(found.length, 1, `expected one Ingress ${namespace}/${name}, found ${ingresses(p).map((r) => r.name).join(", ")}`);
    return found[0];
};

/** Every annotation map of every object in the plan (object metadata and pod templates alike). */
function annotationKeys(value: unknown, out: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((v) => annotationKeys(v, out));
    else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (k === "annotations" && v !== null && typeof v === "object") out.push(...Object.keys(v));
            annotationKeys(v, out);
        }
    }
    return out;
}

describe("the NGINX edge in the default stacks' plans", () => {
    let primary: Planned;
    let remote: Planned;
    before(async () => {
        primary = await plannedOnce("primary");
        remote = await plannedOnce("remote");
    });

    it("installs the final ingress-nginx chart with snippets disallowed (only in the chart value) and HSTS in the ConfigMap", () => {
        const release = inputsOf(one(primary, "kubernetes:helm.sh/v3:Release", "edge-release"));
        assert.equal(release.chart, "ingress-nginx");
        assert.equal(release.repositoryOpts.repo, "https://kubernetes.github.io/ingress-nginx");
        assert.equal(release.version, "4.15.1");
        assert.equal(release.name, "ingress-nginx");
        const c = edgeValues(primary).controller;
        assert.equal(c.allowSnippetAnnotations, false);
        assert.ok(!("allow-snippet-annotations" in c.config), "not also in controller.config");
        assert.ok(!("annotations-risk-level" in c.config), "the risk level stays at its safe default");
        assert.deepEqual(
            { hsts: c.config.hsts, maxAge: c.config["hsts-max-age"], sub: c.config["hsts-include-subdomains"], preload: c.config["hsts-preload"], redirect: c.config["ssl-redirect"] },
            { hsts: "true", maxAge: "31536000", sub: "true", preload: "false", redirect: "true" },
        );
        assert.deepEqual(c.ingressClassResource, { name: "nginx", enabled: true, default: false, controllerValue: "k8s.io/ingress-nginx" });
    });

    it("makes the stack's certificate the controller's default certificate, and publishes the program's load balancer Service", () => {
        assert.deepEqual(edgeValues(primary).controller.extraArgs, { "publish-service": "ingress-nginx/ingress-nginx-controller", "default-ssl-certificate": "ingress-nginx/example-com-tls" });
        assert.deepEqual(edgeValues(remote).controller.extraArgs, { "publish-service": "ingress-nginx/ingress-nginx-controller", "default-ssl-certificate": "ingress-nginx/api-example-com-tls" });
        assert.equal(inputsOf(one(primary, "kubernetes:cert-manager.io/v1:Certificate")).spec.secretName, "example-com-tls");
    });

    it("loads ModSecurity with the OWASP CRS (detection only by default) and allows the headers the routes set", () => {
        const config = edgeValues(primary).controller.config;
        assert.equal(config["enable-modsecurity"], "true");
        assert.equal(config["enable-owasp-modsecurity-crs"], "true");
        assert.equal(config["global-allowed-response-headers"], "Cache-Control");
        assert.ok(Object.keys(config).every((k) => !k.includes("snippet")), "no snippet in the default stacks' controller config");
    });

    it("sizes each pod with the article's numbers and scales with the chart's one HPA from 3 to 10 at 70% CPU, the chart rendering no replicas", () => {
        for (const p of [primary, remote]) {
            const c = edgeValues(p).controller;
            assert.deepEqual(c.resources, { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
            // With autoscaling.enabled the chart leaves replicas out of the Deployment (otherwise
            // every Helm upgrade would set the HPA's count back to replicaCount); "" drops the
            // chart's default memory target.
            assert.deepEqual(c.autoscaling, { enabled: true, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: "" });
            assert.equal(c.replicaCount, undefined);
            assert.deepEqual(ofType(p, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"), [], "no second HPA of the program's own");
        }
    });

    it("keeps replicas available (the chart's one PDB, one pod down at a time) and spread across nodes and zones", () => {
        const c = edgeValues(primary).controller;
        assert.equal(c.maxUnavailable, 1);
        assert.equal(ofType(primary, "kubernetes:policy/v1:PodDisruptionBudget").length, 0, "no second PDB over the same pods");
        assert.deepEqual(c.topologySpreadConstraints.map((t: any) => [t.topologyKey as string, t.maxSkew as number]), [["kubernetes.io/hostname", 1], ["topology.kubernetes.io/zone", 1]]);
        assert.equal(c.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, "kubernetes.io/hostname");
    });

    it("puts the controller behind an NLB with IP targets, client addresses preserved and externalTrafficPolicy Local", () => {
        assert.deepEqual(edgeValues(primary).controller.service, { enabled: false }, "the chart's Service is off; the program owns it");
        const svc = inputsOf(one(primary, "kubernetes:core/v1:Service", "edge-service"));
        assert.equal(svc.metadata.name, "ingress-nginx-controller");
        assert.equal(svc.spec.type, "LoadBalancer");
        assert.equal(svc.spec.externalTrafficPolicy, "Local");
        assert.deepEqual(svc.metadata.annotations, {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
            "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
            "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}",
        });
        assert.deepEqual(svc.spec.ports.map((p: any) => [p.name as string, p.port as number, p.targetPort as string]), [["http", 80, "http"], ["https", 443, "https"]]);
        assert.deepEqual(svc.spec.selector, { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/component": "controller" });
    });

    it("creates that Service before the release, ready once it has an address (the controller exits when its published Service is missing)", () => {
        const svc = one(primary, "kubernetes:core/v1:Service", "edge-service");
        assert.equal(inputsOf(svc).metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.loadBalancer.ingress}");
        assert.ok(one(primary, "kubernetes:helm.sh/v3:Release", "edge-release").dependencies.includes(svc.urn), "the release waits for the Service");
        // The chart's own --publish-service needs its Service; off, so the flag is never given twice.
        assert.deepEqual(edgeValues(primary).controller.publishService, { enabled: false });
    });

    it("keeps the admission webhook off any load balancer and reachable from the API server's addresses only", () => {
        const webhook = edgeValues(primary).controller.admissionWebhooks;
        assert.equal(webhook.enabled, true);
        assert.equal(webhook.service.type, "ClusterIP");
        for (const p of [primary, remote]) {
            for (const svc of ofType(p, "kubernetes:core/v1:Service").map(inputsOf).filter((s) => s.spec.type === "LoadBalancer")) {
                assert.ok(svc.spec.ports.every((port: any) => port.port !== 8443 && port.targetPort !== "webhook"));
            }
        }
        const policy = inputsOf(one(primary, "kubernetes:networking.k8s.io/v1:NetworkPolicy"));
        const webhookRules = policy.spec.ingress.filter((r: any) => r.ports.some((port: any) => port.port === 8443) as boolean);
        assert.deepEqual(webhookRules, [{ from: [{ ipBlock: { cidr: "10.0.0.0/20" } }], ports: [{ protocol: "TCP", port: 8443 }] }]);
        assert.deepEqual(policy.spec.policyTypes, ["Ingress"]);
    });

    it("routes the article's hosts: admin, user and api, with /v1 and /v2 under api (pathType Prefix)", () => {
        const api = ingress(primary, "api", "api-example-com");
        assert.equal(api.spec.ingressClassName, "nginx");
        assert.deepEqual(api.spec.rules, [
            {
                host: "api.example.com",
                http: {
                    paths: [
                        { path: "/v1", pathType: "Prefix", backend: { service: { name: "api-v1-service", port: { number: 80 } } } },
                        { path: "/v2", pathType: "Prefix", backend: { service: { name: "api-v2-service", port: { number: 80 } } } },
                    ],
                },
            },
        ]);
        assert.deepEqual(ingress(primary, "admin", "admin-example-com").spec.rules[0].http.paths[0].backend, { service: { name: "admin-service", port: { number: 80 } } });
        assert.deepEqual(ingress(primary, "user", "user-example-com").spec.tls, [{ hosts: ["user.example.com"] }], "the controller's default certificate");
    });

    it("secures the admin host with the internal profile: allowlist, WAF and rate limits, each an annotation", () => {
        assert.deepEqual(ingress(primary, "admin", "admin-example-com").metadata.annotations, {
            [n("ssl-redirect")]: "true",
            [n("limit-rps")]: "10",
            [n("limit-rpm")]: "100",
            [n("limit-connections")]: "20",
            [n("allowlist-source-range")]: "10.0.0.0/8,172.16.0.0/12",
            [n("enable-modsecurity")]: "true",
            "pulumi.com/skipAwait": "true",
        });
    });

    it("gives the secure host's /api and /upload their own Ingresses with their own limits on top of the host's allowlist and WAF", () => {
        const base = { [n("ssl-redirect")]: "true", [n("allowlist-source-range")]: "10.0.0.0/8,172.16.0.0/12", [n("enable-modsecurity")]: "true", "pulumi.com/skipAwait": "true" };
        assert.deepEqual(ingress(primary, "secure", "secure-example-com").metadata.annotations, { ...base, [n("limit-rps")]: "10", [n("limit-rpm")]: "100", [n("limit-connections")]: "20" });
        assert.deepEqual(ingress(primary, "secure", "secure-example-com-api").metadata.annotations, {
            ...base,
            [n("limit-rps")]: "10",
            [n("limit-rpm")]: "100",
            [n("limit-connections")]: "20",
            [n("limit-burst-multiplier")]: "5",
        });
        assert.deepEqual(ingress(primary, "secure", "secure-example-com-upload").metadata.annotations, {
            ...base,
            [n("limit-rps")]: "1",
            [n("limit-rpm")]: "100",
            [n("limit-connections")]: "5",
            [n("limit-burst-multiplier")]: "5",
        });
        assert.deepEqual(ingress(primary, "secure", "secure-example-com-upload").spec.rules[0].http.paths.map((p: any) => p.path as string), ["/upload"]);
        assert.deepEqual(ingress(primary, "secure", "secure-example-com").spec.rules[0].http.paths.map((p: any) => p.path as string), ["/"]);
    });

    it("serves long-lived caching headers for static assets through custom-headers and a ConfigMap in the Ingress's namespace", () => {
        const staticIngress = ingress(primary, "user", "user-example-com-static-assets-headers");
        assert.deepEqual(staticIngress.metadata.annotations, {
            [n("ssl-redirect")]: "true",
            [n("limit-rps")]: "100",
            [n("limit-rpm")]: "6000",
            [n("limit-connections")]: "100",
            [n("limit-burst-multiplier")]: "5",
            [n("enable-modsecurity")]: "false",
            [n("custom-headers")]: "user/user-example-com-static-assets-headers",
            "pulumi.com/skipAwait": "true",
        });
        const configMap = ofType(primary, "kubernetes:core/v1:ConfigMap").map(inputsOf).find((c) => c.metadata.name === "user-example-com-static-assets-headers");
        assert.deepEqual(configMap, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "user-example-com-static-assets-headers", namespace: "user" }, data: { "Cache-Control": "public, max-age=31536000, immutable" } });
        assert.equal(ingress(primary, "api", "api-example-com-headers").metadata.annotations[n("custom-headers")], "api/api-example-com-headers");
    });

    it("uses no annotation whose name contains 'snippet', anywhere in either plan, and only the allowlist annotation's current name", () => {
        for (const p of [primary, remote]) {
            const keys = annotationKeys(p.evaluation.resources.map(inputsOf));
            assert.ok(keys.length > 0);
            assert.deepEqual(keys.filter((k) => k.includes("snippet")), []);
            assert.deepEqual(keys.filter((k) => k.includes("whitelist")), []);
        }
    });

    it("serves every Ingress host over TLS, covered by a certificate of the stack", () => {
        for (const p of [primary, remote]) {
            const certificates = ofType(p, "kubernetes:cert-manager.io/v1:Certificate").map(inputsOf);
            const defaultSecret = String(edgeValues(p).controller.extraArgs["default-ssl-certificate"]);
            for (const i of ingresses(p).map(inputsOf)) {
                for (const rule of i.spec.rules) {
                    const tls = i.spec.tls.find((t: any) => t.hosts.includes(rule.host) as boolean);
                    assert.ok(tls, `${String(rule.host)} has a TLS section`);
                    const secret = tls.secretName === undefined ? defaultSecret : `${String(i.metadata.namespace)}/${String(tls.secretName)}`;
                    const cert = certificates.find((c) => `${String(c.metadata.namespace)}/${String(c.spec.secretName)}` === secret);
                    assert.ok(cert && setCovers(cert.spec.dnsNames, rule.host), `${String(rule.host)} is covered by ${secret}`);
                }
            }
        }
    });

    it("waits for the controller (its admission webhook) before creating routes", () => {
        const release = one(primary, "kubernetes:helm.sh/v3:Release", "edge-release").urn;
        for (const r of ingresses(primary)) assert.ok(r.dependencies.includes(release), r.name);
    });

    it("warns once, in each plan, that ingress-nginx is retired", () => {
        for (const p of [primary, remote]) assert.deepEqual(p.document.warnings.filter((w) => w.includes("retired")), [retirementWarning]);
    });
});

describe("edge configuration variants", () => {
    it("blocks with the WAF in blocking mode (a controller setting, never an annotation)", async () => {
        const p = await planned("remote", { overrides: { set: { edgeWafMode: "blocking" } } });
        assert.equal(edgeValues(p).controller.config["modsecurity-snippet"], "Include /etc/nginx/modsecurity/modsecurity.conf\nSecRuleEngine On");
        assert.deepEqual(annotationKeys(p.evaluation.resources.map(inputsOf)).filter((k) => k.includes("snippet")), []);
    });

    it("loads no WAF when it is off", async () => {
        const p = await planned("remote", { overrides: { set: { edgeWafMode: "off" } } });
        const config = edgeValues(p).controller.config;
        assert.equal(config["enable-modsecurity"], undefined);
        assert.ok(annotationKeys(p.evaluation.resources.map(inputsOf)).every((k) => !k.includes("modsecurity")));
    });

    it("asks cert-manager for a per-host certificate through the cluster-issuer annotation, once per host", async () => {
        const hosts = [
            {
                host: "shop.example.com",
                namespace: "shop",
                profile: "public",
                certificate: "own",
                paths: [
                    { path: "/", service: "shop", port: 8080 },
                    { path: "/checkout", service: "shop", port: 8080, profile: "strict" },
                ],
            },
        ];
        const p = await planned("remote", {
            overrides: { set: { edgeHosts: hosts, edgeSecurityProfiles: [{ name: "public", rps: 10 }, { name: "strict", rps: 2 }], dnsRouting: [], tlsCertificates: [{ name: "api-example-com", dnsNames: ["api.example.com"], namespace: "api" }] } },
        });
        const first = ingress(p, "shop", "shop-example-com");
        const second = ingress(p, "shop", "shop-example-com-strict");
        assert.equal(first.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
        assert.equal(first.metadata.annotations["mesh-ingress.io/acme-environment"], "staging", "the stack's choice, for the policy pack");
        assert.equal(second.metadata.annotations["cert-manager.io/cluster-issuer"], undefined);
        assert.deepEqual(first.spec.tls, [{ hosts: ["shop.example.com"], secretName: "shop-example-com-tls" }]);
        assert.deepEqual(second.spec.tls, first.spec.tls);
        assert.deepEqual((p.document.outputs as any).tlsIdentifierSets, [
            { name: "api-example-com", dnsNames: ["api.example.com"] },
            { name: "shop.example.com", dnsNames: ["shop.example.com"] },
        ]);
        assert.deepEqual(JSON.parse(inputsOf(one(p, "aws:iam/policy:Policy")).policy).Statement[2].Condition["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"], [
            "_acme-challenge.api.example.com",
            "_acme-challenge.shop.example.com",
        ]);
        assert.equal(edgeValues(p).controller.extraArgs["default-ssl-certificate"], undefined, "no set in the edge namespace, no default certificate");
    });

    it("serves a host from a certificate set issued in the host's own namespace", async () => {
        const p = await planned("primary", {
            overrides: {
                set: {
                    tlsCertificates: [
                        { name: "example-com", dnsNames: ["*.example.com", "example.com"] },
                        { name: "admin-example-com", dnsNames: ["admin.example.com"], namespace: "admin" },
                    ],
                },
            },
        });
        assert.deepEqual(ingress(p, "admin", "admin-example-com").spec.tls, [{ hosts: ["admin.example.com"], secretName: "admin-example-com-tls" }]);
        assert.deepEqual(ingress(p, "user", "user-example-com").spec.tls, [{ hosts: ["user.example.com"] }]);
    });

    it("takes other clouds' load balancer annotations from config, without the NLB ones", async () => {
        const p = await planned("remote", { overrides: { set: { edgeLoadBalancer: "hostname", edgeServiceAnnotations: { "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz" } } } });
        const svc = inputsOf(one(p, "kubernetes:core/v1:Service", "edge-service"));
        assert.deepEqual(svc.metadata.annotations, {
            "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz",
            "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}",
        });
        assert.equal(svc.spec.externalTrafficPolicy, "Local");
    });
});
