import { z } from "zod";
import { setCovers } from "../dns-names";
import { invalid, missing } from "../problems";
import { setting, type CrossRule, type Problem } from "../setting";
import type { EdgeHost, SecurityProfile } from "./edge";
import type { CertificateSet } from "./tls";
import { edgeDeployment, edgeImplementations, type EdgeImplementation } from "../edge-deployment";

export { edgeDeployment, edgeImplementations, type EdgeDeployment, type EdgeImplementation } from "../edge-deployment";

/**
 * The edge's implementation: the NGINX edge, the Gateway API edge on Istio, or both side
 * by side while a stack migrates. The routing and security settings (edgeHosts,
 * edgeSecurityProfiles, HSTS, WAF mode, capacity, load balancer) are the same for both;
 * the settings here are the selector and what only the Gateway API edge can need.
 */

/**
 * The Gateway API release each Istio minor version is built against (istio/istio go.mod;
 * the 1.30 upgrade notes: "Istio 1.30 updates its Gateway API dependency to v1.5.1 ...
 * install the v1.5.x CRDs before upgrading"). Istio reads the CRDs of that release and
 * ignores older bundles of some kinds (pkg/config/schema/gatewayapi/minimumversions.go).
 */
export const istioGatewayApiMinor: Readonly<Record<string, string>> = { "1.30": "1.5", "1.31": "1.6" };

/** The minor version ("1.30") of a version string ("1.30.5" or "v1.30.5"). */
function minorOf(version: string): string {
    return version.replace(/^v/, "").split(".").slice(0, 2).join(".");
}

/**
 * The Coraza proxy-wasm module: an oci:// reference with a tag or digest, or an https:// URL
 * of a .wasm module (or a tar/gzip of one). Never file:// (Istio does not check a local
 * file's checksum) nor plain http.
 */
const wasmUrl = z
    .string()
    .regex(/^(oci:\/\/[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})|https:\/\/\S+)$/, {
        error: "expected oci://<registry>/<repository>:<tag> (or @sha256:<digest>) or an https:// URL of the module (never http:// or file://)",
    })
    .refine((v) => !v.endsWith(":latest"), { error: "expected a pinned tag or digest, not 'latest'" });

/** A SHA-256 digest in hex, or empty for "not set". */
const sha256 = z.union([z.literal(""), z.string().regex(/^[a-f0-9]{64}$/, { error: "expected a SHA-256 digest: 64 lowercase hexadecimal digits" })], {
    error: "expected a SHA-256 digest: 64 lowercase hexadecimal digits",
});

/**
 * The digest an oci:// reference pins itself (`@sha256:<digest>`), if any. An https:// URL
 * pins nothing, whatever its text: istio-agent reads a digest from oci:// URLs only and
 * checks an https:// module against the file's SHA-256 (istio/istio pkg/wasm/cache.go).
 */
export function ociDigest(url: string): string | undefined {
    return url.startsWith("oci://") ? /@sha256:([a-f0-9]{64})$/.exec(url)?.[1] : undefined;
}

export const gatewayApiSettings = {
    edgeImplementation: setting<EdgeImplementation>({
        key: "edgeImplementation",
        area: "edge",
        type: "string",
        default: "nginx",
        description:
            "Which edge serves `edgeHosts`: `nginx` (ingress-nginx, retired), `gateway-api` (a Gateway API Gateway implemented by Istio), or both while migrating: `nginx+gateway-api` (both run, DNS points at NGINX) and `gateway-api+nginx` (both run, DNS points at the Gateway). The routing and security settings are the same for all of them.",
        schema: z.enum(edgeImplementations, { error: "expected 'nginx', 'gateway-api', 'nginx+gateway-api' or 'gateway-api+nginx'" }),
    }),
    gatewayApiVersion: setting<string>({
        key: "gatewayApiVersion",
        area: "edge",
        type: "string",
        default: "v1.5.1",
        description:
            "With the Gateway API edge: the Gateway API release whose standard-channel CRDs the stack installs (before istiod and cert-manager). Must be the release the Istio version supports (Istio 1.30: v1.5.x).",
        schema: z.string().regex(/^v\d+\.\d+\.\d+$/, { error: "expected an exact Gateway API release such as v1.5.1" }),
    }),
    edgeCorazaWasmUrl: setting<string>({
        key: "edgeCorazaWasmUrl",
        area: "edge",
        type: "string",
        default: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0",
        description:
            "With the Gateway API edge and a WAF: the Coraza proxy-wasm module the gateway pods load (pulled by istio-agent in the pod, not by the kubelet), over oci:// or https:// only, checked against `edgeCorazaWasmSha256`. Pin a tag or digest; mirror it to a registry the cluster can reach.",
        schema: wasmUrl,
    }),
    edgeCorazaWasmSha256: setting<string>({
        key: "edgeCorazaWasmSha256",
        area: "edge",
        type: "string",
        default: "",
        description:
            "With the Gateway API edge and a WAF: the module's SHA-256 (the WasmPlugin's `sha256`), which istio-agent checks before the gateway loads it: for an oci:// URL the image manifest's digest (`crane digest <image>`), for an https:// URL the file's (`sha256sum`). Required when a host's profile has `waf: true`.",
        schema: sha256,
    }),
    gatewayApiCrdsSha256: setting<string>({
        key: "gatewayApiCrdsSha256",
        area: "edge",
        type: "string",
        default: "",
        description:
            "With the Gateway API edge: the SHA-256 of the release's `standard-install.yaml` (`curl -sL <url> | sha256sum`). The program downloads the manifest, refuses it unless it has this digest, and applies exactly what it checked. Required when the stack runs the Gateway API edge. v1.5.1: 751002b3b91a87f7ae3bd2517c79a47a8d7ed6702901808a1cf9bd97d284f9b8.",
        schema: sha256,
    }),
    edgeWafMaturityAcknowledged: setting<boolean>({
        key: "edgeWafMaturityAcknowledged",
        area: "edge",
        type: "boolean",
        default: false,
        description:
            "With the Gateway API edge: set to true to accept Coraza's maturity (WasmPlugin, last release 0.5.0, known memory and latency issues, fail-closed) before any profile with `waf: true` is enforced by it. See the README, 'Gateway API edge'.",
        schema: z.boolean({ error: "expected true or false" }),
    }),
};

