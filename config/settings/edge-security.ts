import { z } from "zod";
import { annotationConflicts, awsNlbEdgeAnnotations, awsNlbEdgeReasons, isPodLevelAnnotation, sourceRangesAnnotation } from "../../policy/load-balancers";
import { controlPlaneReason } from "../../policy/control-plane";
import { invalid } from "../problems";
import { setting, type CrossRule, type Problem } from "../setting";
import { sourceRangesProblems } from "../validators";
import type { EdgeHost, SecurityProfile } from "./edge";

/**
 * What the edge's settings may not do, whatever else they say: open an allowlisted path
 * without saying so, weaken HSTS on one path, route a public host into the control plane,
 * or override the annotations the program sets for security. Each rule names the setting
 * and what to change; the policy pack checks the same on the objects (policy/edge-security.ts).
 */

/** `namespace/service` as `edgeControlPlaneBackends` lists it. */
const backendName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    error: "expected namespace/service, such as monitoring/grafana",
});

export const edgeSecuritySettings = {
    edgeControlPlaneBackends: setting<string[]>({
        key: "edgeControlPlaneBackends",
        area: "edge",
        type: "array",
        items: "string",
        default: [],
        description:
            "Backends in the control plane's namespaces (kube-system, kube-public, kube-node-lease, istio-system, cert-manager, the edge's own namespace, and default/kubernetes) that edgeHosts may route to anyway, each named `namespace/service`. Empty: none. The policy pack's `routes-avoid-control-plane` must allow the same backends (`allowedBackends`).",
        schema: z.array(backendName, { error: "expected a list of namespace/service names" }),
    }),
};

const hstsHeader = "strict-transport-security";

function profileNamed(profiles: readonly SecurityProfile[], name: string | undefined): SecurityProfile | undefined {
    return name === undefined ? undefined : profiles.find((p) => p.name === name);
}

/** Rules across the edge's security settings. */
export const edgeSecurityRules: readonly CrossRule[] = [
    {
        // HSTS comes from the controller's settings only; a path cannot weaken it.
        keys: ["edgeHosts"],
        check: (v) =>
            (v["edgeHosts"] as EdgeHost[]).flatMap((h, i) =>
                h.paths.flatMap((p, j) =>
                    Object.entries(p.responseHeaders ?? {})
                        .filter(([name]) => name.toLowerCase() === hstsHeader)
                        .map(([name, value]) =>
                            invalid(
                                `edgeHosts[${i}].paths[${j}].responseHeaders.${name}`,
                                value,
                                "expected no Strict-Transport-Security header on a path: HSTS comes only from edgeHstsMaxAge, edgeHstsIncludeSubdomains and edgeHstsPreload, the same for every path (one weaker path weakens the whole host)",
                            ),
                        ),
                ),
            ),
    },
    {
        // A path of an allowlisted host is public only when it says so.
        keys: ["edgeHosts", "edgeSecurityProfiles"],
        check: (v) => {
            const profiles = v["edgeSecurityProfiles"] as SecurityProfile[];
            const problems: Problem[] = [];
            (v["edgeHosts"] as EdgeHost[]).forEach((h, i) => {
                const hostAllowlist = profileNamed(profiles, h.profile)?.allowlist;
                h.paths.forEach((p, j) => {
                    if (p.public !== true) return;
                    const pathProfile = p.profile !== h.profile ? profileNamed(profiles, p.profile) : undefined;
                    if (pathProfile?.allowlist !== undefined) {
                        problems.push(invalid(`edgeHosts[${i}].paths[${j}].public`, true, `expected no public: true on a path whose profile '${pathProfile.name}' has an allowlist; drop one of them`));
                    } else if (hostAllowlist === undefined) {
                        problems.push(invalid(`edgeHosts[${i}].paths[${j}].public`, true, `expected public: true only on a path of a host with an allowlist: ${h.host} has none, so the path is public already`));
                    }
                });
            });
            return problems;
        },
    },
    {
        keys: ["edgeHosts", "edgeNamespace", "edgeControlPlaneBackends"],
        check: (v) => {
            const allowed = v["edgeControlPlaneBackends"] as string[];
            const edgeNamespace = v["edgeNamespace"] as string;
            const problems: Problem[] = [];
            const used = new Set<string>();
            (v["edgeHosts"] as EdgeHost[]).forEach((h, i) => {
                h.paths.forEach((p, j) => {
                    const backend = `${p.namespace ?? h.namespace}/${p.service}`;
                    const reason = controlPlaneReason(p.namespace ?? h.namespace, p.service, [edgeNamespace]);
                    if (reason === undefined) return;
                    used.add(backend);
                    if (!allowed.includes(backend)) {
                        problems.push(
                            invalid(
                                `edgeHosts[${i}].paths[${j}].service`,
                                backend,
                                `expected a backend outside the control plane: ${backend.split("/")[0]} is ${reason}; a public host routed there exposes it to the Internet (to route there anyway, list '${backend}' in edgeControlPlaneBackends)`,
                            ),
                        );
                    }
                });
            });
            allowed.forEach((b, i) => {
                if (!used.has(b)) problems.push(invalid(`edgeControlPlaneBackends[${i}]`, b, "expected a control-plane backend that a path of edgeHosts routes to (remove allowances nobody uses)"));
            });
            return problems;
        },
    },
    {
        keys: ["edgeServiceAnnotations", "edgeLoadBalancer"],
        check: (v) => {
            const annotations = v["edgeServiceAnnotations"] as Record<string, string>;
            const problems: Problem[] = [];
            for (const key of Object.keys(annotations).filter(isPodLevelAnnotation).sort()) {
                problems.push(
                    invalid(
                        `edgeServiceAnnotations.${key}`,
                        annotations[key],
                        "expected Service and load balancer annotations only: this is an Istio or pod-level annotation, and on the Gateway API edge istiod copies these annotations onto the gateway's pods (proxy.istio.io/config would set the trusted proxy hops, so clients could choose their own address)",
                    ),
                );
            }
            if (v["edgeLoadBalancer"] === "aws-nlb") {
                for (const c of annotationConflicts(awsNlbEdgeAnnotations, annotations)) {
                    problems.push(invalid(`edgeServiceAnnotations.${c.key}`, annotations[c.key], `expected ${c.needs} (or no such annotation): edgeLoadBalancer aws-nlb sets it so that ${awsNlbEdgeReasons[c.key] ?? "the edge stays protected"}`));
                }
            }
            problems.push(...sourceRangesProblems(`edgeServiceAnnotations.${sourceRangesAnnotation}`, annotations[sourceRangesAnnotation], "the networks that may reach the edge"));
            return problems;
        },
    },
];
