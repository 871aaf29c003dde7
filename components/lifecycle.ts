import type * as pulumi from "@pulumi/pulumi";

/**
 * What the components do with the resources whose deletion loses something that
 * `pulumi up` cannot give back. Two resource options, chosen per kind:
 *
 * - `protect` stops `pulumi destroy` (its preview fails before anything is deleted) and
 *   any replacement, until `pulumi state unprotect`. It is the option CrossGuard hands
 *   policies (`PolicyResourceOptions.protect`; there is no `retainOnDelete` there), so the
 *   pack can require it (`crd-releases-protected`).
 * - `retainOnDelete` lets destroy and replacements proceed but leaves the object in the
 *   cluster, out of the stack's state.
 *
 * On a throwaway cluster (`clusterDisposable`) neither is set: destroy removes everything.
 */

/** Whether the stack's cluster is throwaway (nothing protected, nothing retained). */
export interface Disposable {
    /**
     * A throwaway cluster: no resource is protected or retained on delete.
     * @default false
     */
    readonly disposable?: boolean;
}

/**
 * A Helm release whose chart installs CRDs as templates (Istio `base`, cert-manager with
 * `crds.enabled`): protected. Uninstalling it removes what the release owns; its CRDs
 * survive only while the chart marks them `helm.sh/resource-policy: keep` (Istio base
 * 1.30.3 does in `files/crd-all.gen.yaml`; cert-manager does with `crds.keep: true`), and
 * a CRD that goes takes every custom resource of its kind, every team's, with it. Not
 * retained: a retained release would leave its webhooks and controllers running after
 * istiod and the rest are gone (base's `istiod-default-validator` would point at a
 * Service that no longer exists).
 */
export function crdReleaseOptions(o: Disposable): pulumi.CustomResourceOptions {
    return o.disposable === true ? {} : { protect: true };
}

/**
 * A namespace holding Secrets that cannot be recreated for free: retained on delete.
 * `istio-system` holds istiod's CA (`istio-ca-secret`, or the plug-in `cacerts`) whose
 * loss re-roots the mesh; `cert-manager` the ACME account keys; the edge namespace the
 * issued certificates (Let's Encrypt allows 5 per identifier set a week). Deleting a
 * namespace deletes everything in it, including what cert-manager and istiod created. Not
 * protected: a changed `edgeNamespace` replaces the namespace, and must be able to, and the
 * old one (with its certificates) stays.
 */
export function heldNamespaceOptions(o: Disposable): pulumi.CustomResourceOptions {
    return o.disposable === true ? {} : { retainOnDelete: true };
}

/**
 * CRDs Pulumi applies itself (the Gateway API's standard channel): retained on delete.
 * Deleting them deletes every Gateway, HTTPRoute and ReferenceGrant in the cluster, other
 * teams' included, and the Gateway API's guidance is that implementations never remove
 * them. Retained, not protected: there is nothing running to leave behind, and removing the
 * Gateway API edge from a stack must not be blocked. The engine hands `retainOnDelete` to
 * the manifest's children (each CRD inherits it from its parent).
 */
export function crdManifestOptions(o: Disposable): pulumi.CustomResourceOptions {
    return o.disposable === true ? {} : { retainOnDelete: true };
}
