import * as assert from "node:assert/strict";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, isSecretInput, ofType, one, outputsOf, type Planned } from "../plan";

const releaseType = "kubernetes:helm.sh/v3:Release";
const issuerType = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const certificateType = "kubernetes:cert-manager.io/v1:Certificate";
const associationType = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

const release = (p: Planned): any => inputsOf(one(p, releaseType, "cert-manager-release"));
const issuer = (p: Planned, env: string): any => inputsOf(one(p, issuerType, `cert-manager-letsencrypt-${env}`));
const certificate = (p: Planned, name: string): any => inputsOf(one(p, certificateType, `certificates-${name}`));
const trustPolicy = (p: Planned): any => JSON.parse(String(inputsOf(one(p, "aws:iam/role:Role", "dns01-role")).assumeRolePolicy));
const challengeRecords = (p: Planned): unknown =>
    JSON.parse(String(inputsOf(one(p, "aws:iam/policy:Policy", "dns01-policy")).policy)).Statement[2].Condition["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"];

const oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
const oidcIssuer = "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
const accessKeyId = "AKIAIOSFODNN7EXAMPLE";
const secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** The static key's Secret in cert-manager's namespace. */
const keySecret = (p: Planned): ReturnType<typeof one> => one(p, "kubernetes:core/v1:Secret", "cert-manager-route53-key");

/**
 * The tls settings at non-default values (see test/support/non-default.ts): cert-manager's
 * chart, the ACME account and certificates with IRSA through another OIDC provider; EKS Pod
 * Identity on the remote; a static Route53 key for a cluster outside AWS.
 */
