import * as assert from "node:assert/strict";
import { mergeMaps } from "../../offline/charts/releases";
import type { RenderedObject } from "../../offline/charts/objects";
import type { RenderedRelease } from "../../offline/charts/render";
import {
    admissionWebhookServiceTypes,
    chartName,
    chartResourceDefaults,
    chartServices,
    chartWorkloads,
    deploysLoadBalancer,
    gatewaySelectorLabels,
    ingressNginxDefaultCertificate,
    istiodDeployment,
    valuesOf,
} from "../../policy/charts";
import { at, isRecord, type Json } from "../../policy/helpers";
import { quantity } from "../../policy/kubernetes";
import { renderedChartKey } from "../../policy/rendered";
import { selectorOf, selects } from "../../policy/selectors";
import { articleDesign, certManager, changed, eastWestGateway, ingressNginx, istiod, primaryStack, remoteStack, T } from "./fixtures";
import type { ResourceArgs } from "./support";
import { rendered, renderedFixture, stackFiles } from "../support/render";

/**
 * Truth over guesswork: in a real `pulumi preview` the pack cannot see what a chart
 * renders, so policy/charts.ts predicts it from the release's values. Each prediction is
 * compared here with Helm's render of the same release: every stack file of the
 * repository and the variants the stack tests plan, and the policy tests' fixtures with
 * the variants the policy tests judge.
 */

const workloadKinds = ["Deployment", "DaemonSet", "StatefulSet", "Job"];

/** A release's inputs as the pack receives them (values merged, name and namespace set). */
function releaseProps(r: RenderedRelease): Json {
    const { release } = r;
    return { chart: release.reference, version: release.version, name: release.name, namespace: release.namespace, values: release.values, ...(release.repository ? { repositoryOpts: { repo: release.repository } } : {}) };
}

const templateLabels = (o: RenderedObject): Record<string, string> => (at(o, "spec.template.metadata.labels") ?? {}) as Record<string, string>;

/** Requests and limits as numbers, so that `2` and `"2"`, `2Gi` and `2048Mi` compare equal. */
function quantities(resources: unknown): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = {};
    for (const path of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) out[path] = quantity(at(resources, path));
    return out;
}

