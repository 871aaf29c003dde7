/**
 * The text with every control character escaped (`\n`, `\t`, `\u001b`, also DEL, the C1
 * controls and the Unicode line separators): a key or value a user wrote can never start
 * a line of its own in a message, a terminal or a CI log.
 */
export function printable(text: string): string {
    return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
        const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
        return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    });
}
