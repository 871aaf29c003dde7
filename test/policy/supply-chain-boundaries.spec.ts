import { helmReleasePinned } from "../../policy/supply-chain";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of helm-release-pinned: each form an exact version may take (a `v` prefix, a
 * pre-release, build metadata) and the forms one step from exact (two parts, a range
 * operator, a wildcard, a stray space, a number), each repository scheme and each chart
 * reference that carries its own.
 */

const release = (props: Record<string, unknown>): ResourceArgs => ({ type: "kubernetes:helm.sh/v3:Release", name: "istiod", props });
const https = { repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } };
const unpinned = (version: string) => `Helm release 'istiod' (chart istiod) has version ${version}; pin an exact version such as 1.30.3.`;

describe("helm-release-pinned: each version form", () => {
    it("passes an exact version with a v prefix, a pre-release, build metadata, or both", async () => {
        await assertPasses(helmReleasePinned, ["v1.30.3", "1.30.3-rc.1", "1.30.3+build.5", "1.30.3-beta.0+sha.abc"].map((version) => release({ chart: "istiod", version, ...https })));
    });

    it("fails two parts, a range operator, a wildcard part, latest, an empty version, a trailing space, a dangling pre-release dash and a number", async () => {
        for (const version of ["1.30", "^1.30.3", ">=1.30.3", "1.30.x", "1.30.*", "latest", "", "1.30.3 ", "1.30.3-"]) {
            await assertViolates(helmReleasePinned, release({ chart: "istiod", version, ...https }), unpinned(JSON.stringify(version)));
        }
        await assertViolates(helmReleasePinned, release({ chart: "istiod", version: 1.3, ...https }), unpinned("1.3"));
    });
});

describe("helm-release-pinned: each repository scheme and chart reference", () => {
    const from = (repo: string | undefined, chart = "istiod") =>
        `Helm release 'istiod' takes chart '${chart}' from ${repo === undefined ? "no repository" : `'${repo}'`}; use an https:// repository or an oci:// chart reference.`;

    it("passes an oci:// repository", async () => {
        await assertPasses(helmReleasePinned, release({ chart: "istiod", version: "1.30.3", repositoryOpts: { repo: "oci://registry.istio.io/release/charts" } }));
    });

    it("fails a chart without a repository, a file path, a repository without a scheme, and one whose scheme only ends in https", async () => {
        await assertViolates(helmReleasePinned, release({ chart: "istiod", version: "1.30.3" }), from(undefined));
        await assertViolates(helmReleasePinned, release({ chart: "./charts/istiod", version: "1.30.3" }), from(undefined, "./charts/istiod"));
        await assertViolates(helmReleasePinned, release({ chart: "istiod", version: "1.30.3", repositoryOpts: { repo: "istio-release.storage.googleapis.com/charts" } }), from("istio-release.storage.googleapis.com/charts"));
        await assertViolates(helmReleasePinned, release({ chart: "istiod", version: "1.30.3", repositoryOpts: { repo: "git+https://github.com/istio/istio" } }), from("git+https://github.com/istio/istio"));
    });

    it("fails a packaged chart from http:// (one from https:// passes without a repository)", async () => {
        await assertViolates(helmReleasePinned, release({ chart: "http://charts.example.com/gateway-1.30.3.tgz", version: "1.30.3" }), from(undefined, "http://charts.example.com/gateway-1.30.3.tgz"));
    });
});
