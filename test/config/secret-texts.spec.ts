import * as assert from "node:assert/strict";
import { invalid } from "../../config/problems";
import { hideSecrets, holdsSecret, placeholderFor, secretShown, secretTexts, shortestContainedSecret } from "../../config/secret-texts";

/**
 * The texts of a stack's `secure:` values and how they are kept out of sight
 * (config/secret-texts.ts): which texts count as secret (a secret key's whole value and,
 * for a structured value, every scalar leaf), the order they are hidden in (longest
 * first, so a secret containing another is hidden whole), which scalars hold a secret
 * (stacks/config-secrets.ts marks those as Pulumi secrets), and how messages print
 * `[secret]` instead of a secret, also where it appears quoted in JSON.
 */

describe("config/secret-texts: the texts of secret values and how messages hide them", () => {
    describe("secretTexts", () => {
        it("takes a secret key's text and nothing of the keys that are not secret", () => {
            const values = { "mesh-ingress:clusterName": "cluster1", "mesh-ingress:dbPassword": "hunter2-pass" };
            assert.deepEqual(secretTexts(values, ["mesh-ingress:dbPassword"]), ["hunter2-pass"]);
            assert.deepEqual(secretTexts(values, []), []);
        });

        it("skips a secret key that has no value or an empty one", () => {
            assert.deepEqual(secretTexts({}, ["mesh-ingress:dbPassword"]), []);
            assert.deepEqual(secretTexts({ "mesh-ingress:dbPassword": "" }, ["mesh-ingress:dbPassword"]), []);
            assert.deepEqual(secretTexts({ "p:a": "", "p:b": "token-b" }, ["p:a", "p:b"]), ["token-b"]);
        });

        it("takes a structured value's JSON text and every scalar leaf, numbers and booleans as text; null and empty strings are no secret", () => {
            const raw = '{"db":{"password":"s3cr3t-pw","port":5432,"tls":true,"none":null},"tokens":["alpha-token","beta",false],"empty":""}';
            assert.deepEqual(secretTexts({ "p:db": raw }, ["p:db"]), [raw, "alpha-token", "s3cr3t-pw", "false", "5432", "beta", "true"]);
        });

        it("reads a list, also after leading whitespace", () => {
            assert.deepEqual(secretTexts({ "p:a": '["x-leaf",1]' }, ["p:a"]), ['["x-leaf",1]', "x-leaf", "1"]);
            assert.deepEqual(secretTexts({ "p:a": ' \n ["x-leaf"]' }, ["p:a"]), [' \n ["x-leaf"]', "x-leaf"]);
        });

        it("takes only the text of a value that is not a JSON list or mapping", () => {
            // Invalid JSON that looks structured, a JSON string literal, a JSON number and a
            // text with a bracket inside: each is the plain text Pulumi passed.
            assert.deepEqual(secretTexts({ "p:a": "{not json, pass" }, ["p:a"]), ["{not json, pass"]);
            assert.deepEqual(secretTexts({ "p:a": '"quoted-secret"' }, ["p:a"]), ['"quoted-secret"']);
            assert.deepEqual(secretTexts({ "p:a": '"a[inner]"' }, ["p:a"]), ['"a[inner]"']);
            assert.deepEqual(secretTexts({ "p:a": "null" }, ["p:a"]), ["null"]);
            assert.deepEqual(secretTexts({ "p:a": "[null]" }, ["p:a"]), ["[null]"]);
        });

        it("lists each text once, longest first, then alphabetically", () => {
            const values = { "p:a": "bbbb", "p:b": "aaaa", "p:c": "cc-longer", "p:d": "aaaa", "p:e": '["bbbb","dd"]' };
            assert.deepEqual(secretTexts(values, ["p:a", "p:b", "p:c", "p:d", "p:e"]), ['["bbbb","dd"]', "cc-longer", "aaaa", "bbbb", "dd"]);
            assert.deepEqual(secretTexts({ "p:a": "zz", "p:b": "yyy", "p:c": "x" }, ["p:a", "p:b", "p:c"]), ["yyy", "zz", "x"]);
        });

        it("hides a secret that contains another one whole (the order hideSecrets relies on)", () => {
            const secrets = secretTexts({ "p:short": "abcd", "p:long": "abcdefgh" }, ["p:short", "p:long"]);
            assert.equal(hideSecrets("token abcdefgh and abcd", secrets), "token [secret] and [secret]");
        });
    });

    describe("placeholderFor", () => {
        it("names the key, each run of other characters than letters and digits as one '-'", () => {
            assert.equal(placeholderFor("mesh-ingress:dbPassword"), "offline-placeholder-for-mesh-ingress-dbPassword");
            assert.equal(placeholderFor("mesh-ingress:.._tls--key9"), "offline-placeholder-for-mesh-ingress-tls-key9");
        });
    });

    describe("hideSecrets", () => {
        it("prints [secret] for every occurrence of a secret", () => {
            assert.equal(secretShown, "[secret]");
            assert.equal(hideSecrets("hunter22 is hunter22", ["hunter22"]), "[secret] is [secret]");
            assert.equal(hideSecrets("nothing here", ["hunter22"]), "nothing here");
            assert.equal(hideSecrets("a=hunter22 b=tok-9999", ["hunter22", "tok-9999"]), "a=[secret] b=[secret]");
        });

        it("leaves a text shorter than 4 characters alone, and hides one of exactly 4", () => {
            assert.equal(shortestContainedSecret, 4);
            assert.equal(hideSecrets("port 443 of api", ["443", "api"]), "port 443 of api");
            assert.equal(hideSecrets("port 8443 of api", ["8443"]), "port [secret] of api");
        });

        it("hides a secret where a message shows it quoted in JSON: quotes, backslashes, newlines", () => {
            assert.equal(hideSecrets(invalid("apiToken", 'pa"ss\\wo', "expected x").line, ['pa"ss\\wo']), 'apiToken = "[secret]": expected x');
            assert.equal(hideSecrets(invalid("kubeconfig", "line-one\nline-two", "expected x").line, ["line-one\nline-two"]), 'kubeconfig = "[secret]": expected x');
            // Both forms in one text.
            assert.equal(hideSecrets('raw pa"ss\\wo, JSON "pa\\"ss\\\\wo"', ['pa"ss\\wo']), 'raw [secret], JSON "[secret]"');
        });

        it("shows a secret that is the word 'secret' as [secret], once", () => {
            assert.equal(hideSecrets("the password is secret", ["secret"]), "the password is [secret]");
        });
    });

    describe("holdsSecret", () => {
        it("is true for a value equal to a secret, however short", () => {
            assert.equal(holdsSecret("abc", ["abc"]), true);
            assert.equal(holdsSecret("x", ["zzzz", "x"]), true);
        });

        it("is true for a string containing a secret of at least 4 characters, not 3", () => {
            assert.equal(holdsSecret("xabcdx", ["abcd"]), true);
            assert.equal(holdsSecret("xabcx", ["abc"]), false);
            assert.equal(holdsSecret("user:hunter22@db", ["zzzz", "hunter22"]), true);
        });

        it("compares numbers and booleans as their text, whole", () => {
            assert.equal(holdsSecret(5432, ["5432"]), true);
            assert.equal(holdsSecret(154321, ["5432"]), false);
            assert.equal(holdsSecret(true, ["true"]), true);
            assert.equal(holdsSecret(false, ["true"]), false);
        });

        it("is false when no secret is equal or contained", () => {
            assert.equal(holdsSecret("plain-value", ["abcd"]), false);
            assert.equal(holdsSecret("abc", ["abcd"]), false);
            assert.equal(holdsSecret("anything", []), false);
        });
    });
});
