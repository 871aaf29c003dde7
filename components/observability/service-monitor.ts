import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** What a ServiceMonitor scrapes. */
export interface ServiceMonitorOptions {
    /** Name of the ServiceMonitor. */
    readonly name: string;
    /** Namespace of the ServiceMonitor and of the Services it selects. */
    readonly namespace: pulumi.Input<string>;
    /** Labels of the Services to scrape. */
    readonly selector: Readonly<Record<string, string>>;
    /** The Service port's name. */
    readonly port: string;
    /** The metrics path. */
    readonly path: string;
    /** The scrape interval, e.g. `15s`. */
    readonly interval: string;
}

/** The ServiceMonitor object (Prometheus Operator, `monitoring.coreos.com/v1`). */
export function serviceMonitorArgs(o: ServiceMonitorOptions): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: o.name, namespace: o.namespace },
        spec: {
            namespaceSelector: { matchNames: [o.namespace] },
            selector: { matchLabels: { ...o.selector } },
            endpoints: [{ port: o.port, path: o.path, interval: o.interval }],
        },
    };
}

/**
 * A Prometheus Operator ServiceMonitor. The cluster needs the operator's CRDs; stacks
 * create it only when `monitoringEnabled` is true.
 */
export function createServiceMonitor(resourceName: string, o: ServiceMonitorOptions, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(resourceName, serviceMonitorArgs(o), opts);
}
