import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { projectDir } from "../../offline/stack-files";

/**
 * No module of the project imports itself through others, type-only imports included: a
 * circle (as config/registry.ts and config/settings/* once were) makes the load order
 * matter and the modules impossible to understand one at a time.
 */

/** The project's own TypeScript files (node_modules and hidden folders aside). */
function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (entry.name === "node_modules" || entry.name.startsWith(".")) return [];
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return sourceFiles(file);
        return file.endsWith(".ts") ? [file] : [];
    });
}

/** The project files a file imports (relative imports, `import type` and re-exports included). */
function importsOf(file: string): string[] {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    return importedFiles
        .map((i) => i.fileName)
        .filter((name) => name.startsWith("."))
        .flatMap((name) => {
            const base = path.resolve(path.dirname(file), name);
            return [`${base}.ts`, path.join(base, "index.ts"), base].filter((candidate) => candidate.endsWith(".ts") && fs.existsSync(candidate)).slice(0, 1);
        });
}

/** Every circle of imports, each as the files along it. */
function importCircles(files: readonly string[]): string[][] {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const circles: string[][] = [];
    const done = new Set<string>();
    const trail: string[] = [];
    const visit = (file: string): void => {
        const at = trail.indexOf(file);
        if (at >= 0) {
            circles.push([...trail.slice(at), file]);
            return;
        }
        if (done.has(file)) return;
        trail.push(file);
        for (const next of graph.get(file) ?? []) visit(next);
        trail.pop();
        done.add(file);
    };
    for (const file of files) visit(file);
    return circles;
}

describe("imports", () => {
    it("form no circle anywhere in the project", () => {
        const files = sourceFiles(projectDir);
        assert.ok(files.some((f) => f.endsWith(path.join("config", "registry.ts"))));
        const circles = importCircles(files).map((c) => c.map((f) => path.relative(projectDir, f)).join(" -> "));
        assert.deepEqual(circles, []);
    });

    it("finds a circle when there is one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imports-"));
        try {
            fs.writeFileSync(path.join(dir, "a.ts"), 'import type { B } from "./b";\nexport type A = B;\n');
            fs.writeFileSync(path.join(dir, "b.ts"), 'export { c } from "./c";\nexport type B = string;\n');
            fs.writeFileSync(path.join(dir, "c.ts"), 'import type { A } from "./a";\nexport const c: A | undefined = undefined;\n');
            const circles = importCircles(["a.ts", "b.ts", "c.ts"].map((f) => path.join(dir, f)));
            assert.deepEqual(circles.map((c) => c.map((f) => path.basename(f))), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
