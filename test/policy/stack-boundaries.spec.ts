import { dnsRecordsTargetStackLoadBalancers, ingressTlsHostsCertified } from "../../policy/stack";
import { unknownSentinel } from "../../offline/values";
import { changed, ingressNginx, portalIngress, portalRecord, T, wildcardCertificate } from "./fixtures";
import { assertPasses, assertViolates, urnOf, type ResourceArgs } from "./support";

/**
 * The edges of the stack rules: each record type, each kind of load balancer a record may
 * take its target from and how far removed, and the names a wildcard certificate covers
 * (exactly one more label).
 */

describe("dns-records-target-stack-load-balancers: each record type and load balancer source", () => {
    const record = (type: unknown, dependencies: string[] = []): ResourceArgs => ({ ...portalRecord, dependencies, props: { ...portalRecord.props, type } });
    const literal = (type: string) =>
        `Route53 record 'portal.example.com' (portal.example.com${type}) does not take its target from a load balancer of this stack; alias it to the LoadBalancer Service's status.loadBalancer.ingress[0].hostname (the cluster's NLB) so DNS follows the load balancer.`;

    it("judges A, AAAA and CNAME records, and a record whose type is unknown during preview", async () => {
        await assertViolates(dnsRecordsTargetStackLoadBalancers, record("A"), literal(" A"));
        await assertViolates(dnsRecordsTargetStackLoadBalancers, record("AAAA"), literal(" AAAA"));
        await assertViolates(dnsRecordsTargetStackLoadBalancers, record(unknownSentinel), literal(""));
    });

    it("leaves the other record types alone (MX, NS, SRV, CAA, TXT)", async () => {
        await assertPasses(dnsRecordsTargetStackLoadBalancers, ["MX", "NS", "SRV", "CAA", "TXT"].map((type) => ({ ...record(type), name: `r-${type}` })));
    });

    it("passes an ALB, a classic ELB, a Gateway API Gateway and a LoadBalancer Service as the target's source", async () => {
        for (const type of ["aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer", "kubernetes:gateway.networking.k8s.io/v1:Gateway"]) {
            await assertPasses(dnsRecordsTargetStackLoadBalancers, [{ type, name: "lb", props: {} }, record("A", [urnOf(type, "lb")])]);
        }
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [{ type: T.service, name: "lb", props: { spec: { type: "LoadBalancer" } } }, record("A", [urnOf(T.service, "lb")])]);
    });

    it("follows one step removed from a load balancer, not two", async () => {
        const lb: ResourceArgs = { type: "aws:lb/loadBalancer:LoadBalancer", name: "nlb", props: {} };
        const one: ResourceArgs = { type: "kubernetes:core/v1:ConfigMap", name: "one", props: {}, dependencies: [urnOf(lb.type, "nlb")] };
        const two: ResourceArgs = { type: "kubernetes:core/v1:ConfigMap", name: "two", props: {}, dependencies: [urnOf(one.type, "one")] };
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [lb, one, record("CNAME", [urnOf(one.type, "one")])]);
        await assertViolates(dnsRecordsTargetStackLoadBalancers, [lb, one, two, record("CNAME", [urnOf(two.type, "two")])], literal(" CNAME"));
    });
});

describe("ingress-tls-hosts-certified at its boundaries", () => {
    const hosts = (list: string[]) => changed(portalIngress, (p) => {
        p.spec.tls[0].hosts = list;
        p.spec.rules = [];
    });

    it("covers one more label with a wildcard: not the apex, not two labels more", async () => {
        await assertPasses(ingressTlsHostsCertified, [changed(wildcardCertificate, (p) => (p.spec.dnsNames = ["*.example.com"])), hosts(["portal.example.com", "API.Example.com."])]);
        await assertViolates(ingressTlsHostsCertified, [changed(wildcardCertificate, (p) => (p.spec.dnsNames = ["*.example.com"])), hosts(["example.com", "a.b.example.com"])],
            "Ingress 'portal' serves example.com and a.b.example.com with Secret 'wildcard-example-tls', but Certificate 'wildcard-example' covers only *.example.com; add the names to the Certificate or use a certificate that covers them.");
    });

    it("counts a Certificate's commonName among its names", async () => {
        await assertPasses(ingressTlsHostsCertified, [changed(wildcardCertificate, (p) => {
            p.spec.dnsNames = [];
            p.spec.commonName = "portal.example.com";
        }), hosts(["portal.example.com"])]);
    });

    it("leaves Ingresses annotated for a namespaced Issuer to cert-manager, as for a ClusterIssuer", async () => {
        await assertPasses(ingressTlsHostsCertified, changed(portalIngress, (p) => (p.metadata.annotations["cert-manager.io/issuer"] = "letsencrypt")));
    });

    it("says 'it' for one host the default certificate does not cover, 'them' for two", async () => {
        const withDefault = changed(ingressNginx, (p) => (p.values.controller.extraArgs = { "default-ssl-certificate": "edge/wildcard-example-tls" }));
        const apexOnly = changed(wildcardCertificate, (p) => (p.spec.dnsNames = ["example.com"]));
        const defaulted = changed(portalIngress, (p) => delete p.spec.tls[0].secretName);
        await assertViolates(ingressTlsHostsCertified, [apexOnly, withDefault, defaulted],
            "Ingress 'portal' lists portal.example.com and api.example.com in spec.tls without a secretName, so the controller's default certificate serves them, but it covers only example.com; name a Secret that covers them.");
    });
});
