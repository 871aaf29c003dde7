import * as assert from "node:assert/strict";
import { addressSet, canonicalProblem, openFamilies, openToEveryone, parseBlock, subtract } from "../../policy/addresses";

/**
 * The edges of the address arithmetic the settings and the pack share: each case sits at a
 * boundary (a prefix length, the IPv4-mapped range, one address apart) or just outside it.
 * Written from the survivors of `npm run mutation` on policy/addresses.ts.
 */

/** The CIDR (or range) of each block, in order. */
const cidrs = (entries: readonly string[]): string[] => addressSet(entries).blocks.map((b) => b.cidr);
const ranges = (include: readonly string[], except: readonly string[]): string[] => subtract(addressSet(include).blocks, addressSet(except).blocks).map((b) => b.cidr);

describe("address sets at their boundaries", () => {
    it("reads prefix lengths up to the family's width and no further, with one to three digits", () => {
        assert.equal(parseBlock("10.0.0.0/32").ok, true);
        assert.equal(parseBlock("10.0.0.0/33").ok, false);
        assert.equal(parseBlock("2001:db8::/128").ok, true);
        assert.equal(parseBlock("2001:db8::/129").ok, false);
        assert.equal(parseBlock("10.0.0.0/").ok, false, "a slash without a prefix");
        assert.equal(parseBlock("10.0.0.0/0008").ok, false, "four digits");
        assert.equal(parseBlock("10.0.0.0/8x").ok, false);
        assert.equal(parseBlock("/8").ok, false, "a prefix without an address");
    });

    it("trims what it reads, and tells canonical blocks, bare addresses and host bits apart", () => {
        const padded = parseBlock(" 10.0.0.0/8 ");
        assert.ok(padded.ok);
        assert.deepEqual([padded.block.cidr, padded.canonical, padded.hostBits], ["10.0.0.0/8", true, false]);
        const bare = parseBlock("10.1.2.3");
        assert.ok(bare.ok);
        assert.deepEqual([bare.block.cidr, bare.canonical, bare.hostBits], ["10.1.2.3/32", false, false]);
        const host = parseBlock("10.1.2.3/31");
        assert.ok(host.ok);
        assert.deepEqual([host.block.cidr, host.canonical, host.hostBits], ["10.1.2.2/31", false, true]);
        const edge = parseBlock("10.1.2.2/31");
        assert.ok(edge.ok);
        assert.deepEqual([edge.block.cidr, edge.canonical, edge.hostBits], ["10.1.2.2/31", true, false]);
        assert.equal(canonicalProblem(" 10.0.0.0/8 "), undefined);
        const mapped = parseBlock("::ffff:a00:0/104");
        assert.ok(mapped.ok);
        assert.deepEqual([mapped.block.cidr, mapped.canonical], ["10.0.0.0/8", false], "written as IPv6 exactly as the parser renders it, still the IPv4 block it maps");
    });

    it("maps IPv6 blocks to IPv4 only inside ::ffff:0:0/96, and from prefix 96 on", () => {
        assert.deepEqual(cidrs(["::ffff:0.0.0.0/96"]), ["0.0.0.0/0"]);
        assert.deepEqual(cidrs(["::ffff:10.0.0.0/104"]), ["10.0.0.0/8"]);
        assert.deepEqual(cidrs(["::ffff:10.1.2.3/128"]), ["10.1.2.3/32"]);
        assert.deepEqual(cidrs(["::fffe:0:0/96"]), ["::fffe:0:0/96"], "next to the mapped range, not in it");
        assert.deepEqual(cidrs(["::fffe:0:0/95"]), ["::fffe:0:0/95"], "holds the mapped range but is wider than it");
        assert.equal(addressSet(["::fffe:0:0/95"]).blocks[0]!.family, "ipv6");
        assert.deepEqual(openFamilies(addressSet(["::ffff:0:0/96"]).blocks), ["ipv4"]);
        assert.deepEqual(openFamilies(addressSet(["::fffe:0:0/95"]).blocks), ["ipv4"], "an IPv6 block holding every mapped address covers IPv4");
        assert.deepEqual(openFamilies(addressSet(["::ffff:0:0/97"]).blocks), [], "half of the mapped range is half of IPv4");
        assert.deepEqual(openFamilies(addressSet(["::/96"]).blocks), [], "below the mapped range");
        assert.deepEqual(ranges(["::fffe:0:0/95"], []), ["0.0.0.0-255.255.255.255", "::fffe:0:0-::ffff:ffff:ffff"], "the IPv4 it maps, and the IPv6 range as it is");
    });

    it("reads octets as other parsers would only when they are written with a leading zero or 0x, and in range", () => {
        const octal = "expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)";
        assert.equal(canonicalProblem("010.0.0.0/8"), octal);
        assert.equal(canonicalProblem("10.0x0.0.0/8"), "expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)");
        assert.equal(canonicalProblem("10.0.0.00/8"), octal);
        assert.equal(canonicalProblem("10.0.0.0/08"), "expected the canonical CIDR block 10.0.0.0/8 (lowercase, compressed, no leading zeros)");
        assert.equal(canonicalProblem("0x100.0.0.0/8"), "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32", "256 is no octet");
        assert.equal(canonicalProblem("255.255.255.255/32"), undefined);
        assert.equal(canonicalProblem("a010.0.0.0/8"), "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32", "no block, even if its tail reads as one");
        assert.equal(canonicalProblem("010.0.0.0/8x"), "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32");
        assert.equal(canonicalProblem(" 010.0.0.0/8"), octal, "trimmed before it is read");
        assert.equal(canonicalProblem("010.0.0.0/16"), "expected the canonical CIDR block 10.0.0.0/16 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)");
        assert.equal(canonicalProblem("10.0x10.0.0/16"), "expected the canonical CIDR block 10.16.0.0/16 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)");
        assert.equal(canonicalProblem("0255.0.0.0/8"), "expected the canonical CIDR block 255.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)");
    });

    it("splits comma-separated entries, skips empty pieces and keeps what it cannot read apart", () => {
        const set = addressSet(["10.0.0.0/8, 192.168.0.0/16", " ", ",", "office", "  172.16.0.0/12  "]);
        assert.deepEqual(set.blocks.map((b) => b.cidr), ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"]);
        assert.deepEqual(set.unreadable, ["office"]);
        assert.equal(openToEveryone(["0.0.0.0/0", "office", ""]), "0.0.0.0/0 covers all of IPv4", "one block: covers; what is unreadable is not named");
        assert.equal(openToEveryone(["office"]), undefined);
        assert.equal(openToEveryone([]), undefined);
        assert.equal(openToEveryone(["0.0.0.0/1 , 128.0.0.0/1"]), "0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4", "named as trimmed");
    });

    it("merges overlapping, contained, unsorted and adjacent blocks, and leaves a one-address gap open", () => {
        assert.equal(openToEveryone(["128.0.0.0/1", "0.0.0.0/1"]), "128.0.0.0/1 + 0.0.0.0/1 cover all of IPv4", "unsorted");
        assert.equal(openToEveryone(["0.0.0.0/0", "10.0.0.0/8"]), "0.0.0.0/0 + 10.0.0.0/8 cover all of IPv4", "a block inside another");
        assert.equal(openToEveryone(["10.0.0.0/8", "0.0.0.0/0"]), "10.0.0.0/8 + 0.0.0.0/0 cover all of IPv4", "the wider block last");
        assert.equal(openToEveryone(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"]), "0.0.0.0/1 + 128.0.0.0/2 + 192.0.0.0/2 cover all of IPv4", "adjacent");
        const gap = subtract(addressSet(["0.0.0.0/0"]).blocks, addressSet(["128.0.0.0/32"]).blocks);
        assert.deepEqual(openFamilies(gap), [], "every address but one is not everyone");
        assert.deepEqual(openFamilies(addressSet(["::/1", "8000::/1"]).blocks), ["ipv4", "ipv6"], "all of IPv6 holds every IPv4-mapped address");
        assert.deepEqual(openFamilies(addressSet(["::/1"]).blocks), ["ipv4"], "half of IPv6, but the half that holds ::ffff:0:0/96");
        assert.deepEqual(openFamilies(addressSet(["8000::/1"]).blocks), [], "the other half");
    });

    it("subtracts an except block at each edge of the range, inside it, and beside it", () => {
        assert.deepEqual(ranges(["10.0.0.0/8"], ["10.0.0.0/8"]), []);
        assert.deepEqual(ranges(["10.0.0.0/8"], ["10.0.0.0/9"]), ["10.128.0.0-10.255.255.255"]);
        assert.deepEqual(ranges(["10.0.0.0/8"], ["10.128.0.0/9"]), ["10.0.0.0-10.127.255.255"]);
        assert.deepEqual(ranges(["10.0.0.0/8"], ["10.0.0.0/32"]), ["10.0.0.1-10.255.255.255"]);
        assert.deepEqual(ranges(["10.0.0.0/8"], ["10.255.255.255/32"]), ["10.0.0.0-10.255.255.254"]);
        assert.deepEqual(ranges(["10.0.0.0/8"], ["10.0.0.5/32"]), ["10.0.0.0-10.0.0.4", "10.0.0.6-10.255.255.255"]);
        assert.deepEqual(ranges(["10.0.0.0/8"], ["11.0.0.0/32"]), ["10.0.0.0-10.255.255.255"], "the address after the range");
        assert.deepEqual(ranges(["10.0.0.0/8"], ["9.255.255.255/32"]), ["10.0.0.0-10.255.255.255"], "the address before the range");
        assert.deepEqual(ranges(["10.0.0.0/8"], ["8.0.0.0/32"]), ["10.0.0.0-10.255.255.255"], "far before the range");
        assert.deepEqual(ranges(["10.0.0.0/8"], ["12.0.0.0/32"]), ["10.0.0.0-10.255.255.255"], "far after the range");
        assert.deepEqual(ranges(["10.0.0.0/8"], ["0.0.0.0/0"]), []);
        assert.deepEqual(ranges(["10.0.0.0/8", "2001:db8::/32"], ["10.0.0.0/8"]), ["2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"], "families apart");
    });
});
