import * as assert from "node:assert/strict";
import { iamNoWildcardActions, route53ChangeConditioned, route53ChangeScoped, trustBoundToOneServiceAccount, workloadRoleTrustsOnlyWorkload } from "../../policy/dns-iam";
import { actionMatches, allows, conditionValues, statementsOf } from "../../policy/iam";
import { certManagerPolicy, certManagerRole, changed, clusterIssuer, oidc, T, zoneId } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of the DNS and IAM rules: each forbidden action pattern and each full-access
 * managed policy on its own, each condition operator and value count the trust and change
 * rules accept (one value, not zero or two; StringEquals, not StringLike; no wildcard),
 * each record type, change action and record-name prefix at the configured value and one
 * step past it, and each kind of principal a workload role must not also trust.
 */

const document = (type: string, name: string, statements: unknown[]): ResourceArgs => ({ type, name, props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) } });
const allowing = (action: unknown, extra: Record<string, unknown> = {}) => document(T.policy, "p", [{ Effect: "Allow", Action: action, Resource: "*", ...extra }]);
const wildcard = (actions: string, label = "IAM policy 'p'") => `${label} statement 1 allows ${actions}; list the exact actions needed instead.`;

describe("iam-no-wildcard-actions at its boundaries", () => {
    it("fails each default pattern on its own (*, route53:*, iam:*) in any case, and *:* always", async () => {
        for (const action of ["*", "route53:*", "iam:*", "Route53:*", "IAM:*", "*:*"]) {
            await assertViolates(iamNoWildcardActions, allowing(action), wildcard(`'${action}'`));
        }
        await assertViolates(iamNoWildcardActions, allowing("*:*"), wildcard("'*:*'"), { "iam-no-wildcard-actions": { forbiddenActions: ["dynamodb:*"] } });
    });

    it("passes narrower patterns than the forbidden ones, and Deny statements with any pattern", async () => {
        await assertPasses(iamNoWildcardActions, [allowing(["route53:Change*", "route53:Get*", "iam:Get*", "sts:*"]), document(T.policy, "deny", [{ Effect: "Deny", Action: "*", Resource: "*" }, { Effect: "Deny", NotAction: "iam:*", Resource: "*" }])]);
    });

    it("judges user and group policies as well as role policies", async () => {
        await assertViolates(iamNoWildcardActions, document("aws:iam/userPolicy:UserPolicy", "u", [{ Effect: "Allow", Action: "iam:*", Resource: "*" }]), wildcard("'iam:*'", "IAM user policy 'u'"));
        await assertViolates(iamNoWildcardActions, document("aws:iam/groupPolicy:GroupPolicy", "g", [{ Effect: "Allow", Action: "iam:*", Resource: "*" }]), wildcard("'iam:*'", "IAM group policy 'g'"));
    });

    it("fails each full-access managed policy, in any partition and through each attachment type; passes a narrower one and a customer policy of the same name", async () => {
        const attach = (policyArn: string, type: string = T.attachment): ResourceArgs => ({ type, name: "a", props: { policyArn } });
        const attached = (name: string) => `Policy attachment 'a' attaches the AWS managed policy ${name}; attach a policy with only the actions the workload needs (cert-manager: route53:GetChange, ChangeResourceRecordSets, ListResourceRecordSets).`;
        for (const name of ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonRoute53FullAccess", "AmazonRoute53DomainsFullAccess"]) {
            await assertViolates(iamNoWildcardActions, attach(`arn:aws:iam::aws:policy/${name}`), attached(name));
        }
        await assertViolates(iamNoWildcardActions, attach("arn:aws-us-gov:iam::aws:policy/AdministratorAccess"), attached("AdministratorAccess"));
        for (const type of ["aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"]) {
            await assertViolates(iamNoWildcardActions, attach("arn:aws:iam::aws:policy/AdministratorAccess", type), attached("AdministratorAccess"));
        }
        await assertPasses(iamNoWildcardActions, [attach("arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess"), attach("arn:aws:iam::123456789012:policy/AdministratorAccess")]);
    });
});

