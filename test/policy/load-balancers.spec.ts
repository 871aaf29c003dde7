import * as assert from "node:assert/strict";
import { annotationConflicts, attributes, exposure, isPodLevelAnnotation } from "../../policy/load-balancers";

/**
 * Load balancer annotations at their edges: every switch each cloud reads for an internal
 * load balancer, both values of each, and the attribute lists users may extend but never
 * change. Written from the survivors of `npm run mutation` on policy/load-balancers.ts.
 */

const tgAttributes = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
const scheme = "service.beta.kubernetes.io/aws-load-balancer-scheme";

describe("load balancer annotations at their edges", () => {
    it("reads key=value attribute lists, trimmed, skipping empty pieces, pieces without a key and pieces without '='", () => {
        assert.deepEqual(attributes(" a=1, b = 2 ,, =x, c ,d="), { a: "1", b: "2", d: "" });
        assert.deepEqual(attributes(undefined), {});
        assert.deepEqual(attributes(""), {});
        assert.deepEqual(attributes("preserve_client_ip.enabled=true"), { "preserve_client_ip.enabled": "true" });
    });

    it("tells internal from internet-facing by each cloud's switch, and by each switch's other value", () => {
        const cases: [Record<string, string>, string | undefined, "internal" | "internet-facing"][] = [
            [{ [scheme]: "internal" }, undefined, "internal"],
            [{ [scheme]: "internet-facing", "service.beta.kubernetes.io/aws-load-balancer-type": "external" }, undefined, "internet-facing"],
            [{ [scheme]: "internal", "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" }, undefined, "internal"],
            [{ "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }, undefined, "internal"],
            [{ "service.beta.kubernetes.io/aws-load-balancer-internal": "0.0.0.0/0" }, undefined, "internal"],
            [{ "service.beta.kubernetes.io/aws-load-balancer-internal": "false" }, undefined, "internet-facing"],
            [{ "service.beta.kubernetes.io/aws-load-balancer-internal": "" }, undefined, "internet-facing"],
            [{ "service.beta.kubernetes.io/azure-load-balancer-internal": "true" }, undefined, "internal"],
            [{ "service.beta.kubernetes.io/azure-load-balancer-internal": "false" }, undefined, "internet-facing"],
            [{ "networking.gke.io/load-balancer-type": "Internal" }, undefined, "internal"],
            [{ "cloud.google.com/load-balancer-type": "Internal" }, undefined, "internal"],
            [{ "cloud.google.com/load-balancer-type": "External" }, undefined, "internet-facing"],
            [{}, "service.k8s.aws/nlb", "internal"],
            [{}, "example.com/other", "internet-facing"],
            [{ "service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip" }, undefined, "internal"],
            [{ "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" }, undefined, "internet-facing"],
        ];
        for (const [annotations, loadBalancerClass, expected] of cases) {
            assert.equal(exposure(annotations, loadBalancerClass), expected, `${JSON.stringify(annotations)} ${loadBalancerClass ?? ""}`);
        }
    });

    it("knows every pod-level domain, and no key that only looks like one", () => {
        const keys: [string, boolean][] = [
            ["seccomp.security.alpha.kubernetes.io/pod", true],
            ["container.seccomp.security.alpha.kubernetes.io/app", true],
            ["container.apparmor.security.beta.kubernetes.io/app", true],
            ["istio.io/rev", true],
            ["traffic.sidecar.istio.io/includeInboundPorts", true],
            ["notistio.io/x", false],
            ["sidecar.istio.io", false],
            ["proxy.istio.io2", false],
            ["example.com/istio.io", false],
        ];
        assert.deepEqual(keys.map(([k]) => isPodLevelAnnotation(k)), keys.map(([, v]) => v));
    });

    it("names every program attribute a user's list drops or changes, and a plain key by the program's value", () => {
        const program = { [tgAttributes]: "preserve_client_ip.enabled=true,proxy_protocol_v2.enabled=false", [scheme]: "internal" };
        assert.deepEqual(annotationConflicts(program, { [tgAttributes]: "deregistration_delay.timeout_seconds=30" }), [
            { key: tgAttributes, needs: "preserve_client_ip.enabled=true,proxy_protocol_v2.enabled=false" },
        ]);
        assert.deepEqual(annotationConflicts(program, { [tgAttributes]: "proxy_protocol_v2.enabled=false, preserve_client_ip.enabled=true" }), [], "the same attributes in another order");
        assert.deepEqual(annotationConflicts(program, { [scheme]: "internet-facing" }), [{ key: scheme, needs: "internal" }]);
        assert.deepEqual(annotationConflicts(program, { [scheme]: "internal", "external-dns.alpha.kubernetes.io/hostname": "x" }), []);
    });
});
