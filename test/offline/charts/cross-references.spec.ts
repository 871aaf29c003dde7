import * as assert from "node:assert/strict";
import type { RenderedObject } from "../../../offline/charts/objects";
import {
    autoscalerProblems,
    disruptionBudgetProblems,
    injectionTemplates,
    istioGatewayProblems,
    networkPolicyProblems,
    serviceMonitorProblems,
    serviceProblems,
    spreadSelectorProblems,
    trustSubjectProblems,
    virtualServiceProblems,
    type CrossReferenceContext,
} from "../../support/cross-references";
import { rendered, stackFiles, type RenderedStack } from "../../support/render";

/**
 * Cross-references between what the charts render and what the program creates itself,
 * for every stack file of the repository: Services, Gateways, VirtualServices and
 * ServiceMonitors reach pods and ports that exist, HPAs own their targets' replica count,
 * each pod set has at most one PDB, NetworkPolicies and spread selectors select the pods
 * they mean, and the DNS-01 role trusts the service account cert-manager runs as. Each
 * check also fails on a deliberately broken copy of the primary's objects.
 */

/**
 * What a stack's cluster gets that the checks report on purpose. The remote's east-west
 * Service carries the chart's four `networkGateway` ports (as upstream's
 * gen-eastwest-gateway.sh does on every network), but only the primary exposes istiod on
 * 15012 and 15017 (Gateway istiod-gateway): on a remote nothing listens there.
 */
const knownServiceProblems: Readonly<Record<string, readonly string[]>> = {
    remote: [
        "Service istio-system/istio-eastwestgateway port tls-istiod targets 15012, which Deployment istio-system/istio-eastwestgateway does not serve",
        "Service istio-system/istio-eastwestgateway port tls-webhook targets 15017, which Deployment istio-system/istio-eastwestgateway does not serve",
    ],
};

/** The injection templates of the istiod that injects the stack's pods: its own, or (a remote's) the primary's. */
async function contextOf(render: RenderedStack): Promise<CrossReferenceContext> {
    const own = injectionTemplates(render.objects);
    return { injectionTemplates: Object.keys(own).length > 0 ? own : injectionTemplates((await rendered("primary")).objects) };
}

/** The DNS-01 role's trust policy (IRSA), as the program registers it. */
function trustPolicy(render: RenderedStack): string {
    const roles = render.resources.filter((r) => r.type === "aws:iam/role:Role" && r.name === "dns01-role");
    assert.equal(roles.length, 1, "one dns01-role");
    return String(roles[0]!.inputs["assumeRolePolicy"]);
}

