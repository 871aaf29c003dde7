import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { arrayAt, forTypes, isRecord, listed, stringAt, whenKnown, type Json } from "./helpers";
import { actionMatches, allows, conditionKeys, conditionValues, policyDocument, statementLabel, statementsOf, type Statement } from "./iam";
import { clusterIssuerType, issuerType } from "./tls";

/**
 * DNS and IAM rules: the IAM that cert-manager's DNS-01 solver gets is the minimum the
 * cert-manager docs ask for (Route53 changes on the configured zone only, TXT records
 * only), no policy grants whole services, and every IRSA or Pod Identity role is bound to
 * one service account. Facts: cert-manager docs "ACME DNS01 Route53", AWS IAM docs
 * (policy grammar, condition keys for Route53), Amazon EKS docs "IAM roles for service
 * accounts" and "EKS Pod Identity".
 */

export const roleType = "aws:iam/role:Role";
export const policyType = "aws:iam/policy:Policy";
export const rolePolicyType = "aws:iam/rolePolicy:RolePolicy";
const userPolicyType = "aws:iam/userPolicy:UserPolicy";
const groupPolicyType = "aws:iam/groupPolicy:GroupPolicy";
const attachmentTypes = ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"];
export const recordType = "aws:route53/record:Record";

/** The permission documents a resource carries, each with a label for messages. */
export function permissionDocuments(type: string, props: Json, name: string): { label: string; doc: Json | undefined }[] {
    switch (type) {
        case policyType:
            return [{ label: `IAM policy '${name}'`, doc: policyDocument(props["policy"]) }];
        case rolePolicyType:
            return [{ label: `IAM role policy '${name}'`, doc: policyDocument(props["policy"]) }];
        case userPolicyType:
        case groupPolicyType:
            return [{ label: `IAM ${type === userPolicyType ? "user" : "group"} policy '${name}'`, doc: policyDocument(props["policy"]) }];
        case roleType:
            return arrayAt(props, "inlinePolicies")
                .filter(isRecord)
                .map((p) => ({ label: `inline policy '${stringAt(p, "name") ?? "?"}' of IAM role '${name}'`, doc: policyDocument(p["policy"]) }));
        default:
            return [];
    }
}

const documentTypes = [policyType, rolePolicyType, userPolicyType, groupPolicyType, roleType];

/** AWS managed policies that grant whole services (or everything). */
const broadManagedPolicies = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonRoute53FullAccess", "AmazonRoute53DomainsFullAccess"];

/**
 * No `*`, `route53:*` or `iam:*` actions, no Allow with NotAction, and no attachment of
 * AWS's full-access managed policies: cert-manager needs three Route53 actions, and a
 * wildcard turns a leaked pod token into control of every zone (or of IAM itself).
 */
export const iamNoWildcardActions: ResourceValidationPolicy = {
    name: "iam-no-wildcard-actions",
    description: "IAM policies grant no '*', 'route53:*' or 'iam:*' action, no Allow with NotAction, and no full-access managed policy is attached.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            forbiddenActions: { type: "array", items: { type: "string" }, default: ["*", "route53:*", "iam:*"], description: "Action patterns no Allow statement may list (compared case-insensitively)." },
        },
    },
    validateResource: forTypes([...documentTypes, ...attachmentTypes], (props, args, report) => {
        const { forbiddenActions } = args.getConfig<{ forbiddenActions: string[] }>();
        if (attachmentTypes.includes(args.type)) {
            // The ARN of a policy the stack creates is known only after deployment: it is
            // never an AWS managed policy, so an unknown ARN passes.
            const arn = whenKnown(() => stringAt(props, "policyArn"), undefined) ?? "";
            const managed = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
            if (managed && broadManagedPolicies.includes(managed)) {
                report(`Policy attachment '${args.name}' attaches the AWS managed policy ${managed}; attach a policy with only the actions the workload needs (cert-manager: route53:GetChange, ChangeResourceRecordSets, ListResourceRecordSets).`);
            }
            return;
        }
        const forbidden = forbiddenActions.map((a) => a.toLowerCase());
        for (const { label, doc } of permissionDocuments(args.type, props, args.name)) {
            if (!doc) continue;
            statementsOf(doc).forEach((s, i) => {
                if (s.effect !== "Allow") return;
                const wild = s.actions.filter((a) => forbidden.includes(a.toLowerCase()) || a === "*:*");
                if (wild.length > 0) report(`${label} ${statementLabel(s, i)} allows ${listed(wild.map((a) => `'${a}'`))}; list the exact actions needed instead.`);
                if (s.notActions.length > 0) report(`${label} ${statementLabel(s, i)} allows every action except ${listed(s.notActions.map((a) => `'${a}'`))} (Allow with NotAction); list the exact actions needed instead.`);
            });
        }
    }),
};

