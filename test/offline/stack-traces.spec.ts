import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { evaluate } from "../../offline/engine";
import { DeferredStack, plainStack, withPlainSdkStacks } from "../../offline/stack-traces";

/**
 * While a program is evaluated, the SDK's own stack traces are cheap (offline/stack-traces.ts),
 * and everything else keeps the source-mapped traces users read.
 */

/** A call site as V8 hands it to `Error.prepareStackTrace`, for the file given. */
function site(file: string, line: number, text: string): NodeJS.CallSite {
    return { getFileName: () => file, getLineNumber: () => line, toString: () => text } as unknown as NodeJS.CallSite;
}

/** The SDK's promise wrapper, internal (its declaration is stripped from the typings). */
const { debuggablePromise } = debuggable as unknown as { debuggablePromise: (p: Promise<unknown>, ctx: string) => Promise<unknown> };

const sdk = path.join(path.sep, "app", "node_modules", "@pulumi", "pulumi");

describe("offline/stack-traces", () => {
    it("keeps the program's own traces at their TypeScript positions during an evaluation", async () => {
        let stack = "";
        await evaluate(
            () => {
                stack = new Error("mine").stack ?? ""; // the own-trace line
                return {};
            },
            { project: "mesh-ingress", stack: "primary", config: {} },
        );
        assert.equal(stack.split("\n")[0], "Error: mine");
        // The line in this file, through tsx's source map (the compiled line differs).
        const line = fs.readFileSync(__filename, "utf8").split("\n").findIndex((l) => l.endsWith("// the own-trace line")) + 1;
        assert.match(stack.split("\n")[1] ?? "", new RegExp(`stack-traces\\.spec\\.ts:${line}:\\d+\\)?$`));
    });

    it("defers the SDK's promise traces and puts Node's formatter back afterwards", async () => {
        // eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
        const original = Error.prepareStackTrace;
        let trace: unknown;
        await evaluate(
            () => {
                // The SDK marks the promise it is given, and returns another.
                const given = Promise.resolve(1);
                void debuggablePromise(given, "a test promise");
                trace = (given as unknown as { _debugStackTrace: unknown })._debugStackTrace;
                return {};
            },
            { project: "mesh-ingress", stack: "primary", config: {} },
        );
        // eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
        assert.equal(Error.prepareStackTrace, original);
        assert.ok(trace instanceof DeferredStack, `the trace is a ${typeof trace}`);
        const lines = String(trace).split("\n");
        assert.equal(lines[0], "Error");
        assert.match(lines[1] ?? "", /at (Object\.)?debuggablePromise \(.*[\\/]@pulumi[\\/](pulumi[\\/])?runtime[\\/]debuggable\.(js|ts):\d+:\d+\)$/);
        assert.match(lines[2] ?? "", /stack-traces\.spec\.ts:\d+:\d+\)?$/, "the caller's frame is still source-mapped when printed");
    });

    it("formats the SDK's resource traces plainly and hands every other trace to the original", () => {
        const calls: string[] = [];
        const hook = withPlainSdkStacks((error, sites) => {
            calls.push(String(sites[0]?.getFileName()));
            return "original";
        });
        const error = new Error("boom");
        const resourceSites = [site(path.join(sdk, "resource.js"), 329, "Function.callsites (/app/resource.js:329:32)"), site("/app/index.ts", 7, "main (/app/index.ts:7:1)")];
        assert.equal(hook(error, resourceSites), "Error: boom\n    at Function.callsites (/app/resource.js:329:32)\n    at main (/app/index.ts:7:1)");
        assert.equal(plainStack(error, resourceSites), hook(error, resourceSites));
        assert.deepEqual(calls, []);

        assert.equal(hook(error, [site("/app/index.ts", 7, "main (/app/index.ts:7:1)")]), "original");
        // A file that only ends like the SDK's is not the SDK's.
        assert.equal(hook(error, [site("/app/my-resource.js", 1, "x")]), "original");
        assert.equal(hook(error, []), "original");
        assert.deepEqual(calls, ["/app/index.ts", "/app/my-resource.js", "undefined"]);

        const deferred = hook(error, [site(path.join(sdk, "runtime", "debuggable.js"), 253, "debuggablePromise")]);
        assert.ok(deferred instanceof DeferredStack);
        assert.equal(calls.length, 3, "a deferred trace is not formatted until printed");
        assert.equal(String(deferred), "original");
        assert.equal(String(deferred), "original");
        assert.equal(calls.length, 4, "and formatted once");
    });
});
