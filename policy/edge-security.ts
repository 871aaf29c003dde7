import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { addressSet, openToEveryone, subtract, openFamilies, describeOpen } from "./addresses";
import { chartName, chartServices, chartWorkloads, releaseType, stringMap, valuesOf } from "./charts";
import { renderedChart } from "./rendered";
import { controlPlaneNamespaces, controlPlaneReason } from "./control-plane";
import { configMapBool, helmTruthy, parseBool } from "./booleans";
import { arrayAt, at, forTypes, isRecord, listed, numberOf, objectName, objectNamespace, recordAt, stringAt, type Json } from "./helpers";
import { attributes, awsAnnotations, isPodLevelAnnotation } from "./load-balancers";
import { selectorOf, selects, type PodSelector } from "./selectors";
import { ingressType } from "./tls";

/**
 * What no hand edit may take away from the edge, on the NGINX and the Gateway API edge
 * alike: a path of an allowlisted host is public only when its object says so, HSTS comes
 * from the controller only, public hosts never route into the control plane, the admission
 * webhook stays isolated, forwarded headers are never trusted from everyone, the load
 * balancer keeps the client's address, and only Service annotations reach the gateway.
 * The settings refuse the same (config/settings/edge-security.ts).
 */

const nginx = "nginx.ingress.kubernetes.io/";
const configMapType = "kubernetes:core/v1:ConfigMap";
const networkPolicyType = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const serviceType = "kubernetes:core/v1:Service";
const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const httpRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const authorizationPolicyTypes = ["kubernetes:security.istio.io/v1:AuthorizationPolicy", "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"];
const envoyFilterType = "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter";

/** The annotation that declares a path public under an allowlisted host (components/edge/routing.ts sets it). */
export const publicPathAnnotation = "mesh-ingress.io/public-path";

const annotationsOf = (props: Json): Record<string, string> => stringMap(at(props, "metadata.annotations"));
const declaredPublic = (props: Json): boolean => annotationsOf(props)[publicPathAnnotation] === "true";
const ingressHosts = (props: Json): string[] => arrayAt(props, "spec.rules").map((r) => stringAt(r, "host")).filter((h): h is string => h !== undefined);

/** True when an allowlist annotation value restricts (readable and not open to everyone). */
function restricts(value: string | undefined): boolean {
    if (value === undefined || value.trim() === "") return false;
    const set = addressSet([value]);
    return set.blocks.length > 0 && openFamilies(set.blocks).length === 0;
}

/* ---------------------------------------------------------------------------------- */
/* Allowlist inheritance                                                               */

/** Istio's string match (exact, `prefix*`, `*suffix`, `*`). */
function istioMatch(pattern: string, value: string): boolean {
    if (pattern === "*") return true;
    if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
    if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
    return pattern === value;
}

/** A DENY rule that refuses outsiders: its source is a restricting notIpBlocks/notRemoteIpBlocks, and it has no conditions. */
interface DenyRule {
    /** The AuthorizationPolicy's namespace. */
    readonly namespace: string;
    /** Its `targetRefs` (or the legacy `targetRef`); empty when it selects workloads instead. */
    readonly targets: readonly Json[];
    /** Its `selector` (a WorkloadSelector has `matchLabels` only); empty without one. */
    readonly selector: PodSelector;
    readonly to: readonly Json[];
}

function denyRules(resources: readonly PolicyResource[]): DenyRule[] {
    return resources
        .filter((r) => authorizationPolicyTypes.includes(r.type) && at(r.props, "spec.action") === "DENY")
        .flatMap((r) => {
            const props = r.props as Json;
            const targets = arrayAt(props, "spec.targetRefs").filter(isRecord);
            const legacy = recordAt(props, "spec.targetRef");
            const policy = {
                namespace: objectNamespace(props),
                targets: targets.length > 0 ? targets : Object.keys(legacy).length > 0 ? [legacy] : [],
                selector: { matchLabels: stringMap(at(props, "spec.selector.matchLabels")) },
            };
            return arrayAt(props, "spec.rules")
                .filter(isRecord)
                .filter((rule) => arrayAt(rule, "when").length === 0)
                .filter((rule) =>
                    arrayAt(rule, "from").some((f) =>
                        ["notIpBlocks", "notRemoteIpBlocks"].some((field) => {
                            const blocks = arrayAt(f, `source.${field}`).map(String);
                            return blocks.length > 0 && restricts(blocks.join(","));
                        }),
                    ),
                )
                .map((rule) => ({ ...policy, to: arrayAt(rule, "to").filter(isRecord) }));
        });
}

