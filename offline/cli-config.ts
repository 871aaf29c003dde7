/**
 * The Pulumi CLI's configuration rules: what `pulumi preview` and `pulumi up` check and
 * do with Pulumi.yaml and Pulumi.<stack>.yaml before they run the program, and how the
 * result reaches a Node.js program. The offline plan applies these rules first, so a
 * stack file the CLI would refuse is refused here too, with the CLI's own message.
 *
 * Source: pulumi/pulumi v3.259.0 (the newest release tag in the mirror; the rules below
 * are unchanged on its main branch). Each function names the upstream function it
 * follows. In short:
 * - the project file is checked (`LoadProjectBytes`: the schema `project.json`, then
 *   `Project.Validate`);
 * - project defaults are copied into the stack's configuration as plain text, then the
 *   typed keys are checked (`mergeConfig`, `validateStackConfigValues`); since v3.202.0
 *   (pulumi/pulumi#20674) the copied defaults are checked too, so `secret: true` with a
 *   default fails on every stack that leaves the key unset;
 * - the program gets every value as a string in `PULUMI_CONFIG` and the secret keys in
 *   `PULUMI_CONFIG_SECRET_KEYS` (the Node.js language host's `constructConfig`).
 *
 * Where the CLI stops at the first problem, this module reports every problem it finds,
 * one line each: the CLI's message, quoted, and then the fix.
 */

/** `ProjectConfigItemsType` (sdk/go/common/workspace/project.go): the element type of an array. */
export interface ConfigItemsType {
    readonly type: string;
    readonly items?: ConfigItemsType;
}

/** `ProjectConfigType` (sdk/go/common/workspace/project.go): one declaration under Pulumi.yaml's `config:`. */
export interface ProjectConfigType {
    /** Unset: the key is untyped and the CLI does not check its stack values at all. */
    readonly type?: string;
    readonly description?: string;
    readonly items?: ConfigItemsType;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
}

/** The parts of a Pulumi project the configuration rules read. */
export interface Project {
    readonly name: string;
    /** Declarations by key as written (`role`, `pulumi:disable-default-providers`), shorthand values rewritten. */
    readonly config: Readonly<Record<string, ProjectConfigType>>;
}

/**
 * A `secure:` value (`CiphertextSecret` in sdk/go/common/resource/config). Offline it
 * cannot be decrypted unless it carries its plaintext (values the tests encrypt).
 */
export class Ciphertext {
    constructor(
        readonly ciphertext: string,
        /** Known only for values encrypted offline. */
        readonly plaintext?: string,
    ) {}
}

/** Turns a secure value of `key` (full key, `project:name`) into its plaintext. */
export type Decrypter = (secret: Ciphertext, key: string) => string;

/** A stack configuration value as YAML gives it, with each `secure:` leaf as a {@link Ciphertext}. */
export type StackValue = string | number | boolean | null | Ciphertext | readonly StackValue[] | { readonly [field: string]: StackValue };

/** A stack's configuration by full key (`namespace:name`), as the CLI's `config.Map` holds it. */
export type StackConfig = ReadonlyMap<string, StackValue>;

/** Something the CLI refuses. */
export interface Refusal {
    /** The key concerned (short for the project's own keys), or the file. */
    readonly key: string;
    /** The CLI's message, verbatim (without the command's `validating stack config:` prefix). */
    readonly message: string;
    /** The line the plan prints: the key, the CLI's message and the fix. */
    readonly line: string;
}

const typeNames = ["string", "integer", "boolean", "array", "object"] as const;
const declarationFields = ["type", "items", "description", "secret", "default", "value"] as const;

function refusal(subject: string, key: string, message: string, fix: string): Refusal {
    return { key, message, line: `${subject}: the Pulumi CLI refuses it with "${message}"; ${fix}` };
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Ciphertext);
}

function isPrimitive(value: unknown): value is string | number | boolean {
    // project.go isPrimitiveValue: string, int, bool (a float is not one).
    return typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isInteger(value));
}

