import * as assert from "node:assert/strict";
import type { Policy } from "@pulumi/policy";
import { judge } from "../../offline/judge";
import { loadBalancerNlbIpTargets, noNodePortServices, noOverlappingPdbs, workloadResourcesSet } from "../../policy/kubernetes";
import { istiodHighAvailability } from "../../policy/mesh";
import { edgeControllerHardened } from "../../policy/edge";
import { renderedChartKey } from "../../policy/rendered";
import { articleDesign, changed, eastWestGateway, ingressNginx, istiod, primaryStack, remoteStack, T } from "./fixtures";
import { resource, type ResourceArgs } from "./support";
import { renderedFixture } from "../support/render";

/**
 * The pack with rendered charts (`npm run plan -- --render`): rules over Kubernetes objects
 * judge the charts' objects themselves, rules over a release read its render, and neither
 * predicts from values any more. Without a render (always, under CrossGuard) the same
 * rules predict; both ways must reach the same verdicts.
 */

/** `resource: message` of each finding, with and without the charts rendered. */
async function bothWays(resources: readonly ResourceArgs[], policies?: readonly Policy[]): Promise<{ predicted: string[]; rendered: string[] }> {
    const show = (f: { resource: string | null; message: string }): string => `${f.resource ?? "(stack)"}: ${f.message}`;
    const options = policies ? { policies } : {};
    const predicted = (await judge(resources.map(resource), options)).map(show);
    const { judged } = await renderedFixture(resources);
    return { predicted, rendered: (await judge(judged, options)).map(show) };
}

