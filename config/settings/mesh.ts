import { invalid, missing } from "../problems";
import { secretSetting, setting, type CrossRule, type Problem } from "../setting";
import { exposure, sourceRangesAnnotation } from "../../policy/load-balancers";
import {
    allowlistOf,
    chartRepository,
    dnsLabel,
    dnsName,
    exactVersion,
    integerBetween,
    sourceRangesProblems,
    stringMap,
} from "../validators";
import { z } from "zod";
import { containerResourceSettings, requestsWithinLimits } from "../resources";

/**
 * The AWS Load Balancer Controller annotations of the east-west gateway's NLB: IP targets,
 * internal. istiod's ports (15012, 15017) and the mesh's cross-network port (15443) stay
 * off the Internet unless a stack says otherwise, with source ranges.
 */
export const awsNlbIpAnnotations: Readonly<Record<string, string>> = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
};

const httpsUrl = z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d{1,5})?\/\S*$/, {
    error: "expected an https:// URL such as https://istiod.mesh.example.com:15017/inject/cluster/cluster2/net/network2",
});

/** The Istio mesh: its identity and, on the primary, its control plane. */
export const meshSettings = {
    meshId: setting<string>({
        key: "meshId",
        area: "mesh",
        type: "string",
        default: "",
        description:
            "On the primary: the mesh's id (`global.meshID`), a DNS label shared by every cluster. Remotes read it from the primary, so it stays empty there.",
        schema: z.union([z.literal(""), dnsLabel], { error: "expected a DNS label such as mesh1" }),
    }),
    istioChartRepository: setting<string>({
        key: "istioChartRepository",
        area: "mesh",
        type: "string",
        default: "https://istio-release.storage.googleapis.com/charts",
        description:
            "Where the Istio charts `base`, `istiod` and `gateway` come from: an https:// Helm repository, or an oci:// registry such as `oci://registry.istio.io/release/charts`.",
        schema: chartRepository,
    }),
    istioVersion: setting<string>({
        key: "istioVersion",
        area: "mesh",
        type: "string",
        default: "1.30.5",
        description:
            "The exact version of every Istio chart (base, istiod, gateway) on this cluster. A remote runs its primary's version, or one minor version behind it while the mesh is upgraded (primary first); a remote ahead of its primary, or further behind, is rejected.",
        schema: exactVersion,
    }),
    istiodReplicas: setting<number>({
        key: "istiodReplicas",
        area: "mesh",
        type: "integer",
        default: 3,
        description:
            "On the primary: istiod replicas (`replicaCount` with `autoscaleEnabled=false`, so the count really takes effect), spread over distinct nodes by a required anti-affinity. At least 3.",
        schema: integerBetween(1, 15),
    }),
    istiodPdbMinAvailable: setting<number>({
        key: "istiodPdbMinAvailable",
        area: "mesh",
        type: "integer",
        default: 2,
        description:
            "On the primary: `minAvailable` of the istiod chart's own PodDisruptionBudget (`pdb.minAvailable`). At least 1 and below `istiodReplicas`, so a node can still be drained.",
        schema: integerBetween(1, 14),
    }),
    ...containerResourceSettings("istiod", "mesh", "each istiod pod on the primary (the chart's `resources`)", { cpuRequest: "500m", memoryRequest: "2Gi", cpuLimit: "2", memoryLimit: "4Gi" }),
    istiodCustomHosts: setting<string[]>({
        key: "istiodCustomHosts",
        area: "mesh",
        type: "array",
        items: "string",
        default: [],
        description:
            "On the primary: extra DNS names istiod's serving certificate covers (`ISTIOD_CUSTOM_HOST`), e.g. a DNS name of the east-west load balancer used in a remote's `istioInjectionUrl`. The load balancer's own hostname is added automatically.",
        schema: z.array(dnsName, { error: "expected a list of DNS names" }),
    }),
    eastWestGatewayReplicas: setting<number>({
        key: "eastWestGatewayReplicas",
        area: "mesh",
        type: "integer",
        default: 2,
        description: "Minimum replicas of this cluster's east-west gateway (the HPA's `minReplicas`); its PodDisruptionBudget keeps one available. At least 2.",
        schema: integerBetween(2, 50),
    }),
    eastWestGatewayMaxReplicas: setting<number>({
        key: "eastWestGatewayMaxReplicas",
        area: "mesh",
        type: "integer",
        default: 5,
        description: "Maximum replicas of the east-west gateway (the HPA's `maxReplicas`); not below `eastWestGatewayReplicas`.",
        schema: integerBetween(2, 100),
    }),
    eastWestGatewayServiceAnnotations: setting<Record<string, string>>({
        key: "eastWestGatewayServiceAnnotations",
        area: "mesh",
        type: "object",
        default: { ...awsNlbIpAnnotations },
        description:
            "Annotations of the east-west gateway's LoadBalancer Service. The default asks the AWS Load Balancer Controller for an internal NLB with IP targets (the clusters reach each other over private networking); replace them for other clouds. An internet-facing load balancer needs `eastWestGatewaySourceRanges`.",
        schema: stringMap,
    }),
    eastWestGatewayExternalTrafficPolicy: setting<"Local" | "Cluster">({
        key: "eastWestGatewayExternalTrafficPolicy",
        area: "mesh",
        type: "string",
        default: "Local",
        description:
            "`externalTrafficPolicy` of the east-west gateway's Service: `Local` keeps client addresses and skips the extra kube-proxy hop. The policy pack's mandatory `load-balancer-nlb-ip-targets` refuses `Cluster`: lower that policy to advisory in the pack's configuration before choosing it.",
        schema: z.enum(["Local", "Cluster"], { error: "expected 'Local' or 'Cluster'" }),
    }),
    eastWestGatewaySourceRanges: setting<string[]>({
        key: "eastWestGatewaySourceRanges",
        area: "mesh",
        type: "array",
        items: "string",
        default: [],
        description:
            "CIDR blocks allowed to reach the east-west load balancer (`loadBalancerSourceRanges`): the other clusters' egress addresses. Required when `eastWestGatewayServiceAnnotations` make it internet-facing; never all of IPv4 or IPv6. Empty: no restriction beyond the scheme (internal by default).",
        schema: allowlistOf("the other clusters' addresses"),
    }),
    meshMtlsMode: setting<"PERMISSIVE" | "STRICT">({
        key: "meshMtlsMode",
        area: "mesh",
        type: "string",
        default: "PERMISSIVE",
        description:
            "On the primary: the mesh-wide mutual TLS mode (PeerAuthentication `default` in istio-system). `PERMISSIVE` (default): meshed workloads accept mTLS and plain text, because the NGINX edge is not in the mesh and sends plain HTTP to its backends. `STRICT`: only mTLS; needs an edge inside the mesh (`edgeImplementation: gateway-api`) and no remote serving hosts through NGINX. `DISABLE` is never accepted.",
        schema: z.enum(["PERMISSIVE", "STRICT"], { error: "expected 'PERMISSIVE' or 'STRICT' (mTLS is never disabled mesh-wide)" }),
    }),
    istioReaderTokenGeneration: setting<number>({
        key: "istioReaderTokenGeneration",
        area: "mesh",
        type: "integer",
        default: 1,
        description:
            "On a remote: the generation of the `istio-reader-service-account` token that the primary's istiod uses to read this cluster. Raise it by one to rotate the token: `pulumi up` on the remote replaces the token Secret (`istio-reader-service-account-token-<n>`; deleting the old one revokes the old token), then `pulumi up` on the primary writes the new token into its remote-cluster secret (README: \"Rotating the reader token\").",
        schema: z.number().int({ error: "expected a whole number" }).min(1, { error: "expected at least 1" }).max(1000000, { error: "expected at most 1000000" }),
    }),
    istioCaCert: secretSetting({
        key: "istioCaCert",
        area: "mesh",
        description: "On the primary, optional plug-in CA: the intermediate CA certificate (PEM, `ca-cert.pem` of Secret `cacerts`). Set all four `istioCa*` settings or none.",
        schema: z.string(),
    }),
    istioCaKey: secretSetting({
        key: "istioCaKey",
        area: "mesh",
        description: "On the primary, optional plug-in CA: the intermediate CA's private key (PEM, `ca-key.pem`).",
        schema: z.string(),
    }),
    istioCaRootCert: secretSetting({
        key: "istioCaRootCert",
        area: "mesh",
        description: "On the primary, optional plug-in CA: the root certificate (PEM, `root-cert.pem`) every cluster of the mesh trusts.",
        schema: z.string(),
    }),
    istioCaCertChain: secretSetting({
        key: "istioCaCertChain",
        area: "mesh",
        description: "On the primary, optional plug-in CA: the chain from the intermediate to the root (PEM, `cert-chain.pem`).",
        schema: z.string(),
    }),
    istioRemoteInjection: setting<"auto" | "path" | "url">({
        key: "istioRemoteInjection",
        area: "mesh",
        type: "string",
        default: "auto",
        description:
            "On a remote: how its sidecar-injection webhook reaches the primary's istiod. `path`: through the `istiod` Service (`istiodRemote.injectionPath`), which needs an IP discovery address; `url`: a URL (`istiodRemote.injectionURL`), needed when the address is a hostname (istio/istio#45014); `auto` picks by the address.",
        schema: z.enum(["auto", "path", "url"], { error: "expected 'auto', 'path' or 'url'" }),
    }),
    istioInjectionUrl: setting<string>({
        key: "istioInjectionUrl",
        area: "mesh",
        type: "string",
        default: "",
        description:
            "On a remote: the injection webhook URL to use instead of the one derived from the discovery address (e.g. a DNS name listed in the primary's `istiodCustomHosts`). Empty: derived.",
        schema: z.union([z.literal(""), httpsUrl]),
    }),
    remoteApiServer: setting<string>({
        key: "remoteApiServer",
        area: "mesh",
        type: "string",
        default: "",
        description:
            "On a remote: the API server URL the primary's istiod uses to read this cluster (exported as a secret). Empty: taken from `kubeconfig`, or from the ambient kubeconfig's `kubeContext`. Set it when istiod must use another endpoint than you do (e.g. a private one).",
        schema: z.union([z.literal(""), z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, { error: "expected an https:// API server URL such as https://ABC123.gr7.us-east-1.eks.amazonaws.com" })]),
    }),
    remoteApiServerCaData: setting<string>({
        key: "remoteApiServerCaData",
        area: "mesh",
        type: "string",
        default: "",
        description:
            "On a remote: the API server's CA bundle, base64-encoded PEM (`certificate-authority-data`). Empty: taken from the same kubeconfig as the server.",
        schema: z.union([z.literal(""), z.string().refine(isBase64Pem, { error: "expected base64-encoded PEM certificates (certificate-authority-data of a kubeconfig)" })]),
    }),
};

