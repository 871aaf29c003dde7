import type * as k8s from "@pulumi/kubernetes";

/**
 * Helm values of the Istio charts, as pure functions so that tests can assert them
 * directly as well as in the plan. Every key was checked against the istio/istio charts
 * (`manifests/charts/base`, `istio-control/istio-discovery`, `gateway`) of the 1.24+
 * layout, where istiod's values are top level (`replicaCount`, `autoscaleEnabled`,
 * `affinity`, `pdb`, `resources`, `env`) and `pilot.*` is no longer read.
 */

/** The namespace every Istio chart of this program installs into. */
export const istioNamespace = "istio-system";

/** Name, release name and `istio` label of the east-west gateway, as upstream names them. */
export const eastWestGatewayName = "istio-eastwestgateway";
export const eastWestGatewayLabel = "eastwestgateway";

/** The ports of a network gateway, as the gateway chart defines them for `networkGateway`. */
export const eastWestGatewayPorts = [
    { name: "status-port", port: 15021, targetPort: 15021, protocol: "TCP" },
    { name: "tls", port: 15443, targetPort: 15443, protocol: "TCP" },
    { name: "tls-istiod", port: 15012, targetPort: 15012, protocol: "TCP" },
    { name: "tls-webhook", port: 15017, targetPort: 15017, protocol: "TCP" },
] as const;

/** Where the Istio charts come from. */
export interface ChartSource {
    /** An https:// Helm repository or an oci:// registry (e.g. `oci://registry.istio.io/release/charts`). */
    readonly repository: string;
    /** The exact chart version, the same for every Istio chart. */
    readonly version: string;
}

/** The chart reference of a Release: `repositoryOpts` for https, a full reference for oci. */
export function chartArgs(source: ChartSource, chart: "base" | "istiod" | "gateway"): Pick<k8s.helm.v3.ReleaseArgs, "chart" | "version" | "repositoryOpts"> {
    if (source.repository.startsWith("oci://")) {
        return { chart: `${source.repository.replace(/\/+$/, "")}/${chart}`, version: source.version };
    }
    return { chart, version: source.version, repositoryOpts: { repo: source.repository } };
}

/** Container requests and limits. */
export interface Resources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Values of the `base` chart on the primary. */
export function primaryBaseValues(): Record<string, unknown> {
    return { global: { externalIstiod: true } };
}

/** What the primary's istiod values are made of. */
export interface PrimaryIstiodOptions {
    readonly meshId: string;
    readonly clusterName: string;
    readonly network: string;
    readonly replicas: number;
    readonly pdbMinAvailable: number;
    readonly resources: Resources;
}

/** The labels of istiod's pods that the anti-affinity rules select. */
export const istiodPodLabels = { app: "istiod" } as const;

/**
 * istiod's rollout: one pod at a time, replaced in place. The chart's default
 * (`rollingMaxSurge: 100%`, `rollingMaxUnavailable: 25%`) rounds to 0 unavailable pods of
 * 3 and surges new pods first; under the required per-node anti-affinity those new pods
 * stay Pending on a cluster of exactly `replicaCount` nodes, no old pod is ever removed,
 * and the upgrade hangs. With `maxUnavailable: 1, maxSurge: 0` the Deployment removes one
 * old pod, its node takes the new one, and so on: the rollout progresses on exactly
 * `replicaCount` nodes and never has fewer than `replicaCount - 1` pods available, which
 * is at least `pdb.minAvailable` (the settings keep it below `replicaCount`).
 */
export const istiodRollout = { rollingMaxSurge: 0, rollingMaxUnavailable: 1 } as const;

/**
 * Values of the `istiod` chart on the primary: the mesh identity, control of remote
 * clusters (`externalIstiod`), and high availability that really takes effect: with
 * `autoscaleEnabled` false the Deployment gets `replicas: replicaCount` (otherwise the
 * HPA's `autoscaleMin` rules); a required anti-affinity puts each replica on its own
 * node, a preferred one spreads them over zones; the chart's own PodDisruptionBudget
 * (created when more than one replica is guaranteed) keeps `pdb.minAvailable`; upgrades
 * roll one pod at a time ({@link istiodRollout}).
 */
