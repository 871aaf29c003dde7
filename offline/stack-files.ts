import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { placeholderFor } from "../config/secret-texts";
import {
    Ciphertext,
    fullKey,
    mergeConfig,
    parseProject,
    parseStackConfig,
    programConfig,
    stackValue,
    type Decrypter,
    type ProgramConfig,
    type Project,
    type StackValue,
} from "./cli-config";

/**
 * Reads Pulumi.yaml and a stack's Pulumi.<stack>.yaml and applies the Pulumi CLI's rules
 * to them (offline/cli-config.ts): what the CLI would refuse is refused here, and what it
 * accepts becomes the configuration the CLI hands to the program.
 */

/** The project's root folder (where Pulumi.yaml and index.ts are). */
export const projectDir = path.resolve(__dirname, "..");

/** The parts of Pulumi.yaml the offline plan needs. */
export type ProjectFile = Project;

/** Configuration as the CLI would pass it to the program. */
export interface StackConfiguration extends ProgramConfig {
    /** Full keys whose values were encrypted (`secure:`) and replaced by placeholders. */
    readonly placeholders: readonly string[];
}

/** Changes to a stack's configuration, by short key, as if they were written in its file. */
export interface ConfigOverrides {
    /** Values to set, as they would be written in YAML. */
    readonly set?: Readonly<Record<string, unknown>>;
    /** Keys whose values are secrets (as if set with --secret). */
    readonly secret?: readonly string[];
    readonly unset?: readonly string[];
}

/** Raised when a project or stack file cannot be used; the plan reports its lines as configuration problems. */
export class StackFileError extends Error {
    /** One line per problem. */
    readonly lines: readonly string[];

    constructor(
        lines: string | readonly string[],
        /** The keys the lines name (short in the project's namespace), when the CLI refused values. */
        readonly keys: readonly string[] = [],
        /**
         * The configuration as the CLI would have passed it had it not refused it (its
         * merge without the checks: `ApplyProjectConfig`), when the file itself could be read.
         */
        readonly unchecked?: StackConfiguration,
    ) {
        const list = typeof lines === "string" ? [lines] : [...lines];
        super(list.join("\n"));
        this.name = "StackFileError";
        this.lines = list;
    }
}

/** The value an encrypted secret gets offline, where it cannot be decrypted (settings count it as valid but unknown). */
export { placeholderFor };

/** Offline decryption: the plaintext of a value encrypted offline, a placeholder for a real one. */
export const offlineDecrypter: Decrypter = (secret, key) => secret.plaintext ?? placeholderFor(key);

/** Reads Pulumi.yaml from `dir`; throws a {@link StackFileError} with the CLI's reasons when the CLI would refuse it. */
export function readProjectFile(dir: string): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    const { project, refusals } = parseProject(readYaml(file));
    if (project === undefined || refusals.length > 0) throw new StackFileError(refusals.map((r) => r.line));
    return project;
}

/** The path of a stack's file next to Pulumi.yaml. */
export function stackFilePath(dir: string, stack: string): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** How to read a stack file. */
export interface ReadOptions {
    /** The stack's short name, as the CLI names it in its messages. @default from the file name (`Pulumi.<stack>.yaml`) */
    readonly stack?: string;
    /** Changes on top of the file. */
    readonly overrides?: ConfigOverrides;
    /** How secure values are read. @default {@link offlineDecrypter} */
    readonly decrypt?: Decrypter;
}

/**
 * The configuration the CLI would pass to the program for the stack file at `file`;
 * throws a {@link StackFileError} with one line per problem where the CLI would refuse
 * the file (a key it cannot parse, a missing key, a plain value of a secret key, a value
 * of the wrong type).
 */
export function readStackConfiguration(project: ProjectFile, file: string, options: ReadOptions = {}): StackConfiguration {
    if (!fs.existsSync(file)) throw new StackFileError(`${file}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)`);
    const doc = readYaml(file);
    if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) throw new StackFileError(`${file}: expected a mapping with a 'config:' key`);
    const parsed = parseStackConfig((doc as { config?: unknown } | null)?.config);
    if (parsed.refusals.length > 0) throw new StackFileError(parsed.refusals.map((r) => `${path.basename(file)}: ${r.line}`));
    const stackConfig = applyOverrides(project.name, parsed.config, options.overrides);
    const stack = options.stack ?? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ?? "stack";
    const decrypt = options.decrypt ?? offlineDecrypter;
    const merged = mergeConfig(stack, project, stackConfig, decrypt);
    const placeholders = [...merged.config.entries()].filter(([, v]) => hasPlaceholder(v)).map(([k]) => k).sort();
    const configuration = { ...programConfig(merged.config, decrypt), placeholders };
    if (merged.refusals.length > 0) {
        throw new StackFileError(
            merged.refusals.map((r) => r.line),
            merged.refusals.map((r) => r.key),
            configuration,
        );
    }
    return configuration;
}

function applyOverrides(project: string, config: Map<string, StackValue>, overrides: ConfigOverrides | undefined): Map<string, StackValue> {
    if (!overrides) return config;
    for (const key of overrides.unset ?? []) config.delete(fullKey(project, key));
    for (const [key, value] of Object.entries(overrides.set ?? {})) config.set(fullKey(project, key), stackValue(value));
    for (const key of overrides.secret ?? []) {
        const value = config.get(fullKey(project, key));
        if (value === undefined) throw new Error(`override: ${key} is secret but has no value`);
        if (!(value instanceof Ciphertext)) config.set(fullKey(project, key), new Ciphertext("[encrypted offline]", typeof value === "string" ? value : JSON.stringify(value)));
    }
    return config;
}

function hasPlaceholder(value: StackValue): boolean {
    if (value instanceof Ciphertext) return value.plaintext === undefined;
    if (Array.isArray(value)) return (value as readonly StackValue[]).some(hasPlaceholder);
    if (value !== null && typeof value === "object") return Object.values(value as Record<string, StackValue>).some(hasPlaceholder);
    return false;
}

/** Parsed documents by their text: a test run plans the same few stack files hundreds of times. */
const parsedTexts = new Map<string, unknown>();

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new StackFileError(`${file}: cannot be read`);
    }
    const parsed = parsedTexts.get(text);
    if (parsed !== undefined) return structuredClone(parsed);
    try {
        const doc = parse(text, { uniqueKeys: true }) as unknown;
        parsedTexts.set(text, doc);
        return structuredClone(doc);
    } catch (e) {
        throw new StackFileError(`${file}: not valid YAML (${(e as Error).message.split("\n")[0] ?? ""})`);
    }
}
