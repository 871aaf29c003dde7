import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { chartName, deploysLoadBalancer, ingressNginxDefaultCertificate, releaseType } from "./charts";
import { recordType } from "./dns-iam";
import { arrayAt, at, isRecord, listed, objectName, objectNamespace, stringAt, whenKnown, type Json } from "./helpers";
import { covered } from "./hosts";
import { certificateType, ingressType } from "./tls";

/**
 * Stack-level rules that join areas: what the article's checklist asks of a finished
 * cluster ("the Ingress references the right Secret", "DNS records point at each
 * cluster's load balancer"), decided from the stack's resources and their dependencies,
 * so they hold during preview when addresses are not known yet.
 */

/**
 * Every Ingress TLS host is covered by a certificate of the stack, in the Ingress's own
 * namespace: a Certificate whose `secretName` is the entry's Secret and whose names cover
 * the host, or the certificate cert-manager creates from the Ingress's issuer annotation.
 * An entry without `secretName` is served the controller's default certificate
 * (`--default-ssl-certificate`), which a Certificate of the stack must write and cover.
 * The article's shared wildcard Certificate writes its Secret in `shared-certs`, which an
 * Ingress in another namespace cannot use.
 */
export const ingressTlsHostsCertified: StackValidationPolicy = {
    name: "ingress-tls-hosts-certified",
    description: "Every Ingress TLS host is covered by a Certificate of the stack that writes the referenced Secret in the Ingress's namespace.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const certificates = args.resources.filter((r) => r.type === certificateType).map((r) => {
            const props = r.props as Json;
            const names = arrayAt(props, "spec.dnsNames").filter((n): n is string => typeof n === "string");
            const commonName = stringAt(props, "spec.commonName");
            return { name: objectName(props, r.name), namespace: objectNamespace(props), secretName: stringAt(props, "spec.secretName"), names: commonName ? [commonName, ...names] : names };
        });
        // The controllers' default certificates ("<namespace>/<secret>"), as the Certificates writing them.
        const defaults = args.resources
            .filter((x) => x.type === releaseType && chartName(x.props as Json) === "ingress-nginx")
            .map((x) => whenKnown(() => ingressNginxDefaultCertificate(x.props as Json), undefined))
            .filter((ref): ref is string => ref !== undefined)
            .flatMap((ref) => certificates.filter((c) => `${c.namespace}/${c.secretName ?? ""}` === ref));
        for (const r of args.resources.filter((x) => x.type === ingressType)) {
            const props = r.props as Json;
            const annotations = at(props, "metadata.annotations");
            const shim = isRecord(annotations) && (typeof annotations["cert-manager.io/cluster-issuer"] === "string" || typeof annotations["cert-manager.io/issuer"] === "string");
            if (shim) continue; // cert-manager issues exactly these hosts into this Secret
            const name = objectName(props, r.name);
            const namespace = objectNamespace(props);
            for (const tls of arrayAt(props, "spec.tls").filter(isRecord)) {
                const hosts = arrayAt(tls, "hosts").filter((h): h is string => typeof h === "string");
                const named = stringAt(tls, "secretName");
                if (!named) {
                    // No Secret named: the controller serves its default certificate.
                    const uncovered = hosts.filter((h) => !defaults.some((d) => covered(h, d.names)));
                    if (uncovered.length > 0) {
                        report(
                            defaults.length === 0
                                ? `Ingress '${name}' lists ${listed(uncovered)} in spec.tls without a secretName, and no ingress-nginx release of this stack sets a default certificate a Certificate of the stack writes (controller.extraArgs.default-ssl-certificate); name the Secret, or set the default certificate.`
                                : `Ingress '${name}' lists ${listed(uncovered)} in spec.tls without a secretName, so the controller's default certificate serves ${uncovered.length === 1 ? "it" : "them"}, but it covers only ${listed(defaults.flatMap((d) => d.names))}; name a Secret that covers ${uncovered.length === 1 ? "it" : "them"}.`,
                            r.urn,
                        );
                    }
                    continue;
                }
                const secretName = named;
                const here = certificates.filter((c) => c.secretName === secretName && c.namespace === namespace);
                if (here.length === 0) {
                    const elsewhere = certificates.filter((c) => c.secretName === secretName);
                    report(
                        elsewhere.length > 0
                            ? `Ingress '${name}' (namespace ${namespace}) uses Secret '${secretName}', which ${listed(elsewhere.map((c) => `Certificate '${c.name}'`))} writes in namespace ${listed([...new Set(elsewhere.map((c) => c.namespace))])}; an Ingress can only use a Secret of its own namespace: issue the certificate into ${namespace}.`
                            : `Ingress '${name}' (namespace ${namespace}) uses Secret '${secretName}' for ${listed(hosts)}, but no Certificate of this stack writes it; add a Certificate with secretName '${secretName}' in ${namespace} (or a cert-manager.io/cluster-issuer annotation).`,
                        r.urn,
                    );
                    continue;
                }
                const names = here.flatMap((c) => c.names);
                const uncovered = hosts.filter((h) => !covered(h, names));
                if (uncovered.length > 0) {
                    report(`Ingress '${name}' serves ${listed(uncovered)} with Secret '${secretName}', but Certificate '${here[0]!.name}' covers only ${listed(names)}; add the names to the Certificate or use a certificate that covers them.`, r.urn);
                }
            }
        }
    },
};

