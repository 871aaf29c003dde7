import { loadBalancerServiceObject } from "../../components/edge/ingress-controller";
import { admissionWebhookIsolated, edgeKeepsClientAddress, forwardedHeadersNotTrusted, hstsOnlyFromController } from "../../policy/edge-security";
import { bareGatewayProps, changed, edgeNetworkPolicy, ingressNginx, istiod, portalIngress } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edge's security rules at their boundaries: trusted proxy hops at 0 and 1, the
 * forwarded-header switches in every spelling the program may meet, the load balancer's
 * client address by proxy protocol or by each preserve_client_ip value, and the admission
 * webhook port at each edge of a NetworkPolicy port range.
 */

const who = "Helm release 'ingress-nginx' (chart ingress-nginx)";
/** The ingress-nginx release with these keys merged into controller.config. */
const configured = (config: Record<string, unknown>): ResourceArgs => changed(ingressNginx, (p) => Object.assign(p.values.controller.config, config));
const gateway = (props: unknown): ResourceArgs => ({ type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "gateway", props: props as Record<string, unknown> });

describe("forwarded-headers-not-trusted-from-everyone at its boundaries", () => {
    const fromEveryone = (trusting: string, cidr: string, open: string): string =>
        `${who} trusts forwarded headers (${trusting}) from everyone: proxy-real-ip-cidr ${cidr}: ${open}; clients would choose the address allowlists and rate limits see. Set proxy-real-ip-cidr to the load balancers' addresses, or leave the headers untrusted (the NLB keeps the client's address).`;
    const everyoneByDefault = (trusting: string): string => fromEveryone(trusting, "(default 0.0.0.0/0)", "0.0.0.0/0 covers all of IPv4");

    it("fails each switch alone and both together, as a string or a YAML true", async () => {
        await assertViolates(forwardedHeadersNotTrusted, configured({ "enable-real-ip": "true" }), everyoneByDefault("enable-real-ip"));
        await assertViolates(forwardedHeadersNotTrusted, configured({ "use-forwarded-headers": true }), everyoneByDefault("use-forwarded-headers"));
        await assertViolates(forwardedHeadersNotTrusted, configured({ "use-forwarded-headers": "true", "enable-real-ip": true }), everyoneByDefault("use-forwarded-headers and enable-real-ip"));
    });

    it("passes both switches off, as a string or a YAML false, even with the default everyone", async () => {
        await assertPasses(forwardedHeadersNotTrusted, [configured({ "use-forwarded-headers": "false", "enable-real-ip": false })]);
    });

    // A switch on however ingress-nginx spells true (policy/booleans.ts configMapBool).
    // ingress-nginx decodes its ConfigMap with mapstructure WeaklyTypedInput (internal/ingress/controller/template/configmap.go,
    // controller-v1.15.1): a string bool goes through strconv.ParseBool, so "1", "t", "T", "True" and "TRUE" switch
    // use-forwarded-headers (config.go: UseForwardedHeaders bool) on, and the chart quotes a value of 1 as "1".
    it("fails a switch turned on however ingress-nginx spells true (1, t, T, True, TRUE)", async () => {
        for (const value of ["1", "t", "T", "True", "TRUE", 1]) {
            await assertViolates(forwardedHeadersNotTrusted, configured({ "use-forwarded-headers": value }), everyoneByDefault("use-forwarded-headers"));
        }
    });

    it("passes half of IPv4 as the trusted range, fails all of IPv6, and names the forwarded-for header when it is set", async () => {
        await assertPasses(forwardedHeadersNotTrusted, configured({ "use-forwarded-headers": "true", "proxy-real-ip-cidr": "0.0.0.0/1" }));
        await assertViolates(forwardedHeadersNotTrusted, configured({ "use-forwarded-headers": "true", "proxy-real-ip-cidr": "::/0" }), fromEveryone("use-forwarded-headers", "'::/0'", "::/0 covers all of IPv4 and IPv6"));
        await assertViolates(
            forwardedHeadersNotTrusted,
            configured({ "enable-real-ip": "true", "forwarded-for-header": "X-Client-IP", "proxy-real-ip-cidr": "10.0.0.0/8,0.0.0.0/0" }),
            fromEveryone("enable-real-ip, X-Client-IP", "'10.0.0.0/8,0.0.0.0/0'", "10.0.0.0/8 + 0.0.0.0/0 cover all of IPv4"),
        );
    });

    it("passes numTrustedProxies 0 and fails 1, in meshConfig, a Gateway's proxy config as JSON or YAML, the largest of several", async () => {
        const mesh = (n: number): ResourceArgs => changed(istiod, (p) => (p.values.meshConfig = { defaultConfig: { gatewayTopology: { numTrustedProxies: n } } }));
        const onGateway = (config: string): ResourceArgs => {
            const props = bareGatewayProps();
            props.spec.infrastructure.annotations["proxy.istio.io/config"] = config;
            return gateway(props);
        };
        await assertPasses(forwardedHeadersNotTrusted, [mesh(0), onGateway('{"gatewayTopology":{"numTrustedProxies":0}}'), onGateway("gatewayTopology:\n  numTrustedProxies: 0\n")]);
        await assertViolates(
            forwardedHeadersNotTrusted,
            mesh(1),
            "Helm release 'istiod' (chart istiod) sets meshConfig.defaultConfig.gatewayTopology.numTrustedProxies 1: every gateway trusts X-Forwarded-For from every client (Istio has no list of trusted sources), so clients choose the address allowlists see; remove it (the load balancer keeps the client's address).",
        );
        const gatewayOne = "Gateway 'istio-ingress/edge' sets numTrustedProxies 1 in proxy.istio.io/config: its pods trust X-Forwarded-For from every client, so clients choose the address allowlists see; remove it.";
        await assertViolates(forwardedHeadersNotTrusted, onGateway("gatewayTopology:\n  numTrustedProxies: 1\n"), gatewayOne);
        await assertViolates(forwardedHeadersNotTrusted, onGateway('{"gatewayTopology":{"numTrustedProxies":"1"}}'), gatewayOne);
        await assertViolates(forwardedHeadersNotTrusted, onGateway("numTrustedProxies: 0\n---\nnumTrustedProxies: 1\n---\nnumTrustedProxies: 0\n"), gatewayOne);
    });

    it("passes xff_num_trusted_hops 0 and fails the largest of several, however deep", async () => {
        const filter = (hops: number[]): ResourceArgs => ({
            type: "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter",
            name: "xff",
            props: {
                metadata: { name: "xff", namespace: "istio-ingress" },
                spec: { configPatches: hops.map((h) => ({ applyTo: "NETWORK_FILTER", patch: { operation: "MERGE", value: { typed_config: { http_connection_manager: { xff_num_trusted_hops: h } } } } })) },
            },
        });
        await assertPasses(forwardedHeadersNotTrusted, filter([0, 0]));
        await assertViolates(forwardedHeadersNotTrusted, filter([0, 2, 1]), "EnvoyFilter 'istio-ingress/xff' sets xff_num_trusted_hops 2: Envoy trusts X-Forwarded-For from every client; remove it.");
    });
});

