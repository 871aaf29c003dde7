import * as assert from "node:assert/strict";
import { describeSelector, labelsImply, selectorOf, selects, type PodSelector } from "../../policy/selectors";

/**
 * Label selectors at their edges: each matchExpressions operator on a pod that has the
 * key with a listed value, with another value, and without the key; the empty selector
 * (every pod); and which selectors imply others.
 */

const pod = { app: "web", tier: "edge" };
const expression = (operator: string, values?: string[]): PodSelector => ({ matchExpressions: [{ key: "app", operator, ...(values ? { values } : {}) }] });

describe("label selectors at their boundaries", () => {
    it("selects every pod with the empty selector, and with an empty matchLabels", () => {
        assert.equal(selects({}, pod), true);
        assert.equal(selects({}, {}), true);
        assert.equal(selects(selectorOf({})!, pod), true);
        assert.equal(selects(selectorOf({ matchLabels: {} })!, {}), true);
    });

    it("needs every matchLabels entry, with the exact value", () => {
        assert.equal(selects({ matchLabels: { app: "web", tier: "edge" } }, pod), true);
        assert.equal(selects({ matchLabels: { app: "web", tier: "core" } }, pod), false, "one value differs");
        assert.equal(selects({ matchLabels: { app: "web", zone: "a" } }, pod), false, "one key missing");
        assert.equal(selects({ matchLabels: { app: "Web" } }, pod), false, "values are case-sensitive");
    });

    it("reads In: the key with a listed value only", () => {
        assert.equal(selects(expression("In", ["api", "web"]), pod), true);
        assert.equal(selects(expression("In", ["api"]), pod), false);
        assert.equal(selects(expression("In", ["api", "web"]), { tier: "edge" }), false, "without the key");
        assert.equal(selects(expression("In", [""]), { tier: "edge" }), false, "an empty value does not stand for a missing key");
        assert.equal(selects(expression("In", []), pod), false);
    });

    it("reads NotIn: a missing key or an unlisted value", () => {
        assert.equal(selects(expression("NotIn", ["api"]), pod), true);
        assert.equal(selects(expression("NotIn", ["web"]), pod), false);
        assert.equal(selects(expression("NotIn", ["web"]), { tier: "edge" }), true, "without the key");
        assert.equal(selects(expression("NotIn", [""]), { app: "" }), false, "an empty value that is listed");
    });

    it("reads Exists and DoesNotExist on the key alone, whatever its value, even empty", () => {
        assert.equal(selects(expression("Exists"), { app: "" }), true);
        assert.equal(selects(expression("Exists"), { tier: "edge" }), false);
        assert.equal(selects(expression("DoesNotExist"), { app: "" }), false);
        assert.equal(selects(expression("DoesNotExist"), { tier: "edge" }), true);
    });

    it("selects nothing with an operator it does not know, in any case", () => {
        for (const operator of ["in", "Gt", "", "exists"]) assert.equal(selects(expression(operator, ["web"]), pod), false, operator);
    });

    it("needs every expression as well as every label", () => {
        assert.equal(selects({ matchLabels: { tier: "edge" }, matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, pod), true);
        assert.equal(selects({ matchLabels: { tier: "edge" }, matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] }, pod), false);
        assert.equal(selects({ matchLabels: { tier: "core" }, matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, pod), false);
    });

    it("reads a selector object, dropping what is not a string, and reads nothing from a non-object", () => {
        assert.equal(selectorOf(undefined), undefined);
        assert.equal(selectorOf("app=web"), undefined);
        assert.equal(selectorOf([]), undefined);
        assert.deepEqual(selectorOf({ matchLabels: { app: "web", replicas: 3 }, matchExpressions: [{ key: "tier", operator: "In", values: ["edge", 1] }, {}] }), {
            matchLabels: { app: "web" },
            matchExpressions: [
                { key: "tier", operator: "In", values: ["edge"] },
                { key: "", operator: "", values: [] },
            ],
        });
    });

    it("implies a broader selector from labels alone: a subset or equal set of labels, never with expressions", () => {
        assert.equal(labelsImply({ matchLabels: { app: "web", tier: "edge" } }, { matchLabels: { app: "web" } }), true);
        assert.equal(labelsImply({ matchLabels: { app: "web" } }, { matchLabels: { app: "web" } }), true, "equal");
        assert.equal(labelsImply({ matchLabels: { app: "web" } }, {}), true, "the empty selector is the broadest");
        assert.equal(labelsImply({ matchLabels: { app: "web" } }, { matchLabels: { app: "web", tier: "edge" } }), false, "narrower, not broader");
        assert.equal(labelsImply({ matchLabels: { app: "web" } }, { matchLabels: { app: "api" } }), false);
        assert.equal(labelsImply(expression("In", ["web"]), {}), false, "expressions on the narrow side");
        assert.equal(labelsImply({ matchLabels: { app: "web" } }, expression("Exists")), false, "expressions on the broad side");
    });

    it("describes a selector by sorted labels, then expressions, and the empty one as every pod", () => {
        assert.equal(describeSelector({}), "(every pod)");
        assert.equal(describeSelector({ matchLabels: { tier: "edge", app: "web" } }), "app=web,tier=edge");
        assert.equal(describeSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }, { key: "zone", operator: "Exists", values: [] }] }), "app=web,tier In (a,b),zone Exists");
    });
});
