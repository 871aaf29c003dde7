import * as assert from "node:assert/strict";
import * as path from "node:path";
import { inputsOf, ofType, planned, plannedOnce, type Planned } from "../support/plan";

/**
 * Lifecycle of what the stacks create: which resources are protected or retained on
 * delete (components/lifecycle.ts), a throwaway cluster's opt-out, and how each Helm
 * release is bounded and recovers from a failed wait (components/release-bounds.ts).
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
        plans["primary"] = await plannedOnce("primary");
        plans["remote"] = await plannedOnce("remote");
        plans["gatewayApi"] = await plannedOnce("primary-gateway-api", gatewayApiFile);
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
            "kubernetes:yaml/v2:ConfigGroup gateway-api-crds-standard": { retainOnDelete: true },
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

    /** Each release's wait and failure handling, by resource name, with the options Pulumi gets. */
    const bounds = (p: Planned) =>
        Object.fromEntries(
            ofType(p, release).map((r) => {
                const { timeout, atomic, cleanupOnFail, skipAwait, waitForJobs } = inputsOf(r);
                return [r.name, { timeout, atomic, cleanupOnFail, skipAwait, waitForJobs, customTimeouts: r.options.customTimeouts }];
            }),
        );
    const awaited = (timeout: number) => ({ timeout, atomic: true, cleanupOnFail: true, skipAwait: undefined, waitForJobs: undefined, customTimeouts: undefined });

    it("bounds every Helm release of the primary by a timeout sized for what it waits on, atomic (uninstall or roll back on failure) and cleaning up", () => {
        assert.deepEqual(bounds(plans["primary"]!), {
            "mesh-base": awaited(300),
            "mesh-istiod": awaited(600),
            "mesh-eastwest-release": awaited(600),
            "cert-manager-release": awaited(600),
            "edge-release": awaited(600),
        });
    });

    it("bounds a remote's releases the same way, except its east-west gateway: not awaited, so not atomic (atomic would wait)", () => {
        assert.deepEqual(bounds(plans["remote"]!), {
            "mesh-base": awaited(300),
            "mesh-istiod": awaited(300),
            "mesh-eastwest-release": { timeout: 600, atomic: undefined, cleanupOnFail: true, skipAwait: true, waitForJobs: undefined, customTimeouts: undefined },
            "cert-manager-release": awaited(600),
            "edge-release": awaited(600),
        });
    });
});
