import * as pulumi from "@pulumi/pulumi";

/** What one stack of the mesh exported, read through a stack reference. */
export interface ReferencedStack {
    /** The fully qualified name of the referenced stack. */
    readonly name: string;
    /** The stack reference resource. */
    readonly reference: pulumi.StackReference;
    /** The outputs it was expected to export and does not (all of them when it was never deployed). */
    readonly missing: readonly string[];
    /**
     * A plain (not secret) output's value, known while the program runs. Throws when the
     * stack exported it as a secret: such a value must stay an Output.
     */
    plain<T>(output: string): T;
    /** Whether the other stack exported the output as a secret. */
    isSecret(output: string): boolean;
    /** An output as a Pulumi secret, whether or not the other stack marked it secret. */
    secret<T>(output: string): pulumi.Output<T>;
}

/**
 * Reads another stack of the mesh. `expected` names every output this stack needs: they
 * are looked up once with secret-awareness (`getOutputDetails`), so the caller can tell a
 * stack that was never deployed (every output missing) from one that is out of date.
 */
export async function readStack(
    resourceName: string,
    stackName: string,
    expected: readonly string[],
    opts?: pulumi.CustomResourceOptions,
): Promise<ReferencedStack> {
    const reference = new pulumi.StackReference(resourceName, { name: stackName }, opts);
    const details = new Map<string, pulumi.StackReferenceOutputDetails>();
    for (const output of expected) details.set(output, await reference.getOutputDetails(output));
    const missing = expected.filter((o) => {
        const d = details.get(o);
        return d === undefined || (d.value === undefined && d.secretValue === undefined);
    });
    return {
        name: stackName,
        reference,
        missing,
        plain<T>(output: string): T {
            const d = details.get(output);
            if (d === undefined) throw new Error(`output '${output}' of ${stackName} was not declared as expected`);
            if (d.secretValue !== undefined) {
                throw new pulumi.RunError(`Stack '${stackName}' exports '${output}' as a secret, but this program reads it as a plain value.`);
            }
            return d.value as T;
        },
        isSecret(output: string): boolean {
            return details.get(output)?.secretValue !== undefined;
        },
        secret<T>(output: string): pulumi.Output<T> {
            return pulumi.secret(reference.requireOutput(output)) as pulumi.Output<T>;
        },
    };
}
