import * as assert from "node:assert/strict";
import { z } from "zod";
import { expectation, knownFields } from "../../config/load";
import { primary, problemLines } from "../support/config-source";

/**
 * How config/load.ts turns zod's issues on a structured setting into problem lines: the
 * path into the value (`[n]`, `.field`), the value found there, every unknown field with a
 * did-you-mean over the fields accepted at that place, and the "expected ..." of each kind
 * of check, also for schemas that bring no message of their own.
 */

/** A valid host, but for what a case changes. */
const host = { host: "app.example.com", namespace: "apps", paths: [{ path: "/", service: "web", port: 8080 }] };

/** The problem lines of the primary serving `hosts` (the rules across settings skip an invalid edgeHosts). */
const withHosts = (hosts: unknown, secretKeys: readonly string[] = []): string[] => problemLines({ ...primary, edgeHosts: hosts }, secretKeys);

/** The issues zod raises for `value` under `schema`. */
function issues(schema: z.ZodType, value: unknown): z.core.$ZodIssue[] {
    const result = schema.safeParse(value);
    assert.ok(!result.success, `expected ${JSON.stringify(value)} to be refused`);
    return result.error.issues;
}

/** What the loader says a schema expected of `value` (its only issue). */
function expected(schema: z.ZodType, value: unknown): string {
    const [issue, ...rest] = issues(schema, value);
    assert.deepEqual(rest, []);
    return expectation(issue!);
}

describe("config/load: problems inside structured settings", () => {
    it("names the place with [index] and .field, and shows the value found there", () => {
        const path = { ...host.paths[0], port: 0, responseHeaders: { "X-Frame-Options": 5 } };
        assert.deepEqual(withHosts([{ ...host, paths: [path] }]), [
            "edgeHosts[0].paths[0].port = 0: expected an integer from 1 to 65535",
            "edgeHosts[0].paths[0].responseHeaders.X-Frame-Options = 5: expected a string",
        ]);
    });

    it("shows a missing field as not set", () => {
        const { namespace: _ns, ...rest } = host;
        void _ns;
        assert.deepEqual(withHosts([rest]), ["edgeHosts[0].namespace = (not set): expected a string"]);
    });

    it("reports every unknown field of an object, each with the nearest field accepted there", () => {
        assert.deepEqual(withHosts([{ ...host, hots: "x", pahts: [] }]), ["edgeHosts[0].hots = \"x\": unknown field; did you mean 'host'?", "edgeHosts[0].pahts = []: unknown field; did you mean 'paths'?"]);
        assert.deepEqual(withHosts([{ ...host, paths: [{ ...host.paths[0], prot: 80 }] }]), ["edgeHosts[0].paths[0].prot = 80: unknown field; did you mean 'port'?"]);
        assert.deepEqual(problemLines({ ...primary, dnsRouting: [{ host: "app.example.com", policy: "weighted", wieght: 3 }] }), ["dnsRouting[0].wieght = 3: unknown field; did you mean 'weight'?"]);
    });

    it("lists the fields accepted there when an unknown field resembles none", () => {
        assert.deepEqual(withHosts([{ ...host, zzzzzz: 1 }]), ["edgeHosts[0].zzzzzz = 1: unknown field; expected one of: host, namespace, profile, certificate, paths"]);
    });

    it("hides the values of an encrypted structured setting, unknown fields included", () => {
        assert.deepEqual(withHosts([{ ...host, hots: "x" }], ["edgeHosts"]), ["edgeHosts[0].hots = [secret]: unknown field; did you mean 'host'?"]);
    });

    it("says what a field without a message of its own expected: a string, a mapping", () => {
        assert.deepEqual(problemLines({ ...primary, edgeSecurityProfiles: [{ name: 5 }] }), ["edgeSecurityProfiles[0].name = 5: expected a string"]);
        assert.deepEqual(withHosts([5]), ["edgeHosts[0] = 5: expected an object (a YAML mapping)"]);
        assert.deepEqual(withHosts([{ ...host, paths: [{ ...host.paths[0], responseHeaders: ["X-A"] }] }]), ['edgeHosts[0].paths[0].responseHeaders = ["X-A"]: expected an object (a YAML mapping)']);
    });

    it("says what a mapping's key must look like when the key is refused", () => {
        assert.deepEqual(problemLines({ ...primary, edgeServiceAnnotations: { "Not a key": "v" } }), [
            'edgeServiceAnnotations.Not a key = "v": expected a Kubernetes annotation or label key such as example.com/name',
        ]);
    });
});

