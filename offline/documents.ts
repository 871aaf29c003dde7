import { policyOptionsOf, type JudgedOptions, type JudgedResource } from "./judge";
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

/** The resources of a document, and how many secret values it holds that cannot be read (plan redactions, export ciphertext). */
export interface DocumentResources {
    readonly kind: "plan" | "export";
    readonly resources: JudgedResource[];
    readonly unreadableSecrets: number;
}

/** Recognises the document and returns its resources. */
export function resourcesOf(doc: unknown): DocumentResources {
    if (isRecord(doc) && Array.isArray(doc["resources"]) && typeof doc["stack"] === "string") {
        return { kind: "plan", resources: fromPlan(doc as unknown as PlanDocument), unreadableSecrets: count(doc["resources"], (v) => v === secretMark) };
    }
    const deployment = isRecord(doc) ? doc["deployment"] : undefined;
    if (isRecord(deployment) && (Array.isArray(deployment["resources"]) || deployment["resources"] === undefined)) {
        const list = (deployment["resources"] ?? []) as unknown[];
        return { kind: "export", resources: fromExport(list), unreadableSecrets: count(list, (v) => isRecord(v) && v[secretSig] !== undefined && typeof v["plaintext"] !== "string") };
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
            // Plans written before options were recorded have none.
            options: policyOptionsOf((r as { options?: PlanDocument["resources"][number]["options"] }).options ?? {}),
        };
    });
}

/**
 * A plan shows computed values as "[computed]" and secrets as "[secret]": neither can be
 * read back, so policies see the preview's unknown sentinel for both (a policy that needs
 * the value reports that it cannot run; one that can decide without it still does).
 */
function replaceMarks(value: unknown): unknown {
    if (value === computedMark || value === secretMark) return unknownSentinel;
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
    protect?: boolean;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
    aliases?: string[];
    /** Seconds (the state's `resource.CustomTimeouts`). */
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

/** The options a state export records for a resource, in CrossGuard's form (the state's aliases are the URNs it matched). */
function exportedOptions(r: ExportedResource): JudgedOptions {
    const t = r.customTimeouts;
    return {
        ...(r.protect === true ? { protect: true } : {}),
        ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
        ...(r.ignoreChanges !== undefined ? { ignoreChanges: [...r.ignoreChanges] } : {}),
        ...(r.additionalSecretOutputs !== undefined ? { additionalSecretOutputs: [...r.additionalSecretOutputs] } : {}),
        ...(r.aliases !== undefined ? { aliases: [...r.aliases] } : {}),
        ...(t !== undefined ? { customTimeouts: { createSeconds: t.create ?? 0, updateSeconds: t.update ?? 0, deleteSeconds: t.delete ?? 0 } } : {}),
    };
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
            options: exportedOptions(r),
        };
    });
}

/**
 * Exported secrets carry `plaintext` (with --show-secrets, JSON-encoded) or only
 * `ciphertext`, which cannot be read here: policies see those as unknown values.
 */
function unwrapSecrets(value: unknown): unknown {
    if (isRecord(value) && value[secretSig] !== undefined) {
        if (typeof value["plaintext"] === "string") {
            try {
                return unwrapSecrets(JSON.parse(value["plaintext"]));
            } catch {
                return value["plaintext"];
            }
        }
        return unknownSentinel;
    }
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    return value;
}

/** How many values inside `value` satisfy `test` (not descending into those that do). */
function count(value: unknown, test: (v: unknown) => boolean): number {
    if (test(value)) return 1;
    if (Array.isArray(value)) return value.reduce((n: number, v) => n + count(v, test), 0);
    if (isRecord(value)) return Object.values(value).reduce((n: number, v) => n + count(v, test), 0);
    return 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
