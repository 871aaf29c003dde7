import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { corazaWarning } from "../../../components/edge/gateway-api-edge";
import { wafPluginObject } from "../../../components/edge/gateway-api-objects";
import { retirementWarning } from "../../../components/edge/ingress-controller";
import { routingTable, type Route } from "../../../components/edge/routing";
import { projectDir } from "../../../offline/plan";
import { inputsOf, ofType, one, outputsOf, planned, type Planned } from "../../support/plan";
import { invalidObjects, objectOf } from "../../support/schemas";
import { typeProblems } from "../../support/strict-types";
import type { RecordedResource } from "../../../offline/engine";

/**
 * The Gateway API edge in the plan of examples/Pulumi.primary-gateway-api.yaml (the primary
 * with the article's hosts), exact objects for its hosts; the same settings planned with
 * both implementations serve the same routing table.
 */

const configFile = path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml");
const exampleConfig = (): Record<string, unknown> => (parse(fs.readFileSync(configFile, "utf8")) as { config: Record<string, unknown> }).config;

const gw = "gateway.networking.k8s.io";
const httpRoutes = (p: Planned): any[] => ofType(p, `kubernetes:${gw}/v1:HTTPRoute`).map(inputsOf);
const httpRoute = (p: Planned, namespace: string, name: string): any => {
    const found = httpRoutes(p).filter((r) => r.metadata.namespace === namespace && r.metadata.name === name);
    assert.equal(found.length, 1, `one HTTPRoute ${namespace}/${name}; found ${httpRoutes(p).map((r) => `${String(r.metadata.namespace)}/${String(r.metadata.name)}`).join(", ")}`);
    return found[0];
};
const gateway = (p: Planned): any => inputsOf(one(p, `kubernetes:${gw}/v1:Gateway`));
const listener = (p: Planned, name: string): any => gateway(p).spec.listeners.find((l: any) => l.name === name);
const hsts = { name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" };
const nlbAnnotations = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
    "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
};

/** The routing table an edge serves, read back from its objects. */
function servedByIngresses(p: Planned): Route[] {
    return ofType(p, "kubernetes:networking.k8s.io/v1:Ingress")
        .map(inputsOf)
        .flatMap((i) =>
            (i.spec.rules as any[]).flatMap((rule) =>
                (rule.http.paths as any[]).map((x) => ({ host: rule.host, path: x.path, pathType: x.pathType, namespace: i.metadata.namespace, service: x.backend.service.name, port: x.backend.service.port.number })),
            ),
        );
}
function servedByHttpRoutes(p: Planned): Route[] {
    return httpRoutes(p)
        .filter((r) => r.spec.parentRefs[0].sectionName !== "http")
        .flatMap((r) =>
            (r.spec.rules as any[]).map((rule) => ({
                host: r.spec.hostnames[0],
                path: rule.matches[0].path.value,
                pathType: rule.matches[0].path.type === "Exact" ? "Exact" : "Prefix",
                namespace: r.metadata.namespace,
                service: rule.backendRefs[0].name,
                port: rule.backendRefs[0].port,
            })),
        );
}
const sorted = (routes: Route[]): string[] => routes.map((r) => JSON.stringify([r.host, r.path, r.pathType, r.namespace, r.service, r.port])).sort();

/** A digest for the planned WasmPlugin (64 hex digits; a plan deploys nothing). */
const moduleDigest = "0123456789abcdef".repeat(4);
/** The example with its WAF turned on, as its comments say: the internal profile's waf, the acknowledgement, the module's digest. */
const withWaf = (): Record<string, unknown> => ({
    edgeWafMaturityAcknowledged: true,
    edgeCorazaWasmSha256: moduleDigest,
    edgeSecurityProfiles: (exampleConfig()["mesh-ingress:edgeSecurityProfiles"] as Record<string, unknown>[]).map((x) => (x["name"] === "internal" ? { ...x, waf: true } : x)),
});

