import * as assert from "node:assert/strict";
import type { Evaluation, RecordedResource } from "../../offline/engine";
import type { Finding } from "../../offline/judge";
import { plan, type PlanDocument, type PlanOptions } from "../../offline/plan";
import { containsSecret, plain } from "../../offline/values";

/**
 * Test helpers over the offline plan: the tests evaluate the real program through the
 * same engine and configuration path as `npm run plan`.
 */

/** A successful plan. */
export interface Planned {
    readonly document: PlanDocument;
    readonly evaluation: Evaluation;
    readonly findings: readonly Finding[];
}

/** Plans a stack and asserts that it planned (not invalid, not failed). */
export async function planned(stack: string, options: Omit<PlanOptions, "stack"> = {}): Promise<Planned> {
    const outcome = await plan({ stack, ...options });
    if (outcome.kind === "invalid") assert.fail(`expected ${stack} to plan, got configuration problems:\n${outcome.lines.join("\n")}`);
    if (outcome.kind === "failed") throw outcome.error;
    return outcome;
}

const once = new Map<string, Promise<Planned>>();

/**
 * A default stack's plan (its own stack file, or `configFile`; as `pulumi up` sees it with
 * `up`), planned once per test run and shared by the specs that only read it.
 */
export function plannedOnce(stack: string, configFile?: string, options: { readonly up?: boolean } = {}): Promise<Planned> {
    const up = options.up === true;
    const key = `${stack}\0${configFile ?? ""}\0${up}`;
    let p = once.get(key);
    if (p === undefined) {
        p = planned(stack, { ...(configFile !== undefined ? { configFile } : {}), ...(up ? { up } : {}) });
        once.set(key, p);
    }
    return p;
}

/** Plans a stack and asserts that its configuration is rejected; returns the problem lines. */
export async function rejected(stack: string, options: Omit<PlanOptions, "stack"> = {}): Promise<readonly string[]> {
    const outcome = await plan({ stack, ...options });
    if (outcome.kind === "failed") throw outcome.error;
    assert.equal(outcome.kind, "invalid", `expected ${stack} to be rejected, but it planned`);
    return outcome.kind === "invalid" ? outcome.lines : [];
}

/** Every recorded resource of a type. */
export function ofType(p: Planned, type: string): RecordedResource[] {
    return p.evaluation.resources.filter((r) => r.type === type);
}

/** The one resource of a type (and name, when given); fails when there is not exactly one. */
export function one(p: Planned, type: string, name?: string): RecordedResource {
    const found = ofType(p, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0]!;
}

/** A resource's inputs with secrets unwrapped and computed values as undefined. */
export function inputsOf(r: RecordedResource): any {
    return plain(r.inputs, { computedAs: undefined });
}

/** True when the input at `key` is a Pulumi secret. */
export function isSecretInput(r: RecordedResource, key: string): boolean {
    return containsSecret(r.inputs[key]);
}

/** The stack's outputs, plain. */
export function outputsOf(p: Planned): any {
    return plain(p.evaluation.outputs, { computedAs: undefined });
}
