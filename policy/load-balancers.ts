/**
 * Load balancer Services as the cloud controllers read their annotations: who can reach
 * them (scheme, source ranges), whether the client's address survives (AWS client IP
 * preservation), and which annotations do not belong on a Service at all. Shared by the
 * settings (config/ imports it) and the policies, so both give the same verdict.
 * Facts: kubernetes-sigs/aws-load-balancer-controller v2.17 (docs/guide/service/annotations.md,
 * pkg/service/model_build_managed_sg.go, model_build_target_group.go); istio/istio 1.30
 * (gatewaycommon/deploymentcontroller.go and files/kube-gateway.yaml: a Gateway's
 * `spec.infrastructure.annotations` are copied onto the gateway's Deployment, pod template,
 * Service, ServiceAccount, HPA and PDB).
 */

const aws = "service.beta.kubernetes.io/aws-load-balancer-";

/** The AWS Load Balancer Controller annotations the policies and settings read. */
export const awsAnnotations = {
    type: `${aws}type`,
    targetType: `${aws}nlb-target-type`,
    scheme: `${aws}scheme`,
    internal: `${aws}internal`,
    targetGroupAttributes: `${aws}target-group-attributes`,
    attributes: `${aws}attributes`,
    proxyProtocol: `${aws}proxy-protocol`,
    securityGroups: `${aws}security-groups`,
    disableNlbSecurityGroup: `${aws}disable-nlb-sg`,
} as const;

/** The Kubernetes annotation that some controllers read instead of `spec.loadBalancerSourceRanges`. */
export const sourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";

/** The load balancer class of the AWS Load Balancer Controller's NLBs. */
export const awsNlbClass = "service.k8s.aws/nlb";

/**
 * The annotations the program sets on the edge's Service with `edgeLoadBalancer: aws-nlb`:
 * an internet-facing NLB of the AWS Load Balancer Controller with IP targets, and client IP
 * preservation, which IP targets of a TCP target group do not have by default (ELB docs,
 * target group attributes): allowlists need the client's address. User annotations may
 * not change them.
 */
export const awsNlbEdgeAnnotations: Readonly<Record<string, string>> = {
    [awsAnnotations.type]: "external",
    [awsAnnotations.targetType]: "ip",
    [awsAnnotations.scheme]: "internet-facing",
    [awsAnnotations.targetGroupAttributes]: "preserve_client_ip.enabled=true",
    [awsAnnotations.attributes]: "load_balancing.cross_zone.enabled=true",
};

/** Why the program sets each of {@link awsNlbEdgeAnnotations}, for messages. */
export const awsNlbEdgeReasons: Readonly<Record<string, string>> = {
    [awsAnnotations.type]: "the AWS Load Balancer Controller builds the NLB",
    [awsAnnotations.targetType]: "the NLB targets the pods directly",
    [awsAnnotations.scheme]: "the public DNS records of the edge reach it",
    [awsAnnotations.targetGroupAttributes]: "allowlists and rate limits see the client's address, not the NLB's",
    [awsAnnotations.attributes]: "every zone's targets take traffic",
};

/** The annotations whose value is a comma-separated list of `key=value` attributes. */
export const attributeAnnotations: readonly string[] = [awsAnnotations.targetGroupAttributes, awsAnnotations.attributes];

/** The `key=value` pairs of an attribute annotation. */
export function attributes(value: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const pair of (value ?? "").split(",").map((p) => p.trim()).filter((p) => p.length > 0)) {
        const eq = pair.indexOf("=");
        if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
    return out;
}

/**
 * How reachable a LoadBalancer Service is: `internal` (scheme internal, the legacy
 * `aws-load-balancer-internal`, Azure's and GKE's internal switches, or an AWS Load Balancer
 * Controller NLB without a scheme, whose default is internal) or `internet-facing` (said
 * so, or any other load balancer: the clouds' default).
 */
export function exposure(annotations: Readonly<Record<string, string>>, loadBalancerClass?: string): "internal" | "internet-facing" {
    const scheme = annotations[awsAnnotations.scheme];
    if (scheme === "internal") return "internal";
    if (scheme === "internet-facing") return "internet-facing";
    const truthy = (v: string | undefined): boolean => v !== undefined && v !== "false" && v !== "";
    if (truthy(annotations[awsAnnotations.internal])) return "internal";
    if (annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] === "true") return "internal";
    if (annotations["networking.gke.io/load-balancer-type"] === "Internal" || annotations["cloud.google.com/load-balancer-type"] === "Internal") return "internal";
    if (loadBalancerClass === awsNlbClass || annotations[awsAnnotations.type] === "external" || annotations[awsAnnotations.type] === "nlb-ip") return "internal";
    return "internet-facing";
}

/**
 * True when a key is an Istio annotation (`*.istio.io/...`, `istio.io/...`) or a pod-level
 * security annotation (AppArmor, seccomp). None belongs among a load balancer Service's
 * annotations, and on the Gateway API edge istiod copies them onto the gateway's pods,
 * where `proxy.istio.io/config` sets the trusted proxy hops (clients then choose their own
 * address) and `sidecar.istio.io/*` changes the proxy.
 */
export function isPodLevelAnnotation(key: string): boolean {
    const domain = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
    return (
        domain === "istio.io" ||
        domain.endsWith(".istio.io") ||
        domain === "container.apparmor.security.beta.kubernetes.io" ||
        domain === "seccomp.security.alpha.kubernetes.io" ||
        domain === "container.seccomp.security.alpha.kubernetes.io"
    );
}

/**
 * How a user's annotations conflict with those the program sets for security: a key set to
 * another value, or an attribute list that drops or changes one of the program's
 * attributes (`preserve_client_ip.enabled=true`). Each entry names the key and what the
 * program needs there.
 */
export function annotationConflicts(program: Readonly<Record<string, string>>, user: Readonly<Record<string, string>>): { key: string; needs: string }[] {
    const conflicts: { key: string; needs: string }[] = [];
    for (const [key, value] of Object.entries(user)) {
        const ours = program[key];
        if (ours === undefined || ours === value) continue;
        if (attributeAnnotations.includes(key)) {
            const theirs = attributes(value);
            const missing = Object.entries(attributes(ours)).filter(([k, v]) => theirs[k] !== v);
            if (missing.length > 0) conflicts.push({ key, needs: missing.map(([k, v]) => `${k}=${v}`).join(",") });
        } else {
            conflicts.push({ key, needs: ours });
        }
    }
    return conflicts;
}