const change = "route53:ChangeResourceRecordSets";
const recordTypesKey = "route53:ChangeResourceRecordSetsRecordTypes";

/** The hosted zones the stack itself uses: its issuers' Route53 solvers and its records. */
function stackZones(resources: readonly PolicyResource[]): string[] {
    const zones = new Set<string>();
    for (const r of resources) {
        if (r.type === clusterIssuerType || r.type === issuerType) {
            for (const solver of whenKnown(() => arrayAt(r.props, "spec.acme.solvers").filter(isRecord), [])) {
                const zone = whenKnown(() => stringAt(solver, "dns01.route53.hostedZoneID"), undefined);
                if (zone) zones.add(zone);
            }
        } else if (r.type === recordType) {
            // A zone id looked up from a zone the stack creates is unknown during preview: the other zones still count.
            const zone = whenKnown(() => stringAt(r.props, "zoneId"), undefined);
            if (zone) zones.add(zone);
        }
    }
    return [...zones];
}

/** The zone id of a hosted zone ARN (`arn:aws:route53:::hostedzone/Z123`), else undefined. */
function zoneOf(arn: string): string | undefined {
    return /^arn:aws[a-z-]*:route53:::hostedzone\/([A-Za-z0-9]+)$/.exec(arn)?.[1];
}

/** What is wrong with one statement that grants Route53 changes. */
function changeProblems(s: Statement, zones: readonly string[], recordTypes: readonly string[]): string[] {
    const problems: string[] = [];
    const resources = s.notResources.length > 0 ? ["*"] : s.resources;
    const wildcard = resources.filter((r) => r.includes("*"));
    if (wildcard.length > 0) problems.push(`on ${listed(wildcard.map((r) => `'${r}'`))}${s.notResources.length > 0 ? " (through NotResource)" : ""}`);
    const elsewhere = resources.filter((r) => !r.includes("*")).filter((r) => {
        const zone = zoneOf(r);
        return zone === undefined || (zones.length > 0 && !zones.includes(zone));
    });
    if (elsewhere.length > 0) problems.push(`on ${listed(elsewhere.map((r) => `'${r}'`))}, ${zones.length > 0 ? `not the configured zone${zones.length > 1 ? "s" : ""} ${listed(zones)}` : "which is not a hosted zone ARN"}`);
    if (recordTypes.length > 0) {
        const types = conditionValues(s, "ForAllValues:StringEquals", recordTypesKey) ?? conditionValues(s, "ForAllValues:StringLike", recordTypesKey);
        const extra = (types ?? []).filter((t) => !recordTypes.includes(t.toUpperCase()));
        if (types === undefined || types.length === 0) problems.push(`without the condition ForAllValues:StringEquals ${recordTypesKey} [${recordTypes.join(", ")}]`);
        else if (extra.length > 0) problems.push(`for record types ${listed(extra)} beyond ${recordTypes.join(", ")}`);
    }
    return problems;
}

/**
 * Route53 change permission only on the configured hosted zone, only for the record types
 * DNS-01 needs (TXT), never on `*`: cert-manager's documented minimum. The configured
 * zones are `hostedZoneIds` from the pack's configuration or, when that is empty, the zones
 * the stack itself uses (its issuers' `route53.hostedZoneID` and its records' `zoneId`).
 */
