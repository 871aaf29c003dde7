import { dnsRecordsTargetStackLoadBalancers, ingressTlsHostsCertified } from "../../policy/stack";
import { changed, edgeService, eastWestGateway, ingressNginx, portalIngress, portalRecord, T, wildcardCertificate, zoneId } from "./fixtures";
import { assertPasses, assertViolates, urnOf } from "./support";

describe("policy ingress-tls-hosts-certified", () => {
    it("passes hosts covered by a Certificate writing the Secret in the Ingress's namespace, and cert-manager-annotated Ingresses", async () => {
        const annotated = { ...changed(portalIngress, (p) => {
            p.metadata.name = "shop";
            p.metadata.annotations["cert-manager.io/cluster-issuer"] = "letsencrypt";
            p.spec.tls[0].secretName = "shop-tls";
        }), name: "shop" };
        await assertPasses(ingressTlsHostsCertified, [wildcardCertificate, portalIngress, annotated]);
    });

    it("fails the article's shared certificate in another namespace", async () => {
        await assertViolates(ingressTlsHostsCertified, [changed(wildcardCertificate, (p) => (p.metadata.namespace = "shared-certs")), portalIngress],
            "Ingress 'portal' (namespace edge) uses Secret 'wildcard-example-tls', which Certificate 'wildcard-example' writes in namespace shared-certs; an Ingress can only use a Secret of its own namespace: issue the certificate into edge.");
    });

    it("fails a Secret no Certificate writes, and hosts the Certificate does not cover", async () => {
        await assertViolates(ingressTlsHostsCertified, [portalIngress],
            "Ingress 'portal' (namespace edge) uses Secret 'wildcard-example-tls' for portal.example.com and api.example.com, but no Certificate of this stack writes it; add a Certificate with secretName 'wildcard-example-tls' in edge (or a cert-manager.io/cluster-issuer annotation).");
        await assertViolates(ingressTlsHostsCertified, [changed(wildcardCertificate, (p) => (p.spec.dnsNames = ["portal.example.com"])), portalIngress],
            "Ingress 'portal' serves api.example.com with Secret 'wildcard-example-tls', but Certificate 'wildcard-example' covers only portal.example.com; add the names to the Certificate or use a certificate that covers them.");
    });
});

describe("policy ingress-tls-hosts-certified: the controller's default certificate", () => {
    const withDefault = (ref: string) => changed(ingressNginx, (p) => (p.values.controller.extraArgs = { "default-ssl-certificate": ref }));
    const defaulted = changed(portalIngress, (p) => delete p.spec.tls[0].secretName);

    it("passes tls entries without secretName when the controller's default certificate, written by a Certificate of the stack, covers them", async () => {
        await assertPasses(ingressTlsHostsCertified, [wildcardCertificate, withDefault("edge/wildcard-example-tls"), defaulted]);
    });

    it("fails them when no default certificate is set, or it does not cover them", async () => {
        await assertViolates(ingressTlsHostsCertified, [wildcardCertificate, ingressNginx, defaulted],
            "Ingress 'portal' lists portal.example.com and api.example.com in spec.tls without a secretName, and no ingress-nginx release of this stack sets a default certificate a Certificate of the stack writes (controller.extraArgs.default-ssl-certificate); name the Secret, or set the default certificate.");
        await assertViolates(ingressTlsHostsCertified, [changed(wildcardCertificate, (p) => (p.spec.dnsNames = ["portal.example.com"])), withDefault("edge/wildcard-example-tls"), defaulted],
            "Ingress 'portal' lists api.example.com in spec.tls without a secretName, so the controller's default certificate serves it, but it covers only portal.example.com; name a Secret that covers it.");
    });
});

describe("policy dns-records-target-stack-load-balancers", () => {
    const record = (dependencies: string[], props: Record<string, unknown> = {}) => ({ ...portalRecord, dependencies, props: { ...portalRecord.props, ...props } });

    it("passes records whose target comes from the edge's Service, the chart that renders it, or an AWS load balancer; and TXT records", async () => {
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [ingressNginx, edgeService, portalRecord]);
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [ingressNginx, record([urnOf(T.release, "ingress-nginx")])]);
        await assertPasses(dnsRecordsTargetStackLoadBalancers, [
            { type: "aws:lb/loadBalancer:LoadBalancer", name: "nlb", props: { loadBalancerType: "network" } },
            record([urnOf("aws:lb/loadBalancer:LoadBalancer", "nlb")], { type: "A", records: undefined, aliases: [{ name: "nlb.example", zoneId: "Z26RNL4JYFTOTI", evaluateTargetHealth: true }] }),
            { ...portalRecord, name: "_acme-challenge", props: { zoneId, name: "_acme-challenge.example.com", type: "TXT", records: ["x"] } },
        ]);
    });

    it("fails a record with a literal target", async () => {
        await assertViolates(dnsRecordsTargetStackLoadBalancers, [ingressNginx, record([])],
            "Route53 record 'portal.example.com' (portal.example.com CNAME) does not take its target from a load balancer of this stack; alias it to the LoadBalancer Service's status.loadBalancer.ingress[0].hostname (the cluster's NLB) so DNS follows the load balancer.");
    });

    it("fails a record that takes its value from a ClusterIP Service or from a release without a load balancer", async () => {
        const clusterIp = { type: T.service, name: "internal", props: { spec: { type: "ClusterIP" } } };
        const internalOnly = changed(eastWestGateway("network1"), (p) => (p.values.service.type = "ClusterIP"));
        await assertViolates(dnsRecordsTargetStackLoadBalancers, [clusterIp, internalOnly, record([urnOf(T.service, "internal"), urnOf(T.release, "istio-eastwestgateway")])],
            "Route53 record 'portal.example.com' (portal.example.com CNAME) does not take its target from a load balancer of this stack; alias it to the LoadBalancer Service's status.loadBalancer.ingress[0].hostname (the cluster's NLB) so DNS follows the load balancer.");
    });
});
