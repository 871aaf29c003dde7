import { canonicalProblem } from "../../policy/addresses";
import { edgeControllerHardened, ingressHttpsRedirect, ingressNginxRetired, noOpenAllowlist, noSnippetAnnotations, publicHostsRateLimited } from "../../policy/edge";
import { changed, ingressNginx, portalIngress } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The NGINX edge's rules at their boundaries: each threshold passes at its exact value and
 * fails one step outside it, a configured threshold moves the boundary, and every value a
 * mode field can take is judged, not only the one the program writes. Rates are checked in
 * both forms ingress-nginx reads (limit-rps, and limit-rpm as rpm/60).
 */

const a = "nginx.ingress.kubernetes.io/";
const hosts = "portal.example.com and api.example.com";

/** The portal Ingress with exactly these annotations. */
const annotated = (annotations: Record<string, string>): ResourceArgs => changed(portalIngress, (p) => (p.metadata.annotations = annotations));
/** The ingress-nginx release with these keys merged into controller.config. */
const configured = (config: Record<string, unknown>): ResourceArgs => changed(ingressNginx, (p) => Object.assign(p.values.controller.config, config));
/** The ingress-nginx release with one change to its values. */
const withValues = (change: (values: any) => void): ResourceArgs => changed(ingressNginx, (p) => change(p.values));

