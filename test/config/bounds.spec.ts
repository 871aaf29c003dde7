import * as assert from "node:assert/strict";
import { allSettings } from "../../config/registry";
import { primary, problemLines, remote } from "../support/config-source";

/**
 * Every validation bound of the settings, on each side: the value at the bound is accepted
 * and the one just outside it is refused with its line. The bounds are written here as
 * literals, so a bound moved by one in config/settings fails a case.
 */

/** The problem lines of a configuration (empty when it loads). */
const problems = (values: Readonly<Record<string, unknown>>): string[] => problemLines(values, [], "bounds");

/** Asserts that no line is about `key` (the value is accepted). */
function accepted(base: Readonly<Record<string, unknown>>, key: string, value: unknown, context: Readonly<Record<string, unknown>> = {}): void {
    const lines = problems({ ...base, ...context, [key]: value });
    assert.deepEqual(
        lines.filter((l) => l.startsWith(`${key} = `)),
        [],
        `${key} = ${JSON.stringify(value)} should be accepted`,
    );
}

/** Asserts that `key` = `value` is refused with exactly `line`. */
function refused(base: Readonly<Record<string, unknown>>, key: string, value: unknown, line: string, context: Readonly<Record<string, unknown>> = {}): void {
    const lines = problems({ ...base, ...context, [key]: value });
    assert.deepEqual(
        lines.filter((l) => l.startsWith(`${key} = `)),
        [line],
    );
}

/** The integer settings' ranges, as the README's settings table promises them. */
const ranges: readonly { key: string; min: number; max: number; below: string; above: string; base?: Readonly<Record<string, unknown>>; context?: Readonly<Record<string, unknown>> }[] = [
    // On a remote: the primary's own floor of 3 (below) would hide the range's.
    { key: "istiodReplicas", min: 1, max: 15, below: "expected an integer from 1 to 15", above: "expected an integer from 1 to 15", base: remote, context: { istiodPdbMinAvailable: 1 } },
    { key: "istiodPdbMinAvailable", min: 1, max: 14, below: "expected an integer from 1 to 14", above: "expected an integer from 1 to 14", context: { istiodReplicas: 15 } },
    { key: "eastWestGatewayReplicas", min: 2, max: 50, below: "expected an integer from 2 to 50", above: "expected an integer from 2 to 50", context: { eastWestGatewayMaxReplicas: 100 } },
    { key: "eastWestGatewayMaxReplicas", min: 2, max: 100, below: "expected an integer from 2 to 100", above: "expected an integer from 2 to 100", context: { eastWestGatewayReplicas: 2 } },
    { key: "istioReaderTokenGeneration", min: 1, max: 1000000, below: "expected at least 1", above: "expected at most 1000000" },
    { key: "certManagerReplicas", min: 2, max: 5, below: "expected an integer from 2 to 5", above: "expected an integer from 2 to 5" },
    { key: "dnsRecordTtl", min: 30, max: 86400, below: "expected an integer from 30 to 86400", above: "expected an integer from 30 to 86400" },
    { key: "edgeHstsMaxAge", min: 0, max: 63072000, below: "expected an integer from 0 to 63072000", above: "expected an integer from 0 to 63072000" },
    { key: "edgeMinReplicas", min: 2, max: 100, below: "expected an integer from 2 to 100", above: "expected an integer from 2 to 100", context: { edgeMaxReplicas: 100 } },
    { key: "edgeMaxReplicas", min: 2, max: 100, below: "expected an integer from 2 to 100", above: "expected an integer from 2 to 100", context: { edgeMinReplicas: 2 } },
    { key: "edgeTargetCpuUtilization", min: 10, max: 100, below: "expected an integer from 10 to 100", above: "expected an integer from 10 to 100" },
];

