import * as assert from "node:assert/strict";
import { containsSecret } from "../../../offline/values";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, isSecretInput, ofType, one, outputsOf, type Planned } from "../plan";

const release = "kubernetes:helm.sh/v3:Release";
const secretType = "kubernetes:core/v1:Secret";

/** What the rows read of a Helm release's inputs. */
interface ReleaseInputs {
    readonly chart: string;
    readonly version: string;
    readonly repositoryOpts?: { readonly repo?: string };
}

/** The Istio releases of a plan (base, istiod, east-west gateway) by resource name: their inputs. */
function istioReleases(p: Planned): Record<string, ReleaseInputs> {
    return Object.fromEntries(
        ofType(p, release)
            .filter((r) => inputsOf(r).namespace === "istio-system")
            .map((r): [string, ReleaseInputs] => [r.name, inputsOf(r) as ReleaseInputs]),
    );
}

/** A Helm release's chart values. */
function valuesOf(p: Planned, name: string): any {
    return inputsOf(one(p, release, name)).values;
}

/** The east-west gateway's LoadBalancer Service. */
function eastWestService(p: Planned): any {
    return inputsOf(one(p, "kubernetes:core/v1:Service", "mesh-eastwest-service"));
}

/** The plug-in CA's Secret `cacerts`: its PEM files, and whether they stay a secret. */
function cacerts(p: Planned): { pems: Record<string, string>; secret: boolean } {
    const r = one(p, secretType, "mesh-cacerts");
    assert.equal(inputsOf(r).metadata.name, "cacerts");
    return { pems: inputsOf(r).stringData, secret: isSecretInput(r, "stringData") };
}

/** A PEM block (a placeholder, not a real certificate or key). */
const pem = (label: string, body: string): string => `-----BEGIN ${label}-----\n${Buffer.from(body).toString("base64")}\n-----END ${label}-----\n`;
const caCert = pem("CERTIFICATE", "mesh7 intermediate CA, cluster1");
const caKey = pem("PRIVATE KEY", "mesh7 intermediate CA key, cluster1");
const caRootCert = pem("CERTIFICATE", "mesh7 root CA");
const caCertChain = `${caCert}${caRootCert}`;

const customHost = "istiod.mesh7.example.com";
/** The hostname the offline `up` gives the east-west load balancer. */
const eastWestHostname = "mesh-eastwest-service-0123456789abcdef.elb.us-east-1.amazonaws.com";
const crossZone = { "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true" };
const nlbAnnotations = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
};
const injectionUrl = "https://istiod.mesh7.example.com:15017/inject/cluster/cluster2/net/network2";
const apiServerCa = Buffer.from(pem("CERTIFICATE", "cluster2 private API server CA")).toString("base64");

/**
 * The mesh settings at non-default values (see test/support/non-default.ts): the primary's
 * control plane and east-west gateway, strict mTLS on the Gateway API primary (the NGINX
 * edges refuse it), and a remote's injection, reader token and API endpoint.
 */
