import type { ResourceValidationPolicy } from "@pulumi/policy";
import { chartName, releaseType, valuesOf } from "./charts";
import { at, booleanOf, forTypes, stringAt, type Json } from "./helpers";

/**
 * Lifecycle: what a deletion or a replacement must not take with it.
 */

/**
 * The CRDs a release's chart installs as templates (so that Helm deletes them with the
 * release unless they are marked `helm.sh/resource-policy: keep`), or undefined when it
 * installs none. Rendered with Helm 4.1.4: Istio `base` 1.30.3 renders its 15 CRDs from
 * `templates/crds.yaml` unless `global.resourceScope` is `namespace` (with
 * `base.enableCRDTemplates: false` it still renders them, from the same file);
 * cert-manager v1.21.1 renders its 6 CRDs from `templates/crd-*.yaml` with
 * `crds.enabled: true` or the older `installCRDs: true`.
 */
export function templatedCrds(release: Json): string | undefined {
    const values = valuesOf(release);
    switch (chartName(release)) {
        case "base":
            return stringAt(values, "global.resourceScope") === "namespace" ? undefined : "Istio's CRDs";
        case "cert-manager":
            if (booleanOf(at(values, "crds.enabled")) === true) return "cert-manager's CRDs (crds.enabled)";
            return booleanOf(at(values, "installCRDs")) === true ? "cert-manager's CRDs (installCRDs)" : undefined;
        default:
            return undefined;
    }
}

/**
 * A Helm release that installs CRDs as templates is protected. Uninstalling or replacing
 * it (`pulumi destroy`, a provider change, a renamed release) removes what the release
 * owns; a CRD that goes deletes every custom resource of its kind in the cluster, every
 * team's. `protect` stops both until someone runs `pulumi state unprotect`. CrossGuard
 * hands policies `protect` but not `retainOnDelete` (`PolicyResourceOptions`), so
 * protection is what this rule can see; the program protects these releases unless the
 * stack sets `clusterDisposable`, where this policy is meant to be disabled.
 */
export const crdReleasesProtected: ResourceValidationPolicy = {
    name: "crd-releases-protected",
    description: "A Helm release whose chart installs CRDs as templates (Istio base, cert-manager with crds.enabled) is protected, so that no destroy or replacement deletes the CRDs and every custom resource of them.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([releaseType], (release, args, reportViolation) => {
        const crds = templatedCrds(release);
        if (crds === undefined || args.opts.protect) return;
        reportViolation(
            `Helm release '${args.name}' installs ${crds} as templates and is not protected: a destroy or a replacement would uninstall it, and a CRD that goes deletes every custom resource of its kind in the cluster. Set the resource option protect: true (on a throwaway cluster, disable this policy).`,
        );
    }),
};
