import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../config/load";
import { ConfigError, printable } from "../config/problems";
import { chartsSection, renderedPlanResources, type ChartsSection, type RenderedFrom } from "./charts/document";
import { withRenderedCharts } from "./charts/judged";
import { renderEvaluation, RenderProblems, type StackRender } from "./charts/render";
import { setManifestSource } from "../components/edge/gateway-api-crds";
import { offlineManifest } from "./computed";
import { evaluate, type Evaluation, type Program, type RecordedResource, type ResourceOptions, type SampleLookup } from "./engine";
import { judge, policyOptionsOf, type Finding, type JudgedResource, type PolicyConfig } from "./judge";
import { readSamples, sampleLookup } from "./samples";
import { projectDir, readProjectFile, readStackConfiguration, StackFileError, stackFilePath, type ConfigOverrides } from "./stack-files";
import { hideSecrets, secretTexts } from "../config/secret-texts";
import type { Decrypter } from "./cli-config";
import { plain, redact } from "./values";

/**
 * The offline plan: evaluates the real program for one stack under mocks and describes
 * what `pulumi up` would create, with the policy pack's findings. This module returns
 * the result; offline/cli/plan.ts prints it.
 */

/** The project's root folder (where Pulumi.yaml and index.ts are). */
export { projectDir };
export type { ConfigOverrides };

/** The ambient kubeconfig of every offline plan (contexts cluster1 and cluster2, no credentials). */
export const ambientKubeconfig = path.join(projectDir, "offline", "ambient-kubeconfig.yaml");

/**
 * The ambient kubeconfig a plan runs with: the shipped sample, plus (in a temporary file)
 * an example cluster for a context the sample lacks, so that a new stack such as
 * `remote-eu` on context `cluster3` plans too. No credentials, placeholder CA data.
 */
export function offlineKubeconfigFor(context: string | undefined): string {
    const sample = fs.readFileSync(ambientKubeconfig, "utf8");
    const doc = parseYaml(sample) as { contexts: { name: string }[]; clusters: { name: string; cluster: Record<string, unknown> }[] };
    if (context === undefined || context === "" || doc.contexts.some((c) => c.name === context)) return ambientKubeconfig;
    const ca = doc.clusters[0]?.cluster["certificate-authority-data"];
    const extra = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: context, cluster: { server: `https://${context}.k8s.example.com`, "certificate-authority-data": ca } }],
        contexts: [{ name: context, context: { cluster: context, user: "offline" } }],
        users: [{ name: "offline", user: {} }],
    };
    // One file per context, always the same path and content, so that the plan shows the same
    // provider input on every machine and run (written atomically: plans may run side by side).
    const dir = path.join(os.tmpdir(), "mesh-ingress-offline");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `kubeconfig-${context}.yaml`);
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, stringifyYaml(extra));
    fs.renameSync(partial, file);
    return [ambientKubeconfig, file].join(path.delimiter);
}

/**
 * A path as the plan shows it: relative to the project when inside it, `$TMPDIR/...` when in
 * the temporary folder, so that no plan shows the layout of the machine that ran it. Every
 * string of the document goes through it (a KUBECONFIG list holds several paths).
 */
export function displayPaths(value: unknown): unknown {
    if (typeof value === "string") {
        return value.split(projectDir + path.sep).join("").split(os.tmpdir() + path.sep).join("$TMPDIR/");
    }
    if (Array.isArray(value)) return value.map(displayPaths);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayPaths(v)]));
    return value;
}

/** One resource of the plan document. */
export interface PlanResource {
    readonly type: string;
    readonly name: string;
    /** False for component resources. */
    readonly custom: boolean;
    /** True for a resource that is read (`X.get`, a stack reference), not created. */
    readonly read: boolean;
    /** Name of the parent resource, or null. */
    readonly parent: string | null;
    /** Name of the explicit provider resource, or null. */
    readonly provider: string | null;
    /** Inputs; secrets as "[secret]", values known only after deployment as "[computed]". */
    readonly inputs: unknown;
    readonly urn: string;
    /** Names of the resources this one waits for (besides its parent). */
    readonly dependsOn: readonly string[];
    /** The resource options the program set (protect, retainOnDelete, customTimeouts, ...); empty when none. */
    readonly options: ResourceOptions;
    /** Set on the objects of a rendered chart (`--render`): the release and the chart version rendered. */
    readonly renderedFrom?: RenderedFrom;
}

