import type {
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { closest, distance } from "fastest-levenshtein";
import { policies as packPolicies } from "../policy/policies";

// The analyzer's guard against reading unknown values: exported by @pulumi/policy but
// missing from its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy: <T extends object>(props: T) => T;
    UnknownValueError: new (...args: never[]) => Error;
};

/**
 * Runs the policy pack's policies offline, the way the CrossGuard analyzer runs them in
 * `pulumi preview --policy-pack policy`: the same policy objects, the same argument
 * shapes, unknown values guarded by the same proxy, configuration defaults from each
 * policy's schema. The offline plan and `npm run policy` both judge through here.
 */

/** A resource to judge: what the analyzer would receive. */
export interface JudgedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs, plain: secrets unwrapped, unknown values as the preview sentinel. */
    readonly props: Record<string, unknown>;
    readonly parent?: string;
    readonly provider?: { readonly urn: string; readonly type: string; readonly name: string; readonly props: Record<string, unknown> };
    readonly dependencies: readonly string[];
    /** The resource options CrossGuard hands policies (`args.opts`), as far as they are set; see {@link policyOptionsOf}. */
    readonly options?: JudgedOptions;
}

/** The resource options a policy sees, in CrossGuard's form (timeouts in seconds); `parent` comes from the resource. */
export type JudgedOptions = Partial<Omit<PolicyResourceOptions, "parent">>;

/** Resource options as the engine receives them from a program (durations such as `20m`). */
export interface ProgramOptions {
    readonly protect?: boolean;
    readonly deleteBeforeReplace?: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly additionalSecretOutputs?: readonly string[];
    readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
}

/** Seconds of a Go duration (`1h30m`, `20m`, `90s`, `1.5h`), as the engine converts custom timeouts; 0 for none. */
export function durationSeconds(duration: string | undefined): number {
    if (duration === undefined || duration === "") return 0;
    const units: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== duration) throw new Error(`'${duration}' is not a duration such as 20m or 1h30m`);
    return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2]!] ?? 0), 0);
}

/**
 * The options CrossGuard hands a policy, from those a program set (the offline plan
 * records them): the engine's `AnalyzerResourceOptions` carry protect, ignoreChanges,
 * deleteBeforeReplace, additionalSecretOutputs, customTimeouts (seconds) and aliases,
 * but not retainOnDelete, replaceOnChanges or deletedWith. Its aliases are the old URNs
 * the resource matched in the stack's state, none on a stack being created, which is what
 * a plan shows; so they are left empty here.
 */
export function policyOptionsOf(options: ProgramOptions): JudgedOptions {
    const t = options.customTimeouts;
    return {
        ...(options.protect === true ? { protect: true } : {}),
        ...(options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: options.deleteBeforeReplace } : {}),
        ...(options.ignoreChanges !== undefined ? { ignoreChanges: [...options.ignoreChanges] } : {}),
        ...(options.additionalSecretOutputs !== undefined ? { additionalSecretOutputs: [...options.additionalSecretOutputs] } : {}),
        ...(t !== undefined ? { customTimeouts: { createSeconds: durationSeconds(t.create), updateSeconds: durationSeconds(t.update), deleteSeconds: durationSeconds(t.delete) } } : {}),
    };
}

/** One policy finding. */
export interface Finding {
    readonly policy: string;
    readonly enforcementLevel: "advisory" | "mandatory";
    /** Name of the resource concerned (null for a stack-level finding without one). */
    readonly resource: string | null;
    readonly urn: string | null;
    readonly message: string;
}

/**
 * Policy configuration in the format of `pulumi preview --policy-pack-config`: by policy
 * name, an enforcement level or an object of the policy's configuration values (with an
 * optional `enforcementLevel`); `all` sets the level of every policy, and a policy's own
 * level overrides it.
 */
export type PolicyConfig = Readonly<Record<string, unknown>>;

const levels: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Options of {@link judge}. */
export interface JudgeOptions {
    /** The policies to run. @default the policy pack's policies */
    readonly policies?: readonly Policy[];
    /** Configuration by policy name; schema defaults fill what it leaves out. */
    readonly config?: PolicyConfig;
}

class NotApplicable extends Error {}

const pulumiTypeOf = (f: unknown): string | undefined => (f as { __pulumiType?: string } | undefined)?.__pulumiType;

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

