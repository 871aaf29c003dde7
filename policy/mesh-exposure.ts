import type { ResourceValidationPolicy } from "@pulumi/policy";
import { addressSet, canonicalProblem, openToEveryone } from "./addresses";
import { chartName, chartServices, releaseType, stringMap, valuesOf } from "./charts";
import { arrayAt, at, forTypes, isRecord, numberOf, objectName, objectNamespace, stringAt, type Json } from "./helpers";
import { exposure, sourceRangesAnnotation } from "./load-balancers";

/**
 * The mesh's exposure: istiod's ports (15012 discovery, 15017 webhooks) and the
 * cross-network port (15443) stay off the open Internet, and mutual TLS is never switched
 * off mesh-wide or on the control plane. Facts: kubernetes-sigs/aws-load-balancer-controller
 * v2.17 (scheme default `internal`; `spec.loadBalancerSourceRanges`, else the
 * `service.beta.kubernetes.io/load-balancer-source-ranges` annotation, become the NLB's
 * security group rules), istio/api PeerAuthentication (a policy without selector in the
 * root namespace is mesh-wide).
 */

const serviceType = "kubernetes:core/v1:Service";
const peerAuthenticationTypes = ["kubernetes:security.istio.io/v1:PeerAuthentication", "kubernetes:security.istio.io/v1beta1:PeerAuthentication"];
const meshPorts = [15012, 15017, 15443];

/** What is wrong with a load balancer's source ranges for a mesh gateway, or undefined. */
function sourceRangeGap(ranges: readonly string[]): string | undefined {
    if (ranges.length === 0) return "no source ranges";
    const set = addressSet(ranges);
    if (set.unreadable.length > 0) return `source ranges that are not addresses (${set.unreadable.join(", ")})`;
    const ambiguous = ranges.flatMap((r) => r.split(",")).map((r) => r.trim()).find((r) => canonicalProblem(r) !== undefined);
    if (ambiguous !== undefined) return `the source range '${ambiguous}' (${canonicalProblem(ambiguous) ?? ""})`;
    const open = openToEveryone(ranges);
    return open === undefined ? undefined : `source ranges open to everyone (${open})`;
}

/**
 * A load balancer in front of the mesh's control and cross-network ports (15012, 15017,
 * 15443) is internal, or internet-facing only with source ranges that name the other
 * clusters (`spec.loadBalancerSourceRanges`, else the annotation the AWS Load Balancer
 * Controller also reads), never everyone however cut. Plain Services and the gateway
 * chart's own Service (a release with `networkGateway`) count alike.
 */
export const meshGatewayNotPublic: ResourceValidationPolicy = {
    name: "mesh-gateway-not-public",
    description: "A load balancer exposing istiod's ports or the mesh's cross-network port is internal, or internet-facing only with source ranges that are not everyone.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([serviceType, releaseType], (props, args, report) => {
        if (args.type === serviceType) {
            if (stringAt(props, "spec.type") !== "LoadBalancer") return;
            const ports = arrayAt(props, "spec.ports").map((p) => numberOf(at(p, "port"))).filter((p): p is number => p !== undefined && meshPorts.includes(p));
            if (ports.length === 0) return;
            const annotations = stringMap(at(props, "metadata.annotations"));
            if (exposure(annotations, stringAt(props, "spec.loadBalancerClass")) === "internal") return;
            const spec = arrayAt(props, "spec.loadBalancerSourceRanges").map(String);
            const annotation = annotations[sourceRangesAnnotation];
            const gap = sourceRangeGap(spec.length > 0 ? spec : annotation !== undefined ? [annotation] : []);
            if (gap !== undefined) {
                report(`LoadBalancer Service '${objectNamespace(props)}/${objectName(props, args.name)}' exposes the mesh's ports ${ports.join(", ")} on an internet-facing load balancer with ${gap}; make it internal (scheme internal) or list the other clusters' egress addresses in spec.loadBalancerSourceRanges.`);
            }
            return;
        }
        const values = valuesOf(props);
        if (chartName(props) !== "gateway" || !stringAt(values, "networkGateway")) return;
        for (const service of chartServices(props, args.name).filter((s) => s.type === "LoadBalancer")) {
            if (exposure(service.annotations, service.loadBalancerClass) === "internal") continue;
            const gap = sourceRangeGap(arrayAt(values, `${service.path}.loadBalancerSourceRanges`).map(String));
            if (gap !== undefined) {
                report(`Helm release '${args.name}' (chart gateway, networkGateway) renders ${service.describe} on an internet-facing load balancer with ${gap}, exposing istiod's ports and the mesh's 15443; make it internal or set ${service.path}.loadBalancerSourceRanges to the other clusters' addresses.`);
            }
        }
    }),
};

/**
 * Mutual TLS is never disabled mesh-wide (a PeerAuthentication without selector in the root
 * namespace with `mtls.mode: DISABLE`) nor on the control plane's namespace (any
 * PeerAuthentication there whose mode, or a port's, is `DISABLE`).
 */
export const meshMtlsNotDisabled: ResourceValidationPolicy = {
    name: "mesh-mtls-not-disabled",
    description: "No PeerAuthentication disables mutual TLS mesh-wide or in the control plane's namespace (mode or port-level DISABLE).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { istioNamespace: { type: "string", default: "istio-system", description: "The root namespace (istiod's), where mesh-wide policies live." } } },
    validateResource: (args, report) => {
        if (!peerAuthenticationTypes.includes(args.type)) return;
        const props = args.props as Json;
        const { istioNamespace } = args.getConfig<{ istioNamespace: string }>();
        if (objectNamespace(props) !== istioNamespace) return;
        const name = `PeerAuthentication '${objectNamespace(props)}/${objectName(props, args.name)}'`;
        const meshWide = !isRecord(at(props, "spec.selector")) || Object.keys(stringMap(at(props, "spec.selector.matchLabels"))).length === 0;
        if (stringAt(props, "spec.mtls.mode") === "DISABLE") {
            report(`${name} disables mutual TLS ${meshWide ? "for the whole mesh" : "on the control plane's namespace"}; use STRICT, or PERMISSIVE while clients outside the mesh remain (meshMtlsMode).`);
        }
        const ports = Object.entries(isRecord(at(props, "spec.portLevelMtls")) ? (at(props, "spec.portLevelMtls") as Json) : {})
            .filter(([, v]) => stringAt(v, "mode") === "DISABLE")
            .map(([p]) => p)
            .sort();
        if (ports.length > 0) report(`${name} disables mutual TLS on port${ports.length > 1 ? "s" : ""} ${ports.join(", ")} in the control plane's namespace; remove the port-level DISABLE.`);
    },
};

/** The mesh's exposure policies, in the order the pack lists them. */
export const meshExposurePolicies = [meshGatewayNotPublic, meshMtlsNotDisabled] as const;
