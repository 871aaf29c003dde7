import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * Reads Pulumi.yaml and a stack's Pulumi.<stack>.yaml the way the Pulumi CLI does before
 * it runs the program: project-level values and declared defaults, overridden by the
 * stack's own values, every value passed as a string (structured values as JSON).
 */

/** The project's root folder (where Pulumi.yaml and index.ts are). */
export const projectDir = path.resolve(__dirname, "..");

/** A key's declaration under Pulumi.yaml's `config:`. */
export interface ConfigDeclaration {
    readonly type?: string;
    readonly items?: unknown;
    readonly description?: string;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
}

/** The parts of Pulumi.yaml the offline plan needs. */
export interface ProjectFile {
    readonly name: string;
    readonly config: Readonly<Record<string, ConfigDeclaration>>;
}

/** Configuration as the CLI would pass it to the program. */
export interface StackConfiguration {
    /** Every value by full key (`project:key`). */
    readonly values: Readonly<Record<string, string>>;
    /** Full keys whose values are secrets. */
    readonly secretKeys: readonly string[];
    /** Full keys whose values were encrypted (`secure:`) and replaced by placeholders. */
    readonly placeholders: readonly string[];
}

/** Raised when a project or stack file cannot be used; the plan reports it as a configuration problem. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** The value an encrypted secret gets offline, where it cannot be decrypted. */
export function placeholderFor(fullKey: string): string {
    return `offline-placeholder-for-${fullKey.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/** Reads Pulumi.yaml from `dir`. */
export function readProjectFile(dir: string): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    const doc = readYaml(file) as { name?: unknown; config?: unknown } | null;
    if (!doc || typeof doc.name !== "string") throw new StackFileError(`${file}: expected a Pulumi project file with a name`);
    const config = (doc.config ?? {}) as Record<string, unknown>;
    const declarations: Record<string, ConfigDeclaration> = {};
    for (const [key, decl] of Object.entries(config)) {
        declarations[key] = typeof decl === "object" && decl !== null && !Array.isArray(decl) ? (decl) : { value: decl };
    }
    return { name: doc.name, config: declarations };
}

/** The path of a stack's file next to Pulumi.yaml. */
export function stackFilePath(dir: string, stack: string): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Builds the configuration the CLI would pass for the stack file at `file`. */
export function readStackConfiguration(project: ProjectFile, file: string): StackConfiguration {
    if (!fs.existsSync(file)) throw new StackFileError(`${file}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)`);
    const doc = readYaml(file) as { config?: unknown } | null;
    const stackValues = (doc?.config ?? {}) as Record<string, unknown>;
    if (typeof stackValues !== "object" || Array.isArray(stackValues)) throw new StackFileError(`${file}: expected 'config:' to be a mapping`);

    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const placeholders: string[] = [];
    const fullKey = (key: string): string => (key.includes(":") ? key : `${project.name}:${key}`);

    for (const [key, decl] of Object.entries(project.config)) {
        const full = fullKey(key);
        if (decl.value !== undefined) values[full] = asConfigString(decl.value);
        else if (decl.default !== undefined) values[full] = asConfigString(decl.default);
    }
    for (const [key, raw] of Object.entries(stackValues)) {
        const full = fullKey(key);
        const { value, secret } = decrypt(raw, full);
        if (secret) {
            secretKeys.add(full);
            placeholders.push(full);
        }
        values[full] = asConfigString(value);
    }
    return { values, secretKeys: [...secretKeys], placeholders };
}

/** Replaces `secure:` values (anywhere in a structured value) by placeholders. */
function decrypt(raw: unknown, fullKey: string): { value: unknown; secret: boolean } {
    if (isSecure(raw)) return { value: placeholderFor(fullKey), secret: true };
    if (Array.isArray(raw)) {
        let secret = false;
        const value = raw.map((item: unknown) => {
            const r = decrypt(item, fullKey);
            secret ||= r.secret;
            return r.value;
        });
        return { value, secret };
    }
    if (raw !== null && typeof raw === "object") {
        let secret = false;
        const value: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(raw)) {
            const r = decrypt(v, fullKey);
            secret ||= r.secret;
            value[k] = r.value;
        }
        return { value, secret };
    }
    return { value: raw, secret: false };
}

function isSecure(raw: unknown): boolean {
    return raw !== null && typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 1 && typeof (raw as Record<string, unknown>)["secure"] === "string";
}

/** Pulumi passes scalars as strings and structured values as JSON. */
function asConfigString(value: unknown): string {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (value === null || value === undefined) return "";
    return JSON.stringify(value);
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new StackFileError(`${file}: cannot be read`);
    }
    try {
        return parse(text, { uniqueKeys: true });
    } catch (e) {
        throw new StackFileError(`${file}: not valid YAML (${(e as Error).message.split("\n")[0] ?? ""})`);
    }
}
