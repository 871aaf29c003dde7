import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import { unknownSentinel } from "../../offline/values";
import { at, booleanOf, isRecord, listed, numberOf, stringAt, whenKnown } from "../../policy/helpers";

/**
 * The readers every policy shares (policy/helpers.ts), on the inputs CrossGuard hands a
 * policy: JSON with nulls, numbers and booleans given as strings, and values unknown
 * during preview.
 */

// The analyzer's error for a value unknown during preview (exported at run time only).
const { UnknownValueError } = createRequire(__filename)("@pulumi/policy/proxy") as { UnknownValueError: new (sentinel: string, path: string[]) => Error };

describe("policy helpers on the JSON CrossGuard gives", () => {
    it("takes null for no object, and stops a dotted path at a null", () => {
        assert.equal(isRecord(null), false);
        assert.equal(at({ spec: { selector: null } }, "spec.selector.matchLabels"), undefined);
        assert.equal(stringAt({ spec: { replicas: 3 } }, "spec.replicas"), undefined);
    });

    it("reads numbers given as finite numbers or as decimal strings, and nothing else", () => {
        assert.deepEqual(
            [3, " 42 ", "-7", "1.25", "2.5"].map(numberOf),
            [3, 42, -7, 1.25, 2.5],
        );
        assert.deepEqual(
            [Number.NaN, Number.POSITIVE_INFINITY, "x12", "12x", "1.", "1.5x", "", true].map(numberOf),
            [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
        );
    });

    it("reads booleans given as booleans or as the strings true and false, and nothing else", () => {
        assert.deepEqual(
            [true, false, "true", "false", "", "False", "yes", 0, null].map(booleanOf),
            [true, false, true, false, undefined, undefined, undefined, undefined, undefined],
        );
    });

    it("gives the fallback for a value unknown during preview, and lets any other error through", () => {
        assert.equal(whenKnown(() => { throw new UnknownValueError(unknownSentinel, ["status", "loadBalancer"]); }, "fallback"), "fallback");
        assert.throws(() => whenKnown(() => { throw new TypeError("a bug"); }, "fallback"), TypeError);
        assert.equal(whenKnown(() => "known", "fallback"), "known");
    });

    it("lists items in prose", () => {
        assert.deepEqual([[], ["a"], ["a", "b"], ["a", "b", "c"]].map(listed), ["", "a", "a and b", "a, b and c"]);
    });
});
