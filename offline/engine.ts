import * as pulumi from "@pulumi/pulumi";
import { computedState, invokeAnswer } from "./computed";
import { withCheapSdkStacks } from "./stack-traces";

/**
 * The one mock engine of this project, shared by the offline plan and the tests.
 *
 * It installs Pulumi's mocks, runs a program inside a root Stack resource exactly as the
 * CLI does, and records every resource the program registers: type, name, inputs (with
 * secrets and computed values marked), parent, provider and dependencies. Stack
 * references are answered from sample outputs, and every such answer is recorded so
 * that the plan can say which values were samples.
 */

/** Outputs that a referenced stack is pretended to export. */
export interface StackSample {
    /** The outputs, by name. */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** The names among `outputs` that the stack exports as secrets. */
    readonly secretOutputNames: readonly string[];
    /** Where the sample comes from (a file), for the plan's notes. */
    readonly source: string;
}

/** Finds the sample outputs for a fully qualified stack name. */
export interface SampleLookup {
    get(stack: string): StackSample | undefined;
}

/** One registered resource, as the engine saw it. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** False for component resources. */
    readonly custom: boolean;
    /** True for a resource the program reads (`X.get`, a stack reference) instead of creating it. */
    readonly read: boolean;
    /** URN of the parent, if any. */
    readonly parent: string | undefined;
    /** URN of the explicit provider, if any. */
    readonly provider: string | undefined;
    /** URNs of the resources this one depends on (parent excluded). */
    readonly dependencies: readonly string[];
    /** Inputs as registered: secrets are wrapped, computed values are {@link pulumi.Unknown}. */
    readonly inputs: Readonly<Record<string, unknown>>;
    /** Outputs a component registered with `registerOutputs`, in the same form. */
    outputs: Readonly<Record<string, unknown>> | undefined;
    /** The resource options the program set that change how the engine treats it. */
    readonly options: ResourceOptions;
}

/**
 * Resource options as the engine receives them (`RegisterResourceRequest`): only the ones
 * that are set appear, so a plan shows what the program chose, not the engine's defaults.
 */
export interface ResourceOptions {
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly deleteBeforeReplace?: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly replaceOnChanges?: readonly string[];
    readonly additionalSecretOutputs?: readonly string[];
    /** Durations as Pulumi passes them (e.g. `10m`). */
    readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
    /** Earlier identities: a URN, or the parts of one that changed (`name`, `type`, `parent`, `noParent`, `stack`, `project`). */
    readonly aliases?: readonly (string | Readonly<Record<string, string | boolean>>)[];
}

/** A message the program logged. */
export interface LoggedMessage {
    readonly severity: "info" | "warning" | "error";
    readonly message: string;
    /** URN of the resource the message is about, if any. */
    readonly resource?: string;
}

/** One stack reference the program made, and how the engine answered it. */
export interface AnsweredReference {
    /** The referenced stack's fully qualified name. */
    readonly stack: string;
    /** `sample`: answered with sample outputs; `absent`: no sample, answered as a stack with no outputs. */
    readonly answer: "sample" | "absent";
    /** The sample's source, when there was one. */
    readonly source?: string;
}

/** What one evaluation of a program produced. */
export interface Evaluation {
    readonly project: string;
    readonly stack: string;
    readonly resources: readonly RecordedResource[];
    /** The stack outputs, in the same form as inputs. */
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly logs: readonly LoggedMessage[];
    readonly references: readonly AnsweredReference[];
}

/** How to evaluate a program. */
export interface EvaluateOptions {
    readonly project: string;
    readonly stack: string;
    /** The organization of fully qualified stack names. @default "organization" */
    readonly organization?: string;
    /**
     * Preview (`pulumi preview`): values known only after deployment stay computed and
     * `apply` callbacks on them never run. Otherwise (`pulumi up`), resources get
     * plausible ids and computed fields. @default true
     */
    readonly preview?: boolean;
    /**
     * Every configuration value, by full key (`project:key`), as the CLI passes it. Unset:
     * the program reads the configuration the process was started with, as the Node.js
     * language host passes it (`PULUMI_CONFIG`, `PULUMI_CONFIG_SECRET_KEYS`; see
     * `languageHostEnvironment` in offline/cli-config.ts).
     */
    readonly config?: Readonly<Record<string, string>>;
    /** Full keys whose values are secrets (with `config`). */
    readonly secretKeys?: readonly string[];
    /** Sample outputs of the stacks the program references. */
    readonly samples?: SampleLookup;
    /** Give up after this long: a program that waits on a computed value never finishes. @default 30000 */
    readonly timeoutMs?: number;
}

