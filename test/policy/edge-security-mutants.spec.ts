import { allowlistPolicyObject, httpRouteObject } from "../../components/edge/gateway-api-objects";
import { loadBalancerServiceObject } from "../../components/edge/ingress-controller";
import { ingressObject } from "../../components/edge/routes";
import { admissionWebhookIsolated, edgeKeepsClientAddress, forwardedHeadersNotTrusted, hstsOnlyFromController, pathsInheritAllowlist, publicPathAnnotation, routesAvoidControlPlane } from "../../policy/edge-security";
import { bareGatewayProps, changed, edgeNetworkPolicy, ingressNginx, secureHostGroups, T } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edge's security rules on what the other specs leave out: which AuthorizationPolicies and
 * rules keep a host's allowlist on the Gateway API edge (action, conditions, sources, targets,
 * hosts with and without a port, path patterns, trailing slashes, several parent Gateways), the
 * allowlists that make a host allowlisted on the NGINX edge, the add-headers ConfigMap, the
 * control plane's namespaces from configuration and from the edge's Gateways, and the edge
 * Service's ports.
 */

const host = "secure.example.com";
const groups = secureHostGroups;
const httpRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const authzType = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const ingress = (i: number): ResourceArgs => ({ type: T.ingress, name: groups[i]!.name, props: ingressObject(groups[i]!, { wafMode: "off", acmeEnvironment: "staging" }) });
const route = (i: number): ResourceArgs => ({ type: httpRouteType, name: groups[i]!.name, props: httpRouteObject(groups[i]!, { gatewayNamespace: "istio-ingress", hsts: "max-age=31536000" }) });
/** The /upload route with its one match replaced. */
const uploadRoute = (type: string, value: string): ResourceArgs => changed(route(1), (p) => (p.spec.rules[0].matches = [{ path: { type, value } }]));

/** The program's DENY policy without its /upload rule: the host stays allowlisted, /upload is exempt (notPaths). */
const exemptingUpload = (): ResourceArgs =>
    changed({ type: authzType, name: "allowlist", props: allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" }) as unknown as Record<string, unknown> }, (p) => {
        p.spec.rules = [p.spec.rules[0]];
    });
