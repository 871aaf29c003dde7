import type { ResourceValidationPolicy } from "@pulumi/policy";
import { addressSet, canonicalProblem, openToEveryone } from "./addresses";
import { admissionWebhookServiceTypes, chartName, releaseType, stringMap, valuesOf } from "./charts";
import { configMapBool, helmTruthy, parseBool } from "./booleans";
import { arrayAt, at, forTypes, isRecord, listed, numberOf, objectName, recordAt, stringAt, type Json } from "./helpers";
import { covered } from "./hosts";
import { ingressType } from "./tls";

/**
 * Edge rules for ingress-nginx: TLS on every host, HTTPS redirects, no snippets, sane
 * allowlists and rate limits, a hardened controller, and the project's retirement.
 * Facts: kubernetes/ingress-nginx docs (annotations, annotations-risk, ConfigMap),
 * chart 4.12 to 4.15 values, CVE-2021-25742 and CVE-2025-1974, the Kubernetes blog's
 * 2025-11-11 retirement notice.
 */

const prefix = "nginx.ingress.kubernetes.io/";

function annotationsOf(props: Json): Record<string, string> {
    return stringMap(at(props, "metadata.annotations"));
}

/** The ingress-nginx release's values, or undefined for any other resource. */
function controllerValues(type: string, props: Json): Json | undefined {
    return type === releaseType && chartName(props) === "ingress-nginx" ? valuesOf(props) : undefined;
}

/**
 * Every host an Ingress routes is served under TLS: each rule names a host, and each host
 * is covered by a `tls` entry (exactly or by a one-label wildcard). Which certificate
 * serves it (the Secret a `tls` entry names, or else the controller's default certificate)
 * is the stack policy `ingress-tls-hosts-certified`'s check.
 */
export const ingressTlsEveryHost: ResourceValidationPolicy = {
    name: "ingress-tls-every-host",
    description: "Every host of an Ingress is listed in a tls entry (whose certificate ingress-tls-hosts-certified checks).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([ingressType], (props, args, report) => {
        const name = objectName(props, args.name);
        const tls = arrayAt(props, "spec.tls").filter(isRecord);
        const tlsHosts = tls.flatMap((t) => arrayAt(t, "hosts").filter((h): h is string => typeof h === "string"));
        const rules = arrayAt(props, "spec.rules").filter(isRecord);
        rules.forEach((rule, i) => {
            const host = stringAt(rule, "host");
            if (!host) report(`Ingress '${name}' rule ${i + 1} has no host, so it answers any name without a certificate for it; name the host and cover it in spec.tls.`);
            else if (!covered(host, tlsHosts)) report(`Ingress '${name}' serves ${host} without TLS; add it to a spec.tls entry with the Secret of a certificate for it.`);
        });
    }),
};

/**
 * HTTPS redirects are not switched off: with TLS configured ingress-nginx redirects HTTP
 * to HTTPS unless `ssl-redirect` is "false" on the Ingress or in the controller ConfigMap
 * (the article sets it to "true" explicitly; turning it off serves the site in clear).
 */
export const ingressHttpsRedirect: ResourceValidationPolicy = {
    name: "ingress-https-redirect",
    description: "HTTP to HTTPS redirects are not disabled, on an Ingress or in the ingress-nginx controller's ConfigMap.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([ingressType, releaseType], (props, args, report) => {
        if (args.type === ingressType) {
            const value = annotationsOf(props)[`${prefix}ssl-redirect`];
            if (parseBool(value) === false) report(`Ingress '${objectName(props, args.name)}' sets ${prefix}ssl-redirect: "false", serving its hosts over plain HTTP; remove the annotation (the redirect is on by default with TLS).`);
            return;
        }
        const values = controllerValues(args.type, props);
        if (values && configMapBool(at(values, "controller.config.ssl-redirect")) === false) {
            report(`Helm release '${args.name}' (chart ingress-nginx) sets controller.config.ssl-redirect: "false", turning HTTPS redirects off for every Ingress; remove it.`);
        }
    }),
};

/**
 * No snippet annotations (`server-snippet`, `configuration-snippet`, `modsecurity-snippet`,
 * `auth-snippet`, `stream-snippet`): they inject raw NGINX configuration, are rated
 * Critical by ingress-nginx, and were the way in for CVE-2021-25742 (reading every Secret
 * the controller can). The article uses them for HSTS, per-path limits, caching and WAF
 * rules; HSTS belongs in the controller ConfigMap, limits in `limit-*` annotations.
 */
