import { explicitProviders } from "../../policy/providers";
import { assertPasses, assertViolates, kubernetesProvider } from "./support";

/**
 * The edges of explicit-providers: the engine's default provider names (`default`, and
 * `default_<version>`), names that merely contain the word, and each kind of resource
 * that has no provider of its own.
 */

describe("explicit-providers: each provider name and resource kind", () => {
    const namespace = { type: "kubernetes:core/v1:Namespace", name: "istio-system", props: { metadata: { name: "istio-system" } } };

    it("fails the unversioned default provider 'default'", async () => {
        await assertViolates(explicitProviders, { ...namespace, provider: { ...kubernetesProvider, name: "default" } },
            "kubernetes:core/v1:Namespace 'istio-system' uses the default provider 'default'; pass the stack's explicit provider instead.");
    });

    it("passes an explicit provider whose name only contains 'default'", async () => {
        await assertPasses(explicitProviders, { ...namespace, provider: { ...kubernetesProvider, name: "cluster-default" } });
    });

    it("passes the stack itself and any provider; fails another package's component without a provider", async () => {
        await assertPasses(explicitProviders, [{ type: "pulumi:pulumi:Stack", name: "mesh-ingress-primary", props: {} }, { type: "pulumi:providers:aws", name: "aws", props: {} }]);
        await assertViolates(explicitProviders, { type: "acme:edge:Edge", name: "edge", props: {} },
            "acme:edge:Edge 'edge' has no explicit provider; pass the stack's provider (opts.provider, or a parent with opts.providers).");
    });
});
