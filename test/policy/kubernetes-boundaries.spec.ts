import { loadBalancerNlbIpTargets, noNodePortServices, noOverlappingPdbs, workloadResourcesSet } from "../../policy/kubernetes";
import { certManager, changed, eastWestGateway, ingressNginx, istiod, nlbAnnotations, T } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of the Kubernetes rules: each Service type and each type of Service a chart
 * renders, each value of the NLB annotations and traffic policy, limits equal to their
 * requests and one unit below (across unit suffixes), each workload kind, and the replica
 * counts from which each chart renders its own PodDisruptionBudget (more than one
 * guaranteed replica: the gateway's and ingress-nginx's templates, and istiod's since 1.28).
 */

describe("no-nodeport-services: each Service type", () => {
    const service = (type?: string): ResourceArgs => ({ type: T.service, name: "edge", props: { spec: { ...(type ? { type } : {}), ports: [{ port: 443 }] } } });

    it("passes ExternalName and a Service without a type (ClusterIP)", async () => {
        await assertPasses(noNodePortServices, [service("ExternalName"), service()]);
    });

    it("fails the gateway chart's Service made a NodePort", async () => {
        await assertViolates(noNodePortServices, changed(eastWestGateway("network1"), (p) => (p.values.service.type = "NodePort")),
            "Helm release 'istio-eastwestgateway' (chart gateway) renders Service istio-eastwestgateway of type NodePort (service.type); use LoadBalancer with NLB IP targets.");
    });

    it("fails ingress-nginx's internal Service of type NodePort, set or inherited from the external one, and its admission webhook's", async () => {
        const internal = "Helm release 'ingress-nginx' (chart ingress-nginx) renders Service ingress-nginx-controller-internal of type NodePort (controller.service.internal.type); use LoadBalancer with NLB IP targets.";
        await assertViolates(noNodePortServices, changed(ingressNginx, (p) => (p.values.controller.service.internal = { enabled: true, type: "NodePort", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } })), internal);
        await assertViolates(noNodePortServices, changed(ingressNginx, (p) => Object.assign(p.values.controller.service, { type: "NodePort", internal: { enabled: true, annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } } })), [
            "Helm release 'ingress-nginx' (chart ingress-nginx) renders Service ingress-nginx-controller of type NodePort (controller.service.type); use LoadBalancer with NLB IP targets.",
            internal,
        ]);
        await assertPasses(noNodePortServices, changed(ingressNginx, (p) => (p.values.controller.service.internal = { enabled: false, type: "NodePort" })));
        // Without annotations the chart renders no internal Service (controller-service-internal.yaml; rendered with Helm 4.1.4).
        await assertPasses(noNodePortServices, changed(ingressNginx, (p) => (p.values.controller.service.internal = { enabled: true, type: "NodePort" })));
        await assertViolates(noNodePortServices, changed(ingressNginx, (p) => (p.values.controller.admissionWebhooks.service = { type: "NodePort" })),
            "Helm release 'ingress-nginx' (chart ingress-nginx) renders Service ingress-nginx-controller-admission of type NodePort (controller.admissionWebhooks.service.type); use LoadBalancer with NLB IP targets.");
    });
});