const outsiders = { from: [{ source: { notIpBlocks: ["10.0.0.0/8"] } }] };
const uploadOperation = { hosts: [host, `${host}:*`], paths: ["/upload", "/upload/*"] };
/** A second AuthorizationPolicy of the edge Gateway, DENY unless `spec` says otherwise. */
const second = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): ResourceArgs => ({
    type: authzType,
    name: "second",
    props: { metadata: { name: "second", namespace: "istio-ingress", ...metadata }, spec: { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge" }], action: "DENY", ...spec } },
});
/** A second DENY policy with one rule: outsiders to /upload, with these fields changed. */
const uploadRule = (rule: Record<string, unknown> = {}): ResourceArgs => second({ rules: [{ ...outsiders, to: [{ operation: uploadOperation }], ...rule }] });
const opensAt = (name: string, served: string): string =>
    `HTTPRoute 'secure/${name}' serves ${served} of an allowlisted host, but no DENY rule of the Gateway's AuthorizationPolicies refuses outsiders there (a notPaths entry or a missing rule exempts it); keep the host's allowlist on the path, or declare it public (public: true, annotation ${publicPathAnnotation}: "true").`;
const uploadOpen = opensAt("secure-example-com-upload", `${host}/upload`);

describe("paths-inherit-allowlist: which DENY rules keep a host's allowlist (Gateway API edge)", () => {
    it("fails /upload exempted by notPaths, and passes it covered by a second DENY policy's rule", async () => {
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), route(1)], uploadOpen);
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule(), route(1)]);
    });

    it("counts no ALLOW, AUDIT or action-less policy as a DENY rule", async () => {
        for (const action of ["ALLOW", "AUDIT", undefined]) {
            const policy = changed(uploadRule(), (p) => (action === undefined ? delete p.spec.action : (p.spec.action = action)));
            await assertViolates(pathsInheritAllowlist, [exemptingUpload(), policy, route(1)], uploadOpen);
        }
    });

    it("counts no rule with conditions, refusing listed addresses only, or refusing nobody", async () => {
        for (const rule of [
            { when: [{ key: "request.headers[x-debug]", values: ["1"] }] },
            { from: [{ source: { ipBlocks: ["192.0.2.0/24"] } }] },
            { from: [{ source: { notIpBlocks: ["0.0.0.0/0", "::/0"] } }] },
            { from: [{ source: { namespaces: ["edge"] } }] },
        ]) {
            await assertViolates(pathsInheritAllowlist, [exemptingUpload(), uploadRule(rule), route(1)], uploadOpen);
        }
    });

    it("counts a rule refusing outsiders by notRemoteIpBlocks, by several blocks, or beside another source", async () => {
        for (const from of [
            [{ source: { notRemoteIpBlocks: ["10.0.0.0/8"] } }],
            [{ source: { notIpBlocks: ["10.0.0.0/8", "192.168.0.0/16"] } }],
            [{ source: { notIpBlocks: ["10.0.0.0/8"] } }, { source: { ipBlocks: ["192.0.2.0/24"] } }],
        ]) {
            await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ from }), route(1)]);
        }
    });

    it("applies a policy to the Gateways it targets, or to every Gateway of its namespace without targetRefs", async () => {
        const edge = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge" };
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), changed(uploadRule(), (p) => delete p.spec.targetRefs), route(1)]);
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), changed(uploadRule(), (p) => (p.spec.targetRefs = [{ kind: "Service", name: "api" }, edge])), route(1)]);
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), changed(uploadRule(), (p) => (p.spec.targetRefs = [{ ...edge, name: "internal" }])), route(1)], uploadOpen);
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), changed(uploadRule(), (p) => (p.metadata.namespace = "istio-system")), route(1)], uploadOpen);
    });

    // istio/api security/v1/authorization_policy.proto, targetRefs: the policy applies to the
    // targeted resources only (selector ignored); a Service target binds to its waypoint, not to a Gateway.
    it("does not apply a policy that targets a Service (a waypoint's), even one named like the Gateway", async () => {
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), changed(uploadRule(), (p) => (p.spec.targetRefs = [{ group: "", kind: "Service", name: "edge" }])), route(1)], uploadOpen);
    });

    it("covers every host and path with a rule without `to`, and through any of several operations", async () => {
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), second({ rules: [outsiders] }), route(1)]);
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { paths: ["/other"] } }, { operation: uploadOperation }] }), route(1)]);
    });

    it("covers the host by no hosts, a list that names it among others, or a suffix, and not by another host's rule", async () => {
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { paths: ["/upload", "/upload/*"] } }] }), route(1)]);
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { ...uploadOperation, hosts: ["other.example.com", host, `${host}:*`] } }] }), route(1)]);
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { ...uploadOperation, hosts: ["*.example.com", `${host}:*`] } }] }), route(1)]);
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { ...uploadOperation, hosts: ["*"] } }] }), route(1)]);
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { ...uploadOperation, hosts: ["other.example.com", "other.example.com:*"] } }] }), route(1)], uploadOpen);
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { paths: ["/upload", "/upload/*"], notHosts: [host] } }] }), route(1)], uploadOpen);
    });

    // Istio's gateways route `host` and `host:*` alike, while an AuthorizationPolicy's hosts match the
    // :authority exactly, port included (pilot/pkg/security/authz/matcher/header.go HostMatcher;
    // Red Hat OpenShift Service Mesh, "Required update for authorization policies"): a DENY rule
    // for the bare host alone lets `Host: secure.example.com:443` through, and one for `host:443` lets the bare host through.
    it("fails a rule that covers the host without a port only, or with one port only", async () => {
        for (const hosts of [[host], [`${host}:443`], [host, `${host}:443`]]) {
            await assertViolates(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { ...uploadOperation, hosts } }] }), route(1)], uploadOpen);
        }
    });

    it("finds the allowlisted host in a rule that names it only with a port, and judges its routes", async () => {
        for (const hosts of [[`${host}:*`], [`${host}:443`]]) {
            const policy = changed(exemptingUpload(), (p) => (p.spec.rules[0].to[0].operation.hosts = hosts));
            await assertViolates(pathsInheritAllowlist, [policy, route(1)], uploadOpen);
        }
    });

    it("covers the host by a rule without paths, and exempts by an exact notPaths entry only that path", async () => {
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule({ to: [{ operation: { hosts: uploadOperation.hosts } }] }), route(1)]);
        const exactExemption = changed(exemptingUpload(), (p) => (p.spec.rules[0].to[0].operation.notPaths = ["/upload"]));
        await assertPasses(pathsInheritAllowlist, [exactExemption, uploadRoute("Exact", "/uploads"), uploadRoute("Exact", "/reupload")]);
        await assertViolates(pathsInheritAllowlist, [exactExemption, uploadRoute("Exact", "/upload")], uploadOpen);
    });

    it("judges an Exact match by its path alone, a PathPrefix also by what lies beneath", async () => {
        const exactOnly = uploadRule({ to: [{ operation: { ...uploadOperation, paths: ["/upload"] } }] });
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), exactOnly, uploadRoute("Exact", "/upload")]);
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), exactOnly, uploadRoute("PathPrefix", "/upload")], uploadOpen);
    });

    // Gateway API PathPrefix: "a trailing `/` is ignored"; Istio trims it (pilot/pkg/config/kube/gateway/conversion.go
    // createURIMatch), so PathPrefix /upload/ serves /upload, which a rule for /upload/* alone does not refuse.
    it("judges a PathPrefix with a trailing slash also by the path without it", async () => {
        const beneath = uploadRule({ to: [{ operation: { ...uploadOperation, paths: ["/upload/*"] } }] });
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), beneath, uploadRoute("PathPrefix", "/upload/")], opensAt("secure-example-com-upload", `${host}/upload/`));
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), uploadRule(), uploadRoute("PathPrefix", "/upload/")]);
    });

    it("judges a rule without a path match as every path, and skips a rule without backends", async () => {
        const onlyUpload = uploadRule();
        const anyPath = changed(route(0), (p) => delete p.spec.rules[0].matches);
        await assertViolates(pathsInheritAllowlist, [onlyUpload, anyPath], opensAt("secure-example-com", `${host}/`));
        await assertPasses(pathsInheritAllowlist, [exemptingUpload(), changed(route(0), (p) => (p.spec.rules[0].matches = [{ headers: [{ name: "x-tenant", value: "a" }] }]))]);
        const redirect = changed(route(0), (p) => {
            delete p.spec.rules[0].backendRefs;
            p.spec.rules[0].filters = [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplaceFullPath", replaceFullPath: "/upload" } } }];
        });
        await assertPasses(pathsInheritAllowlist, [onlyUpload, redirect]);
    });

    it("judges a route on its allowlisted hosts only, and on each of its parent Gateways", async () => {
        await assertViolates(pathsInheritAllowlist, [exemptingUpload(), changed(route(1), (p) => p.spec.hostnames.push("open.example.com"))], uploadOpen);
        const full = changed(exemptingUpload(), (p) => p.spec.rules.push({ ...outsiders, to: [{ operation: uploadOperation }] }));
        await assertPasses(pathsInheritAllowlist, [full, route(1)]);
        await assertViolates(pathsInheritAllowlist, [full, changed(route(1), (p) => p.spec.parentRefs.push({ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "istio-ingress", name: "internal" }))], uploadOpen);
    });
});