/** True for base64 text that decodes to PEM certificates. */
export function isBase64Pem(value: string): boolean {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
    return Buffer.from(value, "base64").toString("utf8").includes("-----BEGIN CERTIFICATE-----");
}

const caKeys = ["istioCaCert", "istioCaKey", "istioCaRootCert", "istioCaCertChain"] as const;

/** Rules across the mesh settings. */
export const meshRules: readonly CrossRule[] = [
    {
        keys: ["role", "meshId"],
        check: (v) => {
            if (v["role"] === "primary" && v["meshId"] === "") {
                return [missing("meshId", "the primary defines the mesh; set a DNS label such as mesh1")];
            }
            if (v["role"] === "remote" && v["meshId"] !== "") {
                return [invalid("meshId", v["meshId"], "expected to be empty on a remote (the mesh id is read from the primary stack)")];
            }
            return [];
        },
    },
    {
        keys: ["role", "istiodReplicas", "istiodPdbMinAvailable"],
        check: (v) => {
            const problems: Problem[] = [];
            const replicas = v["istiodReplicas"] as number;
            const minAvailable = v["istiodPdbMinAvailable"] as number;
            if (v["role"] === "primary" && replicas < 3) {
                problems.push(invalid("istiodReplicas", replicas, "expected at least 3 on the primary (a highly available control plane survives losing a node during an upgrade)"));
            }
            if (minAvailable >= replicas) {
                problems.push(invalid("istiodPdbMinAvailable", minAvailable, `expected fewer than istiodReplicas (${replicas}), or no istiod pod could ever be evicted and node drains would hang`));
            }
            return problems;
        },
    },
    requestsWithinLimits("istiod"),
    {
        keys: ["eastWestGatewayServiceAnnotations", "eastWestGatewaySourceRanges"],
        check: (v) => {
            const annotations = v["eastWestGatewayServiceAnnotations"] as Record<string, string>;
            const ranges = v["eastWestGatewaySourceRanges"] as string[];
            const problems = sourceRangesProblems(`eastWestGatewayServiceAnnotations.${sourceRangesAnnotation}`, annotations[sourceRangesAnnotation], "the other clusters' addresses");
            if (exposure(annotations) === "internet-facing" && ranges.length === 0 && annotations[sourceRangesAnnotation] === undefined) {
                problems.push(
                    missing(
                        "eastWestGatewaySourceRanges",
                        "the east-west load balancer is internet-facing (eastWestGatewayServiceAnnotations), which exposes istiod's ports 15012 and 15017 and the mesh's 15443; list the other clusters' egress addresses, or keep the default internal scheme",
                    ),
                );
            }
            return problems;
        },
    },
    {
        keys: ["role", "meshMtlsMode", "edgeImplementation", "edgeHosts"],
        check: (v) => {
            if (v["meshMtlsMode"] !== "STRICT") return [];
            if (v["role"] === "remote") return [invalid("meshMtlsMode", "STRICT", "expected the default on a remote: the mesh-wide mode is the primary's (its PeerAuthentication in the config cluster applies to every cluster)")];
            const nginx = String(v["edgeImplementation"]).split("+").includes("nginx");
            return nginx && (v["edgeHosts"] as unknown[]).length > 0
                ? [invalid("meshMtlsMode", "STRICT", "expected PERMISSIVE while the NGINX edge serves hosts: its pods are not in the mesh and send plain HTTP to their backends, which STRICT refuses (use edgeImplementation: gateway-api, whose gateway speaks mTLS)")]
                : [];
        },
    },
    {
        keys: ["eastWestGatewayReplicas", "eastWestGatewayMaxReplicas"],
        check: (v) => {
            const min = v["eastWestGatewayReplicas"] as number;
            const max = v["eastWestGatewayMaxReplicas"] as number;
            return max < min ? [invalid("eastWestGatewayMaxReplicas", max, `expected at least eastWestGatewayReplicas (${min})`)] : [];
        },
    },
    {
        keys: ["role", ...caKeys],
        check: (v) => {
            const set = caKeys.filter((k) => v[k] !== "");
            if (set.length === 0) return [];
            if (v["role"] === "remote") {
                return set.map((k) => invalid(k, "[secret]", "expected to be empty on a remote (the primary's istiod is the mesh's only CA; its root reaches the remote through the stack reference)", true));
            }
            if (set.length === caKeys.length) return [];
            return caKeys
                .filter((k) => v[k] === "")
                .map((k) => missing(k, `a plug-in CA needs all four of ${caKeys.join(", ")}; ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set`));
        },
    },
    {
        keys: ["role", "istiodCustomHosts", "istioRemoteInjection", "istioInjectionUrl", "remoteApiServer", "remoteApiServerCaData"],
        check: (v) => {
            const problems: Problem[] = [];
            if (v["role"] === "primary") {
                if (v["istioRemoteInjection"] !== "auto") {
                    problems.push(invalid("istioRemoteInjection", v["istioRemoteInjection"], "expected 'auto' on the primary (it only applies to remotes)"));
                }
                for (const key of ["istioInjectionUrl", "remoteApiServer", "remoteApiServerCaData"]) {
                    if (v[key] !== "") problems.push(invalid(key, v[key], "expected to be empty on the primary (it only applies to remotes)"));
                }
            } else {
                if ((v["istiodCustomHosts"] as string[]).length > 0) {
                    problems.push(invalid("istiodCustomHosts", v["istiodCustomHosts"], "expected an empty list on a remote (istiod runs on the primary; set it there)"));
                }
                if (v["istioRemoteInjection"] === "path" && v["istioInjectionUrl"] !== "") {
                    problems.push(invalid("istioInjectionUrl", v["istioInjectionUrl"], "expected to be empty when istioRemoteInjection is 'path'"));
                }
            }
            return problems;
        },
    },
];
