import * as assert from "node:assert/strict";
import type { RenderedObject } from "../../offline/charts/objects";
import { chartName, chartServices, chartWorkloads, istiodDeployment } from "../../policy/charts";
import { at, isRecord, type Json } from "../../policy/helpers";
import { workloadResourcesSet } from "../../policy/kubernetes";
import { renderedChartKey } from "../../policy/rendered";
import { renderedFixture } from "../support/render";
import { certManager, changed, ingressNginx, istiod } from "./fixtures";
import { assertViolates, type ResourceArgs } from "./support";

/**
 * A value set to null in a release is not "unset": Helm deletes the key when it coalesces the
 * user's values with the chart's defaults (helm/helm v4.1.4 pkg/chart/common/util/coalesce.go),
 * and the istio charts merge the nil over their `_internal_defaults_do_not_set`. So the chart's
 * default does not apply, and each template reads nil (false in an `if`, 0 in `int`). Every
 * variant here is rendered with Helm and compared with the prediction from its values.
 */

const workloadKinds = ["Deployment", "DaemonSet", "StatefulSet", "Job"];

const variants: readonly [string, ResourceArgs][] = [
    ["cert-manager with cainjector.enabled null", changed(certManager, (p) => (p.values.cainjector.enabled = null))],
    ["cert-manager with startupapicheck.enabled null", changed(certManager, (p) => (p.values.startupapicheck.enabled = null))],
    ["ingress-nginx with admissionWebhooks.enabled null", changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.enabled = null))],
    ["ingress-nginx with admissionWebhooks.patch.enabled null", changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.patch = { enabled: null }))],
    ["ingress-nginx with service.enabled null", changed(ingressNginx, (p) => (p.values.controller.service.enabled = null))],
    ["ingress-nginx with service.external.enabled null", changed(ingressNginx, (p) => (p.values.controller.service.external = { enabled: null }))],
    ["ingress-nginx with autoscaling.minReplicas null", changed(ingressNginx, (p) => (p.values.controller.autoscaling.minReplicas = null))],
    ["istiod with autoscaleEnabled null", changed(istiod, (p) => (p.values.autoscaleEnabled = null))],
    ["istiod with autoscaleMin null", changed(istiod, (p) => (p.values.autoscaleMin = null))],
    ["istiod with autoscaleMax null", changed(istiod, (p) => (p.values.autoscaleMax = null))],
    // With autoscaleEnabled on, replicaCount renders no replicas even when the HPA does not render.
    ["istiod with autoscaleMin null and replicaCount 3", changed(istiod, (p) => Object.assign(p.values, { autoscaleMin: null, replicaCount: 3 }))],
    ["istiod without autoscaling and replicaCount 0", changed(istiod, (p) => Object.assign(p.values, { autoscaleEnabled: false, replicaCount: 0 }))],
    ["istiod without autoscaling and replicaCount null", changed(istiod, (p) => Object.assign(p.values, { autoscaleEnabled: false, replicaCount: null }))],
    ["istiod with defaultPodDisruptionBudget.enabled null", changed(istiod, (p) => (p.values.global.defaultPodDisruptionBudget = { enabled: null }))],
    ["istiod with pdb.minAvailable null", changed(istiod, (p) => (p.values.pdb = { minAvailable: null }))],
    ["istiod with pdb.maxUnavailable null", changed(istiod, (p) => (p.values.pdb = { maxUnavailable: null }))],
];

/** The value with object keys sorted and undefined fields dropped, for comparison. */
function sorted(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sorted);
    if (isRecord(value)) return Object.fromEntries(Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => [k, sorted(value[k])]));
    return value;
}

/** What a release deploys, as predicted from its values or read from its render. */
function seen(props: Json, name: string): unknown {
    return sorted({
        workloads: chartWorkloads(props, name).map((w) => `${w.describe}${w.pdb ? " with the chart's PDB" : ""}`).sort(),
        services: chartServices(props, name).map((s) => `${s.describe} ${s.type}`).sort(),
        istiod: chartName(props) === "istiod" ? { ...istiodDeployment(props), podLabels: undefined, requiredAntiAffinity: undefined } : undefined,
    });
}

