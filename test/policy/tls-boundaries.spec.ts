import { acmeProductionOnlyWhenChosen, acmeServerHttps, certificateReadinessAwaited, issuerNoInlineAwsKeys, oneCertificatePerIdentifierSet, wildcardNeedsDns01 } from "../../policy/tls";
import { changed, clusterIssuer, T, wildcardCertificate } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of the TLS rules: cert-manager's solver priorities at each tie, each issuer
 * kind, the shape of an access key id to the character, each Let's Encrypt environment
 * against each choice, the number of certificates per identifier set on either side of
 * the configured most, and each form of pulumi.com/waitFor.
 */

const http01 = { http01: { ingress: { ingressClassName: "nginx" } } };
const dns01 = { dns01: { route53: { region: "us-east-1", hostedZoneID: "Z0123456789ABCDEFGHIJ" } } };
const solvers = (list: unknown[]) => changed(clusterIssuer, (p) => (p.spec.acme.solvers = list));
const viaHttp01 = "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.";

describe("wildcard-needs-dns01 at its boundaries", () => {
    it("breaks a tie between equal selectors in favour of the earlier solver", async () => {
        await assertPasses(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["example.com"] }, ...dns01 }, { selector: { dnsZones: ["example.com"] }, ...http01 }]), wildcardCertificate]);
        await assertViolates(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["example.com"] }, ...http01 }, { selector: { dnsZones: ["example.com"] }, ...dns01 }]), wildcardCertificate], viaHttp01);
        await assertViolates(wildcardNeedsDns01, [solvers([http01, dns01]), wildcardCertificate], viaHttp01);
    });

    it("prefers a dnsNames match over any dnsZones match, a zone over matchLabels alone, matchLabels over no selector", async () => {
        await assertPasses(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["example.com"] }, ...http01 }, { selector: { dnsNames: ["*.example.com"] }, ...dns01 }]), wildcardCertificate]);
        await assertViolates(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["example.com"] }, ...dns01 }, { selector: { dnsNames: ["*.example.com"] }, ...http01 }]), wildcardCertificate], viaHttp01);
        const labelled = changed(wildcardCertificate, (p) => (p.metadata.labels = { tier: "edge" }));
        await assertPasses(wildcardNeedsDns01, [solvers([{ selector: { matchLabels: { tier: "edge" } }, ...http01 }, { selector: { dnsZones: ["example.com"] }, ...dns01 }]), labelled]);
        await assertPasses(wildcardNeedsDns01, [solvers([http01, { selector: { matchLabels: { tier: "edge" } }, ...dns01 }]), labelled]);
        await assertViolates(wildcardNeedsDns01, [solvers([http01, { selector: { matchLabels: { tier: "edge" } }, ...dns01 }]), wildcardCertificate], viaHttp01);
    });

    it("matches a zone only on a label boundary (example.com, not ample.com)", async () => {
        await assertViolates(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["ample.com"] }, ...dns01 }]), wildcardCertificate],
            "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which has no solver for it; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
    });

    it("names a solver with neither dns01 nor http01 as empty", async () => {
        await assertViolates(wildcardNeedsDns01, [solvers([{ selector: { dnsZones: ["example.com"] } }]), wildcardCertificate],
            "Certificate 'wildcard-example' requests *.example.com from ClusterIssuer 'letsencrypt', which would validate it with an empty solver; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
    });

    it("resolves issuerRef by kind: an Issuer in the certificate's namespace counts, one elsewhere and a ClusterIssuer named by an Issuer ref do not", async () => {
        const issuer = (namespace: string): ResourceArgs => ({ ...changed(clusterIssuer, (p) => {
            p.metadata.namespace = namespace;
            p.spec.acme.solvers = [http01];
        }), type: T.issuer });
        const byIssuer = changed(wildcardCertificate, (p) => (p.spec.issuerRef.kind = "Issuer"));
        const noKind = changed(wildcardCertificate, (p) => delete p.spec.issuerRef.kind);
        await assertViolates(wildcardNeedsDns01, [issuer("edge"), byIssuer],
            "Certificate 'wildcard-example' requests *.example.com from Issuer 'letsencrypt', which would validate it with http01; Let's Encrypt validates wildcards only through DNS-01: add a dns01 (route53) solver for this zone.");
        await assertPasses(wildcardNeedsDns01, [issuer("apps"), byIssuer]);
        await assertPasses(wildcardNeedsDns01, [solvers([http01]), noKind]);
    });

    it("judges ACME issuers only, not a CA issuer", async () => {
        await assertPasses(wildcardNeedsDns01, [changed(clusterIssuer, (p) => (p.spec = { ca: { secretName: "root-ca" } })), wildcardCertificate]);
    });
});

