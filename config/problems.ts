import { closest, distance } from "fastest-levenshtein";
import * as pulumi from "@pulumi/pulumi";
import { printable } from "./printable";
import type { Problem } from "./setting";

export { printable };

/**
 * The lines a user reads when configuration is wrong. Every line names the key, shows
 * the bad value (never a secret's) and says what is expected.
 */

const maxShown = 80;

/** Renders a value for an error line: JSON, shortened, control characters escaped; secrets are never shown. */
export function show(value: unknown, secret = false): string {
    if (secret) return "[secret]";
    if (value === undefined) return "(not set)";
    const text = printable(JSON.stringify(value) ?? typeof value);
    return text.length > maxShown ? `${text.slice(0, maxShown - 3)}...` : text;
}

/** A value that is present but wrong. `expected` starts with "expected". */
export function invalid(key: string, value: unknown, expected: string, secret = false): Problem {
    return { key, line: `${printable(key)} = ${show(value, secret)}: ${printable(expected)}` };
}

/** A required value that is missing. */
export function missing(key: string, why: string): Problem {
    return { key, line: `${printable(key)} is not set: ${printable(why)}` };
}

/** The closest of `candidates` to `word`, when it is close enough to be a likely typo. */
export function suggestion(word: string, candidates: readonly string[]): string | undefined {
    if (candidates.length === 0) return undefined;
    const best = closest(word.toLowerCase(), candidates.map((c) => c.toLowerCase()));
    const original = candidates.find((c) => c.toLowerCase() === best);
    const limit = Math.max(2, Math.floor(word.length / 3));
    return original !== undefined && distance(word.toLowerCase(), best) <= limit ? original : undefined;
}

/** A key nobody reads: a typo must never fall back to a default silently. */
export function unknownKey(key: string, value: unknown, known: readonly string[], what = "setting", secret = false): Problem {
    const name = key.split(/[.[]/).pop() ?? key;
    const near = suggestion(name.replace(/]$/, ""), known);
    const hint = near !== undefined ? `did you mean '${near}'?` : `expected one of: ${known.join(", ")}`;
    return { key, line: `${printable(key)} = ${show(value, secret)}: unknown ${what}; ${hint}` };
}

/**
 * The program's answer to invalid configuration: every problem, one line each, and no
 * stack trace (Pulumi prints a RunError's message only).
 */
export class ConfigError extends pulumi.RunError {
    /** The problems, in the order they were found. */
    public readonly problems: readonly Problem[];

    constructor(problems: readonly Problem[], stack: string) {
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        super([`Invalid configuration for stack '${stack}' (${count}):`, ...problems.map((p) => `  ${p.line}`)].join("\n"));
        this.name = "ConfigError";
        this.problems = problems;
    }

    /** Recognises a ConfigError across module copies. */
    static override isInstance(error: unknown): error is ConfigError {
        return error instanceof Error && error.name === "ConfigError" && Array.isArray((error as ConfigError).problems);
    }
}
