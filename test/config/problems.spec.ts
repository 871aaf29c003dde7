import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, invalid, missing, show, suggestion, unknownKey } from "../../config/problems";

/**
 * The lines a user reads when configuration is wrong (config/problems.ts): how a bad value
 * is shown (JSON, at most 80 characters, control characters escaped, a secret never), the
 * invalid / missing / unknown-key lines, when a typo gets a "did you mean" and the
 * ConfigError message Pulumi prints.
 */

describe("config/problems: the lines a user reads about wrong configuration", () => {
    describe("show", () => {
        it("shows a value as JSON, an unset one as (not set), a secret as [secret]", () => {
            assert.equal(show("api.example.com"), '"api.example.com"');
            assert.equal(show(5), "5");
            assert.equal(show(false), "false");
            assert.equal(show(null), "null");
            assert.equal(show({ a: [1, "b"] }), '{"a":[1,"b"]}');
            assert.equal(show(undefined), "(not set)");
            assert.equal(show("hunter22", true), "[secret]");
            assert.equal(show(undefined, true), "[secret]");
            assert.equal(show("hunter22", false), '"hunter22"');
        });

        it("shows up to 80 characters as they are and cuts a longer text to 77 and '...'", () => {
            const eighty = "a".repeat(78); // 80 with its quotes
            assert.equal(show(eighty), `"${eighty}"`);
            const eightyOne = "a".repeat(79);
            assert.equal(show(eightyOne), `"${"a".repeat(76)}...`);
            assert.equal(show(eightyOne).length, 80);
        });

        it("escapes the control characters JSON leaves as they are, and counts the escapes in the 80", () => {
            assert.equal(show("a\u007fb\u2028c"), '"a\\u007fb\\u2028c"');
            assert.equal(show("a\nb"), '"a\\nb"');
            // 13 DELs become 78 characters; with the quotes and "x", 81: cut.
            assert.equal(show(`x${"\u007f".repeat(13)}`), `"x${"\\u007f".repeat(12)}\\u0...`);
        });
    });

    describe("invalid, missing and unknownKey lines", () => {
        it("writes key = value: expectation, the key and the expectation made printable", () => {
            assert.deepEqual(invalid("edgeHosts[0].host", "API", "expected a DNS name"), { key: "edgeHosts[0].host", line: 'edgeHosts[0].host = "API": expected a DNS name' });
            assert.deepEqual(invalid("dbPassword", "hunter22", "expected a secret", true), { key: "dbPassword", line: "dbPassword = [secret]: expected a secret" });
            assert.equal(invalid("a\nb", 1, "expected\tx").line, "a\\nb = 1: expected\\tx");
            assert.equal(invalid("clusterName", undefined, "expected a DNS label").line, "clusterName = (not set): expected a DNS label");
        });

        it("writes key is not set: why", () => {
            assert.deepEqual(missing("clusterName", "The cluster's name.\nSet it."), { key: "clusterName", line: "clusterName is not set: The cluster's name.\\nSet it." });
        });

        it("suggests the closest known key for a typo, by the last part of a path", () => {
            assert.deepEqual(unknownKey("clustrName", "c1", ["clusterName", "network"]), {
                key: "clustrName",
                line: "clustrName = \"c1\": unknown setting; did you mean 'clusterName'?",
            });
            assert.equal(unknownKey("edgeRoutes[0].hostt", "a", ["host", "port"], "field").line, "edgeRoutes[0].hostt = \"a\": unknown field; did you mean 'host'?");
            assert.equal(unknownKey("meshNetworks[netwrk]", 1, ["network"], "field").line, "meshNetworks[netwrk] = 1: unknown field; did you mean 'network'?");
        });

        it("lists the known keys when nothing is close, and hides a secret value", () => {
            assert.equal(unknownKey("colour", "red", ["clusterName", "network"]).line, 'colour = "red": unknown setting; expected one of: clusterName, network');
            assert.equal(unknownKey("dbPasswrd", "hunter22", ["dbPassword"], "setting", true).line, "dbPasswrd = [secret]: unknown setting; did you mean 'dbPassword'?");
            assert.equal(unknownKey("dbPasswrd", "hunter22", ["dbPassword"], "setting", false).line, "dbPasswrd = \"hunter22\": unknown setting; did you mean 'dbPassword'?");
        });
    });

    describe("suggestion", () => {
        it("allows 2 edits to a word of up to 8 characters", () => {
            // 5 letters: floor(5 / 3) = 1, the floor of 2 applies.
            assert.equal(suggestion("rolee", ["role"]), "role");
            assert.equal(suggestion("rxlex", ["role"]), "role");
            assert.equal(suggestion("rxlexx", ["role"]), undefined);
            assert.equal(suggestion("abcdefgh", ["abcdefxy"]), "abcdefxy");
            assert.equal(suggestion("abcdefgh", ["abcdexyz"]), undefined);
        });

        it("allows a third of a longer word's length in edits", () => {
            // 9 letters: 3 edits.
            assert.equal(suggestion("abcdefghi", ["abcdefxyz"]), "abcdefxyz");
            assert.equal(suggestion("abcdefghi", ["abcdewxyz"]), undefined);
            // 12 letters: 4 edits.
            assert.equal(suggestion("abcdefghijkl", ["abcdefghwxyz"]), "abcdefghwxyz");
            assert.equal(suggestion("abcdefghijkl", ["abcdefgvwxyz"]), undefined);
        });

        it("ignores case and returns the candidate as it is spelled", () => {
            assert.equal(suggestion("CLUSTERNAME", ["network", "clusterName"]), "clusterName");
            assert.equal(suggestion("meshid", ["meshId"]), "meshId");
        });

        it("suggests nothing without candidates", () => {
            assert.equal(suggestion("role", []), undefined);
        });
    });

    describe("ConfigError", () => {
        it("says how many problems and lists each on its own indented line", () => {
            const one = new ConfigError([{ key: "a", line: "a = 1: expected x" }], "dev");
            assert.equal(one.message, "Invalid configuration for stack 'dev' (1 problem):\n  a = 1: expected x");
            const two = new ConfigError(
                [
                    { key: "a", line: "a = 1: expected x" },
                    { key: "b", line: "b is not set: y" },
                ],
                "prod",
            );
            assert.equal(two.message, "Invalid configuration for stack 'prod' (2 problems):\n  a = 1: expected x\n  b is not set: y");
            assert.equal(two.name, "ConfigError");
            assert.deepEqual(two.problems.map((p) => p.key), ["a", "b"]);
            assert.ok(pulumi.RunError.isInstance(two));
        });

        it("recognises a ConfigError, also a copy from another module instance, and nothing else", () => {
            assert.equal(ConfigError.isInstance(new ConfigError([], "dev")), true);
            const copy = Object.assign(new Error("m"), { name: "ConfigError", problems: [] });
            assert.equal(ConfigError.isInstance(copy), true);
            assert.equal(ConfigError.isInstance(new Error("m")), false);
            assert.equal(ConfigError.isInstance(Object.assign(new Error("m"), { name: "ConfigError" })), false);
            assert.equal(ConfigError.isInstance(Object.assign(new Error("m"), { problems: [] })), false);
            assert.equal(ConfigError.isInstance({ name: "ConfigError", message: "m", problems: [] }), false);
            assert.equal(ConfigError.isInstance(undefined), false);
        });
    });
});
