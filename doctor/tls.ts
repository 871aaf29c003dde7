import type { V1Deployment, V1Pod, V1Secret, V1ServiceAccount } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { age, condition, describeCondition, guarded, result, type CheckContext, type CheckHead, type Condition } from "./checks";
import type { ExpectedCertificate, TlsExpectation } from "./expectation";
import type { Check } from "./report";

/**
 * The TLS checks: each ClusterIssuer Ready (its ACME account registered), each Certificate
 * Ready and outside its renewal window, and no CertificateRequest, Order or Challenge stuck
 * on the way (the chain cert-manager walks: Certificate, CertificateRequest, Order,
 * Challenge). A stuck DNS-01 Challenge names the TXT record it waits for.
 */

/** How long an issuance step may take before the doctor calls it stuck. */
export const stuckAfterMinutes = 10;

const day = 24 * 60 * 60 * 1000;

interface CertManagerObject {
    readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly creationTimestamp?: string | Date };
    readonly status?: {
        readonly conditions?: Condition[];
        readonly notAfter?: string;
        readonly renewalTime?: string;
        readonly lastFailureTime?: string;
        readonly failedIssuanceAttempts?: number;
        readonly state?: string;
        readonly reason?: string;
        readonly presented?: boolean;
    };
    readonly spec?: {
        readonly type?: string;
        readonly dnsName?: string;
        readonly wildcard?: boolean;
        readonly key?: string;
        readonly solver?: { readonly dns01?: unknown; readonly http01?: unknown };
        readonly secretName?: string;
    };
}

/** All TLS checks of the stack. */
export async function tlsChecks(ctx: CheckContext): Promise<Check[]> {
    const tls = ctx.expectation.tls;
    const groups = await Promise.all([
        ...(tls.certManager ? [certManagerChecks(ctx, tls.certManager)] : []),
        ...tls.issuers.map((name) => issuerCheck(ctx, name)),
        ...tls.certificates.map((c) => certificateCheck(ctx, c)),
        stuckChecks(ctx),
    ]);
    return groups.flat();
}

