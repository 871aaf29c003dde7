import { noNodePortServices } from "../../policy/kubernetes";
import { assertPasses, assertViolates } from "./support";

describe("policy no-nodeport-services", () => {
    const service = (type: string) => ({ type: "kubernetes:core/v1:Service", name: "edge", props: { spec: { type, ports: [{ port: 443 }] } } });

    it("passes LoadBalancer and ClusterIP services", async () => {
        await assertPasses(noNodePortServices, [service("LoadBalancer"), service("ClusterIP")]);
    });

    it("fails a NodePort service", async () => {
        await assertViolates(noNodePortServices, service("NodePort"),
            "Service 'edge' is of type NodePort; use type LoadBalancer with NLB IP targets (or ClusterIP behind the edge).");
    });

    it("ignores other resource types", async () => {
        await assertPasses(noNodePortServices, { type: "kubernetes:core/v1:ConfigMap", props: { spec: { type: "NodePort" } } });
    });
});