/** The program: the function `index.ts` exports. */
export type Program = () => Promise<Record<string, unknown>> | Record<string, unknown>;

/** Raised when a program did not finish in time. */
export class EvaluationTimeout extends Error {
    constructor(ms: number) {
        super(`the program did not finish within ${ms} ms (is it awaiting a value that is only known after deployment?)`);
        this.name = "EvaluationTimeout";
    }
}

type GrpcCallback = (err: unknown, response?: unknown) => void;

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
    getObject(): unknown;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getAliasesList(): AliasMessage[];
}

interface AliasMessage {
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

/** The options of a registration request that the program set. */
function optionsOf(req: RegisterRequest): ResourceOptions {
    const options: Record<string, unknown> = {};
    if (req.getProtect()) options["protect"] = true;
    if (req.getRetainondelete()) options["retainOnDelete"] = true;
    if (req.getDeletebeforereplace()) options["deleteBeforeReplace"] = true;
    const lists = { ignoreChanges: req.getIgnorechangesList(), replaceOnChanges: req.getReplaceonchangesList(), additionalSecretOutputs: req.getAdditionalsecretoutputsList() };
    for (const [key, list] of Object.entries(lists)) if (list.length > 0) options[key] = [...list];
    const t = req.getCustomtimeouts();
    if (t) {
        const timeouts = Object.fromEntries(Object.entries({ create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() }).filter(([, v]) => v !== ""));
        if (Object.keys(timeouts).length > 0) options["customTimeouts"] = timeouts;
    }
    const aliases = req.getAliasesList().map((a) => {
        const spec = a.getSpec();
        if (!spec) return a.getUrn();
        const parts = { name: spec.getName(), type: spec.getType(), stack: spec.getStack(), project: spec.getProject(), parent: spec.getParenturn() };
        const named: Record<string, string | boolean> = Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== ""));
        if (spec.getNoparent()) named["noParent"] = true;
        return named;
    });
    if (aliases.length > 0) options["aliases"] = aliases;
    return options;
}

interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
    getProperties(): unknown;
}

interface MonitorLike {
    registerResource(req: RegisterRequest, callback: GrpcCallback): Promise<void>;
    readResource(req: ReadRequest, callback: GrpcCallback): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, callback: GrpcCallback): void;
}

// Internal SDK modules the engine needs: the monitor that setMocks installed, the RPC
// queue to wait for, and the log functions to capture. None is in the public typings.
/* eslint-disable @typescript-eslint/no-require-imports */
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MonitorLike; waitForRPCs(): Promise<void> };
const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown> };
const logModule = require("@pulumi/pulumi/log") as Record<"info" | "warn" | "error", (msg: string, resource?: pulumi.Resource) => Promise<void>>;
/* eslint-enable @typescript-eslint/no-require-imports */

class Mocks implements pulumi.runtime.Mocks {
    readonly references: AnsweredReference[] = [];

    constructor(private readonly options: EvaluateOptions) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pulumi:pulumi:StackReference") {
            const stack = String(inputs["name"]);
            const sample = this.options.samples?.get(stack);
            this.references.push(sample ? { stack, answer: "sample", source: sample.source } : { stack, answer: "absent" });
            return {
                id: stack,
                state: { name: stack, outputs: { ...(sample?.outputs ?? {}) }, secretOutputNames: [...(sample?.secretOutputNames ?? [])] },
            };
        }
        const preview = this.options.preview ?? true;
        if (preview || !args.custom) return { id: preview ? undefined : `${args.name}-id`, state: { ...inputs } };
        return { id: `${args.name}-id`, state: { ...inputs, ...computedState(args.type, args.name, inputs) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return invokeAnswer(args.token, args.inputs as Record<string, unknown>);
    }
}

