/**
 * Kubernetes objects rendered from charts: their identity (group, kind, namespace, name),
 * their Pulumi type token, the name the plan gives them, and their scope.
 */

/** One object of a rendered chart. */
export interface RenderedObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: {
        readonly name: string;
        readonly namespace?: string;
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
        readonly [key: string]: unknown;
    };
    readonly [key: string]: unknown;
}

/** The API group of an apiVersion (`""` for the core group). */
export function groupOf(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

/**
 * What identifies an object in a cluster, whatever API version it is written in:
 * `Deployment.apps istio-system/istiod`, `ClusterRole.rbac.authorization.k8s.io istiod-clusterrole-istio-system`.
 */
export function objectKey(o: Pick<RenderedObject, "apiVersion" | "kind" | "metadata">): string {
    const group = groupOf(o.apiVersion);
    const namespaced = o.metadata.namespace !== undefined && o.metadata.namespace !== "" ? `${o.metadata.namespace}/` : "";
    return `${o.kind}${group ? `.${group}` : ""} ${namespaced}${o.metadata.name}`;
}

/** The Pulumi type token of an object's kind (`kubernetes:apps/v1:Deployment`, `kubernetes:core/v1:Service`). */
export function typeToken(o: Pick<RenderedObject, "apiVersion" | "kind">): string {
    return `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
}

/**
 * The name the plan gives a rendered object, as pulumi-kubernetes names a chart's objects
 * (`helm.v4.Chart`, `yaml.v2`): `<release resource>:<namespace>/<name>`, or
 * `<release resource>:<name>` for a cluster-scoped object.
 */
export function renderedResourceName(release: string, o: Pick<RenderedObject, "metadata">): string {
    return `${release}:${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** The Helm hook events an object runs on (`pre-install`, ...); empty for an ordinary object. */
export function hookEvents(o: RenderedObject): string[] {
    const hook = o.metadata.annotations?.["helm.sh/hook"];
    return typeof hook === "string" ? hook.split(",").map((h) => h.trim()).filter((h) => h !== "") : [];
}

/** Cluster-scoped kinds of the built-in API groups, by `Kind.group`. */
const clusterScopedBuiltins = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "ComponentStatus",
    "ClusterRole.rbac.authorization.k8s.io",
    "ClusterRoleBinding.rbac.authorization.k8s.io",
    "CustomResourceDefinition.apiextensions.k8s.io",
    "MutatingWebhookConfiguration.admissionregistration.k8s.io",
    "ValidatingWebhookConfiguration.admissionregistration.k8s.io",
    "ValidatingAdmissionPolicy.admissionregistration.k8s.io",
    "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
    "MutatingAdmissionPolicy.admissionregistration.k8s.io",
    "MutatingAdmissionPolicyBinding.admissionregistration.k8s.io",
    "APIService.apiregistration.k8s.io",
    "StorageClass.storage.k8s.io",
    "CSIDriver.storage.k8s.io",
    "CSINode.storage.k8s.io",
    "VolumeAttachment.storage.k8s.io",
    "VolumeAttributesClass.storage.k8s.io",
    "PriorityClass.scheduling.k8s.io",
    "IngressClass.networking.k8s.io",
    "IPAddress.networking.k8s.io",
    "ServiceCIDR.networking.k8s.io",
    "RuntimeClass.node.k8s.io",
    "PodSecurityPolicy.policy",
    "CertificateSigningRequest.certificates.k8s.io",
    "ClusterTrustBundle.certificates.k8s.io",
    "FlowSchema.flowcontrol.apiserver.k8s.io",
    "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
    "DeviceClass.resource.k8s.io",
    "ResourceSlice.resource.k8s.io",
]);

/** The API groups Kubernetes serves itself (every other group comes from a CRD). */
const builtinGroups = new Set([
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "rbac.authorization.k8s.io",
    "networking.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
]);

/** True for an API group that Kubernetes serves itself. */
export function isBuiltinGroup(group: string): boolean {
    return builtinGroups.has(group);
}

/**
 * Tells whether an object's kind is cluster-scoped: built-in kinds from the API's own
 * list, custom kinds from a CustomResourceDefinition among `objects`; undefined when the
 * scope cannot be known offline (a custom kind whose CRD is not rendered).
 */
export function clusterScoped(objects: readonly RenderedObject[]): (o: RenderedObject) => boolean | undefined {
    const crdScopes = new Map<string, boolean>();
    for (const o of objects) {
        if (o.kind !== "CustomResourceDefinition" || groupOf(o.apiVersion) !== "apiextensions.k8s.io") continue;
        const spec = (o["spec"] ?? {}) as { group?: unknown; scope?: unknown; names?: { kind?: unknown } };
        if (typeof spec.group === "string" && typeof spec.names?.kind === "string") crdScopes.set(`${spec.names.kind}.${spec.group}`, spec.scope === "Cluster");
    }
    return (o) => {
        const group = groupOf(o.apiVersion);
        const kindGroup = group ? `${o.kind}.${group}` : o.kind;
        if (isBuiltinGroup(group)) return clusterScopedBuiltins.has(kindGroup);
        return crdScopes.get(kindGroup);
    };
}