describe("the Gateway API edge in examples/Pulumi.primary-gateway-api.yaml", () => {
    let p: Planned;
    before(async () => {
        p = await planned("primary", { configFile, overrides: { set: withWaf() } });
    });

    it("plans with no policy finding and no ingress-nginx resource", () => {
        assert.deepEqual(p.findings, []);
        const nginx = p.evaluation.resources.filter(
            (r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" || r.type === "mesh-ingress:edge:IngressController" || r.type === "mesh-ingress:edge:NginxRoutes" || (r.type === "kubernetes:helm.sh/v3:Release" && inputsOf(r).chart === "ingress-nginx"),
        );
        assert.deepEqual(nginx.map((r) => r.name), []);
        assert.ok(!p.document.warnings.includes(retirementWarning));
        assert.equal(outputsOf(p).edgeImplementation, "gateway-api");
    });

    it("installs the standard-channel CRDs of Gateway API v1.5.1, checked against their SHA-256, before istiod and cert-manager", () => {
        const crds = one(p, "kubernetes:yaml/v2:ConfigGroup");
        // Offline, the checked download is answered without the network (offline/computed.ts).
        assert.deepEqual(inputsOf(crds), {
            yaml: "# Offline plan: pulumi preview and up download https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml\n# and apply it only if its SHA-256 is 751002b3b91a87f7ae3bd2517c79a47a8d7ed6702901808a1cf9bd97d284f9b8.\n",
        });
        assert.equal(crds.options.retainOnDelete, true);
        assert.deepEqual(crds.options.aliases?.map((a) => (typeof a === "string" ? a : a["type"])), ["kubernetes:yaml/v2:ConfigFile"]);
        assert.ok(one(p, "kubernetes:helm.sh/v3:Release", "mesh-istiod").dependencies.includes(crds.urn), "istiod after the CRDs");
        assert.ok(one(p, "kubernetes:helm.sh/v3:Release", "cert-manager-release").dependencies.includes(crds.urn), "cert-manager after the CRDs");
        for (const r of [...ofType(p, `kubernetes:${gw}/v1:HTTPRoute`), one(p, `kubernetes:${gw}/v1:Gateway`)]) assert.ok(r.dependencies.includes(crds.urn), r.name);
    });

    it("switches cert-manager's Gateway API support on in its release (gatewayAPI.enabled; enableGatewayAPI is deprecated in v1.21)", () => {
        assert.deepEqual(inputsOf(one(p, "kubernetes:helm.sh/v3:Release", "cert-manager-release")).values.config, {
            apiVersion: "controller.config.cert-manager.io/v1alpha1",
            kind: "ControllerConfiguration",
            gatewayAPI: { enabled: true },
        });
    });

    it("issues the stack's certificate in the Gateway's namespace and serves every host from it", () => {
        const cert = inputsOf(one(p, "kubernetes:cert-manager.io/v1:Certificate"));
        assert.equal(cert.metadata.namespace, "istio-ingress");
        assert.equal(cert.spec.secretName, "example-com-tls");
        assert.equal(gateway(p).metadata.namespace, "istio-ingress");
        const https = gateway(p).spec.listeners.filter((l: any) => l.protocol === "HTTPS");
        assert.deepEqual(https.map((l: any) => l.hostname as string), ["admin.example.com", "user.example.com", "api.example.com", "secure.example.com"]);
        for (const l of https) assert.deepEqual(l.tls, { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "example-com-tls" }] });
    });

    it("defines a Gateway of class istio with an HTTP listener and one HTTPS listener per host, routes only from the host's namespaces", () => {
        const g = gateway(p);
        assert.deepEqual(g.metadata, { name: "edge", namespace: "istio-ingress", annotations: { "pulumi.com/waitFor": "condition=Programmed" } });
        assert.equal(g.spec.gatewayClassName, "istio");
        assert.deepEqual(listener(p, "http"), { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ group: gw, kind: "HTTPRoute" }] } });
        assert.deepEqual(listener(p, "https-api-example-com"), {
            name: "https-api-example-com",
            hostname: "api.example.com",
            port: 443,
            protocol: "HTTPS",
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "example-com-tls" }] },
            allowedRoutes: { namespaces: { from: "Selector", selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["api"] }] } }, kinds: [{ group: gw, kind: "HTTPRoute" }] },
        });
        assert.equal(g.spec.listeners.length, 5);
    });

    it("customises the gateway istiod deploys: NLB with IP targets and client addresses, HPA 3-10 at 70% CPU, PDB, requests and spread", () => {
        const g = gateway(p);
        assert.deepEqual(g.spec.infrastructure, { annotations: nlbAnnotations, parametersRef: { group: "", kind: "ConfigMap", name: "edge-options" } });
        const options = inputsOf(one(p, "kubernetes:core/v1:ConfigMap", "gateway-options"));
        assert.deepEqual(options.metadata, { name: "edge-options", namespace: "istio-ingress" });
        assert.deepEqual(Object.keys(options.data).sort(), ["deployment", "horizontalPodAutoscaler", "podDisruptionBudget", "service"]);
        assert.deepEqual(parse(options.data.horizontalPodAutoscaler), {
            spec: { minReplicas: 3, maxReplicas: 10, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] },
        });
        assert.deepEqual(parse(options.data.podDisruptionBudget), { spec: { maxUnavailable: 1 } });
        assert.deepEqual(parse(options.data.service), { spec: { externalTrafficPolicy: "Local" } });
        const deployment = parse(options.data.deployment);
        assert.equal(deployment.spec.replicas, undefined, "the HPA owns the replica count");
        assert.deepEqual(deployment.spec.template.spec.containers, [{ name: "istio-proxy", resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } }]);
        assert.deepEqual(
            deployment.spec.template.spec.topologySpreadConstraints.map((t: any) => [t.topologyKey as string, t.labelSelector.matchLabels[`${gw}/gateway-name`] as string]),
            [["kubernetes.io/hostname", "edge"], ["topology.kubernetes.io/zone", "edge"]],
        );
        // Created before the Gateway: istiod refuses a parametersRef to a missing ConfigMap.
        assert.ok(one(p, `kubernetes:${gw}/v1:Gateway`).dependencies.includes(one(p, "kubernetes:core/v1:ConfigMap", "gateway-options").urn));
    });

    it("routes the article's hosts: api with /v1 and /v2 (PathPrefix), HSTS on every response", () => {
        assert.deepEqual(httpRoute(p, "api", "api-example-com"), {
            apiVersion: `${gw}/v1`,
            kind: "HTTPRoute",
            metadata: { name: "api-example-com", namespace: "api" },
            spec: {
                parentRefs: [{ group: gw, kind: "Gateway", namespace: "istio-ingress", name: "edge", sectionName: "https-api-example-com" }],
                hostnames: ["api.example.com"],
                rules: [
                    { matches: [{ path: { type: "PathPrefix", value: "/v1" } }], filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [hsts] } }], backendRefs: [{ group: "", kind: "Service", name: "api-v1-service", port: 80 }] },
                    { matches: [{ path: { type: "PathPrefix", value: "/v2" } }], filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [hsts] } }], backendRefs: [{ group: "", kind: "Service", name: "api-v2-service", port: 80 }] },
                ],
            },
        });
        assert.deepEqual(httpRoute(p, "admin", "admin-example-com").spec.rules[0].backendRefs, [{ group: "", kind: "Service", name: "admin-service", port: 80 }]);
        for (const r of httpRoutes(p).filter((x) => x.metadata.name !== "https-redirect")) {
            for (const rule of r.spec.rules) assert.deepEqual(rule.filters[0].responseHeaderModifier.set[0], hsts, `${String(r.metadata.name)} sets HSTS`);
        }
    });

    it("sets the caching headers of static assets with ResponseHeaderModifier", () => {
        assert.deepEqual(httpRoute(p, "user", "user-example-com-static-assets-headers").spec.rules, [
            {
                matches: [{ path: { type: "PathPrefix", value: "/static" } }],
                filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [hsts, { name: "Cache-Control", value: "public, max-age=31536000, immutable" }] } }],
                backendRefs: [{ group: "", kind: "Service", name: "user-service", port: 80 }],
            },
        ]);
        assert.deepEqual(httpRoute(p, "api", "api-example-com-headers").spec.rules[0].filters[0].responseHeaderModifier.set[1], { name: "Cache-Control", value: "public, max-age=3600" });
    });

    it("redirects all plain HTTP to HTTPS (301) on the HTTP listener only", () => {
        assert.deepEqual(httpRoute(p, "istio-ingress", "https-redirect").spec, {
            parentRefs: [{ group: gw, kind: "Gateway", name: "edge", sectionName: "http" }],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        });
        for (const r of httpRoutes(p).filter((x) => x.metadata.name !== "https-redirect")) assert.notEqual(r.spec.parentRefs[0].sectionName, "http");
    });

    it("denies the internal hosts to addresses outside their allowlist, per host and path group, on the Gateway", () => {
        const policy = inputsOf(one(p, "kubernetes:security.istio.io/v1:AuthorizationPolicy"));
        assert.deepEqual(policy.metadata, { name: "edge-allowlist", namespace: "istio-ingress" });
        assert.deepEqual(policy.spec.targetRefs, [{ group: gw, kind: "Gateway", name: "edge" }]);
        assert.equal(policy.spec.action, "DENY");
        const from = [{ source: { notIpBlocks: ["10.0.0.0/8", "172.16.0.0/12"] } }];
        assert.deepEqual(policy.spec.rules, [
            { from, to: [{ operation: { hosts: ["admin.example.com", "admin.example.com:*"], paths: ["/*"] } }] },
            { from, to: [{ operation: { hosts: ["secure.example.com", "secure.example.com:*"], paths: ["/*"], notPaths: ["/api", "/api/*", "/upload", "/upload/*"] } }] },
            { from, to: [{ operation: { hosts: ["secure.example.com", "secure.example.com:*"], paths: ["/api", "/api/*"] } }] },
            { from, to: [{ operation: { hosts: ["secure.example.com", "secure.example.com:*"], paths: ["/upload", "/upload/*"] } }] },
        ]);
    });

    it("rate-limits every limited route per client address with Envoy's local rate limit, addressing the routes istiod names", () => {
        const filter = inputsOf(one(p, "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter"));
        assert.deepEqual(filter.spec.targetRefs, [{ group: gw, kind: "Gateway", name: "edge" }]);
        const [insert, ...routes] = filter.spec.configPatches;
        assert.deepEqual(insert.patch.operation, "INSERT_BEFORE");
        assert.equal(insert.patch.value.name, "envoy.filters.http.local_ratelimit");
        // One patch per rule of every limited HTTPRoute, named <namespace>.<route>.<rule index>.
        const expected = httpRoutes(p)
            .filter((r) => r.metadata.name !== "https-redirect")
            .flatMap((r) => (r.spec.rules as unknown[]).map((_, i) => `${String(r.metadata.namespace)}.${String(r.metadata.name)}.${i}`))
            .sort();
        assert.deepEqual(routes.map((x: any) => x.match.routeConfiguration.vhost.route.name as string).sort(), expected);
        const upload = routes.find((x: any) => x.match.routeConfiguration.vhost.route.name === "secure.secure-example-com-upload.0").patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"];
        assert.deepEqual(upload.descriptors, [
            { entries: [{ key: "remote_address", value: "" }], token_bucket: { max_tokens: 5, tokens_per_fill: 1, fill_interval: "1s" } },
            { entries: [{ key: "window", value: "minute" }, { key: "remote_address", value: "" }], token_bucket: { max_tokens: 500, tokens_per_fill: 100, fill_interval: "60s" } },
        ]);
        assert.deepEqual(upload.rate_limits, [{ actions: [{ remote_address: {} }] }, { actions: [{ generic_key: { descriptor_key: "window", descriptor_value: "minute" } }, { remote_address: {} }] }]);
        assert.equal(upload.always_consume_default_token_bucket, false);
    });

    it("runs Coraza with the OWASP CRS for the WAF hosts only, fail-closed, and warns", () => {
        const plugin = inputsOf(one(p, "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin"));
        assert.deepEqual(plugin.spec, {
            targetRefs: [{ group: gw, kind: "Gateway", name: "edge" }],
            url: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0",
            sha256: moduleDigest,
            imagePullPolicy: "IfNotPresent",
            phase: "AUTHN",
            failStrategy: "FAIL_CLOSE",
            pluginConfig: {
                directives_map: {
                    crs: ["Include @recommended-conf", "SecRuleEngine DetectionOnly", "Include @crs-setup-conf", "Include @owasp_crs/*.conf"],
                    off: ["SecRuleEngine Off"],
                },
                default_directives: "off",
                per_authority_directives: { "admin.example.com": "crs", "admin.example.com:443": "crs", "secure.example.com": "crs", "secure.example.com:443": "crs" },
            },
        });
        assert.deepEqual(p.document.warnings.filter((w) => w.includes("Coraza")), [corazaWarning]);
    });

    it("creates only objects that conform to the upstream schemas, with no field the upstream types lack", async () => {
        assert.deepEqual(await invalidObjects(p.evaluation.resources), []);
        // The models' validators accept undeclared fields; their TypeScript types do not. One
        // compilation checks the edge's objects and two broken copies (so the check is no no-op).
        const edgeObjects = p.evaluation.resources.filter((r) => /^kubernetes:(gateway\.networking\.k8s\.io|[a-z]+\.istio\.io)\//.test(r.type) && r.parent?.includes("GatewayApiEdge")).map(objectOf);
        assert.equal(edgeObjects.length, 13);
        const redirect = objectOf(one(p, `kubernetes:${gw}/v1:HTTPRoute`, "gateway-https-redirect"));
        const broken = (name: string, requestRedirect: Record<string, unknown>): typeof redirect => ({
            ...redirect,
            metadata: { name, namespace: "istio-ingress" },
            spec: { ...(redirect["spec"] as object), rules: [{ filters: [{ type: "RequestRedirect", requestRedirect }] }] },
        });
        const problems = typeProblems([...edgeObjects, broken("misspelt", { schema: "https", statusCode: 301 }), broken("wrong-code", { scheme: "https", statusCode: 300 })]);
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(problems[0]!, /^HTTPRoute misspelt: .*'"?schema"?' does not exist/);
        assert.match(problems[1]!, /^HTTPRoute wrong-code: .*300/);
    });

    it("points the records at the Gateway's load balancer, read from its status once Programmed (values: see the migration's pulumi up plans)", () => {
        const gatewayUrn = one(p, `kubernetes:${gw}/v1:Gateway`).urn;
        const records = ofType(p, "aws:route53/record:Record");
        assert.equal(records.length, 4);
        for (const r of records) assert.ok(r.dependencies.includes(gatewayUrn), `${r.name} waits for the Gateway's address`);
        assert.equal(ofType(p, "kubernetes:core/v1:Service").filter((r) => inputsOf(r).metadata.name === "edge-istio").length, 0, "istiod owns the gateway's Service");
    });

    it("keeps the edge namespace when NGINX goes away (an alias to the NGINX edge's namespace)", () => {
        const ns = ofType(p, "kubernetes:core/v1:Namespace").filter((r: RecordedResource) => inputsOf(r).metadata.name === "istio-ingress");
        assert.equal(ns.length, 1);
        assert.equal(ns[0]!.name, "edge-namespace", "the same name as the NGINX edge's namespace resource, so the alias applies");
        assert.match(ns[0]!.parent ?? "", /::pulumi:pulumi:Stack::/, "a child of the stack, aliased to the NGINX edge's child");
    });
    it("serves the same routing table with either implementation (the comparison of both plans)", async () => {
        const nginx = await planned("primary", { configFile, overrides: { set: { edgeImplementation: "nginx", edgeAdmissionWebhookSources: ["10.0.0.0/20"] }, unset: ["edgeWafMaturityAcknowledged"] } });
        assert.deepEqual(ofType(nginx, `kubernetes:${gw}/v1:HTTPRoute`), []);
        const config = exampleConfig();
        const table = sorted(routingTable(config["mesh-ingress:edgeHosts"] as never));
        assert.equal(table.length, 9);
        assert.deepEqual(sorted(servedByIngresses(nginx)), table);
        assert.deepEqual(sorted(servedByHttpRoutes(p)), table);
    });
});

