import { acmeProductionOnlyWhenChosen, acmeServerHttps, certificateReadinessAwaited, issuerNoInlineAwsKeys, oneCertificatePerIdentifierSet, wildcardNeedsDns01 } from "../../policy/tls";
import { changed, clusterIssuer, portalIngress, T, wildcardCertificate } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * What the TLS rules take from cert-manager that the other TLS specs leave open: which
 * certificates ingress-shim really creates (it skips a TLS block without secretName and
 * refuses a Certificate of that name it does not own, certificate-shim sync.go), how an
 * issuerRef tells an Issuer from a ClusterIssuer of the same name, the solver scores at
 * each selector kind, and a certificate without issuerRef.
 */

const http01 = { http01: { ingress: { ingressClassName: "nginx" } } };
const dns01 = { dns01: { route53: { region: "us-east-1", hostedZoneID: "Z0123456789ABCDEFGHIJ" } } };
const solvers = (list: unknown[]) => changed(clusterIssuer, (p) => (p.spec.acme.solvers = list));
const hosts = ["portal.example.com", "api.example.com"];

/** The portal Ingress asking ingress-shim for `tls` from the given issuer annotation. */
function shimIngress(annotation: Record<string, string>, tls: unknown[] = [{ hosts, secretName: "portal-tls" }]): ResourceArgs {
    return changed(portalIngress, (p) => {
        Object.assign(p.metadata.annotations, annotation);
        p.spec.tls = tls;
    });
}

function certificate(name: string, namespace: string, dnsNames: string[]): ResourceArgs {
    return { ...changed(wildcardCertificate, (p) => {
        p.metadata = { name, namespace };
        p.spec.dnsNames = dnsNames;
    }), name };
}

describe("TLS rules: the certificates ingress-shim creates", () => {
    const duplicate = (first: string) =>
        `${first} and the Certificate 'portal-tls' that cert-manager creates for Ingress 'portal' (namespace edge) all request [api.example.com, portal.example.com]; Let's Encrypt allows 5 certificates per identifier set per week and duplicates renew separately: issue it once and reference its Secret.`;

    it("counts no certificate for an Ingress named after its Secret's Certificate of the same namespace (ingress-shim refuses a Certificate it does not own)", async () => {
        await assertPasses(oneCertificatePerIdentifierSet, [certificate("portal-tls", "edge", hosts), shimIngress({ "cert-manager.io/cluster-issuer": "letsencrypt" })]);
    });

    it("counts it when the Certificate of that name is in another namespace, or only a Secret of that name exists", async () => {
        const secret: ResourceArgs = { type: T.secret, name: "portal-tls", props: { metadata: { name: "portal-tls", namespace: "edge" }, type: "kubernetes.io/tls" } };
        await assertViolates(oneCertificatePerIdentifierSet, [certificate("portal-tls", "apps", hosts), secret, shimIngress({ "cert-manager.io/cluster-issuer": "letsencrypt" })],
            duplicate("Certificate 'portal-tls' (namespace apps)"));
    });

    it("counts no certificate for an Ingress without a cert-manager issuer annotation, nor for a TLS block without secretName", async () => {
        await assertPasses(oneCertificatePerIdentifierSet, [certificate("portal", "edge", hosts), shimIngress({})]);
        await assertPasses(oneCertificatePerIdentifierSet, [certificate("portal", "edge", hosts), shimIngress({ "cert-manager.io/cluster-issuer": "letsencrypt" }, [{ hosts }])]);
    });

    it("counts the certificate an Ingress asks of a namespaced Issuer (cert-manager.io/issuer), from that Issuer", async () => {
        await assertViolates(oneCertificatePerIdentifierSet, [certificate("portal", "edge", hosts), shimIngress({ "cert-manager.io/issuer": "letsencrypt" })],
            duplicate("Certificate 'portal' (namespace edge)"));
        const production: ResourceArgs = { ...changed(clusterIssuer, (p) => {
            p.metadata = { name: "letsencrypt-production", namespace: "edge" };
            p.spec.acme.server = "https://acme-v02.api.letsencrypt.org/directory";
        }), type: T.issuer, name: "letsencrypt-production" };
        await assertViolates(acmeProductionOnlyWhenChosen, [production, shimIngress({ "cert-manager.io/issuer": "letsencrypt-production" })],
            "the Certificate 'portal-tls' that cert-manager creates for Ingress 'portal' is requested from Issuer 'letsencrypt-production', Let's Encrypt's production server, but the stack chose no environment (annotation mesh-ingress.io/acme-environment); use the staging issuer until the stack's settings choose production (acmeEnvironment).");
    });
});

