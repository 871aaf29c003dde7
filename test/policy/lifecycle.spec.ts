import { crdReleasesProtected } from "../../policy/lifecycle";
import { base, certManager, changed, istiod } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

const unprotected = (r: ResourceArgs): ResourceArgs => ({ ...r, options: {} });
const message = (name: string, crds: string): string =>
    `Helm release '${name}' installs ${crds} as templates and is not protected: a destroy or a replacement would uninstall it, and a CRD that goes deletes every custom resource of its kind in the cluster. Set the resource option protect: true (on a throwaway cluster, disable this policy).`;

describe("policy crd-releases-protected", () => {
    it("accepts protected CRD-bearing releases (Istio base, cert-manager with crds.enabled)", async () => {
        await assertPasses(crdReleasesProtected, [base, certManager]);
    });

    it("refuses Istio base without protect, whatever form names the chart", async () => {
        await assertViolates(crdReleasesProtected, unprotected(base), message("istio-base", "Istio's CRDs"));
        await assertViolates(crdReleasesProtected, unprotected(changed(base, (p) => (p.chart = "oci://registry.istio.io/release/charts/base"))), message("istio-base", "Istio's CRDs"));
    });

    it("refuses cert-manager without protect when it installs its CRDs (crds.enabled, or the older installCRDs)", async () => {
        await assertViolates(crdReleasesProtected, unprotected(certManager), message("cert-manager", "cert-manager's CRDs (crds.enabled)"));
        const legacy = unprotected(changed(certManager, (p) => (p.values = { installCRDs: "true" })));
        await assertViolates(crdReleasesProtected, legacy, message("cert-manager", "cert-manager's CRDs (installCRDs)"));
    });

    it("leaves alone releases that install no CRDs as templates", async () => {
        await assertPasses(crdReleasesProtected, [
            unprotected(changed(certManager, (p) => (p.values.crds = { enabled: false }))),
            unprotected(changed(base, (p) => (p.values = { global: { resourceScope: "namespace" } }))),
            unprotected(istiod),
        ]);
    });
});
