/**
 * The cluster's control plane as the edge must never expose it: the namespaces whose
 * Services a public host must not route to, and why. Shared by the settings
 * (config/settings/edge-security.ts) and the policy `routes-avoid-control-plane`.
 */

/** Namespaces of the cluster's control plane, and why each is one (the edge's own namespace is added by the callers). */
export const controlPlaneNamespaces: Readonly<Record<string, string>> = {
    "kube-system": "the Kubernetes control plane's namespace",
    "kube-public": "a Kubernetes system namespace",
    "kube-node-lease": "a Kubernetes system namespace",
    "istio-system": "istiod's namespace (its plain-text and webhook ports)",
    "cert-manager": "cert-manager's namespace (its webhook and controller)",
};

/** Why a backend is part of the control plane, or undefined when it is not. */
export function controlPlaneReason(namespace: string, service: string, edgeNamespaces: readonly string[], protectedNamespaces: Readonly<Record<string, string>> = controlPlaneNamespaces): string | undefined {
    if (namespace === "default" && service === "kubernetes") return "the Kubernetes API server's Service";
    if (edgeNamespaces.includes(namespace)) return "the edge's own namespace (its controller, admission webhook and certificates)";
    return protectedNamespaces[namespace];
}