export const noSnippetAnnotations: ResourceValidationPolicy = {
    name: "no-snippet-annotations",
    description: "No Ingress annotation whose name contains 'snippet'.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([ingressType], (props, args, report) => {
        const snippets = Object.keys(annotationsOf(props))
            .filter((k) => k.toLowerCase().includes("snippet"))
            .sort();
        if (snippets.length > 0) {
            report(
                `Ingress '${objectName(props, args.name)}' uses ${listed(snippets)}; snippet annotations inject raw NGINX configuration (risk Critical, CVE-2021-25742): remove them and use the controller ConfigMap (hsts, custom-headers) or limit-* annotations instead.`,
            );
        }
    }),
};

const allowlistKeys = ["allowlist-source-range", "whitelist-source-range"];
const limitAllowlistKeys = ["limit-allowlist", "limit-whitelist"];

/**
 * The deprecated annotation names are flagged: `allowlist-source-range` and
 * `limit-allowlist` are current, `whitelist-source-range` and `limit-whitelist` survive
 * only as aliases. (The controller ConfigMap's key is still `whitelist-source-range`: it
 * has no other name and is not flagged.)
 */
export const allowlistAnnotationName: ResourceValidationPolicy = {
    name: "allowlist-annotation-name",
    description: "Ingress allowlists use the allowlist-source-range and limit-allowlist annotations, not their deprecated whitelist aliases.",
    enforcementLevel: "advisory",
    validateResource: forTypes([ingressType], (props, args, report) => {
        const annotations = annotationsOf(props);
        for (const [old, current] of [
            ["whitelist-source-range", "allowlist-source-range"],
            ["limit-whitelist", "limit-allowlist"],
        ] as const) {
            if (`${prefix}${old}` in annotations) report(`Ingress '${objectName(props, args.name)}' uses the deprecated ${prefix}${old}; rename it to ${prefix}${current}.`);
        }
    }),
};

/**
 * How a comma-separated CIDR list reads as a set of addresses (policy/addresses.ts): what
 * makes it open to everyone (blocks that together cover all of IPv4 or IPv6), the entries
 * that are no address, and those written ambiguously (`010.0.0.0/8`, host bits).
 */
function readAllowlist(list: string): { open: string | undefined; invalid: string[]; ambiguous: { entry: string; problem: string }[] } {
    const entries = list.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    const set = addressSet(entries);
    const ambiguous = entries.flatMap((entry) => {
        if (set.unreadable.includes(entry)) return [];
        const problem = canonicalProblem(entry.includes("/") ? entry : `${entry}/${entry.includes(":") ? 128 : 32}`);
        return problem === undefined ? [] : [{ entry, problem }];
    });
    return { open: openToEveryone(entries.filter((e) => !set.unreadable.includes(e))), invalid: [...set.unreadable], ambiguous };
}

/**
 * No allowlist admits everyone: its blocks, however they are cut (`0.0.0.0/1` and
 * `128.0.0.0/1`), never cover all of IPv4 or of IPv6; an allowlist that admits every
 * address looks like a restriction in review and restricts nothing, and in
 * `limit-allowlist` it exempts every client from the rate limits. Entries that are not
 * addresses are rejected (ingress-nginx drops the whole annotation on a parse error), and
 * so are ambiguous spellings (`010.0.0.0/8` is 8.0.0.0/8 or 10.0.0.0/8 depending on the parser).
 */