describe("config/load: the expectation of each kind of zod check", () => {
    it("keeps a schema's own message that starts with 'expected'", () => {
        assert.equal(expected(z.string().regex(/^a$/, { error: "expected the letter a" }), "b"), "expected the letter a");
    });

    it("names the expected type", () => {
        assert.equal(expected(z.string(), 1), "expected a string");
        assert.equal(expected(z.number(), "1"), "expected a number");
        assert.equal(expected(z.number().int(), 1.5), "expected an integer");
        assert.equal(expected(z.boolean(), "yes"), "expected true or false");
        assert.equal(expected(z.array(z.string()), "a"), "expected a list");
        assert.equal(expected(z.object({}), "a"), "expected an object (a YAML mapping)");
        assert.equal(expected(z.record(z.string(), z.string()), "a"), "expected an object (a YAML mapping)");
        assert.equal(expected(z.bigint(), 1), "expected a value of type bigint");
    });

    it("lists the values an enum or literal allows", () => {
        assert.equal(expected(z.enum(["Prefix", "Exact"]), "prefix"), 'expected one of "Prefix", "Exact"');
        assert.equal(expected(z.literal([5, "five"]), 4), 'expected one of 5, "five"');
    });

    it("says the bounds of a list, a text and a number in their units", () => {
        assert.equal(expected(z.array(z.string()).min(2), ["a"]), "expected at least 2 entries");
        assert.equal(expected(z.array(z.string()).max(1), ["a", "b"]), "expected at most 1 entries");
        assert.equal(expected(z.string().min(3), "ab"), "expected at least 3 characters");
        assert.equal(expected(z.string().max(1), "ab"), "expected at most 1 characters");
        assert.equal(expected(z.number().min(3), 2), "expected at least 3");
        assert.equal(expected(z.number().max(1), 2), "expected at most 1");
    });

    it("says what a record's key expected, not that the key is invalid", () => {
        assert.equal(expected(z.record(z.string().min(2), z.string()), { a: "x" }), "expected at least 2 characters");
        const key = z.string().min(3, { error: "expected at least 3 characters" }).regex(/^a/, { error: "expected a key starting with a" });
        assert.equal(expected(z.record(key, z.string()), { b: "x" }), "expected at least 3 characters; expected a key starting with a");
    });

    it("makes any other message an expectation, dropping zod's 'Invalid input' and a leading 'expected'", () => {
        assert.equal(expected(z.string().refine(() => false), "a"), "expected a valid value");
        assert.equal(expected(z.union([z.string(), z.number()]), true), "expected a valid value");
        assert.equal(expected(z.string().refine(() => false, { error: "Invalid input: expected an even length" }), "a"), "expected an even length");
        assert.equal(expected(z.string().refine(() => false, { error: "Invalid input: fewer words than expected" }), "a"), "expected fewer words than expected");
    });
});

describe("config/load: the fields a structured setting accepts at a place", () => {
    const inner = z.strictObject({ host: z.string(), port: z.number() });

    it("lists an object's fields, also inside lists and objects", () => {
        assert.deepEqual(knownFields(inner, []), ["host", "port"]);
        assert.deepEqual(knownFields(z.array(z.strictObject({ hosts: z.array(inner) })), [3, "hosts", 0]), ["host", "port"]);
    });

    it("sees through optional, nullable, default, readonly, catch, prefault and pipe", () => {
        const fallback = { host: "h", port: 1 };
        const wrapped = [inner.optional(), inner.nullable(), inner.default(fallback), inner.readonly(), inner.catch(fallback), inner.prefault(fallback), inner.transform((v) => v)];
        for (const schema of wrapped) assert.deepEqual(knownFields(z.object({ nested: schema }), ["nested"]), ["host", "port"], schema.def.type);
    });

    it("lists none where the place is no object, or no place of the schema", () => {
        assert.deepEqual(knownFields(z.record(z.string(), inner), []), []);
        assert.deepEqual(knownFields(inner, ["host"]), []);
        assert.deepEqual(knownFields(inner, ["nowhere"]), []);
        assert.deepEqual(knownFields(z.array(inner), ["host"]), []);
    });
});
