import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { downloadVerified } from "../../components/edge/gateway-api-crds";
import { addressSet, canonicalProblem, openFamilies, openToEveryone, parseBlock, subtract } from "../../policy/addresses";
import { annotationConflicts, awsNlbEdgeAnnotations, exposure, isPodLevelAnnotation } from "../../policy/load-balancers";

/** The one implementation of address sets and load balancer annotations, shared by the settings and the pack. */

describe("address sets (policy/addresses.ts)", () => {
    const canonical: [string, string | undefined][] = [
        ["10.0.0.0/8", undefined],
        ["2001:db8::/32", undefined],
        ["0.0.0.0/0", undefined],
        ["010.0.0.0/8", "expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)"],
        ["0x0a.0.0.0/8", "expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)"],
        ["10.0.0.1/8", "expected the canonical CIDR block 10.0.0.0/8 (no address bits beyond the prefix)"],
        ["::ffff:10.0.0.0/104", "expected the canonical CIDR block 10.0.0.0/8 (an IPv4-mapped IPv6 block is the IPv4 block it maps)"],
        ["2001:DB8::/32", "expected the canonical CIDR block 2001:db8::/32 (lowercase, compressed, no leading zeros)"],
        ["10.0.0.1", "expected a CIDR block with its prefix length, such as 10.0.0.1/32"],
        ["10.0.0.0/33", "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32"],
        ["office", "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32"],
    ];
    for (const [text, problem] of canonical) {
        it(`${text}: ${problem ?? "canonical"}`, () => assert.equal(canonicalProblem(text), problem));
    }

    it("reads an IPv4-mapped block as IPv4, and octal octets as the parser does", () => {
        const mapped = parseBlock("::ffff:10.0.0.0/104");
        assert.ok(mapped.ok && mapped.block.family === "ipv4" && mapped.block.cidr === "10.0.0.0/8");
        const octal = parseBlock("010.0.0.0/8");
        assert.ok(octal.ok && octal.block.cidr === "8.0.0.0/8" && !octal.canonical);
    });

    it("finds everyone however it is cut, and nothing in a real restriction", () => {
        assert.equal(openToEveryone(["0.0.0.0/1", "128.0.0.0/1"]), "0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4");
        assert.equal(openToEveryone(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]), "0.0.0.0/2 + 64.0.0.0/2 + 128.0.0.0/2 + 192.0.0.0/2 cover all of IPv4");
        assert.equal(openToEveryone(["::/0"]), "::/0 covers all of IPv4 and IPv6");
        assert.equal(openToEveryone(["10.0.0.0/8", "0.0.0.0/2"]), undefined);
        assert.equal(openToEveryone(["0.0.0.0/1", "128.0.0.0/2"]), undefined, "a gap (192.0.0.0/2) is not everyone");
        assert.equal(openToEveryone(["0.0.0.0/1,128.0.0.0/1"]), "0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4", "an annotation's comma-separated value");
    });

    it("subtracts except blocks (NetworkPolicy ipBlock)", () => {
        const rest = subtract(addressSet(["0.0.0.0/0"]).blocks, addressSet(["10.0.0.0/8"]).blocks);
        assert.deepEqual(rest.map((b) => b.cidr), ["0.0.0.0-9.255.255.255", "11.0.0.0-255.255.255.255"]);
        assert.deepEqual(openFamilies(rest), []);
        assert.deepEqual(openFamilies(subtract(addressSet(["0.0.0.0/0"]).blocks, [])), ["ipv4"]);
    });
});

describe("load balancer annotations (policy/load-balancers.ts)", () => {
    it("lets users add attributes but never change the program's", () => {
        assert.deepEqual(annotationConflicts(awsNlbEdgeAnnotations, { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "deregistration_delay.timeout_seconds=30,preserve_client_ip.enabled=true" }), []);
        assert.deepEqual(annotationConflicts(awsNlbEdgeAnnotations, { "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=false" }), [
            { key: "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes", needs: "preserve_client_ip.enabled=true" },
        ]);
        assert.deepEqual(annotationConflicts(awsNlbEdgeAnnotations, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", "external-dns.alpha.kubernetes.io/hostname": "x" }), []);
    });

    it("tells internal from internet-facing as the controllers default", () => {
        assert.equal(exposure({ "service.beta.kubernetes.io/aws-load-balancer-type": "external" }), "internal", "the AWS Load Balancer Controller's default scheme");
        assert.equal(exposure({}), "internet-facing", "a cloud's default");
        assert.equal(exposure({ "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }), "internal");
        assert.equal(exposure({ "networking.gke.io/load-balancer-type": "Internal" }), "internal");
    });

    it("knows pod-level annotations from Service annotations", () => {
        assert.deepEqual(["proxy.istio.io/config", "sidecar.istio.io/inject", "istio.io/rev", "container.apparmor.security.beta.kubernetes.io/x", "service.beta.kubernetes.io/aws-load-balancer-scheme", "external-dns.alpha.kubernetes.io/hostname"].map(isPodLevelAnnotation), [true, true, true, true, false, false]);
    });
});

describe("checked downloads (components/edge/gateway-api-crds.ts)", () => {
    const url = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml";
    const body = new TextEncoder().encode("kind: CustomResourceDefinition\n");
    /** A digest the body does not have (the one a reviewer recorded for another manifest). */
    const digest = "0123456789abcdef".repeat(4);

    it("returns the bytes it checked, and refuses others naming the setting", async () => {
        const actual = createHash("sha256").update(body).digest("hex");
        assert.equal(await downloadVerified(url, actual, () => Promise.resolve(body)), "kind: CustomResourceDefinition\n");
        await assert.rejects(downloadVerified(url, digest, () => Promise.resolve(body)), {
            message: `gatewayApiCrdsSha256 = "${digest}": expected the SHA-256 of ${url}, which is ${actual}; nothing was applied. Check the release (a manifest that changed under its URL is not the one you reviewed), then set the digest you trust.`,
        });
    });
});
