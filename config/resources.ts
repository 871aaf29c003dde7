import { invalid } from "./problems";
import { setting, type CrossRule, type Problem, type Setting, type SettingArea } from "./setting";
import { bytes, cpuQuantity, memoryQuantity, millicores } from "./validators";

/**
 * A container's requests and limits as four flat settings, `<prefix>CpuRequest`,
 * `<prefix>MemoryRequest`, `<prefix>CpuLimit` and `<prefix>MemoryLimit`: each typed in
 * Pulumi.yaml, and the same names for every workload the program sizes.
 */
export type ResourceKey<P extends string> = `${P}CpuRequest` | `${P}MemoryRequest` | `${P}CpuLimit` | `${P}MemoryLimit`;

/** Defaults of the four settings. */
export interface ResourceDefaults {
    readonly cpuRequest: string;
    readonly memoryRequest: string;
    readonly cpuLimit: string;
    readonly memoryLimit: string;
}

/** Declares the four settings of `whose` (e.g. "each istiod pod") under `prefix`. */
export function containerResourceSettings<P extends string>(prefix: P, area: SettingArea, whose: string, defaults: ResourceDefaults): { [K in ResourceKey<P>]: Setting<string> } {
    const quantity = (suffix: "CpuRequest" | "MemoryRequest" | "CpuLimit" | "MemoryLimit", what: string, value: string): Setting<string> =>
        setting<string>({
            key: `${prefix}${suffix}`,
            area,
            type: "string",
            default: value,
            description: `${what} of ${whose}.${suffix.endsWith("Request") ? " At most the matching limit." : ""}`,
            schema: suffix.startsWith("Cpu") ? cpuQuantity : memoryQuantity,
        });
    return {
        [`${prefix}CpuRequest`]: quantity("CpuRequest", "CPU request", defaults.cpuRequest),
        [`${prefix}MemoryRequest`]: quantity("MemoryRequest", "Memory request", defaults.memoryRequest),
        [`${prefix}CpuLimit`]: quantity("CpuLimit", "CPU limit", defaults.cpuLimit),
        [`${prefix}MemoryLimit`]: quantity("MemoryLimit", "Memory limit", defaults.memoryLimit),
    } as { [K in ResourceKey<P>]: Setting<string> };
}

/** Requests may not exceed limits (Kubernetes rejects such a pod). */
export function requestsWithinLimits(prefix: string): CrossRule {
    const keys = { cpuRequest: `${prefix}CpuRequest`, cpuLimit: `${prefix}CpuLimit`, memoryRequest: `${prefix}MemoryRequest`, memoryLimit: `${prefix}MemoryLimit` };
    return {
        keys: Object.values(keys),
        check: (v) => {
            const problems: Problem[] = [];
            const [cpuRequest, cpuLimit, memoryRequest, memoryLimit] = [v[keys.cpuRequest], v[keys.cpuLimit], v[keys.memoryRequest], v[keys.memoryLimit]] as string[];
            if (millicores(cpuRequest!) > millicores(cpuLimit!)) {
                problems.push(invalid(keys.cpuRequest, cpuRequest, `expected at most the limit ${keys.cpuLimit} (${cpuLimit!})`));
            }
            if (bytes(memoryRequest!) > bytes(memoryLimit!)) {
                problems.push(invalid(keys.memoryRequest, memoryRequest, `expected at most the limit ${keys.memoryLimit} (${memoryLimit!})`));
            }
            return problems;
        },
    };
}
