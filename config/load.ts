import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { ConfigError, invalid, missing, suggestion, unknownKey } from "./problems";
import { allSettings, crossRules, registry, type Settings } from "./registry";
import { hideSecrets, placeholderFor, secretTexts } from "./secret-texts";
import type { Problem, Setting } from "./setting";

/** Where configuration comes from: Pulumi's runtime, or a test. */
export interface ConfigSource {
    /** The project name; settings live in its namespace (`<project>:<key>`). */
    readonly project: string;
    /** The short stack name. */
    readonly stack: string;
    /** Every configuration value as Pulumi passes it: strings, structured values as JSON. */
    readonly values: Readonly<Record<string, string>>;
    /** The full keys whose values are secrets. */
    readonly secretKeys: ReadonlySet<string>;
}

/** Reads configuration from the Pulumi runtime (the CLI, or the offline plan's mocks). */
export function pulumiConfigSource(): ConfigSource {
    // isConfigSecret is exported by the runtime but missing from its typings. Reading
    // values through allConfig() (not Config.get) avoids warnings about secret keys.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret(k)));
    return { project: pulumi.getProject(), stack: pulumi.getStack(), values, secretKeys };
}

/**
 * Reads every setting of the stack, applies defaults, validates each value and the
 * rules across them, and returns a frozen object. Throws a {@link ConfigError} listing
 * every problem (one line each) when anything is wrong.
 */
export function loadSettings(source: ConfigSource = pulumiConfigSource()): Settings {
    const problems: Problem[] = [];
    const prefix = `${source.project}:`;
    const known = allSettings().map((s) => s.key);

    for (const fullKey of Object.keys(source.values).sort()) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        if (!(key in registry)) {
            const raw = source.values[fullKey];
            problems.push(unknownKey(key, parseLoosely(raw), known, "setting", source.secretKeys.has(fullKey) || looksSecret(key, known)));
        }
    }

    const valid: Record<string, unknown> = {};
    const unknown = new Set<string>();
    for (const spec of allSettings()) {
        const fullKey = prefix + spec.key;
        const raw = source.values[fullKey];
        const result = readSetting(spec, raw, source.secretKeys.has(fullKey), placeholderFor(fullKey));
        if (result.ok) {
            valid[spec.key] = result.value;
            if (result.unknown) unknown.add(spec.key);
        } else problems.push(...result.problems);
    }

    // A rule over a value that is only known when deployed (offline, an encrypted one) cannot decide.
    const context = { project: source.project, stack: source.stack };
    for (const rule of crossRules) {
        if (rule.keys.every((k) => k in valid && !unknown.has(k))) problems.push(...rule.check(valid, context));
    }

    if (problems.length > 0) {
        const secrets = secretConfigTexts(source);
        throw new ConfigError(
            problems.map((p) => ({ ...p, line: hideSecrets(p.line, secrets) })),
            source.stack,
        );
    }

    const loaded: Record<string, unknown> = {};
    for (const spec of allSettings()) {
        const value = valid[spec.key];
        loaded[spec.key] = spec.secret ? (value === "" ? undefined : pulumi.secret(value as string)) : deepFreeze(value);
    }
    return Object.freeze(loaded) as Settings;
}

/**
 * The plaintexts of the stack's secret values (every `secure:` value, declared secret or
 * not), for the program to keep them secret wherever they flow (stacks/config-secrets.ts).
 */
export function secretConfigTexts(source: ConfigSource = pulumiConfigSource()): string[] {
    return secretTexts(source.values, [...source.secretKeys].filter((k) => k.startsWith(`${source.project}:`)));
}

/**
 * Words that mark a key as holding a credential: its value is never printed, even in plain
 * text. A name ending in "key", however it is joined (`sshKey`, `tls-key`, `ssh_key`,
 * `apikey`), counts: hiding a `hotkey`'s value costs less than printing a key.
 */
const secretWords = /secret|token|password|passwd|credential|kubeconfig|private|key$/i;

/** True when an unknown key looks like it holds a credential, or is a typo of a secret setting. */
function looksSecret(key: string, known: readonly string[]): boolean {
    if (secretWords.test(key)) return true;
    const near = suggestion(key, known);
    return near !== undefined && registry[near as keyof typeof registry].secret === true;
}

/** `unknown`: the value is encrypted and cannot be read offline; it counts as valid. */
type ReadResult = { ok: true; value: unknown; unknown?: boolean } | { ok: false; problems: Problem[] };

function readSetting(spec: Setting<unknown>, raw: string | undefined, isSecret: boolean, placeholder: string): ReadResult {
    if (raw === undefined) {
        if (spec.default === undefined) {
            return { ok: false, problems: [missing(spec.key, `${firstSentence(spec.description)} Set it with \`pulumi config set ${spec.key} <value>\`.`)] };
        }
        return { ok: true, value: spec.default };
    }
    if (spec.secret && !isSecret && raw !== "") {
        return { ok: false, problems: [invalid(spec.key, "[plaintext]", `expected a secret; set it with \`pulumi config set --secret ${spec.key}\``, true)] };
    }
    const hidden = Boolean(spec.secret) || isSecret;
    // Offline, an encrypted value is a placeholder: valid but unknown (the CLI decrypts it).
    if (isSecret && raw === placeholder && !spec.secret) {
        if (spec.type === "string") return { ok: true, value: raw, unknown: true };
        if (spec.default !== undefined) return { ok: true, value: spec.default, unknown: true };
    }
    const parsed = parseRaw(spec, raw);
    if (!parsed.ok) return { ok: false, problems: [invalid(spec.key, raw, parsed.expected, hidden)] };
    const result = spec.schema.safeParse(parsed.value);
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, problems: result.error.issues.flatMap((issue) => issueProblems(spec, issue, parsed.value, hidden, placeholder)) };
}