export function primaryIstiodValues(o: PrimaryIstiodOptions): Record<string, unknown> {
    return {
        global: {
            meshID: o.meshId,
            multiCluster: { clusterName: o.clusterName },
            network: o.network,
            externalIstiod: true,
        },
        autoscaleEnabled: false,
        replicaCount: o.replicas,
        ...istiodRollout,
        affinity: {
            podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                    { labelSelector: { matchLabels: { ...istiodPodLabels } }, topologyKey: "kubernetes.io/hostname" },
                ],
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: { labelSelector: { matchLabels: { ...istiodPodLabels } }, topologyKey: "topology.kubernetes.io/zone" },
                    },
                ],
            },
        },
        pdb: { minAvailable: o.pdbMinAvailable },
        resources: { requests: { ...o.resources.requests }, limits: { ...o.resources.limits } },
    };
}

/** What a remote's Istio values are made of. */
export interface RemoteIstioOptions {
    readonly clusterName: string;
    readonly network: string;
    /** The primary's discovery address: its east-west load balancer's IP or hostname. */
    readonly discoveryAddress: string;
    /** How the injection webhook reaches istiod (see {@link injectionMode}). */
    readonly injection: "auto" | "path" | "url";
    /** An explicit injection URL; empty to derive it from the discovery address. */
    readonly injectionUrl: string;
    /**
     * The mesh's root certificate (PEM), which signs the serving certificate of the
     * primary's istiod: every webhook of the remote trusts it.
     */
    readonly caRootCert: string;
}

/** True for an IPv4 address, as the istiod chart tells addresses from hostnames. */
export function isIpv4(address: string): boolean {
    return /^([0-9]*\.){3}[0-9]*$/.test(address);
}

/**
 * How the remote's webhooks reach istiod. With an IP discovery address the chart makes an
 * `istiod` Service with an EndpointSlice, and `injectionPath` works. With a hostname the
 * chart makes an ExternalName Service, which the API server cannot call for webhooks
 * (istio/istio#45014), so the webhooks need a URL (`injectionURL`, `base.validationURL`).
 */
export function injectionMode(o: Pick<RemoteIstioOptions, "discoveryAddress" | "injection" | "injectionUrl">): "path" | "url" {
    if (o.injection !== "auto") return o.injection;
    return o.injectionUrl !== "" || !isIpv4(o.discoveryAddress) ? "url" : "path";
}

/** The injection path istiod serves for a cluster and network. */
export function injectionPath(clusterName: string, network: string): string {
    return `/inject/cluster/${clusterName}/net/${network}`;
}

/** A PEM bundle as a webhook's `caBundle` (base64 of the PEM text). */
function caBundle(pem: string): string {
    return Buffer.from(pem, "utf8").toString("base64");
}

/**
 * The `base` block of a remote's `base` and `istiod` values: both charts render a
 * validating webhook from it (`istiod-default-validator` from `base`,
 * `istio-validator-istio-system` from `istiod`). The primary's istiod patches only the
 * remote's injection webhook (1.30: `initializeCluster` in
 * `pilot/pkg/serviceregistry/kube/controller/multicluster.go`), never its validators, so
 * they get the mesh root here: with `validationCABundle` the charts render the caBundle
 * and `failurePolicy: Fail`. Without it they would keep no caBundle and
 * `failurePolicy: Ignore` on install (validation fails open for good) and no
 * failurePolicy on upgrade (the API server's default, Fail, against a certificate they
 * cannot verify: every Istio config write refused).
 */
function remoteValidation(o: RemoteIstioOptions): Record<string, unknown> {
    return {
        ...(injectionMode(o) === "url" ? { validationURL: `https://${o.discoveryAddress}:15017/validate` } : {}),
        validationCABundle: caBundle(o.caRootCert),
    };
}

/** Values of the `base` chart on a remote: the remote profile and validators that trust the mesh root. */
export function remoteBaseValues(o: RemoteIstioOptions): Record<string, unknown> {
    return { profile: "remote", base: remoteValidation(o) };
}

