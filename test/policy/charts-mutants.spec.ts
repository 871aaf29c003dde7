import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import { unknownSentinel } from "../../offline/values";
import {
    admissionWebhookServiceTypes,
    chartName,
    chartServices,
    chartWorkloads,
    deploysLoadBalancer,
    gatewaySelectorLabels,
    ingressNginxDefaultCertificate,
    istiodDeployment,
    stringMap,
} from "../../policy/charts";
import type { Json } from "../../policy/helpers";
import { renderedChartKey } from "../../policy/rendered";
import { changed, ingressNginx, istiod } from "./fixtures";
import { renderedFixture } from "../support/render";

/**
 * What policy/charts.ts predicts from values that the fixtures of chart-predictions.spec.ts
 * leave at their defaults: names, overrides, extra labels, ports and switches. Every
 * expected value below is Helm's render of the pinned chart (`helm template` of
 * /work/shared/charts/{istiod,gateway}-1.30.3.tgz, cert-manager-v1.21.1.tgz and
 * ingress-nginx-4.15.1.tgz with the same release name, namespace and values), not the code's.
 */

const release = (chart: string, name: string, namespace: string, values: Json, version?: string): Json => ({ chart, name, namespace, values, ...(version ? { version } : {}) });
const istiodRelease = (values: Json, version = "1.30.3"): Json => release("istiod", "istiod", "istio-system", values, version);
const gateway = (name: string, values: Json): Json => release("gateway", name, "gw", values, "1.30.3");

const { UnknownValueError } = createRequire(__filename)("@pulumi/policy/proxy") as { UnknownValueError: new (sentinel: string, path: string[]) => Error };

