import { plan, type PlanOptions } from "../plan";
import type { StackRender } from "./render";

/**
 * A stack's charts rendered, for `npm run render`, the tests and the doctor: the stack is
 * evaluated as `pulumi up` would run it (computed values as plausible placeholders, the
 * policies off), and every Helm release is rendered with its chart.
 */

/** The outcome of rendering a stack, shaped like a plan's. */
export type RenderOutcome =
    | { readonly kind: "rendered"; readonly render: StackRender }
    | { readonly kind: "invalid"; readonly lines: readonly string[] }
    | { readonly kind: "failed"; readonly error: Error };

/** Renders the charts of one stack. Never throws for a user's mistake: such outcomes are `invalid`. */
export async function renderStack(options: Omit<PlanOptions, "render" | "up" | "policyConfig">): Promise<RenderOutcome> {
    const outcome = await plan({ ...options, up: true, render: true, policyConfig: { all: "disabled" } });
    if (outcome.kind !== "planned") return outcome;
    return { kind: "rendered", render: outcome.charts! };
}
