import type { JudgedResource } from "./judge";
import type { PlanDocument } from "./plan";
import { computedMark, secretMark, unknownSentinel } from "./values";

/**
 * Reads the documents `npm run policy` judges: an offline plan (`npm run plan -- --json`)
 * or a state export (`pulumi stack export [--show-secrets]`), into the resources the
 * policy pack sees.
 */

/** Raised for a document that is neither kind. */
export class DocumentError extends Error {}

const secretSig = "4dabf18193072939515e22adb298388d";

/** Recognises the document and returns its resources. */
export function resourcesOf(doc: unknown): { kind: "plan" | "export"; resources: JudgedResource[] } {
    if (isRecord(doc) && Array.isArray(doc["resources"]) && typeof doc["stack"] === "string") {
        return { kind: "plan", resources: fromPlan(doc as unknown as PlanDocument) };
    }
    const deployment = isRecord(doc) ? doc["deployment"] : undefined;
    if (isRecord(deployment) && (Array.isArray(deployment["resources"]) || deployment["resources"] === undefined)) {
        return { kind: "export", resources: fromExport((deployment["resources"] ?? []) as unknown[]) };
    }
    throw new DocumentError("expected an offline plan (npm run plan -- --json) or a state export (pulumi stack export)");
}

function fromPlan(doc: PlanDocument): JudgedResource[] {
    const byName = new Map(doc.resources.map((r) => [r.name, r]));
    const props = (inputs: unknown): Record<string, unknown> => replaceMarks(inputs) as Record<string, unknown>;
    return doc.resources.map((r) => {
        const provider = r.provider !== null ? byName.get(r.provider) : undefined;
        const parent = r.parent !== null ? byName.get(r.parent) : undefined;
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            props: props(r.inputs),
            ...(parent ? { parent: parent.urn } : {}),
            ...(provider ? { provider: { urn: provider.urn, type: provider.type, name: provider.name, props: props(provider.inputs) } } : {}),
            dependencies: r.dependsOn.map((d) => byName.get(d)?.urn ?? d),
        };
    });
}

/** A plan shows computed values as "[computed]": policies see the preview sentinel again. */
function replaceMarks(value: unknown): unknown {
    if (value === computedMark) return unknownSentinel;
    if (Array.isArray(value)) return value.map(replaceMarks);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceMarks(v)]));
    return value;
}

interface ExportedResource {
    urn: string;
    type: string;
    custom?: boolean;
    inputs?: unknown;
    parent?: string;
    provider?: string;
    dependencies?: string[];
}

function fromExport(list: unknown[]): JudgedResource[] {
    const resources = list.filter(isRecord) as unknown as ExportedResource[];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const nameOf = (urn: string): string => urn.split("::").pop() ?? urn;
    return resources.map((r) => {
        const providerUrn = r.provider ? r.provider.split("::").slice(0, -1).join("::") : undefined;
        const provider = providerUrn !== undefined ? byUrn.get(providerUrn) : undefined;
        return {
            urn: r.urn,
            type: r.type,
            name: nameOf(r.urn),
            props: unwrapSecrets(r.inputs ?? {}) as Record<string, unknown>,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(provider ? { provider: { urn: provider.urn, type: provider.type, name: nameOf(provider.urn), props: unwrapSecrets(provider.inputs ?? {}) as Record<string, unknown> } } : {}),
            dependencies: r.dependencies ?? [],
        };
    });
}

/** Exported secrets carry `plaintext` (with --show-secrets, JSON-encoded) or only `ciphertext`. */
function unwrapSecrets(value: unknown): unknown {
    if (isRecord(value) && value[secretSig] !== undefined) {
        if (typeof value["plaintext"] === "string") {
            try {
                return unwrapSecrets(JSON.parse(value["plaintext"]));
            } catch {
                return value["plaintext"];
            }
        }
        return secretMark;
    }
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
