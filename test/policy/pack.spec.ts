import * as assert from "node:assert/strict";
import { judge } from "../../offline/judge";
import { primaryStack, remoteStack } from "./fixtures";
import { resource } from "./support";

describe("the policy pack on a correct design", () => {
    it("finds nothing in a primary stack built the way the brief describes", async () => {
        assert.deepEqual(await judge(primaryStack().map(resource)), []);
    });

    it("finds nothing in a remote stack", async () => {
        assert.deepEqual(await judge(remoteStack().map(resource)), []);
    });
});
