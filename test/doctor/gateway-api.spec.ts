import * as assert from "node:assert/strict";
import type { DoctorReport } from "../../doctor/report";
import { Bench, checkOf, checksOf, notOk } from "./harness";

/**
 * The doctor on a primary with the Gateway API edge (examples/Pulumi.primary-gateway-api.yaml):
 * the Gateway Programmed with its load balancer's address, istiod's `edge-istio` deployment
 * Ready with its autoscaler and disruption budget, every HTTPRoute accepted, and the probes
 * through the Gateway's load balancer.
 */

const ns = "istio-ingress";

describe("npm run doctor on the Gateway API edge", function () {
    let bench: Bench;
    let healthy: DoctorReport;

    before(async function () {
        this.timeout(120000);
        bench = await Bench.start(["primary-gateway-api"]);
        bench.reset("primary-gateway-api");
        healthy = await bench.run("primary-gateway-api", { only: ["edge"] });
    });
    after(async () => bench?.stop());
    beforeEach(() => bench.reset("primary-gateway-api"));

    async function edge(change: () => void): Promise<DoctorReport> {
        change();
        return bench.run("primary-gateway-api", { probes: false, only: ["edge"] });
    }

    it("passes a healthy Gateway, its deployment and every route, and probes the hosts through it", () => {
        assert.deepEqual(notOk(healthy), []);
        assert.equal(checkOf(healthy, "edge.controller-ready", "gateway-api").expected, "every replica of Deployment edge-istio Ready");
        assert.equal(checkOf(healthy, "edge.hpa", "gateway-api").seen, "min 3, max 10, current 3");
        assert.equal(checkOf(healthy, "edge.gateway-programmed", "istio-ingress/edge").seen, "Programmed=True (Programmed); addresses cluster1-edge.elb.test");
        assert.deepEqual(checksOf(healthy, "edge.route-accepted").map((c) => c.subject).sort(), [
            "admin/admin-example-com",
            "api/api-example-com",
            "api/api-example-com-headers",
            "istio-ingress/https-redirect",
            "secure/secure-example-com",
            "secure/secure-example-com-api",
            "secure/secure-example-com-upload",
            "user/user-example-com",
            "user/user-example-com-static-assets-headers",
        ]);
        assert.deepEqual(checksOf(healthy, "edge.ingress-address"), [], "no Ingress without ingress-nginx");
        assert.equal(checkOf(healthy, "edge.hsts", "user.example.com").status, "ok");
    });

    it("diagnoses 'ingress routing fails' when the Gateway is not Programmed", async () => {
        const r = await edge(() =>
            bench.cluster.edit("gateway.networking.k8s.io/v1", "Gateway", "edge", ns, (g) => {
                g.status = { addresses: [], conditions: [{ type: "Programmed", status: "False", reason: "AddressNotAssigned", message: "Assigned to service(s) edge-istio.istio-ingress.svc.cluster.local:443, but failed to assign to all requested addresses" }] };
            }),
        );
        const c = checkOf(r, "edge.gateway-programmed", "istio-ingress/edge");
        assert.equal(c.status, "fail");
        assert.match(c.seen, /^Programmed=False \(AddressNotAssigned: .*\); addresses none$/);
        assert.deepEqual(r.diagnoses.map((d) => d.title), ["ingress routing fails"]);
    });

    it("fails an HTTPRoute its listener does not accept", async () => {
        const r = await edge(() =>
            bench.cluster.edit("gateway.networking.k8s.io/v1", "HTTPRoute", "api-example-com", "api", (route) => {
                route.status.parents[0].conditions[0] = { type: "Accepted", status: "False", reason: "NotAllowedByListeners", message: "hostnames matched parent hostname but namespace api is not allowed" };
            }),
        );
        const c = checkOf(r, "edge.route-accepted", "api/api-example-com");
        assert.equal(c.status, "fail");
        assert.equal(c.seen, "Accepted=False (NotAllowedByListeners: hostnames matched parent hostname but namespace api is not allowed)");
        assert.equal(c.next, "kubectl --context cluster1 -n api describe httproute api-example-com");
    });

    it("fails when istiod rendered no autoscaler for the Gateway", async () => {
        const r = await edge(() => bench.cluster.remove("autoscaling/v2", "HorizontalPodAutoscaler", "edge-istio", ns));
        assert.equal(checkOf(r, "edge.hpa", "gateway-api").seen, "no HorizontalPodAutoscaler edge-istio in istio-ingress: the edge does not scale");
    });
});
