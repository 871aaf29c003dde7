import * as k8s from "@pulumi/kubernetes";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/**
 * No Service of type NodePort: the article's anti-pattern (an external load balancer in
 * front of node ports) adds a hop through kube-proxy and makes every node a failure
 * point. Load balancers target pods directly instead.
 */
export const noNodePortServices: ResourceValidationPolicy = {
    name: "no-nodeport-services",
    description: "No Service of type NodePort: traffic reaches pods through a LoadBalancer with IP targets, not through node ports.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.core.v1.Service, (service, args, reportViolation) => {
        if (service.spec?.type === "NodePort") {
            reportViolation(`Service '${args.name}' is of type NodePort; use type LoadBalancer with NLB IP targets (or ClusterIP behind the edge).`);
        }
    }),
};
