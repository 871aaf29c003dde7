import * as fs from "node:fs";
import * as path from "node:path";
import { loadSettings } from "../config/load";
import { ConfigError } from "../config/problems";
import type { Settings } from "../config/registry";
import type { StackRender } from "../offline/charts/render";
import type { SampleLookup, StackSample } from "../offline/engine";
import { plan, type PlanDocument } from "../offline/plan";
import { projectDir, readProjectFile, readStackConfiguration, StackFileError, stackFilePath } from "../offline/stack-files";
import { ClusterAccessError, ClusterReader, type ClusterAccess } from "./cluster";
import type { CheckContext } from "./checks";
import { edgeChecks, type EdgeFindings } from "./edge";
import { expectationOf, type Expectation, type OutputsRead } from "./expectation";
import { meshChecks } from "./mesh";
import { openBackend, type Backend, type BackendOptions, type StackOutputs } from "./outputs";
import { probeChecks, type ProbeOptions } from "./probes";
import { report, type Area, type Check, type DoctorReport } from "./report";
import { tlsChecks } from "./tls";

/**
 * `npm run doctor`: the stack's expectation (its settings, its offline plan and the render of
 * its charts, its outputs when a Pulumi backend is reachable), then every check against its cluster and, unless
 * turned off, the probes of its hosts.
 */

/** What to diagnose and how. */
export interface DoctorOptions {
    /** The stack as `pulumi -s` takes it (`primary` or `acme/primary`); its file is Pulumi.<last part>.yaml. */
    readonly stack: string;
    /** A stack file instead of Pulumi.<stack>.yaml. */
    readonly configFile?: string;
    /** Run the DNS and HTTP probes. @default true */
    readonly probes?: boolean;
    readonly probeOptions?: Partial<ProbeOptions>;
    readonly backend?: Omit<BackendOptions, "workDir">;
    /** The time to judge expiry and ages at. @default now */
    readonly now?: Date;
    /** Per request to the cluster and per probe. @default 15000 */
    readonly timeoutMs?: number;
    /** Check only these areas. @default every area */
    readonly only?: readonly Area[];
}

/** The run's outcome: a report, or why the doctor cannot run at all (exit status 2). */
export type DoctorOutcome = { readonly kind: "report"; readonly report: DoctorReport; readonly expectation: Expectation } | { readonly kind: "unusable"; readonly lines: readonly string[] };

/** The stack file's short name: the last part of `org/stack` or `org/project/stack`. */
export function shortStackName(stack: string): string {
    return stack.split("/").pop() ?? stack;
}

/** Reads the stack's settings the way the program does (config/load.ts); problems make the run unusable. */
function settingsOf(stack: string, file: string): Settings | { lines: string[] } {
    try {
        const project = readProjectFile(projectDir);
        const configuration = readStackConfiguration(project, file);
        return loadSettings({ project: project.name, stack, values: configuration.values, secretKeys: new Set(configuration.secretKeys) });
    } catch (e) {
        if (ConfigError.isInstance(e)) return { lines: e.problems.map((p) => p.line) };
        if (e instanceof StackFileError) return { lines: [e.message] };
        throw e;
    }
}

async function readOutputs(backend: Backend, stack: string, settings: Settings): Promise<{ read: OutputsRead; references: Map<string, StackOutputs | undefined> }> {
    const references = new Map<string, StackOutputs | undefined>();
    if (!backend.available) return { read: { unavailable: backend.reason }, references };
    try {
        const own = await backend.outputs(stack);
        const referenced = settings.role === "primary" ? settings.remoteStacks : [settings.primaryStack];
        for (const name of referenced) references.set(name, await backend.outputs(name));
        const primary = settings.role === "remote" ? references.get(settings.primaryStack) : undefined;
        return {
            read: { ...(own !== undefined ? { own } : { unavailable: `the backend (${backend.describe}) has no outputs for ${stack}` }), ...(primary !== undefined ? { primary } : {}) },
            references,
        };
    } catch (e) {
        return { read: { unavailable: (e as Error).message }, references };
    }
}

/** The stack references answered with the outputs read from the backend. */
function backendSamples(references: ReadonlyMap<string, StackOutputs | undefined>, describe: string): SampleLookup {
    return {
        get(stack: string): StackSample | undefined {
            const outputs = references.get(stack);
            return outputs === undefined ? undefined : { outputs: outputs.values, secretOutputNames: outputs.secrets, source: `the Pulumi backend (${describe})` };
        },
    };
}

/** Everything the doctor knows before it reads the cluster. */
export interface Prepared {
    readonly stack: string;
    readonly settings: Settings;
    readonly expectation: Expectation;
    /** The stack's offline plan (answered with the backend's outputs when they were read). */
    readonly plan: PlanDocument;
    /** Its Helm releases rendered (offline/charts), the objects the charts deploy. */
    readonly render: StackRender;
    readonly access: ClusterAccess;
}

