import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/problems";
import { hideSecrets, holdsSecret } from "../config/secret-texts";

/**
 * Keeps every `secure:` configuration value secret wherever it flows, declared secret or
 * not. Settings reach the components as plain values (names, hosts, annotations), so a
 * value set with `pulumi config set --secret` on a setting that is not declared secret
 * would otherwise land in clear in resource inputs and stack outputs. Pulumi tells the
 * program only which keys are secret (config/secret-texts.ts); this module marks as a
 * Pulumi secret every scalar input or output that holds such a key's text (equal to it,
 * or containing it when it is at least 4 characters long), and hides the texts in the
 * errors the program raises.
 *
 * Declared secrets (`secretSetting`) are Pulumi secrets from the start and stay so by
 * Output propagation; this is the net under the rest.
 */

/**
 * The value with every scalar that holds one of `secrets` wrapped in `pulumi.secret`,
 * looking inside Outputs and Promises (their resolved value is marked the same way). A
 * value without any is returned as it is.
 */
export function markSecrets(value: unknown, secrets: readonly string[]): unknown {
    if (secrets.length === 0) return value;
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        const resolved = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
        return resolved.apply((inner) => markSecrets(inner, secrets));
    }
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return holdsSecret(value, secrets) ? pulumi.secret(value) : value;
    }
    if (Array.isArray(value)) return value.map((v) => markSecrets(v, secrets));
    if (value !== null && typeof value === "object" && isPlainObject(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markSecrets(v, secrets)]));
    }
    return value;
}

function isPlainObject(value: object): boolean {
    const proto = Object.getPrototypeOf(value) as unknown;
    return proto === Object.prototype || proto === null;
}

/**
 * Registers {@link markSecrets} for every resource the stack creates from now on
 * (providers included), when the stack has secret values. It uses the SDK-side stack
 * transformation (`registerStackTransformation`): it runs in the program, on the inputs
 * as the program builds them, the same under the Pulumi CLI and the offline plan's mocks
 * (the newer `registerResourceTransform` runs in the engine, which the mocks do not do).
 */
export function keepConfigSecrets(secrets: readonly string[]): void {
    if (secrets.length === 0) return;
    pulumi.runtime.registerStackTransformation((args) => ({ props: markSecrets(args.props, secrets) as pulumi.Inputs, opts: args.opts }));
}

/** The error with every secret text in its message (and a ConfigError's lines) replaced by `[secret]`. */
export function withSecretsHidden(error: unknown, secrets: readonly string[]): unknown {
    if (secrets.length === 0 || !(error instanceof Error)) return error;
    if (ConfigError.isInstance(error)) {
        return new ConfigError(
            error.problems.map((p) => ({ ...p, line: hideSecrets(p.line, secrets) })),
            pulumi.getStack(),
        );
    }
    const { name, message } = error;
    const shown = hideSecrets(message, secrets);
    if (shown === message) return error;
    if (pulumi.RunError.isInstance(error)) return new pulumi.RunError(shown);
    const hidden = new Error(shown);
    hidden.name = name;
    return hidden;
}
