import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartArgs, crossNetworkGatewaySpec, istioNamespace, remoteBaseValues, remoteIstiodValues, type ChartSource } from "./charts";
import { crdReleaseOptions, heldNamespaceOptions, type Disposable } from "../lifecycle";
import { awaitedRelease, releaseTimeouts } from "../release-bounds";
import { EastWestGateway, type EastWestSettings } from "./east-west-gateway";

/** The service account whose token the primary's istiod uses to read this cluster (made by `base`). */
export const readerServiceAccount = "istio-reader-service-account";

/** Arguments of {@link IstioRemote}. */
export interface IstioRemoteArgs extends Disposable {
    /** This cluster's name in the mesh; also the name of its remote secret on the primary. */
    readonly clusterName: string;
    /** This cluster's network. */
    readonly network: string;
    /** The primary's cluster name (`topology.istio.io/controlPlaneClusters`). */
    readonly primaryClusterName: string;
    /** The primary's discovery address (its east-west load balancer's IP or hostname). */
    readonly discoveryAddress: string;
    /** How the webhooks reach istiod: `auto` picks `path` for an IP, `url` for a hostname. */
    readonly injection: "auto" | "path" | "url";
    /** An explicit injection webhook URL; empty to derive it. */
    readonly injectionUrl: string;
    /** The mesh's root certificate (PEM, public), trusted by the injection and validation webhooks from the first run. */
    readonly caRootCert: string;
    /** Where the Istio charts come from (the primary's version). */
    readonly chart: ChartSource;
    /** This cluster's east-west gateway. */
    readonly eastWest: EastWestSettings;
}

/**
 * Istio's remote profile on a remote cluster: no istiod of its own, its webhooks and
 * proxies pointed at the primary's istiod through the primary's east-west gateway; the
 * cluster's own east-west gateway and cross-network Gateway (every network of a
 * multi-network mesh needs one); and the token Secret of `istio-reader-service-account`
 * that the primary's remote secret carries.
 */
export class IstioRemote extends pulumi.ComponentResource {
    /** The `istio-system` namespace, annotated with its control plane cluster. */
    public readonly namespace: k8s.core.v1.Namespace;
    /** The istiod chart's Release in the remote profile (no pods). */
    public readonly istiod: k8s.helm.v3.Release;
    /** This cluster's east-west gateway. */
    public readonly eastWest: EastWestGateway;
    /** The reader service account's bearer token, as a secret. */
    public readonly readerToken: pulumi.Output<string>;

    constructor(name: string, args: IstioRemoteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:mesh:IstioRemote", name, {}, opts);

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: istioNamespace,
                    labels: { "topology.istio.io/network": args.network },
                    annotations: { "topology.istio.io/controlPlaneClusters": args.primaryClusterName },
                },
            },
            { parent: this, ...heldNamespaceOptions(args) },
        );
        const namespace = this.namespace.metadata.name;
        const options = {
            clusterName: args.clusterName,
            network: args.network,
            discoveryAddress: args.discoveryAddress,
            injection: args.injection,
            injectionUrl: args.injectionUrl,
            caRootCert: args.caRootCert,
        };

        const base = new k8s.helm.v3.Release(
            `${name}-base`,
            { name: "istio-base", namespace, ...chartArgs(args.chart, "base"), values: remoteBaseValues(options), ...awaitedRelease(releaseTimeouts.istioBase) },
            { parent: this, ...crdReleaseOptions(args) },
        );
        this.istiod = new k8s.helm.v3.Release(
            `${name}-istiod`,
            {
                name: "istiod",
                namespace,
                ...chartArgs(args.chart, "istiod"),
                values: remoteIstiodValues(options),
                ...awaitedRelease(releaseTimeouts.istiodRemote),
            },
            { parent: this, dependsOn: [base] },
        );

        // The token controller fills the Secret asynchronously: wait for .data.token.
        const token = new k8s.core.v1.Secret(
            `${name}-reader-token`,
            {
                metadata: {
                    name: `${readerServiceAccount}-token`,
                    namespace,
                    annotations: { "kubernetes.io/service-account.name": readerServiceAccount, "pulumi.com/waitFor": "jsonpath={.data.token}" },
                },
                type: "kubernetes.io/service-account-token",
            },
            { parent: this, dependsOn: [base] },
        );
        this.readerToken = pulumi.secret(
            token.data.apply((data) => {
                const encoded = data["token"];
                if (encoded === undefined) throw new pulumi.RunError(`Secret ${istioNamespace}/${readerServiceAccount}-token has no token; is the token controller running?`);
                return Buffer.from(encoded, "base64").toString("utf8");
            }),
        );

        this.eastWest = new EastWestGateway(
            `${name}-eastwest`,
            { namespace, network: args.network, chart: args.chart, ...args.eastWest, releaseDependsOn: [this.istiod], awaitPods: false },
            { parent: this },
        );

        new k8s.apiextensions.CustomResource(
            `${name}-cross-network-gateway`,
            { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "cross-network-gateway", namespace }, spec: crossNetworkGatewaySpec() },
            { parent: this, dependsOn: [this.istiod] },
        );

        this.registerOutputs({ readerToken: this.readerToken, eastWestAddress: this.eastWest.address });
    }
}