describe("chart predictions the fixtures leave at the defaults (policy/charts.ts)", function () {
    this.timeout(180000);

    it("names the chart of a repository URL with a trailing slash, and of packaged pre-release and two-digit versions", () => {
        assert.deepEqual(
            ["oci://registry.istio.io/release/charts/istiod/", "istio/istiod//", "https://charts.example.com/gateway-1.31.0-beta.0.tgz", "https://charts.example.com/ingress-nginx-10.0.1.tgz"].map((chart) => chartName({ chart })),
            ["istiod", "istiod", "gateway", "ingress-nginx"],
        );
        assert.equal(chartName({}), "");
    });

    describe("istiod", () => {
        it("deploys nothing with istiodRemote.enabled alone (no profile): the render has no Deployment", () => {
            const r = istiodRelease({ istiodRemote: { enabled: true } });
            assert.deepEqual(chartWorkloads(r, "istiod"), []);
            assert.equal(istiodDeployment(r), undefined);
        });

        it("deploys istiod, with its PDB, under resourceScope namespace", () => {
            assert.deepEqual(chartWorkloads(istiodRelease({ global: { resourceScope: "namespace" }, autoscaleMin: 2 }), "istiod"), [
                {
                    describe: "Deployment istiod",
                    namespace: "istio-system",
                    resourcesPath: "resources",
                    podLabels: { app: "istiod", "istio.io/rev": "default", istio: "pilot", "sidecar.istio.io/inject": "false" },
                    pdb: { matchLabels: { app: "istiod", istio: "pilot" } },
                },
            ]);
        });

        it("adds podLabels to istiod's pods, and renders no PDB for one replica of a version range (newest chart)", () => {
            const [w] = chartWorkloads(istiodRelease({ podLabels: { team: "mesh" } }, ">=1.27.0"), "istiod");
            assert.deepEqual(w, {
                describe: "Deployment istiod",
                namespace: "istio-system",
                resourcesPath: "resources",
                podLabels: { team: "mesh", app: "istiod", "istio.io/rev": "default", istio: "pilot", "sidecar.istio.io/inject": "false" },
            });
        });

        it("predicts Kubernetes' 25% maxSurge when rollingMaxSurge is set empty, as the render has it (maxSurge: null)", async () => {
            // Bug fixed: predicted the chart's default 100%; deployment.yaml renders `maxSurge: {{ .Values.rollingMaxSurge }}`, null.
            const props = changed(istiod, (p) => Object.assign(p.values, { rollingMaxSurge: "", rollingMaxUnavailable: "" }));
            const predicted = istiodDeployment(props.props);
            assert.equal(predicted?.rollingMaxSurge, "25%");
            assert.equal(predicted?.rollingMaxUnavailable, "25%");
            const { render } = await renderedFixture([props]);
            const objects = render.releases[0]!.objects;
            const deployment = objects.find((o) => o.kind === "Deployment");
            assert.deepEqual((deployment as unknown as { spec: { strategy: unknown } }).spec.strategy, { rollingUpdate: { maxSurge: null, maxUnavailable: null } });
            const truth = istiodDeployment({ ...props.props, [renderedChartKey]: { version: "", objects } });
            assert.equal(truth?.rollingMaxSurge, "25%");
            assert.equal(truth?.rollingMaxUnavailable, "25%");
        });
    });

    describe("gateway", () => {
        it("names the Deployment and Service after the name value, and selects by it", () => {
            const r = gateway("x", { name: "edge-gw" });
            assert.deepEqual(chartWorkloads(r, "x").map((w) => [w.describe, w.podLabels]), [["Deployment edge-gw", { app: "edge-gw", istio: "edge-gw" }]]);
            assert.deepEqual(chartServices(r, "x").map((s) => s.describe), ["Service edge-gw"]);
            assert.deepEqual(gatewaySelectorLabels({ name: "edge-gw" }, "x"), { app: "edge-gw", istio: "edge-gw" });
        });

        it("takes app and istio from labels, keeps other labels on the pods, and puts the top-level annotations and loadBalancerClass on the Service", () => {
            const values = { labels: { app: "custom-app", istio: "custom", team: "edge" }, annotations: { team: "edge" }, service: { loadBalancerClass: "service.k8s.aws/nlb" } };
            const r = gateway("istio-ingress", values);
            assert.deepEqual(gatewaySelectorLabels(values, "istio-ingress"), { app: "custom-app", istio: "custom" });
            assert.deepEqual(chartWorkloads(r, "istio-ingress")[0]?.podLabels, { app: "custom-app", istio: "custom", team: "edge" });
            assert.deepEqual(chartServices(r, "istio-ingress"), [
                { describe: "Service istio-ingress", path: "service", type: "LoadBalancer", annotations: { team: "edge" }, externalTrafficPolicy: undefined, loadBalancerClass: "service.k8s.aws/nlb", ports: [15021, 80, 443] },
            ]);
        });

        it("drops only a leading istio- from the release name for the istio label", () => {
            assert.deepEqual(gatewaySelectorLabels({}, "istio-ingress"), { app: "istio-ingress", istio: "ingress" });
            assert.deepEqual(gatewaySelectorLabels({}, "my-istio-gw"), { app: "my-istio-gw", istio: "my-istio-gw" });
        });

        it("renders the PDB for replicaCount 2 only with autoscaling off (on by default, from 1)", () => {
            const pdb = (values: Json) => chartWorkloads(gateway("my-istio-gw", values), "my-istio-gw")[0]?.pdb;
            assert.equal(pdb({ podDisruptionBudget: { minAvailable: 1 }, replicaCount: 2 }), undefined);
            assert.deepEqual(pdb({ podDisruptionBudget: { minAvailable: 1 }, replicaCount: 2, autoscaling: { enabled: false } }), { matchLabels: { app: "my-istio-gw", istio: "my-istio-gw" } });
        });

        it("exposes a network gateway's ports with networkGatewayPorts overrides, and service.ports otherwise", () => {
            assert.deepEqual(chartServices(gateway("ew", { networkGateway: "n1", networkGatewayPorts: { tls: { port: 16443 } } }), "ew")[0]?.ports, [15021, 16443, 15012, 15017]);
            assert.deepEqual(chartServices(gateway("gw", { service: { ports: [{ name: "http", port: 8080 }] } }), "gw")[0]?.ports, [8080]);
        });
    });

    it("cert-manager: nameOverride, namespace, every component's podLabels and the webhook's and cainjector's PDBs", () => {
        const values = {
            nameOverride: "cm",
            namespace: "certs",
            podLabels: { team: "a" },
            webhook: { podLabels: { team: "b" }, podDisruptionBudget: { enabled: true } },
            cainjector: { podLabels: { team: "c" }, podDisruptionBudget: { enabled: true } },
            startupapicheck: { podLabels: { team: "d" } },
        };
        const labels = (name: string, component: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": "certs", "app.kubernetes.io/component": component });
        assert.deepEqual(chartWorkloads(release("oci://quay.io/jetstack/charts/cert-manager", "certs", "cm", values, "v1.21.1"), "certs"), [
            { describe: "Deployment certs-cm", namespace: "certs", resourcesPath: "resources", podLabels: { team: "a", app: "cm", ...labels("cm", "controller") } },
            { describe: "Deployment certs-cm-webhook", namespace: "certs", resourcesPath: "webhook.resources", podLabels: { team: "b", app: "webhook", ...labels("webhook", "webhook") }, pdb: { matchLabels: labels("webhook", "webhook") } },
            { describe: "Deployment certs-cm-cainjector", namespace: "certs", resourcesPath: "cainjector.resources", podLabels: { team: "c", app: "cainjector", ...labels("cainjector", "cainjector") }, pdb: { matchLabels: labels("cainjector", "cainjector") } },
            { describe: "Job certs-cm-startupapicheck", namespace: "certs", resourcesPath: "startupapicheck.resources", podLabels: { team: "d", app: "startupapicheck", ...labels("startupapicheck", "startupapicheck") } },
        ]);
    });

    describe("ingress-nginx", () => {
        const labels = (component: string) => ({ "app.kubernetes.io/name": "nginx", "app.kubernetes.io/instance": "edge", "app.kubernetes.io/component": component });

        it("names, namespaces and labels every workload and Service from the overrides, with the PDB of two replicas and no HPA", () => {
            const r = release("ingress-nginx", "edge", "ing", {
                namespaceOverride: "edge-system",
                nameOverride: "nginx",
                controller: {
                    name: "ctl",
                    replicaCount: 2,
                    podLabels: { team: "a" },
                    service: { ports: { http: 8080, https: 8443 } },
                    admissionWebhooks: { name: "adm", patch: { labels: { team: "b" } }, createSecretJob: { name: "mk" }, patchWebhookJob: { name: "pt" } },
                },
                defaultBackend: { enabled: true, name: "backend", podLabels: { team: "c" } },
            });
            assert.deepEqual(chartWorkloads(r, "edge"), [
                { describe: "Deployment edge-nginx-ctl", namespace: "edge-system", resourcesPath: "controller.resources", podLabels: { team: "a", ...labels("controller") }, pdb: { matchLabels: labels("controller") } },
                { describe: "Job edge-nginx-adm-mk", namespace: "edge-system", resourcesPath: "controller.admissionWebhooks.createSecretJob.resources", podLabels: { team: "b", ...labels("admission-webhook") } },
                { describe: "Job edge-nginx-adm-pt", namespace: "edge-system", resourcesPath: "controller.admissionWebhooks.patchWebhookJob.resources", podLabels: { team: "b", ...labels("admission-webhook") } },
                { describe: "Deployment edge-nginx-backend", namespace: "edge-system", resourcesPath: "defaultBackend.resources", podLabels: { team: "c", ...labels("default-backend") } },
            ]);
            const service = { annotations: {}, externalTrafficPolicy: undefined, loadBalancerClass: undefined };
            assert.deepEqual(chartServices(r, "edge"), [
                { describe: "Service edge-nginx-ctl", path: "controller.service", type: "LoadBalancer", ...service, ports: [8080, 8443] },
                { describe: "Service edge-nginx-ctl-admission", path: "controller.admissionWebhooks.service", type: "ClusterIP", ...service, ports: [443] },
            ]);
        });

        it("with fullnameOverride, patching off and the external Service off, renders the controller and the webhook's Service only", () => {
            const r = release("ingress-nginx", "edge", "ing", {
                fullnameOverride: "front",
                controller: { admissionWebhooks: { patch: { enabled: false } }, service: { external: { enabled: false } } },
            });
            assert.deepEqual(chartWorkloads(r, "edge").map((w) => [w.describe, w.namespace, w.pdb]), [["Deployment front-controller", "ing", undefined]]);
            assert.deepEqual(chartServices(r, "edge").map((s) => [s.describe, s.type]), [["Service front-controller-admission", "ClusterIP"]]);
            assert.equal(deploysLoadBalancer(r, "edge"), false);
        });
    });

    it("truncates long names to 63 characters without a trailing dash, Jobs included, in the default namespace", () => {
        // Bug fixed: the Jobs' names were predicted untruncated (…-ingress-nginx-admission-create, …-ce-startupapicheck).
        const nginx = "platform-edge-for-the-primary-cluster-us-east-1a";
        const full = `${nginx}-ingress-nginx`;
        assert.deepEqual(
            chartWorkloads({ chart: "ingress-nginx", name: nginx, values: { defaultBackend: { enabled: true } } }, nginx).map((w) => `${w.describe} in ${w.namespace}`),
            [`Deployment ${full}`, `Job ${full}`, `Job ${full}`, `Deployment ${full}`].map((d) => `${d} in default`),
        );
        const cm = "platform-certificates-of-the-primary-cluster-east";
        assert.deepEqual(chartWorkloads({ chart: "cert-manager", name: cm, values: {} }, cm).map((w) => w.describe), [
            `Deployment ${cm}-cert-manager`,
            `Deployment ${cm}-cert-webhook`,
            `Deployment ${cm}-ce-cainjector`,
            `Job ${cm}-ce-startupapi`,
        ]);
    });

    describe("reading a release's render", () => {
        it("finds a LoadBalancer Service in the render of a chart the pack cannot predict", () => {
            const service = { apiVersion: "v1", kind: "Service", metadata: { name: "podinfo", namespace: "apps" }, spec: { type: "LoadBalancer" } };
            const r = { chart: "podinfo", name: "podinfo", namespace: "apps", values: {} };
            assert.equal(deploysLoadBalancer(r, "podinfo"), false);
            assert.equal(deploysLoadBalancer({ ...r, [renderedChartKey]: { version: "6.7.0", objects: [service] } }, "podinfo"), true);
        });

        it("reads the default certificate from a DaemonSet controller's arguments, and the webhook's ClusterIP Service from the ValidatingWebhookConfiguration", async () => {
            const daemonSet = changed(ingressNginx, (p) => Object.assign(p.values.controller, { kind: "DaemonSet", extraArgs: { "default-ssl-certificate": "edge/wildcard-example-tls" } }));
            const { render } = await renderedFixture([daemonSet]);
            const withRender = { ...daemonSet.props, [renderedChartKey]: { version: "", objects: render.releases[0]!.objects } };
            assert.equal(ingressNginxDefaultCertificate(withRender), "edge/wildcard-example-tls");
            assert.deepEqual(admissionWebhookServiceTypes(withRender), ["ClusterIP"]);
            assert.deepEqual(admissionWebhookServiceTypes(daemonSet.props), []);
        });

        it("takes the default certificate from the render, not the values, when the release carries one", () => {
            // A certificate set through a values file: in the render's arguments, not in `values`.
            const controller = {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "ingress-nginx-controller", namespace: "ingress-nginx" },
                spec: { template: { metadata: { labels: { "app.kubernetes.io/component": "controller" } }, spec: { containers: [{ name: "controller", args: ["/nginx-ingress-controller", "--default-ssl-certificate=edge/from-file"] }] } } },
            };
            assert.equal(ingressNginxDefaultCertificate({ chart: "ingress-nginx", values: {}, [renderedChartKey]: { version: "", objects: [controller] } }), "edge/from-file");
        });
    });

    it("reads labels and annotations as strings: numbers and booleans kept as text, objects and values unknown during preview dropped", () => {
        const annotations: Json = { "a/string": "x", "a/number": 10, "a/bool": true, "a/object": { k: "v" }, "a/list": ["x"], "a/null": null };
        Object.defineProperty(annotations, "a/unknown", { enumerable: true, get: () => { throw new UnknownValueError(unknownSentinel, ["metadata", "annotations", "a/unknown"]); } });
        assert.deepEqual(stringMap(annotations), { "a/string": "x", "a/number": "10", "a/bool": "true" });
        assert.deepEqual(stringMap(["x"]), {});
    });
});
