import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as semver from "semver";
import { projectDir } from "../../offline/plan";
import { policies as projectPolicies } from "../../policy/policies";

/**
 * The policy pack as `pulumi policy publish` ships it: the CLI runs `npm pack` in policy/
 * and installs the pack's own dependencies next to it. So policy/package.json declares what
 * the policies import at run time (and what Pulumi's runner loads TypeScript with), at the
 * versions the project locks; and the packed copy, unpacked where only those packages
 * resolve, type-checks and runs a policy as the runner loads it.
 */

const policyDir = path.join(projectDir, "policy");
const pack = JSON.parse(fs.readFileSync(path.join(policyDir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    private?: boolean;
    main: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
};
const lock = JSON.parse(fs.readFileSync(path.join(projectDir, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
const node = path.join(projectDir, "node_modules", ".bin", "node");

/** The packages a source file loads when it runs: value imports and require() calls, not `import type`. */
export function runtimeImports(source: string): string[] {
    const specifiers = [
        ...[...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!),
        ...[...source.matchAll(/^import\s+"([^"]+)"/gm)].map((m) => m[1]!),
        ...[...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!),
    ];
    return specifiers.filter((s) => !s.startsWith(".") && !s.startsWith("node:")).map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!));
}

/** What Pulumi's nodejs policy runner needs to load a TypeScript pack (@pulumi/pulumi cmd/run-policy-pack and tsutils). */
const loader = ["@pulumi/pulumi", "@types/node", "ts-node", "typescript"];

describe("the policy pack as published (policy/package.json, npm pack)", function () {
    this.timeout(120000);
    const sources = fs.readdirSync(policyDir).filter((f) => f.endsWith(".ts"));
    let unpacked: string;
    let packedFiles: string[];

    before(() => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
        const packed = spawnSync("npm", ["pack", "--pack-destination", out, "--json", "--ignore-scripts", "--offline"], { cwd: policyDir, encoding: "utf8" });
        assert.equal(packed.status, 0, packed.stderr);
        const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
        packedFiles = info!.files.map((f) => f.path).sort();
        assert.equal(spawnSync("tar", ["-xzf", path.join(out, info!.filename), "-C", out]).status, 0);
        unpacked = path.join(out, "package");
        // Only the declared packages resolve from the unpacked copy (its folder is outside the project).
        for (const dep of [...Object.keys(pack.dependencies), ...Object.keys(pack.devDependencies)]) {
            fs.mkdirSync(path.dirname(path.join(unpacked, "node_modules", dep)), { recursive: true });
            fs.symlinkSync(path.join(projectDir, "node_modules", dep), path.join(unpacked, "node_modules", dep));
        }
    });

    it("is a versioned pack that only npm pack publishes (never the npm registry)", () => {
        assert.equal(pack.name, "mesh-ingress-policy");
        assert.ok(semver.valid(pack.version), pack.version);
        assert.equal(pack.private, true);
        assert.equal(pack.main, "index.ts");
        const changelog = fs.readFileSync(path.join(projectDir, "CHANGELOG.md"), "utf8");
        assert.match(changelog, new RegExp(`policy pack \`mesh-ingress-policy\` ${pack.version.replaceAll(".", "\\.")}`), "the CHANGELOG names the pack's version");
    });

    it("declares exactly what the policies import at run time, at the project's locked versions", () => {
        const imported = new Set(sources.flatMap((f) => runtimeImports(fs.readFileSync(path.join(policyDir, f), "utf8"))));
        assert.deepEqual([...imported].sort(), Object.keys(pack.dependencies).sort());
        assert.deepEqual(Object.keys(pack.devDependencies).sort(), loader);
        for (const [name, version] of Object.entries({ ...pack.dependencies, ...pack.devDependencies })) {
            assert.equal(version, lock.packages[`node_modules/${name}`]?.version, `${name} is pinned to the version package-lock.json has`);
        }
        assert.deepEqual(runtimeImports('import type { A } from "a";\nimport { b } from "b/sub";\nimport * as c from "@c/d/e";\nconst { x } = require("@pulumi/policy/proxy");\nimport { y } from "./y";'), ["b", "@c/d", "@pulumi/policy"]);
    });

    it("packs every policy module, its PulumiPolicy.yaml and a tsconfig.json that stands on its own", () => {
        assert.deepEqual(packedFiles, [...sources, "PulumiPolicy.yaml", "package.json", "tsconfig.json"].sort());
        const tsconfig = JSON.parse(fs.readFileSync(path.join(unpacked, "tsconfig.json"), "utf8")) as { extends?: string; compilerOptions: { types?: string[] } };
        assert.equal(tsconfig.extends, undefined, "the project's tsconfig.json is not in the pack");
        assert.deepEqual(tsconfig.compilerOptions.types, ["node"]);
    });

    /** Loads the unpacked pack as the runner does (ts-node with the pack's tsconfig.json), type-checks index.ts, and runs helm-release-pinned. */
    const runner = (typeCheck: boolean): string => `
        const fs = require("fs"), path = require("path");
        const tsutils = require("@pulumi/pulumi/tsutils");
        const service = require("ts-node").register({ typeCheck: ${typeCheck}, transpileOnly: ${!typeCheck}, skipProject: false, compiler: "typescript",
            compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json") } });
        const { policies } = require(path.resolve("policies.ts"));
        service.compile(fs.readFileSync("index.ts", "utf8"), path.resolve("index.ts"));
        const type = "kubernetes:helm.sh/v3:Release";
        const messages = [];
        policies.find((p) => p.name === "helm-release-pinned").validateResource({
            type, name: "istiod", urn: "urn:pulumi:s::p::" + type + "::istiod", opts: {},
            props: { chart: "istiod", version: "latest", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } },
            isType: (c) => c.__pulumiType === type, asType: (c) => (c.__pulumiType === type ? {} : undefined),
            stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("not applicable"); },
        }, (m) => messages.push(m));
        process.stdout.write(JSON.stringify({ policies: policies.length, messages }));`;

    it("loads from the unpacked copy with only its declared packages, type-checks, and judges a release", () => {
        const r = spawnSync(node, ["-e", runner(true)], { cwd: unpacked, encoding: "utf8", env: { PATH: path.dirname(node), HOME: os.tmpdir() } });
        assert.equal(r.status, 0, r.stderr);
        const { policies, messages } = JSON.parse(r.stdout) as { policies: number; messages: string[] };
        assert.equal(policies, projectPolicies.length, "the packed copy has every policy of the project's pack");
        assert.deepEqual(messages, ["Helm release 'istiod' (chart istiod) has version \"latest\"; pin an exact version such as 1.30.3."]);
    });

    it("fails to load where a declared package is missing: nothing resolves from the project", () => {
        fs.rmSync(path.join(unpacked, "node_modules", "yaml"));
        try {
            const r = spawnSync(node, ["-e", runner(false)], { cwd: unpacked, encoding: "utf8", env: { PATH: path.dirname(node), HOME: os.tmpdir() } });
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /Cannot find module 'yaml'/);
        } finally {
            fs.symlinkSync(path.join(projectDir, "node_modules", "yaml"), path.join(unpacked, "node_modules", "yaml"));
        }
    });
});
