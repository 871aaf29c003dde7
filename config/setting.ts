import type { z } from "zod";

/**
 * The value types a setting can have: the types of Pulumi's project configuration
 * (`object` since Pulumi v3.187.0). The CLI checks a stack value's type before the
 * program runs (offline/cli-config.ts); the program then validates the value itself.
 */
export type SettingType = "string" | "integer" | "boolean" | "array" | "object";

/** Element types an `array` setting can declare. */
export type SettingItems = "string" | "integer" | "boolean" | "object";

/** Groups settings in Pulumi.yaml and in the README's table. */
export type SettingArea = "cluster" | "mesh" | "tls" | "dns" | "edge" | "observability";

/**
 * One setting of the program: its declaration in Pulumi.yaml and its validation.
 * Pulumi.yaml's `config:` block and the README's settings table are generated
 * from these declarations (`npm run gen`), so the three cannot drift.
 */
export interface Setting<T> {
    /** The key in the project's namespace, e.g. `clusterName` (`mesh-ingress:clusterName`). */
    readonly key: string;
    /** Where the setting belongs. */
    readonly area: SettingArea;
    /** The value type. */
    readonly type: SettingType;
    /** Element type of an `array` setting. */
    readonly items?: SettingItems;
    /** What the setting does, for Pulumi.yaml and the README. */
    readonly description: string;
    /**
     * The value used when the stack does not set the key.
     * @default undefined: the setting is required and has no default.
     */
    readonly default?: T;
    /**
     * Whether the value must be set with `pulumi config set --secret`; the program
     * refuses a plain-text value and only ever handles it as a Pulumi secret.
     * Pulumi.yaml declares it `secret: true` only when it has no default (see
     * `declaredSecret` in scripts/gen.ts).
     * @default false
     */
    readonly secret?: boolean;
    /** Validates the parsed value; every message starts with "expected". */
    readonly schema: z.ZodType<T>;
}

/** Read-only all the way down: how the program sees a structured setting's value. */
export type DeepReadonly<T> = T extends (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** A setting whose value is handled as a Pulumi secret. */
export interface SecretSetting extends Setting<string> {
    readonly secret: true;
}

/** Declares a plain setting. */
export function setting<T>(spec: Setting<T>): Setting<T> {
    return Object.freeze(spec);
}

/**
 * Declares a secret setting: a string that must be set with `--secret`. Its default is
 * the empty string, meaning "not set" (Pulumi treats a declared key without a default as
 * required, so optional secrets need one). Pulumi.yaml declares it as a plain `string`:
 * the CLI copies the default "" into every stack that leaves the key unset, as plain
 * text, and would refuse it under `secret: true` ("must be encrypted as it's secret").
 * The program refuses a non-empty plain-text value instead (config/load.ts).
 */
export function secretSetting(spec: Omit<SecretSetting, "secret" | "type" | "default">): SecretSetting {
    return Object.freeze({ ...spec, type: "string" as const, default: "", secret: true as const });
}

/** A rule across several settings, checked once each of its keys has a valid value. */
export interface CrossRule {
    /** The settings the rule reads; it runs only when all of them are valid. */
    readonly keys: readonly string[];
    /** Returns one problem per violation (empty when the settings agree). */
    check(values: Readonly<Record<string, unknown>>, context: RuleContext): Problem[];
}

/** What a rule may know besides the settings: the project and stack being configured. */
export interface RuleContext {
    /** The Pulumi project name (`Pulumi.yaml`'s `name`). */
    readonly project: string;
    /** The short stack name, e.g. `primary`. */
    readonly stack: string;
}

/** One configuration problem: the key it concerns and the line the user reads. */
export interface Problem {
    /** The key (with a path into structured values, e.g. `edgeHosts[0].host`). */
    readonly key: string;
    /** One line naming the key, the bad value and what is expected. */
    readonly line: string;
}