describe("config: every validation bound, on each side", () => {
    it("lists every integer setting with a range", () => {
        const integers = allSettings()
            .filter((s) => s.type === "integer")
            .map((s) => s.key);
        assert.deepEqual(
            ranges.map((r) => r.key),
            integers,
        );
    });

    for (const r of ranges) {
        it(`${r.key}: ${r.min} and ${r.max} accepted, ${r.min - 1} and ${r.max + 1} refused`, () => {
            const base = r.base ?? primary;
            accepted(base, r.key, r.min, r.context);
            accepted(base, r.key, r.max, r.context);
            refused(base, r.key, r.min - 1, `${r.key} = ${r.min - 1}: ${r.below}`, r.context);
            refused(base, r.key, r.max + 1, `${r.key} = ${r.max + 1}: ${r.above}`, r.context);
        });
    }

    it("istiodReplicas: 3 accepted on a primary, 2 refused (the highly available floor)", () => {
        accepted(primary, "istiodReplicas", 3, { istiodPdbMinAvailable: 1 });
        refused(primary, "istiodReplicas", 2, "istiodReplicas = 2: expected at least 3 on the primary (a highly available control plane survives losing a node during an upgrade)", {
            istiodPdbMinAvailable: 1,
        });
    });

    it("istiodPdbMinAvailable: one below istiodReplicas accepted, equal refused (a drain could never evict)", () => {
        accepted(primary, "istiodPdbMinAvailable", 4, { istiodReplicas: 5 });
        refused(primary, "istiodPdbMinAvailable", 5, "istiodPdbMinAvailable = 5: expected fewer than istiodReplicas (5), or no istiod pod could ever be evicted and node drains would hang", {
            istiodReplicas: 5,
        });
    });

    it("eastWestGatewayMaxReplicas: equal to eastWestGatewayReplicas accepted, one below refused", () => {
        accepted(primary, "eastWestGatewayMaxReplicas", 7, { eastWestGatewayReplicas: 7 });
        refused(primary, "eastWestGatewayMaxReplicas", 6, "eastWestGatewayMaxReplicas = 6: expected at least eastWestGatewayReplicas (7)", { eastWestGatewayReplicas: 7 });
    });

    it("edgeMinReplicas: equal to edgeMaxReplicas accepted, one above refused", () => {
        accepted(primary, "edgeMinReplicas", 9, { edgeMaxReplicas: 9 });
        refused(primary, "edgeMinReplicas", 10, "edgeMinReplicas = 10: expected at most edgeMaxReplicas (9)", { edgeMaxReplicas: 9 });
    });

    it("a container's requests: equal to the limit in another unit accepted, one unit above refused", () => {
        accepted(primary, "istiodCpuRequest", "500m", { istiodCpuLimit: "0.5" });
        refused(primary, "istiodCpuRequest", "501m", 'istiodCpuRequest = "501m": expected at most the limit istiodCpuLimit (0.5)', { istiodCpuLimit: "0.5" });
        accepted(primary, "edgeMemoryRequest", "2048Mi", { edgeMemoryLimit: "2Gi" });
        refused(primary, "edgeMemoryRequest", "2049Mi", 'edgeMemoryRequest = "2049Mi": expected at most the limit edgeMemoryLimit (2Gi)', { edgeMemoryLimit: "2Gi" });
    });

    it("tlsCertificates: 100 DNS names in one certificate accepted (Let's Encrypt's limit), 101 refused", () => {
        const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
        const cert = (n: number): unknown => [{ name: "many", dnsNames: names(n) }];
        const context = { acmeEmail: "platform@example.com", dnsHostedZoneName: "example.com", dnsHostedZoneId: "Z0123456789ABCDEFGHIJ" };
        accepted(primary, "tlsCertificates", cert(100), context);
        const lines = problems({ ...primary, ...context, tlsCertificates: cert(101) }).filter((l) => l.startsWith("tlsCertificates"));
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.match(lines[0]!, /expected at most 100 DNS names \(Let's Encrypt's limit per certificate\)$/);
    });
});