/** The pods of a Gateway API Gateway that istiod deploys: their namespace, the Gateway's name, their labels. */
interface GatewayWorkload {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
}

const gatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

/**
 * The labels of the pods istiod deploys for a Gateway (Istio 1.30.3
 * manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml, merged left to right,
 * later keys winning: pkg/kube/inject/template.go toJSONMap): sidecar and canonical-name labels,
 * then the infrastructure labels, then the Gateway's name and class. The infrastructure labels are
 * `spec.infrastructure.labels` without `gateway.networking.k8s.io/` keys when set, else the
 * Gateway's own labels (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go
 * extractInfrastructureMetadata, PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS on by default);
 * the Deployment is `<name>-<class>` unless the `gateway.istio.io/name-override` annotation names
 * it (gateway_utils.go GetDefaultName). Labels the `parametersRef` overlay adds are not read: a
 * selector on them is judged as not matching, which reports a path rather than hides one.
 */
function gatewayPodLabels(props: Json, resourceName: string): Record<string, string> {
    const name = objectName(props, resourceName);
    const className = stringAt(props, "spec.gatewayClassName") ?? "";
    const infrastructure = at(props, "spec.infrastructure.labels");
    const copied = isRecord(infrastructure) ? Object.fromEntries(Object.entries(stringMap(infrastructure)).filter(([k]) => !k.startsWith("gateway.networking.k8s.io/"))) : stringMap(at(props, "metadata.labels"));
    return {
        "sidecar.istio.io/inject": "false",
        "service.istio.io/canonical-name": annotationsOf(props)["gateway.istio.io/name-override"] || `${name}-${className}`,
        "service.istio.io/canonical-revision": "latest",
        ...copied,
        [gatewayNameLabel]: name,
        "gateway.networking.k8s.io/gateway-class-name": className,
        "gateway.istio.io/managed": "istio.io-gateway-controller",
    };
}

/**
 * The gateway workload of a parent Gateway `namespace/name`: with the labels istiod gives its pods
 * when the stack declares the Gateway, else only the label istiod always sets (`gateway-name`).
 */
function gatewayWorkload(resources: readonly PolicyResource[], gateway: string): GatewayWorkload {
    const [namespace, name] = gateway.split("/") as [string, string];
    const declared = resources.find((r) => r.type === gatewayType && objectNamespace(r.props as Json) === namespace && objectName(r.props as Json, r.name) === name);
    return { namespace, name, labels: declared ? gatewayPodLabels(declared.props as Json, declared.name) : { [gatewayNameLabel]: name } };
}

/** How the mesh attaches policies: its root namespace (undefined when the istiod releases disagree) and whether gateways read selector policies. */
interface MeshScope {
    readonly rootNamespace: string | undefined;
    readonly selectorPolicies: boolean;
}

/**
 * The mesh's root namespace, `meshConfig.rootNamespace` or else `global.istioNamespace`
 * (istiod chart 1.30.3 templates/configmap.yaml; both default to istio-system), and whether
 * istiod applies selector policies to Gateway API gateways (its env
 * ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, default true: pilot/pkg/features/pilot.go), read from
 * the stack's istiod releases.
 */
function meshScope(resources: readonly PolicyResource[]): MeshScope {
    const istiods = resources.filter((r) => r.type === releaseType && chartName(r.props as Json) === "istiod").map((r) => valuesOf(r.props as Json));
    const roots = new Set(istiods.map((v) => stringAt(v, "meshConfig.rootNamespace") || stringAt(v, "global.istioNamespace") || "istio-system"));
    return {
        rootNamespace: roots.size > 1 ? undefined : ([...roots][0] ?? "istio-system"),
        selectorPolicies: !istiods.some((v) => parseBool(at(v, "env.ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY")) === false),
    };
}

/**
 * True when istiod attaches a DENY rule's AuthorizationPolicy to a Gateway API gateway's pods
 * (Istio 1.30.3 pilot/pkg/model/policyattachment.go ShouldAttachPolicy, authorization.go
 * ListAuthorizationPolicies; istio/api security/v1beta1/authorization_policy.proto). With
 * `targetRefs` (or the legacy `targetRef`) the selector is ignored: the policy applies where a
 * target is `gateway.networking.k8s.io` Gateway of that name, the policy is in the gateway's
 * namespace and the target names no other one (a GatewayClass, Service or ServiceEntry target
 * binds waypoints only, and a root-namespace policy targets no other namespace's Gateway). Without
 * them, from the gateway's namespace or the root namespace, when its `selector.matchLabels` (none:
 * every workload) are among the pods' labels.
 */
