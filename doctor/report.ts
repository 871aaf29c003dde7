/**
 * The doctor's findings: one check per line (ok, warn, fail, or not run), each with what
 * was seen, what was expected and where that expectation came from, and the command to
 * run next; the article's three troubleshooting cases each failing check belongs to; the
 * text and JSON forms; the exit status.
 */

/** The outcome of one check. `skip`: the check could not run; it never counts as a pass. */
export type Status = "ok" | "warn" | "fail" | "skip";

/** The part of the system a check looks at. */
export type Area = "mesh" | "tls" | "edge";

/** The article's troubleshooting cases ("트러블슈팅 가이드"), as the runbook's section 9 answers them. */
export const troubleshootingCases = {
    "istiod-unreachable": { title: "istiod not reachable through the east-west gateway", runbook: "docs/runbook.md section 9.1" },
    "certificate-not-issued": { title: "certificate not issued", runbook: "docs/runbook.md section 9.2" },
    "ingress-routing": { title: "ingress routing fails", runbook: "docs/runbook.md section 9.3" },
} as const;

/** One of the article's troubleshooting cases. */
export type CaseId = keyof typeof troubleshootingCases;

/** One check's result. */
export interface Check {
    readonly area: Area;
    /** A stable identifier (`mesh.istiod-ready`); with `subject`, unique in a run. */
    readonly id: string;
    /** What the check is about when it runs once per thing: a host, a remote cluster, an object. */
    readonly subject?: string;
    /** The check in words. */
    readonly title: string;
    readonly status: Status;
    /** What the cluster (or the network) showed; for `skip`, why the check could not run. */
    readonly seen: string;
    /** What a healthy deployment of this stack shows. */
    readonly expected: string;
    /** Where the expectation came from: the plan, a setting, a stack output, a chart. */
    readonly source: string;
    /** The command to run next (for anything but `ok`). */
    readonly next?: string;
    /** The troubleshooting case a failure here belongs to. */
    readonly case?: CaseId;
}

/** What the doctor looked at and where its expectations came from. */
export interface RunContext {
    /** The stack as given (`primary` or `acme/primary`). */
    readonly stack: string;
    readonly role: "primary" | "remote";
    readonly clusterName: string;
    /** How the cluster was reached: the context and its API server. */
    readonly cluster: { readonly context: string; readonly server: string; readonly kubeconfig: string };
    /** One line per source of expected values. */
    readonly sources: readonly string[];
    /** Whether the DNS and HTTP probes ran. */
    readonly probes: boolean;
    /** The areas checked, when not all (`--only`). */
    readonly only?: readonly Area[];
}

/** A troubleshooting case with the checks that put the run in it. */
export interface Diagnosis {
    readonly case: CaseId;
    readonly title: string;
    readonly runbook: string;
    /** `id` or `id[subject]` of each failing check. */
    readonly checks: readonly string[];
}

/** The whole run, as `--json` prints it. */
export interface DoctorReport {
    readonly context: RunContext;
    readonly checks: readonly Check[];
    readonly diagnoses: readonly Diagnosis[];
    readonly summary: Readonly<Record<Status, number>>;
    readonly exitStatus: 0 | 1;
}

/** `id[subject]`, how a check is named in diagnoses. */
export function checkName(c: Pick<Check, "id" | "subject">): string {
    return c.subject !== undefined ? `${c.id}[${c.subject}]` : c.id;
}

/** Builds the report: counts, the troubleshooting cases failing checks belong to, the exit status. */
export function report(context: RunContext, checks: readonly Check[]): DoctorReport {
    const summary: Record<Status, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
    for (const c of checks) summary[c.status]++;
    const diagnoses: Diagnosis[] = [];
    for (const id of Object.keys(troubleshootingCases) as CaseId[]) {
        const failing = checks.filter((c) => c.case === id && c.status === "fail");
        if (failing.length > 0) diagnoses.push({ case: id, ...troubleshootingCases[id], checks: failing.map(checkName) });
    }
    return { context, checks, diagnoses, summary, exitStatus: exitStatusOf(summary) };
}

/** 0 when every check ran and none failed (warnings do not fail); 1 otherwise. */
export function exitStatusOf(summary: Readonly<Record<Status, number>>): 0 | 1 {
    return summary.fail > 0 || summary.skip > 0 ? 1 : 0;
}

const label: Record<Status, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL", skip: "SKIP" };

/** One line of text for a check. */
export function checkLine(c: Check): string {
    const subject = c.subject !== undefined ? ` [${c.subject}]` : "";
    const parts = [`${label[c.status]} ${c.area.padEnd(4)} ${c.title}${subject}`, `seen: ${c.seen}`, `expected: ${c.expected} (${c.source})`];
    if (c.status !== "ok" && c.next !== undefined) parts.push(`next: ${c.next}`);
    if (c.status === "fail" && c.case !== undefined) parts.push(`case: ${troubleshootingCases[c.case].title}`);
    return parts.join(" | ");
}

/** The report as text: what was checked against what, one line per check, the diagnosis, the counts. */
export function renderText(r: DoctorReport): string {
    const lines = [
        `Doctor for stack '${r.context.stack}' (${r.context.role}, cluster ${r.context.clusterName}) through context ${r.context.cluster.context} at ${r.context.cluster.server} (${r.context.cluster.kubeconfig})`,
        ...r.context.sources.map((s) => `  expected values: ${s}`),
        ...(r.context.only !== undefined ? [`  areas checked: ${r.context.only.join(", ")} (--only)`] : []),
        ...(r.context.probes ? [] : ["  DNS and HTTP probes: off (--no-probes)"]),
        "",
        ...r.checks.map(checkLine),
        "",
    ];
    if (r.diagnoses.length === 0) {
        lines.push(r.summary.fail === 0 ? "Diagnosis: none of the article's troubleshooting cases applies." : "Diagnosis: the failures above belong to none of the article's troubleshooting cases.");
    }
    for (const d of r.diagnoses) lines.push(`Diagnosis: ${d.title} (${d.runbook}): ${d.checks.join(", ")}`);
    const { ok, warn, fail, skip } = r.summary;
    lines.push(`Summary: ${ok} ok, ${warn} warn, ${fail} fail, ${skip} could not run${skip > 0 ? " (a check that could not run is not a pass)" : ""}.`);
    return `${lines.join("\n")}\n`;
}