describe("issuer-no-inline-aws-keys at its boundaries", () => {
    const at = (value: string) => changed(clusterIssuer, (p) => (p.spec.acme.solvers[0].dns01.route53.role = value));
    const inline = (where: string) =>
        `ClusterIssuer 'letsencrypt' has an inline AWS access key at ${where}; use ambient credentials from an IAM role (IRSA or EKS Pod Identity) or, outside AWS, accessKeyIDSecretRef and secretAccessKeySecretRef.`;

    it("finds a key id of AKIA or ASIA and exactly 16 more capitals or digits, not 15 or 17, not another prefix or lowercase", async () => {
        await assertViolates(issuerNoInlineAwsKeys, at("AKIAIOSFODNN7EXAMPLE"), inline("spec.acme.solvers[0].dns01.route53.role"));
        await assertViolates(issuerNoInlineAwsKeys, at("ASIAIOSFODNN7EXAMPLE"), inline("spec.acme.solvers[0].dns01.route53.role"));
        await assertPasses(issuerNoInlineAwsKeys, [at("AKIAIOSFODNN7EXAMPL"), at("AKIAIOSFODNN7EXAMPLEX"), at("AKIBIOSFODNN7EXAMPLE"), at("akiaiosfodnn7example")]);
    });

    it("flags the secretAccessKey field as well as accessKeyID, whatever their value", async () => {
        await assertViolates(issuerNoInlineAwsKeys, changed(clusterIssuer, (p) => (p.spec.acme.solvers[0].dns01.route53.secretAccessKey = "x")), inline("spec.acme.solvers[0].dns01.route53.secretAccessKey"));
        await assertViolates(issuerNoInlineAwsKeys, changed(clusterIssuer, (p) => (p.spec.acme.solvers[0].dns01.route53.accessKeyID = "")), inline("spec.acme.solvers[0].dns01.route53.accessKeyID"));
    });
});