describe("migrating a stack from NGINX to the Gateway API edge", () => {
    const both = (mode: string): Promise<Planned> => planned("primary", { configFile, up: true, overrides: { set: { edgeImplementation: mode, edgeAdmissionWebhookSources: ["10.0.0.0/20"] } } });
    const aliasTarget = (p: Planned): string[] => [...new Set(ofType(p, "aws:route53/record:Record").map((r) => String(inputsOf(r).aliases[0].name)))];
    let first: Planned;
    let second: Planned;
    before(async () => {
        first = await both("nginx+gateway-api");
        second = await both("gateway-api+nginx");
    });

    it("runs both edges side by side, in one namespace, sharing the certificate", () => {
        for (const p of [first, second]) {
            assert.equal(ofType(p, "mesh-ingress:edge:IngressController").length, 1);
            assert.equal(ofType(p, "mesh-ingress:edge:GatewayApiEdge").length, 1);
            assert.deepEqual(ofType(p, "kubernetes:core/v1:Namespace").map(inputsOf).filter((n) => n.metadata.name === "istio-ingress").length, 1);
            assert.equal(ofType(p, "kubernetes:cert-manager.io/v1:Certificate").length, 1);
            assert.equal(inputsOf(one(p, "kubernetes:helm.sh/v3:Release", "edge-release")).values.controller.extraArgs["default-ssl-certificate"], "istio-ingress/example-com-tls");
            assert.deepEqual(Object.keys(outputsOf(p).edgeLoadBalancers).sort(), ["gateway-api", "nginx"]);
        }
    });

    it("points DNS at the first named edge: NGINX first, then the Gateway (its status address, an alias to the NLB)", () => {
        assert.deepEqual(aliasTarget(first), ["edge-service-0123456789abcdef.elb.us-east-1.amazonaws.com"]);
        assert.deepEqual(aliasTarget(second), ["gateway-gateway-istio-0123456789abcdef.elb.us-east-1.amazonaws.com"]);
        for (const r of ofType(second, "aws:route53/record:Record").map(inputsOf)) assert.deepEqual(r.aliases[0].zoneId, "Z26RNL4JYFTOTI");
        assert.equal(outputsOf(second).edgeLoadBalancer, "gateway-gateway-istio-0123456789abcdef.elb.us-east-1.amazonaws.com");
        assert.equal(outputsOf(second).edgeLoadBalancers.nginx, "edge-service-0123456789abcdef.elb.us-east-1.amazonaws.com");
    });

});