export const meshVariants: readonly NonDefaultVariant[] = [
    {
        name: "mesh: the primary's control plane, east-west gateway and plug-in CA",
        base: "primary",
        up: true,
        rows: [
            {
                key: "meshId",
                value: "mesh7",
                effect: "istiod runs mesh mesh7, and the primary exports it to its remotes",
                check: (p) => {
                    assert.equal(valuesOf(p, "mesh-istiod").global.meshID, "mesh7");
                    assert.equal(outputsOf(p).meshId, "mesh7");
                },
            },
            {
                key: "istioChartRepository",
                value: "oci://registry.istio.io/release/charts",
                effect: "base, istiod and the east-west gateway come from Istio's OCI registry",
                check: (p) => {
                    const releases = istioReleases(p);
                    assert.deepEqual(Object.keys(releases).sort(), ["mesh-base", "mesh-eastwest-release", "mesh-istiod"]);
                    assert.deepEqual(
                        Object.values(releases).map((r) => [r.chart, r.repositoryOpts]).sort(),
                        [
                            ["oci://registry.istio.io/release/charts/base", undefined],
                            ["oci://registry.istio.io/release/charts/gateway", undefined],
                            ["oci://registry.istio.io/release/charts/istiod", undefined],
                        ],
                    );
                },
            },
            {
                key: "istioVersion",
                value: "1.31.1",
                effect: "every Istio chart is installed at 1.31.1, the version the primary exports to its remotes",
                check: (p) => {
                    const releases = istioReleases(p);
                    assert.deepEqual(Object.values(releases).map((r) => r.version), ["1.31.1", "1.31.1", "1.31.1"]);
                    assert.equal(outputsOf(p).istioVersion, "1.31.1");
                },
            },
            {
                key: "istiodReplicas",
                value: 5,
                effect: "istiod runs 5 replicas, autoscaling off",
                check: (p) => {
                    const values = valuesOf(p, "mesh-istiod");
                    assert.equal(values.replicaCount, 5);
                    assert.equal(values.autoscaleEnabled, false);
                },
            },
            {
                key: "istiodPdbMinAvailable",
                value: 4,
                effect: "istiod's PodDisruptionBudget keeps 4 pods available",
                check: (p) => assert.deepEqual(valuesOf(p, "mesh-istiod").pdb, { minAvailable: 4 }),
            },
            {
                key: "istiodCpuRequest",
                value: "750m",
                effect: "each istiod pod requests 750m CPU",
                check: (p) => assert.equal(valuesOf(p, "mesh-istiod").resources.requests.cpu, "750m"),
            },
            {
                key: "istiodMemoryRequest",
                value: "3Gi",
                effect: "each istiod pod requests 3Gi of memory",
                check: (p) => assert.equal(valuesOf(p, "mesh-istiod").resources.requests.memory, "3Gi"),
            },
            {
                key: "istiodCpuLimit",
                value: "3",
                effect: "each istiod pod is limited to 3 CPUs",
                check: (p) => assert.equal(valuesOf(p, "mesh-istiod").resources.limits.cpu, "3"),
            },
            {
                key: "istiodMemoryLimit",
                value: "6Gi",
                effect: "each istiod pod is limited to 6Gi of memory",
                check: (p) => assert.equal(valuesOf(p, "mesh-istiod").resources.limits.memory, "6Gi"),
            },
            {
                key: "istiodCustomHosts",
                value: [customHost],
                effect: "istiod's serving certificate covers istiod.mesh7.example.com besides the load balancer's hostname",
                check: (p) => assert.deepEqual(valuesOf(p, "mesh-istiod").env, { ISTIOD_CUSTOM_HOST: `${customHost},${eastWestHostname}` }),
            },
            {
                key: "eastWestGatewayReplicas",
                value: 3,
                effect: "the east-west gateway runs at least 3 replicas",
                check: (p) => assert.equal(valuesOf(p, "mesh-eastwest-release").autoscaling.minReplicas, 3),
            },
            {
                key: "eastWestGatewayMaxReplicas",
                value: 7,
                effect: "the east-west gateway scales up to 7 replicas",
                check: (p) => assert.equal(valuesOf(p, "mesh-eastwest-release").autoscaling.maxReplicas, 7),
            },
            {
                key: "eastWestGatewayServiceAnnotations",
                value: { ...nlbAnnotations, ...crossZone },
                effect: "the east-west load balancer is asked for cross-zone load balancing",
                check: (p) =>
                    assert.deepEqual(eastWestService(p).metadata.annotations, { ...nlbAnnotations, ...crossZone, "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}" }),
            },
            {
                key: "eastWestGatewayExternalTrafficPolicy",
                value: "Cluster",
                effect: "the east-west Service routes external traffic cluster-wide, which the pack's mandatory load-balancer-nlb-ip-targets refuses (the setting says so)",
                check: (p) => {
                    assert.equal(eastWestService(p).spec.externalTrafficPolicy, "Cluster");
                    const refusals = p.findings.filter((f) => f.policy === "load-balancer-nlb-ip-targets");
                    assert.deepEqual(
                        refusals.map((f) => [f.enforcementLevel, f.resource]),
                        [["mandatory", "mesh-eastwest-service"]],
                    );
                    assert.match(refusals[0]!.message, /spec\.externalTrafficPolicy = Local/);
                },
            },
            {
                key: "eastWestGatewaySourceRanges",
                value: ["10.20.0.0/16", "10.30.0.0/16"],
                effect: "only 10.20.0.0/16 and 10.30.0.0/16 may reach the east-west load balancer",
                check: (p) => assert.deepEqual(eastWestService(p).spec.loadBalancerSourceRanges, ["10.20.0.0/16", "10.30.0.0/16"]),
            },
            {
                key: "istioCaCert",
                value: caCert,
                secret: true,
                effect: "istiod's Secret cacerts holds the intermediate certificate, as a secret",
                check: (p) => {
                    const { pems, secret } = cacerts(p);
                    assert.equal(pems["ca-cert.pem"], caCert);
                    assert.ok(secret, "cacerts' stringData is a secret");
                },
            },
            {
                key: "istioCaKey",
                value: caKey,
                secret: true,
                effect: "istiod's Secret cacerts holds the intermediate's private key, as a secret",
                check: (p) => {
                    const { pems, secret } = cacerts(p);
                    assert.equal(pems["ca-key.pem"], caKey);
                    assert.ok(secret, "cacerts' stringData is a secret");
                    assert.ok(!JSON.stringify(p.document).includes(caKey.split("\n")[1]!), "the key never appears in the plan document");
                },
            },
            {
                key: "istioCaRootCert",
                value: caRootCert,
                secret: true,
                effect: "istiod's Secret cacerts holds the root, as a secret, and the primary exports it to its remotes",
                check: (p) => {
                    const { pems, secret } = cacerts(p);
                    assert.equal(pems["root-cert.pem"], caRootCert);
                    assert.ok(secret, "cacerts' stringData is a secret");
                    assert.equal(outputsOf(p).caRootCert, caRootCert);
                    assert.equal(outputsOf(p).caMode, "plug-in");
                },
            },
            {
                key: "istioCaCertChain",
                value: caCertChain,
                secret: true,
                effect: "istiod's Secret cacerts holds the chain from the intermediate to the root, as a secret",
                check: (p) => {
                    const { pems, secret } = cacerts(p);
                    assert.equal(pems["cert-chain.pem"], caCertChain);
                    assert.ok(secret, "cacerts' stringData is a secret");
                },
            },
        ],
    },
    {
        name: "mesh: strict mTLS on the Gateway API primary",
        base: "primary-gateway-api",
        // The remote serves api.example.com through its NGINX edge, outside the mesh: STRICT refuses it.
        unset: ["remoteStacks"],
        rows: [
            {
                key: "meshMtlsMode",
                value: "STRICT",
                effect: "the mesh-wide PeerAuthentication accepts only mutual TLS",
                check: (p) => {
                    const peer = inputsOf(one(p, "kubernetes:security.istio.io/v1:PeerAuthentication", "mesh-mesh-mtls"));
                    assert.deepEqual(peer.metadata, { name: "default", namespace: "istio-system" });
                    assert.deepEqual(peer.spec, { mtls: { mode: "STRICT" } });
                },
            },
        ],
    },
    {
        name: "mesh: a remote injecting by path, with a rotated reader token",
        base: "remote",
        up: true,
        rows: [
            {
                key: "istioRemoteInjection",
                value: "path",
                effect: "the remote's injection webhook calls istiod through the istiod Service's path, not a URL",
                check: (p) => {
                    const values = valuesOf(p, "mesh-istiod");
                    assert.equal(values.istiodRemote.injectionPath, "/inject/cluster/cluster2/net/network2");
                    assert.equal(values.istiodRemote.injectionURL, undefined);
                    assert.equal(values.base.validationURL, undefined);
                    assert.equal(valuesOf(p, "mesh-base").base.validationURL, undefined);
                    assert.equal(outputsOf(p).injectionMode, "path");
                },
            },
            {
                key: "istioReaderTokenGeneration",
                value: 4,
                effect: "the reader's token Secret is istio-reader-service-account-token-4",
                check: (p) => {
                    const token = inputsOf(one(p, secretType, "mesh-reader-token"));
                    assert.equal(token.metadata.name, "istio-reader-service-account-token-4");
                    assert.equal(token.type, "kubernetes.io/service-account-token");
                },
            },
        ],
    },
    {
        name: "mesh: a remote with its own injection URL and API endpoint",
        base: "remote",
        up: true,
        rows: [
            {
                key: "istioInjectionUrl",
                value: injectionUrl,
                effect: "the remote's injection webhook calls istiod at the configured URL",
                check: (p) => {
                    assert.equal(valuesOf(p, "mesh-istiod").istiodRemote.injectionURL, injectionUrl);
                    assert.equal(outputsOf(p).injectionMode, "url");
                },
            },
            {
                key: "remoteApiServer",
                value: "https://private.cluster2.example.com",
                effect: "the primary's istiod is given https://private.cluster2.example.com to read this cluster, as a secret",
                check: (p) => {
                    assert.equal(outputsOf(p).apiServer, "https://private.cluster2.example.com");
                    assert.ok(containsSecret(p.evaluation.outputs["apiServer"]), "apiServer is a secret output");
                },
            },
            {
                key: "remoteApiServerCaData",
                value: apiServerCa,
                effect: "the primary's istiod is given the configured API server CA, as a secret",
                check: (p) => {
                    assert.equal(outputsOf(p).apiServerCaData, apiServerCa);
                    assert.ok(containsSecret(p.evaluation.outputs["apiServerCaData"]), "apiServerCaData is a secret output");
                },
            },
        ],
    },
];
