import {
    allowlistAnnotationName,
    edgeControllerHardened,
    ingressHttpsRedirect,
    ingressNginxRetired,
    ingressTlsEveryHost,
    noOpenAllowlist,
    noSnippetAnnotations,
    publicHostsRateLimited,
} from "../../policy/edge";
import { changed, ingressNginx, portalIngress } from "./fixtures";
import { assertPasses, assertViolates } from "./support";

const a = "nginx.ingress.kubernetes.io/";

/** The article's "secure-ingress", as YAML parsers that accept its duplicate key read it (the last wins). */
const articleIngress = changed(portalIngress, (p) => {
    p.metadata.name = "secure-ingress";
    p.metadata.annotations = {
        [`${a}ssl-redirect`]: "true",
        [`${a}server-snippet`]: "location /api/ { limit_req zone=api burst=50 nodelay; }",
        [`${a}rate-limit`]: "100",
        [`${a}rate-limit-window`]: "1m",
        [`${a}rate-limit-rps`]: "10",
        [`${a}rate-limit-connections`]: "20",
        [`${a}whitelist-source-range`]: "10.0.0.0/8,172.16.0.0/12",
        [`${a}enable-modsecurity`]: "true",
        [`${a}modsecurity-snippet`]: "SecRuleEngine On",
    };
});

describe("policy ingress-tls-every-host", () => {
    it("passes hosts covered exactly or by a one-label wildcard", async () => {
        await assertPasses(ingressTlsEveryHost, [portalIngress, changed(portalIngress, (p) => (p.spec.tls = [{ hosts: ["*.example.com"], secretName: "wildcard-example-tls" }]))]);
    });

    it("fails a host outside TLS and a rule without host", async () => {
        await assertViolates(ingressTlsEveryHost, changed(portalIngress, (p) => {
            p.spec.tls = [{ hosts: ["portal.example.com"] }];
            p.spec.rules.push({ http: { paths: [] } });
        }), [
            "Ingress 'portal' serves api.example.com without TLS; add it to a spec.tls entry with the Secret of a certificate for it.",
            "Ingress 'portal' rule 3 has no host, so it answers any name without a certificate for it; name the host and cover it in spec.tls.",
        ]);
    });

    it("does not let a wildcard cover two labels", async () => {
        await assertViolates(ingressTlsEveryHost, changed(portalIngress, (p) => {
            p.spec.tls = [{ hosts: ["*.example.com"], secretName: "wildcard-example-tls" }];
            p.spec.rules[0].host = "a.portal.example.com";
        }), "Ingress 'portal' serves a.portal.example.com without TLS; add it to a spec.tls entry with the Secret of a certificate for it.");
    });
});

describe("policy ingress-https-redirect", () => {
    it("passes the default and an explicit redirect", async () => {
        await assertPasses(ingressHttpsRedirect, [portalIngress, articleIngress, ingressNginx]);
    });

    it("fails a redirect switched off on an Ingress", async () => {
        await assertViolates(ingressHttpsRedirect, changed(portalIngress, (p) => (p.metadata.annotations[`${a}ssl-redirect`] = "false")),
            "Ingress 'portal' sets nginx.ingress.kubernetes.io/ssl-redirect: \"false\", serving its hosts over plain HTTP; remove the annotation (the redirect is on by default with TLS).");
    });

    it("fails a redirect switched off for the whole controller", async () => {
        await assertViolates(ingressHttpsRedirect, changed(ingressNginx, (p) => (p.values.controller.config["ssl-redirect"] = "false")),
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.config.ssl-redirect: \"false\", turning HTTPS redirects off for every Ingress; remove it.");
    });
});

describe("policy no-snippet-annotations", () => {
    it("passes an Ingress without snippets", async () => {
        await assertPasses(noSnippetAnnotations, portalIngress);
    });

    it("fails the article's server-snippet and modsecurity-snippet", async () => {
        await assertViolates(noSnippetAnnotations, articleIngress,
            "Ingress 'secure-ingress' uses nginx.ingress.kubernetes.io/modsecurity-snippet and nginx.ingress.kubernetes.io/server-snippet; snippet annotations inject raw NGINX configuration (risk Critical, CVE-2021-25742): remove them and use the controller ConfigMap (hsts, custom-headers) or limit-* annotations instead.");
    });
});

describe("policy allowlist-annotation-name", () => {
    it("passes the current names", async () => {
        await assertPasses(allowlistAnnotationName, [changed(portalIngress, (p) => (p.metadata.annotations[`${a}allowlist-source-range`] = "10.0.0.0/8")), ingressNginx]);
    });

    it("flags the deprecated whitelist annotation names", async () => {
        await assertViolates(allowlistAnnotationName, changed(articleIngress, (p) => (p.metadata.annotations[`${a}limit-whitelist`] = "10.0.0.0/8")), [
            "Ingress 'secure-ingress' uses the deprecated nginx.ingress.kubernetes.io/whitelist-source-range; rename it to nginx.ingress.kubernetes.io/allowlist-source-range.",
            "Ingress 'secure-ingress' uses the deprecated nginx.ingress.kubernetes.io/limit-whitelist; rename it to nginx.ingress.kubernetes.io/limit-allowlist.",
        ]);
    });

    it("leaves the controller ConfigMap's whitelist-source-range alone: it has no other name", async () => {
        await assertPasses(allowlistAnnotationName, changed(ingressNginx, (p) => (p.values.controller.config["whitelist-source-range"] = "10.0.0.0/8")));
    });
});