describe("paths-inherit-allowlist: which allowlists make a host allowlisted (NGINX edge)", () => {
    const allowlistKey = "nginx.ingress.kubernetes.io/allowlist-source-range";
    const withAllowlist = (r: ResourceArgs, value: string): ResourceArgs => changed(r, (p) => (p.metadata.annotations[allowlistKey] = value));
    const notPublic = (r: ResourceArgs): ResourceArgs => changed(r, (p) => delete p.metadata.annotations[publicPathAnnotation]);
    const without = (hosts: string): string =>
        `Ingress 'secure/secure-example-com-public' serves ${hosts} without the allowlist another Ingress of ${hosts.includes(" and ") ? "these hosts" : "that host"} has; keep the host's allowlist on every path, or declare the path public (public: true, annotation ${publicPathAnnotation}: "true").`;

    it("counts the legacy whitelist-source-range annotation", async () => {
        const legacy = changed(ingress(0), (p) => {
            p.metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"] = p.metadata.annotations[allowlistKey];
            delete p.metadata.annotations[allowlistKey];
        });
        await assertViolates(pathsInheritAllowlist, [legacy, notPublic(ingress(2))], without(host));
    });

    it("counts no allowlist that admits everyone or that names no address", async () => {
        for (const value of ["0.0.0.0/0,::/0", "everyone"]) {
            await assertPasses(pathsInheritAllowlist, [withAllowlist(ingress(0), value), notPublic(ingress(2))]);
            await assertViolates(pathsInheritAllowlist, [ingress(0), withAllowlist(notPublic(ingress(2)), value)], without(host));
        }
    });

    it("names every allowlisted host the Ingress serves", async () => {
        const twoHosts = (r: ResourceArgs): ResourceArgs => changed(r, (p) => p.spec.rules.push({ ...p.spec.rules[0], host: "admin.example.com" }));
        await assertViolates(pathsInheritAllowlist, [twoHosts(ingress(0)), twoHosts(notPublic(ingress(2)))], without(`${host} and admin.example.com`));
    });
});

