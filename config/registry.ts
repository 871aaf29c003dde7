import type * as pulumi from "@pulumi/pulumi";
import type { CrossRule, DeepReadonly, SecretSetting, Setting } from "./setting";
import { clusterRules, clusterSettings } from "./settings/cluster";
import { meshRules, meshSettings } from "./settings/mesh";
import { observabilitySettings } from "./settings/observability";
import { dnsRules, dnsSettings } from "./settings/dns";
import { edgeRules, edgeSettings } from "./settings/edge";
import { edgeSecurityRules, edgeSecuritySettings } from "./settings/edge-security";
import { gatewayApiRules, gatewayApiSettings } from "./settings/gateway-api";
import { tlsRules, tlsSettings } from "./settings/tls";

/**
 * Every setting the program reads, by key. Pulumi.yaml's `config:` block and the
 * README's settings table are generated from this registry (`npm run gen`).
 */
export const registry = {
    ...clusterSettings,
    ...meshSettings,
    ...observabilitySettings,
    ...tlsSettings,
    ...dnsSettings,
    ...edgeSettings,
    ...edgeSecuritySettings,
    ...gatewayApiSettings,
};

/** Every rule across settings. */
export const crossRules: readonly CrossRule[] = [...clusterRules, ...meshRules, ...tlsRules, ...dnsRules, ...edgeRules, ...edgeSecurityRules, ...gatewayApiRules];

/** The registry's type. */
export type Registry = typeof registry;

/** A value as the program sees it: secrets stay Pulumi secrets (undefined when not set). */
export type LoadedValue<S> = S extends SecretSetting
    ? pulumi.Output<string> | undefined
    : S extends Setting<infer T>
      ? DeepReadonly<T>
      : never;

/** The validated, frozen configuration of one stack. */
export type Settings = { readonly [K in keyof Registry]: LoadedValue<Registry[K]> };

/** All settings as a list, in declaration order. */
export function allSettings(): readonly Setting<unknown>[] {
    return Object.values(registry);
}