describe("load-balancer-nlb-ip-targets: each value of the annotations and the traffic policy", () => {
    const lb = (annotations: Record<string, string>, spec: Record<string, unknown> = { externalTrafficPolicy: "Local" }): ResourceArgs => ({
        type: T.service,
        name: "edge",
        props: { metadata: { name: "edge", annotations }, spec: { type: "LoadBalancer", ...spec } },
    });
    const gaps = (text: string) => `LoadBalancer Service 'edge' must set ${text}.`;
    const nlb = "metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = external (or spec.loadBalancerClass = service.k8s.aws/nlb), so the AWS Load Balancer Controller builds an NLB";

    it("fails the in-tree nlb type and another load balancer class", async () => {
        await assertViolates(loadBalancerNlbIpTargets, lb({ ...nlbAnnotations, "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" }), gaps(nlb));
        const noType = { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" };
        await assertViolates(loadBalancerNlbIpTargets, lb(noType, { loadBalancerClass: "service.k8s.aws/alb", externalTrafficPolicy: "Local" }), gaps(nlb));
    });

    it("fails instance targets", async () => {
        await assertViolates(loadBalancerNlbIpTargets, lb({ ...nlbAnnotations, "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance" }),
            gaps("metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = ip, so the NLB targets pods directly"));
    });

    it("fails externalTrafficPolicy Cluster", async () => {
        await assertViolates(loadBalancerNlbIpTargets, lb(nlbAnnotations, { externalTrafficPolicy: "Cluster" }),
            gaps("spec.externalTrafficPolicy = Local, so client IPs reach the pods (allowlists and rate limits need them)"));
    });

    it("judges only type LoadBalancer", async () => {
        await assertPasses(loadBalancerNlbIpTargets, [lb({}, { type: "NodePort" }), lb({}, { type: "ClusterIP" })]);
    });
});

describe("workload-resources-set at its boundaries", () => {
    const deployment = (resources: Record<string, unknown>, type: string = T.deployment, path: "template" | "cronjob" = "template", list: "containers" | "initContainers" = "containers"): ResourceArgs => {
        const podSpec = { [list]: [{ name: "app", image: "nginx:1.27", resources }] };
        const template = { metadata: { labels: { app: "web" } }, spec: podSpec };
        return { type, name: "web", props: { metadata: { name: "web" }, spec: path === "cronjob" ? { jobTemplate: { spec: { template } } } : { template } } };
    };
    const sized = (requests: Record<string, unknown>, limits: Record<string, unknown>) => deployment({ requests, limits });
    const below = (text: string) => `Deployment 'web' container 'app' sets ${text}, which the API server rejects; raise the limit or lower the request.`;

    it("passes a limit equal to its request in another unit, either way round (2Gi = 2048Mi, 0.5 = 500m, 1 = 1000m, 1e3 = 1k, 128Mi in bytes)", async () => {
        await assertPasses(workloadResourcesSet, [
            sized({ cpu: "500m", memory: "2048Mi" }, { cpu: "0.5", memory: "2Gi" }),
            sized({ cpu: "0.5", memory: "2Gi" }, { cpu: "500m", memory: "2048Mi" }),
            sized({ cpu: 1, memory: "1k" }, { cpu: "1000m", memory: "1e3" }),
            sized({ cpu: "1000m", memory: "1e3" }, { cpu: 1, memory: "1k" }),
            sized({ cpu: "100m", memory: "128Mi" }, { memory: 134217728 }),
            sized({ cpu: "100m", memory: 134217728 }, { memory: "128Mi" }),
        ]);
    });

    it("fails a limit one unit below its request (499m under 0.5, 2047Mi under 2Gi, 1G under 1Gi)", async () => {
        await assertViolates(workloadResourcesSet, sized({ cpu: "0.5", memory: "64Mi" }, { cpu: "499m", memory: "64Mi" }), below("limits.cpu 499m below requests.cpu 0.5"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "2Gi" }, { memory: "2047Mi" }), below("limits.memory 2047Mi below requests.memory 2Gi"));
        await assertViolates(workloadResourcesSet, sized({ cpu: "1", memory: "1Gi" }, { memory: "1G" }), below("limits.memory 1G below requests.memory 1Gi"));
    });

    it("passes istiod's memory limit equal to the chart's request 2048Mi, fails one Mi below", async () => {
        await assertPasses(workloadResourcesSet, changed(istiod, (p) => (p.values.resources = { limits: { memory: "2Gi" } })));
        await assertViolates(workloadResourcesSet, changed(istiod, (p) => (p.values.resources = { limits: { memory: "2047Mi" } })),
            "Helm release 'istiod' (chart istiod) sets limits.memory 2047Mi below requests.memory 2048Mi for Deployment istiod (the chart's defaults merged in), which the API server rejects; raise the limit or lower the request under resources.");
    });

    it("counts an empty string as missing", async () => {
        await assertViolates(workloadResourcesSet, sized({ cpu: "", memory: "64Mi" }, { memory: "128Mi" }), "Deployment 'web' container 'app' has no resources.requests.cpu; set requests and limits on every container.");
    });

    it("judges every workload kind, init containers too, and a CronJob's job template", async () => {
        const missing = (kind: string) => `${kind} 'web' container 'app' has no resources.requests.cpu, resources.requests.memory, resources.limits.memory; set requests and limits on every container.`;
        await assertViolates(workloadResourcesSet, deployment({}, "kubernetes:apps/v1:StatefulSet"), missing("StatefulSet"));
        await assertViolates(workloadResourcesSet, deployment({}, "kubernetes:apps/v1:DaemonSet"), missing("DaemonSet"));
        await assertViolates(workloadResourcesSet, deployment({}, "kubernetes:batch/v1:Job"), missing("Job"));
        await assertViolates(workloadResourcesSet, deployment({}, "kubernetes:batch/v1:CronJob", "cronjob"), missing("CronJob"));
        await assertViolates(workloadResourcesSet, deployment({}, T.deployment, "template", "initContainers"), missing("Deployment"));
    });

    it("with requireCpuLimit, asks a chart for limits.cpu unless its defaults set one (the gateway's 2000m)", async () => {
        const cpu = { "workload-resources-set": { requireCpuLimit: true } };
        await assertPasses(workloadResourcesSet, eastWestGateway("network1"), cpu);
        await assertViolates(workloadResourcesSet, istiod, "Helm release 'istiod' (chart istiod) leaves Deployment istiod without limits.cpu; set them under resources in the release's values.", cpu);
    });
});

