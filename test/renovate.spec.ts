import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { registry } from "../config/registry";
import { exactVersion } from "../config/validators";
import { projectDir } from "../offline/plan";

/**
 * renovate.json: its regex managers find every chart version pinned in the settings'
 * defaults, with the datasource and registry the program pulls that chart from; npm
 * packages keep TypeScript below 6 and Node.js on LTS lines; actions stay pinned by commit.
 * The regexes run here as JavaScript regular expressions, the flavour Renovate documents for
 * them (it evaluates them with RE2, which has no lookaround: none is used).
 */

interface RegexManager {
    customType: string;
    description: string;
    managerFilePatterns: string[];
    matchStrings: string[];
    depNameTemplate?: string;
    packageNameTemplate?: string;
    datasourceTemplate?: string;
    registryUrlTemplate?: string;
    versioningTemplate?: string;
}

interface RenovateConfig {
    extends: string[];
    packageRules: { matchManagers?: string[]; matchPackageNames?: string[]; allowedVersions?: string; versioning?: string }[];
    customManagers: RegexManager[];
}

const config = JSON.parse(fs.readFileSync(path.join(projectDir, "renovate.json"), "utf8")) as RenovateConfig;

/** A `/regex/` file pattern as Renovate reads it (the project uses no globs). */
function filePattern(pattern: string): RegExp {
    const m = /^\/(.*)\/$/.exec(pattern);
    assert.ok(m, `${pattern} is a /regex/ pattern`);
    return new RegExp(m[1]!);
}

/** Every file of the repository under `dir`, relative to the project, as Renovate matches them. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(path.join(projectDir, dir), { recursive: true, withFileTypes: true }).flatMap((e) => (e.isFile() ? [path.relative(projectDir, path.join(e.parentPath, e.name)).split(path.sep).join("/")] : []));
}

/** What one manager extracts: the setting key in the matched text and the version. */
function extract(manager: RegexManager): { file: string; key: string | undefined; currentValue: string }[] {
    const patterns = manager.managerFilePatterns.map(filePattern);
    const files = [...filesUnder("config"), ...filesUnder("components"), ...filesUnder("stacks"), "package.json"].filter((f) => patterns.some((p) => p.test(f)));
    const found: { file: string; key: string | undefined; currentValue: string }[] = [];
    for (const file of files) {
        const text = fs.readFileSync(path.join(projectDir, file), "utf8");
        for (const source of manager.matchStrings) {
            assert.doesNotMatch(source, /\(\?<?[=!]/, "no lookaround (RE2 has none)");
            for (const m of text.matchAll(new RegExp(source, "g"))) found.push({ file, key: /key: "(\w+)"/.exec(m[0])?.[1], currentValue: m.groups!["currentValue"]! });
        }
    }
    return found;
}

/** The chart version settings (exact versions) and the repository each chart comes from. */
const chartSettings: Record<string, { repository: string; chart: string }> = {
    istioVersion: { repository: "istioChartRepository", chart: "istiod" },
    certManagerVersion: { repository: "certManagerRepository", chart: "cert-manager" },
    edgeChartVersion: { repository: "edgeChartRepository", chart: "ingress-nginx" },
};

describe("renovate.json", () => {
    it("knows every chart version the settings pin", () => {
        const pinned = Object.values(registry)
            .filter((s) => (s as { schema?: unknown }).schema === exactVersion)
            .map((s) => s.key)
            .sort();
        assert.deepEqual(pinned, Object.keys(chartSettings).sort(), "a new exact-version setting needs a regex manager and an entry here");
    });

    it("has one regex manager per pinned chart version, matching its default exactly once", () => {
        const managers = config.customManagers.filter((m) => m.customType === "regex");
        assert.equal(managers.length, Object.keys(chartSettings).length);
        for (const [key, { repository, chart }] of Object.entries(chartSettings)) {
            const setting = registry[key as keyof typeof registry] as { default: string; area: string };
            const matching = managers.flatMap((m) => extract(m).map((e) => ({ manager: m, ...e }))).filter((e) => e.key === key);
            assert.equal(matching.length, 1, `${key} is matched once`);
            const [{ manager, file, currentValue }] = matching as [(typeof matching)[number]];
            assert.equal(file, `config/settings/${setting.area}.ts`, `${key} is declared in its area's settings`);
            assert.equal(currentValue, setting.default, `${key}: the manager reads the default`);
            // The datasource is where the program pulls the chart from by default.
            const repo = (registry[repository as keyof typeof registry] as { default: string }).default;
            if (repo.startsWith("oci://")) {
                assert.equal(manager.datasourceTemplate, "docker", `${key}: an OCI chart is looked up as an image`);
                assert.equal(`oci://${manager.packageNameTemplate!}`, `${repo}/${chart}`);
                assert.equal(manager.versioningTemplate, "semver", `${key}: tags such as ${setting.default}`);
            } else {
                assert.equal(manager.datasourceTemplate, "helm");
                assert.equal(manager.registryUrlTemplate, repo);
            }
            assert.equal(manager.depNameTemplate, chart);
        }
    });

    it("follows a changed default, and matches nothing else", () => {
        const manager = config.customManagers.find((m) => m.depNameTemplate === "istiod")!;
        const text = fs.readFileSync(path.join(projectDir, "config/settings/mesh.ts"), "utf8").replace('default: "1.30.5"', 'default: "1.31.1"');
        const found = [...text.matchAll(new RegExp(manager.matchStrings[0]!, "g"))].map((m) => m.groups!["currentValue"]);
        assert.deepEqual(found, ["1.31.1"]);
        assert.equal(fs.readFileSync(path.join(projectDir, "config/settings/mesh.ts"), "utf8").includes('default: "1.30.5"'), true, "the test edits a copy");
    });

    it("keeps TypeScript below 6 and the node development dependency on LTS (even) majors", () => {
        const rule = (name: string) => config.packageRules.find((r) => r.matchPackageNames?.includes(name))!;
        assert.equal(rule("typescript").allowedVersions, "<6");
        assert.equal(rule("node").versioning, "node");
        const lts = new RegExp(/^\/(.*)\/$/.exec(rule("node").allowedVersions!)![1]!);
        assert.deepEqual(["24.21.0", "26.1.0", "25.0.0", "27.2.1"].map((v) => lts.test(v)), [true, true, false, false]);
        const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
        assert.ok(lts.test(pkg.devDependencies["node"]!.replace(/^\^/, "")), "the pinned node is on an LTS line");
    });

    it("keeps GitHub actions pinned by commit, with the release in a comment", () => {
        assert.ok(config.extends.includes("helpers:pinGitHubActionDigestsToSemver"));
        assert.ok(config.extends.includes("config:recommended"));
    });
});