describe("hsts-only-from-controller: the controller's add-headers ConfigMap", () => {
    const headers = (type: string, data: Record<string, string>): ResourceArgs => ({ type, name: "custom-headers", props: { metadata: { name: "custom-headers", namespace: "ingress-nginx" }, data } });
    const addHeaders = changed(ingressNginx, (p) => (p.values.controller.config["add-headers"] = "ingress-nginx/custom-headers"));

    it("fails HSTS in the add-headers ConfigMap, and reads neither a Secret of that name nor another chart's values", async () => {
        await assertViolates(
            hstsOnlyFromController,
            [addHeaders, headers("kubernetes:core/v1:ConfigMap", { "X-Frame-Options": "DENY", "Strict-Transport-Security": "max-age=0" })],
            "Helm release 'ingress-nginx' (chart ingress-nginx) controller.config.add-headers sets Strict-Transport-Security through ConfigMap 'ingress-nginx/custom-headers'; HSTS comes only from the controller's settings (hsts, hsts-max-age, hsts-include-subdomains), the same on every path: remove the header.",
        );
        const otherChart: ResourceArgs = { type: T.release, name: "podinfo", props: { chart: "podinfo", namespace: "shop", values: { controller: { config: { "global-allowed-response-headers": "Strict-Transport-Security" } } } } };
        await assertPasses(hstsOnlyFromController, [addHeaders, headers("kubernetes:core/v1:Secret", { "Strict-Transport-Security": "bWF4LWFnZT0w" }), otherChart]);
    });
});

describe("routes-avoid-control-plane: the protected namespaces", () => {
    const routeTo = (namespace: string, backends: Record<string, unknown>[]): ResourceArgs => ({
        type: httpRouteType,
        name: `r-${namespace}`,
        props: { metadata: { name: "r", namespace }, spec: { hostnames: ["x.example.com"], rules: [{ backendRefs: backends }] } },
    });
    const blame = (who: string, target: string, reason: string): string =>
        `${who} routes to ${target}, in ${reason}; a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow '${target}' in allowedBackends).`;

    it("names a configured namespace the pack has no reason for as a namespace of the control plane", async () => {
        await assertViolates(routesAvoidControlPlane, routeTo("shop", [{ namespace: "monitoring", name: "grafana", port: 80 }]), blame("HTTPRoute 'shop/r'", "monitoring/grafana", "a namespace of the control plane"), {
            "routes-avoid-control-plane": { protectedNamespaces: ["monitoring"] },
        });
    });

    it("protects a Gateway's namespace, and not another chart's release namespace", async () => {
        const gateway: ResourceArgs = { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "edge", props: { metadata: { name: "edge", namespace: "istio-ingress" }, spec: { gatewayClassName: "istio" } } };
        const otherChart: ResourceArgs = { type: T.release, name: "podinfo", props: { chart: "podinfo", namespace: "shop", values: {} } };
        await assertPasses(routesAvoidControlPlane, [otherChart, routeTo("shop", [{ name: "podinfo", port: 80 }])]);
        await assertViolates(routesAvoidControlPlane, [gateway, routeTo("istio-ingress", [{ name: "svc", port: 80 }])], blame("HTTPRoute 'istio-ingress/r'", "istio-ingress/svc", "the edge's own namespace (its controller, admission webhook and certificates)"));
    });

    it("judges an Ingress's default backend, and a backendRef without kind once however often it is named", async () => {
        const defaultBackend: ResourceArgs = { type: T.ingress, name: "catch-all", props: { metadata: { name: "catch-all", namespace: "kube-system" }, spec: { defaultBackend: { service: { name: "dashboard", port: { number: 443 } } } } } };
        await assertViolates(routesAvoidControlPlane, defaultBackend, blame("Ingress 'kube-system/catch-all'", "kube-system/dashboard", "the Kubernetes control plane's namespace"));
        const dns = { namespace: "kube-system", name: "kube-dns", port: 53 };
        await assertViolates(routesAvoidControlPlane, routeTo("shop", [dns, { ...dns, weight: 2 }]), blame("HTTPRoute 'shop/r'", "kube-system/kube-dns", "the Kubernetes control plane's namespace"));
    });
});