/** The Gateway API's Gateway. */
const gatewayApiGatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";

/** AWS load balancers a record may alias directly. */
const awsLoadBalancerTypes = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"];

/** True when a resource is a load balancer of the stack, or renders or reads one. */
function isLoadBalancerSource(r: PolicyResource): boolean {
    if (awsLoadBalancerTypes.includes(r.type)) return true;
    if (r.type === "kubernetes:core/v1:Service") {
        // A Service read with Service.get carries no spec among its inputs: its status is what a record reads.
        // A Service created without spec.type is a ClusterIP Service (Kubernetes' default), with no load balancer.
        return whenKnown(() => at(r.props, "spec") === undefined || at(r.props, "spec.type") === "LoadBalancer", true);
    }
    if (r.type === releaseType) return whenKnown(() => deploysLoadBalancer(r.props as Json, r.name), false);
    // A Gateway API Gateway: its implementation (istiod) deploys its load balancer, and its
    // status.addresses are where a record points.
    if (r.type === gatewayApiGatewayType) return true;
    return false;
}

/** True when a load balancer is among the resources `r`'s target values came from (directly or one step removed). */
function targetsLoadBalancer(r: PolicyResource): boolean {
    const direct = [...(r.propertyDependencies["aliases"] ?? []), ...(r.propertyDependencies["records"] ?? [])];
    const first = direct.length > 0 ? direct : r.dependencies;
    return first.some((d) => isLoadBalancerSource(d) || d.dependencies.some(isLoadBalancerSource));
}

/**
 * Every address record (A, AAAA, CNAME) points at a load balancer of the stack: the
 * article's checklist item "DNS records point at each cluster's LoadBalancer", and the
 * domain-per-cluster design. A record's target is unknown until the load balancer
 * exists, so the rule is decided from where the target comes from: the record's alias or
 * values depend on a LoadBalancer Service (created, or read back from a chart), a release
 * that renders one, or an AWS load balancer. A literal address is a record nobody updates
 * when the load balancer is replaced.
 */
export const dnsRecordsTargetStackLoadBalancers: StackValidationPolicy = {
    name: "dns-records-target-stack-load-balancers",
    description: "Every Route53 A, AAAA or CNAME record takes its target from a load balancer of the stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const r of args.resources.filter((x) => x.type === recordType)) {
            const type = whenKnown(() => stringAt(r.props, "type"), undefined);
            if (type !== undefined && !["A", "AAAA", "CNAME"].includes(type)) continue;
            if (targetsLoadBalancer(r)) continue;
            const host = whenKnown(() => stringAt(r.props, "name"), undefined) ?? r.name;
            report(
                `Route53 record '${r.name}' (${host}${type ? ` ${type}` : ""}) does not take its target from a load balancer of this stack; alias it to the LoadBalancer Service's status.loadBalancer.ingress[0].hostname (the cluster's NLB) so DNS follows the load balancer.`,
                r.urn,
            );
        }
    },
};