function attaches(rule: DenyRule, gateway: GatewayWorkload, mesh: MeshScope): boolean {
    if (rule.targets.length > 0) {
        return (
            rule.namespace === gateway.namespace &&
            rule.targets.some((t) => t["group"] === "gateway.networking.k8s.io" && t["kind"] === "Gateway" && t["name"] === gateway.name && [undefined, "", gateway.namespace].includes(stringAt(t, "namespace")))
        );
    }
    return mesh.selectorPolicies && (rule.namespace === gateway.namespace || rule.namespace === mesh.rootNamespace) && selects(rule.selector, gateway.labels);
}

/**
 * True when a DENY rule that istiod attaches to the gateway refuses outsiders' requests for `host`
 * (the :authority as sent, with or without a port) and `path`.
 */
function denied(rules: readonly DenyRule[], gateway: GatewayWorkload, mesh: MeshScope, host: string, path: string): boolean {
    return rules.some((r) => {
        if (!attaches(r, gateway, mesh)) return false;
        if (r.to.length === 0) return true;
        return r.to.some((t) => {
            const op = recordAt(t, "operation");
            const hosts = arrayAt(op, "hosts").map(String);
            const paths = arrayAt(op, "paths").map(String);
            const notPaths = arrayAt(op, "notPaths").map(String);
            const notHosts = arrayAt(op, "notHosts").map(String);
            return (
                (hosts.length === 0 || hosts.some((h) => istioMatch(h, host))) &&
                !notHosts.some((h) => istioMatch(h, host)) &&
                (paths.length === 0 || paths.some((p) => istioMatch(p, path))) &&
                !notPaths.some((p) => istioMatch(p, path))
            );
        });
    });
}

/** The hosts some DENY rule restricts (what "an allowlisted host" means on the Gateway API edge). */
function allowlistedGatewayHosts(rules: readonly DenyRule[]): string[] {
    return rules.flatMap((r) => r.to.flatMap((t) => arrayAt(t, "operation.hosts").map(String))).map((h) => h.replace(/:\*$/, "").replace(/:443$/, ""));
}

/**
 * The :authority values a client may send for `host`: Istio routes `host` and `host:*` alike, and
 * an AuthorizationPolicy's hosts match the header exactly (no port stripped), so a DENY rule must
 * cover the bare host and the host with any port (`host:*`; 8443 stands for any port a client writes).
 */
const authorities = (host: string): string[] => [host, `${host}:8443`];

/**
 * Requests that stand for a route match: the path itself and, for a prefix, a path beneath it.
 * Istio ignores a prefix's trailing `/` (pilot/pkg/config/kube/gateway/conversion.go
 * createURIMatch): `/upload/` serves `/upload` too.
 */
function probes(match: Json): string[] {
    const value = stringAt(match, "path.value") ?? "/";
    if (stringAt(match, "path.type") === "Exact") return [value];
    const trimmed = value === "/" ? "" : value.replace(/\/$/, "");
    return [...new Set([value, trimmed || "/", `${trimmed}/mesh-ingress-probe`])];
}

/**
 * A path of an allowlisted host keeps the host's allowlist unless its object says it is
 * public (annotation `mesh-ingress.io/public-path: "true"`, set by `public: true`). NGINX
 * edge: an Ingress for a host that another Ingress restricts with `allowlist-source-range`
 * has its own allowlist or the annotation. Gateway API edge: every path (and what lies
 * beneath a prefix) of an HTTPRoute for a host that a DENY AuthorizationPolicy restricts is
 * refused to outsiders by such a rule (no `notPaths` exempts it) of a policy istiod attaches to
 * each parent Gateway's pods (by `targetRefs`, or by `selector` from the gateway's or the root
 * namespace), for the host with and without a port, or the route carries the annotation.
 */