/** Listeners a Gateway may have (Gateway API: `spec.listeners` maxItems 64); one is the HTTP redirect listener. */
export const maxGatewayHosts = 63;

/** The effective WAF choice of each path of a host, and of the host itself. */
function wafOf(profiles: readonly SecurityProfile[], host: EdgeHost, pathProfile: string | undefined): boolean {
    // A path's profile is laid over its host's: its own `waf`, when set, wins.
    const find = (name: string | undefined): SecurityProfile | undefined => (name === undefined ? undefined : profiles.find((p) => p.name === name));
    return (find(pathProfile)?.waf ?? find(host.profile)?.waf) === true;
}

/** Rules of the Gateway API edge: what it cannot do, what it needs, what the pinned Istio supports. */
export const gatewayApiRules: readonly CrossRule[] = [
    {
        keys: ["edgeImplementation", "role", "edgeHosts"],
        check: (v) =>
            edgeDeployment(v["edgeImplementation"] as EdgeImplementation).gatewayApi && v["role"] === "remote" && (v["edgeHosts"] as unknown[]).length > 0
                ? [
                      invalid(
                          "edgeImplementation",
                          v["edgeImplementation"],
                          "expected 'nginx' on a remote: the primary's istiod reads Gateway API objects and deploys gateways only in its own (config) cluster, so a Gateway on a remote cluster would never be served",
                      ),
                  ]
                : [],
    },
    {
        keys: ["edgeImplementation", "istioVersion", "gatewayApiVersion"],
        check: (v) => {
            if (!edgeDeployment(v["edgeImplementation"] as EdgeImplementation).gatewayApi) return [];
            const istio = minorOf(v["istioVersion"] as string);
            const supported = istioGatewayApiMinor[istio];
            if (supported === undefined) {
                const known = Object.entries(istioGatewayApiMinor).map(([i, g]) => `Istio ${i}: v${g}.x`).join(", ");
                return [invalid("istioVersion", v["istioVersion"], `expected an Istio version whose Gateway API release is known for the Gateway API edge (${known})`)];
            }
            const version = v["gatewayApiVersion"] as string;
            return minorOf(version) === supported
                ? []
                : [invalid("gatewayApiVersion", version, `expected v${supported}.x, the Gateway API release Istio ${istio} is built against (other CRD versions leave kinds invisible to istiod)`)];
        },
    },
    {
        keys: ["edgeImplementation", "edgeSecurityProfiles", "edgeHosts", "edgeWafMode", "edgeWafMaturityAcknowledged"],
        check: (v) => {
            if (!edgeDeployment(v["edgeImplementation"] as EdgeImplementation).gatewayApi) return [];
            const problems: Problem[] = [];
            const profiles = v["edgeSecurityProfiles"] as SecurityProfile[];
            const hosts = v["edgeHosts"] as EdgeHost[];
            profiles.forEach((p, i) => {
                if (p.connections !== undefined) {
                    problems.push(
                        invalid(
                            `edgeSecurityProfiles[${i}].connections`,
                            p.connections,
                            "expected no connection limit with the Gateway API edge: Envoy has no per-client concurrent-connection limit (ingress-nginx's limit-connections); remove it or keep edgeImplementation: nginx",
                        ),
                    );
                }
            });
            hosts.forEach((h, i) => {
                const hostWaf = wafOf(profiles, h, undefined);
                h.paths.forEach((p, j) => {
                    if (p.profile !== undefined && wafOf(profiles, h, p.profile) !== hostWaf) {
                        problems.push(
                            invalid(
                                `edgeHosts[${i}].paths[${j}].profile`,
                                p.profile,
                                `expected a profile with the host's WAF choice (waf: ${String(hostWaf)}): Coraza on the Gateway selects its rules per host (per_authority_directives), not per path`,
                            ),
                        );
                    }
                });
            });
            const wafUsed = v["edgeWafMode"] !== "off" && hosts.some((h) => wafOf(profiles, h, undefined));
            if (wafUsed && v["edgeWafMaturityAcknowledged"] !== true) {
                problems.push(
                    missing(
                        "edgeWafMaturityAcknowledged",
                        "a host's profile has waf: true, which the Gateway API edge enforces with Coraza (proxy-wasm 0.5.0, low maturity, fail-closed: a module that cannot load answers 5xx); read the README's 'Gateway API edge' and set it to true, or set edgeWafMode: off",
                    ),
                );
            }
            return problems;
        },
    },
    {
        keys: ["edgeImplementation", "edgeHosts", "tlsCertificates", "edgeNamespace"],
        check: (v) => {
            const deployment = edgeDeployment(v["edgeImplementation"] as EdgeImplementation);
            if (!deployment.gatewayApi) return [];
            const problems: Problem[] = [];
            const hosts = v["edgeHosts"] as EdgeHost[];
            const edgeNamespace = v["edgeNamespace"] as string;
            if (hosts.length > maxGatewayHosts) {
                problems.push(invalid("edgeHosts", `${hosts.length} hosts`, `expected at most ${maxGatewayHosts} hosts: the Gateway has one HTTPS listener per host and at most 64 listeners`));
            }
            (v["tlsCertificates"] as CertificateSet[]).forEach((s, i) => {
                const served = hosts.filter((h) => h.certificate !== "own" && setCovers(s.dnsNames, h.host)).map((h) => h.host);
                if (s.namespace !== undefined && s.namespace !== edgeNamespace && served.length > 0) {
                    problems.push(
                        invalid(
                            `tlsCertificates[${i}].namespace`,
                            s.namespace,
                            `expected no namespace (the edge namespace ${edgeNamespace}): the Gateway's listeners for ${served.join(", ")} use certificates in the Gateway's namespace`,
                        ),
                    );
                }
            });
            if (deployment.nginx) {
                hosts.forEach((h, i) => {
                    if (h.certificate === "own") {
                        problems.push(
                            invalid(
                                `edgeHosts[${i}].certificate`,
                                h.certificate,
                                "expected 'stack' while both edges run: NGINX needs the host's own certificate in the host's namespace and the Gateway in its own, and two Certificates for one name in a cluster race for its challenge record",
                            ),
                        );
                    }
                });
            }
            return problems;
        },
    },
    {
        keys: ["edgeImplementation", "edgeHosts", "edgeSecurityProfiles", "edgeWafMode", "edgeCorazaWasmUrl", "edgeCorazaWasmSha256", "gatewayApiCrdsSha256"],
        check: (v) => {
            if (!edgeDeployment(v["edgeImplementation"] as EdgeImplementation).gatewayApi || (v["edgeHosts"] as EdgeHost[]).length === 0) return [];
            const problems: Problem[] = [];
            if (v["gatewayApiCrdsSha256"] === "") {
                problems.push(missing("gatewayApiCrdsSha256", "the Gateway API edge applies the release's standard-install.yaml only once its SHA-256 matches; set it to the digest of the gatewayApiVersion's manifest (curl -sL <url> | sha256sum)"));
            }
            const profiles = v["edgeSecurityProfiles"] as SecurityProfile[];
            const wafUsed = v["edgeWafMode"] !== "off" && (v["edgeHosts"] as EdgeHost[]).some((h) => wafOf(profiles, h, undefined));
            const digest = v["edgeCorazaWasmSha256"] as string;
            const pinned = ociDigest(v["edgeCorazaWasmUrl"] as string);
            if (wafUsed && digest === "") {
                problems.push(missing("edgeCorazaWasmSha256", "a host's profile has waf: true, and the gateway loads the Coraza module only if its SHA-256 is pinned (the WasmPlugin's sha256); set the image's manifest digest (crane digest) or the file's sha256sum"));
            } else if (digest !== "" && pinned !== undefined && pinned !== digest) {
                problems.push(invalid("edgeCorazaWasmSha256", digest, `expected the digest edgeCorazaWasmUrl pins (${pinned}); istio-agent refuses a module whose digests disagree`));
            }
            return problems;
        },
    },
    {
        keys: ["edgeImplementation", "edgeAdmissionWebhookSources"],
        check: (v) =>
            !edgeDeployment(v["edgeImplementation"] as EdgeImplementation).nginx && (v["edgeAdmissionWebhookSources"] as string[]).length > 0
                ? [invalid("edgeAdmissionWebhookSources", v["edgeAdmissionWebhookSources"], "expected no sources with edgeImplementation: gateway-api (only ingress-nginx runs an admission webhook); remove it")]
                : [],
    },
];