describe("TLS rules: issuerRef resolution", () => {
    it("does not take an Issuer for the ClusterIssuer of the same name, nor the other way round", async () => {
        const namespacedHttp01: ResourceArgs = { ...changed(clusterIssuer, (p) => {
            p.metadata.namespace = "edge";
            p.spec.acme.solvers = [http01];
        }), type: T.issuer };
        await assertPasses(wildcardNeedsDns01, [namespacedHttp01, wildcardCertificate]);
        const inDefault = changed(wildcardCertificate, (p) => {
            p.metadata.namespace = "default";
            p.spec.issuerRef.kind = "Issuer";
        });
        await assertPasses(wildcardNeedsDns01, [solvers([http01]), inDefault]);
    });

    it("reads an issuerRef without kind as an Issuer (cert-manager's default) and names it so", async () => {
        const issuer: ResourceArgs = { ...changed(clusterIssuer, (p) => {
            p.metadata.namespace = "edge";
            p.spec.acme.solvers = [http01];
        }), type: T.issuer };
        await assertViolates(wildcardNeedsDns01, [issuer, changed(wildcardCertificate, (p) => delete p.spec.issuerRef.kind)],
            "Certificate 'wildcard-example' requests *.example.com from Issuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
    });

    it("leaves a Certificate without issuerRef alone", async () => {
        const noIssuer = changed(wildcardCertificate, (p) => delete p.spec.issuerRef);
        await assertPasses(wildcardNeedsDns01, [solvers([http01]), noIssuer]);
        await assertPasses(acmeProductionOnlyWhenChosen, [changed(clusterIssuer, (p) => (p.spec.acme.server = "https://acme-v02.api.letsencrypt.org/directory")), noIssuer]);
    });
});

describe("TLS rules: solver scores at each selector kind", () => {
    const labelled = (labels: Record<string, string>) => changed(wildcardCertificate, (p) => (p.metadata.labels = labels));

    it("among dnsNames matches, prefers the one with more matching labels", async () => {
        await assertPasses(wildcardNeedsDns01, [solvers([{ selector: { dnsNames: ["*.example.com"] }, ...http01 }, { selector: { dnsNames: ["*.example.com"], matchLabels: { tier: "edge" } }, ...dns01 }]), labelled({ tier: "edge" })]);
    });

    it("prefers a more specific zone over a less specific one with more matching labels", async () => {
        const api = changed(labelled({ tier: "edge", team: "platform" }), (p) => (p.spec.dnsNames = ["*.api.example.com"]));
        await assertPasses(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["example.com"], matchLabels: { tier: "edge", team: "platform" } }, ...http01 }, { selector: { dnsZones: ["api.example.com"] }, ...dns01 }]), api]);
    });

    it("among matchLabels-only selectors, prefers the one with more matching labels", async () => {
        const both = labelled({ tier: "edge", team: "platform" });
        await assertPasses(wildcardNeedsDns01, [solvers([{ selector: { matchLabels: { tier: "edge" } }, ...http01 }, { selector: { matchLabels: { tier: "edge", team: "platform" } }, ...dns01 }]), both]);
    });
});

describe("TLS rules: findings stated in a stable form", () => {
    it("lists every inline key field of a solver in name order, whatever order they were written in", async () => {
        const issuer = changed(clusterIssuer, (p) => (p.spec.acme.solvers[0].dns01.route53 = { secretAccessKey: "x", accessKeyID: "AKIAIOSFODNN7EXAMPLE", region: "us-east-1" }));
        await assertViolates(issuerNoInlineAwsKeys, issuer,
            "ClusterIssuer 'letsencrypt' has an inline AWS access key at spec.acme.solvers[0].dns01.route53.accessKeyID and spec.acme.solvers[0].dns01.route53.secretAccessKey; use ambient credentials from an IAM role (IRSA or EKS Pod Identity) or, outside AWS, accessKeyIDSecretRef and secretAccessKeySecretRef.");
    });

    it("fails a waitFor list whose entry is an object, not a condition string", async () => {
        const value = '[{"condition": "Ready"}]';
        await assertViolates(certificateReadinessAwaited, changed(wildcardCertificate, (p) => (p.metadata.annotations = { "pulumi.com/waitFor": value })),
            `Certificate 'edge/wildcard-example' waits for '${value}' (pulumi.com/waitFor), not for its Ready condition; annotate it pulumi.com/waitFor: condition=Ready.`);
    });

    it("fails a plain-http ACME server whose path carries an https URL (a proxy in front of the CA)", async () => {
        const url = "http://acme-proxy.internal/https://acme-v02.api.letsencrypt.org/directory";
        await assertViolates(acmeServerHttps, changed(clusterIssuer, (p) => (p.spec.acme.server = url)),
            `ClusterIssuer 'letsencrypt' uses the ACME server '${url}', which is not https: anyone on the path could impersonate the CA (RFC 8555 requires HTTPS); use its https:// directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory).`);
    });
});