/** The settings, outputs, plan and expectation of a stack, and how to reach its cluster; or why the doctor cannot run. */
export async function prepare(options: Pick<DoctorOptions, "stack" | "configFile" | "backend">): Promise<Prepared | { readonly kind: "unusable"; readonly lines: readonly string[] }> {
    const short = shortStackName(options.stack);
    const file = options.configFile !== undefined ? path.resolve(options.configFile) : stackFilePath(projectDir, short);
    if (!fs.existsSync(file)) return { kind: "unusable", lines: [`${file}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)`] };
    const settings = settingsOf(short, file);
    if ("lines" in settings) return { kind: "unusable", lines: settings.lines };

    const backend = await openBackend({ workDir: projectDir, ...options.backend });
    // How to reach the cluster first: without it there is nothing to diagnose.
    let access: ClusterAccess;
    if (settings.kubeContext !== "") access = { context: settings.kubeContext };
    else {
        let kubeconfig: string | undefined;
        try {
            kubeconfig = backend.available ? await backend.config(options.stack, "kubeconfig") : undefined;
        } catch (e) {
            return { kind: "unusable", lines: [`kubeconfig of stack ${options.stack} cannot be read: ${(e as Error).message}`] };
        }
        if (kubeconfig === undefined) {
            const why = backend.available ? "the backend has no value for it" : backend.reason;
            return {
                kind: "unusable",
                lines: [`kubeconfig is a secret setting of stack ${options.stack}; reading it needs the Pulumi CLI and the stack's backend (${why}). Run where \`pulumi config get kubeconfig -s ${options.stack}\` works, or set kubeContext.`],
            };
        }
        access = { kubeconfig };
    }

    const { read, references } = await readOutputs(backend, options.stack, settings);
    // Evaluated as `pulumi up` runs it and every release rendered with its chart (offline/charts,
    // as `npm run render`): the chart objects the checks read are those of the render. The
    // policies are the plan's business, not the doctor's.
    const planned = await plan({
        stack: short,
        configFile: file,
        up: true,
        render: true,
        policyConfig: { all: "disabled" },
        ...(backend.available ? { samples: backendSamples(references, backend.describe) } : {}),
        // The decrypted kubeconfig, as the program would get it (the stack file holds only its ciphertext); it stays a secret.
        ...(access.kubeconfig !== undefined ? { overrides: { set: { kubeconfig: access.kubeconfig }, secret: ["kubeconfig"] } } : {}),
    });
    if (planned.kind === "invalid") return { kind: "unusable", lines: planned.lines };
    if (planned.kind === "failed") throw planned.error;
    const render = planned.charts!;
    const expectation = expectationOf(options.stack, settings, planned.document, render, read);
    return { stack: options.stack, settings, expectation, plan: planned.document, render, access };
}

/** Runs every check of a prepared stack against its cluster. */
export async function diagnose(prepared: Prepared, options: Omit<DoctorOptions, "stack" | "configFile" | "backend"> = {}): Promise<DoctorOutcome> {
    const { settings, expectation } = prepared;
    const timeoutMs = options.timeoutMs ?? 15000;
    let cluster: ClusterReader;
    try {
        cluster = await ClusterReader.open(prepared.access, timeoutMs);
    } catch (e) {
        if (e instanceof ClusterAccessError) return { kind: "unusable", lines: [e.message] };
        throw e;
    }
    try {
        await cluster.verify();
    } catch (e) {
        await cluster.close();
        if (e instanceof ClusterAccessError) return { kind: "unusable", lines: [e.message] };
        throw e;
    }

    const ctx: CheckContext = { cluster, expectation, kubectl: `kubectl --context ${cluster.context}`, context: cluster.context, now: options.now ?? new Date() };
    const probesOn = options.probes ?? true;
    let checks: Check[];
    try {
        const noEdge: EdgeFindings = { checks: [] };
        const wanted = (area: Area): boolean => options.only === undefined || options.only.includes(area);
        const [mesh, tls, edge] = await Promise.all([
            wanted("mesh") ? meshChecks(ctx) : [],
            wanted("tls") ? tlsChecks(ctx) : [],
            wanted("edge") ? edgeChecks(ctx) : noEdge,
        ]);
        const probes = probesOn && wanted("edge") ? await probeChecks(ctx, { resolvers: [], connectTo: [], ca: [], timeoutMs, ...options.probeOptions }, edge.servingAddress) : [];
        checks = [...mesh, ...tls, ...edge.checks, ...probes];
    } finally {
        await cluster.close();
    }
    const r = report(
        {
            stack: prepared.stack,
            role: settings.role,
            clusterName: settings.clusterName,
            cluster: { context: cluster.context, server: cluster.server, kubeconfig: cluster.origin },
            sources: expectation.sources,
            probes: probesOn,
            ...(options.only !== undefined ? { only: options.only } : {}),
        },
        checks,
    );
    return { kind: "report", report: r, expectation };
}

/** Diagnoses one stack. Never throws for a user's mistake or an unreachable cluster: those are `unusable`. */
export async function doctor(options: DoctorOptions): Promise<DoctorOutcome> {
    const prepared = await prepare(options);
    if ("kind" in prepared) return prepared;
    return diagnose(prepared, options);
}
