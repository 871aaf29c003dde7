import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectDir } from "../../offline/plan";
import { policies } from "../../policy/policies";

describe("the README's rules table", () => {
    it("lists every policy of the pack, in order, with its level and settings", () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const table = readme.slice(readme.indexOf("### Rules"), readme.indexOf("### What the pack expects"));
        const rows = table
            .split("\n")
            .filter((l) => /^\| `[a-z0-9-]+` \|/.test(l))
            .map((l) => l.split(" | "));
        assert.deepEqual(rows.map((cells) => [cells[0]!.replace(/^\| `|`$/g, ""), cells[1]]), policies.map((p) => [p.name, p.enforcementLevel]));
        rows.forEach((cells, i) => {
            for (const setting of Object.keys(policies[i]!.configSchema?.properties ?? {})) {
                assert.ok(cells[4]!.includes(`\`${setting}\``), `${policies[i]!.name}: setting ${setting} in the table`);
            }
        });
    });
});
