import { GatewayApiCrds } from "../components/edge/gateway-api-crds";
import type { ClusterProviders } from "../components/providers";
import type { Settings } from "../config/registry";
import { edgeDeployment } from "../config/settings/gateway-api";

/**
 * The Gateway API CRDs of the primary's cluster, when its edge includes the Gateway API
 * edge and it serves hosts: created first, because istiod and cert-manager read them when
 * they start (stacks/primary.ts passes them to both).
 */
export function gatewayApiCrdsFor(settings: Settings, providers: ClusterProviders): GatewayApiCrds | undefined {
    if (!edgeDeployment(settings.edgeImplementation).gatewayApi || settings.edgeHosts.length === 0) return undefined;
    return new GatewayApiCrds("gateway-api-crds", { version: settings.gatewayApiVersion, sha256: settings.gatewayApiCrdsSha256, disposable: settings.clusterDisposable }, { providers: { kubernetes: providers.kubernetes } });
}
