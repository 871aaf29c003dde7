import * as assert from "node:assert/strict";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { iamNoWildcardActions, route53ChangeConditioned, route53ChangeScoped, trustBoundToOneServiceAccount, workloadRoleTrustsOnlyWorkload } from "../../policy/dns-iam";
import { unknownSentinel } from "../../offline/values";
import { certManagerPolicy, certManagerRole, changed, clusterIssuer, oidc, portalRecord, T } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * What the DNS and IAM rules take from AWS and from the stack that the other DNS/IAM specs
 * leave open: where the stack's zones come from (a namespaced Issuer, a Record), how a
 * record-type list is named back, a NotAction list that names the change action (checked
 * against AWS's evaluation with the IAM simulator), trust statements that are not IRSA
 * (Cognito, SAML) and IRSA written with a list, and documents the rules cannot read.
 */

const change = "route53:ChangeResourceRecordSets";
const recordTypes = "route53:ChangeResourceRecordSetsRecordTypes";
const account = "123456789012";

/** The role policy with its change statement replaced. */
const withChange = (statement: Record<string, unknown>) =>
    changed(certManagerPolicy, (p) => {
        const doc = JSON.parse(p.policy);
        doc.Statement[1] = { Sid: "ChangeTxtRecords", Effect: "Allow", ...statement };
        p.policy = JSON.stringify(doc);
    });
const scoped = (problems: string, zone: string, types = "TXT") =>
    `IAM role policy 'cluster1-cert-manager-route53' statement 'ChangeTxtRecords' grants ${change} ${problems}; grant it on arn:aws:route53:::hostedzone/${zone} only, with ForAllValues:StringEquals ${recordTypes} [${types}].`;

describe("route53-change-scoped: the stack's zones", () => {
    const issuer: ResourceArgs = { ...changed(clusterIssuer, (p) => {
        p.metadata.namespace = "cert-manager";
        p.spec.acme.solvers = [{ dns01: { route53: { region: "us-east-1", hostedZoneID: "ZISSUERZONE" } } }, { http01: { ingress: { ingressClassName: "nginx" } } }];
    }), type: T.issuer };
    const record = (zoneId: string, name = "portal.example.com") => ({ ...changed(portalRecord, (p) => (p.zoneId = zoneId)), name });
    const txt = { "ForAllValues:StringEquals": { [recordTypes]: ["TXT"] } };

    it("takes them from a namespaced Issuer's route53 solver and from the stack's Records, not from an HTTP-01 solver or a zone id unknown during preview", async () => {
        const stack = [issuer, record("ZRECORDZONE"), record(unknownSentinel, "api.example.com")];
        await assertPasses(route53ChangeScoped, [...stack, withChange({ Action: change, Resource: "arn:aws:route53:::hostedzone/ZRECORDZONE", Condition: txt })]);
        await assertViolates(route53ChangeScoped, [...stack, withChange({ Action: change, Resource: "arn:aws:route53:::hostedzone/ZOTHERZONE", Condition: txt })],
            scoped("on 'arn:aws:route53:::hostedzone/ZOTHERZONE', not the configured zones ZISSUERZONE and ZRECORDZONE", "ZISSUERZONE"));
    });

    it("names each configured record type back, and asks for TXT when none is configured", async () => {
        const two = { "route53-change-scoped": { recordTypes: ["TXT", "CAA"] } };
        const zone = "arn:aws:route53:::hostedzone/ZRECORDZONE";
        await assertViolates(route53ChangeScoped, [record("ZRECORDZONE"), withChange({ Action: change, Resource: zone })],
            scoped(`without the condition ForAllValues:StringEquals ${recordTypes} [TXT, CAA]`, "ZRECORDZONE", "TXT, CAA"), two);
        await assertViolates(route53ChangeScoped, [record("ZRECORDZONE"), withChange({ Action: change, Resource: zone, Condition: { "ForAllValues:StringEquals": { [recordTypes]: ["TXT", "CNAME"] } } })],
            scoped("for record types CNAME beyond TXT, CAA", "ZRECORDZONE", "TXT, CAA"), two);
        await assertViolates(route53ChangeScoped, [record("ZRECORDZONE"), withChange({ Action: change, Resource: "*" })], scoped("on '*'", "ZRECORDZONE"), { "route53-change-scoped": { recordTypes: [] } });
    });
});

describe("route53 rules and AWS's reading of NotAction", () => {
    const notAction = { Effect: "Allow", NotAction: ["iam:*", change], Resource: "*" };

    it("AWS: an Allow with NotAction listing the change action does not grant it, and grants what it does not list", async () => {
        const decision = async (action: string, resource: string) => {
            const simulation: Simulation = {
                identityPolicies: [{ name: "p", policy: { Version: "2012-10-17", Statement: [notAction] } }],
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                request: { action, principal: `arn:aws:iam::${account}:role/cm`, resource: { accountId: account, resource }, contextVariables: {} },
            };
            const result = await runSimulation(simulation, {});
            if (result.resultType === "error") assert.fail(JSON.stringify(result.errors));
            return result.overallResult;
        };
        assert.equal(await decision(change, "arn:aws:route53:::hostedzone/ZRECORDZONE"), "ImplicitlyDenied");
        assert.equal(await decision("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/ZRECORDZONE"), "Allowed");
    });

    it("so neither change rule judges that statement as a change grant", async () => {
        await assertPasses(route53ChangeScoped, [clusterIssuer, withChange(notAction)]);
        await assertPasses(route53ChangeConditioned, withChange(notAction));
    });

    it("judges the string entries of an Action list that also holds a non-string (a document IAM would reject)", async () => {
        await assertViolates(route53ChangeScoped, [clusterIssuer, withChange({ Action: [42, change], Resource: "*", Condition: { "ForAllValues:StringEquals": { [recordTypes]: ["TXT"] } } })],
            scoped("on '*'", "Z0123456789ABCDEFGHIJ"));
    });
});

describe("trust rules: statements that are not IRSA, and IRSA written differently", () => {
    const trust = (...statements: Record<string, unknown>[]) => changed(certManagerRole, (p) => (p.assumeRolePolicy = JSON.stringify({ Version: "2012-10-17", Statement: statements })));
    const provider = `arn:aws:iam::${account}:oidc-provider/${oidc}`;
    const irsaProblem = (problem: string) =>
        `IAM role 'cluster1-cert-manager' trust statement 1 (IRSA) ${problem}; bind it with StringEquals ${oidc}:sub = system:serviceaccount:<namespace>:<service account> and ${oidc}:aud = sts.amazonaws.com.`;

    it("leaves a Cognito identity pool trust and a SAML trust alone: they are no cluster's service accounts", async () => {
        const cognito = trust({ Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012" } } });
        const saml = trust({ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${account}:saml-provider/ADFS` }, Action: "sts:AssumeRoleWithSAML", Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } } });
        await assertPasses(trustBoundToOneServiceAccount, [cognito, saml]);
        await assertPasses(workloadRoleTrustsOnlyWorkload, [cognito, saml]);
    });

    it("judges an IRSA statement whose provider is given as a list, and one that also allows sts:TagSession", async () => {
        await assertViolates(trustBoundToOneServiceAccount, trust({ Effect: "Allow", Principal: { Federated: [provider] }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${oidc}:sub`]: "system:serviceaccount:cert-manager:cert-manager" } } }),
            irsaProblem(`does not pin ${oidc}:aud to sts.amazonaws.com`));
        await assertViolates(trustBoundToOneServiceAccount, trust({ Effect: "Allow", Principal: { Federated: provider }, Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], Condition: { StringEquals: { [`${oidc}:aud`]: "sts.amazonaws.com" } } }),
            irsaProblem(`has no StringEquals condition on ${oidc}:sub`));
    });

    it("says StringLike only when the sub key itself is tested with StringLike", async () => {
        await assertViolates(trustBoundToOneServiceAccount, trust({ Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${oidc}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${oidc}:amr`]: "*" } } }),
            irsaProblem(`has no StringEquals condition on ${oidc}:sub`));
    });
});

describe("DNS and IAM rules: documents they cannot read", () => {
    it("leave a policy or trust that is not JSON to AWS, which rejects it", async () => {
        const role = changed(certManagerRole, (p) => {
            p.assumeRolePolicy = "Version: 2012-10-17";
            p.inlinePolicies = [{ name: "route53", policy: "{ not json" }];
        });
        const rolePolicy = changed(certManagerPolicy, (p) => (p.policy = "{ not json"));
        for (const policy of [iamNoWildcardActions, route53ChangeConditioned, trustBoundToOneServiceAccount, workloadRoleTrustsOnlyWorkload]) await assertPasses(policy, [role, rolePolicy]);
        await assertPasses(route53ChangeScoped, [clusterIssuer, role, rolePolicy]);
    });
});
