import * as assert from "node:assert/strict";
import { primary, problemLines } from "../../support/config-source";

/**
 * The rules across the TLS settings (config/settings/tls.ts), as a user reads them: the
 * certificate sets' names and DNS names, the hosted zone they are validated in, the DNS-01
 * challenge records two sets would compete for (RFC 8555 §8.4: `*.example.com` and
 * `example.com` both answer at `_acme-challenge.example.com`), the staging/production
 * issuer choice, and the Route53 credentials of each `dns01Credentials` mode. Each case
 * asserts the exact lines, so a rule that fires too often, too rarely or with another
 * message fails it.
 */

const oidcArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** A primary that issues certificates, without Route53 credentials. */
const issuer = { ...primary, acmeEmail: "platform@example.com", dnsHostedZoneName: "example.com" };

/** The same with IRSA credentials (the default mode): it loads once it has sets. */
const irsa = { ...issuer, dns01OidcProviderArn: oidcArn };

/** A certificate set outside the edge namespace (a stack without hosts has no edge namespace). */
const set = (name: string, dnsNames: string[], extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({ name, dnsNames, namespace: "apps", ...extra });

/** A host the edge serves with a per-host certificate. */
const ownHost = (host: string): Record<string, unknown> => ({ host, namespace: "apps", certificate: "own", paths: [{ path: "/", service: "web", port: 80 }] });

/** What a stack with hosts needs besides them (the admission webhook's callers). */
const serving = { edgeAdmissionWebhookSources: ["10.0.0.0/16"] };

describe("config/settings/tls: certificate sets", () => {
    it("loads sets with distinct names and names in the hosted zone, the apex and a wildcard included", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: [set("site", ["example.com", "*.example.com"]), set("api", ["api.v1.example.com"])] }), []);
    });

    it("refuses a name that a second set reuses, on that set", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: [set("site", ["a.example.com"]), set("site", ["b.example.com"])] }), [
            'tlsCertificates[1].name = "site": expected a name used by one certificate set only',
        ]);
    });

    it("refuses a DNS name listed twice in one set", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: [set("site", ["a.example.com", "a.example.com"])] }), [
            'tlsCertificates[0].dnsNames = ["a.example.com","a.example.com"]: expected each DNS name once',
        ]);
    });

    it("refuses each DNS name outside the hosted zone, by its index", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: [set("site", ["a.example.com", "a.example.org", "*.example.net"])] }), [
            'tlsCertificates[0].dnsNames[1] = "a.example.org": expected a name in the hosted zone example.com (dnsHostedZoneName)',
            'tlsCertificates[0].dnsNames[2] = "*.example.net": expected a name in the hosted zone example.com (dnsHostedZoneName)',
        ]);
    });

    it("without a hosted zone and without hosts, asks for the zone once instead of refusing every name", () => {
        const { dnsHostedZoneName: _zone, ...noZone } = irsa;
        void _zone;
        assert.deepEqual(problemLines({ ...noZone, tlsCertificates: [set("site", ["a.example.com", "b.example.org"])] }), [
            "dnsHostedZoneName is not set: certificates are validated through DNS-01 in a Route53 hosted zone; name it",
        ]);
    });

    it("without a hosted zone but with hosts, leaves the zone to the DNS rule's line (one line, not two)", () => {
        const { dnsHostedZoneName: _zone, ...noZone } = irsa;
        void _zone;
        assert.deepEqual(problemLines({ ...noZone, ...serving, edgeHosts: [ownHost("app.example.com")] }), [
            "dnsHostedZoneName is not set: the stack serves domains; name the Route53 hosted zone they live in",
        ]);
    });

    it("needs no hosted zone, e-mail or credentials when the stack issues nothing", () => {
        assert.deepEqual(problemLines({ ...primary }), []);
        assert.deepEqual(problemLines({ ...primary, dns01Credentials: "static" }), []);
    });
});