export const noOpenAllowlist: ResourceValidationPolicy = {
    name: "no-open-allowlist",
    description: "No source-range allowlist (allowlist-source-range, limit-allowlist, or their old names) covers all of IPv4 or IPv6, holds a non-address, or spells a block ambiguously.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([ingressType, releaseType], (props, args, report) => {
        const check = (where: string, key: string, value: string): void => {
            const { open, invalid, ambiguous } = readAllowlist(value);
            const rateLimit = limitAllowlistKeys.includes(key);
            if (open !== undefined) {
                report(
                    `${where} ${rateLimit ? "exempts" : "allows"} everyone in ${key}: ${open}; ${rateLimit ? "list only the trusted sources that may exceed the rate limits" : "list the networks that should reach it, or drop the allowlist if the host is public"}.`,
                );
            }
            if (invalid.length > 0) report(`${where} has ${listed(invalid.map((s) => `'${s}'`))} in ${key}, which is not an IP address or CIDR; fix the entry (the controller rejects the whole list).`);
            for (const a of ambiguous) report(`${where} has '${a.entry}' in ${key}: ${a.problem}.`);
        };
        if (args.type === ingressType) {
            const annotations = annotationsOf(props);
            for (const key of [...allowlistKeys, ...limitAllowlistKeys]) {
                const value = annotations[`${prefix}${key}`];
                if (value !== undefined) check(`Ingress '${objectName(props, args.name)}'`, key, value);
            }
            return;
        }
        // The ConfigMap's global allowlist keeps its old name: whitelist-source-range.
        const value = recordAt(controllerValues(args.type, props), "controller.config")["whitelist-source-range"];
        if (typeof value === "string") check(`Helm release '${args.name}' (chart ingress-nginx) controller.config`, "whitelist-source-range", value);
    }),
};

/** Annotations from the article that ingress-nginx does not know (it ignores them). */
const unknownRateAnnotations = ["rate-limit", "rate-limit-window", "rate-limit-rps", "rate-limit-connections"];

/**
 * Every public host has a request rate limit (`limit-rps` or `limit-rpm`, per client IP):
 * the article's protection against floods. An Ingress restricted by an allowlist is not
 * public. The article's `rate-limit*` annotations are not ingress-nginx's and do nothing.
 * Limits are per controller replica, so the effective limit grows with the HPA; a limit
 * above `maxRps` per client protects nothing.
 */
export const publicHostsRateLimited: ResourceValidationPolicy = {
    name: "public-hosts-rate-limited",
    description: "Every Ingress serving public hosts sets a per-client request rate limit (limit-rps or limit-rpm) no higher than the configured ceiling.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxRps: { type: "number", exclusiveMinimum: 0, default: 100, description: "Highest per-client requests per second (per controller replica) that still counts as a limit; limit-rpm counts as rpm/60." },
        },
    },
    validateResource: forTypes([ingressType], (props, args, report) => {
        const annotations = annotationsOf(props);
        const restricted = allowlistKeys.some((k) => {
            const value = annotations[`${prefix}${k}`];
            return value !== undefined && value.trim().length > 0 && readAllowlist(value).open === undefined;
        });
        if (restricted) return;
        const hosts = arrayAt(props, "spec.rules").map((r) => stringAt(r, "host") ?? "*");
        if (hosts.length === 0) return;
        const { maxRps } = args.getConfig<{ maxRps: number }>();
        const name = objectName(props, args.name);
        const rps = numberOf(annotations[`${prefix}limit-rps`]);
        const rpm = numberOf(annotations[`${prefix}limit-rpm`]);
        const limits = [rps, rpm === undefined ? undefined : rpm / 60].filter((n): n is number => n !== undefined && n > 0);
        if (limits.length === 0) {
            const ignored = unknownRateAnnotations.filter((k) => `${prefix}${k}` in annotations);
            report(
                `Ingress '${name}' serves public hosts ${listed([...new Set(hosts)])} without a request rate limit; set ${prefix}limit-rps (or limit-rpm), counted per client IP and per controller replica${ignored.length > 0 ? ` (${listed(ignored.map((k) => prefix + k))} ${ignored.length > 1 ? "are not ingress-nginx annotations and do" : "is not an ingress-nginx annotation and does"} nothing)` : ""}.`,
            );
            return;
        }
        const effective = Math.min(...limits);
        if (effective > maxRps) {
            report(`Ingress '${name}' allows ${effective} requests per second per client on ${listed([...new Set(hosts)])}, above the ${maxRps} the pack accepts as a limit; lower ${prefix}limit-rps (or limit-rpm).`);
        }
    }),
};

/**
 * The ingress-nginx controller stays hardened through its chart values: snippet
 * annotations off (`controller.allowSnippetAnnotations`, never also in
 * `controller.config`, where the ConfigMap would get the key twice), the annotation risk
 * level below Critical, HSTS on with a max-age of at least the configured floor (by default
 * the controller's own default, 31536000 s, one year, since controller v1.9.5:
 * internal/ingress/controller/config/config.go), and the admission webhook never exposed outside
 * the cluster (CVE-2025-1974).
 */