describe("edge-keeps-client-address on every proxy protocol and preserve_client_ip value", () => {
    const targetType = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
    const attributesKey = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
    const proxyProtocolKey = "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol";
    const service = (annotations: Record<string, string | undefined>, ports: number[] = [80, 443], type = "LoadBalancer"): ResourceArgs => {
        const props: any = loadBalancerServiceObject({ namespace: "ingress-nginx", loadBalancer: "aws-nlb", serviceAnnotations: {} });
        for (const [k, v] of Object.entries(annotations)) {
            if (v === undefined) delete props.metadata.annotations[k];
            else props.metadata.annotations[k] = v;
        }
        props.spec.type = type;
        props.spec.ports = ports.map((port) => ({ port, protocol: "TCP" }));
        return { type: "kubernetes:core/v1:Service", name: "edge-service", props };
    };
    const loses = `LoadBalancer Service 'ingress-nginx-controller' has NLB IP targets without preserve_client_ip.enabled=true in metadata.annotations['${attributesKey}']: the edge would see the NLB's private addresses, and an allowlist of private ranges would admit everyone; keep preserve_client_ip.enabled=true (or use proxy protocol).`;

    it("passes IP targets with preserve_client_ip.enabled=true, among other attributes", async () => {
        await assertPasses(edgeKeepsClientAddress, [service({}), service({ [attributesKey]: "deregistration_delay.timeout_seconds=30, preserve_client_ip.enabled=true" })]);
    });

    it("fails IP targets whose attributes leave preserve_client_ip out, or that have no attributes", async () => {
        await assertViolates(edgeKeepsClientAddress, service({ [attributesKey]: "deregistration_delay.timeout_seconds=30" }), loses);
        await assertViolates(edgeKeepsClientAddress, service({ [attributesKey]: undefined }), loses);
    });

    it("passes proxy protocol '*' without client IP preservation, and no other proxy-protocol value", async () => {
        await assertPasses(edgeKeepsClientAddress, service({ [attributesKey]: "preserve_client_ip.enabled=false", [proxyProtocolKey]: "*" }));
        await assertViolates(edgeKeepsClientAddress, service({ [attributesKey]: "preserve_client_ip.enabled=false", [proxyProtocolKey]: "true" }), loses);
    });

    it("passes instance targets, written or left to the default, which keep the client's address", async () => {
        await assertPasses(edgeKeepsClientAddress, [service({ [attributesKey]: undefined, [targetType]: "instance" }), service({ [attributesKey]: undefined, [targetType]: undefined })]);
    });

    it("judges a LoadBalancer serving 80 or 443 only, not another port nor another Service type", async () => {
        await assertViolates(edgeKeepsClientAddress, service({ [attributesKey]: undefined }, [443]), loses);
        await assertViolates(edgeKeepsClientAddress, service({ [attributesKey]: undefined }, [80]), loses);
        await assertPasses(edgeKeepsClientAddress, [service({ [attributesKey]: undefined }, [8443]), service({ [attributesKey]: undefined }, [443], "ClusterIP")]);
    });

    it("allows the proxy protocol switch on a Gateway however its JSON is spaced, and nothing beside it", async () => {
        const key = "proxy.istio.io/config";
        const withConfig = (config: string): ResourceArgs => {
            const props = bareGatewayProps({ [proxyProtocolKey]: "*" });
            props.spec.infrastructure.annotations[key] = config;
            return gateway(props);
        };
        await assertPasses(edgeKeepsClientAddress, [withConfig('{"gatewayTopology":{"proxyProtocol":{}}}'), withConfig('{ "gatewayTopology": { "proxyProtocol": {} } }')]);
        await assertViolates(
            edgeKeepsClientAddress,
            withConfig('{"gatewayTopology":{"proxyProtocol":{},"numTrustedProxies":0}}'),
            `Gateway 'istio-ingress/edge' sets ${key} in spec.infrastructure.annotations, which istiod copies onto the gateway's pods; only Service and load balancer annotations belong there (proxy and sidecar settings change what the gateway trusts).`,
        );
    });
});

