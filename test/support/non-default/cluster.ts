import * as assert from "node:assert/strict";
import { containsSecret } from "../../../offline/values";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, ofType, one, outputsOf, isSecretInput, type Planned } from "../plan";

const release = (p: Planned, name: string): any => inputsOf(one(p, "kubernetes:helm.sh/v3:Release", name));
const referenced = (p: Planned): string[] => ofType(p, "pulumi:pulumi:StackReference").map((r) => inputsOf(r).name as string);

/** A kubeconfig of its own for the remote (no credentials): its API server differs from the ambient kubeconfig's cluster2. */
const ownKubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: cluster9",
    "clusters:",
    "  - name: cluster9",
    "    cluster: { server: 'https://cluster9-api.example.com', certificate-authority-data: Q0E= }",
    "contexts:",
    "  - name: cluster9",
    "    context: { cluster: cluster9, user: admin }",
    "users:",
    "  - name: admin",
    "    user: { token: not-a-credential }",
    "",
].join("\n");

/**
 * The cluster settings at non-default values (see test/support/non-default.ts): the remote
 * stack renamed and reached through its own kubeconfig, and the remote stack file run as a
 * primary.
 */
export const clusterVariants: readonly NonDefaultVariant[] = [
    {
        name: "cluster: a remote renamed, on its own kubeconfig",
        base: "remote",
        unset: ["kubeContext"],
        rows: [
            {
                key: "clusterName",
                value: "cluster9",
                effect: "istiod, the shared record's set identifier and the AWS tags name the cluster cluster9",
                check: (p) => {
                    assert.deepEqual(release(p, "mesh-istiod").values.global.multiCluster, { clusterName: "cluster9" });
                    assert.equal(inputsOf(one(p, "aws:route53/record:Record", "dns-api.example.com")).setIdentifier, "cluster9");
                    assert.equal(JSON.parse(inputsOf(one(p, "pulumi:providers:aws")).defaultTags).tags["mesh-ingress:cluster"], "cluster9");
                    assert.equal(outputsOf(p).clusterName, "cluster9");
                },
            },
            {
                key: "network",
                value: "network9",
                effect: "istio-system, istiod and the east-west gateway are on network9",
                check: (p) => {
                    assert.equal(inputsOf(one(p, "kubernetes:core/v1:Namespace", "mesh-namespace")).metadata.labels["topology.istio.io/network"], "network9");
                    assert.equal(release(p, "mesh-istiod").values.global.network, "network9");
                    assert.equal(release(p, "mesh-eastwest-release").values.networkGateway, "network9");
                    assert.equal(outputsOf(p).network, "network9");
                },
            },
            {
                key: "kubeconfig",
                value: ownKubeconfig,
                secret: true,
                effect: "the Kubernetes provider uses this kubeconfig, as a secret, and the exported API server is its server, as a secret",
                check: (p) => {
                    const provider = one(p, "pulumi:providers:kubernetes");
                    assert.equal(inputsOf(provider).kubeconfig, ownKubeconfig);
                    assert.equal(inputsOf(provider).context, undefined);
                    assert.ok(isSecretInput(provider, "kubeconfig"), "the provider's kubeconfig is a secret");
                    assert.equal(outputsOf(p).apiServer, "https://cluster9-api.example.com");
                    assert.equal(outputsOf(p).apiServerCaData, "Q0E=");
                    assert.ok(containsSecret(p.evaluation.outputs["apiServer"]), "apiServer is exported as a secret");
                },
            },
            {
                key: "awsRegion",
                value: "eu-west-1",
                effect: "the AWS provider and cert-manager's Route53 solver use eu-west-1",
                check: (p) => {
                    assert.equal(inputsOf(one(p, "pulumi:providers:aws")).region, "eu-west-1");
                    const issuer = inputsOf(one(p, "kubernetes:cert-manager.io/v1:ClusterIssuer", "cert-manager-letsencrypt-production"));
                    assert.equal(issuer.spec.acme.solvers[0].dns01.route53.region, "eu-west-1");
                },
            },
            {
                key: "primaryStack",
                value: "globex/mesh-ingress/primary",
                effect: "the remote reads the primary through a stack reference to globex/mesh-ingress/primary",
                check: (p) => {
                    assert.deepEqual(referenced(p), ["globex/mesh-ingress/primary"]);
                    assert.equal(one(p, "pulumi:pulumi:StackReference").name, "globex/mesh-ingress/primary");
                },
            },
            {
                key: "clusterDisposable",
                value: true,
                effect: "nothing is protected or retained: Istio base, cert-manager and the namespaces go with pulumi destroy",
                check: (p) => {
                    const held = ["mesh-base", "cert-manager-release", "mesh-namespace", "cert-manager-namespace", "edge-namespace"].map((name) => {
                        const r = p.evaluation.resources.find((x) => x.name === name);
                        assert.ok(r, `${name} is planned`);
                        return [name, r.options.protect, r.options.retainOnDelete];
                    });
                    assert.deepEqual(held, [
                        ["mesh-base", undefined, undefined],
                        ["cert-manager-release", undefined, undefined],
                        ["mesh-namespace", undefined, undefined],
                        ["cert-manager-namespace", undefined, undefined],
                        ["edge-namespace", undefined, undefined],
                    ]);
                },
            },
        ],
    },
    {
        name: "cluster: the remote stack file as a primary",
        base: "remote",
        unset: ["primaryStack"],
        context: { meshId: "mesh1" },
        rows: [
            {
                key: "role",
                value: "primary",
                effect: "the stack runs the Istio control plane (IstioPrimary, an istiod that controls remotes) instead of the remote profile, and reads no primary",
                check: (p) => {
                    assert.deepEqual(ofType(p, "mesh-ingress:mesh:IstioPrimary").map((r) => r.name), ["mesh"]);
                    assert.deepEqual(ofType(p, "mesh-ingress:mesh:IstioRemote").map((r) => r.name), []);
                    const istiod = release(p, "mesh-istiod").values;
                    assert.equal(istiod.profile, undefined, "not the remote profile");
                    assert.deepEqual(istiod.global.externalIstiod, true);
                    assert.ok(!referenced(p).includes("acme/mesh-ingress/primary"), "no stack reference to the primary");
                    assert.equal(outputsOf(p).role, "primary");
                },
            },
            {
                key: "remoteStacks",
                value: ["acme/mesh-ingress/remote-eu"],
                effect: "the primary reads acme/mesh-ingress/remote-eu and, as it is not deployed yet, lists its remote secret as pending",
                check: (p) => {
                    assert.deepEqual(referenced(p), ["acme/mesh-ingress/remote-eu"]);
                    assert.deepEqual(outputsOf(p).pendingRemoteStacks, ["acme/mesh-ingress/remote-eu"]);
                    assert.deepEqual(outputsOf(p).remoteSecrets, []);
                    assert.ok(
                        p.document.warnings.some((w) => w.startsWith("Remote stack 'acme/mesh-ingress/remote-eu' has not been deployed yet")),
                        "warns that remote-eu is pending",
                    );
                },
            },
            {
                key: "kubeContext",
                value: "cluster3",
                effect: "the Kubernetes provider uses the ambient kubeconfig's context cluster3",
                check: (p) => {
                    const provider = inputsOf(one(p, "pulumi:providers:kubernetes"));
                    assert.equal(provider.context, "cluster3");
                },
            },
        ],
    },
];
