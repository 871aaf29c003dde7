import { loadBalancerNlbIpTargets, noNodePortServices, noOverlappingPdbs, workloadResourcesSet } from "../../policy/kubernetes";
import { certManager, changed, eastWestGateway, ingressNginx, istiod, nlbAnnotations, T } from "./fixtures";
import { unknownSentinel } from "../../offline/values";
import { assertPasses, assertViolates } from "./support";

describe("policy no-nodeport-services", () => {
    const service = (type: string) => ({ type: T.service, name: "edge", props: { spec: { type, ports: [{ port: 443 }] } } });

    it("passes LoadBalancer and ClusterIP services, and charts with LoadBalancer services", async () => {
        await assertPasses(noNodePortServices, [service("LoadBalancer"), service("ClusterIP"), ingressNginx, eastWestGateway("network1")]);
    });

    it("fails a NodePort service", async () => {
        await assertViolates(noNodePortServices, service("NodePort"),
            "Service 'edge' is of type NodePort; use type LoadBalancer with NLB IP targets (or ClusterIP behind the edge).");
    });

    it("fails a chart whose values make its Service a NodePort", async () => {
        await assertViolates(noNodePortServices, changed(ingressNginx, (p) => (p.values.controller.service.type = "NodePort")),
            "Helm release 'ingress-nginx' (chart ingress-nginx) renders Service ingress-nginx-controller of type NodePort (controller.service.type); use LoadBalancer with NLB IP targets.");
    });

    it("ignores other resource types", async () => {
        await assertPasses(noNodePortServices, { type: "kubernetes:core/v1:ConfigMap", props: { spec: { type: "NodePort" } } });
    });
});

describe("policy load-balancer-nlb-ip-targets", () => {
    const lb = (annotations: Record<string, string>, spec: Record<string, unknown> = { externalTrafficPolicy: "Local" }) => ({
        type: T.service,
        name: "edge",
        props: { metadata: { name: "edge", annotations }, spec: { type: "LoadBalancer", ...spec } },
    });

    it("passes an NLB with IP targets and Local traffic policy, by annotation or by load balancer class", async () => {
        await assertPasses(loadBalancerNlbIpTargets, [
            lb(nlbAnnotations),
            lb({ "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" }, { loadBalancerClass: "service.k8s.aws/nlb", externalTrafficPolicy: "Local" }),
            { type: T.service, name: "internal", props: { spec: { type: "ClusterIP" } } },
            ingressNginx,
            eastWestGateway("network1"),
        ]);
    });

    it("fails a LoadBalancer Service left to the in-tree controller, with instance targets and the Cluster policy", async () => {
        await assertViolates(loadBalancerNlbIpTargets, lb({}, {}),
            "LoadBalancer Service 'edge' must set metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = external (or spec.loadBalancerClass = service.k8s.aws/nlb), so the AWS Load Balancer Controller builds an NLB, metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = ip, so the NLB targets pods directly and spec.externalTrafficPolicy = Local, so client IPs reach the pods (allowlists and rate limits need them).");
    });

    it("fails the east-west gateway's chart Service without externalTrafficPolicy Local", async () => {
        await assertViolates(loadBalancerNlbIpTargets, changed(eastWestGateway("network1"), (p) => delete p.values.service.externalTrafficPolicy),
            "Helm release 'istio-eastwestgateway' (chart gateway) renders LoadBalancer Service istio-eastwestgateway; set service.externalTrafficPolicy = Local, so client IPs reach the pods (allowlists and rate limits need them).");
    });

    it("judges the known annotations when another is unknown during preview", async () => {
        await assertPasses(loadBalancerNlbIpTargets, changed(ingressNginx, (p) => (p.values.controller.service.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = unknownSentinel)));
    });

    it("fails ingress-nginx's Service with instance targets", async () => {
        await assertViolates(loadBalancerNlbIpTargets, changed(ingressNginx, (p) => (p.values.controller.service.annotations = { "service.beta.kubernetes.io/aws-load-balancer-type": "external" })),
            "Helm release 'ingress-nginx' (chart ingress-nginx) renders LoadBalancer Service ingress-nginx-controller; set controller.service.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = ip, so the NLB targets pods directly.");
    });
});

