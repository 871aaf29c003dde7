import * as assert from "node:assert/strict";
import { eastWestServiceArgs } from "../../components/mesh/east-west-gateway";
import { meshMtlsObject } from "../../components/mesh/istio-primary";
import { awsNlbIpAnnotations } from "../../config/settings/mesh";
import { meshGatewayNotPublic, meshMtlsNotDisabled } from "../../policy/mesh-exposure";
import { policies } from "../../policy/policies";
import { changed, eastWestGateway } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/** The mesh's exposure: the program's east-west Service and PeerAuthentication pass; the hand edits the issue lists fail. */

const eastWest = (annotations: Record<string, string>, sourceRanges?: string[]): ResourceArgs => ({
    type: "kubernetes:core/v1:Service",
    name: "eastwest-service",
    props: eastWestServiceArgs({ namespace: "istio-system", network: "network1", serviceAnnotations: annotations, externalTrafficPolicy: "Local", ...(sourceRanges ? { sourceRanges } : {}) }) as Record<string, unknown>,
});
const internetFacing = { ...awsNlbIpAnnotations, "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" };
const peer = (props: unknown): ResourceArgs => ({ type: "kubernetes:security.istio.io/v1:PeerAuthentication", name: "default", props: props as Record<string, unknown> });

describe("mesh exposure policies", () => {
    it("are in the pack", () => {
        for (const p of [meshGatewayNotPublic, meshMtlsNotDisabled]) assert.ok(policies.includes(p), p.name);
    });

    describe("mesh-gateway-not-public", () => {
        it("passes the default internal NLB, and an internet-facing one limited to the other clusters", async () => {
            assert.equal(awsNlbIpAnnotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internal");
            await assertPasses(meshGatewayNotPublic, [eastWest(awsNlbIpAnnotations), eastWestGateway("network1")]);
            await assertPasses(meshGatewayNotPublic, eastWest(internetFacing, ["203.0.113.0/24"]));
        });

        it("fails an internet-facing east-west NLB without source ranges, or with everyone in two halves", async () => {
            await assertViolates(
                meshGatewayNotPublic,
                eastWest(internetFacing),
                "LoadBalancer Service 'istio-system/istio-eastwestgateway' exposes the mesh's ports 15443, 15012, 15017 on an internet-facing load balancer with no source ranges; make it internal (scheme internal) or list the other clusters' egress addresses in spec.loadBalancerSourceRanges.",
            );
            await assertViolates(
                meshGatewayNotPublic,
                eastWest(internetFacing, ["0.0.0.0/1", "128.0.0.0/1"]),
                "LoadBalancer Service 'istio-system/istio-eastwestgateway' exposes the mesh's ports 15443, 15012, 15017 on an internet-facing load balancer with source ranges open to everyone (0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4); make it internal (scheme internal) or list the other clusters' egress addresses in spec.loadBalancerSourceRanges.",
            );
            await assertViolates(
                meshGatewayNotPublic,
                eastWest({ ...internetFacing, "service.beta.kubernetes.io/load-balancer-source-ranges": "010.0.0.0/8" }),
                "LoadBalancer Service 'istio-system/istio-eastwestgateway' exposes the mesh's ports 15443, 15012, 15017 on an internet-facing load balancer with the source range '010.0.0.0/8' (expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal)); make it internal (scheme internal) or list the other clusters' egress addresses in spec.loadBalancerSourceRanges.",
            );
        });

        it("fails the gateway chart's own Service made internet-facing", async () => {
            await assertViolates(
                meshGatewayNotPublic,
                changed(eastWestGateway("network1"), (p) => (p.values.service.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] = "internet-facing")),
                "Helm release 'istio-eastwestgateway' (chart gateway, networkGateway) renders Service istio-eastwestgateway on an internet-facing load balancer with no source ranges, exposing istiod's ports and the mesh's 15443; make it internal or set service.loadBalancerSourceRanges to the other clusters' addresses.",
            );
        });
    });

    describe("mesh-mtls-not-disabled", () => {
        it("passes the program's STRICT and PERMISSIVE modes, and a DISABLE outside the control plane", async () => {
            await assertPasses(meshMtlsNotDisabled, [peer(meshMtlsObject("STRICT")), peer(meshMtlsObject("PERMISSIVE"))]);
            await assertPasses(meshMtlsNotDisabled, peer({ metadata: { name: "legacy", namespace: "legacy" }, spec: { mtls: { mode: "DISABLE" } } }));
        });

        it("fails mTLS disabled mesh-wide, and a port-level disable on the control plane", async () => {
            await assertViolates(meshMtlsNotDisabled, peer({ ...meshMtlsObject("STRICT"), spec: { mtls: { mode: "DISABLE" } } }), "PeerAuthentication 'istio-system/default' disables mutual TLS for the whole mesh; use STRICT, or PERMISSIVE while clients outside the mesh remain (meshMtlsMode).");
            await assertViolates(
                meshMtlsNotDisabled,
                peer({ metadata: { name: "istiod", namespace: "istio-system" }, spec: { selector: { matchLabels: { app: "istiod" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "15010": { mode: "DISABLE" } } } }),
                "PeerAuthentication 'istio-system/istiod' disables mutual TLS on port 15010 in the control plane's namespace; remove the port-level DISABLE.",
            );
        });
    });
});