export const pathsInheritAllowlist: StackValidationPolicy = {
    name: "paths-inherit-allowlist",
    description: "A path of an allowlisted host keeps the host's allowlist (Ingress annotation or the Gateway's DENY AuthorizationPolicy) unless its object declares it public (mesh-ingress.io/public-path).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const ingresses = args.resources.filter((r) => r.type === ingressType);
        const restricted = (props: Json): boolean => ["allowlist-source-range", "whitelist-source-range"].some((k) => restricts(annotationsOf(props)[`${nginx}${k}`]));
        const allowlisted = new Set(ingresses.filter((r) => restricted(r.props as Json)).flatMap((r) => ingressHosts(r.props as Json)));
        for (const r of ingresses) {
            const props = r.props as Json;
            if (restricted(props) || declaredPublic(props)) continue;
            const hosts = ingressHosts(props).filter((h) => allowlisted.has(h));
            if (hosts.length > 0) {
                report(
                    `Ingress '${objectNamespace(props)}/${objectName(props, r.name)}' serves ${listed(hosts)} without the allowlist another Ingress of ${hosts.length > 1 ? "these hosts" : "that host"} has; keep the host's allowlist on every path, or declare the path public (public: true, annotation ${publicPathAnnotation}: "true").`,
                    r.urn,
                );
            }
        }
        const rules = denyRules(args.resources);
        const mesh = meshScope(args.resources);
        const hosts = new Set(allowlistedGatewayHosts(rules));
        for (const r of args.resources.filter((x) => x.type === httpRouteType)) {
            const props = r.props as Json;
            if (declaredPublic(props)) continue;
            const routeHosts = arrayAt(props, "spec.hostnames").map(String).filter((h) => hosts.has(h));
            const gateways = arrayAt(props, "spec.parentRefs")
                .filter(isRecord)
                .map((p) => gatewayWorkload(args.resources, `${stringAt(p, "namespace") ?? objectNamespace(props)}/${String(p["name"])}`));
            const open: string[] = [];
            arrayAt(props, "spec.rules").filter(isRecord).forEach((rule) => {
                if (arrayAt(rule, "backendRefs").length === 0) return;
                const matches = arrayAt(rule, "matches").filter(isRecord);
                for (const match of matches.length > 0 ? matches : [{}]) {
                    for (const host of routeHosts) {
                        // Open when any parent Gateway, for any :authority, lets an outsider through.
                        const path = probes(match).find((p) => gateways.some((g) => authorities(host).some((a) => !denied(rules, g, mesh, a, p))));
                        if (path !== undefined) open.push(`${host}${stringAt(match, "path.value") ?? "/"}`);
                    }
                }
            });
            if (open.length > 0) {
                report(
                    `HTTPRoute '${objectNamespace(props)}/${objectName(props, r.name)}' serves ${listed([...new Set(open)])} of an allowlisted host, but no DENY rule of the Gateway's AuthorizationPolicies refuses outsiders there (a notPaths entry or a missing rule exempts it); keep the host's allowlist on the path, or declare it public (public: true, annotation ${publicPathAnnotation}: "true").`,
                    r.urn,
                );
            }
        }
    },
};

/**
 * The controller of an ingress-nginx release: its namespace and its pods' labels. The chart puts
 * every object where its `ingress-nginx.namespace` helper says: `namespaceOverride` when set, else
 * the release's namespace (charts/ingress-nginx/templates/_helpers.tpl, controller-deployment.yaml,
 * controller-service-webhook.yaml and the webhook's clientConfig, chart 4.15.1), which
 * chartWorkloads reads; the controller is always its first workload.
 */
function ingressNginxController(release: PolicyResource): { namespace: string; podLabels: Record<string, string> } {
    return chartWorkloads(release.props as Json, release.name)[0]!;
}

/* ---------------------------------------------------------------------------------- */
/* HSTS                                                                                 */

const isHsts = (name: string): boolean => name.toLowerCase() === "strict-transport-security";

/**
 * HSTS comes from the ingress-nginx controller's settings (`hsts*` in its ConfigMap) only:
 * no Ingress's `custom-headers` ConfigMap, nor the controller's `add-headers` one, sets
 * Strict-Transport-Security (a per-path header replaces the controller's for that path), and
 * `global-allowed-response-headers` does not allow it.
 */
