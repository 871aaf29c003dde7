import * as assert from "node:assert/strict";
import { remoteVersionSkew } from "../../stacks/version-skew";

/** The Istio version skew a remote may have against its primary (istio.io: control plane at most one minor version ahead). */
describe("remoteVersionSkew", () => {
    const kind = (primary: string, remote: string): string => remoteVersionSkew(primary, remote, "acme/mesh-ingress/primary").kind;

    it("accepts the primary's version, and any version up to one minor behind it, with a warning", () => {
        assert.equal(kind("1.30.5", "1.30.5"), "same");
        assert.equal(kind("1.30.5", "1.30.3"), "behind");
        assert.equal(kind("1.31.0", "1.30.5"), "behind");
        assert.equal(kind("1.31.2", "1.30.0"), "behind");
    });

    it("refuses a remote ahead of its primary, even by a patch", () => {
        assert.equal(kind("1.30.3", "1.30.5"), "ahead");
        assert.equal(kind("1.30.5", "1.31.0"), "ahead");
    });

    it("refuses a remote two minor versions or a major version behind", () => {
        assert.equal(kind("1.32.0", "1.30.5"), "too-far");
        assert.equal(kind("2.0.0", "1.30.5"), "too-far");
    });
});