/** One policy finding of the plan document. */
export interface PlanViolation {
    readonly policy: string;
    readonly enforcementLevel: "advisory" | "mandatory";
    readonly resource: string | null;
    readonly message: string;
}

/** The plan as one JSON document (the brief's offline plan contract, plus notes). */
export interface PlanDocument {
    readonly stack: string;
    readonly resources: readonly PlanResource[];
    readonly outputs: unknown;
    readonly violations: readonly PlanViolation[];
    /** Warnings the program logged (e.g. a pending remote secret). */
    readonly warnings: readonly string[];
    /** Stack references, each answered with sample outputs or as not deployed. */
    readonly stackReferences: readonly { readonly stack: string; readonly answer: "sample" | "absent"; readonly source?: string }[];
    /** Encrypted config values that were replaced by placeholders. */
    readonly placeholders: readonly string[];
    /** With `--render`: Helm, the capabilities, and each release's render (its objects are among `resources`). */
    readonly charts?: ChartsSection;
}

/** What to plan. */
export interface PlanOptions {
    /** The stack's short name. */
    readonly stack: string;
    /** A stack file to use instead of Pulumi.<stack>.yaml. */
    readonly configFile?: string;
    /** Sample outputs for stack references. @default offline/samples */
    readonly samples?: SampleLookup;
    /** Per-policy configuration. */
    readonly policyConfig?: PolicyConfig;
    /** Evaluate as `pulumi up` instead of `pulumi preview`. @default false */
    readonly up?: boolean;
    /**
     * Changes on top of the stack file, by short key: values to set (as they would be
     * written in YAML), keys to remove, keys set as secrets. They are applied before the
     * Pulumi CLI's rules. Tests and the benchmark plan variants this way.
     */
    readonly overrides?: ConfigOverrides;
    /**
     * Render every Helm release with its chart (offline/charts) and add the objects under
     * their release, for the policies to judge too. Charts are rendered from the `up`
     * evaluation: Helm only runs when `pulumi up` installs a release, with every value known.
     * @default false
     */
    readonly render?: boolean;
    /**
     * How `secure:` values of the stack file are decrypted. @default the offline decrypter:
     * their plaintext where a test encrypted them, a placeholder otherwise
     */
    readonly decrypt?: Decrypter;
}

/** How long a plan's two parts took (wall time), for the benchmark. */
export interface PlanTimings {
    /** Evaluating the program under mocks. */
    readonly evaluateMs: number;
    /** CPU time of the process (all its threads) while evaluating. */
    readonly evaluateCpuMs: number;
    /** Running the policy pack over the result. */
    readonly judgeMs: number;
}

/** The outcome of a plan. */
export type PlanOutcome =
    | { readonly kind: "planned"; readonly document: PlanDocument; readonly evaluation: Evaluation; readonly findings: readonly Finding[]; readonly timings: PlanTimings; readonly charts?: StackRender }
    | { readonly kind: "invalid"; readonly lines: readonly string[] }
    | { readonly kind: "failed"; readonly error: Error };

let programPromise: Promise<Program> | undefined;

/** Imports index.ts once per process; every plan evaluates the same exported function. */
export function loadProgram(): Promise<Program> {
    programPromise ??= import(path.join(projectDir, "index.ts")).then((m: { default?: unknown }) => {
        const program = typeof m.default === "function" ? m.default : m;
        if (typeof program !== "function") throw new Error("index.ts must export the program as a function (export = async () => ...)");
        return program as Program;
    });
    return programPromise;
}

/**
 * Plans one stack. Never throws for a user's mistake: such outcomes are `invalid`. No
 * secret's plaintext appears in what it returns for printing: problem lines, warnings and
 * policy messages have them replaced by `[secret]` (the program hides them itself; this
 * is the net under it), and the document shows secret values as `[secret]`.
 */
export async function plan(options: PlanOptions): Promise<PlanOutcome> {
    const secrets: string[] = [];
    const outcome = await planWithSecrets(options, secrets);
    return printableOutcome(outcome, secrets);
}