describe("policy workload-resources-set", () => {
    const deployment = (resources: Record<string, unknown>) => ({
        type: T.deployment,
        name: "web",
        props: { metadata: { name: "web" }, spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", resources }] } } } },
    });

    it("passes releases whose values (over the chart defaults) size every workload, and sized plain workloads", async () => {
        await assertPasses(workloadResourcesSet, [istiod, certManager, ingressNginx, eastWestGateway("network1"), deployment({ requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } })]);
    });

    it("fails istiod without a memory limit (the chart only sets requests)", async () => {
        await assertViolates(workloadResourcesSet, changed(istiod, (p) => delete p.values.resources),
            "Helm release 'istiod' (chart istiod) leaves Deployment istiod without limits.memory; set them under resources in the release's values.");
    });

    it("fails a memory limit below the chart's default request, merged as Helm merges values", async () => {
        await assertViolates(workloadResourcesSet, changed(istiod, (p) => (p.values.resources = { limits: { memory: "1Gi" } })),
            "Helm release 'istiod' (chart istiod) sets limits.memory 1Gi below requests.memory 2048Mi for Deployment istiod (the chart's defaults merged in), which the API server rejects; raise the limit or lower the request under resources.");
        await assertViolates(workloadResourcesSet, deployment({ requests: { cpu: "1", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } }),
            "Deployment 'web' container 'app' sets limits.cpu 500m below requests.cpu 1, which the API server rejects; raise the limit or lower the request.");
    });

    it("fails cert-manager's cainjector without resources", async () => {
        await assertViolates(workloadResourcesSet, changed(certManager, (p) => delete p.values.cainjector),
            "Helm release 'cert-manager' (chart cert-manager) leaves Deployment cert-manager-cainjector without requests.cpu, requests.memory and limits.memory; set them under cainjector.resources in the release's values.");
    });

    it("asks for the admission jobs' resources only when the chart runs them", async () => {
        await assertViolates(workloadResourcesSet, changed(ingressNginx, (p) => delete p.values.controller.admissionWebhooks), [
            "Helm release 'ingress-nginx' (chart ingress-nginx) leaves Job ingress-nginx-admission-create without requests.cpu, requests.memory and limits.memory; set them under controller.admissionWebhooks.createSecretJob.resources in the release's values.",
            "Helm release 'ingress-nginx' (chart ingress-nginx) leaves Job ingress-nginx-admission-patch without requests.cpu, requests.memory and limits.memory; set them under controller.admissionWebhooks.patchWebhookJob.resources in the release's values.",
        ]);
        await assertPasses(workloadResourcesSet, [
            changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks = { enabled: false })),
            changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks = { certManager: { enabled: true } })),
        ]);
    });

    it("fails a plain container without requests", async () => {
        await assertViolates(workloadResourcesSet, deployment({ limits: { memory: "128Mi" } }),
            "Deployment 'web' container 'app' has no resources.requests.cpu, resources.requests.memory; set requests and limits on every container.");
    });

    it("asks for CPU limits too when configured to", async () => {
        const sized = deployment({ requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } });
        await assertPasses(workloadResourcesSet, sized);
        await assertViolates(workloadResourcesSet, sized,
            "Deployment 'web' container 'app' has no resources.limits.cpu; set requests and limits on every container.",
            { "workload-resources-set": { requireCpuLimit: true } });
    });
});

describe("policy no-overlapping-pdbs", () => {
    const pdb = (name: string, matchLabels: Record<string, string>, namespace = "istio-system") => ({
        type: T.pdb,
        name,
        props: { metadata: { name, namespace }, spec: { minAvailable: 2, selector: { matchLabels } } },
    });

    it("passes the chart's own istiod PDB alone, and PDBs over different pods", async () => {
        await assertPasses(noOverlappingPdbs, [istiod, eastWestGateway("network1"), pdb("web", { app: "web" }, "apps"), pdb("api", { app: "api" }, "apps")]);
    });

    it("fails the article's extra istiod-pdb next to the PDB the istiod chart renders", async () => {
        await assertViolates(noOverlappingPdbs, [istiod, pdb("istiod-pdb", { app: "istiod" })],
            "The pods of Deployment istiod of Helm release 'istiod' in namespace istio-system are selected by 2 PodDisruptionBudgets (the chart's PodDisruptionBudget for Deployment istiod of Helm release 'istiod' and PodDisruptionBudget 'istiod-pdb'); a pod under two PDBs cannot be evicted. Keep one: configure the chart's own budget through its values and remove the extra one.");
    });

    it("passes the extra PDB when the chart renders none (one guaranteed replica since 1.28)", async () => {
        await assertPasses(noOverlappingPdbs, [changed(istiod, (p) => (p.values.autoscaleMin = 1)), pdb("istiod-pdb", { app: "istiod" })]);
    });

    it("fails two explicit PDBs where one selector includes the other, even without known pods", async () => {
        await assertViolates(noOverlappingPdbs, [pdb("web", { app: "web" }, "apps"), pdb("web-canary", { app: "web", track: "canary" }, "apps")],
            "PodDisruptionBudget 'web' (app=web) and PodDisruptionBudget 'web-canary' (app=web,track=canary) in namespace apps select the same pods; a pod under two PDBs cannot be evicted. Remove one of them.");
    });
});