/** Where the predictions for one release differ from its render (empty when they agree). */
function disagreements(props: Json, resourceName: string, objects: readonly RenderedObject[]): string[] {
    const out: string[] = [];
    const chart = chartName(props);
    const values = valuesOf(props);
    const workloads = objects.filter((o) => workloadKinds.includes(o.kind));
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");

    // Workloads: which, where, their pods' labels, their resources and the chart's PDB over them.
    const predicted = chartWorkloads(props, resourceName);
    const names = (list: readonly string[]): string => [...list].sort().join(", ");
    if (names(predicted.map((w) => w.describe)) !== names(workloads.map((o) => `${o.kind} ${o.metadata.name}`))) {
        out.push(`workloads: predicted ${names(predicted.map((w) => w.describe))}, rendered ${names(workloads.map((o) => `${o.kind} ${o.metadata.name}`))}`);
    }
    for (const w of predicted) {
        const o = workloads.find((x) => `${x.kind} ${x.metadata.name}` === w.describe);
        if (!o) continue;
        if (o.metadata.namespace !== w.namespace) out.push(`${w.describe}: namespace ${w.namespace}, rendered ${o.metadata.namespace ?? "(none)"}`);
        const labels = templateLabels(o);
        for (const [k, v] of Object.entries(w.podLabels)) if (labels[k] !== v) out.push(`${w.describe}: pod label ${k}=${v}, rendered ${labels[k] ?? "(none)"}`);
        const containers = ((at(o, "spec.template.spec.containers") ?? []) as Json[]).filter(isRecord);
        const expected = quantities(mergeMaps((chartResourceDefaults[chart]?.[w.resourcesPath] ?? {}), (at(values, w.resourcesPath) ?? {}) as Record<string, unknown>));
        const actual = quantities(containers[0]?.["resources"]);
        if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push(`${w.describe}: resources ${JSON.stringify(expected)}, rendered ${JSON.stringify(actual)}`);
        const over = budgets.filter((b) => b.metadata.namespace === o.metadata.namespace && selects(selectorOf(at(b, "spec.selector")) ?? {}, labels));
        const predictedPdb = w.pdb ? JSON.stringify(w.pdb.matchLabels) : "none";
        const renderedPdb = over.length === 0 ? "none" : over.map((b) => JSON.stringify(at(b, "spec.selector.matchLabels"))).join(" and ");
        if (predictedPdb !== renderedPdb) out.push(`${w.describe}: PDB ${predictedPdb}, rendered ${renderedPdb}`);
    }

    // Services reachable from outside the cluster.
    const external = objects.filter((o) => o.kind === "Service" && ["LoadBalancer", "NodePort"].includes(String(at(o, "spec.type"))));
    const services = chartServices(props, resourceName);
    for (const s of services) {
        const o = objects.find((x) => x.kind === "Service" && `Service ${x.metadata.name}` === s.describe);
        if (!o) {
            out.push(`${s.describe}: predicted, not rendered`);
            continue;
        }
        const seen = { type: at(o, "spec.type") ?? "ClusterIP", annotations: o.metadata.annotations ?? {}, externalTrafficPolicy: at(o, "spec.externalTrafficPolicy"), loadBalancerClass: at(o, "spec.loadBalancerClass") };
        const said = { type: s.type, annotations: s.annotations, externalTrafficPolicy: s.externalTrafficPolicy, loadBalancerClass: s.loadBalancerClass };
        if (JSON.stringify(sorted(said)) !== JSON.stringify(sorted(seen))) out.push(`${s.describe}: predicted ${JSON.stringify(said)}, rendered ${JSON.stringify(seen)}`);
    }
    for (const o of external) if (!services.some((s) => s.describe === `Service ${o.metadata.name}`)) out.push(`Service ${o.metadata.name} (${String(at(o, "spec.type"))}): rendered, not predicted`);

    // The readers that switch to the render when a release carries one.
    const withRender: Json = { ...props, [renderedChartKey]: { version: "", objects } };
    const compare = (what: string, a: unknown, b: unknown): void => {
        if (JSON.stringify(sorted(a)) !== JSON.stringify(sorted(b))) out.push(`${what}: predicted ${JSON.stringify(a)}, rendered ${JSON.stringify(b)}`);
    };
    compare("deploys a load balancer", deploysLoadBalancer(props, resourceName), deploysLoadBalancer(withRender, resourceName));
    if (chart === "ingress-nginx") {
        compare("default certificate", ingressNginxDefaultCertificate(props), ingressNginxDefaultCertificate(withRender));
        compare("exposed admission webhook", admissionWebhookServiceTypes(props).filter((t) => t !== "ClusterIP"), admissionWebhookServiceTypes(withRender).filter((t) => t !== "ClusterIP"));
    }
    if (chart === "istiod") {
        const guess = istiodDeployment(props);
        const truth = istiodDeployment(withRender);
        if (guess && truth) {
            for (const [k, v] of Object.entries(guess.podLabels)) if (truth.podLabels[k] !== v) out.push(`istiod pod label ${k}=${v}, rendered ${truth.podLabels[k] ?? "(none)"}`);
            compare("istiod", { ...guess, podLabels: undefined }, { ...truth, podLabels: undefined });
        } else compare("istiod deployed", guess !== undefined, truth !== undefined);
    }
    if (chart === "gateway") {
        const deployment = workloads.find((o) => o.kind === "Deployment");
        compare("gateway selector", gatewaySelectorLabels(values, typeof props["name"] === "string" ? props["name"] : resourceName), at(deployment, "spec.selector.matchLabels"));
    }
    return out;
}

/** The value with object keys sorted and undefined fields dropped, for comparison. */
function sorted(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sorted);
    if (isRecord(value)) return Object.fromEntries(Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => [k, sorted(value[k])]));
    return value;
}

/** The stack variants the stack and component tests plan that change what the charts render. */
const stackVariants: readonly { readonly stack: string; readonly what: string; readonly set: Record<string, unknown> }[] = [
    { stack: "primary", what: "more replicas everywhere", set: { istiodReplicas: 5, istiodPdbMinAvailable: 3, edgeMinReplicas: 4, edgeMaxReplicas: 12, eastWestGatewayReplicas: 3, eastWestGatewayMaxReplicas: 6, certManagerReplicas: 3 } },
    { stack: "remote", what: "the injection path instead of a URL", set: { istioRemoteInjection: "path" } },
];

