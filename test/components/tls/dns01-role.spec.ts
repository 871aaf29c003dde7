import * as assert from "node:assert/strict";
import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { dns01PermissionPolicy, irsaTrustPolicy, oidcIssuer, podIdentityTrustPolicy, type PolicyDocument } from "../../../components/tls/dns01-role";

/**
 * The DNS-01 role's permission and trust policies evaluated by an IAM policy simulator
 * (@cloud-copilot/iam-simulate): what cert-manager needs is allowed, nothing else is.
 */

const account = "123456789012";
const zone = "Z0123456789ABCDEFGHIJ";
const zoneArn = `arn:aws:route53:::hostedzone/${zone}`;
const role = `arn:aws:iam::${account}:role/cm-dns01-cluster1-abcdefgh`;
const policy = dns01PermissionPolicy("aws", zone, ["_acme-challenge.example.com", "_acme-challenge.api.example.com"]);

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

async function identityDecision(document: PolicyDocument, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> {
    const simulation: Simulation = {
        identityPolicies: [{ name: "dns01", policy: document }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: { action, principal: role, resource: { accountId: account, resource }, contextVariables: context },
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") assert.fail(`the simulator rejected the request: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
}

/** A ChangeResourceRecordSets request as Route53 authorizes it: one change of one record. */
const change = (type: string, name: string, action = "UPSERT"): Record<string, string[]> => ({
    "route53:ChangeResourceRecordSetsRecordTypes": [type],
    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [name],
    "route53:ChangeResourceRecordSetsActions": [action],
});

describe("Dns01Role permission policy (IAM simulator)", () => {
    it("is a valid identity policy", () => {
        assert.deepEqual(validateIdentityPolicy(policy), []);
    });

    it("allows cert-manager to write and remove its TXT challenge records in the zone", async () => {
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("TXT", "_acme-challenge.example.com")), "Allowed");
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("TXT", "_acme-challenge.api.example.com", "DELETE")), "Allowed");
    });

    it("allows polling a change and listing the zone's records", async () => {
        assert.equal(await identityDecision(policy, "route53:GetChange", "arn:aws:route53:::change/C2682N5HXP0BZ4"), "Allowed");
        assert.equal(await identityDecision(policy, "route53:ListResourceRecordSets", zoneArn), "Allowed");
    });

    it("denies an A-record change, even at a challenge name", async () => {
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("A", "_acme-challenge.example.com")), "ImplicitlyDenied");
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("A", "www.example.com")), "ImplicitlyDenied");
    });

    it("denies TXT records that are not this stack's challenge records", async () => {
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("TXT", "example.com")), "ImplicitlyDenied");
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("TXT", "_acme-challenge.admin.example.com")), "ImplicitlyDenied");
    });

    it("denies a batch that mixes the TXT challenge with another record type", async () => {
        const mixed = {
            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT", "CNAME"],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.example.com", "www.example.com"],
            "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
        };
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, mixed), "ImplicitlyDenied");
    });

    it("denies CREATE (cert-manager upserts and deletes)", async () => {
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", zoneArn, change("TXT", "_acme-challenge.example.com", "CREATE")), "ImplicitlyDenied");
    });

    it("denies another hosted zone", async () => {
        assert.equal(await identityDecision(policy, "route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/ZOTHERZONE0000000000", change("TXT", "_acme-challenge.example.com")), "ImplicitlyDenied");
        assert.equal(await identityDecision(policy, "route53:ListResourceRecordSets", "arn:aws:route53:::hostedzone/ZOTHERZONE0000000000"), "ImplicitlyDenied");
    });

    it("denies zone deletion and zone discovery (the issuers carry the zone id)", async () => {
        assert.equal(await identityDecision(policy, "route53:DeleteHostedZone", zoneArn), "ImplicitlyDenied");
        assert.equal(await identityDecision(policy, "route53:ListHostedZonesByName", "*"), "ImplicitlyDenied");
    });

    it("denies every IAM action", async () => {
        for (const [action, resource] of [
            ["iam:CreateUser", `arn:aws:iam::${account}:user/intruder`],
            ["iam:AttachRolePolicy", role],
            ["iam:PutRolePolicy", role],
            ["iam:PassRole", role],
            ["iam:CreateAccessKey", `arn:aws:iam::${account}:user/intruder`],
        ] as const) {
            assert.equal(await identityDecision(policy, action, resource), "ImplicitlyDenied", action);
        }
    });
});