export const route53ChangeScoped: StackValidationPolicy = {
    name: "route53-change-scoped",
    description: "route53:ChangeResourceRecordSets is granted only on the configured hosted zone(s), for TXT records, never on '*'.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            hostedZoneIds: { type: "array", items: { type: "string" }, default: [], description: "The hosted zones change permission may name; empty: the zones the stack's issuers and records use." },
            recordTypes: { type: "array", items: { type: "string" }, default: ["TXT"], description: "The record types the change permission must be limited to by condition; empty: no condition required." },
        },
    },
    validateStack: (args, report) => {
        const config = args.getConfig<{ hostedZoneIds: string[]; recordTypes: string[] }>();
        const zones = config.hostedZoneIds.length > 0 ? config.hostedZoneIds : stackZones(args.resources);
        const recordTypes = config.recordTypes.map((t) => t.toUpperCase());
        for (const r of args.resources) {
            for (const { label, doc } of permissionDocuments(r.type, r.props as Json, r.name)) {
                if (!doc) continue;
                statementsOf(doc).forEach((s, i) => {
                    if (!allows(s, change)) return;
                    const problems = changeProblems(s, zones, recordTypes);
                    if (problems.length > 0) {
                        const target = zones.length > 0 ? `arn:aws:route53:::hostedzone/${zones[0] ?? ""}` : "arn:aws:route53:::hostedzone/<zone id>";
                        report(`${label} ${statementLabel(s, i)} grants ${change} ${problems.join(" and ")}; grant it on ${target} only, with ForAllValues:StringEquals ${recordTypesKey} [${(recordTypes.length > 0 ? recordTypes : ["TXT"]).join(", ")}].`, r.urn);
                    }
                });
            }
        }
    },
};

/** The OIDC issuer of a federated principal ARN (`arn:aws:iam::1:oidc-provider/oidc.eks...`). */
function oidcIssuer(principal: unknown): string | undefined {
    const federated = isRecord(principal) ? principal["Federated"] : undefined;
    const arn = typeof federated === "string" ? federated : Array.isArray(federated) && typeof federated[0] === "string" ? federated[0] : undefined;
    return arn ? /:oidc-provider\/(.+)$/.exec(arn)?.[1] : undefined;
}

/** True when a principal names Pod Identity's service. */
function isPodIdentity(principal: unknown): boolean {
    const service = isRecord(principal) ? principal["Service"] : undefined;
    return (typeof service === "string" ? [service] : Array.isArray(service) ? service : []).includes("pods.eks.amazonaws.com");
}