/** The policy tests' release fixtures, and the variants the policy tests judge. */
const fixtureReleases: readonly [string, ResourceArgs][] = [
    ...[
        ["the correct primary", primaryStack()],
        ["the correct remote", remoteStack()],
        ["the article's design", articleDesign()],
    ].flatMap(([design, list]) => (list as ResourceArgs[]).filter((r) => r.type === T.release).map((r): [string, ResourceArgs] => [`${design as string}: ${r.name ?? ""}`, r])),
    ["ingress-nginx with a NodePort Service", changed(ingressNginx, (p) => (p.values.controller.service.type = "NodePort"))],
    ["ingress-nginx without controller resources", changed(ingressNginx, (p) => delete p.values.controller.resources)],
    ["ingress-nginx without admission webhook values", changed(ingressNginx, (p) => delete p.values.controller.admissionWebhooks)],
    ["ingress-nginx with the admission webhook off", changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks = { enabled: false }))],
    ["ingress-nginx with the webhook certificate from cert-manager", changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks = { certManager: { enabled: true } }))],
    ["ingress-nginx as a DaemonSet", changed(ingressNginx, (p) => (p.values.controller.kind = "DaemonSet"))],
    ["ingress-nginx with one replica and no HPA", changed(ingressNginx, (p) => (p.values.controller.autoscaling = { enabled: false }, p.values.controller.replicaCount = 1))],
    ["ingress-nginx with an exposed admission webhook", changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.service = { type: "LoadBalancer" }))],
    ["ingress-nginx with an internal load balancer too", changed(ingressNginx, (p) => (p.values.controller.service.internal = { enabled: true, annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } }))],
    ["ingress-nginx released as 'edge' in 'edge-system'", { ...changed(ingressNginx, (p) => Object.assign(p, { name: "edge", namespace: "edge-system" })), name: "edge" }],
    ["ingress-nginx with nameOverride and a default backend", changed(ingressNginx, (p) => Object.assign(p.values, { nameOverride: "nginx", defaultBackend: { enabled: true } }))],
    ["cert-manager released as 'cm'", { ...changed(certManager, (p) => (p.name = "cm")), name: "cm" }],
    ["ingress-nginx scaled by KEDA from 2", changed(ingressNginx, (p) => (p.values.controller.autoscaling = { enabled: false }, p.values.controller.keda = { enabled: true, minReplicas: 2 }))],
    ["istiod without resources", changed(istiod, (p) => delete p.values.resources)],
    ["istiod with autoscaleMin 1", changed(istiod, (p) => (p.values.autoscaleMin = 1))],
    ["istiod with three fixed replicas", changed(istiod, (p) => Object.assign(p.values, { autoscaleEnabled: false, replicaCount: 3, autoscaleMin: 1 }))],
    ["istiod with the chart's defaults", changed(istiod, (p) => (p.values = { global: p.values.global }))],
    ["istiod with pdb.maxUnavailable", changed(istiod, (p) => (p.values.pdb = { minAvailable: 1, maxUnavailable: "50%" }))],
    ["istiod with a revision", changed(istiod, (p) => (p.values.revision = "1-30"))],
    ["istiod with its PDB off", changed(istiod, (p) => (p.values.global.defaultPodDisruptionBudget = { enabled: false }))],
    ["istiod with resourceScope cluster", changed(istiod, (p) => (p.values.global.resourceScope = "cluster"))],
    ["the remote's istiod with a local injector", changed(remoteStack().find((r) => r.type === T.release && r.name === "istiod")!, (p) => (p.values.istiodRemote.enabledLocalInjectorIstiod = true))],
    ["cert-manager without cainjector values", changed(certManager, (p) => delete p.values.cainjector)],
    ["cert-manager without cainjector and startupapicheck", changed(certManager, (p) => Object.assign(p.values, { cainjector: { enabled: false }, startupapicheck: { enabled: false } }))],
    ["the east-west gateway as ClusterIP", changed(eastWestGateway("network1"), (p) => (p.values.service.type = "ClusterIP"))],
    ["the east-west gateway without externalTrafficPolicy", changed(eastWestGateway("network1"), (p) => delete p.values.service.externalTrafficPolicy)],
    ["the east-west gateway with one replica", changed(eastWestGateway("network1"), (p) => (p.values.autoscaling = { enabled: false }, p.values.replicaCount = 1))],
];

describe("chart predictions (policy/charts.ts) against Helm's render", function () {
    this.timeout(180000);

    for (const { stack } of stackFiles()) {
        it(`agree for every release of ${stack}`, async () => {
            const render = await rendered(stack);
            for (const r of render.releases) assert.deepEqual(disagreements(releaseProps(r), r.release.resource, r.objects), [], `${stack}: ${r.release.resource} (chart ${r.release.chart})`);
        });
    }

    for (const v of stackVariants) {
        it(`agree for every release of ${v.stack} with ${v.what}`, async () => {
            const render = await rendered(v.stack, { overrides: { set: v.set } });
            for (const r of render.releases) assert.deepEqual(disagreements(releaseProps(r), r.release.resource, r.objects), [], `${v.stack} with ${v.what}: ${r.release.resource}`);
        });
    }

    it("agree for the policy tests' releases and the variants they judge", async () => {
        // Resources get distinct names (each release is rendered on its own); Helm's release name stays the fixture's.
        const releases = fixtureReleases.map(([, r], i): ResourceArgs => ({ ...r, name: `fixture-${i}`, props: { ...r.props, name: r.props["name"] ?? r.name } }));
        const { render } = await renderedFixture(releases);
        assert.equal(render.releases.length, fixtureReleases.length);
        const problems = render.releases.flatMap((r, i) => disagreements(releaseProps(r), r.release.resource, r.objects).map((d) => `${fixtureReleases[i]![0]}: ${d}`));
        assert.deepEqual(problems, []);
    });
});
