import { explicitProviders } from "../../policy/providers";
import { assertPasses, assertViolates, kubernetesProvider } from "./support";

describe("policy explicit-providers", () => {
    const namespace = { type: "kubernetes:core/v1:Namespace", name: "istio-system", props: { metadata: { name: "istio-system" } } };

    it("passes a resource created through the stack's provider", async () => {
        await assertPasses(explicitProviders, { ...namespace, provider: kubernetesProvider });
    });

    it("passes providers and stack references, which have no provider of their own", async () => {
        await assertPasses(explicitProviders, [
            { type: "pulumi:providers:kubernetes", props: {} },
            { type: "pulumi:pulumi:StackReference", props: { name: "acme/mesh-ingress/primary" } },
        ]);
    });

    it("passes this program's components, whose children carry the provider", async () => {
        await assertPasses(explicitProviders, { type: "mesh-ingress:mesh:IstioPrimary", name: "mesh", props: {} });
    });

    it("fails a resource without an explicit provider", async () => {
        await assertViolates(explicitProviders, namespace,
            "kubernetes:core/v1:Namespace 'istio-system' has no explicit provider; pass the stack's provider (opts.provider, or a parent with opts.providers).");
    });

    it("fails a resource on a default provider, as CrossGuard names it in a real preview", async () => {
        await assertViolates(explicitProviders, { ...namespace, provider: { ...kubernetesProvider, name: "default_4_34_2" } },
            "kubernetes:core/v1:Namespace 'istio-system' uses the default provider 'default_4_34_2'; pass the stack's explicit provider instead.");
    });
});
