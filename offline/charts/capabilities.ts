import type { RecordedResource } from "../engine";
import { groupOf, isBuiltinGroup } from "./objects";

/**
 * The cluster a render pretends to talk to. A chart's templates may branch on
 * `.Capabilities.KubeVersion` and `.Capabilities.APIVersions`; `helm template` without a
 * cluster uses Helm's built-in defaults (Helm 4.1.4: Kubernetes v1.35.0 and the built-in
 * API groups only), which differ between Helm builds, so every render names them.
 */

/**
 * The Kubernetes version charts are rendered for. 1.34 is inside the range Istio 1.30
 * supports, above cert-manager v1.21's (>= 1.22) and ingress-nginx 4.15's (>= 1.21)
 * minimums, and past every version switch in the pinned charts (ingress-nginx:
 * `trafficDistribution` from 1.31, `resizePolicy` from 1.33; the Istio and cert-manager
 * charts do not branch on it), so a render is the same for any cluster from 1.33 on.
 */
export const renderKubeVersion = "1.34.0";

/** What a render passes as `--kube-version` and `--api-versions`. */
export interface Capabilities {
    readonly kubeVersion: string;
    /** `group/version` and `group/version/Kind` of custom APIs the cluster serves, sorted. */
    readonly apiVersions: readonly string[];
}

/**
 * The capabilities of a stack's cluster: {@link renderKubeVersion}, and every custom API
 * the program itself creates objects of (as `group/version` and `group/version/Kind`; the
 * cluster must serve them, or `pulumi up` fails). With monitoring on, for instance, the
 * program's ServiceMonitors make `monitoring.coreos.com/v1` available, as in the real
 * cluster, where the Prometheus Operator serves it. Built-in APIs are Helm's own defaults.
 */
export function capabilitiesOf(resources: readonly RecordedResource[]): Capabilities {
    const apis = new Set<string>();
    for (const r of resources) {
        const m = /^kubernetes:([^:/]+)\/([^:]+):([^:]+)$/.exec(r.type);
        if (!m || !r.custom || r.type.startsWith("kubernetes:helm.sh/") || r.type.startsWith("kubernetes:yaml/")) continue;
        const [, group, version, kind] = m;
        if (group === "core" || isBuiltinGroup(groupOf(`${group}/${version}`))) continue;
        apis.add(`${group}/${version}`);
        apis.add(`${group}/${version}/${kind}`);
    }
    return { kubeVersion: renderKubeVersion, apiVersions: [...apis].sort() };
}
