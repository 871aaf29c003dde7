import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { projectDir } from "../../offline/plan";

/**
 * The README shows the article's secure-ingress, multi-host and caching examples as
 * configuration. Each is an excerpt of the default primary stack, which the tests plan,
 * so every entry shown must be an entry of Pulumi.primary.yaml.
 */

const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
const stackConfig = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.primary.yaml"), "utf8")) as { config: Record<string, unknown> }).config;

function example(name: string): Record<string, unknown> {
    const match = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(readme);
    assert.ok(match, `the README has the example '${name}'`);
    return parse(match[1]!) as Record<string, unknown>;
}

describe("the README's edge examples", () => {
    for (const name of ["multi-host", "secure-ingress", "caching"]) {
        it(`shows '${name}' exactly as the default primary stack configures it`, () => {
            const excerpt = example(name);
            assert.ok(Object.keys(excerpt).length > 0);
            for (const [key, entries] of Object.entries(excerpt)) {
                const configured = stackConfig[key];
                assert.ok(Array.isArray(entries) && Array.isArray(configured), `${key} is a list in both`);
                for (const entry of entries) assert.ok(configured.some((c) => JSON.stringify(c) === JSON.stringify(entry)), `${key} entry ${JSON.stringify(entry)} is in Pulumi.primary.yaml`);
            }
        });
    }
});