export const tlsVariants: readonly NonDefaultVariant[] = [
    {
        name: "tls: cert-manager chart, ACME account, certificates and IRSA provider",
        base: "primary",
        rows: [
            {
                key: "certManagerRepository",
                value: "https://charts.jetstack.io",
                effect: "installs cert-manager from that https chart repository",
                check: (p) => {
                    const r = release(p);
                    assert.equal(r.chart, "cert-manager");
                    assert.deepEqual(r.repositoryOpts, { repo: "https://charts.jetstack.io" });
                },
            },
            {
                key: "certManagerVersion",
                value: "v1.21.1",
                effect: "installs that version of the cert-manager chart",
                check: (p) => assert.equal(release(p).version, "v1.21.1"),
            },
            {
                key: "certManagerReplicas",
                value: 4,
                effect: "runs 4 replicas of the controller, the webhook and the cainjector",
                check: (p) => {
                    const v = release(p).values;
                    assert.deepEqual([v.replicaCount, v.webhook.replicaCount, v.cainjector.replicaCount], [4, 4, 4]);
                },
            },
            {
                key: "acmeEmail",
                value: "tls-admin@example.org",
                effect: "registers both Let's Encrypt accounts with that e-mail address",
                check: (p) => {
                    assert.equal(issuer(p, "staging").spec.acme.email, "tls-admin@example.org");
                    assert.equal(issuer(p, "production").spec.acme.email, "tls-admin@example.org");
                },
            },
            {
                key: "acmeEnvironment",
                value: "production",
                effect: "issues the certificates from the production Let's Encrypt issuer and reports production",
                check: (p) => {
                    const c = certificate(p, "example-com");
                    assert.deepEqual(c.spec.issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-production" });
                    assert.equal(c.metadata.annotations["mesh-ingress.io/acme-environment"], "production");
                    assert.equal(outputsOf(p).acmeEnvironment, "production");
                },
            },
            {
                key: "tlsCertificates",
                value: [
                    { name: "example-com", dnsNames: ["*.example.com", "example.com"] },
                    { name: "shop-example-com", dnsNames: ["shop.example.com"], namespace: "shop", issuer: "staging" },
                ],
                effect: "issues a shop.example.com certificate in the shop namespace from staging, and lets cert-manager write its challenge record",
                check: (p) => {
                    assert.deepEqual(certificate(p, "shop-example-com"), {
                        apiVersion: "cert-manager.io/v1",
                        kind: "Certificate",
                        metadata: { name: "shop-example-com", namespace: "shop", annotations: { "pulumi.com/waitFor": "condition=Ready", "mesh-ingress.io/acme-environment": "staging" } },
                        spec: {
                            secretName: "shop-example-com-tls",
                            dnsNames: ["shop.example.com"],
                            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-staging" },
                            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                        },
                    });
                    assert.deepEqual(challengeRecords(p), ["_acme-challenge.example.com", "_acme-challenge.shop.example.com"]);
                    assert.deepEqual(outputsOf(p).tlsIdentifierSets, [
                        { name: "example-com", dnsNames: ["*.example.com", "example.com"] },
                        { name: "shop-example-com", dnsNames: ["shop.example.com"] },
                    ]);
                },
            },
            {
                key: "dns01OidcProviderArn",
                value: oidcProviderArn,
                effect: "trusts cert-manager's DNS-01 role through that OIDC provider only",
                check: (p) => {
                    assert.deepEqual(trustPolicy(p).Statement, [
                        {
                            Sid: "CertManagerServiceAccountOnly",
                            Effect: "Allow",
                            Principal: { Federated: oidcProviderArn },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: {
                                StringEquals: { [`${oidcIssuer}:sub`]: "system:serviceaccount:cert-manager:cert-manager", [`${oidcIssuer}:aud`]: "sts.amazonaws.com" },
                            },
                        },
                    ]);
                },
            },
        ],
    },
    {
        name: "tls: DNS-01 through EKS Pod Identity",
        base: "remote",
        unset: ["dns01OidcProviderArn"],
        rows: [
            {
                key: "dns01Credentials",
                value: "pod-identity",
                effect: "gives cert-manager its DNS-01 role through an EKS Pod Identity association instead of IRSA",
                check: (p) => {
                    const a = inputsOf(one(p, associationType, "dns01-pod-identity"));
                    assert.deepEqual([a.namespace, a.serviceAccount], ["cert-manager", "cert-manager"]);
                    const statement = trustPolicy(p).Statement[0];
                    assert.deepEqual(statement.Principal, { Service: "pods.eks.amazonaws.com" });
                    assert.deepEqual(statement.Action, ["sts:AssumeRole", "sts:TagSession"]);
                    assert.equal(release(p).values.serviceAccount.annotations, undefined, "no IRSA annotation");
                },
            },
            {
                key: "dns01EksClusterName",
                value: "eks-cluster2-prod",
                effect: "associates the role with that EKS cluster and trusts only its pods",
                check: (p) => {
                    assert.equal(inputsOf(one(p, associationType, "dns01-pod-identity")).clusterName, "eks-cluster2-prod");
                    assert.deepEqual(trustPolicy(p).Statement[0].Condition.StringEquals, {
                        "aws:SourceAccount": "123456789012",
                        "aws:RequestTag/eks-cluster-name": "eks-cluster2-prod",
                        "aws:RequestTag/kubernetes-namespace": "cert-manager",
                        "aws:RequestTag/kubernetes-service-account": "cert-manager",
                    });
                },
            },
        ],
    },
    {
        name: "tls: static Route53 key",
        base: "primary",
        unset: ["dns01OidcProviderArn"],
        context: { dns01Credentials: "static" },
        rows: [
            {
                key: "dns01IamUser",
                value: "route53-dns01-bot",
                effect: "attaches the DNS-01 policy to that IAM user",
                check: (p) => {
                    assert.equal(inputsOf(one(p, "aws:iam/userPolicyAttachment:UserPolicyAttachment", "dns01-user-policy")).user, "route53-dns01-bot");
                    assert.equal(ofType(p, "aws:iam/role:Role").length, 0);
                },
            },
            {
                key: "dns01AccessKeyId",
                value: accessKeyId,
                secret: true,
                effect: "gives cert-manager the access key id, as a secret, in the Secret the issuers reference",
                check: (p) => {
                    const s = keySecret(p);
                    assert.equal(inputsOf(s).stringData["access-key-id"], accessKeyId);
                    assert.ok(isSecretInput(s, "stringData"), "the Secret's data is a Pulumi secret");
                    assert.deepEqual(issuer(p, "production").spec.acme.solvers[0].dns01.route53.accessKeyIDSecretRef, { name: "route53-dns01-credentials", key: "access-key-id" });
                    assert.ok(!JSON.stringify(p.document).includes(accessKeyId), "never in clear in the plan");
                },
            },
            {
                key: "dns01SecretAccessKey",
                value: secretAccessKey,
                secret: true,
                effect: "gives cert-manager the secret access key, as a secret, in the Secret the issuers reference",
                check: (p) => {
                    const s = keySecret(p);
                    assert.equal(inputsOf(s).stringData["secret-access-key"], secretAccessKey);
                    assert.ok(isSecretInput(s, "stringData"), "the Secret's data is a Pulumi secret");
                    assert.deepEqual(issuer(p, "staging").spec.acme.solvers[0].dns01.route53.secretAccessKeySecretRef, { name: "route53-dns01-credentials", key: "secret-access-key" });
                    assert.ok(!JSON.stringify(p.document).includes(secretAccessKey), "never in clear in the plan");
                },
            },
        ],
    },
];
