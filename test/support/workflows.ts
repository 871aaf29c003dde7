import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { projectDir } from "../../offline/plan";

/**
 * The GitHub Actions workflows and the local setup action as GitHub reads them, for the
 * workflow specs: parsed strictly, with the raw text kept (YAML comments carry the versions
 * of pinned actions).
 */

export const workflowsDir = path.join(projectDir, ".github", "workflows");
export const setupActionFile = path.join(projectDir, ".github", "actions", "setup", "action.yml");

export interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    shell?: string;
    "continue-on-error"?: boolean;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

export interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    outputs?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    env?: Record<string, string>;
    steps: Step[];
}

export interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

export interface CompositeAction {
    inputs: Record<string, { required?: boolean; default?: string }>;
    outputs: Record<string, { value: string }>;
    runs: { using: string; steps: Step[] };
}

/** Parses YAML as GitHub does, but stricter: duplicate keys and any warning fail. */
export function readYaml<T>(text: string, where: string): T {
    const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
    assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], `${where} parses without errors or warnings`);
    return doc.toJS() as T;
}

export const workflowFiles = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
/** Each workflow's raw text, by file name. */
export const workflowTexts = new Map(workflowFiles.map((f) => [f, fs.readFileSync(path.join(workflowsDir, f), "utf8")]));
export const workflows = new Map([...workflowTexts].map(([f, text]) => [f, readYaml<Workflow>(text, `.github/workflows/${f}`)]));
export const setupActionText = fs.readFileSync(setupActionFile, "utf8");
export const setupAction = readYaml<CompositeAction>(setupActionText, ".github/actions/setup/action.yml");

export const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** Every job that `name` waits for, directly or not. */
export function upstream(workflow: Workflow, name: string): Set<string> {
    const seen = new Set<string>();
    const visit = (n: string): void => {
        for (const need of needsOf(workflow.jobs[n]!)) {
            if (!seen.has(need)) {
                seen.add(need);
                visit(need);
            }
        }
    };
    visit(name);
    return seen;
}

/** The one step of a job that uses an action (by `owner/name`, any version). */
export function stepUsing(job: Job, action: string): Step {
    const found = job.steps.filter((s) => s.uses?.split("@")[0] === action);
    assert.equal(found.length, 1, `one step uses ${action}`);
    return found[0]!;
}

/** Every step of every workflow and of the setup action, with where it is. */
export function allSteps(): { where: string; step: Step }[] {
    const out: { where: string; step: Step }[] = [];
    for (const [file, workflow] of workflows) for (const [name, job] of Object.entries(workflow.jobs)) for (const step of job.steps) out.push({ where: `${file} ${name}`, step });
    for (const step of setupAction.runs.steps) out.push({ where: ".github/actions/setup", step });
    return out;
}

/** The names of the secrets an object (a job, a step) reads. */
export function secretsRead(value: unknown): Set<string> {
    return new Set([...JSON.stringify(value).matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}

/** The environment a job deploys to, as written. */
export const environmentOf = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);