export const hstsOnlyFromController: StackValidationPolicy = {
    name: "hsts-only-from-controller",
    description: "No custom-headers or add-headers ConfigMap sets Strict-Transport-Security, and the ingress-nginx controller does not allow it as a custom response header.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const configMaps = new Map(args.resources.filter((r) => r.type === configMapType).map((r) => [`${objectNamespace(r.props as Json)}/${objectName(r.props as Json, r.name)}`, r]));
        const check = (who: string, ref: string | undefined, urn: string): void => {
            const cm = ref === undefined ? undefined : configMaps.get(ref);
            const names = cm ? Object.keys(recordAt(cm.props, "data")).filter(isHsts) : [];
            if (names.length > 0) report(`${who} sets ${names[0]} through ConfigMap '${ref ?? ""}'; HSTS comes only from the controller's settings (hsts, hsts-max-age, hsts-include-subdomains), the same on every path: remove the header.`, urn);
        };
        for (const r of args.resources.filter((x) => x.type === ingressType)) {
            const props = r.props as Json;
            const ref = annotationsOf(props)[`${nginx}custom-headers`];
            check(`Ingress '${objectNamespace(props)}/${objectName(props, r.name)}'`, ref?.includes("/") ? ref : ref === undefined ? undefined : `${objectNamespace(props)}/${ref}`, r.urn);
        }
        for (const r of args.resources.filter((x) => x.type === releaseType && chartName(x.props as Json) === "ingress-nginx")) {
            const config = stringMap(at(valuesOf(r.props as Json), "controller.config"));
            const who = `Helm release '${r.name}' (chart ingress-nginx)`;
            check(`${who} controller.config.add-headers`, config["add-headers"], r.urn);
            const allowed = (config["global-allowed-response-headers"] ?? "").split(",").map((h) => h.trim());
            if (allowed.some(isHsts)) report(`${who} lists Strict-Transport-Security in controller.config.global-allowed-response-headers, so Ingresses may override HSTS; remove it (HSTS comes from hsts* in controller.config).`, r.urn);
        }
    },
};

/* ---------------------------------------------------------------------------------- */
/* Backends                                                                             */

/**
 * Public hosts never route into the control plane: no Ingress or HTTPRoute backend is in
 * kube-system, kube-public, kube-node-lease, istio-system (istiod's plain-text ports),
 * cert-manager, an edge's own namespace (where an ingress-nginx release's controller runs, or a Gateway's), or is
 * `default/kubernetes`, unless the pack's configuration names it.
 */
export const routesAvoidControlPlane: StackValidationPolicy = {
    name: "routes-avoid-control-plane",
    description: "No Ingress or HTTPRoute routes to a Service of the control plane (kube-system, istio-system, cert-manager, the edge's namespace, default/kubernetes) unless it is allowed by name.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedBackends: { type: "array", items: { type: "string" }, default: [], description: "Backends (namespace/service) in those namespaces that routes may reach anyway (the same as the edgeControlPlaneBackends setting)." },
            protectedNamespaces: { type: "array", items: { type: "string" }, default: Object.keys(controlPlaneNamespaces), description: "The control plane's namespaces besides the edge's own." },
        },
    },
    validateStack: (args, report) => {
        const { allowedBackends, protectedNamespaces } = args.getConfig<{ allowedBackends: string[]; protectedNamespaces: string[] }>();
        const reasons = Object.fromEntries(protectedNamespaces.map((n) => [n, controlPlaneNamespaces[n] ?? "a namespace of the control plane"]));
        const edgeNamespaces = [
            ...args.resources.filter((r) => r.type === releaseType && chartName(r.props as Json) === "ingress-nginx").map((r) => ingressNginxController(r).namespace),
            ...args.resources.filter((r) => r.type === gatewayType).map((r) => objectNamespace(r.props as Json)),
        ];
        const judge = (who: string, namespace: string, service: string, urn: string): void => {
            const reason = controlPlaneReason(namespace, service, edgeNamespaces, reasons);
            if (reason === undefined || allowedBackends.includes(`${namespace}/${service}`)) return;
            report(`${who} routes to ${namespace}/${service}, in ${reason}; a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow '${namespace}/${service}' in allowedBackends).`, urn);
        };
        for (const r of args.resources.filter((x) => x.type === ingressType)) {
            const props = r.props as Json;
            const namespace = objectNamespace(props);
            const services = [stringAt(props, "spec.defaultBackend.service.name"), ...arrayAt(props, "spec.rules").flatMap((rule) => arrayAt(rule, "http.paths").map((p) => stringAt(p, "backend.service.name")))];
            for (const s of new Set(services.filter((x): x is string => x !== undefined))) judge(`Ingress '${namespace}/${objectName(props, r.name)}'`, namespace, s, r.urn);
        }
        for (const r of args.resources.filter((x) => x.type === httpRouteType)) {
            const props = r.props as Json;
            const namespace = objectNamespace(props);
            const refs = arrayAt(props, "spec.rules").flatMap((rule) => arrayAt(rule, "backendRefs").filter(isRecord)).filter((b) => (b["kind"] ?? "Service") === "Service" && (b["group"] ?? "") === "");
            const seen = new Set<string>();
            for (const b of refs) {
                const target = `${stringAt(b, "namespace") ?? namespace}/${String(b["name"])}`;
                if (seen.has(target)) continue;
                seen.add(target);
                judge(`HTTPRoute '${namespace}/${objectName(props, r.name)}'`, target.split("/")[0]!, target.split("/")[1]!, r.urn);
            }
        }
    },
};

