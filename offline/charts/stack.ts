import * as fs from "node:fs";
import * as path from "node:path";
import { plan, type PlanOptions } from "../plan";
import { projectDir } from "../stack-files";
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

let queue: Promise<unknown> = Promise.resolve();

/**
 * Renders the charts of one stack. Never throws for a user's mistake: such outcomes are
 * `invalid`. Calls run one after the other: the mock engine is one per process.
 */
export function renderStack(options: Omit<PlanOptions, "render" | "up" | "policyConfig">): Promise<RenderOutcome> {
    const run = queue.then(async (): Promise<RenderOutcome> => {
        const outcome = await plan({ ...options, up: true, render: true, policyConfig: { all: "disabled" } });
        if (outcome.kind !== "planned") return outcome;
        return { kind: "rendered", render: outcome.charts! };
    });
    queue = run.catch(() => undefined);
    return run;
}

/** A stack file of the repository. */
export interface RepositoryStack {
    /** The stack's name (`primary` for Pulumi.primary.yaml). */
    readonly stack: string;
    readonly configFile: string;
}

/** Every stack file of the repository: Pulumi.<stack>.yaml at the root and in examples/, sorted by path. */
export function repositoryStacks(): RepositoryStack[] {
    return [projectDir, path.join(projectDir, "examples")].flatMap((dir) =>
        fs
            .readdirSync(dir)
            .sort()
            .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => ({ stack: m[1]!, configFile: path.join(dir, m[0]) })),
    );
}