/**
 * Values of the `istiod` chart on a remote: Istio's `remote` profile (no istiod pods;
 * the profile sets `istiodRemote.enabled`), the cluster's identity, the primary's address,
 * and the webhooks pointed at the primary's istiod through its east-west gateway. Every
 * webhook trusts the mesh root from the first run: the injection webhook through
 * `istiodRemote.injectionCABundle` (the primary's istiod patches it with the same root
 * later), the validator through `base.validationCABundle` (nothing patches it).
 */
export function remoteIstiodValues(o: RemoteIstioOptions): Record<string, unknown> {
    const path = injectionPath(o.clusterName, o.network);
    const target = injectionMode(o) === "path" ? { injectionPath: path } : { injectionURL: o.injectionUrl !== "" ? o.injectionUrl : `https://${o.discoveryAddress}:15017${path}` };
    return {
        profile: "remote",
        global: {
            multiCluster: { clusterName: o.clusterName },
            network: o.network,
            configCluster: true,
            remotePilotAddress: o.discoveryAddress,
        },
        istiodRemote: { ...target, injectionCABundle: caBundle(o.caRootCert) },
        base: remoteValidation(o),
    };
}

/** What the east-west gateway's values are made of. */
export interface EastWestGatewayOptions {
    readonly network: string;
    readonly minReplicas: number;
    readonly maxReplicas: number;
}

/**
 * Values of the `gateway` chart for the east-west gateway. The chart's own Service is
 * turned off (`service.type: None`): the program creates the LoadBalancer Service itself,
 * so that its address is an output and its annotations are visible to policies.
 */
export function eastWestGatewayValues(o: EastWestGatewayOptions): Record<string, unknown> {
    return {
        name: eastWestGatewayName,
        networkGateway: o.network,
        // The chart labels the pods with topology.istio.io/network itself (networkGateway);
        // repeating it here would give the pod template a duplicate key.
        labels: { app: eastWestGatewayName, istio: eastWestGatewayLabel },
        autoscaling: { enabled: true, minReplicas: o.minReplicas, maxReplicas: o.maxReplicas },
        podDisruptionBudget: { minAvailable: 1 },
        service: { type: "None" },
        affinity: {
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: { labelSelector: { matchLabels: { istio: eastWestGatewayLabel } }, topologyKey: "kubernetes.io/hostname" },
                    },
                ],
            },
        },
    };
}

/** The cross-network Gateway: every service of the mesh (`*.local`) through 15443, mTLS passed through. */
export function crossNetworkGatewaySpec(): Record<string, unknown> {
    return {
        selector: { istio: eastWestGatewayLabel },
        servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["*.local"] }],
    };
}

/** The Gateway that exposes istiod (discovery on 15012, webhooks on 15017) to remote clusters. */
export function istiodGatewaySpec(): Record<string, unknown> {
    return {
        selector: { istio: eastWestGatewayLabel },
        servers: [
            { port: { number: 15012, name: "tls-istiod", protocol: "TLS" }, tls: { mode: "PASSTHROUGH" }, hosts: ["*"] },
            { port: { number: 15017, name: "tls-istiodwebhook", protocol: "TLS" }, tls: { mode: "PASSTHROUGH" }, hosts: ["*"] },
        ],
    };
}

/** istiod's Service, as remotes reach it. */
export const istiodHost = `istiod.${istioNamespace}.svc.cluster.local`;

/** The VirtualService routing the exposed ports to istiod (15017 to the Service's webhook port 443). */
export function istiodVirtualServiceSpec(gatewayName: string): Record<string, unknown> {
    return {
        hosts: ["*"],
        gateways: [gatewayName],
        tls: [
            { match: [{ port: 15012, sniHosts: ["*"] }], route: [{ destination: { host: istiodHost, port: { number: 15012 } } }] },
            { match: [{ port: 15017, sniHosts: ["*"] }], route: [{ destination: { host: istiodHost, port: { number: 443 } } }] },
        ],
    };
}

/** The address of a LoadBalancer Service's first ingress: hostname (AWS) or IP. */
export function loadBalancerAddress(status: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } } | undefined): string | undefined {
    const first = status?.loadBalancer?.ingress?.[0];
    return first?.hostname ?? first?.ip;
}
