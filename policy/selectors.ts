import { arrayAt, isRecord, stringAt } from "./helpers";

/** A label selector, as PodDisruptionBudgets and Deployments carry it. */
export interface PodSelector {
    readonly matchLabels?: Record<string, string>;
    readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/**
 * Kubernetes label selectors (`matchLabels` and `matchExpressions`), as PodDisruptionBudgets
 * and workloads carry them, and the questions the policies ask of them.
 */

/** Reads a selector object (`spec.selector` of a PDB); undefined when it has neither field. */
export function selectorOf(value: unknown): PodSelector | undefined {
    if (!isRecord(value)) return undefined;
    const matchLabels: Record<string, string> = {};
    if (isRecord(value["matchLabels"])) {
        for (const [k, v] of Object.entries(value["matchLabels"])) if (typeof v === "string") matchLabels[k] = v;
    }
    const matchExpressions = arrayAt(value, "matchExpressions").filter(isRecord).map((e) => ({
        key: stringAt(e, "key") ?? "",
        operator: stringAt(e, "operator") ?? "",
        values: arrayAt(e, "values").filter((v): v is string => typeof v === "string"),
    }));
    return { matchLabels, matchExpressions };
}

/** True when a pod with `labels` is selected. An empty selector selects every pod (policy/v1 PDB). */
export function selects(selector: PodSelector, labels: Readonly<Record<string, string>>): boolean {
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[k] !== v) return false;
    }
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const value = labels[e.key];
        const values = e.values ?? [];
        switch (e.operator) {
            case "In":
                if (!has || !values.includes(value ?? "")) return false;
                break;
            case "NotIn":
                if (has && values.includes(value ?? "")) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/**
 * True when every pod `narrow` selects is also selected by `broad`, judged on
 * `matchLabels` alone (selectors with expressions are only compared against known pods).
 */
export function labelsImply(narrow: PodSelector, broad: PodSelector): boolean {
    if ((narrow.matchExpressions ?? []).length > 0 || (broad.matchExpressions ?? []).length > 0) return false;
    return selects(broad, narrow.matchLabels ?? {});
}

/** `k=v,k=v` for messages. */
export function describeSelector(selector: PodSelector): string {
    const parts = Object.entries(selector.matchLabels ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`);
    for (const e of selector.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values && e.values.length > 0 ? ` (${e.values.join(",")})` : ""}`);
    return parts.length > 0 ? parts.join(",") : "(every pod)";
}
