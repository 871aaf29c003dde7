import * as pulumi from "@pulumi/pulumi";
import type { Program, RecordedResource } from "../../offline/engine";
import { plain } from "../../offline/values";

/**
 * The synthetic programs the benchmark sets beside the real one (a bare baseline, a
 * replay of the plan's resources straight through the SDK), and how it watches what the
 * SDK is given and creates.
 */

/** A custom resource with no inputs: what the baseline registers. */
class Bare extends pulumi.CustomResource {
    constructor(name: string) {
        super("bench:index:Bare", name, {});
    }
}

/** A synthetic program that registers `count` bare custom resources (no inputs, no parent but the stack). */
export function bareProgram(count: number): Program {
    return () => {
        for (let i = 0; i < count; i++) new Bare(`bare-${i}`);
        return {};
    };
}

/**
 * What the SDK was given for each resource the program registered: its constructor's
 * property names (inputs and output-only properties alike: the SDK makes an output for
 * each), by `type::name`.
 */
export type PropertyNames = ReadonlyMap<string, readonly string[]>;

/** The key of a resource in {@link PropertyNames}. */
export const resourceKey = (type: string, name: string): string => `${type}::${name}`;

// SDK internals the measurement hooks into (not in the public typings): the functions every
// resource constructor calls, and the helper that wraps each of the SDK's promises.
/* eslint-disable @typescript-eslint/no-require-imports */
const sdkResource = require("@pulumi/pulumi/runtime/resource") as Record<"registerResource" | "readResource", (...args: unknown[]) => unknown>;
const sdkDebuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
/* eslint-enable @typescript-eslint/no-require-imports */

/** What {@link observeSdk} saw while `run` ran. */
export interface SdkObservation<T> {
    readonly result: T;
    /** Property names per registered or read resource. */
    readonly propertyNames: PropertyNames;
    /** Promises the SDK created through its `debuggablePromise` helper (each captures a stack trace). */
    readonly sdkPromises: number;
}

/**
 * Runs `run` while watching the SDK: the property names each resource constructor hands
 * to it, and how many promises it creates (each one captures and formats a stack trace,
 * the SDK's main per-property cost). Only for sizing runs, never around timed rounds.
 */
export async function observeSdk<T>(run: () => Promise<T>): Promise<SdkObservation<T>> {
    const names = new Map<string, string[]>();
    let promises = 0;
    const { registerResource, readResource } = sdkResource;
    const { debuggablePromise } = sdkDebuggable;
    // registerResource(res, parent, t, name, custom, remote, newDependency, props, ...); readResource(res, parent, t, name, props, ...)
    sdkResource.registerResource = function (this: unknown, ...args: unknown[]) {
        names.set(resourceKey(args[2] as string, args[3] as string), Object.keys(args[7] as object));
        return registerResource.apply(this, args);
    };
    sdkResource.readResource = function (this: unknown, ...args: unknown[]) {
        names.set(resourceKey(args[2] as string, args[3] as string), Object.keys(args[4] as object));
        return readResource.apply(this, args);
    };
    sdkDebuggable.debuggablePromise = (p, ctx) => {
        promises++;
        return debuggablePromise(p, ctx);
    };
    try {
        const result = await run();
        return { result, propertyNames: names, sdkPromises: promises };
    } finally {
        Object.assign(sdkResource, { registerResource, readResource });
        sdkDebuggable.debuggablePromise = debuggablePromise;
    }
}

/** A custom resource of any type, registered with the given properties. */
class Replayed extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

/** A component of any type. */
class ReplayedComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }
}

/**
 * The SDK's floor for a plan: a synthetic program that registers the plan's resources
 * again, straight through the SDK and without any of the program's logic: every
 * resource with its type, name, parent and kind (component or custom), the same property
 * names, and its recorded inputs as plain values (computed ones left undefined, secrets
 * unwrapped). What the program costs beyond this is its own work (settings, routing,
 * outputs and applies, stack references, invokes); what this costs beyond the bare
 * baseline is the SDK's per-resource cost for these types and inputs.
 */
export function replayProgram(resources: readonly RecordedResource[], propertyNames: PropertyNames): Program {
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Parents first, in recorded order otherwise.
    const ordered: RecordedResource[] = [];
    const placed = new Set<string>();
    const place = (r: RecordedResource): void => {
        if (placed.has(r.urn) || r === root) return;
        const parent = r.parent !== undefined ? byUrn.get(r.parent) : undefined;
        if (parent !== undefined) place(parent);
        placed.add(r.urn);
        ordered.push(r);
    };
    resources.forEach(place);
    const replays = ordered.map((r) => {
        const names = propertyNames.get(resourceKey(r.type, r.name));
        if (names === undefined) throw new Error(`no property names recorded for ${r.type} ${r.name}`);
        const inputs = plain(r.inputs, { computedAs: undefined }) as Record<string, unknown>;
        return { r, props: Object.fromEntries(names.map((k) => [k, inputs[k]])) };
    });
    return () => {
        const made = new Map<string, pulumi.Resource>();
        for (const { r, props } of replays) {
            const parent = r.parent !== undefined && r.parent !== root?.urn ? made.get(r.parent) : undefined;
            const opts = parent !== undefined ? { parent } : {};
            made.set(r.urn, r.custom ? new Replayed(r.type, r.name, props, opts) : new ReplayedComponent(r.type, r.name, opts));
        }
        return {};
    };
}
