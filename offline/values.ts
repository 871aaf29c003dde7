import * as pulumi from "@pulumi/pulumi";

/**
 * Views of recorded values. The engine keeps inputs as Pulumi registered them: secrets
 * wrapped, computed values as `pulumi.unknown`. The plan shows them redacted; policies
 * and tests read them plain.
 */

/** How the plan shows a secret: never in clear. */
export const secretMark = "[secret]";
/** How the plan shows a value known only after deployment. */
export const computedMark = "[computed]";
/**
 * CrossGuard's sentinel for an unknown value during preview (the same string Pulumi's
 * RPC layer uses); a policy that reads it is reported as not checkable during preview.
 */
export const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The value with secrets as {@link secretMark} and computed values as {@link computedMark}. */
export function redact(value: unknown): unknown {
    return walk(value, { secret: () => secretMark, unknown: computedMark });
}

/**
 * The value with secrets unwrapped (policies see secret values, as CrossGuard gives them)
 * and computed values replaced by `computedAs` (CrossGuard's preview sentinel unless
 * given; pass `{ computedAs: undefined }` to drop them).
 */
export function plain(value: unknown, options: { computedAs?: unknown } = { computedAs: unknownSentinel }): unknown {
    const computedAs = "computedAs" in options ? options.computedAs : unknownSentinel;
    return walk(value, { secret: (inner) => plain(inner, { computedAs }), unknown: computedAs });
}

/** True when the value, anywhere inside, holds a secret. */
export function containsSecret(value: unknown): boolean {
    let found = false;
    walk(value, { secret: () => ((found = true), secretMark), unknown: undefined });
    return found;
}

interface Replacements {
    secret: (inner: unknown) => unknown;
    unknown: unknown;
}

function walk(value: unknown, replace: Replacements): unknown {
    if (pulumi.runtime.isRpcSecret(value)) return replace.secret(pulumi.runtime.unwrapRpcSecret(value));
    if (pulumi.isUnknown(value) || value === unknownSentinel) return replace.unknown;
    if (Array.isArray(value)) return value.map((v) => walk(v, replace));
    if (pulumi.Resource.isInstance(value)) return "[resource]";
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return "[asset]";
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (v !== undefined) out[k] = walk(v, replace);
        }
        return out;
    }
    return value;
}
