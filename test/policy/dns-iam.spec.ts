import { iamNoWildcardActions, route53ChangeConditioned, route53ChangeScoped, trustBoundToOneServiceAccount, workloadRoleTrustsOnlyWorkload } from "../../policy/dns-iam";
import { certManagerPolicy, certManagerRole, changed, clusterIssuer, oidc, portalRecord, T, zoneId } from "./fixtures";
import { unknownSentinel } from "../../offline/values";
import { assertPasses, assertViolates } from "./support";

/** The role policy with its second statement (the change permission) replaced. */
const withChange = (statement: Record<string, unknown>) =>
    changed(certManagerPolicy, (p) => {
        const doc = JSON.parse(p.policy);
        doc.Statement[1] = { Sid: "ChangeTxtRecords", Effect: "Allow", ...statement };
        p.policy = JSON.stringify(doc);
    });

const txtOnly = { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] } };

describe("policy iam-no-wildcard-actions", () => {
    it("passes cert-manager's minimal policy and a narrow managed policy", async () => {
        await assertPasses(iamNoWildcardActions, [certManagerPolicy, certManagerRole, { type: T.attachment, name: "ro", props: { policyArn: "arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess" } }]);
    });

    it("fails route53:* and *, in a policy or a role's inline policy", async () => {
        await assertViolates(iamNoWildcardActions, withChange({ Action: ["route53:*", "iam:PassRole"], Resource: "*" }),
            "IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' allows 'route53:*'; list the exact actions needed instead.");
        await assertViolates(iamNoWildcardActions, changed(certManagerRole, (p) => (p.inlinePolicies = [{ name: "admin", policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }) }])),
            "inline policy 'admin' of IAM role 'cluster1-cert-manager' statement 1 allows '*'; list the exact actions needed instead.");
    });

    it("fails Allow with NotAction, and attaching a full-access managed policy", async () => {
        await assertViolates(iamNoWildcardActions, { type: T.policy, name: "broad", props: { policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] } } },
            "IAM policy 'broad' statement 1 allows every action except 'iam:*' (Allow with NotAction); list the exact actions needed instead.");
        await assertViolates(iamNoWildcardActions, { type: T.attachment, name: "admin", props: { role: "x", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } },
            "Policy attachment 'admin' attaches the AWS managed policy AdministratorAccess; attach a policy with only the actions the workload needs (cert-manager: route53:GetChange, ChangeResourceRecordSets, ListResourceRecordSets).");
    });

    it("forbids the configured patterns", async () => {
        const dynamo = { type: T.policy, name: "tables", props: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] }) } };
        await assertPasses(iamNoWildcardActions, dynamo);
        await assertViolates(iamNoWildcardActions, dynamo, "IAM policy 'tables' statement 1 allows 'dynamodb:*'; list the exact actions needed instead.",
            { "iam-no-wildcard-actions": { forbiddenActions: ["*", "route53:*", "iam:*", "dynamodb:*"] } });
    });
});