describe("policy no-open-allowlist", () => {
    it("passes private ranges, single addresses and IPv6 prefixes", async () => {
        await assertPasses(noOpenAllowlist, [articleIngress, changed(portalIngress, (p) => (p.metadata.annotations[`${a}allowlist-source-range`] = "203.0.113.7, 2001:db8::/32"))]);
    });

    it("fails 0.0.0.0/0 and ::/0", async () => {
        await assertViolates(noOpenAllowlist, changed(portalIngress, (p) => (p.metadata.annotations[`${a}allowlist-source-range`] = "10.0.0.0/8,0.0.0.0/0,::/0")),
            "Ingress 'portal' allows everyone in allowlist-source-range: 10.0.0.0/8 + 0.0.0.0/0 + ::/0 cover all of IPv4 and IPv6; list the networks that should reach it, or drop the allowlist if the host is public.");
    });

    // Everyone, spelt in pieces: the verdict is the settings' (policy/addresses.ts).
    const opens: [string, string, ...string[]][] = [
        ["0.0.0.0/1,128.0.0.0/1", "0.0.0.0/1 + 128.0.0.0/1 cover all of IPv4"],
        ["0.0.0.0/2,64.0.0.0/2,128.0.0.0/1", "0.0.0.0/2 + 64.0.0.0/2 + 128.0.0.0/1 cover all of IPv4"],
        [
            "::ffff:0.0.0.0/96",
            "::ffff:0.0.0.0/96 covers all of IPv4",
            "Ingress 'portal' has '::ffff:0.0.0.0/96' in allowlist-source-range: expected the canonical CIDR block 0.0.0.0/0 (an IPv4-mapped IPv6 block is the IPv4 block it maps).",
        ],
        ["::/1,8000::/1", "::/1 + 8000::/1 cover all of IPv4 and IPv6"],
    ];
    for (const [value, why, ...more] of opens) {
        it(`fails ${value}, which is everyone`, async () => {
            await assertViolates(noOpenAllowlist, changed(portalIngress, (p) => (p.metadata.annotations[`${a}allowlist-source-range`] = value)), [
                `Ingress 'portal' allows everyone in allowlist-source-range: ${why}; list the networks that should reach it, or drop the allowlist if the host is public.`,
                ...more,
            ]);
        });
    }

    it("fails ambiguous spellings: octal, hexadecimal, host bits", async () => {
        await assertViolates(noOpenAllowlist, changed(portalIngress, (p) => (p.metadata.annotations[`${a}allowlist-source-range`] = "010.0.0.0/8,0x0a.0.0.0/8,10.0.0.1/8")), [
            "Ingress 'portal' has '010.0.0.0/8' in allowlist-source-range: expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal).",
            "Ingress 'portal' has '0x0a.0.0.0/8' in allowlist-source-range: expected the canonical CIDR block 10.0.0.0/8 (octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal).",
            "Ingress 'portal' has '10.0.0.1/8' in allowlist-source-range: expected the canonical CIDR block 10.0.0.0/8 (no address bits beyond the prefix).",
        ]);
    });

    it("fails a rate-limit exemption for everyone, and an entry that is not an address", async () => {
        await assertViolates(noOpenAllowlist, changed(portalIngress, (p) => (p.metadata.annotations[`${a}limit-allowlist`] = "0.0.0.0/0,office")), [
            "Ingress 'portal' exempts everyone in limit-allowlist: 0.0.0.0/0 covers all of IPv4; list only the trusted sources that may exceed the rate limits.",
            "Ingress 'portal' has 'office' in limit-allowlist, which is not an IP address or CIDR; fix the entry (the controller rejects the whole list).",
        ]);
    });

    it("fails an open global allowlist in the controller ConfigMap", async () => {
        await assertViolates(noOpenAllowlist, changed(ingressNginx, (p) => (p.values.controller.config["whitelist-source-range"] = "::/0")),
            "Helm release 'ingress-nginx' (chart ingress-nginx) controller.config allows everyone in whitelist-source-range: ::/0 covers all of IPv4 and IPv6; list the networks that should reach it, or drop the allowlist if the host is public.");
    });
});

