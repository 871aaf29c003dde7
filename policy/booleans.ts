/**
 * Booleans as the tools that read them decide, not as YAML spells them. A policy that
 * accepted only `"false"` would miss a switch the controller reads as off from `"0"` or
 * `"False"`.
 */

/**
 * Go's `strconv.ParseBool`: `1 t T TRUE true True` and `0 f F FALSE false False`;
 * anything else is no boolean (undefined). ingress-nginx reads boolean Ingress annotations
 * this way (`parser.GetBoolAnnotation`, controller v1.15.1); a value it cannot parse
 * leaves the default.
 */
export function parseBool(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") return undefined;
    if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
    return undefined;
}

/**
 * A key of the ingress-nginx ConfigMap (`controller.config` in the chart's values): decoded
 * by mapstructure with `WeaklyTypedInput` (controller v1.15.1, `template/configmap.go`),
 * which is {@link parseBool} and reads the empty string as false.
 */
export function configMapBool(value: unknown): boolean | undefined {
    return value === "" ? false : parseBool(value);
}

/**
 * Whether a Helm template's `{{ if .Values.x }}` takes its branch: Go templates' truth,
 * where false, 0, nil and empty strings, lists and maps are false, and everything else
 * true (the string "false" included).
 */
export function helmTruthy(value: unknown): boolean {
    if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "object") return Object.keys(value).length > 0;
    return true;
}