describe("acme-production-only-when-chosen: each server against each choice", () => {
    const production = "https://acme-v02.api.letsencrypt.org/directory";
    const issuer = (server: string) => changed(clusterIssuer, (p) => (p.spec.acme.server = server));
    const chose = (environment?: string) => changed(wildcardCertificate, (p) => (p.metadata.annotations = { "pulumi.com/waitFor": "condition=Ready", ...(environment !== undefined ? { "mesh-ingress.io/acme-environment": environment } : {}) }));
    const fromProduction = (chosen: string) =>
        `Certificate 'wildcard-example' is requested from ClusterIssuer 'letsencrypt', Let's Encrypt's production server, but the stack chose ${chosen} (annotation mesh-ingress.io/acme-environment); use the staging issuer until the stack's settings choose production (acmeEnvironment).`;

    it("production server: passes the choice production only; fails any other word, an empty choice and none", async () => {
        await assertPasses(acmeProductionOnlyWhenChosen, [issuer(production), chose("production")]);
        await assertViolates(acmeProductionOnlyWhenChosen, [issuer(production), chose("prod")], fromProduction("'prod'"));
        await assertViolates(acmeProductionOnlyWhenChosen, [issuer(production), chose("")], fromProduction("no environment"));
        await assertViolates(acmeProductionOnlyWhenChosen, [issuer(production), chose()], fromProduction("no environment"));
    });

    it("staging server: passes staging, none and other words; fails production", async () => {
        await assertPasses(acmeProductionOnlyWhenChosen, [clusterIssuer, chose("staging")]);
        await assertPasses(acmeProductionOnlyWhenChosen, [clusterIssuer, chose("prod")]);
        await assertPasses(acmeProductionOnlyWhenChosen, [clusterIssuer, chose()]);
        await assertViolates(acmeProductionOnlyWhenChosen, [clusterIssuer, chose("production")],
            "Certificate 'wildcard-example' is annotated mesh-ingress.io/acme-environment=production but requested from ClusterIssuer 'letsencrypt', Let's Encrypt's staging server; use the production issuer, or annotate it staging.");
    });

    it("another ACME server: passes whatever the choice", async () => {
        const other = issuer("https://acme.zerossl.com/v2/DV90");
        await assertPasses(acmeProductionOnlyWhenChosen, [other, chose("production")]);
        await assertPasses(acmeProductionOnlyWhenChosen, [other, chose("staging")]);
        await assertPasses(acmeProductionOnlyWhenChosen, [other, chose()]);
    });

    it("follows a namespaced Issuer in the certificate's namespace only", async () => {
        const namespaced = (namespace: string): ResourceArgs => ({ ...changed(issuer(production), (p) => (p.metadata.namespace = namespace)), type: T.issuer });
        const byIssuer = changed(chose(), (p) => (p.spec.issuerRef.kind = "Issuer"));
        await assertViolates(acmeProductionOnlyWhenChosen, [namespaced("edge"), byIssuer],
            "Certificate 'wildcard-example' is requested from Issuer 'letsencrypt', Let's Encrypt's production server, but the stack chose no environment (annotation mesh-ingress.io/acme-environment); use the staging issuer until the stack's settings choose production (acmeEnvironment).");
        await assertPasses(acmeProductionOnlyWhenChosen, [namespaced("apps"), byIssuer]);
    });
});

describe("one-certificate-per-identifier-set at its boundaries", () => {
    const copy = (name: string, dnsNames: string[], commonName?: string): ResourceArgs => ({
        ...changed(wildcardCertificate, (p) => {
            p.metadata = { name, namespace: "edge" };
            p.spec.dnsNames = dnsNames;
            if (commonName !== undefined) p.spec.commonName = commonName;
        }),
        name,
    });
    const set = ["*.example.com", "example.com"];
    const duplicates = (labels: string) =>
        `${labels} all request [*.example.com, example.com]; Let's Encrypt allows 5 certificates per identifier set per week and duplicates renew separately: issue it once and reference its Secret.`;

    it("moves the most with a configured maxPerIdentifierSet 2: passes 2, fails 3", async () => {
        const two = { "one-certificate-per-identifier-set": { maxPerIdentifierSet: 2 } };
        await assertPasses(oneCertificatePerIdentifierSet, [copy("a", set), copy("b", set)], two);
        await assertViolates(oneCertificatePerIdentifierSet, [copy("a", set), copy("b", set), copy("c", set)],
            duplicates("Certificate 'a' (namespace edge), Certificate 'b' (namespace edge) and Certificate 'c' (namespace edge)"), two);
        await assertPasses(oneCertificatePerIdentifierSet, [copy("a", set), copy("b", set), copy("c", set)], { "one-certificate-per-identifier-set": { maxPerIdentifierSet: 3 } });
    });

    it("compares whole sets: one name more is another set; a trailing dot, a repeated name and the commonName are the same set", async () => {
        await assertPasses(oneCertificatePerIdentifierSet, [copy("a", set), copy("b", [...set, "api.example.com"])]);
        await assertViolates(oneCertificatePerIdentifierSet, [copy("a", set), copy("b", ["example.com.", "*.example.com", "example.com"])], duplicates("Certificate 'a' (namespace edge) and Certificate 'b' (namespace edge)"));
        await assertViolates(oneCertificatePerIdentifierSet, [copy("a", set), copy("b", ["*.example.com"], "example.com")], duplicates("Certificate 'a' (namespace edge) and Certificate 'b' (namespace edge)"));
    });

    it("leaves certificates without names alone", async () => {
        await assertPasses(oneCertificatePerIdentifierSet, [copy("a", []), copy("b", [])]);
    });
});