/** True when a principal admits anyone. */
function isAnyone(principal: unknown): boolean {
    if (principal === "*") return true;
    const aws = isRecord(principal) ? principal["AWS"] : undefined;
    return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

/** The single, exact value of a StringEquals condition key, or why there is none. */
function oneExact(s: Statement, key: string): { value?: string; problem?: string } {
    const values = conditionValues(s, "StringEquals", key);
    const like = conditionKeys(s, "StringLike").find((k) => k.toLowerCase() === key.toLowerCase());
    if (values === undefined || values.length === 0) return { problem: like ? `tests ${key} with StringLike instead of StringEquals` : `has no StringEquals condition on ${key}` };
    if (values.length > 1) return { problem: `admits ${values.length} values of ${key} (${listed(values)})` };
    if (/[*?]/.test(values[0] ?? "")) return { problem: `matches ${key} with a wildcard ('${values[0] ?? ""}')` };
    return { value: values[0] ?? "" };
}

/**
 * Every role that workloads assume is bound to one service account: an IRSA trust
 * (sts:AssumeRoleWithWebIdentity from the cluster's OIDC provider) pins `<issuer>:sub` to
 * exactly `system:serviceaccount:<namespace>:<name>` and `<issuer>:aud` to
 * sts.amazonaws.com; a Pod Identity trust pins `aws:RequestTag/kubernetes-namespace` and
 * `aws:RequestTag/kubernetes-service-account`. Without that, any pod of the cluster (or
 * any association in the account) can take cert-manager's DNS rights. No trust admits `*`.
 */
export const trustBoundToOneServiceAccount: ResourceValidationPolicy = {
    name: "trust-bound-to-one-service-account",
    description: "IRSA and Pod Identity role trust policies are bound to exactly one Kubernetes service account, and no trust admits '*'.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([roleType], (props, args, report) => {
        const doc = policyDocument(props["assumeRolePolicy"]);
        if (!doc) return;
        statementsOf(doc).forEach((s, i) => {
            if (s.effect !== "Allow") return;
            const label = `IAM role '${args.name}' trust ${statementLabel(s, i)}`;
            if (isAnyone(s.principal)) {
                report(`${label} admits any principal ('*'); name the cluster's OIDC provider (IRSA) or pods.eks.amazonaws.com (Pod Identity).`);
                return;
            }
            const issuer = oidcIssuer(s.principal);
            if (issuer && s.actions.some((a) => actionMatches(a, "sts:AssumeRoleWithWebIdentity"))) {
                const problems: string[] = [];
                const sub = oneExact(s, `${issuer}:sub`);
                if (sub.problem) problems.push(sub.problem);
                else if (!/^system:serviceaccount:[^:*]+:[^:*]+$/.test(sub.value ?? "")) problems.push(`pins ${issuer}:sub to '${sub.value ?? ""}', which is not system:serviceaccount:<namespace>:<name>`);
                const aud = conditionValues(s, "StringEquals", `${issuer}:aud`);
                if (!aud || aud.length !== 1 || aud[0] !== "sts.amazonaws.com") problems.push(`does not pin ${issuer}:aud to sts.amazonaws.com`);
                if (problems.length > 0) {
                    report(`${label} (IRSA) ${problems.join(" and ")}; bind it with StringEquals ${issuer}:sub = system:serviceaccount:<namespace>:<service account> and ${issuer}:aud = sts.amazonaws.com.`);
                }
                return;
            }
            if (isPodIdentity(s.principal)) {
                const problems = ["aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account"].map((k) => oneExact(s, k).problem).filter((p): p is string => p !== undefined);
                if (problems.length > 0) {
                    report(`${label} (EKS Pod Identity) ${problems.join(" and ")}; bind it with StringEquals aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account, one value each.`);
                }
            }
        });
    }),
};

const actionsKey = "route53:ChangeResourceRecordSetsActions";
const recordNamesKey = "route53:ChangeResourceRecordSetsNormalizedRecordNames";

/** The values a statement's condition gives a multivalued key, with StringEquals or StringLike (ForAllValues). */
function allValues(s: Statement, key: string): string[] | undefined {
    return conditionValues(s, "ForAllValues:StringEquals", key) ?? conditionValues(s, "ForAllValues:StringLike", key);
}

/**
 * Route53 changes are limited by condition to what DNS-01 does: UPSERT and DELETE
 * (`route53:ChangeResourceRecordSetsActions`) of `_acme-challenge` records
 * (`route53:ChangeResourceRecordSetsNormalizedRecordNames`), besides the TXT type that
 * route53-change-scoped checks. Without them a leaked cert-manager token can rewrite
 * any record of the zone (the hosts' A records included). Condition keys: AWS Service
 * Authorization Reference, "Actions, resources, and condition keys for Amazon Route 53".
 */
