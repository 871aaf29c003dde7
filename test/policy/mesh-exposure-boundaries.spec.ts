import { meshGatewayNotPublic, meshMtlsNotDisabled } from "../../policy/mesh-exposure";
import { changed, eastWestGateway, nlbAnnotations } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of the mesh's exposure: each mesh port on its own and the ports beside them,
 * each way a Service says who reaches it, and every mTLS mode a PeerAuthentication can
 * set mesh-wide and per port (STRICT, PERMISSIVE, DISABLE, UNSET).
 */

const internetFacing = { ...nlbAnnotations, "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" };

/** A plain LoadBalancer Service in istio-system on the given ports. */
const service = (ports: readonly number[], annotations: Record<string, string> = internetFacing, spec: Record<string, unknown> = {}): ResourceArgs => ({
    type: "kubernetes:core/v1:Service",
    name: "eastwest",
    props: { metadata: { name: "eastwest", namespace: "istio-system", annotations }, spec: { type: "LoadBalancer", ports: ports.map((port) => ({ port })), ...spec } },
});
const exposed = (ports: string, gap: string) =>
    `LoadBalancer Service 'istio-system/eastwest' exposes the mesh's ports ${ports} on an internet-facing load balancer with ${gap}; make it internal (scheme internal) or list the other clusters' egress addresses in spec.loadBalancerSourceRanges.`;