describe("certificate-readiness-awaited: each form of pulumi.com/waitFor", () => {
    const waiting = (annotations: Record<string, string>) => changed(wildcardCertificate, (p) => (p.metadata.annotations = annotations));
    const notReady = (value: string) => `Certificate 'edge/wildcard-example' waits for '${value}' (pulumi.com/waitFor), not for its Ready condition; annotate it pulumi.com/waitFor: condition=Ready.`;

    it("passes condition=Ready=True, condition=ready in any case, and a list holding condition=Ready", async () => {
        await assertPasses(certificateReadinessAwaited, [
            waiting({ "pulumi.com/waitFor": "condition=Ready=True" }),
            waiting({ "pulumi.com/waitFor": "condition=ready" }),
            waiting({ "pulumi.com/waitFor": '["condition=Issuing", "condition=Ready"]' }),
        ]);
    });

    it("fails condition=Ready=False, a list without Ready, and a list that is not JSON", async () => {
        await assertViolates(certificateReadinessAwaited, waiting({ "pulumi.com/waitFor": "condition=Ready=False" }), notReady("condition=Ready=False"));
        await assertViolates(certificateReadinessAwaited, waiting({ "pulumi.com/waitFor": '["condition=Issuing"]' }), notReady('["condition=Issuing"]'));
        await assertViolates(certificateReadinessAwaited, waiting({ "pulumi.com/waitFor": "[condition=Ready" }), notReady("[condition=Ready"));
    });

    it("fails skipAwait \"true\" only, not \"false\"", async () => {
        await assertPasses(certificateReadinessAwaited, waiting({ "pulumi.com/waitFor": "condition=Ready", "pulumi.com/skipAwait": "false" }));
    });

    it("names a namespaced Issuer with its namespace", async () => {
        await assertViolates(certificateReadinessAwaited, { ...changed(clusterIssuer, (p) => (p.metadata = { name: "letsencrypt", namespace: "edge" })), type: T.issuer },
            "Issuer 'edge/letsencrypt' has no pulumi.com/waitFor annotation: pulumi up does not wait for a custom resource without it, so what uses it would start before it is Ready; annotate it pulumi.com/waitFor: condition=Ready.");
    });
});

describe("acme-server-https at its boundaries", () => {
    const server = (url: string, type: string = T.clusterIssuer) => ({ ...changed(clusterIssuer, (p) => (p.spec.acme.server = url)), type });
    const notHttps = (who: string, url: string) =>
        `${who} uses the ACME server '${url}', which is not https: anyone on the path could impersonate the CA (RFC 8555 requires HTTPS); use its https:// directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory).`;

    it("passes https:// in any case, and an issuer that is not ACME", async () => {
        await assertPasses(acmeServerHttps, [server("HTTPS://acme-v02.api.letsencrypt.org/directory"), changed(clusterIssuer, (p) => (p.spec = { selfSigned: {} }))]);
    });

    it("fails every other scheme, a URL without one, and a scheme one slash short", async () => {
        for (const url of ["ftp://acme.example.com/directory", "acme-v02.api.letsencrypt.org/directory", "https:/acme-v02.api.letsencrypt.org/directory"]) {
            await assertViolates(acmeServerHttps, server(url), notHttps("ClusterIssuer 'letsencrypt'", url));
        }
        await assertViolates(acmeServerHttps, server("http://acme.example.com/directory", T.issuer), notHttps("Issuer 'default/letsencrypt'", "http://acme.example.com/directory"));
    });
});