/** The outcome with secrets hidden and control characters escaped in every line, warning and message (each stays one line). */
function printableOutcome(outcome: PlanOutcome, secrets: readonly string[]): PlanOutcome {
    const hide = (text: string): string => printable(hideSecrets(text, secrets));
    switch (outcome.kind) {
        case "invalid":
            return { kind: "invalid", lines: outcome.lines.map(hide) };
        case "failed": {
            if (secrets.length === 0) return outcome;
            const error = new Error(hideSecrets(outcome.error.message, secrets));
            error.stack = hideSecrets(outcome.error.stack ?? outcome.error.message, secrets);
            return { kind: "failed", error };
        }
        case "planned": {
            const document = {
                ...outcome.document,
                warnings: outcome.document.warnings.map(hide),
                violations: outcome.document.violations.map((v) => ({ ...v, message: hide(v.message) })),
            };
            return { ...outcome, document, findings: outcome.findings.map((f) => ({ ...f, message: hide(f.message) })) };
        }
    }
}

async function planWithSecrets(options: PlanOptions, secrets: string[]): Promise<PlanOutcome> {
    let evaluation: Evaluation;
    let placeholders: readonly string[];
    let evaluateMs: number;
    let evaluateCpuMs: number;
    try {
        const project = readProjectFile(projectDir);
        const file = options.configFile ? path.resolve(options.configFile) : stackFilePath(projectDir, options.stack);
        // The Pulumi CLI's rules (offline/cli-config.ts) come first: what it refuses never reaches the program.
        let configuration;
        try {
            configuration = readStackConfiguration(project, file, { stack: options.stack, ...(options.overrides ? { overrides: options.overrides } : {}), ...(options.decrypt ? { decrypt: options.decrypt } : {}) });
        } catch (e) {
            if (e instanceof StackFileError && e.unchecked) secrets.push(...secretTexts(e.unchecked.values, e.unchecked.secretKeys));
            throw e;
        }
        secrets.push(...secretTexts(configuration.values, configuration.secretKeys));
        placeholders = configuration.placeholders;
        // A stack on kubeContext reads the ambient kubeconfig (as the provider does): offline
        // it is the shipped sample, never the machine's own.
        const ambient = process.env["KUBECONFIG"];
        process.env["KUBECONFIG"] = offlineKubeconfigFor(configuration.values[`${project.name}:kubeContext`]);
        try {
            // Checked downloads (the Gateway API CRDs) are answered without the network.
            setManifestSource(offlineManifest);
            const program = await loadProgram();
            const samples = options.samples ?? sampleLookup(readSamples());
            const started = performance.now();
            const cpu = process.cpuUsage();
            evaluation = await evaluate(program, {
                project: project.name,
                stack: options.stack,
                preview: !(options.up ?? false),
                config: configuration.values,
                secretKeys: configuration.secretKeys,
                samples,
            });
            evaluateMs = performance.now() - started;
            const { user, system } = process.cpuUsage(cpu);
            evaluateCpuMs = (user + system) / 1000;
        } finally {
            if (ambient === undefined) delete process.env["KUBECONFIG"];
            else process.env["KUBECONFIG"] = ambient;
        }
    } catch (e) {
        if (ConfigError.isInstance(e)) return { kind: "invalid", lines: e.problems.map((p) => p.line) };
        if (e instanceof StackFileError) return { kind: "invalid", lines: [...e.lines, ...programProblems(e, options.stack)] };
        if (pulumi.RunError.isInstance(e)) return { kind: "invalid", lines: [(e).message] };
        return { kind: "failed", error: e as Error };
    }
    const loggedErrors = evaluation.logs.filter((l) => l.severity === "error");
    if (loggedErrors.length > 0) return { kind: "invalid", lines: loggedErrors.map((l) => l.message) };

    let charts: StackRender | undefined;
    if (options.render) {
        const rendered = await renderCharts(options, evaluation);
        if (rendered.kind !== "rendered") return rendered;
        charts = rendered.charts;
    }
    const judging = performance.now();
    const judged = judgedResources(evaluation.resources);
    const findings = await judge(charts ? withRenderedCharts(judged, charts) : judged, options.policyConfig ? { config: options.policyConfig } : {});
    const timings = { evaluateMs, evaluateCpuMs, judgeMs: performance.now() - judging };
    const document = planDocument(evaluation, findings, placeholders);
    return { kind: "planned", document: charts ? withCharts(document, evaluation, charts) : document, evaluation, findings, timings, ...(charts ? { charts } : {}) };
}

/**
 * The charts of a plan, rendered from the `up` evaluation (the plan's own when it is one;
 * otherwise a second evaluation with the policies off): Helm renders a release only when
 * `pulumi up` installs it, with the values a deployment computes, which the `up`
 * evaluation answers with plausible placeholders (an IAM role's ARN, a load balancer's
 * hostname) where the preview has none.
 */
