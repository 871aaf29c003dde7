import * as assert from "node:assert/strict";
import * as semver from "semver";
import { groupOf, isBuiltinGroup, objectKey } from "../../../offline/charts/objects";
import { planned } from "../../support/plan";
import { validateObject } from "../../support/schemas";
import { rendered, stackFiles, type RenderedStack } from "../../support/render";

/**
 * Every stack file of the repository, rendered as `npm run render` renders it: each Helm
 * release through Helm with its chart from the chart cache. What the charts then deploy
 * (replicas, webhooks, labels) is the business of the intent tests; this spec checks the
 * render itself: what Helm was given, the cache's version rule, upstream schemas, and that
 * no object is deployed twice.
 */

/** Releases each stack file installs, by chart. */
const expectedCharts: Readonly<Record<string, readonly string[]>> = {
    primary: ["base", "cert-manager", "gateway", "ingress-nginx", "istiod"],
    remote: ["base", "cert-manager", "gateway", "ingress-nginx", "istiod"],
    "primary-gateway-api": ["base", "cert-manager", "gateway", "istiod"],
};

describe("rendered charts of every stack file", function () {
    this.timeout(120000);

    it("covers every stack file of the repository", () => {
        assert.deepEqual(stackFiles().map((s) => s.stack).sort(), Object.keys(expectedCharts).sort());
    });

    for (const { stack } of stackFiles()) {
        describe(stack, () => {
            let render: RenderedStack;
            before(async () => {
                render = await rendered(stack);
            });

            it("renders each Helm release of the stack, with the release's name and namespace", () => {
                assert.deepEqual(render.releases.map((r) => r.release.chart).sort(), expectedCharts[stack]);
                for (const r of render.releases) {
                    assert.ok(r.objects.length > 0, `${r.release.resource} renders objects`);
                    // The charts set namespaces from .Release.Namespace (Helm puts the rest there), except
                    // cert-manager's leader-election Roles, in global.leaderElection.namespace (kube-system).
                    const elsewhere = r.objects.filter((o) => o.metadata.namespace !== undefined && o.metadata.namespace !== r.release.namespace).map(objectKey);
                    const leaderElection = ["cert-manager-cainjector:leaderelection", "cert-manager:leaderelection"].flatMap((n) => [`Role.rbac.authorization.k8s.io kube-system/${n}`, `RoleBinding.rbac.authorization.k8s.io kube-system/${n}`]);
                    assert.deepEqual(elsewhere.sort(), r.release.chart === "cert-manager" ? leaderElection.sort() : [], `${r.release.resource}: objects outside ${r.release.namespace}`);
                    const instances = new Set(r.objects.map((o) => o.metadata.labels?.["app.kubernetes.io/instance"]).filter((v) => v !== undefined));
                    assert.deepEqual([...instances], [r.release.name], `${r.release.resource}: Helm's release name`);
                }
            });

            it("gives namespaced objects a namespace and cluster-scoped ones none", () => {
                const clusterScoped = ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"];
                for (const o of render.objects) {
                    const builtin = isBuiltinGroup(groupOf(o.apiVersion));
                    if (builtin && clusterScoped.includes(o.kind)) assert.equal(o.metadata.namespace, undefined, objectKey(o));
                    else assert.ok(o.metadata.namespace, `${objectKey(o)} has a namespace`);
                }
            });

            it("renders the pinned chart version, or an older patch of its minor that the cache has, and says which", () => {
                for (const r of render.releases) {
                    const pinned = semver.parse(r.release.version)!;
                    const used = semver.parse(r.chart.version)!;
                    assert.equal(r.chart.pinned, r.release.version);
                    assert.equal(r.chart.substituted, !semver.eq(used, pinned), r.release.resource);
                    assert.ok(used.major === pinned.major && used.minor === pinned.minor && semver.lte(used, pinned), `${r.release.resource}: ${r.chart.version} for ${r.release.version}`);
                    assert.ok(r.chart.file.startsWith(render.render.chartCache.dir), r.chart.file);
                    const labelled = r.objects.map((o) => o.metadata.labels?.["helm.sh/chart"]).filter((v) => v !== undefined);
                    assert.ok(labelled.length > 0 && labelled.every((v) => v === `${r.release.chart}-${r.chart.version}`), `${r.release.resource}: objects labelled ${[...new Set(labelled)].join(", ")}`);
                }
            });

            it("renders only objects valid against the upstream schemas", async () => {
                const failures: string[] = [];
                for (const o of render.objects) {
                    try {
                        await validateObject(o);
                    } catch (e) {
                        failures.push(`${objectKey(o)}: ${(e as Error).message}`);
                    }
                }
                assert.deepEqual(failures, []);
            });

            it("deploys no object twice (from two releases, or from a release and the program)", () => {
                assert.deepEqual(render.render.duplicates, []);
            });

            it("plans with no policy finding when the pack judges the rendered objects too (as at pulumi up)", async () => {
                // The command line's preview with --render is checked in cli.spec.ts; here the `up` evaluation, which the render reuses.
                const { document, findings } = await planned(stack, { configFile: stackFiles().find((s) => s.stack === stack)!.configFile, render: true, up: true });
                assert.deepEqual(findings.map((f) => `${f.policy} ${f.resource ?? ""}: ${f.message}`), []);
                assert.equal(document.resources.filter((r) => r.renderedFrom !== undefined).length, render.objects.length);
            });
        });
    }
});
