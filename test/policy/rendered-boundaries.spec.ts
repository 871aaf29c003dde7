import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { isRenderedObject, renderedChart, renderedChartKey, renderedOfKind } from "../../policy/rendered";

/**
 * When the pack takes a release as rendered: only a render with a list of objects counts,
 * and an object is a rendered chart's only when its parent is a Helm release that carries one.
 */

const render = { version: "4.15.1", objects: [{ kind: "Service", metadata: { name: "a" } }, "not an object", { kind: "Deployment" }, { kind: "Service", metadata: { name: "b" } }] };
const child = (parent: { type: string; props: Record<string, unknown> } | undefined): PolicyResource => ({ parent }) as unknown as PolicyResource;

describe("rendered charts at their boundaries", () => {
    it("reads a render only when it is an object with a list of objects", () => {
        assert.equal(renderedChart({}), undefined);
        assert.equal(renderedChart({ [renderedChartKey]: [] }), undefined, "a list is no render");
        assert.equal(renderedChart({ [renderedChartKey]: { version: "1" } }), undefined, "no objects");
        assert.equal(renderedChart({ [renderedChartKey]: { objects: {} } }), undefined, "objects that are not a list");
        assert.deepEqual(renderedChart({ [renderedChartKey]: { objects: [] } }), { version: "", objects: [] }, "an empty render is a render");
        assert.deepEqual(renderedChart({ [renderedChartKey]: render })?.objects.length, 3, "what is not an object is dropped");
    });

    it("finds the objects of one kind, in Helm's order, by exact kind", () => {
        const chart = renderedChart({ [renderedChartKey]: render })!;
        assert.deepEqual(renderedOfKind(chart, "Service").map((o) => (o["metadata"] as { name: string }).name), ["a", "b"]);
        assert.deepEqual(renderedOfKind(chart, "service"), []);
    });

    it("counts an object as rendered only under a Helm release that carries a render", () => {
        assert.equal(isRenderedObject(child({ type: "kubernetes:helm.sh/v3:Release", props: { [renderedChartKey]: render } })), true);
        assert.equal(isRenderedObject(child({ type: "kubernetes:helm.sh/v3:Release", props: {} })), false, "a release without a render");
        assert.equal(isRenderedObject(child({ type: "kubernetes:helm.sh/v4:Chart", props: { [renderedChartKey]: render } })), false, "another parent type");
        assert.equal(isRenderedObject(child(undefined)), false, "no parent");
    });
});
