import type { Policy } from "@pulumi/policy";
import { iamNoWildcardActions, route53ChangeScoped, trustBoundToOneServiceAccount } from "./dns-iam";
import { allowlistAnnotationName, edgeControllerHardened, ingressHttpsRedirect, ingressNginxRetired, ingressTlsEveryHost, noOpenAllowlist, noSnippetAnnotations, publicHostsRateLimited } from "./edge";
import { loadBalancerNlbIpTargets, noNodePortServices, noOverlappingPdbs, workloadResourcesSet } from "./kubernetes";
import { crossNetworkGatewayAutoPassthrough, istiodExposurePassthrough, istiodHighAvailability, istioValuesNotIgnored, meshClusterNamesMatch, remoteSecretShape } from "./mesh";
import { edgeSecurityPolicies } from "./edge-security";
import { gatewayApiPolicies } from "./gateway-api";
import { crdReleasesProtected } from "./lifecycle";
import { meshExposurePolicies } from "./mesh-exposure";
import { explicitProviders } from "./providers";
import { dnsRecordsTargetStackLoadBalancers, ingressTlsHostsCertified } from "./stack";
import { helmReleasePinned } from "./supply-chain";
import { acmeProductionOnlyWhenChosen, issuerNoInlineAwsKeys, oneCertificatePerIdentifierSet, wildcardNeedsDns01 } from "./tls";

/**
 * Every policy of the pack, grouped by area. The pack itself is built only in
 * policy/index.ts (building a PolicyPack starts its server); the offline plan and
 * `npm run policy` run these same objects.
 */
export const policies: readonly Policy[] = [
    // Providers and supply chain
    explicitProviders,
    helmReleasePinned,
    // Lifecycle
    crdReleasesProtected,
    // Kubernetes
    noNodePortServices,
    loadBalancerNlbIpTargets,
    workloadResourcesSet,
    noOverlappingPdbs,
    // Mesh
    istiodHighAvailability,
    istioValuesNotIgnored,
    crossNetworkGatewayAutoPassthrough,
    istiodExposurePassthrough,
    remoteSecretShape,
    meshClusterNamesMatch,
    // TLS
    wildcardNeedsDns01,
    issuerNoInlineAwsKeys,
    acmeProductionOnlyWhenChosen,
    oneCertificatePerIdentifierSet,
    // Edge
    ingressTlsEveryHost,
    ingressHttpsRedirect,
    noSnippetAnnotations,
    allowlistAnnotationName,
    noOpenAllowlist,
    publicHostsRateLimited,
    edgeControllerHardened,
    ingressNginxRetired,
    // DNS and IAM
    iamNoWildcardActions,
    route53ChangeScoped,
    trustBoundToOneServiceAccount,
    // Stack
    ingressTlsHostsCertified,
    dnsRecordsTargetStackLoadBalancers,
    // ---- Gateway API edge (policy/gateway-api.ts): TLS, redirect, HSTS, allowlists, rate limits, CRDs, WAF ----
    ...gatewayApiPolicies,
    // ---- Edge security on both edges (policy/edge-security.ts) and the mesh's exposure (policy/mesh-exposure.ts) ----
    ...edgeSecurityPolicies,
    ...meshExposurePolicies,
];
