/**
 * DNS names as TLS sees them: a wildcard `*.example.com` covers exactly one more label
 * (`api.example.com`, not `example.com` nor `a.b.example.com`), and names compare
 * case-insensitively without a trailing dot.
 */

/** The name lowercased, without a trailing dot. */
export function normalHost(name: string): string {
    return name.trim().toLowerCase().replace(/\.$/, "");
}

/** True when a certificate name (exact or `*.` wildcard) covers the host. */
export function nameCovers(certName: string, host: string): boolean {
    const c = normalHost(certName);
    const h = normalHost(host);
    if (c === h) return true;
    if (!c.startsWith("*.")) return false;
    const suffix = c.slice(1); // ".example.com"
    return h.endsWith(suffix) && !h.slice(0, -suffix.length).includes(".") && h.length > suffix.length;
}

/** True when any of the names covers the host. */
export function covered(host: string, names: readonly string[]): boolean {
    return names.some((n) => nameCovers(n, host));
}

/** True for a wildcard identifier. */
export function isWildcard(name: string): boolean {
    return normalHost(name).startsWith("*.");
}

/** The identifier set of a certificate, as Let's Encrypt counts it: lowercased, unique, sorted. */
export function identifierSet(names: readonly string[]): string[] {
    return [...new Set(names.map(normalHost).filter((n) => n.length > 0))].sort();
}