/** The same, read from Helm's render. */
function rendered(props: Json, objects: readonly RenderedObject[]): unknown {
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
    const workloads = objects
        .filter((o) => workloadKinds.includes(o.kind))
        .map((o) => `${o.kind} ${o.metadata.name}${budgets.some((b) => b.metadata.namespace === o.metadata.namespace && Object.entries((at(b, "spec.selector.matchLabels") ?? {}) as Json).every(([k, v]) => (at(o, "spec.template.metadata.labels") as Json | undefined)?.[k] === v)) ? " with the chart's PDB" : ""}`)
        .sort();
    const services = objects.filter((o) => o.kind === "Service" && ["LoadBalancer", "NodePort"].includes(String(at(o, "spec.type")))).map((o) => `Service ${o.metadata.name} ${String(at(o, "spec.type"))}`);
    const truth = chartName(props) === "istiod" ? { ...istiodDeployment({ ...props, [renderedChartKey]: { version: "", objects } }), podLabels: undefined, requiredAntiAffinity: undefined } : undefined;
    return sorted({ workloads, services, istiod: truth });
}

describe("chart predictions (policy/charts.ts): a value set to null removes the chart's default", function () {
    this.timeout(180000);

    it("agree with Helm's render for every variant", async () => {
        const releases = variants.map(([, r], i): ResourceArgs => ({ ...r, name: `null-${i}`, props: { ...r.props, name: r.props["name"] ?? r.name } }));
        const { render } = await renderedFixture(releases);
        assert.equal(render.releases.length, variants.length);
        const problems = render.releases.flatMap((r, i) => {
            const props = releases[i]!.props as Json;
            // Only the services the predictions cover (LoadBalancer and NodePort ones).
            const predicted = seen(props, r.release.resource) as { services: string[] };
            predicted.services = predicted.services.filter((s) => / (LoadBalancer|NodePort)$/.test(s));
            const truth = rendered(props, r.objects);
            return JSON.stringify(predicted) === JSON.stringify(truth) ? [] : [`${variants[i]![0]}: predicted ${JSON.stringify(predicted)}, rendered ${JSON.stringify(truth)}`];
        });
        assert.deepEqual(problems, []);
    });

    it("cert-manager: cainjector.enabled null renders no cainjector (the chart's default true is removed)", () => {
        const names = chartWorkloads(changed(certManager, (p) => (p.values.cainjector.enabled = null)).props, "cert-manager").map((w) => w.describe);
        assert.deepEqual(names, ["Deployment cert-manager", "Deployment cert-manager-webhook", "Job cert-manager-startupapicheck"]);
    });

    it("istiod: autoscaleEnabled null is no autoscaling (autoscaleMin 3 no longer counts); false and true as before", () => {
        const at3 = (enabled: unknown) => istiodDeployment(changed(istiod, (p) => (p.values.autoscaleEnabled = enabled)).props);
        assert.deepEqual([at3(null)?.autoscaling, at3(null)?.replicas, at3(null)?.pdb], [false, 1, undefined]);
        assert.deepEqual([at3(true)?.autoscaling, at3(true)?.replicas, at3(true)?.pdb], [true, 3, { minAvailable: 2 }]);
        assert.deepEqual([at3(undefined)?.autoscaling, at3(undefined)?.replicas], [true, 3]);
    });

    it("workload-resources-set: a null resources block drops the chart's default requests", async () => {
        const release = changed(ingressNginx, (p) => (p.values.controller.resources = null));
        await assertViolates(
            workloadResourcesSet,
            release,
            "Helm release 'ingress-nginx' (chart ingress-nginx) leaves Deployment ingress-nginx-controller without requests.cpu, requests.memory and limits.memory; set them under controller.resources in the release's values.",
        );
    });
});
