import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { allSettings } from "../../config/registry";
import { projectDir } from "../../offline/plan";
import { variantBases, type NonDefaultVariant } from "../support/non-default";
import { planned, type Planned } from "../support/plan";
import { clusterVariants } from "../support/non-default/cluster";
import { dnsVariants } from "../support/non-default/dns";
import { edgeVariants } from "../support/non-default/edge";
import { edgeSecurityVariants } from "../support/non-default/edge-security";
import { gatewayApiVariants } from "../support/non-default/gateway-api";
import { meshVariants } from "../support/non-default/mesh";
import { observabilityVariants } from "../support/non-default/observability";
import { tlsVariants } from "../support/non-default/tls";

/**
 * Every setting of the registry set to a value other than its default (and other than the
 * stack file's), with the effect that value has on the plan (test/support/non-default.ts).
 */

const variants: readonly NonDefaultVariant[] = [
    ...clusterVariants,
    ...meshVariants,
    ...tlsVariants,
    ...dnsVariants,
    ...edgeVariants,
    ...edgeSecurityVariants,
    ...gatewayApiVariants,
    ...observabilityVariants,
];

/** The stack file's own value of a key (undefined when it does not set it). */
function stackFileValue(base: keyof typeof variantBases, key: string): unknown {
    const b = variantBases[base];
    const file = "configFile" in b ? b.configFile : path.join(projectDir, `Pulumi.${b.stack}.yaml`);
    const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    return doc.config?.[`mesh-ingress:${key}`];
}

describe("every setting at a non-default value, and its effect on the plan", () => {
    it("has a row for every setting, with a value unlike its default and unlike the stack file's, secret where the setting is", () => {
        const rows = variants.flatMap((v) => v.rows.map((r) => ({ variant: v, row: r })));
        const covered = new Set(rows.map((r) => r.row.key));
        const missing = allSettings()
            .map((s) => s.key)
            .filter((k) => !covered.has(k));
        assert.deepEqual(missing, [], "settings without a non-default row");
        const byKey = new Map(allSettings().map((s) => [s.key, s]));
        for (const { variant, row } of rows) {
            const setting = byKey.get(row.key);
            assert.ok(setting, `${variant.name}: ${row.key} is not a setting`);
            assert.ok(!isDeepStrictEqual(row.value, setting.default), `${variant.name}: ${row.key} = ${JSON.stringify(row.value)} is its default`);
            assert.ok(!isDeepStrictEqual(row.value, stackFileValue(variant.base, row.key)), `${variant.name}: ${row.key} = ${JSON.stringify(row.value)} is what the stack file sets`);
            assert.equal(row.secret === true, setting.secret === true, `${variant.name}: ${row.key} is ${setting.secret === true ? "" : "not "}secret`);
        }
        for (const v of variants) {
            const keys = v.rows.map((r) => r.key);
            assert.equal(new Set(keys).size, keys.length, `${v.name} sets a key twice`);
        }
    });

    for (const variant of variants) {
        describe(`${variant.name} (${variant.base}${variant.up === true ? ", up" : ""})`, () => {
            let p: Planned;
            before(async () => {
                const base = variantBases[variant.base];
                const set = { ...variant.context, ...Object.fromEntries(variant.rows.map((r) => [r.key, r.value])) };
                p = await planned(base.stack, {
                    ...("configFile" in base ? { configFile: base.configFile } : {}),
                    ...(variant.up === true ? { up: true } : {}),
                    overrides: { set, secret: variant.rows.filter((r) => r.secret === true).map((r) => r.key), unset: [...(variant.unset ?? [])] },
                });
            });
            for (const row of variant.rows) {
                // A secret's value never goes into a title (test output is logged in CI).
                it(`${row.key} = ${row.secret === true ? "[secret]" : JSON.stringify(row.value)}: ${row.effect}`, async () => {
                    await row.check(p);
                });
            }
        });
    }
});
