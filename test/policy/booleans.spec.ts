import * as assert from "node:assert/strict";
import { configMapBool, helmTruthy, parseBool } from "../../policy/booleans";

describe("policy/booleans", () => {
    it("parseBool reads exactly what Go's strconv.ParseBool reads", () => {
        for (const t of ["1", "t", "T", "TRUE", "true", "True", true, 1]) assert.equal(parseBool(t), true, JSON.stringify(t));
        for (const f of ["0", "f", "F", "FALSE", "false", "False", false, 0]) assert.equal(parseBool(f), false, JSON.stringify(f));
        for (const none of ["", "yes", "no", "tRUE", " true", "2", 2, null, undefined, {}]) assert.equal(parseBool(none), undefined, JSON.stringify(none));
    });

    it("configMapBool also reads the empty string as false (mapstructure's weak decoding)", () => {
        assert.equal(configMapBool(""), false);
        assert.equal(configMapBool("False"), false);
        assert.equal(configMapBool("T"), true);
        assert.equal(configMapBool("off"), undefined);
    });

    it("helmTruthy is a Go template's if: empty and zero values are false, every other value true", () => {
        for (const f of [undefined, null, false, 0, "", [], {}]) assert.equal(helmTruthy(f), false, JSON.stringify(f));
        for (const t of [true, 1, -1, "false", "0", " ", [false], { a: 0 }]) assert.equal(helmTruthy(t), true, JSON.stringify(t));
    });
});
