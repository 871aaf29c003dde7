/**
 * The plaintexts of a stack's secret configuration values, and how messages hide them.
 *
 * Pulumi tells a program only which keys are secret (`PULUMI_CONFIG_SECRET_KEYS`), never
 * which part of a structured value was `secure:`; so every leaf of a secret key counts as
 * secret. The program uses these texts to keep such values secret in every resource and
 * output (stacks/config-secrets.ts) and to print `[secret]` instead of them.
 */

/** How a hidden value is printed. */
export const secretShown = "[secret]";

/**
 * Texts shorter than this are secret only as a whole value: a value that merely contains
 * "80" or "api" is not made secret, nor is "80" cut out of a message.
 */
export const shortestContainedSecret = 4;

/**
 * The value the offline plan gives an encrypted value it cannot decrypt (the Pulumi CLI
 * decrypts it with the stack's key). Settings treat it as valid but unknown.
 */
export function placeholderFor(fullKey: string): string {
    return `offline-placeholder-for-${fullKey.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/**
 * The plaintexts of the secret keys among `values` (full keys to Pulumi's text form): a
 * scalar's text; a structured value's text and every scalar leaf. Longest first, without
 * duplicates or empty strings.
 */
export function secretTexts(values: Readonly<Record<string, string>>, secretKeys: Iterable<string>): string[] {
    const texts = new Set<string>();
    for (const key of secretKeys) {
        const raw = values[key];
        if (raw === undefined || raw === "") continue;
        texts.add(raw);
        for (const leaf of leavesOf(parseJson(raw))) texts.add(leaf);
    }
    return [...texts].filter((t) => t !== "").sort((a, b) => b.length - a.length || a.localeCompare(b));
}

function parseJson(raw: string): unknown {
    if (!/^\s*[[{]/.test(raw)) return undefined;
    try {
        return JSON.parse(raw) as unknown;
    } catch {
        return undefined;
    }
}

function leavesOf(value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.flatMap(leavesOf);
    if (typeof value === "object") return Object.values(value).flatMap(leavesOf);
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? [String(value)] : [];
}

/**
 * The text with every secret in it replaced by `[secret]`, also as it appears quoted in
 * JSON. Texts shorter than {@link shortestContainedSecret} are left alone (messages show
 * such values through `show(value, true)` instead).
 */
export function hideSecrets(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const secret of secrets) {
        if (secret.length < shortestContainedSecret) continue;
        const quoted = JSON.stringify(secret).slice(1, -1);
        out = out.split(secret).join(secretShown);
        if (quoted !== secret) out = out.split(quoted).join(secretShown);
    }
    return out;
}

/** True when a scalar holds a secret: equal to one, or (a string) containing a long enough one. */
export function holdsSecret(value: string | number | boolean, secrets: readonly string[]): boolean {
    const text = String(value);
    return secrets.some((s) => text === s || (typeof value === "string" && s.length >= shortestContainedSecret && text.includes(s)));
}