export const route53ChangeConditioned: ResourceValidationPolicy = {
    name: "route53-change-conditioned",
    description: "route53:ChangeResourceRecordSets is limited by condition to the UPSERT and DELETE actions and to _acme-challenge record names.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            actions: { type: "array", items: { type: "string" }, default: ["UPSERT", "DELETE"], description: "The change actions the condition may admit." },
            recordNamePrefix: { type: "string", default: "_acme-challenge.", description: "The prefix every record name the condition admits must have." },
        },
    },
    validateResource: forTypes(documentTypes, (props, args, report) => {
        const config = args.getConfig<{ actions: string[]; recordNamePrefix: string }>();
        const allowed = config.actions.map((a) => a.toUpperCase());
        const prefix = config.recordNamePrefix.toLowerCase();
        for (const { label, doc } of permissionDocuments(args.type, props, args.name)) {
            if (!doc) continue;
            statementsOf(doc).forEach((s, i) => {
                if (!allows(s, change)) return;
                const problems: string[] = [];
                const actions = allValues(s, actionsKey);
                if (actions === undefined || actions.length === 0) problems.push(`without a condition on ${actionsKey}`);
                else {
                    const extra = actions.filter((a) => !allowed.includes(a.toUpperCase()));
                    if (extra.length > 0) problems.push(`for the actions ${listed(extra)} beyond ${allowed.join(", ")}`);
                }
                const names = allValues(s, recordNamesKey);
                if (names === undefined || names.length === 0) problems.push(`without a condition on ${recordNamesKey}`);
                else {
                    const other = names.filter((n) => !n.toLowerCase().startsWith(prefix));
                    if (other.length > 0) problems.push(`for record names ${listed(other.map((n) => `'${n}'`))} that do not start with '${config.recordNamePrefix}'`);
                }
                if (problems.length > 0) {
                    report(
                        `${label} ${statementLabel(s, i)} grants ${change} ${problems.join(" and ")}; DNS-01 only upserts and deletes challenge records: add ForAllValues:StringEquals ${actionsKey} [${allowed.join(", ")}] and ${recordNamesKey} [${config.recordNamePrefix}<name>, ...].`,
                    );
                }
            });
        }
    }),
};

/** What a trust principal names besides a workload identity, for messages; undefined for IRSA and Pod Identity. */
function otherPrincipals(principal: unknown): string[] {
    if (!isRecord(principal)) return typeof principal === "string" ? [`'${principal}'`] : [];
    const list = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.map(String) : []);
    const found: string[] = [];
    for (const arn of list(principal["AWS"])) found.push(/:root$|^\d{12}$/.test(arn) ? `the account root ${arn}` : `the AWS principal ${arn}`);
    for (const service of list(principal["Service"]).filter((s) => s !== "pods.eks.amazonaws.com")) found.push(`the AWS service ${service}`);
    for (const federated of list(principal["Federated"]).filter((f) => !/:oidc-provider\//.test(f))) found.push(`the federated principal ${federated}`);
    for (const user of list(principal["CanonicalUser"])) found.push(`the canonical user ${user}`);
    return found;
}

/**
 * A role that a workload assumes (its trust has an IRSA or Pod Identity statement, as the
 * DNS-01 role's does) trusts nobody else: a statement added for an account root (anyone
 * in the account whose IAM policy allows sts:AssumeRole), another AWS service or another
 * identity provider hands the role's Route53 rights past the one service account that
 * trust-bound-to-one-service-account pins.
 */
export const workloadRoleTrustsOnlyWorkload: ResourceValidationPolicy = {
    name: "workload-role-trusts-only-workload",
    description: "A role assumed through IRSA or EKS Pod Identity has no other trust statement (no account root, AWS principal, other service or identity provider).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([roleType], (props, args, report) => {
        const doc = policyDocument(props["assumeRolePolicy"]);
        if (!doc) return;
        const statements = statementsOf(doc).filter((s) => s.effect === "Allow");
        const workload = statements.some((s) => oidcIssuer(s.principal) !== undefined || isPodIdentity(s.principal));
        if (!workload) return;
        statements.forEach((s, i) => {
            const others = isAnyone(s.principal) ? [] : otherPrincipals(s.principal);
            if (others.length > 0) {
                report(`IAM role '${args.name}' is assumed by a Kubernetes service account, but its trust ${statementLabel(s, i)} also admits ${listed(others)}; remove that statement: only the workload's identity (IRSA or EKS Pod Identity) may assume it.`);
            }
        });
    }),
};
