/**
 * Pure rules about DNS names that the TLS, DNS and edge settings and components share:
 * which names a hosted zone contains, which names a certificate covers, and which ACME
 * DNS-01 challenge record an identifier uses.
 */

/** True when `name` is `zone` itself or a name below it (`api.example.com` in `example.com`). */
export function isInZone(name: string, zone: string): boolean {
    const bare = name.startsWith("*.") ? name.slice(2) : name;
    return bare === zone || bare.endsWith(`.${zone}`);
}

/**
 * True when a certificate for `identifier` is valid for `host`: the same name, or a
 * wildcard one level up (`*.example.com` covers `api.example.com`, not `example.com` and
 * not `a.b.example.com`, as RFC 6125 matching does).
 */
export function covers(identifier: string, host: string): boolean {
    if (identifier === host) return true;
    if (!identifier.startsWith("*.")) return false;
    const dot = host.indexOf(".");
    return dot > 0 && host.slice(dot + 1) === identifier.slice(2);
}

/** True when some identifier of the set covers `host`. */
export function setCovers(dnsNames: readonly string[], host: string): boolean {
    return dnsNames.some((identifier) => covers(identifier, host));
}

/**
 * The TXT record a DNS-01 challenge for `identifier` writes, normalized as Route53's IAM
 * condition key `route53:ChangeResourceRecordSetsNormalizedRecordNames` compares it
 * (lower case, no trailing dot): `*.example.com` and `example.com` both use
 * `_acme-challenge.example.com`.
 */
export function challengeRecordName(identifier: string): string {
    const bare = identifier.startsWith("*.") ? identifier.slice(2) : identifier;
    return `_acme-challenge.${bare.toLowerCase()}`;
}

/** The distinct challenge records of a set of identifiers, sorted. */
export function challengeRecordNames(dnsNames: readonly string[]): string[] {
    return [...new Set(dnsNames.map(challengeRecordName))].sort();
}

/**
 * The challenge records two identifier sets both write. Two sets that share one compete
 * for the same `_acme-challenge` TXT record when issued in different clusters
 * (cert-manager#6229), so each such record belongs to exactly one stack of the mesh.
 */
export function sharedChallenges(a: readonly string[], b: readonly string[]): string[] {
    const theirs = new Set(challengeRecordNames(b));
    return challengeRecordNames(a).filter((name) => theirs.has(name));
}

/** A host as a DNS label for object names: `api.example.com` becomes `api-example-com`. */
export function hostSlug(host: string): string {
    return host.replace(/^\*\./, "wildcard.").replace(/\./g, "-").slice(0, 50).replace(/-+$/, "");
}
