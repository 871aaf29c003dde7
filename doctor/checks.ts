import type { ClusterReader } from "./cluster";
import { ReadError } from "./cluster";
import type { Expectation } from "./expectation";
import type { Area, CaseId, Check, Status } from "./report";

/** What every area's checks get. */
export interface CheckContext {
    readonly cluster: ClusterReader;
    readonly expectation: Expectation;
    /** `kubectl --context <context>`, the prefix of the next commands. */
    readonly kubectl: string;
    /** The stack's context name, for `istioctl` and `cmctl`. */
    readonly context: string;
    /** The time the run is judged at. */
    readonly now: Date;
}

/** The parts of a check that do not depend on the outcome. */
export interface CheckHead {
    readonly area: Area;
    readonly id: string;
    readonly subject?: string;
    readonly title: string;
    readonly expected: string;
    readonly source: string;
    readonly next?: string;
    readonly case?: CaseId;
}

/**
 * A check's result from its head and outcome. `case: null` drops the head's troubleshooting
 * case (a degraded state that does not put the stack in it).
 */
export function result(head: CheckHead, status: Status, seen: string, extra: { next?: string; case?: CaseId | null } = {}): Check {
    const { case: caseId, ...rest } = { ...head, ...(extra.next !== undefined ? { next: extra.next } : {}) };
    const chosen = extra.case === null ? undefined : (extra.case ?? caseId);
    return { ...rest, ...(chosen !== undefined ? { case: chosen } : {}), status, seen };
}

/** A check that could not run, and why. */
export function notRun(head: CheckHead, why: string): Check {
    return { ...head, status: "skip", seen: `not run: ${why}` };
}

/**
 * Runs a check's body; a read the cluster refused or cannot answer makes the check (or
 * each of `heads`) one that could not run, never a pass.
 */
/** Why a check could not run, from what its read threw. */
export function whyNotRun(e: unknown): string {
    return e instanceof ReadError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
}

export async function guarded(heads: CheckHead | readonly CheckHead[], body: () => Promise<Check | readonly Check[]>): Promise<Check[]> {
    try {
        const out = await body();
        return Array.isArray(out) ? [...(out as readonly Check[])] : [out as Check];
    } catch (e) {
        const why = whyNotRun(e);
        return (Array.isArray(heads) ? (heads as readonly CheckHead[]) : [heads as CheckHead]).map((h) => notRun(h, why));
    }
}

/** A status condition of an object. */
export interface Condition {
    readonly type: string;
    readonly status: string;
    readonly reason?: string;
    readonly message?: string;
    readonly lastTransitionTime?: string | Date;
}

/** The condition of `type`, if any. */
export function condition(status: unknown, type: string): Condition | undefined {
    const conditions = (status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
    return conditions.find((c) => c.type === type);
}

/** "Ready=False (Reason: message)" for a condition, or "no <type> condition". */
export function describeCondition(c: Condition | undefined, type: string): string {
    if (c === undefined) return `no ${type} condition`;
    const why = [c.reason, c.message].filter((x) => x !== undefined && x !== "").join(": ");
    return `${c.type}=${c.status}${why !== "" ? ` (${why})` : ""}`;
}

/** An address of a LoadBalancer status (`ingress[]`: hostname or ip). */
export function loadBalancerAddresses(status: unknown): string[] {
    const ingress = (status as { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? [];
    return ingress.map((i) => i.hostname ?? i.ip ?? "").filter((a) => a !== "");
}

/** Whole minutes or hours since a time, for messages. */
export function age(since: Date, now: Date): string {
    const minutes = Math.max(0, Math.round((now.getTime() - since.getTime()) / 60000));
    if (minutes < 120) return `${minutes} min`;
    const hours = Math.round(minutes / 60);
    return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** A list for a message: "a, b and c". */
export function listed(items: readonly string[]): string {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]!}`;
}