describe("mesh-gateway-not-public at its boundaries", () => {
    it("judges each mesh port on its own (15012, 15017, 15443), not the status port 15021 nor the ports beside them", async () => {
        for (const port of [15012, 15017, 15443]) {
            await assertViolates(meshGatewayNotPublic, service([port]), exposed(String(port), "no source ranges"));
        }
        await assertPasses(meshGatewayNotPublic, [service([15021]), service([15011]), service([15013]), service([15016]), service([15018]), service([15442]), service([15444])]);
    });

    it("judges LoadBalancer Services only, not NodePort or ClusterIP ones on the same ports", async () => {
        await assertPasses(meshGatewayNotPublic, [service([15443], internetFacing, { type: "NodePort" }), service([15443], internetFacing, { type: "ClusterIP" })]);
    });

    it("passes the scheme internal, and the AWS Load Balancer Controller's default (internal) without a scheme; fails the in-tree default (internet-facing)", async () => {
        await assertPasses(meshGatewayNotPublic, [service([15443], { ...nlbAnnotations, "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }), service([15443], { "service.beta.kubernetes.io/aws-load-balancer-type": "external" })]);
        await assertViolates(meshGatewayNotPublic, service([15443], {}), exposed("15443", "no source ranges"));
    });

    it("passes source ranges naming other clusters, fails 0.0.0.0/0 and ::/0", async () => {
        await assertPasses(meshGatewayNotPublic, service([15443], internetFacing, { loadBalancerSourceRanges: ["203.0.113.0/24", "2001:db8::/32"] }));
        await assertViolates(meshGatewayNotPublic, service([15443], internetFacing, { loadBalancerSourceRanges: ["0.0.0.0/0"] }), exposed("15443", "source ranges open to everyone (0.0.0.0/0 covers all of IPv4)"));
        await assertViolates(meshGatewayNotPublic, service([15443], internetFacing, { loadBalancerSourceRanges: ["::/0"] }), exposed("15443", "source ranges open to everyone (::/0 covers all of IPv4 and IPv6)"));
    });

    it("reads spec.loadBalancerSourceRanges before the annotation, and the annotation when the spec has none", async () => {
        const annotated = (ranges: string) => ({ ...internetFacing, "service.beta.kubernetes.io/load-balancer-source-ranges": ranges });
        await assertPasses(meshGatewayNotPublic, service([15443], annotated("0.0.0.0/0"), { loadBalancerSourceRanges: ["203.0.113.0/24"] }));
        await assertPasses(meshGatewayNotPublic, service([15443], annotated("203.0.113.0/24")));
        await assertViolates(meshGatewayNotPublic, service([15443], annotated("203.0.113.0/24"), { loadBalancerSourceRanges: ["0.0.0.0/0"] }), exposed("15443", "source ranges open to everyone (0.0.0.0/0 covers all of IPv4)"));
    });

    it("judges the gateway chart's Service only with networkGateway set, and only as a LoadBalancer", async () => {
        const open = (change: (values: any) => void) => changed(eastWestGateway("network1"), (p) => {
            p.values.service.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] = "internet-facing";
            change(p.values);
        });
        await assertPasses(meshGatewayNotPublic, [open((v) => delete v.networkGateway), open((v) => (v.service.type = "ClusterIP")), open((v) => (v.service.loadBalancerSourceRanges = ["203.0.113.0/24"]))]);
        await assertViolates(meshGatewayNotPublic, open((v) => (v.service.loadBalancerSourceRanges = ["0.0.0.0/0"])),
            "Helm release 'istio-eastwestgateway' (chart gateway, networkGateway) renders Service istio-eastwestgateway on an internet-facing load balancer with source ranges open to everyone (0.0.0.0/0 covers all of IPv4), exposing istiod's ports and the mesh's 15443; make it internal or set service.loadBalancerSourceRanges to the other clusters' addresses.");
    });
});

describe("mesh-mtls-not-disabled at its boundaries", () => {
    const peer = (spec: Record<string, unknown>, namespace = "istio-system", name = "default", type = "kubernetes:security.istio.io/v1:PeerAuthentication"): ResourceArgs => ({ type, name, props: { metadata: { name, namespace }, spec } });
    const meshWide = "PeerAuthentication 'istio-system/default' disables mutual TLS for the whole mesh; use STRICT, or PERMISSIVE while clients outside the mesh remain (meshMtlsMode).";
    const onPorts = (ports: string, name = "default") => `PeerAuthentication 'istio-system/${name}' disables mutual TLS on ${ports} in the control plane's namespace; remove the port-level DISABLE.`;

    it("passes mesh-wide STRICT, PERMISSIVE and UNSET, and no mode; fails DISABLE", async () => {
        await assertPasses(meshMtlsNotDisabled, [peer({ mtls: { mode: "STRICT" } }), peer({ mtls: { mode: "PERMISSIVE" } }), peer({ mtls: { mode: "UNSET" } }), peer({})]);
        await assertViolates(meshMtlsNotDisabled, peer({ mtls: { mode: "DISABLE" } }), meshWide);
    });

    it("passes port-level STRICT, PERMISSIVE and UNSET; fails DISABLE, naming each disabled port in order", async () => {
        await assertPasses(meshMtlsNotDisabled, peer({ mtls: { mode: "STRICT" }, portLevelMtls: { "15010": { mode: "STRICT" }, "15014": { mode: "PERMISSIVE" }, "8080": { mode: "UNSET" } } }));
        await assertViolates(meshMtlsNotDisabled, peer({ mtls: { mode: "STRICT" }, portLevelMtls: { "15014": { mode: "DISABLE" }, "15010": { mode: "DISABLE" }, "8080": { mode: "STRICT" } } }), onPorts("ports 15010, 15014"));
        await assertViolates(meshMtlsNotDisabled, peer({ mtls: { mode: "DISABLE" }, portLevelMtls: { "15010": { mode: "DISABLE" } } }), [meshWide, onPorts("port 15010")]);
    });

    it("speaks of the whole mesh for a policy without selector or with empty matchLabels, of the namespace for a selected workload", async () => {
        await assertViolates(meshMtlsNotDisabled, peer({ selector: { matchLabels: {} }, mtls: { mode: "DISABLE" } }), meshWide);
        await assertViolates(meshMtlsNotDisabled, peer({ selector: { matchLabels: { app: "istiod" } }, mtls: { mode: "DISABLE" } }, "istio-system", "istiod"),
            "PeerAuthentication 'istio-system/istiod' disables mutual TLS on the control plane's namespace; use STRICT, or PERMISSIVE while clients outside the mesh remain (meshMtlsMode).");
    });

    it("judges the root namespace only, the configured one when set, at v1 and v1beta1", async () => {
        await assertPasses(meshMtlsNotDisabled, peer({ mtls: { mode: "DISABLE" } }, "istio-systems"));
        await assertViolates(meshMtlsNotDisabled, peer({ mtls: { mode: "DISABLE" } }, "istio-system", "default", "kubernetes:security.istio.io/v1beta1:PeerAuthentication"), meshWide);
        const control = { "mesh-mtls-not-disabled": { istioNamespace: "istio-control" } };
        await assertPasses(meshMtlsNotDisabled, peer({ mtls: { mode: "DISABLE" } }), control);
        await assertViolates(meshMtlsNotDisabled, peer({ mtls: { mode: "DISABLE" } }, "istio-control"),
            "PeerAuthentication 'istio-control/default' disables mutual TLS for the whole mesh; use STRICT, or PERMISSIVE while clients outside the mesh remain (meshMtlsMode).", control);
    });
});
