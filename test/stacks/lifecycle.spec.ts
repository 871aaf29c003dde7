import * as assert from "node:assert/strict";
import * as path from "node:path";
import { planned, type Planned } from "../support/plan";

/**
 * Lifecycle of what the stacks create: which resources are protected or retained on
 * delete (components/lifecycle.ts), and a throwaway cluster's opt-out.
 */

const gatewayApiFile = path.join(__dirname, "..", "..", "examples", "Pulumi.primary-gateway-api.yaml");

/** Every resource that is protected or retained, as `<type> <name>` with those two options. */
function kept(p: Planned): Record<string, { protect?: boolean; retainOnDelete?: boolean }> {
    const out: Record<string, { protect?: boolean; retainOnDelete?: boolean }> = {};
    for (const r of p.evaluation.resources) {
        const { protect, retainOnDelete } = r.options;
        if (protect || retainOnDelete) out[`${r.type} ${r.name}`] = { ...(protect ? { protect } : {}), ...(retainOnDelete ? { retainOnDelete } : {}) };
    }
    return out;
}

const release = "kubernetes:helm.sh/v3:Release";
const namespace = "kubernetes:core/v1:Namespace";

describe("lifecycle: what is protected or retained", () => {
    const plans: Record<string, Planned> = {};
    before(async () => {
        // One plan at a time: the mocks are global to the process.
        plans["primary"] = await planned("primary");
        plans["remote"] = await planned("remote");
        plans["gatewayApi"] = await planned("primary-gateway-api", { configFile: gatewayApiFile });
        plans["disposable"] = await planned("primary", { overrides: { set: { clusterDisposable: true } } });
    });

    it("protects the CRD-bearing releases and retains the namespaces holding secrets, on the primary and on a remote", () => {
        const expected = {
            [`${release} mesh-base`]: { protect: true },
            [`${release} cert-manager-release`]: { protect: true },
            [`${namespace} mesh-namespace`]: { retainOnDelete: true },
            [`${namespace} cert-manager-namespace`]: { retainOnDelete: true },
            [`${namespace} edge-namespace`]: { retainOnDelete: true },
        };
        assert.deepEqual(kept(plans["primary"]!), expected);
        assert.deepEqual(kept(plans["remote"]!), expected);
    });

    it("retains the Gateway API CRDs, and the edge namespace the Gateway API edge alone creates", () => {
        assert.deepEqual(kept(plans["gatewayApi"]!), {
            [`${release} mesh-base`]: { protect: true },
            [`${release} cert-manager-release`]: { protect: true },
            [`${namespace} mesh-namespace`]: { retainOnDelete: true },
            [`${namespace} cert-manager-namespace`]: { retainOnDelete: true },
            [`${namespace} edge-namespace`]: { retainOnDelete: true },
            "kubernetes:yaml/v2:ConfigFile gateway-api-crds-standard": { retainOnDelete: true },
        });
    });

    it("keeps nothing on a throwaway cluster (clusterDisposable), where the pack's crd-releases-protected then refuses the plan unless disabled", async () => {
        const p = plans["disposable"]!;
        assert.deepEqual(kept(p), {});
        assert.deepEqual(
            p.findings.map((f) => [f.policy, f.enforcementLevel, f.resource]),
            [
                ["crd-releases-protected", "mandatory", "mesh-base"],
                ["crd-releases-protected", "mandatory", "cert-manager-release"],
            ],
        );
        const disabled = await planned("primary", { overrides: { set: { clusterDisposable: true } }, policyConfig: { "crd-releases-protected": "disabled" } });
        assert.deepEqual(disabled.findings, []);
    });
});
