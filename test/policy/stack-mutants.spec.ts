import * as assert from "node:assert/strict";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { dnsRecordsTargetStackLoadBalancers, ingressTlsHostsCertified } from "../../policy/stack";
import { unknownSentinel } from "../../offline/values";
import { changed, ingressNginx, portalIngress, portalRecord, T, wildcardCertificate } from "./fixtures";
import { assertPasses, assertViolates, urnOf, type ResourceArgs } from "./support";

/**
 * The stack rules on the cases their first tests left open (found by mutation testing):
 * which Certificates and default certificates count for an Ingress's Secret, where a
 * record's target comes from when the engine says which property it came from, the
 * Service a record may read, and how a record is named in the finding.
 */

const literal = (name: string, label: string): string =>
    `Route53 record '${name}' (${label}) does not take its target from a load balancer of this stack; alias it to the LoadBalancer Service's status.loadBalancer.ingress[0].hostname (the cluster's NLB) so DNS follows the load balancer.`;

describe("dns-records-target-stack-load-balancers: where a record's target comes from", () => {
    /** A stack resource as the engine hands it to a stack policy, with its property dependencies. */
    const policyResource = (type: string, name: string, props: Record<string, unknown>, dependencies: PolicyResource[] = [], propertyDependencies: Record<string, PolicyResource[]> = {}): PolicyResource =>
        ({ type, name, urn: urnOf(type, name), props, dependencies, propertyDependencies, opts: {} }) as unknown as PolicyResource;
    const judgeStack = async (resources: PolicyResource[]): Promise<string[]> => {
        const messages: string[] = [];
        const args = { resources, stackTags: new Map(), getConfig: () => ({}) } as unknown as StackValidationArgs;
        await dnsRecordsTargetStackLoadBalancers.validateStack(args, (message: string) => messages.push(message));
        return messages;
    };
    const nlb = policyResource("aws:lb/loadBalancer:LoadBalancer", "nlb", { loadBalancerType: "network" });
    const config = policyResource("kubernetes:core/v1:ConfigMap", "targets", { data: { target: "203.0.113.10" } });
    const record = (dependencies: PolicyResource[], propertyDependencies: Record<string, PolicyResource[]>) =>
        policyResource(T.record, "portal.example.com", { ...portalRecord.props }, dependencies, propertyDependencies);

    it("reads the load balancer from the record's records or aliases when the engine names them", async () => {
        assert.deepEqual(await judgeStack([nlb, record([nlb], { records: [nlb] })]), []);
        assert.deepEqual(await judgeStack([nlb, record([nlb], { aliases: [nlb] })]), []);
    });

    it("fails a record that only dependsOn the load balancer, its records coming from elsewhere", async () => {
        assert.deepEqual(await judgeStack([nlb, config, record([config, nlb], { records: [config] })]), [literal("portal.example.com", "portal.example.com CNAME")]);
    });
});

describe("dns-records-target-stack-load-balancers: the Service a record reads", () => {
    const record = (service: string): ResourceArgs => ({ ...portalRecord, dependencies: [urnOf(T.service, service)] });

    it("passes a Service read back with Service.get (no spec among its inputs)", async () => {
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [{ type: T.service, name: "read", props: {} }, record("read")]);
    });

    // Kubernetes ServiceSpec.type: "Defaults to ClusterIP" (k8s.io/api core/v1 types.go).
    it("fails a Service created without spec.type, a ClusterIP Service", async () => {
        await assertViolates(
            dnsRecordsTargetStackLoadBalancers,
            [{ type: T.service, name: "web", props: { spec: { ports: [{ port: 80 }], selector: { app: "web" } } } }, record("web")],
            literal("portal.example.com", "portal.example.com CNAME"),
        );
    });

    it("passes a Service whose type is unknown during preview", async () => {
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [{ type: T.service, name: "lb", props: { spec: { type: unknownSentinel } } }, record("lb")]);
    });
});

describe("dns-records-target-stack-load-balancers: the record's names in the finding", () => {
    it("names the resource and the record's DNS name, or the resource's name when the DNS name is unknown", async () => {
        await assertViolates(dnsRecordsTargetStackLoadBalancers, { ...portalRecord, name: "portal", dependencies: [] }, literal("portal", "portal.example.com CNAME"));
        await assertViolates(dnsRecordsTargetStackLoadBalancers, { ...portalRecord, name: "portal", dependencies: [], props: { ...portalRecord.props, name: unknownSentinel } }, literal("portal", "portal CNAME"));
    });
});

describe("ingress-tls-hosts-certified: which Certificates write the Ingress's Secret", () => {
    const other = (name: string, namespace: string): ResourceArgs =>
        changed({ ...wildcardCertificate, name }, (p) => {
            p.metadata.name = name;
            p.metadata.namespace = namespace;
            p.spec.secretName = `${name}-tls`;
        });

    it("counts no Certificate that writes another Secret, in the Ingress's namespace or elsewhere", async () => {
        await assertViolates(ingressTlsHostsCertified, [other("portal-other", "edge"), other("shared", "shared-certs"), portalIngress],
            "Ingress 'portal' (namespace edge) uses Secret 'wildcard-example-tls' for portal.example.com and api.example.com, but no Certificate of this stack writes it; add a Certificate with secretName 'wildcard-example-tls' in edge (or a cert-manager.io/cluster-issuer annotation).");
    });
});

describe("ingress-tls-hosts-certified: which default certificate serves an entry without secretName", () => {
    const defaulted = changed(portalIngress, (p) => delete p.spec.tls[0].secretName);
    const withDefault = (release: ResourceArgs, ref: string) => changed(release, (p) => (p.values.controller.extraArgs = { "default-ssl-certificate": ref }));
    const none =
        "Ingress 'portal' lists portal.example.com and api.example.com in spec.tls without a secretName, and no ingress-nginx release of this stack sets a default certificate a Certificate of the stack writes (controller.extraArgs.default-ssl-certificate); name the Secret, or set the default certificate.";

    it("fails a default certificate that no Certificate of the stack writes, even when another Certificate covers the hosts", async () => {
        await assertViolates(ingressTlsHostsCertified, [wildcardCertificate, withDefault(ingressNginx, "edge/imported-tls"), defaulted], none);
        await assertViolates(ingressTlsHostsCertified, [wildcardCertificate, withDefault(ingressNginx, "ingress-nginx/wildcard-example-tls"), defaulted], none);
    });

    it("reads the default certificate of an ingress-nginx release only, not of another chart's", async () => {
        const otherChart = changed({ ...ingressNginx, name: "other-controller" }, (p) => {
            p.name = "other-controller";
            p.chart = "other-controller";
        });
        await assertViolates(ingressTlsHostsCertified, [wildcardCertificate, ingressNginx, withDefault(otherChart, "edge/wildcard-example-tls"), defaulted], none);
    });
});