describe("admission-webhook-isolated at the webhook port's boundaries", () => {
    const openedBy = (rule: number, port = 8443): string =>
        `NetworkPolicy 'ingress-nginx/ingress-nginx-controller' rule ${rule} admits port ${port} from everywhere (no from), opening the admission webhook (port ${port}) of Helm release 'ingress-nginx' (chart ingress-nginx) to every pod and address; admit it from the API server's addresses only (CVE-2025-1974).`;
    /** The fixture's NetworkPolicy with its first rule (no from) on these ports. */
    const firstRuleOn = (ports: Record<string, unknown>[] | undefined): ResourceArgs =>
        changed(edgeNetworkPolicy, (p) => (ports === undefined ? delete p.spec.ingress[0].ports : (p.spec.ingress[0].ports = ports)));
    const unselected = "The admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) is reachable from every pod and address: no NetworkPolicy in ingress-nginx selects the controller pods (CVE-2025-1974); add one that admits the webhook port from the API server's addresses only.";

    it("admits the webhook port when a rule names it, exactly or by its name 'webhook'", async () => {
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: 8443 }])], openedBy(1));
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: "webhook" }])], openedBy(1));
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP" }])], openedBy(1));
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn(undefined)], openedBy(1));
        await assertPasses(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: 8444 }, { protocol: "TCP", port: 8442 }, { protocol: "TCP", port: "https" }])]);
    });

    it("admits the webhook port at either end of a port range, and not one past it", async () => {
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: 443, endPort: 8443 }])], openedBy(1));
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: 8443, endPort: 9000 }])], openedBy(1));
        await assertViolates(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: 8443, endPort: 8443 }])], openedBy(1));
        await assertPasses(admissionWebhookIsolated, [ingressNginx, firstRuleOn([{ protocol: "TCP", port: 443, endPort: 8442 }, { protocol: "TCP", port: 8444, endPort: 9000 }])]);
    });

    it("moves the boundary with a configured webhook port", async () => {
        const release = changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.port = 9443));
        await assertPasses(admissionWebhookIsolated, [release, firstRuleOn([{ protocol: "TCP", port: 8443 }, { protocol: "TCP", port: 9442 }, { protocol: "TCP", port: 9444 }])]);
        await assertViolates(admissionWebhookIsolated, [release, firstRuleOn([{ protocol: "TCP", port: 9443 }])], openedBy(1, 9443));
    });

    it("skips a webhook disabled with a YAML false", async () => {
        await assertPasses(admissionWebhookIsolated, [changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.enabled = false))]);
    });

    // The chart renders the webhook under `{{- if .Values.controller.admissionWebhooks.enabled }}`
    // (charts/ingress-nginx/templates/admission-webhooks/validating-webhook.yaml:1 and controller-deployment.yaml, chart 4.15.1),
    // and a Go template `if` is true for any non-empty string: "false" still deploys the webhook, so it is checked.
    it("checks a webhook whose enabled is the string \"false\" (the chart deploys it)", async () => {
        await assertViolates(admissionWebhookIsolated, [changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.enabled = "false"))], unselected);
    });

    it("counts a NetworkPolicy for Ingress, Ingress and Egress, or no policyTypes; not for Egress alone", async () => {
        for (const types of [["Ingress"], ["Ingress", "Egress"], undefined]) {
            await assertViolates(
                admissionWebhookIsolated,
                [ingressNginx, changed(firstRuleOn([{ protocol: "TCP", port: 8443 }]), (p) => (types === undefined ? delete p.spec.policyTypes : (p.spec.policyTypes = types)))],
                openedBy(1),
            );
        }
        await assertViolates(admissionWebhookIsolated, [ingressNginx, changed(edgeNetworkPolicy, (p) => (p.spec.policyTypes = ["Egress"]))], unselected);
    });

    it("counts a NetworkPolicy selecting every pod, and not one selecting other pods or in another namespace", async () => {
        await assertViolates(admissionWebhookIsolated, [ingressNginx, changed(firstRuleOn([{ protocol: "TCP", port: 8443 }]), (p) => (p.spec.podSelector = {}))], openedBy(1));
        await assertViolates(admissionWebhookIsolated, [ingressNginx, changed(edgeNetworkPolicy, (p) => (p.spec.podSelector = { matchLabels: { "app.kubernetes.io/component": "admission" } }))], unselected);
        await assertViolates(admissionWebhookIsolated, [ingressNginx, changed(edgeNetworkPolicy, (p) => (p.metadata.namespace = "edge"))], unselected);
    });

    it("fails a podSelector peer as well as a namespaceSelector one", async () => {
        await assertViolates(
            admissionWebhookIsolated,
            [ingressNginx, changed(edgeNetworkPolicy, (p) => (p.spec.ingress[1].from = [{ podSelector: {} }]))],
            "NetworkPolicy 'ingress-nginx/ingress-nginx-controller' rule 2 admits port 8443 from pods (podSelector); the admission webhook must not be reachable from pods (CVE-2025-1974): admit only the API server's addresses.",
        );
    });
});