/* ---------------------------------------------------------------------------------- */
/* The admission webhook                                                                */

/** True when a NetworkPolicy port entry admits `port` (named `webhook` in the chart). */
function admitsPort(entry: Json, port: number): boolean {
    const p = entry["port"];
    if (p === undefined) return true;
    if (p === "webhook") return true;
    const n = numberOf(p);
    const end = numberOf(entry["endPort"]);
    return n !== undefined && (n === port || (end !== undefined && n <= port && port <= end));
}

/**
 * The ingress-nginx admission webhook stays reachable from the API server only
 * (CVE-2025-1974): a NetworkPolicy in the controller's namespace (the chart's
 * `namespaceOverride` when set) isolates the controller pods, and no NetworkPolicy that
 * selects them admits the webhook port from pods (podSelector, namespaceSelector), from
 * anywhere (a rule without `from`), or from address blocks that together cover all of IPv4
 * or IPv6.
 */
export const admissionWebhookIsolated: StackValidationPolicy = {
    name: "admission-webhook-isolated",
    description: "A NetworkPolicy isolates the ingress-nginx controller, and its admission webhook port admits only address blocks that are not everyone (no pods, no open rule).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter((r) => r.type === networkPolicyType);
        for (const release of args.resources.filter((r) => r.type === releaseType && chartName(r.props as Json) === "ingress-nginx")) {
            const values = valuesOf(release.props as Json);
            // The chart renders the webhook under {{ if .Values.controller.admissionWebhooks.enabled }} (default true).
            const enabled = at(values, "controller.admissionWebhooks.enabled");
            if (enabled !== undefined && !helmTruthy(enabled)) continue;
            const port = numberOf(at(values, "controller.admissionWebhooks.port")) ?? 8443;
            // The controller runs where the chart's `ingress-nginx.namespace` helper puts it: `namespaceOverride`
            // when set, else the release's namespace (charts/ingress-nginx/templates/_helpers.tpl and
            // controller-deployment.yaml, chart 4.15.1); a NetworkPolicy in the release's namespace isolates nothing then.
            const { namespace, podLabels: labels } = ingressNginxController(release);
            const who = `The admission webhook (port ${port}) of Helm release '${release.name}' (chart ingress-nginx)`;
            const selecting = policies.filter((p) => {
                const props = p.props as Json;
                const types = arrayAt(props, "spec.policyTypes").map(String);
                return objectNamespace(props) === namespace && (types.length === 0 || types.includes("Ingress")) && selects(selectorOf(at(props, "spec.podSelector")) ?? {}, labels);
            });
            if (selecting.length === 0) {
                report(`${who} is reachable from every pod and address: no NetworkPolicy in ${namespace} selects the controller pods (CVE-2025-1974); add one that admits the webhook port from the API server's addresses only.`, release.urn);
                continue;
            }
            const blocks: ReturnType<typeof addressSet>["blocks"][number][] = [];
            for (const p of selecting) {
                const props = p.props as Json;
                const name = `NetworkPolicy '${namespace}/${objectName(props, p.name)}'`;
                arrayAt(props, "spec.ingress").filter(isRecord).forEach((rule, i) => {
                    const ports = arrayAt(rule, "ports").filter(isRecord);
                    if (ports.length > 0 && !ports.some((e) => admitsPort(e, port))) return;
                    const from = arrayAt(rule, "from").filter(isRecord);
                    if (from.length === 0) {
                        report(`${name} rule ${i + 1} admits port ${port} from everywhere (no from), opening ${who.charAt(0).toLowerCase()}${who.slice(1)} to every pod and address; admit it from the API server's addresses only (CVE-2025-1974).`, p.urn);
                        return;
                    }
                    for (const peer of from) {
                        if (peer["podSelector"] !== undefined || peer["namespaceSelector"] !== undefined) {
                            report(`${name} rule ${i + 1} admits port ${port} from pods (${peer["namespaceSelector"] !== undefined ? "namespaceSelector" : "podSelector"}); the admission webhook must not be reachable from pods (CVE-2025-1974): admit only the API server's addresses.`, p.urn);
                        }
                        const cidr = stringAt(peer, "ipBlock.cidr");
                        if (cidr !== undefined) blocks.push(...subtract(addressSet([cidr]).blocks, addressSet(arrayAt(peer, "ipBlock.except").map(String)).blocks));
                    }
                });
            }
            const families = openFamilies(blocks);
            if (families.length > 0) report(`${who} admits ${describeOpen(families)} through the ipBlocks of ${listed(selecting.map((p) => `'${objectName(p.props as Json, p.name)}'`))}; admit only the API server's addresses (CVE-2025-1974).`, release.urn);
        }
    },
};