/** ingress-nginx's hsts-max-age when the ConfigMap does not set it (controller v1.9.5 and later). */
const controllerHstsMaxAge = 31536000;

export const edgeControllerHardened: ResourceValidationPolicy = {
    name: "edge-controller-hardened",
    description: "ingress-nginx values keep snippet annotations disallowed, the risk level below Critical, HSTS on, and the admission webhook internal.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minHstsMaxAge: { type: "integer", minimum: 0, default: 31536000, description: "Lowest accepted hsts-max-age in seconds (the controller's own default: 31536000, one year)." },
        },
    },
    validateResource: forTypes([releaseType], (props, args, report) => {
        const values = controllerValues(args.type, props);
        if (!values) return;
        const { minHstsMaxAge } = args.getConfig<{ minHstsMaxAge: number }>();
        const name = `Helm release '${args.name}' (chart ingress-nginx)`;
        const config = recordAt(values, "controller.config");
        // The chart writes allow-snippet-annotations: "true" under {{ if .Values.controller.allowSnippetAnnotations }}.
        if (helmTruthy(at(values, "controller.allowSnippetAnnotations"))) {
            report(`${name} sets controller.allowSnippetAnnotations: true; leave it false (snippet annotations are rated Critical, CVE-2021-25742).`);
        }
        if ("allow-snippet-annotations" in config) {
            report(`${name} sets allow-snippet-annotations in controller.config; remove it (the chart writes that key from controller.allowSnippetAnnotations, so the ConfigMap would hold it twice).`);
        }
        if (stringAt(config, "annotations-risk-level")?.toLowerCase() === "critical") {
            report(`${name} sets controller.config.annotations-risk-level: Critical, which admits snippet annotations; leave the default (High).`);
        }
        if (configMapBool(config["hsts"]) === false) {
            report(`${name} sets controller.config.hsts: "false"; keep HSTS on (set hsts-max-age and hsts-include-subdomains in controller.config, never through a snippet).`);
        } else {
            const maxAge = numberOf(config["hsts-max-age"]);
            if (maxAge === undefined && controllerHstsMaxAge < minHstsMaxAge) {
                report(`${name} leaves controller.config.hsts-max-age unset: the controller's default of ${controllerHstsMaxAge} seconds is below ${minHstsMaxAge}; set it.`);
            } else if (maxAge !== undefined && maxAge < minHstsMaxAge) {
                report(`${name} sets controller.config.hsts-max-age ${maxAge}, below ${minHstsMaxAge} seconds; raise it (the controller's own default is 31536000, one year).`);
            }
        }
        const webhookService = admissionWebhookServiceTypes(props).find((type) => type !== "ClusterIP");
        if (webhookService !== undefined) {
            report(`${name} exposes the admission webhook as a ${webhookService} Service; keep controller.admissionWebhooks.service.type ClusterIP (CVE-2025-1974: the webhook must not be reachable from outside the cluster).`);
        }
    }),
};

/**
 * ingress-nginx was retired in March 2026: chart 4.15.1 (controller v1.15.1) is the last
 * release and no security fix follows. The program still supports it because the
 * article's users run it, on that final release; any other version is flagged, and the
 * advisory can be made unconditional by acknowledging no version.
 */
export const ingressNginxRetired: ResourceValidationPolicy = {
    name: "ingress-nginx-retired",
    description: "Warns that ingress-nginx is retired (no security fixes after chart 4.15.1) unless the release is on the acknowledged final version.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            acknowledgedVersion: { type: "string", default: "4.15.1", description: "The chart version whose retirement the team has acknowledged (the final release); empty to always warn." },
        },
    },
    validateResource: forTypes([releaseType], (props, args, report) => {
        if (chartName(props) !== "ingress-nginx") return;
        const { acknowledgedVersion } = args.getConfig<{ acknowledgedVersion: string }>();
        const version = String(stringAt(props, "version") ?? "").replace(/^v/, "");
        if (acknowledgedVersion !== "" && version === acknowledgedVersion.replace(/^v/, "")) return;
        report(
            `Helm release '${args.name}' installs ingress-nginx ${version || "(unpinned)"}; ingress-nginx was retired in March 2026 and gets no security fixes after its final release 4.15.1: ${version === "4.15.1" ? "" : "move to 4.15.1 now and "}plan the move to a maintained controller (Gateway API).`,
        );
    }),
};