describe("Dns01Role trust policies (IAM simulator)", () => {
    const providerArn = `arn:aws:iam::${account}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
    const issuer = oidcIssuer(providerArn);
    const irsa = irsaTrustPolicy(providerArn, "cert-manager", "cert-manager");

    // The validated simulator only knows OIDC condition keys without a path; an EKS issuer
    // has one (`/id/<id>`), so the IRSA trust runs through the unvalidated engine, with the
    // trust policy validated separately.
    function assumeWithWebIdentity(principal: string, sub: string, aud: string): Decision {
        const trust = createValidatedPolicy(irsa, validateTrustPolicy, { name: "trust" });
        assert.deepEqual(trust.errors, []);
        return runUnsafeSimulation(
            {
                identityPolicies: [],
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: trust,
                request: { action: "sts:AssumeRoleWithWebIdentity", principal, resource: { accountId: account, resource: role }, contextVariables: { [`${issuer}:sub`]: sub, [`${issuer}:aud`]: aud } },
            },
            {},
        );
    }

    it("IRSA admits exactly cert-manager's service account with the STS audience", () => {
        assert.equal(assumeWithWebIdentity(providerArn, "system:serviceaccount:cert-manager:cert-manager", "sts.amazonaws.com"), "Allowed");
    });

    it("IRSA refuses any other service account, namespace or audience", () => {
        assert.equal(assumeWithWebIdentity(providerArn, "system:serviceaccount:default:cert-manager", "sts.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(assumeWithWebIdentity(providerArn, "system:serviceaccount:cert-manager:cert-manager-webhook", "sts.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(assumeWithWebIdentity(providerArn, "system:serviceaccount:cert-manager:cert-manager", "https://kubernetes.default.svc"), "ImplicitlyDenied");
    });

    it("IRSA refuses another cluster's OIDC provider", () => {
        assert.equal(assumeWithWebIdentity(providerArn.replace("EXAMPLED539", "OTHERD539"), "system:serviceaccount:cert-manager:cert-manager", "sts.amazonaws.com"), "ImplicitlyDenied");
    });

    it("IRSA binds sub and aud on the cluster's own issuer", () => {
        const statement = irsa.Statement[0] as { Condition: { StringEquals: Record<string, string> } };
        assert.deepEqual(statement.Condition.StringEquals, {
            "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:cert-manager:cert-manager",
            "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
        });
    });

    async function assumeWithPodIdentity(tags: Record<string, string>, action = "sts:AssumeRole", principal = "pods.eks.amazonaws.com"): Promise<Decision> {
        const trust = podIdentityTrustPolicy(account, "cluster1", "cert-manager", "cert-manager");
        assert.deepEqual(validateTrustPolicy(trust), []);
        const result = await runSimulation(
            {
                identityPolicies: [],
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: trust,
                request: { action, principal, resource: { accountId: account, resource: role }, contextVariables: tags },
            },
            {},
        );
        if (result.resultType === "error") assert.fail(JSON.stringify(result.errors));
        return result.overallResult;
    }
    const podTags = {
        "aws:SourceAccount": account,
        "aws:RequestTag/eks-cluster-name": "cluster1",
        "aws:RequestTag/kubernetes-namespace": "cert-manager",
        "aws:RequestTag/kubernetes-service-account": "cert-manager",
    };

    it("Pod Identity admits cert-manager's service account of this cluster and account", async () => {
        assert.equal(await assumeWithPodIdentity(podTags), "Allowed");
        assert.equal(await assumeWithPodIdentity(podTags, "sts:TagSession"), "Allowed");
    });

    it("Pod Identity refuses other service accounts, namespaces, clusters and accounts", async () => {
        assert.equal(await assumeWithPodIdentity({ ...podTags, "aws:RequestTag/kubernetes-service-account": "default" }), "ImplicitlyDenied");
        assert.equal(await assumeWithPodIdentity({ ...podTags, "aws:RequestTag/kubernetes-namespace": "default" }), "ImplicitlyDenied");
        assert.equal(await assumeWithPodIdentity({ ...podTags, "aws:RequestTag/eks-cluster-name": "cluster2" }), "ImplicitlyDenied");
        assert.equal(await assumeWithPodIdentity({ ...podTags, "aws:SourceAccount": "210987654321" }), "ImplicitlyDenied");
    });

    it("Pod Identity refuses any other principal", async () => {
        assert.equal(await assumeWithPodIdentity(podTags, "sts:AssumeRole", `arn:aws:iam::${account}:role/other`), "ImplicitlyDenied");
    });
});
