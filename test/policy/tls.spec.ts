import { acmeProductionOnlyWhenChosen, acmeServerHttps, certificateReadinessAwaited, issuerNoInlineAwsKeys, oneCertificatePerIdentifierSet, wildcardNeedsDns01 } from "../../policy/tls";
import { unknownSentinel } from "../../offline/values";
import { changed, clusterIssuer, portalIngress, T, wildcardCertificate } from "./fixtures";
import { assertPasses, assertViolates } from "./support";

const http01 = { http01: { ingress: { ingressClassName: "nginx" } } };
const dns01 = { dns01: { route53: { region: "us-east-1", hostedZoneID: "Z0123456789ABCDEFGHIJ" } } };

describe("policy wildcard-needs-dns01", () => {
    it("passes a wildcard from an issuer whose solver for the zone is DNS-01, and exact names over HTTP-01", async () => {
        const mixed = changed(clusterIssuer, (p) => (p.spec.acme.solvers = [{ selector: { dnsZones: ["example.com"] }, ...dns01 }, http01]));
        const exact = {
            ...changed(wildcardCertificate, (p) => {
                p.metadata.name = "portal";
                p.spec.dnsNames = ["portal.example.org"];
            }),
            name: "portal",
        };
        await assertPasses(wildcardNeedsDns01, [mixed, wildcardCertificate, exact]);
    });

    it("fails a wildcard whose only solver is HTTP-01", async () => {
        await assertViolates(wildcardNeedsDns01, [changed(clusterIssuer, (p) => (p.spec.acme.solvers = [http01])), wildcardCertificate],
            "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
    });

    it("follows cert-manager's solver selection: the DNS-01 solver for another zone does not apply", async () => {
        const issuer = changed(clusterIssuer, (p) => (p.spec.acme.solvers = [{ selector: { dnsZones: ["example.org"] }, ...dns01 }, { selector: { dnsNames: ["*.example.com"] }, ...http01 }]));
        await assertViolates(wildcardNeedsDns01, [issuer, wildcardCertificate],
            "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
        const none = changed(clusterIssuer, (p) => (p.spec.acme.solvers = [{ selector: { dnsZones: ["example.org"] }, ...dns01 }]));
        await assertViolates(wildcardNeedsDns01, [none, wildcardCertificate],
            "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which has no solver for it; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
    });

    it("prefers the most specific zone, then the most matching labels", async () => {
        const issuer = changed(clusterIssuer, (p) => (p.spec.acme.solvers = [
            { selector: { dnsZones: ["example.com"] }, ...dns01 },
            { selector: { dnsZones: ["example.com"], matchLabels: { tier: "edge" } }, ...http01 },
        ]));
        const labelled = changed(wildcardCertificate, (p) => (p.metadata.labels = { tier: "edge" }));
        await assertPasses(wildcardNeedsDns01, [issuer, wildcardCertificate]);
        await assertViolates(wildcardNeedsDns01, [issuer, labelled],
            "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
        const nested = changed(clusterIssuer, (p) => (p.spec.acme.solvers = [{ selector: { dnsZones: ["example.com"] }, ...http01 }, { selector: { dnsZones: ["api.example.com"] }, ...dns01 }]));
        const api = changed(wildcardCertificate, (p) => (p.spec.dnsNames = ["*.api.example.com"]));
        await assertPasses(wildcardNeedsDns01, [nested, api]);
    });

    it("judges the certificate cert-manager makes from an annotated Ingress", async () => {
        const ingress = changed(portalIngress, (p) => {
            p.metadata.annotations["cert-manager.io/cluster-issuer"] = "letsencrypt";
            p.spec.tls = [{ hosts: ["*.example.com"], secretName: "portal-tls" }];
        });
        await assertViolates(wildcardNeedsDns01, [changed(clusterIssuer, (p) => (p.spec.acme.solvers = [http01])), ingress],
            "the Certificate 'portal-tls' that cert-manager creates for Ingress 'portal' requests *.example.com from ClusterIssuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
    });
});

describe("policy issuer-no-inline-aws-keys", () => {
    it("passes ambient credentials and keys from Secrets", async () => {
        const fromSecrets = changed(clusterIssuer, (p) => {
            p.spec.acme.solvers[0].dns01.route53.accessKeyIDSecretRef = { name: "route53", key: "access-key-id" };
            p.spec.acme.solvers[0].dns01.route53.secretAccessKeySecretRef = { name: "route53", key: "secret-access-key" };
        });
        await assertPasses(issuerNoInlineAwsKeys, [clusterIssuer, fromSecrets]);
    });

    it("fails the article's accessKeyID", async () => {
        await assertViolates(issuerNoInlineAwsKeys, changed(clusterIssuer, (p) => (p.spec.acme.solvers[0].dns01.route53.accessKeyID = "AKIAIOSFODNN7EXAMPLE")),
            "ClusterIssuer 'letsencrypt' has an inline AWS access key at spec.acme.solvers[0].dns01.route53.accessKeyID; use ambient credentials from an IAM role (IRSA or EKS Pod Identity) or, outside AWS, accessKeyIDSecretRef and secretAccessKeySecretRef.");
    });

    it("fails an access key id from a resource, unknown during preview, and a key id written anywhere else", async () => {
        const issuer = { ...changed(clusterIssuer, (p) => {
            p.spec.acme.solvers[0].dns01.route53.accessKeyID = unknownSentinel;
            p.spec.acme.solvers.push(unknownSentinel);
            p.spec.acme.email = "AKIAIOSFODNN7EXAMPLE@example.com";
        }), type: T.issuer };
        await assertViolates(issuerNoInlineAwsKeys, issuer,
            "Issuer 'letsencrypt' has an inline AWS access key at spec.acme.email and spec.acme.solvers[0].dns01.route53.accessKeyID; use ambient credentials from an IAM role (IRSA or EKS Pod Identity) or, outside AWS, accessKeyIDSecretRef and secretAccessKeySecretRef.");
    });
});

describe("policy acme-production-only-when-chosen", () => {
    const production = "https://acme-v02.api.letsencrypt.org/directory";
    const productionIssuer = { ...changed(clusterIssuer, (p) => {
        p.metadata.name = "letsencrypt-production";
        p.spec.acme.server = production;
    }), name: "letsencrypt-production" };
    const fromProduction = (environment?: string) => changed(wildcardCertificate, (p) => {
        p.spec.issuerRef.name = "letsencrypt-production";
        if (environment !== undefined) p.metadata.annotations = { "mesh-ingress.io/acme-environment": environment };
    });

    it("passes staging certificates beside a production issuer nobody uses, and production when the stack chose it", async () => {
        await assertPasses(acmeProductionOnlyWhenChosen, [clusterIssuer, productionIssuer, wildcardCertificate]);
        await assertPasses(acmeProductionOnlyWhenChosen, [clusterIssuer, productionIssuer, fromProduction("production")]);
    });

    it("fails a certificate from production on a stack that chose staging", async () => {
        await assertViolates(acmeProductionOnlyWhenChosen, [clusterIssuer, productionIssuer, fromProduction("staging")],
            "Certificate 'wildcard-example' is requested from ClusterIssuer 'letsencrypt-production', Let's Encrypt's production server, but the stack chose 'staging' (annotation mesh-ingress.io/acme-environment); use the staging issuer until the stack's settings choose production (acmeEnvironment).");
    });

    it("fails production written by hand into a certificate without the stack's choice, Ingress annotations included", async () => {
        const annotated = changed(portalIngress, (p) => (p.metadata.annotations["cert-manager.io/cluster-issuer"] = "letsencrypt-production"));
        await assertViolates(acmeProductionOnlyWhenChosen, [productionIssuer, fromProduction(), annotated], [
            "Certificate 'wildcard-example' is requested from ClusterIssuer 'letsencrypt-production', Let's Encrypt's production server, but the stack chose no environment (annotation mesh-ingress.io/acme-environment); use the staging issuer until the stack's settings choose production (acmeEnvironment).",
            "the Certificate 'wildcard-example-tls' that cert-manager creates for Ingress 'portal' is requested from ClusterIssuer 'letsencrypt-production', Let's Encrypt's production server, but the stack chose no environment (annotation mesh-ingress.io/acme-environment); use the staging issuer until the stack's settings choose production (acmeEnvironment).",
        ]);
    });

    it("fails a certificate from staging when the stack chose production", async () => {
        await assertViolates(acmeProductionOnlyWhenChosen, [clusterIssuer, changed(wildcardCertificate, (p) => (p.metadata.annotations = { "mesh-ingress.io/acme-environment": "production" }))],
            "Certificate 'wildcard-example' is annotated mesh-ingress.io/acme-environment=production but requested from ClusterIssuer 'letsencrypt', Let's Encrypt's staging server; use the production issuer, or annotate it staging.");
    });
});

describe("policy one-certificate-per-identifier-set", () => {
    const copy = (name: string, namespace: string, dnsNames: string[]) => ({
        ...changed(wildcardCertificate, (p) => {
            p.metadata = { name, namespace };
            p.spec.dnsNames = dnsNames;
        }),
        name,
    });

    it("passes one Certificate per set of names", async () => {
        await assertPasses(oneCertificatePerIdentifierSet, [wildcardCertificate, copy("apex", "edge", ["example.com"]), portalIngress]);
    });

    it("fails the same names requested twice, in any order or case, even across namespaces", async () => {
        await assertViolates(oneCertificatePerIdentifierSet, [wildcardCertificate, copy("wildcard-api", "api", ["Example.com", "*.example.com"])],
            "Certificate 'wildcard-example' (namespace edge) and Certificate 'wildcard-api' (namespace api) all request [*.example.com, example.com]; Let's Encrypt allows 5 certificates per identifier set per week and duplicates renew separately: issue it once and reference its Secret.");
    });

    it("counts the certificates cert-manager makes from Ingress annotations", async () => {
        const ingress = changed(portalIngress, (p) => {
            p.metadata.annotations["cert-manager.io/cluster-issuer"] = "letsencrypt";
            p.spec.tls = [{ hosts: ["example.com", "*.example.com"], secretName: "portal-tls" }];
        });
        await assertViolates(oneCertificatePerIdentifierSet, [wildcardCertificate, ingress],
            "Certificate 'wildcard-example' (namespace edge) and the Certificate 'portal-tls' that cert-manager creates for Ingress 'portal' (namespace edge) all request [*.example.com, example.com]; Let's Encrypt allows 5 certificates per identifier set per week and duplicates renew separately: issue it once and reference its Secret.");
    });

    it("allows as many per set as configured", async () => {
        await assertPasses(oneCertificatePerIdentifierSet, [wildcardCertificate, copy("wildcard-api", "api", ["*.example.com", "example.com"])], { "one-certificate-per-identifier-set": { maxPerIdentifierSet: 2 } });
    });
});

describe("policy certificate-readiness-awaited", () => {
    const annotated = (annotations: Record<string, string> | undefined) => changed(wildcardCertificate, (p) => (p.metadata.annotations = annotations));

    it("passes a Certificate and a ClusterIssuer that wait for Ready (also as a jsonpath, or in a list)", async () => {
        await assertPasses(certificateReadinessAwaited, [wildcardCertificate, clusterIssuer]);
        await assertPasses(certificateReadinessAwaited, annotated({ "pulumi.com/waitFor": 'jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' }));
        await assertPasses(certificateReadinessAwaited, annotated({ "pulumi.com/waitFor": '["condition=Ready"]' }));
    });

    it("fails a Certificate that lost its wait, one that skips it, and one waiting for something else", async () => {
        await assertViolates(certificateReadinessAwaited, annotated(undefined),
            "Certificate 'edge/wildcard-example' has no pulumi.com/waitFor annotation: pulumi up does not wait for a custom resource without it, so what uses it would start before it is Ready; annotate it pulumi.com/waitFor: condition=Ready.");
        await assertViolates(certificateReadinessAwaited, annotated({ "pulumi.com/waitFor": "condition=Ready", "pulumi.com/skipAwait": "true" }),
            "Certificate 'edge/wildcard-example' sets pulumi.com/skipAwait: \"true\": pulumi up would not wait until it is Ready, and what uses it would start before it is issued; remove the annotation.");
        await assertViolates(certificateReadinessAwaited, annotated({ "pulumi.com/waitFor": "condition=Issuing" }),
            "Certificate 'edge/wildcard-example' waits for 'condition=Issuing' (pulumi.com/waitFor), not for its Ready condition; annotate it pulumi.com/waitFor: condition=Ready.");
        await assertViolates(certificateReadinessAwaited, changed(clusterIssuer, (p) => (p.metadata.annotations = {})),
            "ClusterIssuer 'letsencrypt' has no pulumi.com/waitFor annotation: pulumi up does not wait for a custom resource without it, so what uses it would start before it is Ready; annotate it pulumi.com/waitFor: condition=Ready.");
    });
});

describe("policy acme-server-https", () => {
    it("passes Let's Encrypt's https directory, and a server unknown during preview", async () => {
        await assertPasses(acmeServerHttps, [clusterIssuer, changed(clusterIssuer, (p) => (p.spec.acme.server = unknownSentinel))]);
    });

    it("fails an ACME server over plain http", async () => {
        await assertViolates(acmeServerHttps, changed(clusterIssuer, (p) => (p.spec.acme.server = "http://acme-v02.api.letsencrypt.org/directory")),
            "ClusterIssuer 'letsencrypt' uses the ACME server 'http://acme-v02.api.letsencrypt.org/directory', which is not https: anyone on the path could impersonate the CA (RFC 8555 requires HTTPS); use its https:// directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory).");
    });
});
