import { allowlistPolicyObject, httpRouteObject } from "../../components/edge/gateway-api-objects";
import { admissionWebhookIsolated, pathsInheritAllowlist, publicPathAnnotation, routesAvoidControlPlane } from "../../policy/edge-security";
import { bareGatewayProps, changed, edgeNetworkPolicy, ingressNginx, istiod, secureHostGroups } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * Where the edge's security rules look for what guards the edge: the ingress-nginx
 * controller in the namespace the chart really installs it in (`namespaceOverride`), and the
 * Gateway API edge's allowlist only in AuthorizationPolicies istiod attaches to the gateway's
 * pods (targetRefs, selector, root namespace).
 */

/* ---------------------------------------------------------------------------------- */
/* ingress-nginx's namespaceOverride                                                    */

// charts/ingress-nginx 4.15.1, templates/_helpers.tpl: `ingress-nginx.namespace` is
// `default .Release.Namespace .Values.namespaceOverride`, and the controller's Deployment, its
// admission Service and the webhook's clientConfig all use it (`helm template -n ingress-nginx
// --set namespaceOverride=edge-system` puts them in edge-system).
const overridden = (namespace: string): ResourceArgs => changed(ingressNginx, (p) => (p.values.namespaceOverride = namespace));
const policyIn = (namespace: string): ResourceArgs => changed(edgeNetworkPolicy, (p) => (p.metadata.namespace = namespace));
const unselected = (namespace: string): string =>
    `The admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) is reachable from every pod and address: no NetworkPolicy in ${namespace} selects the controller pods (CVE-2025-1974); add one that admits the webhook port from the API server's addresses only.`;

describe("admission-webhook-isolated in the namespace the chart installs the controller in", () => {
    it("fails a NetworkPolicy left in the release's namespace when namespaceOverride moves the controller", async () => {
        await assertViolates(admissionWebhookIsolated, [overridden("edge-system"), edgeNetworkPolicy], unselected("edge-system"));
    });

    it("passes the NetworkPolicy in the override's namespace, and judges its rules there", async () => {
        await assertPasses(admissionWebhookIsolated, [overridden("edge-system"), policyIn("edge-system")]);
        await assertViolates(
            admissionWebhookIsolated,
            [overridden("edge-system"), changed(policyIn("edge-system"), (p) => delete p.spec.ingress[1].from)],
            "NetworkPolicy 'edge-system/ingress-nginx-controller' rule 2 admits port 8443 from everywhere (no from), opening the admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) to every pod and address; admit it from the API server's addresses only (CVE-2025-1974).",
        );
    });

    it("reads an empty namespaceOverride as the release's namespace (Helm's default)", async () => {
        await assertPasses(admissionWebhookIsolated, [overridden(""), edgeNetworkPolicy]);
        await assertViolates(admissionWebhookIsolated, [overridden(""), policyIn("edge-system")], unselected("ingress-nginx"));
    });
});

describe("routes-avoid-control-plane: the edge's namespace is where the chart installs the controller", () => {
    const route = (namespace: string): ResourceArgs => ({
        type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
        name: "r",
        props: { metadata: { name: "r", namespace }, spec: { rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] } },
    });

    it("fails a route into the override's namespace, and no longer protects the release's own", async () => {
        await assertViolates(
            routesAvoidControlPlane,
            [overridden("edge-system"), route("edge-system")],
            "HTTPRoute 'edge-system/r' routes to edge-system/svc, in the edge's own namespace (its controller, admission webhook and certificates); a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow 'edge-system/svc' in allowedBackends).",
        );
        await assertPasses(routesAvoidControlPlane, [overridden("edge-system"), route("ingress-nginx")]);
    });
});

/* ---------------------------------------------------------------------------------- */
/* Which AuthorizationPolicies istiod attaches to the gateway                          */

