import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { samplesDir } from "../../../offline/samples";
import {
    certManagerGatewayApiProblems,
    edgeReplicaProblems,
    istiodRolloutProblems,
    publishServiceProblems,
    remoteValidatorProblems,
    rolloutPods,
} from "../../support/chart-defects";
import { rendered, renderedVariant, stackFiles, type RenderedStack } from "../../support/render";

/**
 * The five defects that rendering the releases found (issue 12), tested on what Helm
 * renders: every stack file is free of them, and the same release rendered with the old
 * values (the same render, chart and capabilities) shows each one, so these tests fail if
 * a defect comes back.
 */

/** What the primary stack exports, as the remote's stack reference reads it (offline/samples). */
const primaryOutputs = (parseYaml(fs.readFileSync(path.join(samplesDir, "primary.yaml"), "utf8")) as { outputs: { caRootCert: string; discoveryAddress: string } }).outputs;
/** The mesh root as a webhook's caBundle: the PEM, base64. */
const meshRootBundle = Buffer.from(primaryOutputs.caRootCert).toString("base64");

/** The program's LoadBalancer Service of the NGINX edge. */
const edgeService = { namespace: "ingress-nginx", name: "ingress-nginx-controller" };

/** Which stacks run which part: the NGINX edge, a remote's validators, cert-manager's Gateway API support. */
const runs = (render: RenderedStack, chart: string): boolean => render.releases.some((r) => r.release.chart === chart);
const isRemote = (render: RenderedStack): boolean => render.find("Deployment", "istiod") === undefined && render.find("ValidatingWebhookConfiguration", "istiod-default-validator") !== undefined;
const gatewayApiEdge = (render: RenderedStack): boolean => render.program.all("Gateway").some((g) => g.apiVersion.startsWith("gateway.networking.k8s.io/"));

describe("the five chart defects, on rendered objects", function () {
    this.timeout(120000);

    it("counts rollout percentages as Kubernetes does (surge up, unavailable down)", () => {
        assert.deepEqual([rolloutPods("100%", 3, "up"), rolloutPods("25%", 3, "down"), rolloutPods("25%", 4, "down"), rolloutPods("34%", 3, "up"), rolloutPods(1, 3, "down")], [3, 0, 1, 2, 1]);
    });

    for (const { stack } of stackFiles()) {
        describe(stack, () => {
            let render: RenderedStack;
            before(async () => {
                render = await rendered(stack);
            });

            it("1. istiod rolls one pod at a time with no surge, under its required per-node anti-affinity", () => {
                assert.deepEqual(istiodRolloutProblems(render.objects), []);
                const istiod = render.find("Deployment", "istiod");
                if (isRemote(render)) assert.equal(istiod, undefined);
                else assert.deepEqual(istiod?.spec?.strategy, { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
            });

            it("2. the edge controller renders no replicas and the chart's HPA scales it", function () {
                if (!runs(render, "ingress-nginx")) this.skip();
                assert.deepEqual(edgeReplicaProblems(render.objects), []);
            });

            it("3. the edge controller publishes the program's LoadBalancer Service", function () {
                if (!runs(render, "ingress-nginx")) this.skip();
                assert.deepEqual(publishServiceProblems(render.cluster, edgeService), []);
            });

            it("4. a remote's validators trust the mesh root and fail closed", function () {
                if (!isRemote(render)) this.skip();
                assert.deepEqual(remoteValidatorProblems(render.objects, meshRootBundle), []);
            });

            it("5. cert-manager's Gateway API support is gatewayAPI.enabled, exactly with the Gateway API edge", () => {
                assert.deepEqual(certManagerGatewayApiProblems(render.objects, gatewayApiEdge(render)), []);
            });
        });
    }

    describe("the old values bring each defect back", () => {
        let primary: RenderedStack;
        before(async () => {
            primary = await rendered("primary");
        });

        it("1. istiod with the chart's default rollout (100% surge, 25% unavailable) hangs an upgrade", async () => {
            const old = await renderedVariant(primary, "mesh-istiod", (v) => {
                delete v.rollingMaxSurge;
                delete v.rollingMaxUnavailable;
            });
            assert.deepEqual(old.one("Deployment", "istiod").spec?.strategy, { rollingUpdate: { maxSurge: "100%", maxUnavailable: "25%" } });
            assert.deepEqual(istiodRolloutProblems(old.objects), [
                "Deployment istio-system/istiod rolls out with maxSurge 100% (3 pods) and maxUnavailable 25% (0 pods) of 3 under a required per-node anti-affinity: an upgrade on 3 nodes never removes an old pod and hangs (expected maxSurge 0, maxUnavailable at least 1)",
            ]);
        });

        it("2. ingress-nginx with autoscaling off and replicaCount renders replicas and no HPA", async () => {
            const old = await renderedVariant(primary, "edge-release", (v) => {
                v.controller.autoscaling = { enabled: false };
                v.controller.replicaCount = 3;
            });
            assert.deepEqual(edgeReplicaProblems(old.objects), [
                "Deployment ingress-nginx/ingress-nginx-controller renders replicas: 3, which every Helm upgrade sets back",
                "the chart renders 0 HPAs over Deployment ingress-nginx/ingress-nginx-controller, expected its own one",
            ]);
        });

        it("3. ingress-nginx with publishService off and no --publish-service argument publishes nothing", async () => {
            const old = await renderedVariant(primary, "edge-release", (v) => {
                delete v.controller.extraArgs["publish-service"];
            });
            assert.deepEqual(publishServiceProblems([...old.objects, ...primary.program.objects], edgeService), ["the controller publishes no Service, expected --publish-service=ingress-nginx/ingress-nginx-controller"]);
            // The chart's own flag comes only with its own Service, which the program turns off.
            const withChartService = await renderedVariant(primary, "edge-release", (v) => {
                delete v.controller.extraArgs["publish-service"];
                v.controller.publishService = { enabled: true };
            });
            assert.deepEqual(publishServiceProblems([...withChartService.objects, ...primary.program.objects], edgeService), ["the controller publishes no Service, expected --publish-service=ingress-nginx/ingress-nginx-controller"]);
        });

        it("4. a remote without base.validationCABundle has validators without the mesh root", async () => {
            const remote = await rendered("remote");
            const withoutBundle = (v: any): void => {
                delete v.base.validationCABundle;
            };
            const objects = [...(await renderedVariant(remote, "mesh-base", withoutBundle)).objects, ...(await renderedVariant(remote, "mesh-istiod", withoutBundle)).objects];
            assert.deepEqual(remoteValidatorProblems(objects, meshRootBundle), [
                "istiod-default-validator webhook validation.istio.io has no caBundle",
                "istiod-default-validator webhook validation.istio.io has failurePolicy Ignore, expected Fail",
                "istio-validator-istio-system webhook rev.validation.istio.io has no caBundle",
                "istio-validator-istio-system webhook rev.validation.istio.io has failurePolicy Ignore, expected Fail",
            ]);
        });

        it("5. cert-manager with the deprecated enableGatewayAPI", async () => {
            const gateway = await rendered("primary-gateway-api");
            const old = await renderedVariant(gateway, "cert-manager-release", (v) => {
                v.config = { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true };
            });
            assert.deepEqual(certManagerGatewayApiProblems(old.objects, true), [
                "cert-manager's config.yaml sets the deprecated enableGatewayAPI: true (v1.21: gatewayAPI.enabled)",
                "cert-manager's config.yaml has gatewayAPI.enabled unset, expected true",
            ]);
        });
    });
});
