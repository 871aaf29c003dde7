import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createServiceMonitor } from "../observability/service-monitor";
import {
    chartArgs,
    crossNetworkGatewaySpec,
    isIpv4,
    istioNamespace,
    istiodGatewaySpec,
    istiodVirtualServiceSpec,
    primaryBaseValues,
    primaryIstiodValues,
    type ChartSource,
    type Resources,
} from "./charts";
import { crdReleaseOptions, heldNamespaceOptions, type Disposable } from "../lifecycle";
import { awaitedRelease, releaseTimeouts } from "../release-bounds";
import { EastWestGateway, type EastWestSettings } from "./east-west-gateway";

/** An intermediate CA plugged into istiod (Secret `cacerts`); every field is a secret. */
export interface PluginCa {
    /** `ca-cert.pem`: the intermediate CA's certificate. */
    readonly cert: pulumi.Output<string>;
    /** `ca-key.pem`: its private key. */
    readonly key: pulumi.Output<string>;
    /** `root-cert.pem`: the root every cluster trusts. */
    readonly rootCert: pulumi.Output<string>;
    /** `cert-chain.pem`: intermediate to root. */
    readonly certChain: pulumi.Output<string>;
}

/** Arguments of {@link IstioPrimary}. */
export interface IstioPrimaryArgs extends Disposable {
    /** This cluster's name in the mesh (`global.multiCluster.clusterName`). */
    readonly clusterName: string;
    /** This cluster's network (`global.network`, namespace label). */
    readonly network: string;
    /** The mesh id (`global.meshID`). */
    readonly meshId: string;
    /** Where the Istio charts come from, and the one exact version of all of them. */
    readonly chart: ChartSource;
    /** istiod's high availability and resources. */
    readonly istiod: {
        /** Replicas (at least 3 on a primary). */
        readonly replicas: number;
        /** `pdb.minAvailable` of the chart's own PodDisruptionBudget. */
        readonly pdbMinAvailable: number;
        /** Requests and limits. */
        readonly resources: Resources;
        /** Extra DNS names for istiod's serving certificate. */
        readonly customHosts: readonly string[];
    };
    /** The east-west gateway. */
    readonly eastWest: EastWestSettings;
    /**
     * The mesh-wide mutual TLS mode: the PeerAuthentication `default` in istio-system (the
     * root namespace), which applies to every workload of every cluster of the mesh.
     * @default "PERMISSIVE"
     */
    readonly mtlsMode?: "PERMISSIVE" | "STRICT";
    /**
     * An intermediate CA to plug in.
     * @default undefined: istiod's self-signed CA
     */
    readonly pluginCa?: PluginCa;
    /**
     * Create a ServiceMonitor for istiod (needs the Prometheus Operator's CRDs).
     * @default true
     */
    readonly monitoring?: boolean;
    /**
     * Resources istiod waits for besides `base` and the plug-in CA, such as the Gateway API
     * CRDs (istiod reads them when it starts).
     * @default []
     */
    readonly istiodDependsOn?: readonly pulumi.Input<pulumi.Resource>[];
}

/**
 * The names istiod's serving certificate covers besides its Service (`ISTIOD_CUSTOM_HOST`,
 * comma-separated): the configured ones and the load balancer's hostname (not an IP).
 */
export function customHostsFor(configured: readonly string[], address: string): string {
    return [...new Set([...configured, ...(isIpv4(address) ? [] : [address])])].join(",");
}

/**
 * The mesh-wide PeerAuthentication: `default` in the root namespace, no selector, so it
 * sets the mode of every workload that no narrower PeerAuthentication covers. Never
 * `DISABLE` (the policy `mesh-mtls-not-disabled` refuses that too).
 */
export function meshMtlsObject(mode: "PERMISSIVE" | "STRICT"): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
    return { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: istioNamespace }, spec: { mtls: { mode } } };
}

/**
 * The mesh's control plane on the primary cluster: `istio-system` labelled with the
 * network, the optional plug-in CA, Istio's `base` and an HA `istiod` that also controls
 * remote clusters, the east-west gateway, the cross-network Gateway, istiod exposed to
 * remotes through the east-west gateway, and istiod's ServiceMonitor.
 *
 * Ordering: the namespace first; `base` and the plug-in CA before istiod; the east-west
 * load balancer Service in parallel with them (its address goes into istiod's certificate);
 * istiod before the gateway's pods and before every Istio custom resource. The
 * ServiceMonitor waits for nothing.
 */
export class IstioPrimary extends pulumi.ComponentResource {
    /** The `istio-system` namespace. */
    public readonly namespace: k8s.core.v1.Namespace;
    /** The istiod Release (awaited: its pods are ready when it is). */
    public readonly istiod: k8s.helm.v3.Release;
    /** The east-west gateway. */
    public readonly eastWest: EastWestGateway;
    /** Where remotes reach istiod and the mesh: the east-west load balancer's address. */
    public readonly discoveryAddress: pulumi.Output<string>;
    /**
     * The mesh's root certificate (PEM). A certificate is public: it is not a secret even
     * when it came in with the plug-in CA's secret settings.
     */
    public readonly caRootCert: pulumi.Output<string>;

