import * as assert from "node:assert/strict";
import type { z } from "zod";
import {
    allowlistOf,
    awsRegion,
    bytes,
    certificateIdentifier,
    chartRepository,
    cidr,
    cpuQuantity,
    dnsLabel,
    dnsName,
    exactVersion,
    hostedZoneId,
    integerBetween,
    memoryQuantity,
    millicores,
    sourceRangesProblems,
    stackName,
    stringMap,
} from "../../config/validators";

/**
 * The reusable validators of config/validators.ts at their edges, each value written from
 * the rule it implements (RFC 1123 labels and names, RFC 6125 wildcards, semver, Kubernetes
 * quantities and label keys, AWS region and Route53 zone id forms), and the messages a user
 * reads when a value is refused.
 */

/** The messages of a refused value (empty when accepted); a record key's are its schema's (zod wraps them). */
function messages(schema: z.ZodType, value: unknown): string[] {
    const result = schema.safeParse(value);
    return result.success ? [] : result.error.issues.flatMap((i) => (i.code === "invalid_key" ? i.issues.map((k) => k.message) : [i.message]));
}

/** The issues of a refused value as the loader reads them: code, path and message. */
function issues(schema: z.ZodType, value: unknown): { code: string; path: PropertyKey[]; message: string }[] {
    const result = schema.safeParse(value);
    return result.success ? [] : result.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message }));
}

/** Asserts which of `values` the schema accepts and which it refuses with `message`. */
function edges(schema: z.ZodType, accepted: readonly unknown[], refused: readonly unknown[], message: string): void {
    for (const v of accepted) assert.deepEqual(messages(schema, v), [], `${JSON.stringify(v)} should be accepted`);
    for (const v of refused) assert.deepEqual(messages(schema, v), [message], `${JSON.stringify(v)} should be refused`);
}

const label63 = `a${"b".repeat(61)}c`;

