import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { acmeServers, certManagerValues } from "../../../components/tls/cert-manager";
import { offlineAccountId, offlineHostedZoneId } from "../../../offline/computed";
import { inputsOf, isSecretInput, ofType, one, planned, plannedOnce, type Planned } from "../../support/plan";
import { invalidObjects } from "../../support/schemas";

/**
 * TLS in both default stacks' plans: the DNS-01 role, cert-manager's release, the two
 * ClusterIssuers and the certificates, with the values users depend on.
 */

const release = (p: Planned): any => inputsOf(one(p, "kubernetes:helm.sh/v3:Release", "cert-manager-release"));
const issuer = (p: Planned, env: string): any => inputsOf(one(p, "kubernetes:cert-manager.io/v1:ClusterIssuer", `cert-manager-letsencrypt-${env}`));
const primaryOidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

// The IAM documents as written by hand from AWS's documentation (IRSA: "Assign IAM roles to
// Kubernetes service accounts"; EKS Pod Identity: its trust policy and session tags; Route53:
// the ChangeResourceRecordSets condition keys), not from the functions that build them.
const oidcIssuerHost = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const expectedIrsaTrust = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "CertManagerServiceAccountOnly",
            Effect: "Allow",
            Principal: { Federated: primaryOidc },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${oidcIssuerHost}:sub`]: "system:serviceaccount:cert-manager:cert-manager", [`${oidcIssuerHost}:aud`]: "sts.amazonaws.com" } },
        },
    ],
};
const expectedPodIdentityTrust = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "CertManagerServiceAccountOnly",
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                StringEquals: {
                    "aws:SourceAccount": "123456789012",
                    "aws:RequestTag/eks-cluster-name": "cluster1",
                    "aws:RequestTag/kubernetes-namespace": "cert-manager",
                    "aws:RequestTag/kubernetes-service-account": "cert-manager",
                },
            },
        },
    ],
};
const expectedDns01Policy = (recordName: string): unknown => ({
    Version: "2012-10-17",
    Statement: [
        { Sid: "PollChanges", Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
        { Sid: "ListZoneRecords", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ" },
        {
            Sid: "ChangeChallengeRecords",
            Effect: "Allow",
            Action: "route53:ChangeResourceRecordSets",
            Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
            Condition: {
                "ForAllValues:StringEquals": {
                    "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                    "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [recordName],
                },
            },
        },
    ],
});

describe("TLS in the default stacks' plans", () => {
    let primary: Planned;
    let primaryUp: Planned;
    let remote: Planned;
    before(async () => {
        primary = await plannedOnce("primary");
        primaryUp = await plannedOnce("primary", undefined, { up: true });
        remote = await plannedOnce("remote");
    });

    it("installs cert-manager from the pinned chart with CRDs, HA replicas, PDBs and its ServiceMonitor", () => {
        const r = release(primary);
        assert.equal(r.chart, "oci://quay.io/jetstack/charts/cert-manager");
        assert.equal(r.version, "v1.21.3");
        assert.equal(r.name, "cert-manager");
        assert.equal(r.namespace, "cert-manager");
        assert.equal(r.skipAwait, undefined, "the release is awaited");
        const v = r.values;
        assert.deepEqual(v.crds, { enabled: true, keep: true });
        assert.equal(v.replicaCount, 2);
        assert.equal(v.webhook.replicaCount, 2);
        assert.equal(v.cainjector.replicaCount, 2);
        for (const pdb of [v.podDisruptionBudget, v.webhook.podDisruptionBudget, v.cainjector.podDisruptionBudget]) assert.deepEqual(pdb, { enabled: true, minAvailable: 1 });
        assert.deepEqual(v.prometheus, { enabled: true, servicemonitor: { enabled: true } });
        assert.equal(v.startupapicheck.enabled, true);
        assert.equal(v.serviceAccount.name, "cert-manager");
    });

    it("turns the ServiceMonitor off with monitoring", () => {
        assert.deepEqual(certManagerValues({ version: "v1.21.3", replicas: 2, credentials: { mode: "pod-identity" }, monitoring: false })["prometheus"], { enabled: true, servicemonitor: { enabled: false } });
    });

    it("switches Gateway API support on with the key of the chart's version (gatewayAPI.enabled from v1.21, where enableGatewayAPI is deprecated)", () => {
        const crds = {} as pulumi.Resource;
        const config = (version: string): unknown => certManagerValues({ version, replicas: 2, credentials: { mode: "pod-identity" }, monitoring: false, gatewayApiCrds: crds })["config"];
        const kind = { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration" };
        assert.deepEqual(config("v1.21.3"), { ...kind, gatewayAPI: { enabled: true } });
        assert.deepEqual(config("v1.21.0"), { ...kind, gatewayAPI: { enabled: true } });
        // Before v1.21 the strictly decoded configuration has no gatewayAPI field.
        assert.deepEqual(config("v1.20.3"), { ...kind, enableGatewayAPI: true });
        assert.deepEqual(config("v1.21.0-alpha.0"), { ...kind, enableGatewayAPI: true });
        assert.equal(certManagerValues({ version: "v1.21.3", replicas: 2, credentials: { mode: "pod-identity" }, monitoring: false })["config"], undefined);
    });

    it("annotates cert-manager's service account with the DNS-01 role (IRSA)", () => {
        const role = inputsOf(one(primaryUp, "aws:iam/role:Role", "dns01-role"));
        assert.match(role.name, /^cm-dns01-cluster1-/);
        assert.equal(release(primaryUp).values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], `arn:aws:iam::${offlineAccountId}:role/${String(role.name)}`);
        assert.equal(release(primaryUp).values.securityContext.fsGroup, 1001);
    });

    it("trusts the role to cert-manager's service account only, through the cluster's OIDC provider", () => {
        const role = inputsOf(one(primary, "aws:iam/role:Role", "dns01-role"));
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), expectedIrsaTrust);
    });

    it("grants the least-privilege DNS-01 policy on the configured zone, for this stack's challenge records", () => {
        const policy = inputsOf(one(primary, "aws:iam/policy:Policy", "dns01-policy"));
        assert.deepEqual(JSON.parse(policy.policy), expectedDns01Policy("_acme-challenge.example.com"));
        const remotePolicy = inputsOf(one(remote, "aws:iam/policy:Policy", "dns01-policy"));
        assert.deepEqual(JSON.parse(remotePolicy.policy), expectedDns01Policy("_acme-challenge.api.example.com"));
        const attachment = one(primaryUp, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.equal(inputsOf(attachment).role, inputsOf(one(primaryUp, "aws:iam/role:Role")).name);
    });

    it("makes IAM names unique with a random suffix", () => {
        const suffix = one(primary, "random:index/randomString:RandomString", "dns01-suffix");
        assert.deepEqual(inputsOf(suffix), { length: 8, special: false, upper: false });
        assert.equal(inputsOf(one(primaryUp, "aws:iam/policy:Policy")).name, inputsOf(one(primaryUp, "aws:iam/role:Role")).name);
    });

    it("carries no access key anywhere with IRSA", () => {
        for (const p of [primary, remote]) {
            const text = JSON.stringify(p.document);
            assert.doesNotMatch(text, /AKIA|accessKeyID|secretAccessKey/);
            // The only Secrets are the mesh's remote-cluster secrets; none carries AWS credentials.
            assert.deepEqual(ofType(p, "kubernetes:core/v1:Secret").filter((s) => inputsOf(s).metadata.namespace === "cert-manager"), []);
            assert.equal(ofType(p, "aws:iam/accessKey:AccessKey").length, 0);
        }
    });

    it("creates the staging and production ClusterIssuers on Route53 DNS-01 with ambient credentials, after the release", () => {
        const releaseUrn = one(primary, "kubernetes:helm.sh/v3:Release", "cert-manager-release").urn;
        for (const env of ["staging", "production"] as const) {
            const i = issuer(primary, env);
            assert.equal(i.metadata.name, `letsencrypt-${env}`);
            assert.equal(i.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
            assert.equal(i.spec.acme.server, acmeServers[env]);
            assert.equal(i.spec.acme.email, "platform@example.com");
            assert.deepEqual(i.spec.acme.solvers, [
                { selector: { dnsZones: ["example.com"] }, dns01: { route53: { region: "us-east-1", hostedZoneID: "Z0123456789ABCDEFGHIJ" } } },
            ]);
            assert.ok(one(primary, "kubernetes:cert-manager.io/v1:ClusterIssuer", `cert-manager-letsencrypt-${env}`).dependencies.includes(releaseUrn), "waits for the release");
        }
        assert.equal(acmeServers.staging, "https://acme-staging-v02.api.letsencrypt.org/directory");
        assert.equal(acmeServers.production, "https://acme-v02.api.letsencrypt.org/directory");
    });

    it("issues each stack's identifier set in the edge namespace from the staging issuer, awaited until Ready", () => {
        const cert = inputsOf(one(primary, "kubernetes:cert-manager.io/v1:Certificate"));
        assert.deepEqual(cert.metadata, { name: "example-com", namespace: "ingress-nginx", annotations: { "pulumi.com/waitFor": "condition=Ready", "mesh-ingress.io/acme-environment": "staging" } });
        assert.deepEqual(cert.spec, {
            secretName: "example-com-tls",
            dnsNames: ["*.example.com", "example.com"],
            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-staging" },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        });
        const remoteCert = inputsOf(one(remote, "kubernetes:cert-manager.io/v1:Certificate"));
        assert.deepEqual(remoteCert.spec.dnsNames, ["api.example.com"]);
        const issuers = ofType(primary, "kubernetes:cert-manager.io/v1:ClusterIssuer").map((i) => i.urn);
        const certificate = one(primary, "kubernetes:cert-manager.io/v1:Certificate");
        assert.ok(issuers.every((u) => certificate.dependencies.includes(u)));
        assert.ok(certificate.dependencies.includes(one(primary, "kubernetes:core/v1:Namespace", "edge-namespace").urn), "waits for the edge namespace");
    });

    it("every Kubernetes object and custom resource of both plans conforms to its upstream schema", async () => {
        assert.deepEqual(await invalidObjects(primary.evaluation.resources), []);
        assert.deepEqual(await invalidObjects(remote.evaluation.resources), []);
    });
});

describe("TLS configuration variants", () => {
    it("switches the certificates to production with acmeEnvironment, while a set may pin staging", async () => {
        const p = await planned("primary", {
            overrides: {
                set: {
                    acmeEnvironment: "production",
                    tlsCertificates: [
                        { name: "example-com", dnsNames: ["*.example.com", "example.com"] },
                        { name: "shop-example-com", dnsNames: ["shop.example.com"], namespace: "shop", issuer: "staging" },
                    ],
                },
            },
        });
        const issuerOf = (name: string): string => String(inputsOf(one(p, "kubernetes:cert-manager.io/v1:Certificate", `certificates-${name}`)).spec.issuerRef.name);
        assert.equal(issuerOf("example-com"), "letsencrypt-production");
        assert.equal(issuerOf("shop-example-com"), "letsencrypt-staging");
        assert.equal(inputsOf(one(p, "kubernetes:cert-manager.io/v1:Certificate", "certificates-shop-example-com")).metadata.namespace, "shop");
        assert.equal((p.document.outputs as Record<string, unknown>)["acmeEnvironment"], "production");
    });

    it("with EKS Pod Identity: a trust bound by session tags and the association, no service account annotation", async () => {
        const p = await planned("primary", { overrides: { set: { dns01Credentials: "pod-identity", dns01EksClusterName: "cluster1" }, unset: ["dns01OidcProviderArn"] }, up: true });
        const role = inputsOf(one(p, "aws:iam/role:Role"));
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), expectedPodIdentityTrust);
        const association = inputsOf(one(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation"));
        assert.deepEqual(association, { clusterName: "cluster1", namespace: "cert-manager", serviceAccount: "cert-manager", roleArn: `arn:aws:iam::${offlineAccountId}:role/${String(role.name)}` });
        const r = release(p);
        assert.equal(r.values.serviceAccount.annotations, undefined);
        assert.ok(one(p, "kubernetes:helm.sh/v3:Release", "cert-manager-release").dependencies.includes(one(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation").urn), "pods start after the association exists");
    });

    it("with a static key (clusters outside AWS): the key only as a secret in a Secret the issuers reference", async () => {
        const keyId = "AKIAIOSFODNN7EXAMPLE";
        const secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        const p = await planned("primary", {
            overrides: {
                set: { dns01Credentials: "static", dns01IamUser: "cert-manager-dns01", dns01AccessKeyId: keyId, dns01SecretAccessKey: secretKey },
                secret: ["dns01AccessKeyId", "dns01SecretAccessKey"],
                unset: ["dns01OidcProviderArn"],
            },
        });
        const secret = one(p, "kubernetes:core/v1:Secret", "cert-manager-route53-key");
        assert.ok(isSecretInput(secret, "stringData"));
        assert.deepEqual(inputsOf(secret).stringData, { "access-key-id": keyId, "secret-access-key": secretKey });
        assert.deepEqual(inputsOf(secret).metadata, { name: "route53-dns01-credentials", namespace: "cert-manager" });
        const route53 = issuer(p, "production").spec.acme.solvers[0].dns01.route53;
        assert.deepEqual(route53.accessKeyIDSecretRef, { name: "route53-dns01-credentials", key: "access-key-id" });
        assert.deepEqual(route53.secretAccessKeySecretRef, { name: "route53-dns01-credentials", key: "secret-access-key" });
        assert.equal(route53.accessKeyID, undefined, "never a literal key id");
        assert.equal(ofType(p, "aws:iam/role:Role").length, 0);
        assert.equal(inputsOf(one(p, "aws:iam/userPolicyAttachment:UserPolicyAttachment")).user, "cert-manager-dns01");
        const text = JSON.stringify(p.document);
        assert.ok(!text.includes(keyId) && !text.includes(secretKey), "the key never appears in clear in the plan");
    });

    it("looks the zone up by name when no id is configured, and gives the issuers and the policy its id", async () => {
        const p = await planned("primary", { overrides: { unset: ["dnsHostedZoneId"] } });
        assert.equal(issuer(p, "staging").spec.acme.solvers[0].dns01.route53.hostedZoneID, offlineHostedZoneId);
        assert.match(inputsOf(one(p, "aws:iam/policy:Policy")).policy, new RegExp(`hostedzone/${offlineHostedZoneId}`));
        assert.doesNotMatch(inputsOf(one(p, "aws:iam/policy:Policy")).policy, /ListHostedZonesByName/);
    });
});
