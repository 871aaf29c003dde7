import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    chartArgs,
    eastWestGatewayLabel,
    eastWestGatewayName,
    eastWestGatewayPorts,
    eastWestGatewayValues,
    loadBalancerAddress,
    type ChartSource,
} from "./charts";
import { awaitedRelease, releaseTimeouts, unawaitedRelease } from "../release-bounds";

/** How a cluster's east-west gateway is sized and exposed: the same settings on every cluster. */
export type EastWestSettings = Pick<EastWestGatewayArgs, "minReplicas" | "maxReplicas" | "serviceAnnotations" | "externalTrafficPolicy"> & {
    /** CIDR blocks allowed to reach the load balancer (empty: open). */
    readonly sourceRanges: readonly string[];
};

/** Arguments of {@link EastWestGateway}. */
export interface EastWestGatewayArgs {
    /** The namespace (`istio-system`), as created by the caller. */
    readonly namespace: pulumi.Input<string>;
    /** This cluster's network (`networkGateway`, `topology.istio.io/network`). */
    readonly network: string;
    /** Where the `gateway` chart comes from, and its exact version. */
    readonly chart: ChartSource;
    /** Minimum replicas (the HPA's `minReplicas`). */
    readonly minReplicas: number;
    /** Maximum replicas (the HPA's `maxReplicas`). */
    readonly maxReplicas: number;
    /** Annotations of the LoadBalancer Service (cloud load balancer settings). */
    readonly serviceAnnotations: Readonly<Record<string, string>>;
    /** `externalTrafficPolicy` of the Service. */
    readonly externalTrafficPolicy: "Local" | "Cluster";
    /**
     * CIDR blocks allowed to reach the load balancer.
     * @default [] (open)
     */
    readonly sourceRanges?: readonly string[];
    /**
     * Resources the gateway's Release waits for: istiod, whose webhook injects the proxies.
     * A promise is accepted, so the caller can create istiod after this component.
     */
    readonly releaseDependsOn: pulumi.Input<pulumi.Resource>[];
    /**
     * Wait until the gateway's pods are ready. A remote's gateway cannot be ready before
     * the primary holds the remote's secret (istiod rejects proxies of clusters it cannot
     * read), so remotes do not wait and the rollout primary, remote, primary completes.
     * @default true
     */
    readonly awaitPods?: boolean;
}

/** Readiness of the load balancer Service: an address assigned, whatever the endpoints. */
export const loadBalancerReady = "jsonpath={.status.loadBalancer.ingress}";

/** The east-west LoadBalancer Service, as a pure function of the arguments. */
export function eastWestServiceArgs(a: Pick<EastWestGatewayArgs, "namespace" | "network" | "serviceAnnotations" | "externalTrafficPolicy" | "sourceRanges">): k8s.core.v1.ServiceArgs {
    return {
        metadata: {
            name: eastWestGatewayName,
            namespace: a.namespace,
            // istiod finds a network's gateway by this label on a LoadBalancer Service.
            labels: { app: eastWestGatewayName, istio: eastWestGatewayLabel, "topology.istio.io/network": a.network },
            // The Service is ready once the cloud assigned an address; it does not wait for
            // the gateway's pods, so its address is known before istiod is installed.
            annotations: { ...a.serviceAnnotations, "pulumi.com/waitFor": loadBalancerReady },
        },
        spec: {
            type: "LoadBalancer",
            externalTrafficPolicy: a.externalTrafficPolicy,
            ...(a.sourceRanges !== undefined && a.sourceRanges.length > 0 ? { loadBalancerSourceRanges: [...a.sourceRanges] } : {}),
            selector: { app: eastWestGatewayName, istio: eastWestGatewayLabel },
            ports: eastWestGatewayPorts.map((p) => ({ ...p })),
        },
    };
}

/**
 * A cluster's east-west gateway: Istio's `gateway` chart as network gateway for this
 * cluster's network (at least two replicas, a PodDisruptionBudget), and the
 * LoadBalancer Service in front of it as a resource of its own, so that its address is an
 * output and its annotations are visible to policies.
 */
export class EastWestGateway extends pulumi.ComponentResource {
    /** The LoadBalancer Service. */
    public readonly service: k8s.core.v1.Service;
    /** The gateway chart's Release. */
    public readonly release: k8s.helm.v3.Release;
    /** The load balancer's hostname or IP, once assigned. */
    public readonly address: pulumi.Output<string>;

    constructor(name: string, args: EastWestGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:mesh:EastWestGateway", name, {}, opts);

        this.service = new k8s.core.v1.Service(`${name}-service`, eastWestServiceArgs(args), { parent: this });

        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: eastWestGatewayName,
                namespace: args.namespace,
                ...chartArgs(args.chart, "gateway"),
                values: eastWestGatewayValues({ network: args.network, minReplicas: args.minReplicas, maxReplicas: args.maxReplicas }),
                ...((args.awaitPods ?? true) ? awaitedRelease(releaseTimeouts.eastWestGateway) : unawaitedRelease(releaseTimeouts.eastWestGateway)),
            },
            { parent: this, dependsOn: args.releaseDependsOn },
        );

        this.address = this.service.status.apply((status) => {
            const address = loadBalancerAddress(status);
            if (address === undefined) {
                throw new pulumi.RunError(`The east-west Service ${eastWestGatewayName} has no load balancer address; check the cloud's load balancer controller.`);
            }
            return address;
        });

        this.registerOutputs({ address: this.address });
    }
}