describe("cross-references between rendered charts and the program's objects", function () {
    this.timeout(120000);

    for (const { stack } of stackFiles()) {
        describe(stack, () => {
            let render: RenderedStack;
            let cluster: readonly RenderedObject[];
            let context: CrossReferenceContext;
            before(async () => {
                render = await rendered(stack);
                cluster = render.cluster;
                context = await contextOf(render);
            });

            it("Services select rendered pods and target ports those pods serve", () => {
                assert.deepEqual(serviceProblems(cluster, context), knownServiceProblems[stack] ?? []);
            });

            it("Istio Gateways select gateway pods, on ports of their Services; VirtualServices name existing gateways, ports and Services", () => {
                assert.deepEqual([...istioGatewayProblems(cluster), ...virtualServiceProblems(cluster)], []);
            });

            it("ServiceMonitors select Services with the ports they scrape", () => {
                assert.deepEqual(serviceMonitorProblems(cluster, context), []);
            });

            it("HPAs target existing Deployments that render no replicas", () => {
                assert.deepEqual(autoscalerProblems(cluster), []);
            });

            it("PDBs select pods, at most one per pod set", () => {
                assert.deepEqual(disruptionBudgetProblems(cluster), []);
            });

            it("NetworkPolicies select their pods and admit ports those pods serve", () => {
                assert.deepEqual(networkPolicyProblems(cluster, context), []);
            });

            it("anti-affinity and topology spread selectors select their own pods", () => {
                assert.deepEqual(spreadSelectorProblems(cluster), []);
            });

            it("the DNS-01 role trusts the service account the cert-manager controller runs as", () => {
                assert.deepEqual(trustSubjectProblems(trustPolicy(render), cluster), []);
                const sub = Object.entries((JSON.parse(trustPolicy(render)) as { Statement: { Condition: { StringEquals: Record<string, string> } }[] }).Statement[0]!.Condition.StringEquals).find(([k]) => k.endsWith(":sub"))?.[1];
                const controller = render.release("cert-manager-release").one("Deployment", "cert-manager", "cert-manager");
                assert.equal(sub, `system:serviceaccount:cert-manager:${controller.spec!.template.spec!.serviceAccountName!}`);
            });
        });
    }

    describe("each check reports a broken object list", () => {
        let cluster: readonly RenderedObject[];
        let context: CrossReferenceContext;
        let trust: string;
        before(async () => {
            const render = await rendered("primary");
            cluster = render.cluster;
            context = await contextOf(render);
            trust = trustPolicy(render);
        });

        /** The objects with one (a deep copy) changed. */
        const broken = (kind: string, name: string, change: (o: any) => void): RenderedObject[] => {
            let found = 0;
            const out = cluster.map((o) => {
                if (o.kind !== kind || o.metadata.name !== name) return o;
                found++;
                const copy = structuredClone(o) as any;
                change(copy);
                return copy as RenderedObject;
            });
            assert.ok(found > 0, `no ${kind} ${name} to break`);
            return out;
        };

        it("a Service selecting nothing, or targeting a port its pods do not serve", () => {
            assert.deepEqual(serviceProblems(broken("Service", "istiod", (s) => (s.spec.selector.app = "istio-d")), context), ["Service istio-system/istiod selects no pod (selector app=istio-d,istio=pilot)"]);
            assert.deepEqual(serviceProblems(broken("Service", "ingress-nginx-controller", (s) => (s.spec.ports[1].targetPort = "tls")), context), [
                "Service ingress-nginx/ingress-nginx-controller port https targets tls, which Deployment ingress-nginx/ingress-nginx-controller does not serve",
            ]);
            assert.deepEqual(serviceProblems(broken("Service", "istio-eastwestgateway", (s) => (s.spec.ports[0].targetPort = 15020)), context), [
                "Service istio-system/istio-eastwestgateway port status-port targets 15020, which Deployment istio-system/istio-eastwestgateway does not serve",
            ]);
            // Without the injection template, the gateway's status port (the injected proxy's readiness probe) is unknown.
            assert.ok(serviceProblems(cluster, {}).includes("Service istio-system/istio-eastwestgateway port status-port targets 15021, which Deployment istio-system/istio-eastwestgateway does not serve"));
        });

        it("a Gateway on a port no Service carries, a VirtualService naming a missing gateway, port or Service", () => {
            assert.deepEqual(istioGatewayProblems(broken("Gateway", "cross-network-gateway", (g) => (g.spec.servers[0].port.number = 15444))), [
                "Gateway istio-system/cross-network-gateway server port tls (15444) is no port of a Service of Deployment istio-system/istio-eastwestgateway",
            ]);
            assert.deepEqual(istioGatewayProblems(broken("Gateway", "istiod-gateway", (g) => (g.spec.selector = { istio: "ingressgateway" }))), ["Gateway istio-system/istiod-gateway selects no pod (selector istio=ingressgateway)"]);
            assert.deepEqual(virtualServiceProblems(broken("VirtualService", "istiod-vs", (v) => (v.spec.tls[1].route[0].destination.port.number = 15017))), [
                "VirtualService istio-system/istiod-vs routes to istiod.istio-system.svc.cluster.local port 15017, which Service istio-system/istiod does not have",
            ]);
            assert.deepEqual(virtualServiceProblems(broken("VirtualService", "istiod-vs", (v) => (v.spec.tls[0].match[0].port = 15443))), ["VirtualService istio-system/istiod-vs matches port 15443, which no server of istiod-gateway has"]);
            assert.deepEqual(virtualServiceProblems(broken("VirtualService", "istiod-vs", (v) => (v.spec.gateways = ["istio-system/istiod-gw"]))), ["VirtualService istio-system/istiod-vs names gateway istio-system/istiod-gw, which does not exist"]);
        });

        it("a ServiceMonitor on a port name its Services lack, or selecting no Service", () => {
            assert.deepEqual(serviceMonitorProblems(broken("ServiceMonitor", "istiod", (m) => (m.spec.endpoints[0].port = "monitoring")), context), [
                "ServiceMonitor istio-system/istiod scrapes port monitoring, which none of Service istio-system/istiod has",
            ]);
            assert.deepEqual(serviceMonitorProblems(broken("ServiceMonitor", "istiod", (m) => (m.spec.namespaceSelector.matchNames = ["istiod"])), context), ["ServiceMonitor istio-system/istiod selects no Service (selector app=istiod,istio=pilot)"]);
            assert.deepEqual(serviceMonitorProblems(broken("ServiceMonitor", "cert-manager", (m) => (m.spec.endpoints[0].targetPort = "metrics")), context), [
                "ServiceMonitor cert-manager/cert-manager scrapes target port metrics, which no pod of Service cert-manager/cert-manager-cainjector, Service cert-manager/cert-manager, Service cert-manager/cert-manager-webhook serves",
            ]);
        });

        it("an HPA over a Deployment that renders replicas, or over none", () => {
            assert.deepEqual(autoscalerProblems(broken("Deployment", "ingress-nginx-controller", (d) => (d.spec.replicas = 3))), [
                "HorizontalPodAutoscaler ingress-nginx/ingress-nginx-controller scales Deployment ingress-nginx/ingress-nginx-controller, which sets replicas: 3 (every Helm upgrade resets the HPA's count to it)",
            ]);
            assert.deepEqual(autoscalerProblems(broken("HorizontalPodAutoscaler", "istio-eastwestgateway", (h) => ((h.spec.scaleTargetRef.name = "eastwestgateway"), (h.spec.minReplicas = 6)))), [
                "HorizontalPodAutoscaler istio-system/istio-eastwestgateway scales Deployment eastwestgateway, which does not exist",
                "HorizontalPodAutoscaler istio-system/istio-eastwestgateway has minReplicas 6 above maxReplicas 5",
            ]);
        });

        it("a second PDB over istiod (the article's istiod-pdb), and a PDB over nothing", () => {
            const articlePdb = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "istiod-pdb", namespace: "istio-system" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "istiod" } } } };
            assert.deepEqual(disruptionBudgetProblems([...cluster, articlePdb]), ["Deployment istio-system/istiod is under 2 PodDisruptionBudgets (PodDisruptionBudget istio-system/istiod, PodDisruptionBudget istio-system/istiod-pdb): its pods cannot be evicted"]);
            assert.deepEqual(disruptionBudgetProblems(broken("PodDisruptionBudget", "istio-eastwestgateway", (b) => (b.spec.selector.matchLabels.istio = "eastwest"))), [
                "PodDisruptionBudget istio-system/istio-eastwestgateway selects no pod (selector app=istio-eastwestgateway,istio=eastwest)",
            ]);
        });

        it("a NetworkPolicy admitting a port its pods do not serve, or selecting no pod", () => {
            assert.deepEqual(networkPolicyProblems(broken("NetworkPolicy", "ingress-nginx-controller", (n) => (n.spec.ingress[2].ports[0].port = 9443)), context), [
                "NetworkPolicy ingress-nginx/ingress-nginx-controller admits port 9443, which Deployment ingress-nginx/ingress-nginx-controller does not serve",
            ]);
            assert.deepEqual(networkPolicyProblems(broken("NetworkPolicy", "ingress-nginx-controller", (n) => (n.spec.podSelector.matchLabels["app.kubernetes.io/component"] = "default-backend")), context), [
                "NetworkPolicy ingress-nginx/ingress-nginx-controller selects no pod (selector app.kubernetes.io/component=default-backend,app.kubernetes.io/instance=ingress-nginx,app.kubernetes.io/name=ingress-nginx)",
            ]);
        });

        it("an anti-affinity or spread selector that selects other pods", () => {
            assert.deepEqual(spreadSelectorProblems(broken("Deployment", "istiod", (d) => (d.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels.app = "pilot"))), [
                "Deployment istio-system/istiod: required anti-affinity term 0 (kubernetes.io/hostname) selects app=pilot, not its own pods",
            ]);
            assert.deepEqual(spreadSelectorProblems(broken("Deployment", "ingress-nginx-controller", (d) => (d.spec.template.spec.topologySpreadConstraints[1].labelSelector.matchLabels["app.kubernetes.io/instance"] = "edge"))), [
                "Deployment ingress-nginx/ingress-nginx-controller: topology spread constraint 1 (topology.kubernetes.io/zone) selects app.kubernetes.io/component=controller,app.kubernetes.io/instance=edge,app.kubernetes.io/name=ingress-nginx, not its own pods",
            ]);
        });

        it("a trust policy naming a service account that is not deployed, or that no pod runs as", () => {
            assert.deepEqual(trustSubjectProblems(trust.replace("system:serviceaccount:cert-manager:cert-manager", "system:serviceaccount:cert-manager:cert-manager-controller"), cluster), [
                "trust subject system:serviceaccount:cert-manager:cert-manager-controller: no ServiceAccount cert-manager/cert-manager-controller is deployed",
            ]);
            assert.deepEqual(trustSubjectProblems(trust.replace("system:serviceaccount:cert-manager:cert-manager", "system:serviceaccount:cert-manager:cert-manager-startupapicheck"), broken("Job", "cert-manager-startupapicheck", (j) => (j.spec.template.spec.serviceAccountName = "default"))), [
                "trust subject system:serviceaccount:cert-manager:cert-manager-startupapicheck: no pod runs as ServiceAccount cert-manager/cert-manager-startupapicheck",
            ]);
        });
    });
});