/** The role policy with its change statement replaced. */
const withChange = (statement: Record<string, unknown>) =>
    changed(certManagerPolicy, (p) => {
        const doc = JSON.parse(p.policy);
        doc.Statement[1] = { Sid: "ChangeTxtRecords", Effect: "Allow", ...statement };
        p.policy = JSON.stringify(doc);
    });
const zoneArn = `arn:aws:route53:::hostedzone/${zoneId}`;
const change = "route53:ChangeResourceRecordSets";
const recordTypes = "route53:ChangeResourceRecordSetsRecordTypes";

describe("route53-change-scoped at its boundaries", () => {
    const scoped = (problem: string, zone = zoneId, types = "TXT") =>
        `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants ${change} ${problem}; grant it on arn:aws:route53:::hostedzone/${zone} only, with ForAllValues:StringEquals ${recordTypes} [${types}].`;

    it("passes the record types in any case and under ForAllValues:StringLike; fails an empty list", async () => {
        await assertPasses(route53ChangeScoped, [clusterIssuer, withChange({ Action: change, Resource: zoneArn, Condition: { "ForAllValues:StringEquals": { [recordTypes]: ["txt"] } } })]);
        await assertPasses(route53ChangeScoped, [clusterIssuer, withChange({ Action: change, Resource: zoneArn, Condition: { "ForAllValues:StringLike": { [recordTypes]: ["TXT"] } } })]);
        await assertViolates(route53ChangeScoped, [clusterIssuer, withChange({ Action: change, Resource: zoneArn, Condition: { "ForAllValues:StringEquals": { [recordTypes]: [] } } })],
            scoped(`without the condition ForAllValues:StringEquals ${recordTypes} [TXT]`));
    });

    it("requires no record-type condition when the configured recordTypes is empty", async () => {
        await assertPasses(route53ChangeScoped, [clusterIssuer, withChange({ Action: change, Resource: zoneArn })], { "route53-change-scoped": { recordTypes: [] } });
    });

    it("judges every grant of the change action: route53:Change*, route53:*, *, and NotAction that leaves it in; not a Deny", async () => {
        for (const action of [{ Action: "route53:Change*" }, { Action: "route53:*" }, { Action: "*" }, { NotAction: "route53:List*" }]) {
            await assertViolates(route53ChangeScoped, [clusterIssuer, withChange({ ...action, Resource: "*", Condition: { "ForAllValues:StringEquals": { [recordTypes]: ["TXT"] } } })], scoped("on '*'"));
        }
        await assertPasses(route53ChangeScoped, [clusterIssuer, withChange({ Effect: "Deny", Action: change, Resource: "*" })]);
    });

    it("counts NotResource as '*'", async () => {
        await assertViolates(route53ChangeScoped, [clusterIssuer, withChange({ Action: change, NotResource: zoneArn, Condition: { "ForAllValues:StringEquals": { [recordTypes]: ["TXT"] } } })], scoped("on '*' (through NotResource)"));
    });

    it("without any zone known, passes a hosted zone ARN (any partition), fails what is not one", async () => {
        const txt = { "ForAllValues:StringEquals": { [recordTypes]: ["TXT"] } };
        await assertPasses(route53ChangeScoped, [withChange({ Action: change, Resource: "arn:aws-cn:route53:::hostedzone/ZANYZONE", Condition: txt })]);
        await assertViolates(route53ChangeScoped, [withChange({ Action: change, Resource: "arn:aws:route53:::change/C1", Condition: txt })],
            `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants ${change} on 'arn:aws:route53:::change/C1', which is not a hosted zone ARN; grant it on arn:aws:route53:::hostedzone/<zone id> only, with ForAllValues:StringEquals ${recordTypes} [TXT].`);
    });

    it("names every configured zone when the grant is on another", async () => {
        await assertViolates(route53ChangeScoped, [certManagerPolicy], scoped(`on '${zoneArn}', not the configured zones ZONEA and ZONEB`, "ZONEA"), { "route53-change-scoped": { hostedZoneIds: ["ZONEA", "ZONEB"] } });
        await assertPasses(route53ChangeScoped, [certManagerPolicy], { "route53-change-scoped": { hostedZoneIds: ["ZONEA", zoneId] } });
    });
});