/** Turns Pulumi's string form of a value into the setting's type. */
function parseRaw(spec: Setting<unknown>, raw: string): { ok: true; value: unknown } | { ok: false; expected: string } {
    switch (spec.type) {
        case "string": {
            // Pulumi passes structured values as JSON: a mapping or list where a string
            // belongs is a wrong type, as the CLI itself reports for typed keys. (Not for
            // secrets: a kubeconfig may well be JSON text.) JSON scalars stay text.
            const structured = spec.secret ? raw : parseLoosely(raw);
            return typeof structured === "object" && structured !== null
                ? { ok: false, expected: "expected a string, not a mapping or list" }
                : { ok: true, value: raw };
        }
        case "integer":
            return /^-?\d+$/.test(raw.trim()) ? { ok: true, value: Number(raw) } : { ok: false, expected: "expected an integer" };
        case "boolean":
            return raw === "true" || raw === "false" ? { ok: true, value: raw === "true" } : { ok: false, expected: "expected true or false" };
        case "array":
        case "object": {
            const value = parseLoosely(raw);
            const isArray = Array.isArray(value);
            if (spec.type === "array" ? isArray : typeof value === "object" && value !== null && !isArray) return { ok: true, value };
            return { ok: false, expected: spec.type === "array" ? "expected a list (a YAML sequence)" : "expected an object (a YAML mapping)" };
        }
    }
}

function parseLoosely(raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw) as unknown;
    } catch {
        return raw;
    }
}

function issueProblems(spec: Setting<unknown>, issue: z.core.$ZodIssue, root: unknown, hidden: boolean, placeholder: string): Problem[] {
    const key = spec.key + renderPath(issue.path);
    const value = valueAt(root, issue.path);
    if (issue.code === "unrecognized_keys") {
        // One line per unknown field: zod reports all of an object's unknown fields in one issue.
        const parent = value as Record<string, unknown>;
        const known = knownFields(spec.schema, issue.path);
        return issue.keys.map((field) => unknownKey(`${key}.${field}`, parent[field], known, "field", hidden));
    }
    if (hidden && value === placeholder) {
        return [invalid(key, value, "expected a value the offline plan can check: an encrypted part of a structured setting cannot be decrypted offline; encrypt the whole setting, or plan with its plain value", true)];
    }
    return [invalid(key, value, expectation(issue), hidden)];
}

/**
 * Says what a failed check expected, in the loader's "expected ..." voice: the schema's own
 * message when it has one, else one made from zod's issue (for a schema without messages).
 */
export function expectation(issue: z.core.$ZodIssue): string {
    if (issue.message.startsWith("expected")) return issue.message;
    switch (issue.code) {
        case "invalid_key":
            // A record's key: what the key's schema expected (zod only says "Invalid key in record").
            return issue.issues.map(expectation).join("; ");
        case "invalid_type":
            return `expected ${article(issue.expected)}`;
        case "invalid_value":
            return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "too_small":
            return issue.origin === "array"
                ? `expected at least ${issue.minimum} entries`
                : issue.origin === "string"
                  ? `expected at least ${issue.minimum} characters`
                  : `expected at least ${issue.minimum}`;
        case "too_big":
            return issue.origin === "array"
                ? `expected at most ${issue.maximum} entries`
                : issue.origin === "string"
                  ? `expected at most ${issue.maximum} characters`
                  : `expected at most ${issue.maximum}`;
        default:
            return `expected ${issue.message.replace(/^Invalid input:?\s*/i, "").replace(/^expected\s*/i, "") || "a valid value"}`;
    }
}

function article(type: string): string {
    const names: Record<string, string> = {
        string: "a string", number: "a number", int: "an integer", boolean: "true or false",
        array: "a list", object: "an object (a YAML mapping)", record: "an object (a YAML mapping)",
    };
    return names[type] ?? `a value of type ${type}`;
}

function renderPath(path: readonly PropertyKey[]): string {
    return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let current = root;
    for (const p of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<PropertyKey, unknown>)[p];
    }
    return current;
}

/** The field names a structured setting accepts at `path` (for did-you-mean hints); none where `path` is no object. */
export function knownFields(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
    let node: unknown = schema;
    const steps = [...path];
    for (;;) {
        const def = (node as { def?: Record<string, unknown> } | undefined)?.def;
        if (!def) return [];
        switch (def["type"]) {
            case "optional": case "nullable": case "default": case "readonly": case "catch": case "prefault":
                node = def["innerType"];
                continue;
            case "pipe":
                node = def["in"];
                continue;
            case "array":
                if (typeof steps[0] === "number") steps.shift();
                node = def["element"];
                continue;
            case "object": {
                const shape = def["shape"] as Record<string, unknown>;
                if (steps.length === 0) return Object.keys(shape);
                node = shape[String(steps.shift())];
                continue;
            }
            default:
                return [];
        }
    }
}

function firstSentence(text: string): string {
    const match = /^.*?[.!?](\s|$)/.exec(text);
    return (match?.[0] ?? text).trim();
}

function deepFreeze<T>(value: T): T {
    // Primitives and null count as frozen.
    if (!Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as object)) deepFreeze(child);
    }
    return value;
}
