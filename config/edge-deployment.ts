/**
 * Which edges a stack runs, read from its `edgeImplementation` setting: the NGINX edge,
 * the Gateway API edge on Istio, or both side by side while a stack migrates. Its own
 * module because the TLS, edge and Gateway API settings all read it.
 */

/** The four values of `edgeImplementation`. In the two-edge values the first one gets the DNS records. */
export const edgeImplementations = ["nginx", "gateway-api", "nginx+gateway-api", "gateway-api+nginx"] as const;

/** A value of `edgeImplementation`. */
export type EdgeImplementation = (typeof edgeImplementations)[number];

/** Which edges a stack runs, and which one its DNS records point at. */
export interface EdgeDeployment {
    readonly nginx: boolean;
    readonly gatewayApi: boolean;
    /** The edge whose load balancer the records point at. */
    readonly dns: "nginx" | "gateway-api";
}

/** Reads `edgeImplementation`. */
export function edgeDeployment(implementation: EdgeImplementation): EdgeDeployment {
    const parts = implementation.split("+") as ("nginx" | "gateway-api")[];
    return { nginx: parts.includes("nginx"), gatewayApi: parts.includes("gateway-api"), dns: parts[0]! };
}