const host = "secure.example.com";
const groups = secureHostGroups;
const authzType = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const gatewayGroup = "gateway.networking.k8s.io";
const route = (i: number): ResourceArgs => ({ type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", name: groups[i]!.name, props: httpRouteObject(groups[i]!, { gatewayNamespace: "istio-ingress", hsts: "max-age=31536000" }) });
/** The program's DENY policy without its /upload rule: the host stays allowlisted, /upload is left to `uploadPolicy`. */
const exemptingUpload = (): ResourceArgs =>
    changed({ type: authzType, name: "allowlist", props: allowlistPolicyObject(groups, { namespace: "istio-ingress", clientAddress: "packet-source" }) as unknown as Record<string, unknown> }, (p) => {
        p.spec.rules = [p.spec.rules[0]];
    });
/** A DENY policy refusing outsiders /upload, in `namespace`, attached by these spec fields (targetRefs, targetRef, selector, or none). */
const uploadPolicy = (attachment: Record<string, unknown>, namespace = "istio-ingress"): ResourceArgs => ({
    type: authzType,
    name: "upload",
    props: {
        metadata: { name: "upload", namespace },
        spec: { ...attachment, action: "DENY", rules: [{ from: [{ source: { notIpBlocks: ["10.0.0.0/8"] } }], to: [{ operation: { hosts: [host, `${host}:*`], paths: ["/upload", "/upload/*"] } }] }] },
    },
});
const uploadOpen = `HTTPRoute 'secure/secure-example-com-upload' serves ${host}/upload of an allowlisted host, but no DENY rule of the Gateway's AuthorizationPolicies refuses outsiders there (a notPaths entry or a missing rule exempts it); keep the host's allowlist on the path, or declare it public (public: true, annotation ${publicPathAnnotation}: "true").`;
/** The program's Gateway `istio-ingress/edge` (class istio), with `change` applied. */
const gateway = (change: (props: any) => unknown = () => undefined): ResourceArgs =>
    changed(
        {
            type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            name: "edge",
            props: bareGatewayProps(),
        },
        change,
    );
const selecting = (matchLabels: Record<string, string>): Record<string, unknown> => ({ selector: { matchLabels } });
/** Asserts that /upload is kept (or left open) by `policy` beside the other resources. */
const judged = async (open: boolean, policy: ResourceArgs, ...others: ResourceArgs[]): Promise<void> => {
    const resources = [exemptingUpload(), policy, route(1), ...others];
    if (open) await assertViolates(pathsInheritAllowlist, resources, uploadOpen);
    else await assertPasses(pathsInheritAllowlist, resources);
};

describe("paths-inherit-allowlist: a selector policy counts only where it selects the gateway's pods", () => {
    // pilot/pkg/model/policyattachment.go (Istio 1.30.3) isSelected: no selector, or its matchLabels a subset of the pods' labels.
    it("counts a policy of the gateway's namespace without selector, or with an empty one", async () => {
        await judged(false, uploadPolicy({}));
        await judged(false, uploadPolicy(selecting({})));
    });

    it("fails a selector for other pods, and passes one for the gateway-name label istiod always sets", async () => {
        await judged(true, uploadPolicy(selecting({ istio: "ingressgateway" })));
        await judged(true, uploadPolicy(selecting({ [`${gatewayGroup}/gateway-name`]: "internal" })));
        await judged(false, uploadPolicy(selecting({ [`${gatewayGroup}/gateway-name`]: "edge" })));
        await judged(true, uploadPolicy(selecting({ [`${gatewayGroup}/gateway-name`]: "edge", app: "edge" })));
    });

    // files/kube-gateway.yaml (istiod chart 1.30.3): the pod template's labels.
    it("matches every label istiod gives the declared Gateway's pods, and not another value", async () => {
        const labels: Record<string, string> = {
            "sidecar.istio.io/inject": "false",
            "service.istio.io/canonical-name": "edge-istio",
            "service.istio.io/canonical-revision": "latest",
            [`${gatewayGroup}/gateway-name`]: "edge",
            [`${gatewayGroup}/gateway-class-name`]: "istio",
            "gateway.istio.io/managed": "istio.io-gateway-controller",
        };
        await judged(false, uploadPolicy(selecting(labels)), gateway());
        for (const [key, value] of Object.entries(labels)) {
            await judged(false, uploadPolicy(selecting({ [key]: value })), gateway());
            await judged(true, uploadPolicy(selecting({ [key]: `${value}x` })), gateway());
        }
    });

    it("reads the class and the name-override annotation into the pods' labels", async () => {
        const renamed = gateway((p) => {
            p.spec.gatewayClassName = "istio-edge";
            p.metadata.annotations["gateway.istio.io/name-override"] = "public-edge";
        });
        await judged(false, uploadPolicy(selecting({ "service.istio.io/canonical-name": "public-edge", [`${gatewayGroup}/gateway-class-name`]: "istio-edge" })), renamed);
        await judged(false, uploadPolicy(selecting({ "service.istio.io/canonical-name": "edge-istio-edge" })), gateway((p) => (p.spec.gatewayClassName = "istio-edge")));
    });

    // gatewaycommon/deploymentcontroller.go extractInfrastructureMetadata: spec.infrastructure.labels when
    // set (gateway.networking.k8s.io/ keys dropped), else the Gateway's own labels.
    it("gives the pods spec.infrastructure.labels when set, else the Gateway's own labels", async () => {
        const team = uploadPolicy(selecting({ team: "edge" }));
        await judged(false, team, gateway((p) => (p.spec.infrastructure.labels = { team: "edge" })));
        await judged(false, team, gateway((p) => (p.metadata.labels = { team: "edge" })));
        await judged(true, team, gateway((p) => ((p.metadata.labels = { team: "edge" }), (p.spec.infrastructure.labels = {}))));
        await judged(true, team, gateway());
    });

    it("keeps the Gateway's name and class over labels that claim others, and drops gateway.networking.k8s.io/ infrastructure keys", async () => {
        const claims = { [`${gatewayGroup}/gateway-name`]: "other", [`${gatewayGroup}/gateway-class-name`]: "other", "gateway.istio.io/managed": "other" };
        await judged(false, uploadPolicy(selecting({ [`${gatewayGroup}/gateway-name`]: "edge", [`${gatewayGroup}/gateway-class-name`]: "istio", "gateway.istio.io/managed": "istio.io-gateway-controller" })), gateway((p) => (p.metadata.labels = claims)));
        await judged(true, uploadPolicy(selecting({ [`${gatewayGroup}/custom`]: "x" })), gateway((p) => (p.spec.infrastructure.labels = { [`${gatewayGroup}/custom`]: "x" })));
        await judged(false, uploadPolicy(selecting({ "sidecar.istio.io/inject": "true" })), gateway((p) => (p.spec.infrastructure.labels = { "sidecar.istio.io/inject": "true" })));
    });

    it("reads the labels of the Gateway the route names, not of another Gateway or of another kind of object named like it", async () => {
        const team = uploadPolicy(selecting({ team: "edge" }));
        const labelled = gateway((p) => (p.spec.infrastructure.labels = { team: "edge" }));
        await judged(true, team, changed(labelled, (p) => (p.metadata.namespace = "other")));
        await judged(true, team, changed(labelled, (p) => (p.metadata.name = "internal")));
        await judged(true, team, { type: "kubernetes:core/v1:Service", name: "edge", props: { metadata: { name: "edge", namespace: "istio-ingress", labels: { team: "edge" } } } });
    });
});

describe("paths-inherit-allowlist: the root namespace's policies", () => {
    // pilot/pkg/model/authorization.go ListAuthorizationPolicies looks in the root namespace and the workload's.
    it("counts a root-namespace policy without targetRefs mesh-wide, by its selector; not one of another namespace", async () => {
        await judged(false, uploadPolicy({}, "istio-system"));
        await judged(false, uploadPolicy(selecting({ [`${gatewayGroup}/gateway-name`]: "edge" }), "istio-system"));
        await judged(true, uploadPolicy(selecting({ [`${gatewayGroup}/gateway-name`]: "internal" }), "istio-system"));
        await judged(true, uploadPolicy({}, "apps"));
    });

    it("finds the root namespace in istiod's meshConfig.rootNamespace, else global.istioNamespace (istiod chart configmap.yaml)", async () => {
        const rooted = (values: Record<string, unknown>): ResourceArgs => changed(istiod, (p) => Object.assign(p.values, values));
        await judged(false, uploadPolicy({}, "istio-system"), istiod);
        await judged(true, uploadPolicy({}, "istio-system"), rooted({ meshConfig: { rootNamespace: "mesh-root" } }));
        await judged(false, uploadPolicy({}, "mesh-root"), rooted({ meshConfig: { rootNamespace: "mesh-root" } }));
        await judged(false, uploadPolicy({}, "istio-root"), rooted({ global: { istioNamespace: "istio-root" } }));
        await judged(false, uploadPolicy({}, "istio-root"), rooted({ meshConfig: { rootNamespace: "" }, global: { istioNamespace: "istio-root" } }));
    });

    it("reads the root namespace from istiod's values only (not from the base chart's global.istioNamespace)", async () => {
        const base = { type: "kubernetes:helm.sh/v3:Release", name: "istio-base", props: { chart: "base", namespace: "istio-system", values: { global: { istioNamespace: "elsewhere" } } } };
        await judged(false, uploadPolicy({}, "istio-system"), base);
    });

    it("counts no root-namespace policy when the stack's istiod releases name different roots", async () => {
        const other = { ...changed(istiod, (p) => (p.values.meshConfig = { rootNamespace: "mesh-root" })), name: "istiod-canary" };
        await judged(true, uploadPolicy({}, "istio-system"), istiod, other);
        await judged(false, uploadPolicy({}, "istio-system"), istiod, { ...istiod, name: "istiod-canary" });
    });
});

describe("paths-inherit-allowlist: gateways that ignore selector policies", () => {
    // pilot/pkg/features/pilot.go: ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY (default true), read with strconv.ParseBool.
    const selectorsOff = (value: unknown): ResourceArgs => changed(istiod, (p) => (p.values.env = { ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY: value }));

    it("counts no selector policy when istiod's env turns them off, and still counts targetRefs", async () => {
        for (const value of ["false", "0", "F", false]) await judged(true, uploadPolicy({}), selectorsOff(value));
        await judged(false, uploadPolicy({ targetRefs: [{ group: gatewayGroup, kind: "Gateway", name: "edge" }] }), selectorsOff("false"));
        for (const value of ["true", "no", true]) await judged(false, uploadPolicy({}), selectorsOff(value));
    });
});

describe("paths-inherit-allowlist: targetRefs", () => {
    const edge = { group: gatewayGroup, kind: "Gateway", name: "edge" };

    // policyattachment.go: with targetRefs the selector is ignored; a Gateway target matches by canonical group and kind.
    it("attaches by targetRefs whatever the selector says", async () => {
        await judged(false, uploadPolicy({ targetRefs: [edge], ...selecting({ app: "other" }) }));
        await judged(true, uploadPolicy({ targetRefs: [{ ...edge, name: "internal" }], ...selecting({ [`${gatewayGroup}/gateway-name`]: "edge" }) }));
    });

    it("needs the gateway.networking.k8s.io group: a Gateway target without it is core's, which istiod does not attach", async () => {
        await judged(true, uploadPolicy({ targetRefs: [{ kind: "Gateway", name: "edge" }] }));
        await judged(true, uploadPolicy({ targetRefs: [{ ...edge, group: "" }] }));
        await judged(true, uploadPolicy({ targetRefs: [{ ...edge, group: "networking.istio.io" }] }));
        await judged(true, uploadPolicy({ targetRefs: [{ ...edge, kind: "GatewayClass" }] }));
    });

    it("reads the legacy targetRef when targetRefs is empty", async () => {
        await judged(false, uploadPolicy({ targetRef: edge }));
        await judged(true, uploadPolicy({ targetRef: { ...edge, name: "internal" } }));
        await judged(true, uploadPolicy({ targetRefs: [], targetRef: { ...edge, name: "internal" } }));
        await judged(false, uploadPolicy({ targetRefs: [edge], targetRef: { ...edge, name: "internal" } }));
    });

    it("attaches a target in the policy's own namespace, named or not, and none from the root namespace", async () => {
        await judged(false, uploadPolicy({ targetRefs: [{ ...edge, namespace: "istio-ingress" }] }));
        await judged(false, uploadPolicy({ targetRefs: [{ ...edge, namespace: "" }] }));
        await judged(true, uploadPolicy({ targetRefs: [{ ...edge, namespace: "other" }] }));
        await judged(true, uploadPolicy({ targetRefs: [{ ...edge, namespace: "istio-ingress" }] }, "istio-system"));
        await judged(true, uploadPolicy({ targetRefs: [{ group: gatewayGroup, kind: "GatewayClass", name: "istio" }] }, "istio-system"));
    });
});
