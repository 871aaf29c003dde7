import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    allowlistPolicyObject,
    clientAddressOf,
    gatewayObject,
    hstsValue,
    httpRouteObject,
    optionsConfigMapObject,
    rateLimitFilterObject,
    redirectRouteObject,
    wafPluginObject,
    type GatewayHost,
    type GatewayOptions,
} from "./gateway-api-objects";
import { heldNamespaceOptions, type Disposable } from "../lifecycle";
import type { RouteGroup } from "./routing";

/** The warning the program gives when the Gateway API edge enforces a WAF. */
export const corazaWarning =
    "The Gateway API edge enforces the WAF with Coraza proxy-wasm (a WasmPlugin): last release 0.5.0, known memory growth and latency with the full CRS, " +
    "and fail-closed: if the gateway cannot fetch or run the module, every host on the Gateway answers 5xx. Watch the gateway's memory and latency, and mirror the module (edgeCorazaWasmUrl).";

/** Arguments of {@link GatewayApiEdge}. */
export interface GatewayApiEdgeArgs extends GatewayOptions, Disposable {
    /** The namespace already exists (the NGINX edge created it); otherwise it is created here. */
    readonly namespaceExists: boolean;
    /** The hosts, each with its certificate's Secret in the Gateway's namespace. */
    readonly hosts: readonly GatewayHost[];
    /** The groups of paths (components/edge/routing.ts); each becomes one HTTPRoute. */
    readonly groups: readonly RouteGroup[];
    /** HSTS, set on every response of the HTTPS listeners. */
    readonly hsts: { readonly maxAgeSeconds: number; readonly includeSubdomains: boolean; readonly preload: boolean };
    /** ModSecurity-equivalent mode for profiles with `waf: true`. */
    readonly wafMode: "off" | "detection-only" | "blocking";
    /** The Coraza proxy-wasm module (oci:// or https://). */
    readonly corazaUrl: string;
    /** The module's SHA-256 (WasmPlugin `sha256`). */
    readonly corazaSha256: string;
    /** The Gateway API CRDs (every Gateway API object waits for them). */
    readonly crds: pulumi.Input<pulumi.Resource>;
    /** Istio's control plane: its CRDs (AuthorizationPolicy, EnvoyFilter, WasmPlugin) and the controller that deploys the Gateway. */
    readonly controlPlane?: pulumi.Input<pulumi.Resource>;
    /** Resources the Gateway waits for besides those (the namespace of an existing edge, the certificates). */
    readonly gatewayDependsOn?: readonly pulumi.Input<pulumi.Resource>[];
    /**
     * How long `pulumi up` waits for the Gateway to be Programmed (a new load balancer).
     * @default "15m"
     */
    readonly readyTimeout?: string;
}

/**
 * The Gateway API edge of one cluster, implemented by Istio: the options ConfigMap and the
 * Gateway (istiod deploys `edge-istio`: Deployment, LoadBalancer Service, HPA, PDB), one
 * HTTPRoute per group of paths, the HTTP-to-HTTPS redirect, and the security settings as
 * Istio policies attached to the Gateway: allowlists (AuthorizationPolicy), rate limits
 * (EnvoyFilter, local rate limiting) and the WAF (Coraza WasmPlugin).
 */
export class GatewayApiEdge extends pulumi.ComponentResource {
    /** The Gateway. */
    public readonly gateway: k8s.apiextensions.CustomResource;
    /** The HTTPRoutes, by `<namespace>/<name>`. */
    public readonly routes: Readonly<Record<string, k8s.apiextensions.CustomResource>>;
    /** The load balancer's hostname, from the Gateway's status once Programmed ("" when it has none). */
    public readonly loadBalancerHostname: pulumi.Output<string>;
    /** The load balancer's address, from the Gateway's status once Programmed ("" when it has none). */
    public readonly loadBalancerIp: pulumi.Output<string>;

    constructor(name: string, args: GatewayApiEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:edge:GatewayApiEdge", name, {}, opts);
        const namespaceDeps: pulumi.Input<pulumi.Resource>[] = [];
        if (!args.namespaceExists) namespaceDeps.push(new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: args.namespace } }, { parent: this, ...heldNamespaceOptions(args) }));
        const gatewayApi = { parent: this, dependsOn: [args.crds, ...namespaceDeps] };
        const istio = { parent: this, dependsOn: [...namespaceDeps, ...(args.controlPlane ? [args.controlPlane] : [])] };

        const options = new k8s.core.v1.ConfigMap(`${name}-options`, optionsConfigMapObject(args), { parent: this, dependsOn: namespaceDeps });
        this.gateway = new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            // `status` is declared so that the resource exposes it (the load balancer's address).
            { ...gatewayObject(args), status: undefined } as unknown as k8s.apiextensions.CustomResourceArgs,
            {
                ...gatewayApi,
                dependsOn: [...gatewayApi.dependsOn, options, ...istio.dependsOn, ...(args.gatewayDependsOn ?? [])],
                customTimeouts: { create: args.readyTimeout ?? "15m", update: args.readyTimeout ?? "15m" },
            },
        );

        const hsts = hstsValue(args.hsts);
        const routes: Record<string, k8s.apiextensions.CustomResource> = {};
        for (const group of args.groups) {
            routes[`${group.namespace}/${group.name}`] = new k8s.apiextensions.CustomResource(
                `${name}-${group.namespace}-${group.name}`,
                httpRouteObject(group, { gatewayNamespace: args.namespace, hsts }) as k8s.apiextensions.CustomResourceArgs,
                { parent: this, dependsOn: [args.crds] },
            );
        }
        routes[`${args.namespace}/https-redirect`] = new k8s.apiextensions.CustomResource(
            `${name}-https-redirect`,
            redirectRouteObject(args.namespace) as k8s.apiextensions.CustomResourceArgs,
            gatewayApi,
        );
        this.routes = routes;

        const clientAddress = clientAddressOf(args);
        const allowlist = allowlistPolicyObject(args.groups, { namespace: args.namespace, clientAddress });
        if (allowlist) new k8s.apiextensions.CustomResource(`${name}-allowlist`, allowlist as k8s.apiextensions.CustomResourceArgs, istio);
        const rateLimits = rateLimitFilterObject(args.groups, args.namespace);
        if (rateLimits) new k8s.apiextensions.CustomResource(`${name}-local-ratelimit`, rateLimits as k8s.apiextensions.CustomResourceArgs, istio);
        const waf = wafPluginObject(args.groups, { namespace: args.namespace, url: args.corazaUrl, sha256: args.corazaSha256, mode: args.wafMode });
        if (waf) {
            void pulumi.log.warn(corazaWarning, this);
            new k8s.apiextensions.CustomResource(`${name}-coraza`, waf as k8s.apiextensions.CustomResourceArgs, istio);
        }

        const addresses = (this.gateway as unknown as { status: pulumi.Output<{ addresses?: { type?: string; value: string }[] } | undefined> }).status.apply((s) => s?.addresses ?? []);
        this.loadBalancerHostname = addresses.apply((list) => list.find((a) => (a.type ?? "IPAddress") === "Hostname")?.value ?? "");
        this.loadBalancerIp = addresses.apply((list) => list.find((a) => (a.type ?? "IPAddress") === "IPAddress")?.value ?? "");
        this.registerOutputs({ namespace: args.namespace, clientAddress, loadBalancerHostname: this.loadBalancerHostname });
    }
}
