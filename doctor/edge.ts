import type { V1Deployment, V1Ingress, V1PodDisruptionBudget, V1Service, V2HorizontalPodAutoscaler } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { condition, describeCondition, guarded, loadBalancerAddresses, notRun, result, type CheckContext, type CheckHead, type Condition } from "./checks";
import type { EdgeExpectation, EdgeWorkload } from "./expectation";
import type { Check } from "./report";

/**
 * The edge checks inside the cluster: the controller (ingress-nginx, or the Gateway's
 * deployment) Ready with its HorizontalPodAutoscaler and PodDisruptionBudget, its load
 * balancer's address (the one the DNS records point at), and each Ingress or HTTPRoute
 * carrying that address. The per-host probes (probes.ts) use the address found here.
 */

/** The edge checks and the address of the load balancer that serves the hosts. */
export interface EdgeFindings {
    readonly checks: readonly Check[];
    /** The serving workload's load balancer address, when it has one. */
    readonly servingAddress?: string;
}

interface GatewayObject {
    readonly status?: { readonly conditions?: Condition[]; readonly addresses?: { readonly type?: string; readonly value: string }[] };
}

interface RouteObject {
    readonly status?: { readonly parents?: { readonly parentRef: { readonly name: string; readonly namespace?: string }; readonly conditions?: Condition[] }[] };
}

/** All edge checks of the stack (none when it serves no hosts). */
export async function edgeChecks(ctx: CheckContext): Promise<EdgeFindings> {
    const edge = ctx.expectation.edge;
    if (edge === undefined) return { checks: [] };
    const perWorkload = await Promise.all(edge.workloads.map((w) => workloadChecks(ctx, edge, w)));
    const serving = perWorkload.find((p) => p.workload.kind === edge.serving);
    const address = serving?.address;
    const routeChecks = await Promise.all([
        ...edge.ingresses.map((i) => ingressCheck(ctx, i, perWorkload.find((p) => p.workload.kind === "nginx")?.address)),
        ...(edge.gateway ? [gatewayCheck(ctx, edge, perWorkload.find((p) => p.workload.kind === "gateway-api")?.address)] : []),
        ...edge.routes.map((r) => routeCheck(ctx, edge, r)),
    ]);
    return { checks: [...perWorkload.flatMap((p) => p.checks), ...routeChecks.flat()], ...(address !== undefined ? { servingAddress: address } : {}) };
}