describe("public-hosts-rate-limited at its boundaries", () => {
    const above = (rps: number, max: number): string =>
        `Ingress 'portal' allows ${rps} requests per second per client on ${hosts}, above the ${max} the pack accepts as a limit; lower ${a}limit-rps (or limit-rpm).`;
    const unlimited = (why = ""): string =>
        `Ingress 'portal' serves public hosts ${hosts} without a request rate limit; set ${a}limit-rps (or limit-rpm), counted per client IP and per controller replica${why}.`;
    const ceiling = (maxRps: number) => ({ "public-hosts-rate-limited": { maxRps } });

    it("passes limit-rps at the default ceiling of 100 and fails 101", async () => {
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "100" }));
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "101" }), above(101, 100));
    });

    it("passes limit-rpm at 60 × the ceiling (6000 per minute) and fails 6001 per minute", async () => {
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "6000" }));
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "6001" }), above(6001 / 60, 100));
    });

    it("moves both boundaries with a configured ceiling: 10 per second, 600 per minute", async () => {
        await assertPasses(publicHostsRateLimited, [annotated({ [`${a}limit-rps`]: "10" }), annotated({ [`${a}limit-rpm`]: "600" })], ceiling(10));
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "11" }), above(11, 10), ceiling(10));
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "601" }), above(601 / 60, 10), ceiling(10));
    });

    it("counts a per-minute limit exactly, not rounded, under a ceiling below one per second", async () => {
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "30" }), ceiling(0.5));
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "31" }), above(31 / 60, 0.5), ceiling(0.5));
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "1" }));
    });

    it("judges the stricter of limit-rps and limit-rpm, whichever it is", async () => {
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "500", [`${a}limit-rpm`]: "6000" }));
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "100", [`${a}limit-rpm`]: "60000" }));
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "101", [`${a}limit-rpm`]: "6060" }), above(101, 100));
    });

    it("takes a limit of 0 (ingress-nginx's 'no limit') as none, and 1 as the lowest limit", async () => {
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "0" }), unlimited());
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rpm`]: "0" }), unlimited());
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "ten" }), unlimited());
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "1" }));
        await assertPasses(publicHostsRateLimited, annotated({ [`${a}limit-rps`]: "0", [`${a}limit-rpm`]: "60" }));
    });

    it("names one made-up annotation in the singular and two in the plural", async () => {
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}rate-limit-rps`]: "10" }), unlimited(` (${a}rate-limit-rps is not an ingress-nginx annotation and does nothing)`));
        await assertViolates(
            publicHostsRateLimited,
            annotated({ [`${a}rate-limit`]: "100", [`${a}rate-limit-window`]: "1m" }),
            unlimited(` (${a}rate-limit and ${a}rate-limit-window are not ingress-nginx annotations and do nothing)`),
        );
    });

    it("exempts a host restricted by allowlist-source-range or whitelist-source-range, never by limit-allowlist or a blank list", async () => {
        await assertPasses(publicHostsRateLimited, [annotated({ [`${a}allowlist-source-range`]: "10.0.0.0/8" }), annotated({ [`${a}whitelist-source-range`]: "10.0.0.0/8" })]);
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}limit-allowlist`]: "10.0.0.0/8" }), unlimited());
        await assertViolates(publicHostsRateLimited, annotated({ [`${a}allowlist-source-range`]: " " }), unlimited());
    });

    it("counts a rule without a host as the public host *", async () => {
        await assertViolates(
            publicHostsRateLimited,
            changed(portalIngress, (p) => {
                p.metadata.annotations = {};
                delete p.spec.rules[1].host;
            }),
            `Ingress 'portal' serves public hosts portal.example.com and * without a request rate limit; set ${a}limit-rps (or limit-rpm), counted per client IP and per controller replica.`,
        );
    });
});

describe("edge-controller-hardened at its boundaries", () => {
    const who = "Helm release 'ingress-nginx' (chart ingress-nginx)";
    const below = (age: number, min: number): string => `${who} sets controller.config.hsts-max-age ${age}, below ${min} seconds; raise it (the controller's own default is 31536000, one year).`;
    const hstsOff = `${who} sets controller.config.hsts: "false"; keep HSTS on (set hsts-max-age and hsts-include-subdomains in controller.config, never through a snippet).`;
    const floor = (minHstsMaxAge: number) => ({ "edge-controller-hardened": { minHstsMaxAge } });

    it("passes hsts-max-age at the default floor, the controller's own default of 31536000 seconds, and fails one second less", async () => {
        await assertPasses(edgeControllerHardened, [configured({ "hsts-max-age": "31536000" }), configured({ "hsts-max-age": 31536000 })]);
        await assertViolates(edgeControllerHardened, configured({ "hsts-max-age": "31535999" }), below(31535999, 31536000));
        await assertViolates(edgeControllerHardened, configured({ "hsts-max-age": 31535999 }), below(31535999, 31536000));
        // Six months, the controller's default before v1.9.5, is below it.
        await assertViolates(edgeControllerHardened, configured({ "hsts-max-age": "15724800" }), below(15724800, 31536000));
    });

    it("moves the floor with the configured minimum: two years pass at two years, one second less fails", async () => {
        await assertPasses(edgeControllerHardened, configured({ "hsts-max-age": "63072000" }), floor(63072000));
        await assertViolates(edgeControllerHardened, configured({ "hsts-max-age": "63071999" }), below(63071999, 63072000), floor(63072000));
        await assertPasses(edgeControllerHardened, configured({ "hsts-max-age": "0" }), floor(0));
    });

    it("holds an unset hsts-max-age to the floor as the controller's default of 31536000 seconds", async () => {
        const unset = withValues((v) => delete v.controller.config["hsts-max-age"]);
        await assertPasses(edgeControllerHardened, unset);
        await assertPasses(edgeControllerHardened, unset, floor(31536000));
        await assertViolates(edgeControllerHardened, unset,
            `${who} leaves controller.config.hsts-max-age unset: the controller's default of 31536000 seconds is below 31536001; set it.`, floor(31536001));
    });

    it("checks max-age while HSTS is on (unset, true, \"true\"), and only reports HSTS off when it is off", async () => {
        for (const hsts of [undefined, true, "true"]) {
            await assertViolates(edgeControllerHardened, configured({ hsts, "hsts-max-age": "3600" }), below(3600, 31536000));
        }
        await assertViolates(edgeControllerHardened, configured({ hsts: "false", "hsts-max-age": "3600" }), hstsOff);
        await assertViolates(edgeControllerHardened, configured({ hsts: false, "hsts-max-age": "3600" }), hstsOff);
    });

    // HSTS off however the controller spells false (policy/booleans.ts configMapBool).
    // ingress-nginx decodes its ConfigMap with mapstructure WeaklyTypedInput (internal/ingress/controller/template/configmap.go,
    // controller-v1.15.1), which reads a string bool with strconv.ParseBool ("0", "f", "F", "False", "FALSE" are false) and ""
    // as false; the chart writes each controller.config value as `tpl (toString $value) | quote`, so a value of 0 becomes "0".
    it("reports HSTS off however ingress-nginx spells false (0, f, F, False, FALSE, empty)", async () => {
        for (const hsts of ["0", "f", "F", "False", "FALSE", "", 0]) {
            await assertViolates(edgeControllerHardened, configured({ hsts }), hstsOff);
        }
    });

    it("fails snippet annotations allowed as true or \"true\", and passes false", async () => {
        const allowed = `${who} sets controller.allowSnippetAnnotations: true; leave it false (snippet annotations are rated Critical, CVE-2021-25742).`;
        await assertViolates(edgeControllerHardened, withValues((v) => (v.controller.allowSnippetAnnotations = "true")), allowed);
        await assertViolates(edgeControllerHardened, withValues((v) => (v.controller.allowSnippetAnnotations = true)), allowed);
        await assertPasses(edgeControllerHardened, [withValues((v) => (v.controller.allowSnippetAnnotations = false)), withValues((v) => delete v.controller.allowSnippetAnnotations)]);
    });

    // The chart renders `allow-snippet-annotations: "true"` under `{{- if .Values.controller.allowSnippetAnnotations }}`
    // (charts/ingress-nginx/templates/controller-configmap.yaml:16, chart 4.15.1): a Go template `if` is true for every
    // non-empty string, so the string "false" allows snippets (rendered: Helm 4.1.4 writes allow-snippet-annotations: "true").
    // (annotations-risk-level High still refuses Critical snippets, which limits the harm.)
    it("fails allowSnippetAnnotations given as any non-empty string, \"false\" included (the chart's template tests truthiness)", async () => {
        for (const value of ["false", "no", "0"]) {
            await assertViolates(edgeControllerHardened, withValues((v) => (v.controller.allowSnippetAnnotations = value)), `${who} sets controller.allowSnippetAnnotations: true; leave it false (snippet annotations are rated Critical, CVE-2021-25742).`);
        }
    });

    it("fails allow-snippet-annotations in controller.config whatever its value", async () => {
        await assertViolates(edgeControllerHardened, configured({ "allow-snippet-annotations": "false" }), `${who} sets allow-snippet-annotations in controller.config; remove it (the chart writes that key from controller.allowSnippetAnnotations, so the ConfigMap would hold it twice).`);
    });

    it("fails the annotation risk level Critical in any case, and passes High, Medium and Low", async () => {
        const critical = `${who} sets controller.config.annotations-risk-level: Critical, which admits snippet annotations; leave the default (High).`;
        for (const level of ["Critical", "critical", "CRITICAL"]) await assertViolates(edgeControllerHardened, configured({ "annotations-risk-level": level }), critical);
        await assertPasses(edgeControllerHardened, ["High", "Medium", "Low", "high"].map((level) => configured({ "annotations-risk-level": level })));
    });

    it("passes the admission webhook as ClusterIP (or unset), and fails NodePort and LoadBalancer", async () => {
        const webhook = (type: string): ResourceArgs => withValues((v) => (v.controller.admissionWebhooks.service = { type }));
        await assertPasses(edgeControllerHardened, webhook("ClusterIP"));
        for (const type of ["NodePort", "LoadBalancer"]) {
            await assertViolates(edgeControllerHardened, webhook(type), `${who} exposes the admission webhook as a ${type} Service; keep controller.admissionWebhooks.service.type ClusterIP (CVE-2025-1974: the webhook must not be reachable from outside the cluster).`);
        }
    });
});