/* ---------------------------------------------------------------------------------- */
/* Forwarded headers                                                                    */

/** The largest `numTrustedProxies` in a proxy configuration (JSON or YAML-ish text, or an object). */
function trustedProxies(config: unknown): number {
    if (isRecord(config)) return numberOf(at(config, "gatewayTopology.numTrustedProxies")) ?? 0;
    if (typeof config !== "string") return 0;
    const m = [...config.matchAll(/numTrustedProxies"?\s*:\s*"?(\d+)/g)].map((x) => Number(x[1]));
    return m.length > 0 ? Math.max(...m) : 0;
}

/** The largest `xff_num_trusted_hops` anywhere in an EnvoyFilter's patches. */
function xffHops(value: unknown): number {
    if (Array.isArray(value)) return Math.max(0, ...value.map(xffHops));
    if (!isRecord(value)) return 0;
    return Math.max(0, numberOf(value["xff_num_trusted_hops"]) ?? 0, ...Object.values(value).map(xffHops));
}

/**
 * Forwarded headers are never trusted from everyone. The edge sits behind an L4 load
 * balancer that keeps the client's address and adds no X-Forwarded-For, so a trusted header
 * is one the client wrote: allowlists and rate limits would key on an address the client
 * chooses. ingress-nginx: `use-forwarded-headers` or `enable-real-ip` only with a
 * `proxy-real-ip-cidr` (default 0.0.0.0/0) that is not everyone. Istio: no
 * `numTrustedProxies` above 0 (meshConfig, a Gateway's `proxy.istio.io/config`) and no
 * `xff_num_trusted_hops` in an EnvoyFilter: Envoy then trusts the header from every client,
 * Istio has no list of trusted sources.
 */
export const forwardedHeadersNotTrusted: ResourceValidationPolicy = {
    name: "forwarded-headers-not-trusted-from-everyone",
    description: "ingress-nginx trusts forwarded headers only from proxy-real-ip-cidr blocks that are not everyone; Istio gateways trust no X-Forwarded-For hops (numTrustedProxies, xff_num_trusted_hops).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([releaseType, gatewayType, envoyFilterType], (props, args, report) => {
        if (args.type === releaseType && chartName(props) === "ingress-nginx") {
            const config = stringMap(at(valuesOf(props), "controller.config"));
            const raw = recordAt(valuesOf(props), "controller.config");
            const trusting = ["use-forwarded-headers", "enable-real-ip"].filter((k) => configMapBool(raw[k]) === true);
            if (trusting.length === 0) return;
            const cidr = config["proxy-real-ip-cidr"] ?? "0.0.0.0/0";
            const open = openToEveryone([cidr]);
            if (open !== undefined) {
                report(
                    `Helm release '${args.name}' (chart ingress-nginx) trusts forwarded headers (${listed(trusting)}${config["forwarded-for-header"] ? `, ${config["forwarded-for-header"]}` : ""}) from everyone: proxy-real-ip-cidr ${config["proxy-real-ip-cidr"] === undefined ? "(default 0.0.0.0/0)" : `'${cidr}'`}: ${open}; clients would choose the address allowlists and rate limits see. Set proxy-real-ip-cidr to the load balancers' addresses, or leave the headers untrusted (the NLB keeps the client's address).`,
                );
            }
            return;
        }
        if (args.type === releaseType && chartName(props) === "istiod") {
            const n = trustedProxies(at(valuesOf(props), "meshConfig.defaultConfig"));
            if (n > 0) report(`Helm release '${args.name}' (chart istiod) sets meshConfig.defaultConfig.gatewayTopology.numTrustedProxies ${n}: every gateway trusts X-Forwarded-For from every client (Istio has no list of trusted sources), so clients choose the address allowlists see; remove it (the load balancer keeps the client's address).`);
            return;
        }
        if (args.type === gatewayType) {
            const n = trustedProxies(stringMap(at(props, "spec.infrastructure.annotations"))["proxy.istio.io/config"]);
            if (n > 0) report(`Gateway '${objectNamespace(props)}/${objectName(props, args.name)}' sets numTrustedProxies ${n} in proxy.istio.io/config: its pods trust X-Forwarded-For from every client, so clients choose the address allowlists see; remove it.`);
            return;
        }
        if (args.type === envoyFilterType) {
            const n = xffHops(at(props, "spec.configPatches"));
            if (n > 0) report(`EnvoyFilter '${objectNamespace(props)}/${objectName(props, args.name)}' sets xff_num_trusted_hops ${n}: Envoy trusts X-Forwarded-For from every client; remove it.`);
        }
    }),
};