async function workloadChecks(ctx: CheckContext, edge: EdgeExpectation, w: EdgeWorkload): Promise<{ workload: EdgeWorkload; checks: Check[]; address?: string }> {
    const k = `${ctx.kubectl} -n ${w.namespace}`;
    const what = w.kind === "nginx" ? "ingress-nginx controller" : "Gateway API edge";
    const subject = w.kind;
    const readyHead: CheckHead = { area: "edge", id: "edge.controller-ready", subject, title: `${what} Ready`, expected: `every replica of Deployment ${w.deployment} Ready`, source: w.source, case: "ingress-routing" };
    const hpaHead: CheckHead = { area: "edge", id: "edge.hpa", subject, title: `${what} autoscaler in place`, expected: `HorizontalPodAutoscaler ${w.hpa} scaling Deployment ${w.deployment}, able to read its metrics`, source: w.source };
    const pdbHead: CheckHead = { area: "edge", id: "edge.pdb", subject, title: `${what} disruption budget in place`, expected: `PodDisruptionBudget ${w.podDisruptionBudget} allowing at least 1 disruption`, source: w.source };
    const serves = w.kind === edge.serving;
    const addressHead: CheckHead = {
        area: "edge",
        id: "edge.load-balancer",
        subject,
        title: `${what} has its load balancer address`,
        expected: serves && edge.loadBalancer.known ? `Service ${w.service} at ${edge.loadBalancer.value}` : `Service ${w.service} with status.loadBalancer.ingress`,
        source: serves && edge.loadBalancer.known ? `${edge.loadBalancer.source} (the DNS records' target)` : w.source,
        case: "ingress-routing",
    };
    const [ready, hpa, pdb, address] = await Promise.all([
        guarded(readyHead, async () => {
            const d = await ctx.cluster.get<V1Deployment>("apps/v1", "Deployment", w.deployment, w.namespace);
            if (d === undefined) return result(readyHead, "fail", `no Deployment ${w.deployment} in ${w.namespace}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
            const want = d.spec?.replicas ?? 1;
            const readyCount = d.status?.readyReplicas ?? 0;
            const seen = `${readyCount} of ${want} replicas Ready`;
            const next = w.kind === "nginx" ? `${k} describe deployment ${w.deployment}; ${k} logs -l app.kubernetes.io/component=controller --tail=100 --prefix` : `${k} describe deployment ${w.deployment}`;
            if (readyCount >= want && want > 0) return result(readyHead, "ok", seen);
            return readyCount > 0 ? result(readyHead, "warn", seen, { next, case: null }) : result(readyHead, "fail", seen, { next });
        }),
        guarded(hpaHead, async () => {
            const h = await ctx.cluster.get<V2HorizontalPodAutoscaler>("autoscaling/v2", "HorizontalPodAutoscaler", w.hpa, w.namespace);
            const next = `${k} describe hpa ${w.hpa}`;
            if (h === undefined) return result(hpaHead, "fail", `no HorizontalPodAutoscaler ${w.hpa} in ${w.namespace}: the edge does not scale`, { next: `pulumi up -s ${ctx.expectation.stack}` });
            const target = h.spec.scaleTargetRef;
            const seen = `min ${h.spec.minReplicas ?? 1}, max ${h.spec.maxReplicas}, current ${h.status?.currentReplicas ?? 0}`;
            if (target.kind !== "Deployment" || target.name !== w.deployment) return result(hpaHead, "fail", `${seen}; it scales ${target.kind} ${target.name}`, { next });
            const active = condition(h.status, "ScalingActive");
            if (active !== undefined && active.status !== "True") return result(hpaHead, "warn", `${seen}; ${describeCondition(active, "ScalingActive")} (is metrics-server installed?)`, { next });
            return result(hpaHead, "ok", seen);
        }),
        guarded(pdbHead, async () => {
            const p = await ctx.cluster.get<V1PodDisruptionBudget>("policy/v1", "PodDisruptionBudget", w.podDisruptionBudget, w.namespace);
            const next = `${k} get pdb ${w.podDisruptionBudget}`;
            if (p === undefined) return result(pdbHead, "fail", `no PodDisruptionBudget ${w.podDisruptionBudget} in ${w.namespace}`, { next });
            const allowed = p.status?.disruptionsAllowed ?? 0;
            const seen = `${allowed} disruption(s) allowed (${p.status?.currentHealthy ?? 0} healthy of ${p.status?.expectedPods ?? 0})`;
            return allowed >= 1 ? result(pdbHead, "ok", seen) : result(pdbHead, "fail", `${seen}: a node drain would block`, { next });
        }),
        (async (): Promise<{ checks: Check[]; address?: string }> => {
            let found: string | undefined;
            const checks = await guarded(addressHead, async () => {
                const s = await ctx.cluster.get<V1Service>("v1", "Service", w.service, w.namespace);
                if (s === undefined) return result(addressHead, "fail", `no Service ${w.service} in ${w.namespace}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
                const addresses = loadBalancerAddresses(s.status);
                const next = `${k} describe svc ${w.service}; ${ctx.kubectl} -n kube-system logs deployment/aws-load-balancer-controller --tail=50`;
                if (addresses.length === 0) return result(addressHead, "fail", `Service ${w.service} has no load balancer address`, { next });
                found = addresses[0];
                if (serves && edge.loadBalancer.known && !addresses.includes(edge.loadBalancer.value)) {
                    return result(addressHead, "fail", `${addresses.join(", ")}, but the DNS records point at ${edge.loadBalancer.value} (the load balancer changed since the last pulumi up)`, {
                        next: `pulumi up -s ${ctx.expectation.stack}`,
                    });
                }
                return result(addressHead, "ok", addresses.join(", "));
            });
            return { checks, ...(found !== undefined ? { address: found } : {}) };
        })(),
    ]);
    return { workload: w, checks: [...ready, ...hpa, ...pdb, ...address.checks], ...(address.address !== undefined ? { address: address.address } : {}) };
}

