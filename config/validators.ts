import { canonicalProblem, openToEveryone } from "../policy/addresses";
import { invalid } from "./problems";
import type { Problem } from "./setting";
import * as semver from "semver";
import { z } from "zod";

/**
 * Reusable validators for settings. Each message says what is expected, because the
 * configuration loader prints it after the key and the bad value.
 */

/** An RFC 1123 label, as Kubernetes names, Istio cluster names and networks require. */
export const dnsLabel = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
        error: "expected a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
    });

const hostnamePattern = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A fully qualified DNS name such as `api.example.com` (lowercase, no trailing dot). */
export const dnsName = z.string().regex(hostnamePattern, {
    error: "expected a lowercase DNS name with at least two labels, such as api.example.com",
});

/** A DNS name or a wildcard one level deep, such as `*.example.com`. */
export const certificateIdentifier = z
    .string()
    .refine((v) => hostnamePattern.test(v.startsWith("*.") ? v.slice(2) : v), {
        error: "expected a DNS name such as api.example.com, or a wildcard such as *.example.com",
    });

/** An e-mail address (as ACME accounts require: a local part, '@', a DNS name). */
export const email = z.email({ error: "expected an e-mail address such as platform@example.com" });

/**
 * A CIDR block, IPv4 or IPv6, in its canonical form (policy/addresses.ts): decimal octets
 * without leading zeros, RFC 5952 IPv6, no address bits beyond the prefix, IPv4 not
 * written as IPv4-mapped IPv6. A non-canonical block is refused with its canonical form.
 */
export const cidr = z.string({ error: "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32" }).superRefine((value, ctx) => {
    const problem = canonicalProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * A list of CIDR blocks meant as an allowlist: each block canonical, and the set as a
 * whole not open to everyone (all of IPv4 or of IPv6, however it is cut).
 */
export function allowlistOf(what: string): z.ZodType<string[]> {
    return z.array(cidr, { error: "expected a list of CIDR blocks" }).superRefine((blocks, ctx) => {
        if (blocks.some((b) => canonicalProblem(b) !== undefined)) return;
        const open = openToEveryone(blocks);
        if (open !== undefined) ctx.addIssue({ code: "custom", message: `expected ${what}, not everyone: ${open}` });
    });
}

/** An exact version: `1.30.3` or `v1.21.1`, never a range, `latest` or a partial version. */
export const exactVersion = z.string().refine((v) => semver.valid(v) !== null && /^v?\d+\.\d+\.\d+/.test(v), {
    error: "expected an exact version such as 1.30.3 (a range, 'latest' or a partial version is not pinned)",
});

/** A Helm chart repository: `https://` URL or `oci://` reference. */
export const chartRepository = z.string().regex(/^(https|oci):\/\/[^\s/]+(\/[^\s]*)?$/, {
    error: "expected an https:// chart repository URL or an oci:// registry reference",
});

/** A Kubernetes CPU quantity such as `500m` or `2`. */
export const cpuQuantity = z.string().regex(/^(\d+m|\d+(\.\d{1,3})?)$/, {
    error: "expected a CPU quantity such as 500m or 2",
});

/** A Kubernetes memory quantity such as `512Mi` or `2Gi`. */
export const memoryQuantity = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, {
    error: "expected a memory quantity such as 512Mi or 2Gi",
});

/** Parses a CPU quantity into millicores. */
export function millicores(quantity: string): number {
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const memoryUnits: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

/** Parses a memory quantity into bytes. */
export function bytes(quantity: string): number {
    const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity);
    if (!match) return Number.NaN;
    return Number(match[1]) * (memoryUnits[match[2] ?? ""] ?? Number.NaN);
}

/** An AWS region such as `us-east-1` or `us-gov-west-1`. */
export const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, {
    error: "expected an AWS region such as us-east-1",
});

/** A Route53 hosted zone id such as `Z0123456789ABCDEFGHIJ`. */
export const hostedZoneId = z.string().regex(/^Z[A-Z0-9]{1,32}$/, {
    error: "expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (upper case, starting with Z)",
});

/** A fully qualified stack name, `<organization>/<project>/<stack>`. */
export const stackName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
    error: "expected a fully qualified stack name <organization>/<project>/<stack>, such as acme/mesh-ingress/primary",
});

/** An integer within a range, with a message naming the range. */
export function integerBetween(min: number, max: number): z.ZodNumber {
    const error = `expected an integer from ${min} to ${max}`;
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * A qualified key as the API server checks annotation and label keys (apimachinery's
 * `IsQualifiedName`): an optional prefix that is a DNS subdomain (RFC 1123 labels joined by
 * dots, at most 253 characters) and '/', then a name of at most 63 characters.
 */
const qualifiedKey = /^((?=[^/]{1,253}\/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes annotations or labels: a map of string keys to string values. */
export const stringMap = z.record(
    z.string().regex(qualifiedKey, {
        error: "expected a Kubernetes annotation or label key such as example.com/name",
    }),
    z.string({ error: "expected a string value (quote numbers and booleans)" }),
);

/**
 * The problems of a source-range annotation's value (`a,b,c`): each block canonical, and the
 * whole not open to everyone. None when the annotation is not set.
 */
export function sourceRangesProblems(key: string, value: string | undefined, what: string): Problem[] {
    if (value === undefined) return [];
    const entries = value.split(",").map((e) => e.trim());
    const bad = entries.map((e) => [e, canonicalProblem(e)] as const).filter(([, p]) => p !== undefined);
    if (bad.length > 0) return bad.map(([e, p]) => invalid(key, e, p!));
    const open = openToEveryone(entries);
    return open === undefined ? [] : [invalid(key, value, `expected ${what}, not everyone: ${open}`)];
}
