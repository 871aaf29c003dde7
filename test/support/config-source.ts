import * as assert from "node:assert/strict";
import { loadSettings, type ConfigSource } from "../../config/load";
import { ConfigError } from "../../config/problems";
import type { Settings } from "../../config/registry";

/**
 * Configuration the way the CLI passes it to the program, for specs that load settings in
 * process (no plan): full keys in the `mesh-ingress` namespace, every value in Pulumi's
 * text form (strings as they are, anything else as JSON).
 */

/** The least a primary needs. */
export const primary: Readonly<Record<string, unknown>> = { role: "primary", clusterName: "cluster1", network: "network1", meshId: "mesh1", kubeContext: "cluster1" };

/** The least a remote needs. */
export const remote: Readonly<Record<string, unknown>> = {
    role: "remote", clusterName: "cluster2", network: "network2", kubeContext: "cluster2", primaryStack: "acme/mesh-ingress/primary",
};

/** A source of project `mesh-ingress`; keys without a namespace get it, `secretKeys` are short keys or full ones. */
export function configSource(values: Readonly<Record<string, unknown>>, secretKeys: readonly string[] = [], stack = "primary"): ConfigSource {
    const full = (k: string): string => (k.includes(":") ? k : `mesh-ingress:${k}`);
    const text = Object.fromEntries(Object.entries(values).map(([k, v]) => [full(k), typeof v === "string" ? v : JSON.stringify(v)]));
    return { project: "mesh-ingress", stack, values: text, secretKeys: new Set(secretKeys.map(full)) };
}

/** Loads the settings; fails the test with the problem lines when they are refused. */
export function load(values: Readonly<Record<string, unknown>>, secretKeys: readonly string[] = []): Settings {
    return loadSettings(configSource(values, secretKeys));
}

/** The problem lines of a configuration, in order (empty when it loads). Anything but a ConfigError fails the test. */
export function problemLines(values: Readonly<Record<string, unknown>>, secretKeys: readonly string[] = [], stack = "primary"): string[] {
    try {
        loadSettings(configSource(values, secretKeys, stack));
        return [];
    } catch (e) {
        assert.ok(ConfigError.isInstance(e), `expected a ConfigError, got ${String(e)}`);
        return e.problems.map((p) => p.line);
    }
}