/**
 * Runs `program` under mocks with the given configuration and returns everything it
 * registered. Each call starts from a fresh mock monitor, so one process can evaluate
 * many configurations of the same (already imported) program in turn.
 */
export async function evaluate(program: Program, options: EvaluateOptions): Promise<Evaluation> {
    return evaluateRun(() => pulumi.runtime.runInPulumiStack(async () => program()), options);
}

/**
 * Like {@link evaluate}, for a `run` that loads and runs the program itself inside the
 * root Stack resource: the Pulumi SDK's own run entry (`@pulumi/pulumi/cmd/run`'s `run`),
 * which loads `index.ts` as the CLI's language host does.
 */
export async function evaluateRun(run: () => Promise<unknown>, options: EvaluateOptions): Promise<Evaluation> {
    const mocks = new Mocks(options);
    await pulumi.runtime.setMocks(mocks, options.project, options.stack, options.preview ?? true, options.organization ?? "organization");
    if (options.config !== undefined) pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);

    const resources = new Map<string, RecordedResource>();
    const record = (req: Omit<ReadRequest, "getProperties">, custom: boolean, read: boolean, inputs: unknown, options: ResourceOptions) => (err: unknown, response?: unknown) => {
        if (!err && response) {
            const urn = (response as { getUrn(): string }).getUrn();
            resources.set(urn, {
                urn,
                type: req.getType(),
                name: req.getName(),
                custom,
                read,
                parent: req.getParent() || undefined,
                // A provider reference is "<urn>::<id>".
                provider: req.getProvider() ? req.getProvider().split("::").slice(0, -1).join("::") : undefined,
                dependencies: [...new Set(req.getDependenciesList())].filter((d) => d !== req.getParent()),
                inputs: rpc.deserializeProperties(inputs, true),
                outputs: undefined,
                options,
            });
        }
    };
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            record(req, req.getCustom(), false, req.getObject(), optionsOf(req))(err, response);
            callback(err, response);
        });
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req, callback) =>
        read(req, (err, response) => {
            record(req, true, true, req.getProperties(), {})(err, response);
            callback(err, response);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        const recorded = resources.get(req.getUrn());
        if (recorded) recorded.outputs = req.getOutputs() ? rpc.deserializeProperties(req.getOutputs(), true) : {};
        registerOutputs(req, callback);
    };

    const logs: LoggedMessage[] = [];
    const originals = { info: logModule.info, warn: logModule.warn, error: logModule.error };
    const capture = (severity: LoggedMessage["severity"]) => async (message: string, resource?: pulumi.Resource) => {
        const urn = resource ? await new Promise<string>((resolve) => resource.urn.apply(resolve)) : undefined;
        logs.push(urn !== undefined ? { severity, message, resource: urn } : { severity, message });
    };
    logModule.info = capture("info");
    logModule.warn = capture("warning");
    logModule.error = capture("error");

    // Like the CLI's language host, catch rejections nobody awaited: an error thrown in
    // the program also rejects the root Stack's own initialisation promise.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    const timeoutMs = options.timeoutMs ?? 30000;
    let timer: NodeJS.Timeout | undefined;
    try {
        // The SDK's own stack traces are most of a plan's time under tsx (see stack-traces.ts).
        const running = withCheapSdkStacks(async () => {
            await run();
            await settings.waitForRPCs();
        });
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                reject(new EvaluationTimeout(timeoutMs));
            }, timeoutMs);
        });
        await Promise.race([running, timeout]);
        await new Promise((resolve) => setImmediate(resolve));
        const [first] = unhandled;
        if (first !== undefined) throw first instanceof Error ? first : new Error(`unhandled rejection: ${JSON.stringify(first)}`);
    } finally {
        if (timer) clearTimeout(timer);
        Object.assign(logModule, originals);
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onUnhandled);
    }

    const all = [...resources.values()];
    const root = all.find((r) => r.type === "pulumi:pulumi:Stack");
    return {
        project: options.project,
        stack: options.stack,
        resources: all,
        outputs: root?.outputs ?? {},
        logs,
        references: mocks.references,
    };
}