describe("config/validators: each validator at its edges", () => {
    it("dnsLabel: 1-63 lowercase letters, digits or '-', a letter or digit at each end", () => {
        assert.equal(label63.length, 63);
        edges(
            dnsLabel,
            ["a", "0", "cluster-1", "a-b", "1abc", label63],
            ["", `${label63}d`, "-a", "a-", "-", "Cluster1", "a.b", "a_b"],
            "expected a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        );
    });

    it("dnsName: two or more labels, at most 253 characters, the last one not starting with a digit", () => {
        // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253.
        const name253 = `${label63}.${label63}.${label63}.${"x".repeat(61)}`;
        assert.equal(name253.length, 253);
        edges(
            dnsName,
            ["api.example.com", "a.io", "1.example.com", "xn--bcher-kva.example", name253, `${label63}.com`],
            [`${name253}x`, "localhost", "api.example.com.", "API.example.com", "api..example.com", "-api.example.com", "api-.example.com", "example.123", `${label63}d.com`, "*.example.com"],
            "expected a lowercase DNS name with at least two labels, such as api.example.com",
        );
    });

    it("certificateIdentifier: a DNS name or a wildcard one level deep", () => {
        edges(
            certificateIdentifier,
            ["api.example.com", "ab.io", "*.example.com", "*.ab.io"],
            ["*.*.example.com", "*.com", "*", "a*.example.com", "api.*.example.com", "*example.com", "**.example.com", ".example.com"],
            "expected a DNS name such as api.example.com, or a wildcard such as *.example.com",
        );
    });

    it("cidr: refuses a non-canonical block with its canonical form", () => {
        assert.deepEqual(messages(cidr, "10.0.0.0/8"), []);
        assert.deepEqual(issues(cidr, "10.0.0.1/8"), [{ code: "custom", path: [], message: "expected the canonical CIDR block 10.0.0.0/8 (no address bits beyond the prefix)" }]);
        assert.deepEqual(messages(cidr, 10), ["expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32"]);
    });

    describe("allowlistOf", () => {
        const allowlist = allowlistOf("the networks that may connect");

        it("accepts canonical blocks that leave someone out", () => {
            assert.deepEqual(messages(allowlist, ["10.0.0.0/8", "2001:db8::/32"]), []);
            assert.deepEqual(messages(allowlist, []), []);
        });

        it("refuses a list open to everyone, however it is cut, naming the blocks", () => {
            assert.deepEqual(issues(allowlist, ["0.0.0.0/0"]), [{ code: "custom", path: [], message: "expected the networks that may connect, not everyone: 0.0.0.0/0 covers all of IPv4" }]);
            assert.deepEqual(messages(allowlist, ["0.0.0.0/1", "128.0.0.0/1", "::/0"]), [
                "expected the networks that may connect, not everyone: 0.0.0.0/1 + 128.0.0.0/1 + ::/0 cover all of IPv4 and IPv6",
            ]);
        });

        it("reports a non-canonical block alone, at its index, before judging the whole", () => {
            assert.deepEqual(issues(allowlist, ["0.0.0.0/0", "10.0.0.1/8"]), [
                { code: "custom", path: [1], message: "expected the canonical CIDR block 10.0.0.0/8 (no address bits beyond the prefix)" },
            ]);
            assert.deepEqual(messages(allowlist, "10.0.0.0/8"), ["expected a list of CIDR blocks"]);
        });
    });

    it("exactVersion: major.minor.patch with an optional v, never a range, 'latest' or a partial version", () => {
        edges(
            exactVersion,
            ["1.30.3", "v1.21.1", "10.20.30", "0.0.0", "1.2.3-rc.1", "v1.2.3+build.5"],
            ["1.30", "v1", "latest", "^1.2.3", "~1.2.3", ">=1.2.3", "1.2.x", "1.2.3.4", " 1.2.3", "=1.2.3", "V1.2.3", "01.2.3", ""],
            "expected an exact version such as 1.30.3 (a range, 'latest' or a partial version is not pinned)",
        );
    });

    it("chartRepository: an https:// URL or an oci:// reference", () => {
        edges(
            chartRepository,
            ["https://charts.jetstack.io", "https://istio-release.storage.googleapis.com/charts", "oci://quay.io/jetstack/charts", "https://example.com/"],
            ["http://charts.jetstack.io", "https://", "oci://", "https:///charts", "https://exa mple.com", "https://example.com/a b", "charts.jetstack.io", "HTTPS://example.com", "s3://bucket/charts"],
            "expected an https:// chart repository URL or an oci:// registry reference",
        );
    });

    it("cpuQuantity: millicores or cores with up to 3 decimals", () => {
        edges(cpuQuantity, ["500m", "2", "0.5", "1.250", "0m"], ["1.2345", "500M", "-1", "1.5m", "1.", ".5", "2 ", "1e3", ""], "expected a CPU quantity such as 500m or 2");
    });

    it("memoryQuantity: a number with a binary or decimal suffix", () => {
        edges(
            memoryQuantity,
            ["512Mi", "2Gi", "1Ki", "1Ti", "1.5G", "100", "1k", "1M", "1T"],
            ["1K", "1mi", "1m", "1e3", "-1Gi", "1.Gi", "Gi", "1 Gi", "1Pi"],
            "expected a memory quantity such as 512Mi or 2Gi",
        );
    });

    it("millicores: reads m as thousandths of a core", () => {
        assert.equal(millicores("500m"), 500);
        assert.equal(millicores("2"), 2000);
        assert.equal(millicores("0.5"), 500);
        assert.equal(millicores("0.001"), 1);
        assert.equal(millicores("1.250"), 1250);
    });

    it("bytes: reads the binary suffixes as powers of 2 and the decimal ones as powers of 10", () => {
        assert.equal(bytes("100"), 100);
        assert.equal(bytes("1Ki"), 1024);
        assert.equal(bytes("512Mi"), 536870912);
        assert.equal(bytes("2Gi"), 2147483648);
        assert.equal(bytes("1Ti"), 1099511627776);
        assert.equal(bytes("1k"), 1000);
        assert.equal(bytes("1M"), 1000000);
        assert.equal(bytes("1.5G"), 1500000000);
        assert.equal(bytes("1.25Gi"), 1342177280);
        assert.equal(bytes("1T"), 1000000000000);
    });

    it("bytes: is NaN for anything but a memory quantity", () => {
        for (const q of ["-1Gi", "1Gi1", "1Gi ", "x1Gi", "1K", "1Xi", "1.Gi", "1.xGi", "Gi", ""]) assert.ok(Number.isNaN(bytes(q)), `${q} should not read`);
    });

    it("awsRegion: a region, also GovCloud and the isolated partitions", () => {
        edges(
            awsRegion,
            ["us-east-1", "eu-central-1", "ap-southeast-2", "il-central-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1"],
            ["US-east-1", "us-east", "useast-1", "us-east-10", "use-east-1", "us-isobb-east-1", "us-east-1a", ""],
            "expected an AWS region such as us-east-1",
        );
    });

    it("hostedZoneId: Z and 1-32 upper-case letters or digits", () => {
        edges(
            hostedZoneId,
            ["Z0123456789ABCDEFGHIJ", "Z1", `Z${"A".repeat(32)}`],
            ["Z", `Z${"A".repeat(33)}`, "z0123456789ABCDEFGHIJ", "Z0123456789abcdefghij", "/hostedzone/Z0123456789ABCDEFGHIJ", "A0123456789ABCDEFGHIJ"],
            "expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (upper case, starting with Z)",
        );
    });

    it("stackName: organization/project/stack", () => {
        edges(
            stackName,
            ["acme/mesh-ingress/primary", "Acme_1/mesh.ingress/remote-a", "a/b/c"],
            ["mesh-ingress/primary", "primary", "acme/mesh-ingress/primary/x", "-acme/p/s", "acme/p/", "acme//s", "acme/p/s t", ""],
            "expected a fully qualified stack name <organization>/<project>/<stack>, such as acme/mesh-ingress/primary",
        );
    });

    it("integerBetween: names the range for a number outside it, a fraction and a non-number", () => {
        const replicas = integerBetween(2, 5);
        edges(replicas, [2, 3, 5], [1, 6, 2.5, "3", null, Number.NaN], "expected an integer from 2 to 5");
    });

    describe("stringMap", () => {
        it("accepts Kubernetes annotation and label keys, an optional DNS prefix and a name of up to 63 characters", () => {
            const name63 = `A${"b_.-".repeat(15)}b9`;
            assert.equal(name63.length, 63);
            for (const key of ["app", "example.com/name", "service.beta.kubernetes.io/aws-load-balancer-type", "a/b", "App_Name.v1", name63, `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}/x`]) {
                assert.deepEqual(messages(stringMap, { [key]: "v" }), [], key);
            }
        });

        it("refuses a key that is not one, and a value that is not a string", () => {
            const keyMessage = "expected a Kubernetes annotation or label key such as example.com/name";
            for (const key of ["", "-app", "app-", "_app", "Example.com/name", "a/b/c", "/name", "example.com/", `a${"b".repeat(62)}c`, "a b",
                // The prefix is a DNS subdomain: no empty label, no label starting or ending with '-', at most 253 characters.
                "a..b/name", "a.-b/name", "a-.b/name", ".a/name", "a./name", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}/x`]) {
                assert.deepEqual(messages(stringMap, { [key]: "v" }), [keyMessage], JSON.stringify(key));
            }
            assert.deepEqual(messages(stringMap, { app: 1 }), ["expected a string value (quote numbers and booleans)"]);
            assert.deepEqual(messages(stringMap, { app: true }), ["expected a string value (quote numbers and booleans)"]);
        });
    });

    describe("sourceRangesProblems", () => {
        const key = "edgeServiceAnnotations.service.beta.kubernetes.io/load-balancer-source-ranges";

        it("has none when the annotation is not set or lists canonical blocks that leave someone out", () => {
            assert.deepEqual(sourceRangesProblems(key, undefined, "the networks that may reach the edge"), []);
            assert.deepEqual(sourceRangesProblems(key, "10.0.0.0/8, 192.168.0.0/16", "the networks that may reach the edge"), []);
        });

        it("reports each non-canonical or unreadable entry, trimmed, on its own line", () => {
            assert.deepEqual(
                sourceRangesProblems(key, " 10.0.0.1/8, 192.168.0.0/16,nonsense, 0.0.0.0/0", "x").map((p) => p.line),
                [
                    `${key} = "10.0.0.1/8": expected the canonical CIDR block 10.0.0.0/8 (no address bits beyond the prefix)`,
                    `${key} = "nonsense": expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32`,
                ],
            );
        });

        it("reports a value open to everyone once, as written", () => {
            assert.deepEqual(sourceRangesProblems(key, "0.0.0.0/1, 128.0.0.0/1", "the networks that may reach the edge"), [
                { key, line: `${key} = "0.0.0.0/1, 128.0.0.0/1": expected the networks that may reach the edge, not everyone: 0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4` },
            ]);
        });
    });
});