describe("trust-bound-to-one-service-account at its boundaries", () => {
    const trust = (statement: Record<string, unknown>) => changed(certManagerRole, (p) => (p.assumeRolePolicy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] })));
    const irsa = (sub: unknown, aud: unknown = "sts.amazonaws.com", action: unknown = "sts:AssumeRoleWithWebIdentity") =>
        trust({ Effect: "Allow", Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${oidc}` }, Action: action, Condition: { StringEquals: { [`${oidc}:sub`]: sub, [`${oidc}:aud`]: aud } } });
    const irsaProblem = (problem: string) =>
        `IAM role 'cluster1-cert-manager' trust statement 1 (IRSA) ${problem}; bind it with StringEquals ${oidc}:sub = system:serviceaccount:<namespace>:<service account> and ${oidc}:aud = sts.amazonaws.com.`;
    const account = "system:serviceaccount:cert-manager:cert-manager";

    it("passes one service account, also as a list of one; fails none and two", async () => {
        await assertPasses(trustBoundToOneServiceAccount, [irsa(account), irsa([account], ["sts.amazonaws.com"])]);
        await assertViolates(trustBoundToOneServiceAccount, irsa([]), irsaProblem(`has no StringEquals condition on ${oidc}:sub`));
        await assertViolates(trustBoundToOneServiceAccount, irsa([account, "system:serviceaccount:edge:edge"]), irsaProblem(`admits 2 values of ${oidc}:sub (${account} and system:serviceaccount:edge:edge)`));
    });

    it("fails a wildcard (* or ?) inside StringEquals, and a subject that is not namespace:name", async () => {
        await assertViolates(trustBoundToOneServiceAccount, irsa("system:serviceaccount:cert-manager:*"), irsaProblem(`matches ${oidc}:sub with a wildcard ('system:serviceaccount:cert-manager:*')`));
        await assertViolates(trustBoundToOneServiceAccount, irsa("system:serviceaccount:cert-manager:cert-manage?"), irsaProblem(`matches ${oidc}:sub with a wildcard ('system:serviceaccount:cert-manager:cert-manage?')`));
        for (const sub of ["system:serviceaccount:cert-manager", "system:serviceaccount:cert-manager:cert-manager:extra", "system:serviceaccounts:cert-manager"]) {
            await assertViolates(trustBoundToOneServiceAccount, irsa(sub), irsaProblem(`pins ${oidc}:sub to '${sub}', which is not system:serviceaccount:<namespace>:<name>`));
        }
    });

    it("passes aud sts.amazonaws.com alone; fails another audience and a second one", async () => {
        const aud = irsaProblem(`does not pin ${oidc}:aud to sts.amazonaws.com`);
        await assertViolates(trustBoundToOneServiceAccount, irsa(account, "sts.amazonaws.com.cn"), aud);
        await assertViolates(trustBoundToOneServiceAccount, irsa(account, ["sts.amazonaws.com", "other"]), aud);
    });

    it("treats sts:* as AssumeRoleWithWebIdentity, and reads condition keys in any case", async () => {
        await assertViolates(trustBoundToOneServiceAccount, irsa([], "sts.amazonaws.com", "sts:*"), irsaProblem(`has no StringEquals condition on ${oidc}:sub`));
        await assertPasses(trustBoundToOneServiceAccount, trust({ Effect: "Allow", Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${oidc}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${oidc}:SUB`]: account, [`${oidc}:Aud`]: "sts.amazonaws.com" } } }));
    });

    it("fails '*' as a principal, as AWS '*', and '*' among AWS principals", async () => {
        const anyone = "IAM role 'cluster1-cert-manager' trust statement 1 admits any principal ('*'); name the cluster's OIDC provider (IRSA) or pods.eks.amazonaws.com (Pod Identity).";
        for (const principal of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::123456789012:root", "*"] }]) {
            await assertViolates(trustBoundToOneServiceAccount, trust({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }), anyone);
        }
        await assertPasses(trustBoundToOneServiceAccount, trust({ Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }));
    });

    it("binds Pod Identity with one StringEquals value per tag, not StringLike and not two", async () => {
        const pod = (condition: Record<string, unknown>) => trust({ Effect: "Allow", Principal: { Service: ["pods.eks.amazonaws.com"] }, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: condition });
        const podProblem = (problem: string) =>
            `IAM role 'cluster1-cert-manager' trust statement 1 (EKS Pod Identity) ${problem}; bind it with StringEquals aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account, one value each.`;
        await assertPasses(trustBoundToOneServiceAccount, pod({ StringEquals: { "aws:RequestTag/kubernetes-namespace": "cert-manager", "aws:RequestTag/kubernetes-service-account": "cert-manager" } }));
        await assertViolates(trustBoundToOneServiceAccount, pod({ StringEquals: { "aws:RequestTag/kubernetes-namespace": ["cert-manager", "edge"], "aws:RequestTag/kubernetes-service-account": "cert-manager" } }),
            podProblem("admits 2 values of aws:RequestTag/kubernetes-namespace (cert-manager and edge)"));
        await assertViolates(trustBoundToOneServiceAccount, pod({ StringEquals: { "aws:RequestTag/kubernetes-namespace": "cert-manager" }, StringLike: { "aws:RequestTag/kubernetes-service-account": "cert-*" } }),
            podProblem("tests aws:RequestTag/kubernetes-service-account with StringLike instead of StringEquals"));
    });
});

