import { workloadResourcesSet } from "../../policy/kubernetes";
import { changed, istiod, T } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * Resource quantities in the forms the Kubernetes quantity grammar allows beyond unit
 * suffixes (apimachinery resource.Quantity: a decimal exponent with or without sign, of
 * one or more digits; a decimal fraction of several digits): a limit below its request is
 * found in each, as the API server would reject it. And a release's resources merged into
 * the chart's defaults key by key, as Helm merges values.
 */

function sized(requests: Record<string, unknown>, limits: Record<string, unknown>): ResourceArgs {
    const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests, limits } }] } };
    return { type: T.deployment, name: "web", props: { metadata: { name: "web" }, spec: { template } } };
}
const below = (text: string) => `Deployment 'web' container 'app' sets ${text}, which the API server rejects; raise the limit or lower the request.`;

describe("workload-resources-set: quantities with exponents and fractions", () => {
    it("fails a limit below its request written with an exponent (1e3 under 2k, 1e+3 under 2e+3, 1e10 under 20G, 1e-1 under 200m)", async () => {
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "2k" }, { memory: "1e3" }), below("limits.memory 1e3 below requests.memory 2k"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "2e+3" }, { memory: "1e+3" }), below("limits.memory 1e+3 below requests.memory 2e+3"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "20G" }, { memory: "1e10" }), below("limits.memory 1e10 below requests.memory 20G"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "200m", memory: "1Gi" }, { cpu: "1e-1", memory: "1Gi" }), below("limits.cpu 1e-1 below requests.cpu 200m"));
    });

    it("compares fractions of several digits (0.24 under 0.25; 0.25 equal to 250m)", async () => {
        await assertViolates(workloadResourcesSet, sized({ cpu: "0.25", memory: "1Gi" }, { cpu: "0.24", memory: "1Gi" }), below("limits.cpu 0.24 below requests.cpu 0.25"));
        await assertPasses(workloadResourcesSet, sized({ cpu: "0.25", memory: "1Gi" }, { cpu: "250m", memory: "1Gi" }));
    });
});

describe("workload-resources-set: a release's resources over the chart's defaults", () => {
    it("keeps the chart's default memory request when the values set only the CPU request (Helm merges maps key by key)", async () => {
        await assertPasses(workloadResourcesSet, changed(istiod, (p) => (p.values.resources = { requests: { cpu: "1" }, limits: { memory: "4Gi" } })));
    });
});

describe("workload-resources-set: limits below requests in every quantity form", () => {
    it("fails a limit below its request written with a sign, a bare fraction, a trailing point or a bare E", async () => {
        await assertViolates(workloadResourcesSet, sized({ cpu: "2", memory: "1Gi" }, { cpu: "+1", memory: "1Gi" }), below("limits.cpu +1 below requests.cpu 2"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "1Gi" }, { cpu: ".5", memory: "1Gi" }), below("limits.cpu .5 below requests.cpu 1"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1500m", memory: "1Gi" }, { cpu: "1.", memory: "1Gi" }), below("limits.cpu 1. below requests.cpu 1500m"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "2E" }, { memory: "1E" }), below("limits.memory 1E below requests.memory 2E"));
    });

    it("passes the same limits at their requests (+1 and 1000m, .5 and 500m, 1E and 1e18)", async () => {
        await assertPasses(workloadResourcesSet, sized({ cpu: "1000m", memory: "1Gi" }, { cpu: "+1", memory: "1Gi" }));
        await assertPasses(workloadResourcesSet, sized({ cpu: "500m", memory: "1Gi" }, { cpu: ".5", memory: "1Gi" }));
        await assertPasses(workloadResourcesSet, sized({ cpu: "1", memory: "1e18" }, { memory: "1E" }));
    });

    it("does not compare a quantity the API server refuses (1K is no suffix)", async () => {
        await assertPasses(workloadResourcesSet, sized({ cpu: "1", memory: "2Ki" }, { memory: "1K" }));
    });
});
