import { crdReleasesProtected } from "../../policy/lifecycle";
import { base, certManager, changed } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of crd-releases-protected: each value of Istio base's global.resourceScope,
 * each combination of cert-manager's two CRD switches (its values schema takes booleans
 * only), and each way a release names the base chart.
 */

const unprotected = (r: ResourceArgs): ResourceArgs => ({ ...r, options: {} });
const message = (name: string, crds: string): string =>
    `Helm release '${name}' installs ${crds} as templates and is not protected: a destroy or a replacement would uninstall it, and a CRD that goes deletes every custom resource of its kind in the cluster. Set the resource option protect: true (on a throwaway cluster, disable this policy).`;

describe("crd-releases-protected: each value of the switches", () => {
    it("Istio base installs its CRDs unless global.resourceScope is namespace: all and cluster do", async () => {
        for (const scope of ["all", "cluster"]) {
            await assertViolates(crdReleasesProtected, unprotected(changed(base, (p) => (p.values = { global: { resourceScope: scope } }))), message("istio-base", "Istio's CRDs"));
        }
    });

    it("names the base chart by alias and by packaged URL too", async () => {
        await assertViolates(crdReleasesProtected, unprotected(changed(base, (p) => (p.chart = "istio/base"))), message("istio-base", "Istio's CRDs"));
        await assertViolates(crdReleasesProtected, unprotected(changed(base, (p) => (p.chart = "https://charts.example.com/base-1.30.3.tgz"))), message("istio-base", "Istio's CRDs"));
    });

    it("cert-manager: installCRDs true with crds.enabled false; neither when both are false or unset", async () => {
        await assertViolates(crdReleasesProtected, unprotected(changed(certManager, (p) => (p.values = { crds: { enabled: false }, installCRDs: true }))), message("cert-manager", "cert-manager's CRDs (installCRDs)"));
        await assertPasses(crdReleasesProtected, [
            unprotected(changed(certManager, (p) => (p.values = { installCRDs: false }))),
            unprotected(changed(certManager, (p) => (p.values = { crds: { enabled: false }, installCRDs: false }))),
            unprotected(changed(certManager, (p) => (p.values = {}))),
        ]);
    });
});
