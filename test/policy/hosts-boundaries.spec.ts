import * as assert from "node:assert/strict";
import { covered, identifierSet, isWildcard, nameCovers, normalHost } from "../../policy/hosts";

/**
 * DNS names as TLS compares them, at their edges: a wildcard covers exactly one more label
 * (not zero, not two), names compare without case and without a trailing dot, and a name
 * that only ends like the wildcard's suffix is not under it.
 */

describe("host names at their boundaries", () => {
    it("lets a wildcard cover one label, not the apex (zero) nor two", () => {
        assert.equal(nameCovers("*.example.com", "api.example.com"), true);
        assert.equal(nameCovers("*.example.com", "a.example.com"), true, "a one-character label");
        assert.equal(nameCovers("*.example.com", "example.com"), false, "the apex");
        assert.equal(nameCovers("*.example.com", ".example.com"), false, "an empty label");
        assert.equal(nameCovers("*.example.com", "a.api.example.com"), false, "two labels");
    });

    it("matches the wildcard's suffix on a label boundary only", () => {
        assert.equal(nameCovers("*.example.com", "apiexample.com"), false);
        assert.equal(nameCovers("*.example.com", "api.example.com.evil.net"), false);
        assert.equal(nameCovers("*.example.com", "api.example.org"), false);
    });

    it("compares names without case and without a trailing dot, on either side", () => {
        assert.equal(nameCovers("Portal.Example.COM.", "portal.example.com"), true);
        assert.equal(nameCovers("portal.example.com", " PORTAL.example.com. "), true);
        assert.equal(nameCovers("*.EXAMPLE.com", "Api.Example.Com."), true);
        assert.equal(nameCovers("portal.example.com", "portal.example.co"), false, "one character short");
        assert.equal(normalHost(" Api.Example.COM. "), "api.example.com");
    });

    it("covers a wildcard host only by the same wildcard, and a subdomain never by an exact name", () => {
        assert.equal(nameCovers("*.example.com", "*.example.com"), true, "the same name");
        assert.equal(nameCovers("api.example.com", "*.example.com"), false, "an exact name does not cover a wildcard");
        assert.equal(nameCovers("example.com", "api.example.com"), false, "an exact name does not cover a subdomain");
    });

    it("finds a host covered when any one of the names covers it, and never by none", () => {
        assert.equal(covered("api.example.com", ["portal.example.com", "*.example.com"]), true);
        assert.equal(covered("api.example.com", ["portal.example.com"]), false);
        assert.equal(covered("api.example.com", []), false);
    });

    it("tells a wildcard by its first label only", () => {
        assert.equal(isWildcard("*.example.com"), true);
        assert.equal(isWildcard(" *.Example.com. "), true);
        assert.equal(isWildcard("api.*.example.com"), false);
        assert.equal(isWildcard("*example.com"), false);
    });

    it("counts identifiers as Let's Encrypt does: lowercased, without trailing dots, unique, sorted, none empty", () => {
        assert.deepEqual(identifierSet(["b.example.com", "A.example.com.", "a.example.com", " ", "*.example.com"]), ["*.example.com", "a.example.com", "b.example.com"]);
        assert.deepEqual(identifierSet([]), []);
    });
});