describe("route53-change-conditioned at its boundaries", () => {
    const actions = "route53:ChangeResourceRecordSetsActions";
    const names = "route53:ChangeResourceRecordSetsNormalizedRecordNames";
    const conditioned = (actionValues: string[], nameValues: string[]) =>
        withChange({ Action: change, Resource: zoneArn, Condition: { "ForAllValues:StringEquals": { [recordTypes]: ["TXT"], [actions]: actionValues, [names]: nameValues } } });
    const problem = (text: string, allowed = "UPSERT, DELETE", prefix = "_acme-challenge.") =>
        `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants ${change} ${text}; DNS-01 only upserts and deletes challenge records: add ForAllValues:StringEquals ${actions} [${allowed}] and ${names} [${prefix}<name>, ...].`;

    it("passes the allowed actions in any case, and one of them alone; fails an empty list", async () => {
        await assertPasses(route53ChangeConditioned, [conditioned(["upsert", "Delete"], ["_acme-challenge.example.com"]), conditioned(["UPSERT"], ["_acme-challenge.example.com"])]);
        await assertViolates(route53ChangeConditioned, conditioned([], ["_acme-challenge.example.com"]), problem(`without a condition on ${actions}`));
    });

    it("with configured actions [UPSERT], fails DELETE", async () => {
        await assertViolates(route53ChangeConditioned, conditioned(["UPSERT", "DELETE"], ["_acme-challenge.example.com"]), problem("for the actions DELETE beyond UPSERT", "UPSERT"), { "route53-change-conditioned": { actions: ["UPSERT"] } });
    });

    it("passes names starting with the prefix in any case; fails the prefix without its dot, and an empty list", async () => {
        await assertPasses(route53ChangeConditioned, conditioned(["UPSERT"], ["_ACME-CHALLENGE.example.com"]));
        await assertViolates(route53ChangeConditioned, conditioned(["UPSERT"], ["_acme-challengex.example.com"]), problem("for record names '_acme-challengex.example.com' that do not start with '_acme-challenge.'"));
        await assertViolates(route53ChangeConditioned, conditioned(["UPSERT"], []), problem(`without a condition on ${names}`));
    });

    it("moves the prefix with a configured recordNamePrefix", async () => {
        const api = { "route53-change-conditioned": { recordNamePrefix: "_acme-challenge.api." } };
        await assertPasses(route53ChangeConditioned, conditioned(["UPSERT"], ["_acme-challenge.api.example.com"]), api);
        await assertViolates(route53ChangeConditioned, conditioned(["UPSERT"], ["_acme-challenge.example.com"]),
            problem("for record names '_acme-challenge.example.com' that do not start with '_acme-challenge.api.'", "UPSERT, DELETE", "_acme-challenge.api."), api);
    });
});