describe("Gateway API edge variants", () => {
    it("reads client addresses from proxy protocol when the NLB sends it (remoteIpBlocks)", async () => {
        const p = await planned("primary", { configFile, overrides: { set: { edgeServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*" } } } });
        assert.equal(gateway(p).spec.infrastructure.annotations["proxy.istio.io/config"], '{"gatewayTopology":{"proxyProtocol":{}}}');
        const rules = inputsOf(one(p, "kubernetes:security.istio.io/v1:AuthorizationPolicy")).spec.rules;
        assert.deepEqual(rules[0].from, [{ source: { notRemoteIpBlocks: ["10.0.0.0/8", "172.16.0.0/12"] } }]);
    });

    it("issues a host's own certificate in the Gateway's namespace (no NGINX ingress-shim)", async () => {
        const hosts = [{ host: "shop.example.com", namespace: "shop", profile: "public", certificate: "own", paths: [{ path: "/", service: "shop", port: 8080 }] }];
        const p = await planned("primary", { configFile, overrides: { set: { edgeHosts: hosts, dnsRouting: [] } } });
        const certs = ofType(p, "kubernetes:cert-manager.io/v1:Certificate").map(inputsOf);
        const own = certs.find((c) => c.metadata.name === "shop-example-com");
        assert.deepEqual([own?.metadata.namespace, own?.spec.secretName, own?.spec.dnsNames], ["istio-ingress", "shop-example-com-tls", ["shop.example.com"]]);
        assert.equal(listener(p, "https-shop-example-com").tls.certificateRefs[0].name, "shop-example-com-tls");
        assert.equal(gateway(p).metadata.annotations["cert-manager.io/cluster-issuer"], undefined, "no Gateway shim: the program issues the Certificate");
    });

    it("leaves out the WAF, its warning and the allowlist when they are not configured", async () => {
        const p = await planned("primary", { configFile, overrides: { set: { edgeWafMode: "off", edgeSecurityProfiles: [{ name: "public", rps: 10 }, { name: "internal", rps: 5 }, { name: "api", rps: 10 }, { name: "upload", rps: 1 }, { name: "static-assets", rps: 100 }] } } });
        assert.equal(ofType(p, "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin").length, 0);
        assert.equal(ofType(p, "kubernetes:security.istio.io/v1:AuthorizationPolicy").length, 0);
        assert.ok(!p.document.warnings.some((w) => w.includes("Coraza")));
        assert.equal(ofType(p, "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter").length, 1);
    });

    it("blocks with the WAF when edgeWafMode is blocking", () => {
        const groups = [{ name: "a", host: "a.example.com", namespace: "a", profile: { name: "p", waf: true }, responseHeaders: undefined, routes: [], tls: { kind: "default" as const }, public: false }];
        assert.deepEqual((wafPluginObject(groups, { namespace: "edge", url: "oci://r.example.com/coraza:1", sha256: "0123456789abcdef".repeat(4), mode: "blocking" }) as any).spec.pluginConfig.directives_map.crs, [
            "Include @recommended-conf",
            "SecRuleEngine On",
            "Include @crs-setup-conf",
            "Include @owasp_crs/*.conf",
        ]);
        assert.equal(wafPluginObject(groups, { namespace: "edge", url: "oci://r.example.com/coraza:1", sha256: "0123456789abcdef".repeat(4), mode: "off" }), undefined);
    });
});
