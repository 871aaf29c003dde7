import { gatewayObject, httpRouteObject } from "../../components/edge/gateway-api-objects";
import { routeGroups } from "../../components/edge/routing";

/**
 * The Gateway API edge's design that the gateway-api specs judge, built by the edge's own
 * object functions: two hosts (a public one rate-limited at 10 rps, an allowlisted one with a
 * WAF) behind one Gateway in istio-ingress.
 */

/** The type tokens of the objects the rules read. */
export const gatewayApiTypes = {
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    grpcRoute: "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute",
    authz: "kubernetes:security.istio.io/v1:AuthorizationPolicy",
    envoyFilter: "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter",
    wasm: "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin",
    configGroup: "kubernetes:yaml/v2:ConfigGroup",
    configFile: "kubernetes:yaml/v2:ConfigFile",
} as const;

/** The route groups: [0] api.example.com (public), [1] admin.example.com (internal). */
export const designGroups = routeGroups({
    hosts: [
        { host: "api.example.com", namespace: "api", profile: "public", paths: [{ path: "/v1", service: "api-v1", port: 80 }] },
        { host: "admin.example.com", namespace: "admin", profile: "internal", paths: [{ path: "/", service: "admin", port: 80 }] },
    ],
    profiles: [
        { name: "public", rps: 10, burstMultiplier: 5 },
        { name: "internal", allowlist: ["10.0.0.0/8"], waf: true },
    ],
    certificates: [{ name: "example-com", dnsNames: ["*.example.com"] }],
    edgeNamespace: "istio-ingress",
});

/** The HSTS header the edge's routes set by default. */
export const designHsts = "max-age=31536000; includeSubDomains";

/** The Gateway's props (a fresh copy each time). */
export const designGatewayProps = (): any =>
    gatewayObject({
        namespace: "istio-ingress",
        loadBalancer: "aws-nlb",
        serviceAnnotations: {},
        autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 },
        resources: { cpuRequest: "500m", memoryRequest: "512Mi", cpuLimit: "1", memoryLimit: "1Gi" },
        hosts: [
            { host: "api.example.com", secretName: "example-com-tls", routeNamespaces: ["api"] },
            { host: "admin.example.com", secretName: "example-com-tls", routeNamespaces: ["admin"] },
        ],
    });

/** The HTTPRoute props of route group `i`, with the HSTS header given. */
export const designRouteProps = (i: number, hsts: string = designHsts): any => httpRouteObject(designGroups[i]!, { gatewayNamespace: "istio-ingress", hsts });