describe("no-overlapping-pdbs: the replicas from which each chart renders its own PDB", () => {
    const pdb = (namespace: string, matchLabels: Record<string, string>): ResourceArgs => ({
        type: T.pdb,
        name: "extra",
        props: { metadata: { name: "extra", namespace }, spec: { minAvailable: 1, selector: { matchLabels } } },
    });
    const overlap = (workload: string, release: string, namespace: string) =>
        `The pods of ${workload} of Helm release '${release}' in namespace ${namespace} are selected by 2 PodDisruptionBudgets (the chart's PodDisruptionBudget for ${workload} of Helm release '${release}' and PodDisruptionBudget 'extra'); a pod under two PDBs cannot be evicted. Keep one: configure the chart's own budget through its values and remove the extra one.`;

    it("istiod: a chart PDB from 2 guaranteed replicas on, none for 1 since 1.28, one for 1 up to 1.27", async () => {
        const extra = pdb("istio-system", { app: "istiod" });
        const at = (values: Record<string, unknown>, version = "1.30.3") => changed(istiod, (p) => {
            Object.assign(p.values, values);
            p.version = version;
        });
        await assertViolates(noOverlappingPdbs, [at({ autoscaleMin: 2 }), extra], overlap("Deployment istiod", "istiod", "istio-system"));
        await assertPasses(noOverlappingPdbs, [at({ autoscaleEnabled: false, replicaCount: 1 }, "1.28.0"), extra]);
        await assertViolates(noOverlappingPdbs, [at({ autoscaleEnabled: false, replicaCount: 1 }, "1.27.9"), extra], overlap("Deployment istiod", "istiod", "istio-system"));
        await assertPasses(noOverlappingPdbs, [at({ global: { defaultPodDisruptionBudget: { enabled: false } } }), extra]);
    });

    it("gateway: a chart PDB from 2 guaranteed replicas on (autoscaled or fixed), none for 1 or an empty podDisruptionBudget", async () => {
        const extra = pdb("istio-system", { istio: "eastwestgateway" });
        const gateway = (values: Record<string, unknown>) => changed(eastWestGateway("network1"), (p) => Object.assign(p.values, values));
        const fails = overlap("Deployment istio-eastwestgateway", "istio-eastwestgateway", "istio-system");
        await assertViolates(noOverlappingPdbs, [gateway({ autoscaling: { enabled: true, minReplicas: 2 } }), extra], fails);
        await assertPasses(noOverlappingPdbs, [gateway({ autoscaling: { enabled: true, minReplicas: 1 } }), extra]);
        await assertViolates(noOverlappingPdbs, [gateway({ autoscaling: { enabled: false }, replicaCount: 2 }), extra], fails);
        await assertPasses(noOverlappingPdbs, [gateway({ autoscaling: { enabled: false }, replicaCount: 1 }), extra]);
        await assertPasses(noOverlappingPdbs, [gateway({ podDisruptionBudget: {} }), extra]);
    });

    it("ingress-nginx: a controller PDB from 2 replicas on (HPA, KEDA or replicaCount), none for 1 or a DaemonSet", async () => {
        const extra = pdb("ingress-nginx", { "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/component": "controller" });
        const controller = (values: Record<string, unknown>) => changed(ingressNginx, (p) => Object.assign(p.values.controller, values));
        const fails = overlap("Deployment ingress-nginx-controller", "ingress-nginx", "ingress-nginx");
        await assertViolates(noOverlappingPdbs, [controller({ autoscaling: { enabled: true, minReplicas: 2 } }), extra], fails);
        await assertPasses(noOverlappingPdbs, [controller({ autoscaling: { enabled: true, minReplicas: 1 }, replicaCount: 3 }), extra]);
        await assertViolates(noOverlappingPdbs, [controller({ autoscaling: { enabled: false }, replicaCount: 2 }), extra], fails);
        await assertPasses(noOverlappingPdbs, [controller({ autoscaling: { enabled: false }, replicaCount: 1 }), extra]);
        await assertViolates(noOverlappingPdbs, [controller({ autoscaling: { enabled: false }, keda: { enabled: true, minReplicas: 2 }, replicaCount: 1 }), extra], fails);
        await assertPasses(noOverlappingPdbs, [controller({ autoscaling: { enabled: false }, keda: { enabled: true, minReplicas: 1 }, replicaCount: 3 }), extra]);
        // With both HPA and KEDA on, the template falls back to replicaCount.
        await assertPasses(noOverlappingPdbs, [controller({ autoscaling: { enabled: true, minReplicas: 3 }, keda: { enabled: true, minReplicas: 3 }, replicaCount: 1 }), extra]);
        await assertPasses(noOverlappingPdbs, [controller({ kind: "DaemonSet", autoscaling: { enabled: false }, replicaCount: 3 }), extra]);
    });

    it("cert-manager: a chart PDB when podDisruptionBudget.enabled is true, not false", async () => {
        const extra = pdb("cert-manager", { "app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "cert-manager" });
        await assertViolates(noOverlappingPdbs, [changed(certManager, (p) => (p.values.podDisruptionBudget = { enabled: true })), extra], overlap("Deployment cert-manager", "cert-manager", "cert-manager"));
        await assertPasses(noOverlappingPdbs, [changed(certManager, (p) => (p.values.podDisruptionBudget = { enabled: false })), extra]);
    });

    it("counts every budget over the same pods, and none across namespaces", async () => {
        const second: ResourceArgs = { ...pdb("istio-system", { app: "istiod", istio: "pilot" }), name: "extra-2", props: { metadata: { name: "extra-2", namespace: "istio-system" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "istiod", istio: "pilot" } } } } };
        await assertViolates(noOverlappingPdbs, [istiod, pdb("istio-system", { app: "istiod" }), second],
            "The pods of Deployment istiod of Helm release 'istiod' in namespace istio-system are selected by 3 PodDisruptionBudgets (the chart's PodDisruptionBudget for Deployment istiod of Helm release 'istiod', PodDisruptionBudget 'extra' and PodDisruptionBudget 'extra-2'); a pod under two PDBs cannot be evicted. Keep one: configure the chart's own budget through its values and remove the extra one.");
        await assertPasses(noOverlappingPdbs, [istiod, pdb("istio-control", { app: "istiod" })]);
    });
});