/* ---------------------------------------------------------------------------------- */
/* The edge's load balancer                                                             */

const edgePorts = [80, 443];

/**
 * The edge's load balancer keeps the client's address, which allowlists and rate limits
 * need: a LoadBalancer Service serving 80/443 with NLB IP targets has
 * `preserve_client_ip.enabled=true` in its target group attributes (IP targets of a TCP
 * target group lose it by default) or proxy protocol; and a Gateway's
 * `spec.infrastructure.annotations`, which istiod copies onto the gateway's pods, carry no
 * Istio or pod-level annotation besides the program's own proxy protocol switch.
 */
export const edgeKeepsClientAddress: ResourceValidationPolicy = {
    name: "edge-keeps-client-address",
    description: "Edge load balancers with NLB IP targets preserve the client's address (or use proxy protocol), and Gateway infrastructure annotations carry no pod-level or proxy-level Istio annotation.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([serviceType, gatewayType, releaseType], (props, args, report) => {
        if (args.type === releaseType) {
            if (renderedChart(props)) return; // its Services are judged as resources of their own
            for (const service of chartServices(props, args.name)) {
                if (service.type !== "LoadBalancer" || !service.ports.some((p) => edgePorts.includes(p)) || keepsClientAddress(service.annotations)) continue;
                report(`Helm release '${args.name}' (chart ${chartName(props)}) renders LoadBalancer ${service.describe} with NLB IP targets without preserve_client_ip.enabled=true in ${service.path}.annotations['${awsAnnotations.targetGroupAttributes}']: the edge would see the NLB's private addresses; keep preserve_client_ip.enabled=true (or use proxy protocol).`);
            }
            return;
        }
        const gateway = args.type === gatewayType;
        const annotations = stringMap(at(props, gateway ? "spec.infrastructure.annotations" : "metadata.annotations"));
        const who = gateway ? `Gateway '${objectNamespace(props)}/${objectName(props, args.name)}'` : `LoadBalancer Service '${objectName(props, args.name)}'`;
        const where = gateway ? "spec.infrastructure.annotations" : "metadata.annotations";
        const isEdge = gateway || (stringAt(props, "spec.type") === "LoadBalancer" && arrayAt(props, "spec.ports").some((p) => edgePorts.includes(numberOf(at(p, "port")) ?? -1)));
        if (!isEdge) return;
        if (!keepsClientAddress(annotations)) {
            report(`${who} has NLB IP targets without preserve_client_ip.enabled=true in ${where}['${awsAnnotations.targetGroupAttributes}']: the edge would see the NLB's private addresses, and an allowlist of private ranges would admit everyone; keep preserve_client_ip.enabled=true (or use proxy protocol).`);
        }
        if (!gateway) return;
        for (const key of Object.keys(annotations).filter(isPodLevelAnnotation).sort()) {
            if (key === "proxy.istio.io/config" && JSON.stringify(parsed(annotations[key])) === JSON.stringify({ gatewayTopology: { proxyProtocol: {} } })) continue;
            report(`${who} sets ${key} in spec.infrastructure.annotations, which istiod copies onto the gateway's pods; only Service and load balancer annotations belong there (proxy and sidecar settings change what the gateway trusts).`);
        }
    }),
};

/** False for NLB IP targets that lose the client's address: no client IP preservation, no proxy protocol. */
function keepsClientAddress(annotations: Record<string, string>): boolean {
    if (annotations[awsAnnotations.targetType] !== "ip" || annotations[awsAnnotations.proxyProtocol] === "*") return true;
    return attributes(annotations[awsAnnotations.targetGroupAttributes])["preserve_client_ip.enabled"] === "true";
}

function parsed(text: string | undefined): unknown {
    try {
        return JSON.parse(text ?? "");
    } catch {
        return undefined;
    }
}

/** The edge's security policies, in the order the pack lists them. */
export const edgeSecurityPolicies = [pathsInheritAllowlist, hstsOnlyFromController, routesAvoidControlPlane, admissionWebhookIsolated, forwardedHeadersNotTrusted, edgeKeepsClientAddress] as const;