async function renderCharts(options: PlanOptions, evaluation: Evaluation): Promise<{ kind: "rendered"; charts: StackRender } | { kind: "invalid"; lines: readonly string[] } | { kind: "failed"; error: Error }> {
    let up = evaluation;
    if (!(options.up ?? false)) {
        const outcome = await plan({ ...options, up: true, render: false, policyConfig: { all: "disabled" } });
        if (outcome.kind !== "planned") return outcome;
        up = outcome.evaluation;
    }
    try {
        return { kind: "rendered", charts: await renderEvaluation(options.stack, up.resources) };
    } catch (e) {
        if (e instanceof RenderProblems) return { kind: "invalid", lines: e.lines };
        return { kind: "failed", error: e as Error };
    }
}

function withCharts(document: PlanDocument, evaluation: Evaluation, charts: StackRender): PlanDocument {
    const nameOf = new Map(evaluation.resources.map((r) => [r.urn, r.name]));
    const providerOf = (urn: string): string | null => {
        const provider = evaluation.resources.find((r) => r.urn === urn)?.provider;
        return provider !== undefined ? (nameOf.get(provider) ?? null) : null;
    };
    const rendered = renderedPlanResources(charts, providerOf);
    const byParent = new Map<string, PlanResource[]>();
    for (const r of rendered) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
    return {
        ...document,
        resources: document.resources.flatMap((r) => [r, ...(r.type === "kubernetes:helm.sh/v3:Release" ? (byParent.get(r.name) ?? []) : [])]),
        charts: chartsSection(charts),
    };
}

/**
 * What the program's own validation would say about a configuration the Pulumi CLI
 * refused, for the keys the CLI did not name: the CLI stops before the program runs, but
 * one plan lists every problem, so that a user fixes them in one round.
 */
function programProblems(e: StackFileError, stack: string): string[] {
    if (e.unchecked === undefined) return [];
    const named = new Set(e.keys);
    const { values, secretKeys } = e.unchecked;
    try {
        loadSettings({ project: readProjectFile(projectDir).name, stack, values, secretKeys: new Set(secretKeys) });
    } catch (err) {
        if (ConfigError.isInstance(err)) return err.problems.filter((p) => !named.has(p.key.split(/[.[]/)[0]!)).map((p) => p.line);
        throw err;
    }
    return [];
}

/** The plan's exit status: 1 when a mandatory policy fails, otherwise 0. */
export function exitStatus(outcome: PlanOutcome): 0 | 1 | 2 | 3 {
    switch (outcome.kind) {
        case "invalid":
            return 2;
        case "failed":
            return 3;
        case "planned":
            return outcome.findings.some((f) => f.enforcementLevel === "mandatory") ? 1 : 0;
    }
}

/** Resources as the policy pack sees them. */
export function judgedResources(resources: readonly RecordedResource[]): JudgedResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return resources.map((r) => {
        const provider = r.provider !== undefined ? byUrn.get(r.provider) : undefined;
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            props: plain(r.inputs) as Record<string, unknown>,
            ...(r.parent !== undefined ? { parent: r.parent } : {}),
            ...(provider ? { provider: { urn: provider.urn, type: provider.type, name: provider.name, props: plain(provider.inputs) as Record<string, unknown> } } : {}),
            dependencies: r.dependencies,
            options: policyOptionsOf(r.options),
        };
    });
}

function planDocument(evaluation: Evaluation, findings: readonly Finding[], placeholders: readonly string[]): PlanDocument {
    const nameOf = new Map(evaluation.resources.map((r) => [r.urn, r.name]));
    const name = (urn: string | undefined): string | null => (urn !== undefined ? (nameOf.get(urn) ?? null) : null);
    return {
        stack: evaluation.stack,
        resources: evaluation.resources.map((r) => ({
            type: r.type,
            name: r.name,
            custom: r.custom,
            parent: name(r.parent),
            provider: name(r.provider),
            inputs: displayPaths(redact(r.inputs)),
            read: r.read,
            urn: r.urn,
            dependsOn: r.dependencies.map((d) => nameOf.get(d) ?? d),
            options: r.options,
        })),
        outputs: displayPaths(redact(evaluation.outputs)),
        violations: findings.map((f) => ({ policy: f.policy, enforcementLevel: f.enforcementLevel, resource: f.resource, message: f.message })),
        warnings: evaluation.logs.filter((l) => l.severity === "warning").map((l) => l.message),
        stackReferences: evaluation.references.map((r) => ({ ...r })),
        placeholders,
    };
}