const entryOf = (value: unknown): Record<string, unknown> => (typeof value === "string" ? { enforcementLevel: value } : value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {});

function configFor(policy: Policy, config: PolicyConfig | undefined): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        const d = (schema as { default?: unknown }).default;
        if (d !== undefined) defaults[key] = d;
    }
    const given: Record<string, unknown> = { ...entryOf(config?.[policy.name]) };
    delete given["enforcementLevel"];
    return { ...defaults, ...given };
}

function levelOf(policy: Policy, config: PolicyConfig | undefined): EnforcementLevel {
    const own = entryOf(config?.[policy.name])["enforcementLevel"];
    const all = entryOf(config?.["all"])["enforcementLevel"];
    const level = (typeof own === "string" ? own : typeof all === "string" ? all : (policy.enforcementLevel ?? "advisory")) as EnforcementLevel;
    return level === "remediate" ? "mandatory" : level;
}

/**
 * What is wrong with a policy configuration, one line per problem naming the key, the
 * value and what is expected: unknown policies and settings (with a suggestion), levels
 * that do not exist, values outside a policy's schema. Empty when it is right.
 */
export function policyConfigProblems(config: unknown, policies: readonly Policy[] = packPolicies): string[] {
    if (config === null || typeof config !== "object" || Array.isArray(config)) return ["expected a JSON object of policy names (and \"all\")"];
    const problems: string[] = [];
    const names = policies.map((p) => p.name);
    const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
    const checkLevel = (key: string, level: unknown): void => {
        if (typeof level !== "string" || !levels.includes(level)) problems.push(`${key} = ${show(level)}: expected one of ${levels.join(", ")}`);
    };
    for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
        const policy = policies.find((p) => p.name === name);
        if (name !== "all" && !policy) {
            problems.push(`${name}: expected a policy of the pack${suggestion(name, names)}`);
            continue;
        }
        if (typeof value === "string") {
            checkLevel(name, value);
            continue;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${name} = ${show(value)}: expected an enforcement level or an object of settings`);
            continue;
        }
        const properties = (policy?.configSchema?.properties ?? {}) as Record<string, SchemaLike>;
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
            if (key === "enforcementLevel") checkLevel(`${name}.enforcementLevel`, v);
            else if (!properties[key]) problems.push(`${name}.${key}: expected a setting of ${name === "all" ? "every policy (only enforcementLevel)" : `policy ${name}${Object.keys(properties).length > 0 ? ` (${Object.keys(properties).join(", ")})` : " (it has none)"}`}${suggestion(key, Object.keys(properties))}`);
            else {
                const expected = schemaMismatch(properties[key], v);
                if (expected) problems.push(`${name}.${key} = ${show(v)}: expected ${expected}`);
            }
        }
    }
    return problems;
}

interface SchemaLike {
    type?: string;
    items?: SchemaLike;
    minimum?: number;
    exclusiveMinimum?: number;
    enum?: unknown[];
}

/** What a value should have been under a (simple) JSON schema, or undefined when it fits. */
function schemaMismatch(schema: SchemaLike, value: unknown): string | undefined {
    switch (schema.type) {
        case "integer":
        case "number": {
            const noun = schema.type === "integer" ? "an integer" : "a number";
            if (typeof value !== "number" || (schema.type === "integer" && !Number.isInteger(value))) return noun;
            if (schema.minimum !== undefined && value < schema.minimum) return `${noun} of at least ${schema.minimum}`;
            if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `${noun} above ${schema.exclusiveMinimum}`;
            return undefined;
        }
        case "string":
            return typeof value === "string" ? undefined : "a string";
        case "boolean":
            return typeof value === "boolean" ? undefined : "true or false";
        case "array":
            if (!Array.isArray(value)) return "a list";
            return schema.items && value.some((v) => schemaMismatch(schema.items!, v) !== undefined) ? `a list of ${schema.items.type ?? "value"}s` : undefined;
        default:
            return undefined;
    }
}

function suggestion(name: string, candidates: readonly string[]): string {
    if (candidates.length === 0) return "";
    const best = closest(name, [...candidates]);
    return distance(name, best) <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean ${best}?)` : "";
}

/** A resource's options as the analyzer builds them (`getResourceOptions` in @pulumi/policy's server). */
const options = (r: JudgedResource): PolicyResourceOptions => ({
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...r.options,
    ...(r.parent !== undefined ? { parent: r.parent } : {}),
});

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** Judges resources with the pack's policies and returns every finding. */
export async function judge(resources: readonly JudgedResource[], opts: JudgeOptions = {}): Promise<Finding[]> {
    const findings: Finding[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const policy of opts.policies ?? packPolicies) {
        const level = levelOf(policy, opts.config);
        if (level === "disabled") continue;
        const enforcementLevel = level === "mandatory" ? "mandatory" : "advisory";
        const policyConfig = configFor(policy, opts.config);
        const report = (fallback: JudgedResource | undefined): ReportViolation => (message: string, urn?: string) => {
            const target = urn !== undefined ? byUrn.get(urn) : fallback;
            findings.push({ policy: policy.name, enforcementLevel, resource: target?.name ?? null, urn: urn ?? target?.urn ?? null, message });
        };
        const cannotRun = (e: Error, target: JudgedResource | undefined): void => {
            findings.push({
                policy: policy.name,
                enforcementLevel: "advisory",
                resource: target?.name ?? null,
                urn: target?.urn ?? null,
                message: `can't run policy '${policy.name}' during preview: ${e.message}`,
            });
        };
        if ("validateResource" in policy && policy.validateResource) {
            const validations = [(policy as ResourceValidationPolicy).validateResource].flat().filter((v) => v !== undefined);
            for (const resource of resources) {
                for (const validate of validations) {
                    const onlyType = pulumiTypeOf(validate);
                    if (onlyType !== undefined && onlyType !== resource.type) continue;
                    const props = unknownCheckingProxy(resource.props);
                    const args: ResourceValidationArgs = {
                        type: resource.type,
                        props,
                        urn: resource.urn,
                        name: resource.name,
                        opts: options(resource),
                        ...(resource.provider ? { provider: providerOf(resource.provider) } : {}),
                        stackTags: new Map(),
                        isType: (cls) => isTypeOf(resource.type, cls),
                        asType: ((cls: unknown) => (isTypeOf(resource.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
                        getConfig: <T extends object>() => policyConfig as T,
                        notApplicable,
                    };
                    try {
                        await validate(args, report(resource));
                    } catch (e) {
                        if (e instanceof UnknownValueError) cannotRun(e, resource);
                        else if (!(e instanceof NotApplicable)) throw new Error(`policy '${policy.name}' failed on ${resource.urn}: ${(e as Error).message}`);
                    }
                }
            }
        }
        if ("validateStack" in policy && policy.validateStack) {
            const onlyType = pulumiTypeOf(policy.validateStack);
            if (onlyType !== undefined && !resources.some((r) => r.type === onlyType)) continue;
            const args: StackValidationArgs = {
                resources: stackResources(resources),
                stackTags: new Map(),
                getConfig: <T extends object>() => policyConfig as T,
                notApplicable,
            };
            try {
                await (policy as StackValidationPolicy).validateStack(args, report(undefined));
            } catch (e) {
                if (e instanceof UnknownValueError) cannotRun(e, undefined);
                else if (!(e instanceof NotApplicable)) throw new Error(`policy '${policy.name}' failed on the stack: ${(e as Error).message}`);
            }
        }
    }
    return findings;
}

function providerOf(p: NonNullable<JudgedResource["provider"]>): PolicyProviderResource {
    return { type: p.type, name: p.name, urn: p.urn, props: unknownCheckingProxy(p.props) };
}

function stackResources(resources: readonly JudgedResource[]): PolicyResource[] {
    const out = new Map<string, PolicyResource>();
    for (const r of resources) {
        const props = unknownCheckingProxy(r.props);
        out.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: options(r),
            ...(r.provider ? { provider: providerOf(r.provider) } : {}),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        });
    }
    for (const r of resources) {
        const resource = out.get(r.urn) as PolicyResource & { parent?: PolicyResource; dependencies: PolicyResource[] };
        const parent = r.parent !== undefined ? out.get(r.parent) : undefined;
        if (parent) resource.parent = parent;
        resource.dependencies = r.dependencies.map((d) => out.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
    return [...out.values()];
}
