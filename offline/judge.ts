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

/** Per-policy configuration, as `--policy-pack-config` gives it. */
export type PolicyConfig = Readonly<Record<string, Readonly<Record<string, unknown>> & { enforcementLevel?: EnforcementLevel }>>;

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

function configFor(policy: Policy, config: PolicyConfig | undefined): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        const d = (schema as { default?: unknown }).default;
        if (d !== undefined) defaults[key] = d;
    }
    const given: Record<string, unknown> = { ...(config?.[policy.name] ?? {}) };
    delete given["enforcementLevel"];
    return { ...defaults, ...given };
}

function levelOf(policy: Policy, config: PolicyConfig | undefined): EnforcementLevel {
    const level = config?.[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
    return level === "remediate" ? "mandatory" : level;
}

const options = (parent: string | undefined): PolicyResourceOptions => ({
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parent !== undefined ? { parent } : {}),
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
                        opts: options(resource.parent),
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
            opts: options(r.parent),
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
