import * as assert from "node:assert/strict";
import type { Policy } from "@pulumi/policy";
import { judge, type JudgedResource, type PolicyConfig } from "../../offline/judge";

/**
 * The awsguard-style test helper: construct a resource's arguments, run one policy on
 * it through the same evaluation as the plan and `npm run policy`, and read the
 * violation messages.
 */

/** A resource to judge; only type and props are needed. */
export interface ResourceArgs {
    readonly type: string;
    readonly props: Record<string, unknown>;
    readonly name?: string;
    readonly provider?: JudgedResource["provider"];
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    /** Resource options as CrossGuard hands them (e.g. `{ protect: true }`). */
    readonly options?: JudgedResource["options"];
}

/** The URN `resource` gives a resource of this type and name (for dependencies). */
export function urnOf(type: string, name = "subject"): string {
    return `urn:pulumi:test::mesh-ingress::${type}::${name}`;
}

export function resource(args: ResourceArgs): JudgedResource {
    const name = args.name ?? "subject";
    return {
        urn: urnOf(args.type, name),
        type: args.type,
        name,
        props: args.props,
        ...(args.provider ? { provider: args.provider } : {}),
        ...(args.parent ? { parent: args.parent } : {}),
        dependencies: args.dependencies ?? [],
        ...(args.options ? { options: args.options } : {}),
    };
}

/** A Kubernetes provider, as resources created through the stack's provider carry. */
export const kubernetesProvider: NonNullable<JudgedResource["provider"]> = {
    urn: "urn:pulumi:test::mesh-ingress::pulumi:providers:kubernetes::kubernetes",
    type: "pulumi:providers:kubernetes",
    name: "kubernetes",
    props: {},
};

/** An AWS provider, as resources created through the stack's provider carry. */
export const awsProvider: NonNullable<JudgedResource["provider"]> = {
    urn: "urn:pulumi:test::mesh-ingress::pulumi:providers:aws::aws",
    type: "pulumi:providers:aws",
    name: "aws",
    props: {},
};

/** The messages `policy` reports for the given resources (a resource policy runs on each). */
export async function violations(policy: Policy, resources: ResourceArgs | readonly ResourceArgs[], config?: PolicyConfig): Promise<string[]> {
    const list = (Array.isArray(resources) ? resources : [resources]) as readonly ResourceArgs[];
    const findings = await judge(list.map(resource), { policies: [policy], ...(config ? { config } : {}) });
    return findings.map((f) => f.message);
}

/** Asserts that the policy reports nothing. */
export async function assertPasses(policy: Policy, resources: ResourceArgs | readonly ResourceArgs[], config?: PolicyConfig): Promise<void> {
    assert.deepEqual(await violations(policy, resources, config), []);
}

/** Asserts that the policy reports exactly `messages`. */
export async function assertViolates(policy: Policy, resources: ResourceArgs | readonly ResourceArgs[], messages: string | readonly string[], config?: PolicyConfig): Promise<void> {
    assert.deepEqual(await violations(policy, resources, config), typeof messages === "string" ? [messages] : messages);
}
