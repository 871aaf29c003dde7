import { hostSlug } from "../../config/dns-names";
import { coveringSet, type EdgeHost, type SecurityProfile } from "../../config/settings/edge";
import type { CertificateSet } from "../../config/settings/tls";
import { certificateSecretName } from "../tls/certificates";

/**
 * The edge's routing, independent of the controller that implements it: the routing
 * table (host, path, backend) and the groups of paths that share a security profile,
 * response headers, namespace and certificate. The NGINX edge turns each group into one
 * Ingress; another implementation can turn the same groups into its own objects.
 */

/** One row of the routing table. */
export interface Route {
    readonly host: string;
    readonly path: string;
    readonly pathType: "Prefix" | "Exact";
    readonly namespace: string;
    readonly service: string;
    readonly port: number;
}

/** A security profile after a path's profile is laid over its host's. */
export interface EffectiveProfile {
    /** `host`, or `host+path` when a path overrides the host's profile. */
    readonly name: string;
    readonly rps?: number;
    readonly rpm?: number;
    readonly connections?: number;
    readonly burstMultiplier?: number;
    readonly allowlist?: readonly string[];
    readonly waf?: boolean;
}

/** How a group's TLS is served. */
export type GroupTls =
    /** The controller's default certificate (the stack's set in the edge namespace). */
    | { readonly kind: "default" }
    /** A certificate set issued in the group's namespace. */
    | { readonly kind: "secret"; readonly secretName: string }
    /** A per-host certificate; `requests` is true on the one group whose object asks for it. */
    | { readonly kind: "own"; readonly secretName: string; readonly requests: boolean };

/** Paths of one host that share namespace, security profile and response headers. */
export interface RouteGroup {
    /** Name of the object(s) the group becomes (a DNS label, unique per host). */
    readonly name: string;
    readonly host: string;
    readonly namespace: string;
    readonly profile: EffectiveProfile | undefined;
    readonly responseHeaders: Readonly<Record<string, string>> | undefined;
    readonly routes: readonly Route[];
    readonly tls: GroupTls;
    /**
     * True for paths that said `public: true` under a host with an allowlist: the host's
     * allowlist is not inherited, and the objects say so (annotation {@link publicPathAnnotation}).
     */
    readonly public: boolean;
}

/** The annotation that marks the objects of paths declared public under an allowlisted host (policy/edge-security.ts reads it). */
export const publicPathAnnotation = "mesh-ingress.io/public-path";

/** Every (host, path) the edge serves, in configuration order. */
export function routingTable(hosts: readonly EdgeHost[]): Route[] {
    return hosts.flatMap((h) =>
        h.paths.map((p) => ({ host: h.host, path: p.path, pathType: p.pathType ?? "Prefix", namespace: p.namespace ?? h.namespace, service: p.service, port: p.port })),
    );
}

function definedFields(profile: SecurityProfile): Partial<SecurityProfile> {
    return Object.fromEntries(Object.entries(profile).filter(([k, v]) => k !== "name" && v !== undefined));
}

/** The profile of a path: its own profile's fields laid over its host's. */
export function effectiveProfile(profiles: readonly SecurityProfile[], hostProfile: string | undefined, pathProfile: string | undefined): EffectiveProfile | undefined {
    const find = (name: string | undefined): SecurityProfile | undefined => (name === undefined ? undefined : profiles.find((p) => p.name === name));
    const host = find(hostProfile);
    const path = find(pathProfile);
    if (!host && !path) return undefined;
    const name = host && path && host.name !== path.name ? `${host.name}+${path.name}` : (path ?? host)!.name;
    return { ...(host ? definedFields(host) : {}), ...(path ? definedFields(path) : {}), name };
}

/** A public path's profile: the inherited one without its allowlist. */
function withoutAllowlist(profile: EffectiveProfile | undefined, isPublic: boolean): EffectiveProfile | undefined {
    if (!isPublic || profile === undefined) return profile;
    return Object.fromEntries(Object.entries(profile).filter(([k]) => k !== "allowlist")) as unknown as EffectiveProfile;
}

/** Inputs of {@link routeGroups}. */
export interface RouteGroupsArgs {
    readonly hosts: readonly EdgeHost[];
    readonly profiles: readonly SecurityProfile[];
    readonly certificates: readonly CertificateSet[];
    readonly edgeNamespace: string;
}

/** The groups of paths, per host, in configuration order. */
export function routeGroups(args: RouteGroupsArgs): RouteGroup[] {
    const groups: RouteGroup[] = [];
    for (const host of args.hosts) {
        const slug = hostSlug(host.host);
        const byKey = new Map<string, { namespace: string; pathProfile: string | undefined; headers: Record<string, string> | undefined; headersKey: string; public: boolean; routes: Route[] }>();
        const headerSets: string[] = [];
        for (const path of host.paths) {
            const namespace = path.namespace ?? host.namespace;
            const headers = path.responseHeaders && Object.keys(path.responseHeaders).length > 0 ? path.responseHeaders : undefined;
            const headersKey = headers ? JSON.stringify(Object.entries(headers).sort()) : "";
            if (headers && !headerSets.includes(headersKey)) headerSets.push(headersKey);
            const pathProfile = path.profile !== host.profile ? path.profile : undefined;
            const isPublic = path.public === true;
            const key = JSON.stringify([namespace, pathProfile ?? "", headersKey, isPublic]);
            const group = byKey.get(key) ?? { namespace, pathProfile, headers, headersKey, public: isPublic, routes: [] };
            group.routes.push({ host: host.host, path: path.path, pathType: path.pathType ?? "Prefix", namespace, service: path.service, port: path.port });
            byKey.set(key, group);
        }
        let first = true;
        for (const g of byKey.values()) {
            const parts = [slug];
            if (g.namespace !== host.namespace) parts.push(g.namespace);
            if (g.pathProfile !== undefined) parts.push(g.pathProfile);
            if (g.public) parts.push("public");
            if (g.headers) {
                const n = headerSets.indexOf(g.headersKey) + 1;
                parts.push(n === 1 ? "headers" : `headers${n}`);
            }
            let tls: GroupTls;
            if (host.certificate === "own") {
                tls = { kind: "own", secretName: certificateSecretName(slug), requests: first };
            } else {
                const set = coveringSet(args.certificates, args.edgeNamespace, host.host, g.namespace);
                tls = set && set.namespace !== undefined && set.namespace !== args.edgeNamespace ? { kind: "secret", secretName: certificateSecretName(set.name) } : { kind: "default" };
            }
            groups.push({
                name: parts.join("-"),
                host: host.host,
                namespace: g.namespace,
                profile: withoutAllowlist(effectiveProfile(args.profiles, host.profile, g.pathProfile ?? host.profile), g.public),
                responseHeaders: g.headers,
                routes: g.routes,
                tls,
                public: g.public,
            });
            first = false;
        }
    }
    return groups;
}

/** The response header names any group sets (the controller must allow each of them). */
export function responseHeaderNames(groups: readonly RouteGroup[]): string[] {
    return [...new Set(groups.flatMap((g) => Object.keys(g.responseHeaders ?? {})))].sort();
}