describe("policy route53-change-scoped", () => {
    it("passes change permission on the zone the stack's issuer uses, for TXT only", async () => {
        await assertPasses(route53ChangeScoped, [clusterIssuer, certManagerPolicy, portalRecord]);
    });

    it("still judges when a record's zone id is unknown during preview", async () => {
        await assertPasses(route53ChangeScoped, [clusterIssuer, certManagerPolicy, changed(portalRecord, (p) => (p.zoneId = unknownSentinel))]);
    });

    it("fails change permission on *", async () => {
        await assertViolates(route53ChangeScoped, [clusterIssuer, withChange({ Action: "route53:ChangeResourceRecordSets", Resource: "*", Condition: txtOnly })],
            `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants route53:ChangeResourceRecordSets on '*'; grant it on arn:aws:route53:::hostedzone/${zoneId} only, with ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes [TXT].`);
    });

    it("fails another zone, and a grant through route53:Change* without the TXT condition", async () => {
        await assertViolates(route53ChangeScoped, [clusterIssuer, withChange({ Action: "route53:Change*", Resource: "arn:aws:route53:::hostedzone/ZOTHERZONE" })],
            `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants route53:ChangeResourceRecordSets on 'arn:aws:route53:::hostedzone/ZOTHERZONE', not the configured zone ${zoneId} and without the condition ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes [TXT]; grant it on arn:aws:route53:::hostedzone/${zoneId} only, with ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes [TXT].`);
    });

    it("takes the zones from the pack's configuration when given, and the record types too", async () => {
        const cname = withChange({ Action: "route53:ChangeResourceRecordSets", Resource: `arn:aws:route53:::hostedzone/${zoneId}`, Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT", "CNAME"] } } });
        await assertViolates(route53ChangeScoped, [clusterIssuer, cname],
            `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants route53:ChangeResourceRecordSets for record types CNAME beyond TXT; grant it on arn:aws:route53:::hostedzone/${zoneId} only, with ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes [TXT].`);
        await assertPasses(route53ChangeScoped, [clusterIssuer, cname], { "route53-change-scoped": { recordTypes: ["TXT", "CNAME"] } });
        await assertViolates(route53ChangeScoped, [clusterIssuer, certManagerPolicy],
            `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants route53:ChangeResourceRecordSets on 'arn:aws:route53:::hostedzone/${zoneId}', not the configured zone ZPRODZONE; grant it on arn:aws:route53:::hostedzone/ZPRODZONE only, with ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes [TXT].`,
            { "route53-change-scoped": { hostedZoneIds: ["ZPRODZONE"] } });
    });
});

describe("policy trust-bound-to-one-service-account", () => {
    const trust = (statement: Record<string, unknown>) => changed(certManagerRole, (p) => (p.assumeRolePolicy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] })));
    const irsa = { Effect: "Allow", Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${oidc}` }, Action: "sts:AssumeRoleWithWebIdentity" };
    const podIdentity = { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] };

    it("passes IRSA and Pod Identity trusts bound to one service account, and service roles", async () => {
        await assertPasses(trustBoundToOneServiceAccount, [
            certManagerRole,
            trust({ ...podIdentity, Condition: { StringEquals: { "aws:RequestTag/kubernetes-namespace": "cert-manager", "aws:RequestTag/kubernetes-service-account": ["cert-manager"] } } }),
            trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
        ]);
    });

    it("fails an IRSA trust for every service account of a namespace", async () => {
        await assertViolates(trustBoundToOneServiceAccount, trust({ ...irsa, Condition: { StringLike: { [`${oidc}:sub`]: "system:serviceaccount:cert-manager:*" } } }),
            `IAM role 'cluster1-cert-manager' trust statement 1 (IRSA) tests ${oidc}:sub with StringLike instead of StringEquals and does not pin ${oidc}:aud to sts.amazonaws.com; bind it with StringEquals ${oidc}:sub = system:serviceaccount:<namespace>:<service account> and ${oidc}:aud = sts.amazonaws.com.`);
    });

    it("fails an IRSA trust listing two service accounts", async () => {
        await assertViolates(trustBoundToOneServiceAccount, trust({ ...irsa, Condition: { StringEquals: { [`${oidc}:sub`]: ["system:serviceaccount:cert-manager:cert-manager", "system:serviceaccount:edge:external-dns"], [`${oidc}:aud`]: "sts.amazonaws.com" } } }),
            `IAM role 'cluster1-cert-manager' trust statement 1 (IRSA) admits 2 values of ${oidc}:sub (system:serviceaccount:cert-manager:cert-manager and system:serviceaccount:edge:external-dns); bind it with StringEquals ${oidc}:sub = system:serviceaccount:<namespace>:<service account> and ${oidc}:aud = sts.amazonaws.com.`);
    });

    it("fails a Pod Identity trust without conditions, and a trust admitting anyone", async () => {
        await assertViolates(trustBoundToOneServiceAccount, trust(podIdentity),
            "IAM role 'cluster1-cert-manager' trust statement 1 (EKS Pod Identity) has no StringEquals condition on aws:RequestTag/kubernetes-namespace and has no StringEquals condition on aws:RequestTag/kubernetes-service-account; bind it with StringEquals aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account, one value each.");
        await assertViolates(trustBoundToOneServiceAccount, trust({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
            "IAM role 'cluster1-cert-manager' trust statement 1 admits any principal ('*'); name the cluster's OIDC provider (IRSA) or pods.eks.amazonaws.com (Pod Identity).");
    });
});

describe("policy route53-change-conditioned", () => {
    const zone = `arn:aws:route53:::hostedzone/${zoneId}`;
    const conditioned = (conditions: Record<string, string[]>) => withChange({ Action: "route53:ChangeResourceRecordSets", Resource: zone, Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], ...conditions } } });

    it("passes UPSERT and DELETE of _acme-challenge records (the fixture, and StringLike names)", async () => {
        await assertPasses(route53ChangeConditioned, [certManagerPolicy]);
        await assertPasses(route53ChangeConditioned, withChange({
            Action: "route53:ChangeResourceRecordSets",
            Resource: zone,
            Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"] }, "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*.example.com"] } },
        }));
    });

    it("fails the record-name and action conditions dropped", async () => {
        await assertViolates(route53ChangeConditioned, conditioned({}),
            "IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants route53:ChangeResourceRecordSets without a condition on route53:ChangeResourceRecordSetsActions and without a condition on route53:ChangeResourceRecordSetsNormalizedRecordNames; DNS-01 only upserts and deletes challenge records: add ForAllValues:StringEquals route53:ChangeResourceRecordSetsActions [UPSERT, DELETE] and route53:ChangeResourceRecordSetsNormalizedRecordNames [_acme-challenge.<name>, ...].");
    });

    it("fails CREATE beside UPSERT, and a name that is not a challenge record", async () => {
        await assertViolates(route53ChangeConditioned, conditioned({ "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE", "CREATE"], "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.example.com", "api.example.com"] }),
            "IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants route53:ChangeResourceRecordSets for the actions CREATE beyond UPSERT, DELETE and for record names 'api.example.com' that do not start with '_acme-challenge.'; DNS-01 only upserts and deletes challenge records: add ForAllValues:StringEquals route53:ChangeResourceRecordSetsActions [UPSERT, DELETE] and route53:ChangeResourceRecordSetsNormalizedRecordNames [_acme-challenge.<name>, ...].");
    });

    it("admits the configured actions", async () => {
        const withCreate = conditioned({ "route53:ChangeResourceRecordSetsActions": ["CREATE", "DELETE"], "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.example.com"] });
        await assertPasses(route53ChangeConditioned, withCreate, { "route53-change-conditioned": { actions: ["CREATE", "UPSERT", "DELETE"] } });
    });
});

describe("policy workload-role-trusts-only-workload", () => {
    const plus = (statement: Record<string, unknown>) =>
        changed(certManagerRole, (p) => {
            const doc = JSON.parse(p.assumeRolePolicy);
            doc.Statement.push(statement);
            p.assumeRolePolicy = JSON.stringify(doc);
        });

    it("passes the DNS-01 role (IRSA only), and a service role that is no workload's", async () => {
        await assertPasses(workloadRoleTrustsOnlyWorkload, [certManagerRole, { type: T.role, name: "ec2", props: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } }]);
    });

    it("fails a trust statement added for the account root, and one for another AWS service", async () => {
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }),
            "IAM role 'cluster1-cert-manager' is assumed by a Kubernetes service account, but its trust statement 2 also admits the account root arn:aws:iam::123456789012:root; remove that statement: only the workload's identity (IRSA or EKS Pod Identity) may assume it.");
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Sid: "Lambda", Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "pods.eks.amazonaws.com"] }, Action: "sts:AssumeRole" }),
            "IAM role 'cluster1-cert-manager' is assumed by a Kubernetes service account, but its trust statement 'Lambda' also admits the AWS service lambda.amazonaws.com; remove that statement: only the workload's identity (IRSA or EKS Pod Identity) may assume it.");
    });
});