describe("the policy pack with rendered charts", function () {
    this.timeout(120000);

    it("hands each release its render and each object as a resource under it", async () => {
        const { judged } = await renderedFixture([eastWestGateway("network1")]);
        const release = judged[0]!;
        assert.equal((release.props[renderedChartKey] as { objects: unknown[] }).objects.length, judged.length - 1);
        assert.deepEqual(judged.slice(1).map((r) => [r.type, r.name, r.parent]), [
            ["kubernetes:policy/v1:PodDisruptionBudget", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
            ["kubernetes:core/v1:ServiceAccount", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
            ["kubernetes:rbac.authorization.k8s.io/v1:Role", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
            ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
            ["kubernetes:core/v1:Service", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
            ["kubernetes:apps/v1:Deployment", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
            ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "istio-eastwestgateway:istio-system/istio-eastwestgateway", release.urn],
        ]);
    });

    it("reaches the predictions' verdicts on the correct designs and the article's, where only the workload finding moves to the rendered Deployment", async () => {
        for (const design of [primaryStack(), remoteStack()]) assert.deepEqual(await bothWays(design), { predicted: [], rendered: [] });
        const article = await bothWays(articleDesign());
        const moved = "istiod: Helm release 'istiod' (chart istiod) leaves Deployment istiod without limits.memory; set them under resources in the release's values.";
        assert.ok(article.predicted.includes(moved));
        assert.deepEqual(
            article.rendered.sort(),
            [...article.predicted.filter((f) => f !== moved), "istiod:istio-system/istiod: Deployment 'istiod:istio-system/istiod' container 'discovery' has no resources.limits.memory; set requests and limits on every container."].sort(),
        );
    });

    it("judges a chart's NodePort Service as the Service, not the release", async () => {
        const { predicted, rendered } = await bothWays([changed(ingressNginx, (p) => (p.values.controller.service.type = "NodePort"))], [noNodePortServices]);
        assert.deepEqual(predicted, ["ingress-nginx: Helm release 'ingress-nginx' (chart ingress-nginx) renders Service ingress-nginx-controller of type NodePort (controller.service.type); use LoadBalancer with NLB IP targets."]);
        assert.deepEqual(rendered, ["ingress-nginx:ingress-nginx/ingress-nginx-controller: Service 'ingress-nginx:ingress-nginx/ingress-nginx-controller' is of type NodePort; use type LoadBalancer with NLB IP targets (or ClusterIP behind the edge)."]);
    });

    it("judges a chart's load balancer as the Service it renders", async () => {
        const { rendered } = await bothWays([changed(eastWestGateway("network1"), (p) => delete p.values.service.externalTrafficPolicy)], [loadBalancerNlbIpTargets]);
        assert.deepEqual(rendered, [
            "istio-eastwestgateway:istio-system/istio-eastwestgateway: LoadBalancer Service 'istio-eastwestgateway:istio-system/istio-eastwestgateway' must set spec.externalTrafficPolicy = Local, so client IPs reach the pods (allowlists and rate limits need them).",
        ]);
    });

    it("judges a chart's workloads by their rendered containers", async () => {
        const { rendered } = await bothWays([changed(ingressNginx, (p) => delete p.values.controller.admissionWebhooks)], [workloadResourcesSet]);
        assert.deepEqual(rendered, [
            "ingress-nginx:ingress-nginx/ingress-nginx-admission-create: Job 'ingress-nginx:ingress-nginx/ingress-nginx-admission-create' container 'create' has no resources.requests.cpu, resources.requests.memory, resources.limits.memory; set requests and limits on every container.",
            "ingress-nginx:ingress-nginx/ingress-nginx-admission-patch: Job 'ingress-nginx:ingress-nginx/ingress-nginx-admission-patch' container 'patch' has no resources.requests.cpu, resources.requests.memory, resources.limits.memory; set requests and limits on every container.",
        ]);
    });

    it("finds the program's extra PDB over the pods of the chart's rendered PDB, and blames the extra one", async () => {
        const extra: ResourceArgs = { type: T.pdb, name: "istiod-pdb", props: { metadata: { name: "istiod-pdb", namespace: "istio-system" }, spec: { minAvailable: 2, selector: { matchLabels: { app: "istiod" } } } } };
        const { rendered } = await bothWays([istiod, extra], [noOverlappingPdbs]);
        assert.deepEqual(rendered, [
            "istiod-pdb: The pods of Deployment istiod of Helm release 'istiod' in namespace istio-system are selected by 2 PodDisruptionBudgets (the chart's PodDisruptionBudget 'istiod' of Helm release 'istiod' and PodDisruptionBudget 'istiod-pdb'); a pod under two PDBs cannot be evicted. Keep one: configure the chart's own budget through its values and remove the extra one.",
        ]);
        // With one guaranteed replica the chart renders no PDB, so the program's own is the only one.
        assert.deepEqual((await bothWays([changed(istiod, (p) => (p.values.autoscaleMin = 1)), extra], [noOverlappingPdbs])).rendered, []);
    });

    it("reads istiod's replicas, anti-affinity and PDB, and the admission webhook's Service, from the render as the predictions do", async () => {
        const variants = [
            istiod,
            changed(istiod, (p) => (p.values = { global: p.values.global })),
            changed(istiod, (p) => (p.values.pdb = { minAvailable: 3 })),
            changed(istiod, (p) => (p.values.pdb = { minAvailable: 2, maxUnavailable: 2 })),
            changed(istiod, (p) => Object.assign(p.values, { autoscaleMax: 2 })),
            changed(istiod, (p) => (p.values.global.defaultPodDisruptionBudget = { enabled: false })),
            changed(istiod, (p) => (p.values.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: "istiod" } }, topologyKey: "kubernetes.io/hostname" } }] } })),
            changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.service = { type: "NodePort" })),
        ].map((v, i): ResourceArgs => ({ ...v, name: `variant-${i}`, props: { ...v.props, name: v.props["name"] } }));
        const { predicted, rendered } = await bothWays(variants, [istiodHighAvailability, edgeControllerHardened]);
        assert.equal(predicted.length, 8, predicted.join("\n"));
        assert.deepEqual(rendered, predicted);
    });
});