describe("ingress-https-redirect at its boundaries", () => {
    const ingressOff = `Ingress 'portal' sets ${a}ssl-redirect: "false", serving its hosts over plain HTTP; remove the annotation (the redirect is on by default with TLS).`;
    const controllerOff = "Helm release 'ingress-nginx' (chart ingress-nginx) sets controller.config.ssl-redirect: \"false\", turning HTTPS redirects off for every Ingress; remove it.";

    it("fails ssl-redirect switched off in the values as a YAML false, and passes true and \"true\"", async () => {
        await assertViolates(ingressHttpsRedirect, configured({ "ssl-redirect": false }), controllerOff);
        await assertPasses(ingressHttpsRedirect, [configured({ "ssl-redirect": true }), configured({ "ssl-redirect": "true" })]);
    });

    it("reads ssl-redirect only from the ingress-nginx chart", async () => {
        await assertPasses(ingressHttpsRedirect, changed(ingressNginx, (p) => {
            p.chart = "other-edge";
            p.values.controller.config["ssl-redirect"] = "false";
        }));
    });

    // ssl-redirect off however ingress-nginx spells false (policy/booleans.ts parseBool, configMapBool).
    // ingress-nginx reads the annotation with parser.GetBoolAnnotation -> strconv.ParseBool (internal/ingress/annotations/parser/main.go,
    // validated by ValidateBool, controller-v1.15.1), and the ConfigMap key through mapstructure's weak decoding (ParseBool too):
    // "0", "f", "F", "False" and "FALSE" all switch the redirect off.
    it("fails ssl-redirect switched off however ingress-nginx spells false (0, f, F, False, FALSE)", async () => {
        for (const value of ["0", "f", "F", "False", "FALSE"]) {
            await assertViolates(ingressHttpsRedirect, annotated({ [`${a}limit-rps`]: "10", [`${a}ssl-redirect`]: value }), ingressOff);
            await assertViolates(ingressHttpsRedirect, configured({ "ssl-redirect": value }), controllerOff);
        }
    });
});