function ingressCheck(ctx: CheckContext, ingress: EdgeExpectation["ingresses"][number], address: string | undefined): Promise<Check[]> {
    const ref = `${ingress.namespace}/${ingress.name}`;
    const head: CheckHead = {
        area: "edge",
        id: "edge.ingress-address",
        subject: ref,
        title: "Ingress has the load balancer's address",
        expected: `status.loadBalancer.ingress ${address ?? "= the controller Service's address"} (hosts ${ingress.hosts.join(", ")})`,
        source: `${ctx.expectation.edge!.source} (Ingress); the controller's Service (address)`,
        next: `${ctx.kubectl} -n ${ingress.namespace} describe ingress ${ingress.name}`,
        case: "ingress-routing",
    };
    return guarded(head, async () => {
        const i = await ctx.cluster.get<V1Ingress>("networking.k8s.io/v1", "Ingress", ingress.name, ingress.namespace);
        if (i === undefined) return result(head, "fail", `no Ingress ${ref}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
        const addresses = loadBalancerAddresses(i.status);
        if (addresses.length === 0) return result(head, "fail", "no address: the controller has not admitted it (ingress class, or the controller is down)");
        if (address === undefined) return notRun(head, `the controller's Service has no address to compare with (the Ingress shows ${addresses.join(", ")})`);
        return addresses.includes(address) ? result(head, "ok", addresses.join(", ")) : result(head, "fail", `${addresses.join(", ")}: not the controller's load balancer (node addresses mean --publish-service is off)`);
    });
}

function gatewayCheck(ctx: CheckContext, edge: EdgeExpectation, address: string | undefined): Promise<Check[]> {
    const gw = edge.gateway!;
    const head: CheckHead = {
        area: "edge",
        id: "edge.gateway-programmed",
        subject: `${gw.namespace}/${gw.name}`,
        title: "Gateway Programmed with the load balancer's address",
        expected: `Programmed=True, status.addresses ${address ?? "= its Service's address"}`,
        source: `${edge.source} (Gateway)`,
        next: `${ctx.kubectl} -n ${gw.namespace} describe gateway.gateway.networking.k8s.io ${gw.name}`,
        case: "ingress-routing",
    };
    return guarded(head, async () => {
        const g = await ctx.cluster.get<GatewayObject>("gateway.networking.k8s.io/v1", "Gateway", gw.name, gw.namespace);
        if (g === undefined) return result(head, "fail", `no Gateway ${gw.namespace}/${gw.name}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
        const programmed = condition(g.status, "Programmed");
        const addresses = (g.status?.addresses ?? []).map((a) => a.value);
        const seen = `${describeCondition(programmed, "Programmed")}; addresses ${addresses.join(", ") || "none"}`;
        if (programmed?.status !== "True" || addresses.length === 0) return result(head, "fail", seen);
        if (address !== undefined && !addresses.includes(address)) return result(head, "fail", `${seen}: not its Service's load balancer ${address}`);
        return result(head, "ok", seen);
    });
}

function routeCheck(ctx: CheckContext, edge: EdgeExpectation, route: EdgeExpectation["routes"][number]): Promise<Check[]> {
    const ref = `${route.namespace}/${route.name}`;
    const gw = edge.gateway;
    const head: CheckHead = {
        area: "edge",
        id: "edge.route-accepted",
        subject: ref,
        title: "HTTPRoute accepted by the Gateway",
        expected: `Accepted=True and ResolvedRefs=True for parent ${gw ? `${gw.namespace}/${gw.name}` : "the Gateway"} (hosts ${route.hosts.join(", ") || "all"})`,
        source: `${edge.source} (HTTPRoute)`,
        next: `${ctx.kubectl} -n ${route.namespace} describe httproute ${route.name}`,
        case: "ingress-routing",
    };
    return guarded(head, async () => {
        const r = await ctx.cluster.get<RouteObject>("gateway.networking.k8s.io/v1", "HTTPRoute", route.name, route.namespace);
        if (r === undefined) return result(head, "fail", `no HTTPRoute ${ref}`, { next: `pulumi up -s ${ctx.expectation.stack}` });
        const parents = (r.status?.parents ?? []).filter((p) => gw === undefined || p.parentRef.name === gw.name);
        if (parents.length === 0) return result(head, "fail", "no status from the Gateway's controller (not attached)");
        const problems = parents.flatMap((p) =>
            ["Accepted", "ResolvedRefs"].flatMap((type) => {
                const c = condition({ conditions: p.conditions }, type);
                return c?.status === "True" ? [] : [describeCondition(c, type)];
            }),
        );
        return problems.length === 0 ? result(head, "ok", "Accepted=True, ResolvedRefs=True") : result(head, "fail", problems.join("; "));
    });
}