/**
 * `configKeyIsNamespacedByProject` (project.go): a key without a namespace, or in the
 * project's own, is the project's.
 */
export function isProjectKey(projectName: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** `parseConfigKey` (pkg/workspace/config.go): the full key (`namespace:name`) of a declared key. */
export function fullKey(projectName: string, key: string): string {
    return key.includes(":") ? key : `${projectName}:${key}`;
}

/** How the plan names a key in its lines: short in the project's namespace. */
function shortKey(projectName: string, full: string): string {
    return full.startsWith(`${projectName}:`) ? full.slice(projectName.length + 1) : full;
}

// ---------------------------------------------------------------------------------------
// The project file

/**
 * Reads a parsed Pulumi.yaml the way `LoadProjectBytes` (sdk/go/common/workspace/loaders.go)
 * does: the checks of its schema that concern `config:` (`ValidateProject` against
 * project.json), the rewrite of shorthand values (`RewriteShorthandConfigValues`), then
 * `Project.Validate`. The schema's own messages come from a JSON Schema library and are
 * described here in our words; `Project.Validate`'s are the CLI's, verbatim.
 */
export function parseProject(doc: unknown): { project?: Project; refusals: Refusal[] } {
    if (!isMapping(doc)) return { refusals: [refusal("Pulumi.yaml", "Pulumi.yaml", "project is missing a 'name' attribute", "expected a mapping with `name`, `runtime` and `config`")] };
    const name = doc["name"];
    if (name === undefined) return { refusals: [refusal("Pulumi.yaml", "Pulumi.yaml", "project is missing a 'name' attribute", "add `name: <project>`")] };
    if (typeof name !== "string" || name === "") {
        return { refusals: [refusal("Pulumi.yaml", "Pulumi.yaml", "project is missing a non-empty string 'name' attribute", "give `name` a non-empty string")] };
    }
    const raw = doc["config"];
    // A string is the deprecated location of the stack files' directory (RewriteConfigPathIntoStackConfigDir).
    if (raw === undefined || raw === null || typeof raw === "string") return { project: { name, config: {} }, refusals: [] };
    if (!isMapping(raw)) return { refusals: [schemaRefusal("config", "expected a mapping of keys to declarations")] };

    const schemaProblems = Object.entries(raw).flatMap(([key, declaration]) => schemaRefusals(key, declaration));
    if (schemaProblems.length > 0) return { refusals: schemaProblems };

    const config: Record<string, ProjectConfigType> = {};
    for (const [key, declaration] of Object.entries(raw)) {
        // RewriteShorthandConfigValues: `key: value` is a default in the project's namespace, a value in another.
        if (isPrimitive(declaration) || Array.isArray(declaration)) config[key] = isProjectKey(name, key) ? { default: declaration } : { value: declaration };
        else config[key] = declaration as ProjectConfigType;
    }
    const project = { name, config };
    return { project, refusals: validateProject(project) };
}

function schemaRefusal(key: string, what: string): Refusal {
    return {
        key,
        message: what,
        line: `Pulumi.yaml config ${key}: the Pulumi CLI refuses the project file (its schema, sdk/go/common/workspace/project.json): ${what}`,
    };
}

/** The parts of project.json's `configTypeDeclaration` and `configItemsType` that can go wrong. */
function schemaRefusals(key: string, declaration: unknown): Refusal[] {
    if (isPrimitive(declaration) || Array.isArray(declaration)) return [];
    if (!isMapping(declaration)) return [schemaRefusal(key, "expected a string, an integer, a boolean, a list or a declaration (a mapping)")];
    const problems: Refusal[] = [];
    for (const field of Object.keys(declaration)) {
        if (!(declarationFields as readonly string[]).includes(field)) problems.push(schemaRefusal(key, `'${field}' is not an attribute of a config declaration (expected ${declarationFields.join(", ")})`));
    }
    const { type, items, description, secret } = declaration;
    if (type !== undefined && !(typeNames as readonly unknown[]).includes(type)) problems.push(schemaRefusal(key, `type ${JSON.stringify(type)}: expected one of ${typeNames.join(", ")}`));
    if (description !== undefined && typeof description !== "string") problems.push(schemaRefusal(key, "description: expected a string"));
    if (secret !== undefined && typeof secret !== "boolean") problems.push(schemaRefusal(key, "secret: expected true or false"));
    if (items !== undefined) problems.push(...itemsRefusals(key, items, "items"));
    return problems;
}

function itemsRefusals(key: string, items: unknown, at: string): Refusal[] {
    if (!isMapping(items)) return [schemaRefusal(key, `${at}: expected a mapping with a type`)];
    const problems: Refusal[] = [];
    if (items["type"] === undefined) problems.push(schemaRefusal(key, `${at}: missing its type`));
    else if (!(typeNames as readonly unknown[]).includes(items["type"])) problems.push(schemaRefusal(key, `${at}.type ${JSON.stringify(items["type"])}: expected one of ${typeNames.join(", ")}`));
    if (items["type"] === "array" && items["items"] === undefined) problems.push(schemaRefusal(key, `${at}: an array of arrays needs ${at}.items`));
    if (items["items"] !== undefined) problems.push(...itemsRefusals(key, items["items"], `${at}.items`));
    return problems;
}

/** `Project.Validate` (sdk/go/common/workspace/project.go), every problem in key order. */
export function validateProject(project: Project): Refusal[] {
    const problems: Refusal[] = [];
    for (const key of Object.keys(project.config).sort()) {
        const c = project.config[key]!;
        const hasDefault = c.default !== undefined && c.default !== null;
        const hasValue = c.value !== undefined && c.value !== null;
        const subject = `Pulumi.yaml config ${key}`;
        if (hasDefault && hasValue) {
            problems.push(refusal(subject, key, `project config '${key}' cannot have both a 'default' and 'value' attribute`, "keep one: `default` for a key of this project, `value` for a key of another namespace"));
            continue;
        }
        if (isProjectKey(project.name, key)) {
            if (c.type === "array" && c.items === undefined) {
                problems.push(
                    refusal(subject, key, `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`, "add `items: {type: string}` (or integer, boolean, object)"),
                );
                continue;
            }
            if (c.type !== undefined && hasDefault && !validateConfigValue(c.type, c.items, c.default)) {
                const typeName = inferFullTypeName(c.type, c.items);
                problems.push(
                    refusal(subject, key, `The default value specified for configuration key '${key}' is not of the expected type '${typeName}'`, `make the default ${describeType(c.type, c.items)}, or change the type`),
                );
            }
        } else if (c.type !== undefined) {
            problems.push(refusal(subject, key, `Configuration key '${key}' is not namespaced by the project and should not define a type`, "remove `type`: a key of another namespace takes only a `value`"));
        } else if (hasDefault) {
            problems.push(
                refusal(
                    subject,
                    key,
                    `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`,
                    "write `value:` instead of `default:`",
                ),
            );
        } else if (!hasValue) {
            problems.push(refusal(subject, key, `Configuration key '${key}' is namespaced and must provide an attribute 'value'`, "give it a `value`, or set it in the stack files instead"));
        }
    }
    return problems;
}

/** `InferFullTypeName` (project.go): `array<string>`, `array<array<integer>>`, or the type. */
export function inferFullTypeName(typeName: string, items: ConfigItemsType | undefined): string {
    return items !== undefined ? `array<${inferFullTypeName(items.type, items.items)}>` : typeName;
}

/**
 * `ValidateConfigValue` (project.go). `value` is what the CLI compares: a declared default
 * as YAML gives it, or a stack value (a string unless it is structured, see
 * {@link validateStackConfigValues}). An integer is a whole number or a string that Go's
 * `strconv.Atoi` reads; a boolean is true/false or the strings "true"/"false"; any other
 * type name is an array, whose items are checked in turn.
 */
export function validateConfigValue(typeName: string, items: ConfigItemsType | undefined, value: unknown): boolean {
    switch (typeName) {
        case "string":
            return typeof value === "string";
        case "integer":
            if (typeof value === "number") return Number.isInteger(value);
            return typeof value === "string" && isAtoi(value);
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isMapping(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((item) => validateConfigValue(items.type, items.items, item));
    }
}

/** What Go's `strconv.Atoi` accepts on a 64-bit machine: an optional sign and decimal digits, within int64. */
function isAtoi(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) return false;
    const n = BigInt(text);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** The type in the plan's words, for the fix. */
function describeType(typeName: string, items: ConfigItemsType | undefined): string {
    switch (typeName) {
        case "string":
            return "a string";
        case "integer":
            return "a whole number";
        case "boolean":
            return "true or false";
        case "object":
            return "an object (a YAML mapping)";
        default:
            return `a list of ${items !== undefined ? pluralType(items) : "values"}`;
    }
}

function pluralType(items: ConfigItemsType): string {
    switch (items.type) {
        case "string":
            return "strings";
        case "integer":
            return "whole numbers";
        case "boolean":
            return "booleans (true or false)";
        case "object":
            return "objects (YAML mappings)";
        default:
            return `lists of ${items.items !== undefined ? pluralType(items.items) : "values"}`;
    }
}

// ---------------------------------------------------------------------------------------
// The stack file

/**
 * Reads the `config:` mapping of a parsed stack file as `config.Map.UnmarshalYAML`
 * (sdk/go/common/resource/config/map.go) does: each key parsed by `ParseKey`
 * (`namespace:name`, or the old `namespace:config:name`), each `{secure: ...}` mapping a
 * secure value (`isSecureValue` in object.go).
 */
export function parseStackConfig(config: unknown): { config: Map<string, StackValue>; refusals: Refusal[] } {
    const parsed = new Map<string, StackValue>();
    const refusals: Refusal[] = [];
    if (config === undefined || config === null) return { config: parsed, refusals };
    if (!isMapping(config)) return { config: parsed, refusals: [refusal("config", "config", "could not unmarshal map", "expected `config:` to be a mapping of keys to values")] };
    for (const [raw, value] of Object.entries(config)) {
        const key = parseKey(raw);
        if (key === undefined) {
            refusals.push(
                refusal(raw, raw, `could not unmarshal map: could not parse ${raw} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`, `write it as <project>:${raw}`),
            );
            continue;
        }
        parsed.set(key, stackValue(value));
    }
    return { config: parsed, refusals };
}

/** `ParseKey` (sdk/go/common/resource/config/key.go); undefined when the CLI cannot parse it. */
export function parseKey(key: string): string | undefined {
    const parts = key.split(":");
    if (parts.length === 2) return key;
    if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") return `${parts[0]}:${parts[2]}`;
    return undefined;
}

/** A YAML value with its `secure:` leaves as {@link Ciphertext}s (`unmarshalObject` in object.go). */
export function stackValue(value: unknown): StackValue {
    if (value instanceof Ciphertext) return value;
    if (Array.isArray(value)) return value.map(stackValue);
    if (isMapping(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === "secure" && typeof value["secure"] === "string") return new Ciphertext(value["secure"]);
        return Object.fromEntries(keys.map((k) => [k, stackValue(value[k])]));
    }
    if (value instanceof Date) return value.toISOString();
    if (value === undefined) return null;
    return value as string | number | boolean | null;
}

/** `Value.Secure()`: a secure value, or a structured one with a secure value inside. */
export function isSecure(value: StackValue): boolean {
    if (value instanceof Ciphertext) return true;
    if (Array.isArray(value)) return (value as readonly StackValue[]).some(isSecure);
    if (isMapping(value)) return Object.values(value as Record<string, StackValue>).some(isSecure);
    return false;
}

/** `Value.Object()`: lists, mappings and null are stored as JSON; scalars and secure values as text. */
function isObject(value: StackValue): boolean {
    return value === null || Array.isArray(value) || isMapping(value);
}

/** The value with its secure leaves decrypted (`object.decrypt`). */
function decrypted(value: StackValue, key: string, decrypt: Decrypter): unknown {
    if (value instanceof Ciphertext) return decrypt(value, key);
    if (Array.isArray(value)) return (value as readonly StackValue[]).map((v) => decrypted(v, key, decrypt));
    if (isMapping(value)) return Object.fromEntries(Object.entries(value as Record<string, StackValue>).map(([k, v]) => [k, decrypted(v, key, decrypt)]));
    return value;
}

/**
 * The string the program gets for a value (`Value.Value` / `Plaintext.marshalText`): a
 * string as it is, a secure value's plaintext, anything else as JSON (Go's encoding/json
 * sorts the keys of mappings).
 */
export function configText(value: StackValue, key: string, decrypt: Decrypter): string {
    const plain = decrypted(value, key, decrypt);
    return typeof plain === "string" ? plain : JSON.stringify(sortKeys(plain));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (isMapping(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
    return value;
}

// ---------------------------------------------------------------------------------------
// Merging and checking

/** The stack's configuration after the CLI's merge, and what the CLI refuses in it. */
export interface MergedConfig {
    readonly config: StackConfig;
    /** Full keys whose values were copied from Pulumi.yaml. */
    readonly fromProject: ReadonlySet<string>;
    readonly refusals: readonly Refusal[];
}

/**
 * `mergeConfig` with validation (pkg/workspace/config.go, as `pulumi preview` and `pulumi up`
 * call it through `ValidateStackConfigAndApplyProjectConfig`): each declared key the
 * stack does not set gets the project's `default` (or `value`) as plain text
 * (`createConfigValue`: strings, integers and booleans as text, anything else as JSON);
 * a key of the project's namespace with neither is missing; then
 * {@link validateStackConfigValues}. (ESC environments, merged first by the CLI, are
 * not read offline.)
 */
export function mergeConfig(stackName: string, project: Project, stackConfig: StackConfig, decrypt: Decrypter): MergedConfig {
    const config = new Map(stackConfig);
    const fromProject = new Set<string>();
    const missing: string[] = [];
    for (const declared of Object.keys(project.config).sort()) {
        const c = project.config[declared]!;
        const key = fullKey(project.name, declared);
        const hasDefault = c.default !== undefined && c.default !== null;
        const hasValue = c.value !== undefined && c.value !== null;
        if (config.has(key)) continue;
        if (!hasValue && !hasDefault) {
            if (key.split(":")[0] === project.name) missing.push(declared);
            continue;
        }
        const value = hasDefault ? c.default : c.value;
        config.set(key, isPrimitive(value) ? String(value) : stackValue(value));
        fromProject.add(key);
    }
    const refusals: Refusal[] = [];
    if (missing.length > 0) {
        const message = missingKeysMessage(stackName, missing);
        for (const declared of missing.sort()) {
            const secret = project.config[declared]!.secret === true ? "--secret " : "";
            refusals.push({ key: declared, message, line: `${declared} is not set: the Pulumi CLI refuses it with "${message}"; set it with \`pulumi config set ${secret}${declared} <value>\`` });
        }
    }
    refusals.push(...validateStackConfigValues(stackName, project, config, fromProject, decrypt));
    return { config, fromProject, refusals };
}

/** `missingStackConfigurationKeysError` and `formatMissingKeys` (pkg/workspace/config.go). */
export function missingKeysMessage(stackName: string, keys: readonly string[]): string {
    const sorted = [...keys].sort();
    const formatted = sorted.length === 1 ? `'${sorted[0]}'` : sorted.map((k, i) => (i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `)).join("");
    return `Stack '${stackName}' is missing configuration ${sorted.length > 1 ? "values" : "value"} ${formatted}`;
}

/**
 * `validateStackConfigValues` and `validateStackConfigValue` (pkg/workspace/config.go):
 * every explicitly typed key of the project, in key order. A `secret: true` key must hold
 * a secure value; then its value must be of the declared type, compared as the CLI
 * compares it: a structured value as the JSON it decodes to, anything else as its text
 * (so `3` and "3" are both integers, `true` and "true" both booleans, and any scalar is a
 * string).
 */
export function validateStackConfigValues(stackName: string, project: Project, config: StackConfig, fromProject: ReadonlySet<string>, decrypt: Decrypter): Refusal[] {
    const refusals: Refusal[] = [];
    for (const declared of Object.keys(project.config).sort()) {
        const c = project.config[declared]!;
        if (c.type === undefined) continue;
        const key = fullKey(project.name, declared);
        const value = config.get(key);
        // A missing key is reported as missing; the CLI stops there.
        if (value === undefined) continue;
        const defaulted = fromProject.has(key);
        const shown = `${shortKey(project.name, key)} = ${defaulted ? `${show(value)} (Pulumi.yaml's default)` : show(value)}`;
        if (c.secret === true && !isSecure(value)) {
            const message = `Stack '${stackName}' with configuration key '${declared}' must be encrypted as it's secret`;
            const fix = defaulted
                ? `a project default is copied into the stack as plain text, so \`secret: true\` cannot go with a default: declare the key without \`secret: true\` (and let the program refuse plain text) or set it with \`pulumi config set --secret ${declared}\` on every stack`
                : `set it with \`pulumi config set --secret ${declared} <value>\``;
            refusals.push(refusal(shown, declared, message, fix));
            continue;
        }
        const content = isObject(value) ? decrypted(value, key, decrypt) : configText(value, key, decrypt);
        if (!validateConfigValue(c.type, c.items, content)) {
            const message = `Stack '${stackName}' with configuration key '${declared}' must be of type '${inferFullTypeName(c.type, c.items)}'`;
            refusals.push(refusal(shown, declared, message, `expected ${describeType(c.type, c.items)}`));
        }
    }
    return refusals;
}

function show(value: StackValue): string {
    if (isSecure(value)) return "[secret]";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// ---------------------------------------------------------------------------------------
// What the program gets

/** Configuration as the CLI hands it to the program. */
export interface ProgramConfig {
    /** Every value by full key (`project:key`), decrypted, as text (`config.Map.Decrypt`). */
    readonly values: Readonly<Record<string, string>>;
    /** Full keys whose values are secure (`config.Map.SecureKeys`), sorted. */
    readonly secretKeys: readonly string[];
}

/** `config.Map.Decrypt` and `config.Map.SecureKeys`, as the engine builds its `RunRequest` (pkg/resource/deploy/source_eval.go). */
export function programConfig(config: StackConfig, decrypt: Decrypter): ProgramConfig {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const key of [...config.keys()].sort()) {
        const value = config.get(key)!;
        values[key] = configText(value, key, decrypt);
        if (isSecure(value)) secretKeys.push(key);
    }
    return { values, secretKeys };
}

/**
 * The environment the Node.js language host gives the program (`constructConfig` and
 * `constructConfigSecretKeys`, sdk/nodejs/cmd/pulumi-language-nodejs/main.go): keys in the
 * old `namespace:config:name` form, which the SDK's `runtime/config.ts` reads back as
 * `namespace:name`; the secret keys as `namespace:name`.
 */
export function languageHostEnvironment(config: ProgramConfig): { PULUMI_CONFIG: string; PULUMI_CONFIG_SECRET_KEYS: string } {
    const old: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.values)) {
        const i = key.indexOf(":");
        old[`${key.slice(0, i)}:config:${key.slice(i + 1)}`] = value;
    }
    return { PULUMI_CONFIG: JSON.stringify(old), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys) };
}