describe("workload-role-trusts-only-workload: each kind of other principal", () => {
    const plus = (statement: Record<string, unknown>) =>
        changed(certManagerRole, (p) => {
            const doc = JSON.parse(p.assumeRolePolicy);
            doc.Statement.push({ Effect: "Allow", Action: "sts:AssumeRole", ...statement });
            p.assumeRolePolicy = JSON.stringify(doc);
        });
    const alsoAdmits = (who: string) => `IAM role 'cluster1-cert-manager' is assumed by a Kubernetes service account, but its trust statement 2 also admits ${who}; remove that statement: only the workload's identity (IRSA or EKS Pod Identity) may assume it.`;

    it("fails an account id, a role, a SAML provider, a canonical user and a principal given as a string", async () => {
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Principal: { AWS: "123456789012" } }), alsoAdmits("the account root 123456789012"));
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Principal: { AWS: "arn:aws:iam::123456789012:role/admin" } }), alsoAdmits("the AWS principal arn:aws:iam::123456789012:role/admin"));
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/corp" } }), alsoAdmits("the federated principal arn:aws:iam::123456789012:saml-provider/corp"));
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Principal: { CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" } }), alsoAdmits("the canonical user 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"));
        await assertViolates(workloadRoleTrustsOnlyWorkload, plus({ Principal: "arn:aws:iam::123456789012:root" }), alsoAdmits("'arn:aws:iam::123456789012:root'"));
    });

    it("passes a second OIDC provider, Pod Identity, a Deny for anyone, and leaves '*' to trust-bound-to-one-service-account", async () => {
        await assertPasses(workloadRoleTrustsOnlyWorkload, [
            plus({ Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER" } }),
            plus({ Principal: { Service: "pods.eks.amazonaws.com" } }),
            plus({ Effect: "Deny", Principal: { AWS: "arn:aws:iam::123456789012:root" } }),
            plus({ Principal: "*" }),
        ]);
    });
});

describe("IAM document readers at their edges", () => {
    it("matches ? as one character and * as any, case-insensitively, over the whole action", () => {
        assert.equal(actionMatches("route53:Change?esourceRecordSets", change), true);
        assert.equal(actionMatches("ROUTE53:change*", change), true);
        assert.equal(actionMatches("route53:Change?", change), false);
        assert.equal(actionMatches("route53:ChangeResourceRecordSet", change), false, "anchored at the end");
        assert.equal(actionMatches("53:ChangeResourceRecordSets", change), false, "anchored at the start");
        assert.equal(actionMatches("route53.ChangeResourceRecordSets", change), false, "a dot is a dot");
    });

    it("reads a single statement, a missing Effect as Allow, and condition keys in any case", () => {
        const [s] = statementsOf({ Statement: { Action: change, Condition: { StringEquals: { "Aws:RequestTag/Team": ["edge"] } } } });
        assert.ok(s);
        assert.equal(s.effect, "Allow");
        assert.equal(allows(s, change), true);
        assert.deepEqual(conditionValues(s, "StringEquals", "aws:requesttag/team"), ["edge"]);
        assert.equal(conditionValues(s, "StringLike", "aws:requesttag/team"), undefined);
        assert.equal(allows({ ...s, actions: [], notActions: [change] }, change), false);
        assert.equal(allows({ ...s, actions: [], notActions: [] }, change), false, "neither Action nor NotAction grants nothing");
    });
});
