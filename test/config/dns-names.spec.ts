import * as assert from "node:assert/strict";
import { challengeRecordName, challengeRecordNames, covers, hostSlug, isInZone, setCovers, sharedChallenges } from "../../config/dns-names";

/**
 * The DNS name rules the TLS, DNS and edge settings share (config/dns-names.ts): which names
 * a hosted zone holds, which hosts a certificate identifier covers (RFC 6125: a wildcard
 * stands for exactly one whole, non-empty left-most label), the `_acme-challenge` TXT
 * record a DNS-01 challenge writes (RFC 8555 section 8.4: a wildcard's is its base
 * domain's), and the slug a host becomes in object names (a DNS label).
 */

describe("config/dns-names: zones, certificate coverage, ACME challenge records and host slugs", () => {
    describe("isInZone", () => {
        it("holds the zone's apex and every name below it, wildcards included", () => {
            assert.equal(isInZone("example.com", "example.com"), true);
            assert.equal(isInZone("api.example.com", "example.com"), true);
            assert.equal(isInZone("a.b.example.com", "example.com"), true);
            assert.equal(isInZone("*.example.com", "example.com"), true);
            assert.equal(isInZone("*.api.example.com", "example.com"), true);
        });

        it("does not hold a name that merely ends with the zone's text, or one above it", () => {
            assert.equal(isInZone("badexample.com", "example.com"), false);
            assert.equal(isInZone("*.badexample.com", "example.com"), false);
            assert.equal(isInZone("example.com", "api.example.com"), false);
            assert.equal(isInZone("*.example.com", "api.example.com"), false);
            assert.equal(isInZone("example.org", "example.com"), false);
        });
    });

    describe("covers", () => {
        it("covers the same name", () => {
            assert.equal(covers("api.example.com", "api.example.com"), true);
            assert.equal(covers("*.example.com", "*.example.com"), true);
        });

        it("does not let a plain name cover any other name", () => {
            assert.equal(covers("a.example.com", "api.example.com"), false);
            assert.equal(covers("example.com", "api.example.com"), false);
            assert.equal(covers("api.example.com", "example.com"), false);
        });

        it("lets a wildcard cover exactly one non-empty label in front of its base", () => {
            assert.equal(covers("*.example.com", "api.example.com"), true);
            assert.equal(covers("*.example.com", "x.example.com"), true);
            assert.equal(covers("*.example.com", "example.com"), false);
            assert.equal(covers("*.example.com", "a.b.example.com"), false);
            assert.equal(covers("*.example.com", ".example.com"), false);
            assert.equal(covers("*.example.com", "api.example.org"), false);
            assert.equal(covers("*.internal", "internal"), false);
        });

        it("setCovers: some identifier of the set covers the host", () => {
            assert.equal(setCovers(["example.com", "*.example.com"], "api.example.com"), true);
            assert.equal(setCovers(["example.com", "*.example.com"], "example.com"), true);
            assert.equal(setCovers(["example.com", "*.example.com"], "a.b.example.com"), false);
            assert.equal(setCovers([], "example.com"), false);
        });
    });

    describe("ACME DNS-01 challenge records", () => {
        it("uses _acme-challenge in front of the name, a wildcard's base, in lower case", () => {
            assert.equal(challengeRecordName("api.example.com"), "_acme-challenge.api.example.com");
            assert.equal(challengeRecordName("*.example.com"), "_acme-challenge.example.com");
            assert.equal(challengeRecordName("API.Example.com"), "_acme-challenge.api.example.com");
        });

        it("lists a set's records once each, sorted", () => {
            assert.deepEqual(challengeRecordNames(["www.example.com", "*.example.com", "example.com", "api.example.com"]), [
                "_acme-challenge.api.example.com",
                "_acme-challenge.example.com",
                "_acme-challenge.www.example.com",
            ]);
            assert.deepEqual(challengeRecordNames([]), []);
        });

        it("sharedChallenges: the records two sets both write, a wildcard and its apex sharing one", () => {
            assert.deepEqual(sharedChallenges(["*.example.com", "b.example.com", "a.example.com"], ["example.com", "a.example.com"]), [
                "_acme-challenge.a.example.com",
                "_acme-challenge.example.com",
            ]);
            assert.deepEqual(sharedChallenges(["*.example.com"], ["api.example.com"]), []);
            assert.deepEqual(sharedChallenges(["api.example.com"], []), []);
        });
    });

    describe("hostSlug", () => {
        it("turns dots into '-' and a leading wildcard into 'wildcard'", () => {
            assert.equal(hostSlug("api.example.com"), "api-example-com");
            assert.equal(hostSlug("*.example.com"), "wildcard-example-com");
        });

        it("keeps at most 50 characters and never ends with '-'", () => {
            const long = `${"a".repeat(45)}.example.com`;
            assert.equal(hostSlug(long), `${"a".repeat(45)}-exam`);
            // The cut falls right after a dot.
            assert.equal(hostSlug(`${"a".repeat(49)}.example.com`), "a".repeat(49));
            // The cut falls inside a run of hyphens (as in an IDNA "xn--" label).
            assert.equal(hostSlug(`${"a".repeat(48)}--b.example.com`), "a".repeat(48));
            assert.equal(hostSlug(`${"a".repeat(50)}.com`), "a".repeat(50));
        });
    });
});