describe("no-snippet-annotations on every snippet annotation", () => {
    for (const name of ["server-snippet", "configuration-snippet", "modsecurity-snippet", "auth-snippet", "stream-snippet"]) {
        it(`fails ${name} on its own`, async () => {
            await assertViolates(
                noSnippetAnnotations,
                annotated({ [`${a}limit-rps`]: "10", [`${a}${name}`]: "return 200;" }),
                `Ingress 'portal' uses ${a}${name}; snippet annotations inject raw NGINX configuration (risk Critical, CVE-2021-25742): remove them and use the controller ConfigMap (hsts, custom-headers) or limit-* annotations instead.`,
            );
        });
    }

    it("fails a snippet annotation whatever the case of its name", async () => {
        await assertViolates(
            noSnippetAnnotations,
            annotated({ [`${a}Server-Snippet`]: "return 200;" }),
            `Ingress 'portal' uses ${a}Server-Snippet; snippet annotations inject raw NGINX configuration (risk Critical, CVE-2021-25742): remove them and use the controller ConfigMap (hsts, custom-headers) or limit-* annotations instead.`,
        );
    });
});

describe("no-open-allowlist on every allowlist annotation", () => {
    it("fails everyone in the deprecated whitelist-source-range (allows) and limit-whitelist (exempts)", async () => {
        await assertViolates(
            noOpenAllowlist,
            annotated({ [`${a}whitelist-source-range`]: "0.0.0.0/0", [`${a}limit-whitelist`]: "::/0" }),
            [
                "Ingress 'portal' allows everyone in whitelist-source-range: 0.0.0.0/0 covers all of IPv4; list the networks that should reach it, or drop the allowlist if the host is public.",
                "Ingress 'portal' exempts everyone in limit-whitelist: ::/0 covers all of IPv4 and IPv6; list only the trusted sources that may exceed the rate limits.",
            ],
        );
    });

    it("reads a bare address as one host: /32 for IPv4, /128 for IPv6", async () => {
        await assertPasses(noOpenAllowlist, annotated({ [`${a}allowlist-source-range`]: "10.1.2.3, 2001:db8::7" }));
        await assertViolates(noOpenAllowlist, annotated({ [`${a}allowlist-source-range`]: "010.1.2.3, 2001:db8::07" }), [
            `Ingress 'portal' has '010.1.2.3' in allowlist-source-range: ${canonicalProblem("010.1.2.3/32")!}.`,
            `Ingress 'portal' has '2001:db8::07' in allowlist-source-range: ${canonicalProblem("2001:db8::07/128")!}.`,
        ]);
    });
});

describe("ingress-nginx-retired at its boundaries", () => {
    const warning = (version: string, moveNow: boolean): string =>
        `Helm release 'ingress-nginx' installs ingress-nginx ${version}; ingress-nginx was retired in March 2026 and gets no security fixes after its final release 4.15.1: ${moveNow ? "move to 4.15.1 now and " : ""}plan the move to a maintained controller (Gateway API).`;
    const at = (version: string | undefined): ResourceArgs => changed(ingressNginx, (p) => (version === undefined ? delete p.version : (p.version = version)));

    it("is quiet on the acknowledged release with or without a leading v, and warns one patch either side", async () => {
        await assertPasses(ingressNginxRetired, at("v4.15.1"));
        await assertViolates(ingressNginxRetired, at("4.15.0"), warning("4.15.0", true));
        await assertViolates(ingressNginxRetired, at("v4.15.2"), warning("4.15.2", true));
        await assertViolates(ingressNginxRetired, at(undefined), warning("(unpinned)", true));
    });

    it("moves the quiet version with the configured acknowledgement, and still asks to plan the move on 4.15.1", async () => {
        const acknowledged = { "ingress-nginx-retired": { acknowledgedVersion: "v4.12.3" } };
        await assertPasses(ingressNginxRetired, at("4.12.3"), acknowledged);
        await assertViolates(ingressNginxRetired, at("4.12.4"), warning("4.12.4", true), acknowledged);
        await assertViolates(ingressNginxRetired, at("4.15.1"), warning("4.15.1", false), acknowledged);
    });
});
