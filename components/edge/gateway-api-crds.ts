import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { crdManifestOptions, type Disposable } from "../lifecycle";

/**
 * The standard-channel manifest of a Gateway API release, as kubernetes-sigs/gateway-api
 * publishes it with every release (`standard-install.yaml`: the CRDs of Gateway,
 * GatewayClass, HTTPRoute, GRPCRoute, ReferenceGrant, TLSRoute, ListenerSet and
 * BackendTLSPolicy, and since v1.5 the `safe-upgrades.gateway.networking.k8s.io`
 * ValidatingAdmissionPolicy that refuses experimental CRDs over standard ones and
 * downgrades below 1.5).
 */
export function standardInstallUrl(version: string): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/** Arguments of {@link GatewayApiCrds}. */
export interface GatewayApiCrdsArgs extends Disposable {
    /** The Gateway API release (`v1.5.1`), the one the Istio version is built against. */
    readonly version: string;
}

/**
 * The Gateway API CRDs (standard channel) of one cluster, applied from the release's
 * pinned manifest when `pulumi up` runs (the provider fetches the URL; an offline plan
 * shows the manifest it would apply). They are retained when the stack stops using them:
 * deleting a CRD deletes every object of its kind in the cluster, including other teams'
 * (the Gateway API's CRD management guide: implementations must never remove the CRDs).
 * istiod and cert-manager depend on this component, because both read the CRDs when they
 * start (cert-manager's controller fails to start without them once its Gateway API
 * support is on).
 */
export class GatewayApiCrds extends pulumi.ComponentResource {
    /** The manifest the provider applies. */
    public readonly manifest: k8s.yaml.v2.ConfigFile;

    constructor(name: string, args: GatewayApiCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:edge:GatewayApiCrds", name, {}, opts);
        this.manifest = new k8s.yaml.v2.ConfigFile(`${name}-standard`, { file: standardInstallUrl(args.version) }, { parent: this, ...crdManifestOptions(args) });
        this.registerOutputs({ version: args.version, manifest: standardInstallUrl(args.version) });
    }
}