describe("config/settings/tls: hosts with their own certificate are issued sets too", () => {
    it("asks for the ACME e-mail and the credentials of a stack whose only certificate is a host's own", () => {
        assert.deepEqual(problemLines({ ...primary, dnsHostedZoneName: "example.com", ...serving, edgeHosts: [ownHost("app.example.com")] }), [
            "acmeEmail is not set: the stack issues certificates; set the Let's Encrypt account's e-mail address",
            "dns01OidcProviderArn is not set: irsa needs the cluster's IAM OIDC provider ARN (or choose dns01Credentials: pod-identity)",
        ]);
        assert.deepEqual(problemLines({ ...irsa, ...serving, edgeHosts: [ownHost("app.example.com")] }), []);
    });

    it("refuses a host's own certificate that shares a challenge record with a set, naming the host's key and name", () => {
        assert.deepEqual(problemLines({ ...irsa, ...serving, tlsCertificates: [set("wildcard", ["*.example.com"])], edgeHosts: [ownHost("example.com")] }), [
            `edgeHosts[0].certificate = ["example.com"]: expected no challenge record shared with tlsCertificates[0] ('wildcard'): both would write _acme-challenge.example.com`,
        ]);
    });

    it("names the first host's own certificate when a host is listed twice, besides the duplicate host", () => {
        assert.deepEqual(problemLines({ ...irsa, ...serving, edgeHosts: [ownHost("app.example.com"), ownHost("app.example.com")] }), [
            `edgeHosts[1].certificate = ["app.example.com"]: expected no challenge record shared with edgeHosts[0].certificate ('app.example.com (own certificate)'): both would write _acme-challenge.app.example.com`,
            'edgeHosts[1].host = "app.example.com": expected each host once (edgeHosts[0] serves it; list all its paths there)',
        ]);
    });

    it("issues nothing for a host that uses the stack's certificate", () => {
        // certificate: stack with no covering set: the edge rule's line only, no e-mail or credential line.
        assert.deepEqual(problemLines({ ...primary, dnsHostedZoneName: "example.com", ...serving, edgeHosts: [{ ...ownHost("app.example.com"), certificate: "stack" }] }), [
            'edgeHosts[0].host = "app.example.com": expected a host covered by a certificate of this stack (a set of tlsCertificates in ingress-nginx or in apps), or certificate: own',
        ]);
    });
});

describe("config/settings/tls: shared challenge records", () => {
    it("lists every challenge record two sets would both write, on the later set", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: [set("site", ["example.com", "www.example.com"]), set("wild", ["*.example.com", "*.www.example.com"])] }), [
            `tlsCertificates[1] = ["*.example.com","*.www.example.com"]: expected no challenge record shared with tlsCertificates[0] ('site'): both would write _acme-challenge.example.com, _acme-challenge.www.example.com`,
        ]);
    });

    it("lets sets whose names differ below the zone coexist (a wildcard does not share with a deeper name)", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: [set("wild", ["*.example.com"]), set("api", ["api.example.com"])] }), []);
    });
});

describe("config/settings/tls: staging and production issuers", () => {
    const pinned = (issuer: string): Record<string, unknown>[] => [set("site", ["example.com"], { issuer })];

    it("refuses a set pinned to production while the stack is on staging", () => {
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: pinned("production") }), [
            "tlsCertificates[0].issuer = \"production\": expected 'staging' while acmeEnvironment is staging: production ACME needs the explicit stack choice acmeEnvironment: production",
        ]);
    });

    it("accepts production sets on a production stack, and staging sets on either", () => {
        assert.deepEqual(problemLines({ ...irsa, acmeEnvironment: "production", tlsCertificates: pinned("production") }), []);
        assert.deepEqual(problemLines({ ...irsa, acmeEnvironment: "production", tlsCertificates: pinned("staging") }), []);
        assert.deepEqual(problemLines({ ...irsa, tlsCertificates: pinned("staging") }), []);
    });
});