    constructor(name: string, args: IstioPrimaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:mesh:IstioPrimary", name, {}, opts);

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: istioNamespace, labels: { "topology.istio.io/network": args.network } } },
            { parent: this, ...heldNamespaceOptions(args) },
        );
        const namespace = this.namespace.metadata.name;

        const cacerts =
            args.pluginCa !== undefined
                ? new k8s.core.v1.Secret(
                      `${name}-cacerts`,
                      {
                          metadata: { name: "cacerts", namespace },
                          type: "Opaque",
                          stringData: {
                              "ca-cert.pem": args.pluginCa.cert,
                              "ca-key.pem": args.pluginCa.key,
                              "root-cert.pem": args.pluginCa.rootCert,
                              "cert-chain.pem": args.pluginCa.certChain,
                          },
                      },
                      { parent: this },
                  )
                : undefined;

        const base = new k8s.helm.v3.Release(
            `${name}-base`,
            { name: "istio-base", namespace, ...chartArgs(args.chart, "base"), values: primaryBaseValues(), ...awaitedRelease(releaseTimeouts.istioBase) },
            { parent: this, ...crdReleaseOptions(args) },
        );

        // istiod is created below, after the gateway whose address it needs; the gateway's
        // Release waits for it through this promise.
        let istiodCreated: (release: k8s.helm.v3.Release) => void = () => undefined;
        const istiodPromise = new Promise<k8s.helm.v3.Release>((resolve) => {
            istiodCreated = resolve;
        });

        this.eastWest = new EastWestGateway(
            `${name}-eastwest`,
            {
                namespace,
                network: args.network,
                chart: args.chart,
                ...args.eastWest,
                releaseDependsOn: [istiodPromise],
            },
            { parent: this },
        );
        this.discoveryAddress = this.eastWest.address;

        // Remotes whose discovery address is a hostname call istiod's webhooks by that name
        // (istiodRemote.injectionURL), so istiod's certificate must cover it. Only this one
        // value waits for the load balancer; the rest of istiod's values are known at once.
        const customHosts = this.eastWest.address.apply((address) => customHostsFor(args.istiod.customHosts, address));

        this.istiod = new k8s.helm.v3.Release(
            `${name}-istiod`,
            {
                name: "istiod",
                namespace,
                ...chartArgs(args.chart, "istiod"),
                values: {
                    ...primaryIstiodValues({
                        meshId: args.meshId,
                        clusterName: args.clusterName,
                        network: args.network,
                        replicas: args.istiod.replicas,
                        pdbMinAvailable: args.istiod.pdbMinAvailable,
                        resources: args.istiod.resources,
                    }),
                    env: { ISTIOD_CUSTOM_HOST: customHosts },
                },
                ...awaitedRelease(releaseTimeouts.istiod),
            },
            { parent: this, dependsOn: [base, ...(cacerts !== undefined ? [cacerts] : []), ...(args.istiodDependsOn ?? [])] },
        );
        istiodCreated(this.istiod);

        const afterIstiod = { parent: this, dependsOn: [this.istiod] };
        new k8s.apiextensions.CustomResource(
            `${name}-cross-network-gateway`,
            { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "cross-network-gateway", namespace }, spec: crossNetworkGatewaySpec() },
            afterIstiod,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-istiod-gateway`,
            { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "istiod-gateway", namespace }, spec: istiodGatewaySpec() },
            afterIstiod,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-istiod-virtualservice`,
            { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "istiod-vs", namespace }, spec: istiodVirtualServiceSpec("istiod-gateway") },
            afterIstiod,
        );

        new k8s.apiextensions.CustomResource(`${name}-mesh-mtls`, meshMtlsObject(args.mtlsMode ?? "PERMISSIVE"), afterIstiod);

        if (args.monitoring ?? true) {
            createServiceMonitor(
                `${name}-istiod-monitor`,
                { name: "istiod", namespace, selector: { app: "istiod", istio: "pilot" }, port: "http-monitoring", path: "/metrics", interval: "15s" },
                { parent: this },
            );
        }

        // The plug-in root is known from configuration. With the self-signed CA, istiod
        // writes the root into istio-ca-root-cert once it runs; the read's id comes from the
        // Release's status, which a preview on a fresh cluster does not know yet, so nothing
        // reads an object that does not exist.
        this.caRootCert =
            args.pluginCa !== undefined
                ? pulumi.unsecret(args.pluginCa.rootCert)
                : pulumi.output(
                      k8s.core.v1.ConfigMap.get(`${name}-ca-root-cert`, pulumi.interpolate`${this.istiod.status.namespace}/istio-ca-root-cert`, afterIstiod).data.apply(
                          (data) => {
                              const pem = data["root-cert.pem"];
                              if (pem === undefined) throw new pulumi.RunError("ConfigMap istio-system/istio-ca-root-cert has no root-cert.pem; is istiod running?");
                              return pem;
                          },
                      ),
                  );

        this.registerOutputs({ discoveryAddress: this.discoveryAddress, caRootCert: this.caRootCert });
    }
}
