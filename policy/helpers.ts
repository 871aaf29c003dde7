/**
 * Small readers shared by the policies. They read the plain JSON CrossGuard gives a
 * policy (a resource's inputs), never the program's own code.
 */

/** The value at a dotted path inside an object, or undefined. */
export function at(value: unknown, path: string): unknown {
    let current = value;
    for (const part of path.split(".")) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[part];
    }
    return current;
}

/** The type tokens of resources that are not deployed through a provider of their own package. */
export function isBuiltin(type: string): boolean {
    return type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:StackReference" || type === "pulumi:pulumi:Stack";
}

/**
 * The program's own component resources (type `mesh-ingress:<concern>:<Name>`): they have
 * no provider of their own; their children name the stack's providers.
 */
export function isComponent(type: string): boolean {
    return type.startsWith("mesh-ingress:");
}