describe("config/settings/tls: Route53 credentials of each mode", () => {
    const sets = { tlsCertificates: [set("site", ["example.com"])] };
    const keys = { dns01AccessKeyId: "AKIAIOSFODNN7EXAMPLE", dns01SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    const secretKeys = ["dns01AccessKeyId", "dns01SecretAccessKey"];
    const staticKeyLine = (mode: string): string =>
        `dns01AccessKeyId = [secret]: expected no static key with dns01Credentials: ${mode} (ambient credentials are used); remove dns01AccessKeyId and dns01SecretAccessKey`;

    it("irsa: needs the OIDC provider ARN", () => {
        assert.deepEqual(problemLines({ ...issuer, ...sets }), ["dns01OidcProviderArn is not set: irsa needs the cluster's IAM OIDC provider ARN (or choose dns01Credentials: pod-identity)"]);
        assert.deepEqual(problemLines({ ...irsa, ...sets }), []);
    });

    it("irsa and pod-identity: refuse a static key, either half of it, without showing it", () => {
        assert.deepEqual(problemLines({ ...irsa, ...sets, ...keys }, secretKeys), [staticKeyLine("irsa")]);
        assert.deepEqual(problemLines({ ...irsa, ...sets, dns01AccessKeyId: keys.dns01AccessKeyId }, secretKeys), [staticKeyLine("irsa")]);
        assert.deepEqual(problemLines({ ...irsa, ...sets, dns01SecretAccessKey: keys.dns01SecretAccessKey }, secretKeys), [staticKeyLine("irsa")]);
        const pod = { ...issuer, ...sets, dns01Credentials: "pod-identity", dns01EksClusterName: "prod-eks" };
        assert.deepEqual(problemLines({ ...pod, dns01SecretAccessKey: keys.dns01SecretAccessKey }, secretKeys), [staticKeyLine("pod-identity")]);
    });

    it("pod-identity: needs the EKS cluster's name, and nothing else", () => {
        const pod = { ...issuer, ...sets, dns01Credentials: "pod-identity" };
        assert.deepEqual(problemLines(pod), ["dns01EksClusterName is not set: a Pod Identity association needs the EKS cluster's name"]);
        assert.deepEqual(problemLines({ ...pod, dns01EksClusterName: "prod-eks" }), []);
    });

    describe("static", () => {
        const complete = { ...issuer, ...sets, dns01Credentials: "static", dns01IamUser: "cert-manager-dns01", ...keys };

        it("loads with the key, its secret and its IAM user on a cluster not configured as EKS", () => {
            assert.deepEqual(problemLines(complete, secretKeys), []);
        });

        it("asks for each missing part by name", () => {
            const without = (key: keyof typeof complete): Record<string, unknown> => Object.fromEntries(Object.entries(complete).filter(([k]) => k !== key));
            assert.deepEqual(problemLines(without("dns01AccessKeyId"), secretKeys), ["dns01AccessKeyId is not set: static mode needs it; set it with `pulumi config set --secret dns01AccessKeyId`"]);
            assert.deepEqual(problemLines(without("dns01SecretAccessKey"), secretKeys), [
                "dns01SecretAccessKey is not set: static mode needs it; set it with `pulumi config set --secret dns01SecretAccessKey`",
            ]);
            assert.deepEqual(problemLines(without("dns01IamUser"), secretKeys), ["dns01IamUser is not set: static mode attaches the DNS-01 policy to the key's IAM user; name it"]);
        });

        it("refuses static keys on a cluster configured as EKS, by its OIDC provider or by its cluster name", () => {
            const line =
                'dns01Credentials = "static": expected \'irsa\' or \'pod-identity\' on a cluster configured as EKS (dns01OidcProviderArn or dns01EksClusterName is set): static keys are for clusters outside AWS only';
            assert.deepEqual(problemLines({ ...complete, dns01OidcProviderArn: oidcArn }, secretKeys), [line]);
            assert.deepEqual(problemLines({ ...complete, dns01EksClusterName: "prod-eks" }, secretKeys), [line]);
        });
    });
});
