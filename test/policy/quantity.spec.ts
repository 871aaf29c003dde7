import * as assert from "node:assert/strict";
import { quantity } from "../../policy/kubernetes";

/**
 * quantity() reads what the API server reads, from the grammar and scanner of
 * kubernetes/apimachinery v0.35.7 `pkg/api/resource/quantity.go` (ParseQuantity,
 * parseQuantityString; suffixes from `suffix.go`; UnmarshalJSON trims spaces first), and
 * refuses (undefined) what it refuses. The invalid strings include those of its own
 * TestQuantityParse.
 */

const accepted: readonly [string, number][] = [
    // <signedNumber>: digits, a fraction on either side of the point or none, and a sign.
    ["1", 1], ["+1", 1], ["-1", -1], ["007", 7], ["1.5", 1.5], ["1.", 1], [".5", 0.5], ["+.5", 0.5], ["-.5", -0.5],
    // The scanner takes no digits at all as 0 (parseQuantityString: "if we stripped all numerator positions, always return 0").
    [".", 0], ["+", 0], ["+000", 0], ["k", 0], ["e3", 0],
    // <decimalSI> and <binarySI>.
    ["1n", 1e-9], ["1u", 1e-6], ["500m", 0.5], ["1k", 1e3], ["1M", 1e6], ["1G", 1e9], ["1T", 1e12], ["1P", 1e15], ["1E", 1e18],
    ["1Ki", 1024], ["1Mi", 2 ** 20], ["1.5Gi", 1.5 * 2 ** 30], ["1Ti", 2 ** 40], ["1Pi", 2 ** 50], ["1Ei", 2 ** 60], [".001Ki", 1.024], ["1.G", 1e9],
    // <decimalExponent>: e or E, then a signed integer.
    ["1e3", 1e3], ["1E3", 1e3], ["1e+3", 1e3], ["1e-3", 1e-3], ["1.5e3", 1500], ["-2E2", -200], ["1e03", 1e3],
    // ParseInt(..., 64) then int32: 2^32 wraps to 0.
    ["1e4294967296", 1],
    // Spaces around are trimmed (Go's TrimSpace, Unicode White_Space).
    [" 1 ", 1], ["\t2Gi\n", 2 ** 31], ["\u00a01\u3000", 1], ["\u00851", 1],
];

const refused: readonly string[] = [
    "", " ", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
    "1e", "1e+", "1E-", "1ee3", "1Ee3", "1k5", "1K", "1kb", "1Mi5", "1mi", "1ke3", "1Mie3", "1me-3", "1 m", "1..5", "--1", "+-1", "0x10", "1_000",
    // Beyond Go's int64 exponent; and U+FEFF, which is no Unicode White_Space.
    "1e9223372036854775808", "1e-9223372036854775809", "\ufeff1",
];

describe("quantity: the Kubernetes quantity grammar", () => {
    for (const [text, value] of accepted) {
        it(`reads ${JSON.stringify(text)} as ${value}`, () => {
            const q = quantity(text);
            assert.ok(q !== undefined && Math.abs(q - value) <= Math.abs(value) * 1e-12, `${JSON.stringify(text)}: ${q}`);
        });
    }

    it("reads the exponent's int64 bounds", () => {
        assert.equal(quantity("1e9223372036854775807"), 1e-1);
        assert.equal(quantity("1e-9223372036854775808"), 1);
    });

    for (const text of refused) {
        it(`refuses ${JSON.stringify(text)}`, () => assert.equal(quantity(text), undefined));
    }

    it("takes JSON numbers as they are, and nothing else", () => {
        assert.equal(quantity(2), 2);
        assert.equal(quantity(0.5), 0.5);
        assert.equal(quantity(Number.NaN), undefined);
        assert.equal(quantity(Number.POSITIVE_INFINITY), undefined);
        for (const other of [null, undefined, true, {}, ["1"]]) assert.equal(quantity(other), undefined);
    });
});