describe("admission-webhook-isolated: what isolates the controller and what admits the webhook port", () => {
    const unselected = "The admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) is reachable from every pod and address: no NetworkPolicy in ingress-nginx selects the controller pods (CVE-2025-1974); add one that admits the webhook port from the API server's addresses only.";

    it("counts only a NetworkPolicy as isolating the controller, not another object in its namespace", async () => {
        await assertViolates(admissionWebhookIsolated, [ingressNginx, { type: "kubernetes:core/v1:ConfigMap", name: "cm", props: { metadata: { name: "cm", namespace: "ingress-nginx" }, data: {} } }], unselected);
    });

    it("fails a rule that lists the webhook port among others", async () => {
        await assertViolates(
            admissionWebhookIsolated,
            [ingressNginx, changed(edgeNetworkPolicy, (p) => (p.spec.ingress[0].ports = [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 8443 }]))],
            "NetworkPolicy 'ingress-nginx/ingress-nginx-controller' rule 1 admits port 8443 from everywhere (no from), opening the admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) to every pod and address; admit it from the API server's addresses only (CVE-2025-1974).",
        );
    });
});

describe("forwarded-headers-not-trusted-from-everyone: numTrustedProxies spelled in YAML", () => {
    it("reads a count of several digits with a space before the colon", async () => {
        const props = bareGatewayProps();
        props.spec.infrastructure.annotations["proxy.istio.io/config"] = "gatewayTopology:\n  numTrustedProxies : 12\n";
        await assertViolates(
            forwardedHeadersNotTrusted,
            { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "gateway", props },
            "Gateway 'istio-ingress/edge' sets numTrustedProxies 12 in proxy.istio.io/config: its pods trust X-Forwarded-For from every client, so clients choose the address allowlists see; remove it.",
        );
    });
});

describe("edge-keeps-client-address: which Services and charts are the edge", () => {
    const attributesKey = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
    const off = { [attributesKey]: "preserve_client_ip.enabled=false" };

    it("judges a LoadBalancer Service that serves 443 beside other ports, and not its annotations as a Gateway's", async () => {
        const props: any = loadBalancerServiceObject({ namespace: "ingress-nginx", loadBalancer: "aws-nlb", serviceAnnotations: { ...off, "sidecar.istio.io/inject": "false" } });
        props.spec.ports = [{ port: 15021, protocol: "TCP" }, { port: 443, protocol: "TCP" }];
        await assertViolates(
            edgeKeepsClientAddress,
            { type: "kubernetes:core/v1:Service", name: "edge-service", props },
            `LoadBalancer Service 'ingress-nginx-controller' has NLB IP targets without preserve_client_ip.enabled=true in metadata.annotations['${attributesKey}']: the edge would see the NLB's private addresses, and an allowlist of private ranges would admit everyone; keep preserve_client_ip.enabled=true (or use proxy protocol).`,
        );
    });

    it("names the Gateway's infrastructure annotations when its load balancer loses the client's address", async () => {
        const props = bareGatewayProps(off);
        await assertViolates(
            edgeKeepsClientAddress,
            { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "gateway", props },
            `Gateway 'istio-ingress/edge' has NLB IP targets without preserve_client_ip.enabled=true in spec.infrastructure.annotations['${attributesKey}']: the edge would see the NLB's private addresses, and an allowlist of private ranges would admit everyone; keep preserve_client_ip.enabled=true (or use proxy protocol).`,
        );
    });

    it("predicts no LoadBalancer from a chart whose controller Service is a NodePort, nor from a rendered chart", async () => {
        const withoutAttributes = changed(ingressNginx, (p) => delete p.values.controller.service.annotations[attributesKey]);
        await assertPasses(edgeKeepsClientAddress, [
            changed(withoutAttributes, (p) => (p.values.controller.service.type = "NodePort")),
            changed(withoutAttributes, (p) => (p.__renderedChart = { version: "4.15.1", objects: [] })),
        ]);
    });
});
