import * as assert from "node:assert/strict";
import { allowlistPolicyObject, httpRouteObject } from "../../components/edge/gateway-api-objects";
import { loadBalancerServiceObject, networkPolicyObject } from "../../components/edge/ingress-controller";
import { ingressObject } from "../../components/edge/routes";
import { publicPathAnnotation as programAnnotation } from "../../components/edge/routing";
import {
    admissionWebhookIsolated,
    edgeKeepsClientAddress,
    forwardedHeadersNotTrusted,
    hstsOnlyFromController,
    pathsInheritAllowlist,
    publicPathAnnotation,
    routesAvoidControlPlane,
} from "../../policy/edge-security";
import { policies } from "../../policy/policies";
import { bareGatewayProps, changed, edgeNetworkPolicy, ingressNginx, istiod, portalIngress, secureHostGroups, T } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edge's security policies on both edges: the program's own objects pass; each hand
 * edit the issue lists fails with the exact message.
 */

const groups = secureHostGroups;
const ingress = (i: number): ResourceArgs => ({ type: T.ingress, name: groups[i]!.name, props: ingressObject(groups[i]!, { wafMode: "off", acmeEnvironment: "staging" }) });
const httpRoute = (i: number): ResourceArgs => ({ type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", name: groups[i]!.name, props: httpRouteObject(groups[i]!, { gatewayNamespace: "istio-ingress", hsts: "max-age=31536000" }) });
const denyPolicy = (): any => allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" });
const authz = (props: unknown): ResourceArgs => ({ type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", name: "allowlist", props: props as Record<string, unknown> });
const withoutAnnotation = (r: ResourceArgs): ResourceArgs => changed(r, (p) => delete p.metadata.annotations[publicPathAnnotation]);

describe("edge security policies", () => {
    it("are in the pack, and the program marks public paths with the annotation the pack reads", () => {
        for (const p of [pathsInheritAllowlist, hstsOnlyFromController, routesAvoidControlPlane, admissionWebhookIsolated, forwardedHeadersNotTrusted, edgeKeepsClientAddress]) assert.ok(policies.includes(p), p.name);
        assert.equal(programAnnotation, publicPathAnnotation);
        assert.deepEqual(groups.map((g) => [g.name, g.public, g.profile?.allowlist]), [
            ["secure-example-com", false, ["10.0.0.0/8"]],
            ["secure-example-com-upload", false, ["10.0.0.0/8"]],
            ["secure-example-com-public", true, undefined],
        ]);
    });

    describe("paths-inherit-allowlist", () => {
        it("passes the program's Ingresses: inherited allowlists, and a public path that says so", async () => {
            await assertPasses(pathsInheritAllowlist, [ingress(0), ingress(1), ingress(2)]);
            assert.equal((ingress(1).props as any).metadata.annotations["nginx.ingress.kubernetes.io/allowlist-source-range"], "10.0.0.0/8");
            assert.equal((ingress(2).props as any).metadata.annotations[publicPathAnnotation], "true");
        });

        it("fails an Ingress of an allowlisted host without the allowlist or the annotation (NGINX edge)", async () => {
            await assertViolates(
                pathsInheritAllowlist,
                [ingress(0), withoutAnnotation(ingress(2))],
                `Ingress 'secure/secure-example-com-public' serves secure.example.com without the allowlist another Ingress of that host has; keep the host's allowlist on every path, or declare the path public (public: true, annotation ${publicPathAnnotation}: "true").`,
            );
        });

        it("passes the program's HTTPRoutes and DENY policy (Gateway API edge)", async () => {
            await assertPasses(pathsInheritAllowlist, [authz(denyPolicy()), httpRoute(0), httpRoute(1), httpRoute(2)]);
        });

        it("fails a DENY rule whose notPaths exempt a path silently, and a public route without the annotation", async () => {
            const exempting = denyPolicy();
            exempting.spec.rules[1].to[0].operation.notPaths = ["/upload/*"];
            await assertViolates(
                pathsInheritAllowlist,
                [authz(exempting), httpRoute(1)],
                `HTTPRoute 'secure/secure-example-com-upload' serves secure.example.com/upload of an allowlisted host, but no DENY rule of the Gateway's AuthorizationPolicies refuses outsiders there (a notPaths entry or a missing rule exempts it); keep the host's allowlist on the path, or declare it public (public: true, annotation ${publicPathAnnotation}: "true").`,
            );
            await assertViolates(
                pathsInheritAllowlist,
                [authz(denyPolicy()), withoutAnnotation(httpRoute(2))],
                `HTTPRoute 'secure/secure-example-com-public' serves secure.example.com/status of an allowlisted host, but no DENY rule of the Gateway's AuthorizationPolicies refuses outsiders there (a notPaths entry or a missing rule exempts it); keep the host's allowlist on the path, or declare it public (public: true, annotation ${publicPathAnnotation}: "true").`,
            );
        });
    });

    describe("hsts-only-from-controller", () => {
        const headers = (data: Record<string, string>): ResourceArgs => ({ type: "kubernetes:core/v1:ConfigMap", name: "portal-headers", props: { metadata: { name: "portal", namespace: "edge" }, data } });
        const custom = changed(portalIngress, (p) => (p.metadata.annotations["nginx.ingress.kubernetes.io/custom-headers"] = "edge/portal"));

        it("passes response headers without HSTS", async () => {
            await assertPasses(hstsOnlyFromController, [ingressNginx, custom, headers({ "Cache-Control": "max-age=60" })]);
        });

        it("fails HSTS in a custom-headers ConfigMap, and HSTS allowed as a custom header", async () => {
            await assertViolates(
                hstsOnlyFromController,
                [custom, headers({ "Strict-Transport-Security": "max-age=0" })],
                "Ingress 'edge/portal' sets Strict-Transport-Security through ConfigMap 'edge/portal'; HSTS comes only from the controller's settings (hsts, hsts-max-age, hsts-include-subdomains), the same on every path: remove the header.",
            );
            await assertViolates(
                hstsOnlyFromController,
                changed(ingressNginx, (p) => (p.values.controller.config["global-allowed-response-headers"] = "Cache-Control,Strict-Transport-Security")),
                "Helm release 'ingress-nginx' (chart ingress-nginx) lists Strict-Transport-Security in controller.config.global-allowed-response-headers, so Ingresses may override HSTS; remove it (HSTS comes from hsts* in controller.config).",
            );
        });
    });

    describe("routes-avoid-control-plane", () => {
        const route = (namespace: string, backend: Record<string, unknown>): ResourceArgs => ({
            type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
            name: `r-${namespace}`,
            props: { metadata: { name: "r", namespace }, spec: { hostnames: ["x.example.com"], rules: [{ backendRefs: [{ kind: "Service", name: "svc", port: 80, ...backend }] }] } },
        });

        it("passes application backends", async () => {
            await assertPasses(routesAvoidControlPlane, [ingressNginx, portalIngress, route("shop", {})]);
        });

        it("fails routes to istiod, the API server and the edge's own namespace; passes one allowed by name", async () => {
            await assertViolates(routesAvoidControlPlane, [ingressNginx, changed(portalIngress, (p) => (p.metadata.namespace = "istio-system")), route("shop", { namespace: "default", name: "kubernetes" }), route("ingress-nginx", {})], [
                "Ingress 'istio-system/portal' routes to istio-system/portal, in istiod's namespace (its plain-text and webhook ports); a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow 'istio-system/portal' in allowedBackends).",
                "Ingress 'istio-system/portal' routes to istio-system/api-v1, in istiod's namespace (its plain-text and webhook ports); a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow 'istio-system/api-v1' in allowedBackends).",
                "HTTPRoute 'shop/r' routes to default/kubernetes, in the Kubernetes API server's Service; a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow 'default/kubernetes' in allowedBackends).",
                "HTTPRoute 'ingress-nginx/r' routes to ingress-nginx/svc, in the edge's own namespace (its controller, admission webhook and certificates); a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow 'ingress-nginx/svc' in allowedBackends).",
            ]);
            await assertPasses(routesAvoidControlPlane, [route("kube-system", { name: "metrics" })], { "routes-avoid-control-plane": { allowedBackends: ["kube-system/metrics"] } });
        });
    });

    describe("admission-webhook-isolated", () => {
        const program: ResourceArgs = { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "edge-network-policy", props: networkPolicyObject({ namespace: "ingress-nginx", admissionWebhookSources: ["10.0.0.0/20"] }) };
        const who = "The admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx)";

        it("passes the program's NetworkPolicy and the fixture's", async () => {
            await assertPasses(admissionWebhookIsolated, [ingressNginx, program]);
            await assertPasses(admissionWebhookIsolated, [ingressNginx, edgeNetworkPolicy]);
        });

        it("fails the NetworkPolicy removed", async () => {
            await assertViolates(admissionWebhookIsolated, [ingressNginx], `${who} is reachable from every pod and address: no NetworkPolicy in ingress-nginx selects the controller pods (CVE-2025-1974); add one that admits the webhook port from the API server's addresses only.`);
        });

        it("fails the webhook opened to everyone in halves, to pods, and to every source", async () => {
            await assertViolates(admissionWebhookIsolated, [ingressNginx, changed(program, (p) => (p.spec.ingress[2].from = [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }]))], `${who} admits all of IPv4 through the ipBlocks of 'ingress-nginx-controller'; admit only the API server's addresses (CVE-2025-1974).`);
            const extra = changed(program, (p) => {
                p.metadata.name = "allow-pods";
                p.spec.ingress = [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 8443 }] }, { ports: [{ protocol: "TCP", port: 8443 }] }];
            });
            await assertViolates(admissionWebhookIsolated, [ingressNginx, program, extra], [
                "NetworkPolicy 'ingress-nginx/allow-pods' rule 1 admits port 8443 from pods (namespaceSelector); the admission webhook must not be reachable from pods (CVE-2025-1974): admit only the API server's addresses.",
                `NetworkPolicy 'ingress-nginx/allow-pods' rule 2 admits port 8443 from everywhere (no from), opening the admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) to every pod and address; admit it from the API server's addresses only (CVE-2025-1974).`,
            ]);
        });

        it("passes an everyone-but-one-block source as no everyone (except carves it)", async () => {
            await assertPasses(admissionWebhookIsolated, [ingressNginx, changed(program, (p) => (p.spec.ingress[2].from = [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }]))]);
        });
    });

    describe("forwarded-headers-not-trusted-from-everyone", () => {
        const trusting = (config: Record<string, string>): ResourceArgs => changed(ingressNginx, (p) => Object.assign(p.values.controller.config, config));

        it("passes untrusted headers, and headers trusted from the load balancers only", async () => {
            await assertPasses(forwardedHeadersNotTrusted, [ingressNginx, istiod, trusting({ "use-forwarded-headers": "true", "proxy-real-ip-cidr": "10.0.0.0/16" })]);
        });

        it("fails forwarded headers trusted from the default 0.0.0.0/0 and from two halves", async () => {
            await assertViolates(
                forwardedHeadersNotTrusted,
                trusting({ "use-forwarded-headers": "true" }),
                "Helm release 'ingress-nginx' (chart ingress-nginx) trusts forwarded headers (use-forwarded-headers) from everyone: proxy-real-ip-cidr (default 0.0.0.0/0): 0.0.0.0/0 covers all of IPv4; clients would choose the address allowlists and rate limits see. Set proxy-real-ip-cidr to the load balancers' addresses, or leave the headers untrusted (the NLB keeps the client's address).",
            );
            await assertViolates(
                forwardedHeadersNotTrusted,
                trusting({ "enable-real-ip": "true", "forwarded-for-header": "X-Real-Client", "proxy-real-ip-cidr": "0.0.0.0/1,128.0.0.0/1" }),
                "Helm release 'ingress-nginx' (chart ingress-nginx) trusts forwarded headers (enable-real-ip, X-Real-Client) from everyone: proxy-real-ip-cidr '0.0.0.0/1,128.0.0.0/1': 0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4; clients would choose the address allowlists and rate limits see. Set proxy-real-ip-cidr to the load balancers' addresses, or leave the headers untrusted (the NLB keeps the client's address).",
            );
        });

        it("fails trusted X-Forwarded-For hops on Istio: meshConfig, a Gateway, an EnvoyFilter", async () => {
            await assertViolates(forwardedHeadersNotTrusted, changed(istiod, (p) => (p.values.meshConfig = { defaultConfig: { gatewayTopology: { numTrustedProxies: 1 } } })), "Helm release 'istiod' (chart istiod) sets meshConfig.defaultConfig.gatewayTopology.numTrustedProxies 1: every gateway trusts X-Forwarded-For from every client (Istio has no list of trusted sources), so clients choose the address allowlists see; remove it (the load balancer keeps the client's address).");
            const gw = bareGatewayProps();
            await assertPasses(forwardedHeadersNotTrusted, { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", props: gw });
            gw.spec.infrastructure.annotations["proxy.istio.io/config"] = '{"gatewayTopology":{"numTrustedProxies":2}}';
            await assertViolates(forwardedHeadersNotTrusted, { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", props: gw }, "Gateway 'istio-ingress/edge' sets numTrustedProxies 2 in proxy.istio.io/config: its pods trust X-Forwarded-For from every client, so clients choose the address allowlists see; remove it.");
            const filter = { metadata: { name: "xff", namespace: "istio-ingress" }, spec: { configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "MERGE", value: { typed_config: { xff_num_trusted_hops: 1 } } } }] } };
            await assertViolates(forwardedHeadersNotTrusted, { type: "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter", props: filter }, "EnvoyFilter 'istio-ingress/xff' sets xff_num_trusted_hops 1: Envoy trusts X-Forwarded-For from every client; remove it.");
        });
    });

    describe("edge-keeps-client-address", () => {
        const service = (annotations: Record<string, string>): ResourceArgs => ({ type: "kubernetes:core/v1:Service", name: "edge-service", props: loadBalancerServiceObject({ namespace: "ingress-nginx", loadBalancer: "aws-nlb", serviceAnnotations: annotations }) });
        const gateway = (annotations: Record<string, string>): ResourceArgs => ({
            type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            name: "gateway",
            props: bareGatewayProps(annotations),
        });

        it("passes the program's Service and Gateway, with and without proxy protocol", async () => {
            await assertPasses(edgeKeepsClientAddress, [service({}), gateway({}), gateway({ "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*" })]);
        });

        it("fails client IP preservation switched off, and pod-level annotations on the Gateway", async () => {
            const off = { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=false" };
            await assertViolates(edgeKeepsClientAddress, service(off), "LoadBalancer Service 'ingress-nginx-controller' has NLB IP targets without preserve_client_ip.enabled=true in metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']: the edge would see the NLB's private addresses, and an allowlist of private ranges would admit everyone; keep preserve_client_ip.enabled=true (or use proxy protocol).");
            await assertViolates(edgeKeepsClientAddress, gateway({ "sidecar.istio.io/proxyCPU": "10m", "proxy.istio.io/config": '{"gatewayTopology":{"numTrustedProxies":5}}' }), [
                "Gateway 'istio-ingress/edge' sets proxy.istio.io/config in spec.infrastructure.annotations, which istiod copies onto the gateway's pods; only Service and load balancer annotations belong there (proxy and sidecar settings change what the gateway trusts).",
                "Gateway 'istio-ingress/edge' sets sidecar.istio.io/proxyCPU in spec.infrastructure.annotations, which istiod copies onto the gateway's pods; only Service and load balancer annotations belong there (proxy and sidecar settings change what the gateway trusts).",
            ]);
        });

        it("predicts a chart's web Service from its values: ingress-nginx's controller Service, a gateway chart's default ports, never a network gateway's", async () => {
            const attributesKey = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
            const withoutAttributes = changed(ingressNginx, (p) => delete p.values.controller.service.annotations[attributesKey]);
            await assertViolates(edgeKeepsClientAddress, withoutAttributes, `Helm release 'ingress-nginx' (chart ingress-nginx) renders LoadBalancer Service ingress-nginx-controller with NLB IP targets without preserve_client_ip.enabled=true in controller.service.annotations['${attributesKey}']: the edge would see the NLB's private addresses; keep preserve_client_ip.enabled=true (or use proxy protocol).`);
            const proxyProtocol = changed(withoutAttributes, (p) => (p.values.controller.service.annotations["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"] = "*"));
            const chartServiceOff = changed(withoutAttributes, (p) => (p.values.controller.service.enabled = false));
            const ipTargets = { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" };
            const gatewayChart = (values: Record<string, unknown>): ResourceArgs => ({ type: T.release, name: "edge-gateway", props: { chart: "gateway", name: "edge-gateway", namespace: "edge", values } });
            const networkGateway = gatewayChart({ networkGateway: "network1", service: { annotations: ipTargets } });
            const internalPorts = gatewayChart({ service: { annotations: ipTargets, ports: [{ name: "grpc", port: 9090 }] } });
            await assertPasses(edgeKeepsClientAddress, [ingressNginx, proxyProtocol, chartServiceOff, networkGateway, internalPorts]);
            await assertViolates(edgeKeepsClientAddress, gatewayChart({ service: { annotations: ipTargets } }), `Helm release 'edge-gateway' (chart gateway) renders LoadBalancer Service edge-gateway with NLB IP targets without preserve_client_ip.enabled=true in service.annotations['${attributesKey}']: the edge would see the NLB's private addresses; keep preserve_client_ip.enabled=true (or use proxy protocol).`);
        });
    });
});