describe("hsts-only-from-controller on every spelling of the header", () => {
    const headers = (data: Record<string, string>): ResourceArgs => ({ type: "kubernetes:core/v1:ConfigMap", name: "portal-headers", props: { metadata: { name: "portal", namespace: "edge" }, data } });

    it("finds the header in any case, through a ConfigMap named with or without its namespace", async () => {
        for (const ref of ["portal", "edge/portal"]) {
            await assertViolates(
                hstsOnlyFromController,
                [changed(portalIngress, (p) => (p.metadata.annotations["nginx.ingress.kubernetes.io/custom-headers"] = ref)), headers({ "strict-transport-security": "max-age=0" })],
                "Ingress 'edge/portal' sets strict-transport-security through ConfigMap 'edge/portal'; HSTS comes only from the controller's settings (hsts, hsts-max-age, hsts-include-subdomains), the same on every path: remove the header.",
            );
        }
        await assertPasses(hstsOnlyFromController, [changed(portalIngress, (p) => (p.metadata.annotations["nginx.ingress.kubernetes.io/custom-headers"] = "other/portal")), headers({ "Strict-Transport-Security": "max-age=0" })]);
    });

    it("finds the header among the allowed response headers with spaces and in any case", async () => {
        await assertViolates(
            hstsOnlyFromController,
            configured({ "global-allowed-response-headers": "X-Frame-Options, strict-transport-security " }),
            `${who} lists Strict-Transport-Security in controller.config.global-allowed-response-headers, so Ingresses may override HSTS; remove it (HSTS comes from hsts* in controller.config).`,
        );
    });
});
