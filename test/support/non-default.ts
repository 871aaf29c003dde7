import * as path from "node:path";
import { projectDir } from "../../offline/plan";
import type { Planned } from "./plan";

/**
 * Every setting at a value other than its default, and what that value changes in the plan
 * (test/config/non-default-settings.spec.ts). A setting the program ignored would still pass
 * every test that only plans it at its default; each row here fails instead.
 *
 * The rows are grouped into variants: one plan of a stack file with several settings
 * changed at once, so that the whole table costs a handful of plans. Each row's effect
 * asserts the value that only its own setting can produce (a replica count of 5, a TTL of
 * 123), never only that something changed.
 */

/** The stack files a variant starts from. */
export const variantBases = {
    primary: { stack: "primary" },
    remote: { stack: "remote" },
    "primary-gateway-api": { stack: "primary-gateway-api", configFile: path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml") },
} as const;

/** One setting of a variant: its value and the effect to assert. */
export interface NonDefaultRow {
    /** The setting's key (short, as in the registry). */
    readonly key: string;
    /** The value set, as it would be written in YAML; never the setting's default. */
    readonly value: unknown;
    /** Set with `--secret` (required for secret settings). @default false */
    readonly secret?: boolean;
    /** What the value does, in the user's words: the test's title. */
    readonly effect: string;
    /** Asserts the effect on the plan of the variant (assert.* from node:assert/strict). */
    readonly check: (p: Planned) => void | Promise<void>;
}

/** A plan of one stack file with several settings changed. */
export interface NonDefaultVariant {
    /** Names the variant in test titles. */
    readonly name: string;
    /** The stack file it starts from. */
    readonly base: keyof typeof variantBases;
    /** Plan as `pulumi up` sees it (every value known). @default false */
    readonly up?: boolean;
    /** Keys of the stack file to remove first (a setting that conflicts with a row). */
    readonly unset?: readonly string[];
    /** Other values the rows need but do not test (set as YAML would). */
    readonly context?: Readonly<Record<string, unknown>>;
    /** The settings under test. */
    readonly rows: readonly NonDefaultRow[];
}