/** Checklist items 1 and 2: cert-manager runs, and can reach Route53 with the stack's credentials. */
async function certManagerChecks(ctx: CheckContext, cm: NonNullable<TlsExpectation["certManager"]>): Promise<Check[]> {
    const tls = ctx.expectation.tls;
    const k = `${ctx.kubectl} -n ${cm.namespace}`;
    const readyHead: CheckHead = {
        area: "tls",
        id: "tls.cert-manager-ready",
        title: "cert-manager installed and Ready",
        expected: `every replica of Deployments ${cm.deployments.join(", ")} Ready`,
        source: `${tls.source} (cert-manager release) and the cert-manager chart`,
        next: `${k} get deployment ${cm.deployments.join(" ")}; cmctl check api --context ${ctx.context}`,
        case: "certificate-not-issued",
    };
    const credentialsHead: CheckHead = {
        area: "tls",
        id: "tls.dns01-credentials",
        title: "DNS-01 credentials in place",
        expected:
            tls.dns01Credentials === "irsa"
                ? `ServiceAccount ${cm.serviceAccount} annotated eks.amazonaws.com/role-arn, and that role as AWS_ROLE_ARN of the controller pods`
                : tls.dns01Credentials === "static"
                  ? `Secret ${tls.staticKeySecret} with access-key-id and secret-access-key`
                  : "AWS_CONTAINER_CREDENTIALS_FULL_URI in the controller pods (an EKS Pod Identity association for ServiceAccount cert-manager)",
        source: "setting dns01Credentials",
        case: "certificate-not-issued",
    };
    const ready = guarded(readyHead, async () => {
        const deployments = await Promise.all(cm.deployments.map(async (name) => ({ name, d: await ctx.cluster.get<V1Deployment>("apps/v1", "Deployment", name, cm.namespace) })));
        const seen = deployments.map(({ name, d }) => (d === undefined ? `${name} missing` : `${name} ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`)).join(", ");
        const bad = deployments.some(({ d }) => d === undefined || (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1) || (d.spec?.replicas ?? 1) === 0);
        return result(readyHead, bad ? "fail" : "ok", seen);
    });
    const credentials = guarded(credentialsHead, async () => {
        if (tls.dns01Credentials === "static") {
            const secret = await ctx.cluster.get<V1Secret>("v1", "Secret", tls.staticKeySecret, cm.namespace);
            const keys = Object.keys(secret?.data ?? {});
            const missing = ["access-key-id", "secret-access-key"].filter((key) => !keys.includes(key));
            const next = `${k} describe secret ${tls.staticKeySecret}`;
            if (secret === undefined) return result(credentialsHead, "fail", `no Secret ${tls.staticKeySecret} in ${cm.namespace}`, { next });
            return missing.length === 0 ? result(credentialsHead, "ok", `Secret ${tls.staticKeySecret} with both keys`) : result(credentialsHead, "fail", `Secret ${tls.staticKeySecret} lacks ${missing.join(", ")}`, { next });
        }
        // IRSA and Pod Identity show in the controller's pods: EKS's webhooks inject the credentials' environment.
        const controller = await ctx.cluster.get<V1Deployment>("apps/v1", "Deployment", cm.controller, cm.namespace);
        const selector = Object.entries(controller?.spec?.selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(",");
        const pods = selector === "" ? [] : await ctx.cluster.list<V1Pod>("v1", "Pod", { namespace: cm.namespace, labelSelector: selector });
        const envOf = (pod: V1Pod, name: string): string | undefined => pod.spec?.containers[0]?.env?.find((e) => e.name === name)?.value;
        const podNext = `${k} get pods -l ${selector || "app.kubernetes.io/component=controller"} -o jsonpath='{.items[*].spec.containers[0].env[*].name}'`;
        if (pods.length === 0) return result(credentialsHead, "fail", `no cert-manager controller pod in ${cm.namespace}`, { next: podNext });
        if (tls.dns01Credentials === "irsa") {
            const sa = await ctx.cluster.get<V1ServiceAccount>("v1", "ServiceAccount", cm.serviceAccount, cm.namespace);
            const arn = sa?.metadata?.annotations?.["eks.amazonaws.com/role-arn"];
            const saNext = `${k} get serviceaccount ${cm.serviceAccount} -o yaml`;
            if (sa === undefined) return result(credentialsHead, "fail", `no ServiceAccount ${cm.serviceAccount} in ${cm.namespace}`, { next: saNext });
            if (arn === undefined || arn === "") return result(credentialsHead, "fail", `ServiceAccount ${cm.serviceAccount} has no eks.amazonaws.com/role-arn annotation`, { next: saNext });
            const without = pods.filter((p) => envOf(p, "AWS_ROLE_ARN") !== arn).map((p) => p.metadata?.name ?? "?");
            return without.length === 0
                ? result(credentialsHead, "ok", `role ${arn}, in the environment of ${pods.length} controller pod(s)`)
                : result(credentialsHead, "fail", `role ${arn} on the ServiceAccount, but not AWS_ROLE_ARN of ${without.join(", ")} (started before it, or the EKS pod identity webhook is missing)`, {
                      next: `${podNext}; ${k} rollout restart deployment ${cm.controller}`,
                  });
        }
        const without = pods.filter((p) => envOf(p, "AWS_CONTAINER_CREDENTIALS_FULL_URI") === undefined).map((p) => p.metadata?.name ?? "?");
        return without.length === 0
            ? result(credentialsHead, "ok", `AWS_CONTAINER_CREDENTIALS_FULL_URI in the environment of ${pods.length} controller pod(s)`)
            : result(credentialsHead, "fail", `no AWS_CONTAINER_CREDENTIALS_FULL_URI in ${without.join(", ")}: no Pod Identity association applied (or the pods predate it)`, {
                  next: `aws eks list-pod-identity-associations --cluster-name <eks-cluster> --namespace ${cm.namespace} --service-account ${cm.serviceAccount}; ${k} rollout restart deployment ${cm.controller}`,
              });
    });
    return [...(await ready), ...(await credentials)];
}

function issuerCheck(ctx: CheckContext, name: string): Promise<Check[]> {
    const head: CheckHead = {
        area: "tls",
        id: "tls.issuer-ready",
        subject: name,
        title: "ClusterIssuer Ready",
        expected: "Ready=True (its ACME account registered)",
        source: ctx.expectation.tls.source,
        next: `${ctx.kubectl} describe clusterissuer ${name}`,
        case: "certificate-not-issued",
    };
    return guarded(head, async () => {
        const issuer = await ctx.cluster.get<CertManagerObject>("cert-manager.io/v1", "ClusterIssuer", name);
        if (issuer === undefined) return result(head, "fail", `no ClusterIssuer ${name}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
        const ready = condition(issuer.status, "Ready");
        return result(head, ready?.status === "True" ? "ok" : "fail", describeCondition(ready, "Ready"));
    });
}

function certificateCheck(ctx: CheckContext, expected: ExpectedCertificate): Promise<Check[]> {
    const ref = `${expected.namespace}/${expected.name}`;
    const head: CheckHead = {
        area: "tls",
        id: "tls.certificate",
        subject: ref,
        title: "Certificate Ready and outside its renewal window",
        expected: `Ready=True for ${expected.dnsNames.join(", ")}, before its renewal time`,
        source: expected.source,
        next: `cmctl status certificate ${expected.name} -n ${expected.namespace} --context ${ctx.context}`,
        case: "certificate-not-issued",
    };
    return guarded(head, async () => {
        const cert = await ctx.cluster.get<CertManagerObject>("cert-manager.io/v1", "Certificate", expected.name, expected.namespace);
        if (cert === undefined) return result(head, "fail", `no Certificate ${ref}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
        const ready = condition(cert.status, "Ready");
        const issuing = condition(cert.status, "Issuing");
        const failures = cert.status?.failedIssuanceAttempts ? `; ${cert.status.failedIssuanceAttempts} failed issuance attempt(s), the last at ${cert.status.lastFailureTime ?? "?"}` : "";
        if (ready?.status !== "True") return result(head, "fail", `${describeCondition(ready, "Ready")}${issuing?.status === "True" ? `; ${describeCondition(issuing, "Issuing")}` : ""}${failures}`);
        const notAfter = cert.status?.notAfter !== undefined ? new Date(cert.status.notAfter) : undefined;
        if (notAfter === undefined) return result(head, "warn", "Ready=True but no status.notAfter to judge expiry");
        const daysLeft = Math.floor((notAfter.getTime() - ctx.now.getTime()) / day);
        const expiry = `expires ${notAfter.toISOString().slice(0, 10)} (${daysLeft} days left)`;
        if (notAfter.getTime() <= ctx.now.getTime()) return result(head, "fail", `expired on ${notAfter.toISOString().slice(0, 10)}`);
        const renewal = cert.status?.renewalTime !== undefined ? new Date(cert.status.renewalTime) : undefined;
        if (renewal !== undefined && renewal.getTime() <= ctx.now.getTime()) {
            const seen = `Ready=True, ${expiry}, but past its renewal time ${renewal.toISOString().slice(0, 10)}`;
            return issuing?.status === "True" ? result(head, "warn", `${seen}; renewal in progress (${describeCondition(issuing, "Issuing")})`, { case: null }) : result(head, "fail", `${seen} and not renewing${failures}`);
        }
        return result(head, "ok", `Ready=True, ${expiry}${renewal !== undefined ? `, renews from ${renewal.toISOString().slice(0, 10)}` : ""}`);
    });
}

/** The TXT record a DNS-01 challenge waits for. */
export function challengeRecord(challenge: CertManagerObject): string | undefined {
    const spec = challenge.spec;
    if (spec === undefined || (spec.type !== "DNS-01" && spec.solver?.dns01 === undefined)) return undefined;
    const name = (spec.dnsName ?? "").replace(/^\*\./, "");
    return `TXT _acme-challenge.${name} = "${spec.key ?? "?"}"`;
}

async function stuckChecks(ctx: CheckContext): Promise<Check[]> {
    const namespaces = [...new Set(ctx.expectation.tls.certificates.map((c) => c.namespace))].sort();
    const head: CheckHead = {
        area: "tls",
        id: "tls.issuance-stuck",
        title: "no CertificateRequest, Order or Challenge stuck",
        expected: `every CertificateRequest Ready and every Order valid, no Challenge older than ${stuckAfterMinutes} min, in ${namespaces.join(", ") || "(no namespace)"}`,
        source: ctx.expectation.tls.source,
        case: "certificate-not-issued",
    };
    if (namespaces.length === 0) return [];
    return guarded(head, async () => {
        const kinds = [
            { apiVersion: "cert-manager.io/v1", kind: "CertificateRequest", short: "certificaterequest" },
            { apiVersion: "acme.cert-manager.io/v1", kind: "Order", short: "order" },
            { apiVersion: "acme.cert-manager.io/v1", kind: "Challenge", short: "challenge" },
        ];
        const listed = await Promise.all(
            namespaces.flatMap((namespace) => kinds.map(async (k) => ({ ...k, namespace, items: await ctx.cluster.list<CertManagerObject>(k.apiVersion, k.kind, { namespace }) }))),
        );
        const checks: Check[] = [];
        let seen = 0;
        for (const group of listed) {
            for (const item of group.items) {
                seen++;
                const verdict = judge(group.kind, item, ctx.now);
                if (verdict === undefined) continue;
                const name = item.metadata?.name ?? "?";
                const record = group.kind === "Challenge" ? challengeRecord(item) : undefined;
                const next =
                    group.kind === "Challenge" && record !== undefined
                        ? `${ctx.kubectl} -n ${group.namespace} describe challenge ${name}; dig +short TXT _acme-challenge.${(item.spec?.dnsName ?? "").replace(/^\*\./, "")}`
                        : `${ctx.kubectl} -n ${group.namespace} describe ${group.short} ${name}`;
                checks.push(
                    result({ ...head, subject: `${group.kind} ${group.namespace}/${name}` }, verdict.status, `${verdict.seen}${record !== undefined ? `; waits for ${record}` : ""}`, {
                        next,
                        ...(verdict.status === "warn" ? { case: null } : {}),
                    }),
                );
            }
        }
        if (checks.length === 0) checks.push(result(head, "ok", `${seen} object(s), none stuck`));
        return checks;
    });
}

/** Whether an issuance object is stuck (fail), still in progress (warn), or done (undefined). */
function judge(kind: string, item: CertManagerObject, now: Date): { status: "warn" | "fail"; seen: string } | undefined {
    const created = item.metadata?.creationTimestamp !== undefined ? new Date(item.metadata.creationTimestamp) : now;
    const old = now.getTime() - created.getTime() > stuckAfterMinutes * 60000;
    const since = `for ${age(created, now)}`;
    if (kind === "CertificateRequest") {
        const ready = condition(item.status, "Ready");
        const denied = condition(item.status, "Denied");
        const invalid = condition(item.status, "InvalidRequest");
        if (ready?.status === "True") return undefined;
        if (denied?.status === "True" || invalid?.status === "True") return { status: "fail", seen: describeCondition(denied?.status === "True" ? denied : invalid, "Denied") };
        if (ready?.reason === "Failed") return { status: "fail", seen: describeCondition(ready, "Ready") };
        return { status: old ? "fail" : "warn", seen: `${describeCondition(ready, "Ready")} ${since}` };
    }
    const state = item.status?.state ?? "";
    const reason = item.status?.reason !== undefined && item.status.reason !== "" ? ` (${item.status.reason})` : "";
    if (state === "valid") return undefined;
    if (state === "errored" || state === "invalid" || state === "expired") return { status: "fail", seen: `state ${state}${reason}` };
    return { status: old ? "fail" : "warn", seen: `state ${state || "(none)"}${reason} ${since}` };
}
