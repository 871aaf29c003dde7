import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { acmeEnvironmentAnnotation, issuerName, type AcmeEnvironment } from "../tls/cert-manager";
import { publicPathAnnotation, type RouteGroup } from "./routing";

/** What an Ingress needs to know besides its group of paths. */
export interface IngressOptions {
    /** The ModSecurity mode of the controller. */
    readonly wafMode: "off" | "detection-only" | "blocking";
    /** The Let's Encrypt environment the stack chose: per-host certificates come from its ClusterIssuer. */
    readonly acmeEnvironment: AcmeEnvironment;
}

/** ingress-nginx's annotation prefix. */
export const nginxPrefix = "nginx.ingress.kubernetes.io";

/** The IngressClass the edge's controller serves. */
export const ingressClassName = "nginx";

/** The ConfigMap of response headers a group's Ingress names in `custom-headers` (named like the Ingress). */
export function headersConfigMapName(group: RouteGroup): string {
    return group.name;
}

/**
 * The annotations of a group's Ingress. Everything the article did with snippets is an
 * annotation of its own here: HTTPS redirect, rate limits (per controller replica),
 * the allowlist (`allowlist-source-range`, not the `whitelist-` alias), ModSecurity on or
 * off, response headers through `custom-headers` and a ConfigMap in the same namespace.
 * HSTS is set once in the controller's ConfigMap. No annotation is a snippet.
 */
export function nginxAnnotations(group: RouteGroup, options: IngressOptions): Record<string, string> {
    const a: Record<string, string> = { [`${nginxPrefix}/ssl-redirect`]: "true" };
    const p = group.profile;
    if (p?.rps !== undefined) a[`${nginxPrefix}/limit-rps`] = String(p.rps);
    if (p?.rpm !== undefined) a[`${nginxPrefix}/limit-rpm`] = String(p.rpm);
    if (p?.connections !== undefined) a[`${nginxPrefix}/limit-connections`] = String(p.connections);
    if (p?.burstMultiplier !== undefined) a[`${nginxPrefix}/limit-burst-multiplier`] = String(p.burstMultiplier);
    if (p?.allowlist !== undefined && p.allowlist.length > 0) a[`${nginxPrefix}/allowlist-source-range`] = p.allowlist.join(",");
    if (options.wafMode !== "off") a[`${nginxPrefix}/enable-modsecurity`] = p?.waf === true ? "true" : "false";
    // A path declared public under an allowlisted host says so on its object.
    if (group.public) a[publicPathAnnotation] = "true";
    if (group.responseHeaders) a[`${nginxPrefix}/custom-headers`] = `${group.namespace}/${headersConfigMapName(group)}`;
    if (group.tls.kind === "own" && group.tls.requests) {
        a["cert-manager.io/cluster-issuer"] = issuerName(options.acmeEnvironment);
        a[acmeEnvironmentAnnotation] = options.acmeEnvironment;
    }
    // The backends belong to application stacks and may not exist yet; Pulumi's Ingress
    // await would block until they have endpoints.
    a["pulumi.com/skipAwait"] = "true";
    return a;
}

/** The Ingress object of a group. */
export function ingressObject(group: RouteGroup, options: IngressOptions): Record<string, unknown> {
    const tls: Record<string, unknown> = { hosts: [group.host] };
    if (group.tls.kind !== "default") tls["secretName"] = group.tls.secretName;
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: group.name, namespace: group.namespace, annotations: nginxAnnotations(group, options) },
        spec: {
            ingressClassName,
            tls: [tls],
            rules: [
                {
                    host: group.host,
                    http: {
                        paths: group.routes.map((r) => ({
                            path: r.path,
                            pathType: r.pathType,
                            backend: { service: { name: r.service, port: { number: r.port } } },
                        })),
                    },
                },
            ],
        },
    };
}

/** Arguments of {@link NginxRoutes}. */
export interface NginxRoutesArgs extends IngressOptions {
    /** The groups of paths; each becomes one Ingress (and a header ConfigMap when it sets headers). */
    groups: readonly RouteGroup[];
    /** The controller (its admission webhook validates every Ingress, so it must be serving first). */
    controller: pulumi.Input<pulumi.Resource>;
}

/**
 * Host and path routing on the NGINX edge: one Ingress per group of paths, in the
 * backends' namespace (an Ingress can only reach Services and Secrets of its own
 * namespace), TLS on every host.
 */
export class NginxRoutes extends pulumi.ComponentResource {
    /** The Ingresses, by name. */
    public readonly ingresses: Readonly<Record<string, k8s.networking.v1.Ingress>>;

    constructor(name: string, args: NginxRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:edge:NginxRoutes", name, {}, opts);
        const ingresses: Record<string, k8s.networking.v1.Ingress> = {};
        for (const group of args.groups) {
            const dependsOn: pulumi.Input<pulumi.Resource>[] = [args.controller];
            if (group.responseHeaders) {
                dependsOn.push(
                    new k8s.core.v1.ConfigMap(
                        `${name}-${group.namespace}-${headersConfigMapName(group)}-headers`,
                        { metadata: { name: headersConfigMapName(group), namespace: group.namespace }, data: { ...group.responseHeaders } },
                        { parent: this },
                    ),
                );
            }
            ingresses[`${group.namespace}/${group.name}`] = new k8s.networking.v1.Ingress(
                `${name}-${group.namespace}-${group.name}`,
                ingressObject(group, args),
                { parent: this, dependsOn },
            );
        }
        this.ingresses = ingresses;
        this.registerOutputs({ ingresses: Object.keys(ingresses) });
    }
}
