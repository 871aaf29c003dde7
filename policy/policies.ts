import type { Policy } from "@pulumi/policy";
import { gatewayApiPolicies } from "./gateway-api";
import { noNodePortServices } from "./kubernetes";
import { explicitProviders } from "./providers";
import { helmReleasePinned } from "./supply-chain";

/**
 * Every policy of the pack, grouped by area. The pack itself is built only in
 * policy/index.ts (building a PolicyPack starts its server); the offline plan and
 * `npm run policy` run these same objects.
 */
export const policies: readonly Policy[] = [
    // Providers and supply chain
    explicitProviders,
    helmReleasePinned,
    // Kubernetes
    noNodePortServices,
    // ---- Gateway API edge (policy/gateway-api.ts): TLS, redirect, HSTS, allowlists, rate limits, CRDs, WAF ----
    ...gatewayApiPolicies,
];
