import * as path from "node:path";
import ts from "typescript";
import { modelModule } from "./schemas";

/**
 * Unknown fields in Kubernetes objects, found with the upstream models' TypeScript types.
 * The kubernetes-models validators accept properties their schemas do not declare (their
 * compiled JSON-schema validators check types, enums and limits, not
 * additionalProperties), so a misspelt field would pass them. Type-checking each object as
 * an object literal of the model's interface (`IHTTPRoute`, `IGateway`, ...) makes the
 * compiler's excess-property check report every field the upstream API does not have,
 * at any depth, and every value of the wrong type or enum.
 */

const projectDir = path.resolve(__dirname, "..", "..");

/** The interface a model module exports for a kind (`IHTTPRoute` for HTTPRoute). */
function interfaceName(kind: string): string {
    return `I${kind}`;
}

/**
 * Type-checks every object against its model's interface in one compilation; returns one
 * line per problem (empty when every object conforms).
 */
export function typeProblems(objects: readonly { apiVersion: string; kind: string; [k: string]: unknown }[]): string[] {
    const file = path.join(projectDir, "test", "support", "__strict-check__.mts");
    const lines: string[] = [];
    const names: string[] = [];
    objects.forEach((o, i) => {
        const module = modelModule(o.apiVersion, o.kind);
        lines.push(`import type { ${interfaceName(o.kind)} as T${i} } from "${module}";`);
        names.push(`${o.kind} ${String((o["metadata"] as { name?: string } | undefined)?.name)}`);
    });
    objects.forEach((o, i) => lines.push(`export const o${i}: T${i} = ${JSON.stringify(o)};`));
    const source = lines.join("\n");
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2023,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => (path.resolve(f) === file ? source : readFile(f));
    host.fileExists = (f) => path.resolve(f) === file || fileExists(f);
    host.getSourceFile = (f, v, onError, create) => (path.resolve(f) === file ? ts.createSourceFile(f, source, v, true) : getSourceFile(f, v, onError, create));
    const program = ts.createProgram([file], options, host);
    const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter((d) => d.file && path.resolve(d.file.fileName) === file);
    return diagnostics.map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const index = line - objects.length;
        const what = index >= 0 && index < names.length ? names[index] : "import";
        return `${what}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
}
