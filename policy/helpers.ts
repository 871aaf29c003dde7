import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/**
 * Small readers shared by the policies. They read the plain JSON CrossGuard gives a
 * policy (a resource's inputs), never the program's own code.
 */

// The analyzer's error for a value that is unknown during preview. @pulumi/policy exports
// it at run time but leaves it out of its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

/** A JSON object (not an array, not null). */
export type Json = Record<string, unknown>;

/** True for a JSON object. */
export function isRecord(value: unknown): value is Json {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value at a dotted path inside an object, or undefined. */
export function at(value: unknown, path: string): unknown {
    let current = value;
    for (const part of path.split(".")) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[part];
    }
    return current;
}

/** The object at a dotted path, or an empty object. */
export function recordAt(value: unknown, path: string): Json {
    const found = at(value, path);
    return isRecord(found) ? found : {};
}

/** The array at a dotted path, or an empty array. */
export function arrayAt(value: unknown, path: string): unknown[] {
    const found = at(value, path);
    return Array.isArray(found) ? (found as unknown[]) : [];
}

/** The string at a dotted path, or undefined. */
export function stringAt(value: unknown, path: string): string | undefined {
    const found = at(value, path);
    return typeof found === "string" ? found : undefined;
}

/** A number given as a number or a numeric string (Helm values and annotations hold both). */
export function numberOf(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
    return undefined;
}

/** A boolean given as a boolean or as "true"/"false" (ConfigMap and annotation values are strings). */
export function booleanOf(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return undefined;
}

/** The type tokens of resources that are not deployed through a provider of their own package. */
export function isBuiltin(type: string): boolean {
    return type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:StackReference" || type === "pulumi:pulumi:Stack";
}

/**
 * True for this program's own component resources (type `mesh-ingress:<concern>:<Name>`):
 * they create nothing themselves and carry no provider; their children inherit it.
 */
export function isOwnComponent(type: string): boolean {
    return type.startsWith("mesh-ingress:");
}

/** True when `e` is the analyzer's error for reading a value that is unknown during preview. */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof UnknownValueError;
}

/**
 * Reads a value that may be unknown during preview; `otherwise` when it is. Only for
 * policies that can decide without the value (for example, a dependency tells enough):
 * everywhere else the analyzer's own "can't run during preview" report is the honest answer.
 */
export function whenKnown<T>(read: () => T, otherwise: T): T {
    try {
        return read();
    } catch (e) {
        if (isUnknownValueError(e)) return otherwise;
        throw e;
    }
}

/** A resource validation run only on the given type tokens. */
export function forTypes(types: readonly string[], check: (props: Json, args: ResourceValidationArgs, report: ReportViolation) => void | Promise<void>): ResourceValidation {
    const validate: ResourceValidation = (args, report) => (types.includes(args.type) ? check(args.props as Json, args, report) : undefined);
    // The analyzer skips a policy whose validation names a single type without calling it.
    if (types.length === 1) (validate as ResourceValidation & { __pulumiType?: string }).__pulumiType = types[0];
    return validate;
}

/** "a, b and c" */
export function listed(items: readonly string[]): string {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] ?? ""}`;
}

/** `metadata.name` of a Kubernetes object, or the resource's name. */
export function objectName(props: Json, fallback: string): string {
    return stringAt(props, "metadata.name") ?? fallback;
}

/** `metadata.namespace` of a Kubernetes object, or "default". */
export function objectNamespace(props: Json): string {
    return stringAt(props, "metadata.namespace") ?? "default";
}
