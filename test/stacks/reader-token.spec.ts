import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { readerTokenSecretName } from "../../components/mesh/istio-remote";
import { readSamples, sampleLookup } from "../../offline/samples";
import { inputsOf, isSecretInput, ofType, outputsOf, planned, plannedOnce, type Planned } from "../support/plan";

/**
 * Reader token rotation (README "Rotating the reader token"): raising
 * `istioReaderTokenGeneration` on a remote renames its token Secret, so `pulumi up`
 * replaces it (the token controller issues a new token; the old one is revoked with its
 * Secret), and the primary's next run writes the remote's new `readerToken` output into
 * its remote-cluster secret.
 */
const tokenSecrets = (p: Planned): any[] =>
    ofType(p, "kubernetes:core/v1:Secret")
        .map(inputsOf)
        .filter((s) => s.type === "kubernetes.io/service-account-token");

describe("reader token rotation", () => {
    let first: Planned;
    let rotated: Planned;
    let primary: Planned;
    before(async function () {
        this.timeout(60000);
        first = await plannedOnce("remote");
        rotated = await planned("remote", { overrides: { set: { istioReaderTokenGeneration: 2 } } });
        // The remote after its rotation, as the primary reads it: a new readerToken.
        const samples = readSamples();
        for (const [name, sample] of samples) {
            if (name.endsWith("/remote")) samples.set(name, { ...sample, outputs: { ...sample.outputs, readerToken: "rotated-reader-token-generation-2" } });
        }
        primary = await planned("primary", { samples: sampleLookup(samples) });
    });

    it("names the token Secret by generation: the first keeps the name deployed stacks have", () => {
        assert.equal(readerTokenSecretName(), "istio-reader-service-account-token");
        assert.equal(readerTokenSecretName(1), "istio-reader-service-account-token");
        assert.equal(readerTokenSecretName(2), "istio-reader-service-account-token-2");
    });

    it("a new generation replaces the token Secret under the same logical name, still a service-account token of the reader", () => {
        const [before] = tokenSecrets(first);
        const [after] = tokenSecrets(rotated);
        assert.equal(before.metadata.name, "istio-reader-service-account-token");
        assert.equal(after.metadata.name, "istio-reader-service-account-token-2");
        assert.deepEqual(after.metadata.annotations, { "kubernetes.io/service-account.name": "istio-reader-service-account", "pulumi.com/waitFor": "jsonpath={.data.token}" });
        const urn = (p: Planned) => ofType(p, "kubernetes:core/v1:Secret").find((r) => inputsOf(r).type === "kubernetes.io/service-account-token")!.urn;
        assert.equal(urn(rotated), urn(first), "the same resource: a changed metadata.name replaces it");
        assert.ok(Object.keys(outputsOf(rotated)).includes("readerToken"));
    });

    it("the primary's next run writes the remote's new token into the remote-cluster secret, as a secret", () => {
        const secret = ofType(primary, "kubernetes:core/v1:Secret").find((r) => inputsOf(r).metadata?.name === "istio-remote-secret-cluster2")!;
        assert.ok(isSecretInput(secret, "stringData"));
        const kubeconfig = parse(inputsOf(secret).stringData.cluster2) as { users: { name: string; user: { token: string } }[] };
        assert.deepEqual(kubeconfig.users, [{ name: "cluster2", user: { token: "rotated-reader-token-generation-2" } }]);
    });
});
