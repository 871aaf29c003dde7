import * as assert from "node:assert/strict";
import { printable } from "../../config/printable";

/**
 * config/printable.ts: a key or value a user wrote is printed on one line, whatever it
 * holds. Every control character is escaped (by name for newline, carriage return and
 * tab, else as `\uXXXX`); every other character is printed as it is.
 */

describe("config/printable", () => {
    it("escapes newline, carriage return and tab by name", () => {
        assert.equal(printable("a\nb\r\nc\td"), "a\\nb\\r\\nc\\td");
    });

    it("escapes the other C0 controls, DEL and the C1 controls as four hex digits", () => {
        assert.equal(printable("\u0000\u0001\u000b\u001b[31m\u001f"), "\\u0000\\u0001\\u000b\\u001b[31m\\u001f");
        assert.equal(printable("\u007f\u0080\u0085\u009b\u009f"), "\\u007f\\u0080\\u0085\\u009b\\u009f");
    });

    it("escapes the Unicode line and paragraph separators", () => {
        assert.equal(printable("a\u2028b\u2029c"), "a\\u2028b\\u2029c");
    });

    it("prints every other character as it is", () => {
        const text = " ~\u00a0é\u2027\u202a\u2030 日本 🙂 \\n";
        assert.equal(printable(text), text);
    });
});