describe("policy public-hosts-rate-limited", () => {
    it("passes a limited public Ingress and an allowlisted (non-public) one", async () => {
        await assertPasses(publicHostsRateLimited, [portalIngress, articleIngress]);
    });

    it("fails a public Ingress with only the article's made-up rate-limit annotations", async () => {
        await assertViolates(publicHostsRateLimited, changed(articleIngress, (p) => delete p.metadata.annotations[`${a}whitelist-source-range`]),
            "Ingress 'secure-ingress' serves public hosts portal.example.com and api.example.com without a request rate limit; set nginx.ingress.kubernetes.io/limit-rps (or limit-rpm), counted per client IP and per controller replica (nginx.ingress.kubernetes.io/rate-limit, nginx.ingress.kubernetes.io/rate-limit-window, nginx.ingress.kubernetes.io/rate-limit-rps and nginx.ingress.kubernetes.io/rate-limit-connections are not ingress-nginx annotations and do nothing).");
    });

    for (const open of ["0.0.0.0/0", "0.0.0.0/1,128.0.0.0/1"]) {
        it(`counts an open allowlist as public (${open})`, async () => {
            await assertViolates(publicHostsRateLimited, changed(portalIngress, (p) => (p.metadata.annotations = { [`${a}allowlist-source-range`]: open })),
                "Ingress 'portal' serves public hosts portal.example.com and api.example.com without a request rate limit; set nginx.ingress.kubernetes.io/limit-rps (or limit-rpm), counted per client IP and per controller replica.");
        });
    }

    it("holds limits to the configured ceiling (limit-rpm counts per second)", async () => {
        const rpm = changed(portalIngress, (p) => (p.metadata.annotations = { [`${a}limit-rpm`]: "1200" }));
        await assertPasses(publicHostsRateLimited, rpm);
        await assertViolates(publicHostsRateLimited, rpm,
            "Ingress 'portal' allows 20 requests per second per client on portal.example.com and api.example.com, above the 10 the pack accepts as a limit; lower nginx.ingress.kubernetes.io/limit-rps (or limit-rpm).",
            { "public-hosts-rate-limited": { maxRps: 10 } });
    });
});

describe("policy edge-controller-hardened", () => {
    it("passes the hardened values and the chart defaults", async () => {
        await assertPasses(edgeControllerHardened, [ingressNginx, changed(ingressNginx, (p) => (p.values = {}))]);
    });

    it("fails snippets allowed, twice in the ConfigMap, at risk level Critical, HSTS off and a public webhook", async () => {
        await assertViolates(edgeControllerHardened, changed(ingressNginx, (p) => {
            p.values.controller.allowSnippetAnnotations = true;
            p.values.controller.config = { "allow-snippet-annotations": "true", "annotations-risk-level": "Critical", hsts: "false" };
            p.values.controller.admissionWebhooks.service = { type: "LoadBalancer" };
        }), [
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.allowSnippetAnnotations: true; leave it false (snippet annotations are rated Critical, CVE-2021-25742).",
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets allow-snippet-annotations in controller.config; remove it (the chart writes that key from controller.allowSnippetAnnotations, so the ConfigMap would hold it twice).",
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.config.annotations-risk-level: Critical, which admits snippet annotations; leave the default (High).",
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.config.hsts: \"false\"; keep HSTS on (set hsts-max-age and hsts-include-subdomains in controller.config, never through a snippet).",
            "Helm release 'ingress-nginx' (chart ingress-nginx) exposes the admission webhook as a LoadBalancer Service; keep controller.admissionWebhooks.service.type ClusterIP (CVE-2025-1974: the webhook must not be reachable from outside the cluster).",
        ]);
    });

    it("holds hsts-max-age to the configured floor", async () => {
        await assertViolates(edgeControllerHardened, ingressNginx,
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.config.hsts-max-age 31536000, below 63072000 seconds; raise it (the controller's own default is 31536000, one year).",
            { "edge-controller-hardened": { minHstsMaxAge: 63072000 } });
        await assertViolates(edgeControllerHardened, changed(ingressNginx, (p) => (p.values.controller.config["hsts-max-age"] = "3600")),
            "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.config.hsts-max-age 3600, below 31536000 seconds; raise it (the controller's own default is 31536000, one year).");
    });
});

describe("policy ingress-nginx-retired", () => {
    it("stays quiet on the acknowledged final release", async () => {
        await assertPasses(ingressNginxRetired, ingressNginx);
    });

    it("warns on any other version", async () => {
        await assertViolates(ingressNginxRetired, changed(ingressNginx, (p) => (p.version = "4.12.3")),
            "Helm release 'ingress-nginx' installs ingress-nginx 4.12.3; ingress-nginx was retired in March 2026 and gets no security fixes after its final release 4.15.1: move to 4.15.1 now and plan the move to a maintained controller (Gateway API).");
    });

    it("warns on every version when nothing is acknowledged", async () => {
        await assertViolates(ingressNginxRetired, ingressNginx,
            "Helm release 'ingress-nginx' installs ingress-nginx 4.15.1; ingress-nginx was retired in March 2026 and gets no security fixes after its final release 4.15.1: plan the move to a maintained controller (Gateway API).",
            { "ingress-nginx-retired": { acknowledgedVersion: "" } });
    });
});
