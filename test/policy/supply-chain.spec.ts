import { helmReleasePinned } from "../../policy/supply-chain";
import { assertPasses, assertViolates } from "./support";

describe("policy helm-release-pinned", () => {
    const release = (props: Record<string, unknown>) => ({ type: "kubernetes:helm.sh/v3:Release", name: "istiod", props });

    it("passes an exact version from an https repository", async () => {
        await assertPasses(helmReleasePinned, release({ chart: "istiod", version: "1.30.3", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } }));
    });

    it("passes an exact version of an oci chart", async () => {
        await assertPasses(helmReleasePinned, release({ chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.1" }));
    });

    it("fails a version range", async () => {
        await assertViolates(helmReleasePinned, release({ chart: "istiod", version: "~1.30", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } }),
            "Helm release 'istiod' (chart istiod) has version \"~1.30\"; pin an exact version such as 1.30.3.");
    });

    it("fails a release without a version", async () => {
        await assertViolates(helmReleasePinned, release({ chart: "oci://quay.io/jetstack/charts/cert-manager" }),
            "Helm release 'istiod' (chart oci://quay.io/jetstack/charts/cert-manager) has version null; pin an exact version such as 1.30.3.");
    });

    it("fails a chart from plain http", async () => {
        await assertViolates(helmReleasePinned, release({ chart: "istiod", version: "1.30.3", repositoryOpts: { repo: "http://charts.example.com" } }),
            "Helm release 'istiod' takes chart 'istiod' from 'http://charts.example.com'; use an https:// repository or an oci:// chart reference.");
    });
});

describe("policy helm-release-pinned, chart references", () => {
    it("passes a packaged chart fetched over https", async () => {
        await assertPasses(helmReleasePinned, { type: "kubernetes:helm.sh/v3:Release", name: "gw", props: { chart: "https://charts.example.com/gateway-1.30.3.tgz", version: "1.30.3" } });
    });
});
