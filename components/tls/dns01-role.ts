import * as eks from "@pulumi/aws/eks";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** An IAM policy document. */
export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly Record<string, unknown>[];
}

/** How cert-manager gets AWS credentials for Route53. */
export type Dns01Credentials =
    | {
          readonly mode: "irsa";
          /** ARN of the cluster's IAM OIDC provider. */
          readonly oidcProviderArn: string;
      }
    | {
          readonly mode: "pod-identity";
          /** The EKS cluster the Pod Identity association belongs to. */
          readonly eksClusterName: string;
      }
    | {
          readonly mode: "static";
          /** The IAM user owning the access key; the policy is attached to it. */
          readonly iamUser: string;
      };

/** Arguments of {@link Dns01Role}. */
export interface Dns01RoleArgs {
    /** The Route53 hosted zone whose records cert-manager may change (its id, resolved). */
    hostedZoneId: pulumi.Input<string>;
    /** The `_acme-challenge` record names (normalized: lower case, no trailing dot) it may write. */
    challengeRecordNames: readonly string[];
    /** The credential mode. */
    credentials: Dns01Credentials;
    /** Namespace of cert-manager's service account. */
    serviceAccountNamespace: string;
    /** Name of cert-manager's service account. */
    serviceAccountName: string;
    /**
     * Prefix of the IAM names; a random suffix makes them unique per stack and account.
     * The names are chosen when the policy and role are created: IAM cannot rename them,
     * so a later change of the prefix (a renamed cluster) is ignored instead of replacing
     * the role under cert-manager.
     * @default "cert-manager-dns01"
     */
    namePrefix?: string;
}

const zoneArn = (partition: string, zoneId: string): string => `arn:${partition}:route53:::hostedzone/${zoneId}`;

/**
 * The least-privilege permissions of cert-manager's Route53 DNS-01 solver (cert-manager
 * docs, configuration/acme/dns01/route53): poll changes; list and change record sets of
 * the one hosted zone, where changes are limited to UPSERT/DELETE of TXT records at the
 * given `_acme-challenge` names. `ListHostedZonesByName` is never granted: the issuers
 * always carry the resolved hosted zone id.
 */
export function dns01PermissionPolicy(partition: string, hostedZoneId: string, challengeRecordNames: readonly string[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "PollChanges", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
            { Sid: "ListZoneRecords", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zoneArn(partition, hostedZoneId) },
            {
                Sid: "ChangeChallengeRecords",
                Effect: "Allow",
                Action: "route53:ChangeResourceRecordSets",
                Resource: zoneArn(partition, hostedZoneId),
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [...challengeRecordNames].sort(),
                    },
                },
            },
        ],
    };
}

/** The issuer (host and path) of an OIDC provider ARN: `oidc.eks.<region>.amazonaws.com/id/<id>`. */
export function oidcIssuer(oidcProviderArn: string): string {
    const issuer = oidcProviderArn.split(":oidc-provider/")[1];
    if (issuer === undefined || issuer === "") throw new Error(`not an OIDC provider ARN: ${oidcProviderArn}`);
    return issuer;
}

/** IRSA trust: only `system:serviceaccount:<namespace>:<name>` with audience `sts.amazonaws.com`, through the cluster's OIDC provider. */
export function irsaTrustPolicy(oidcProviderArn: string, namespace: string, serviceAccount: string): PolicyDocument {
    const issuer = oidcIssuer(oidcProviderArn);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CertManagerServiceAccountOnly",
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}

/**
 * EKS Pod Identity trust (EKS user guide, pod-id-role): the EKS auth service assumes the
 * role with session tags; the conditions bind it to this account, cluster, namespace and
 * service account.
 */
export function podIdentityTrustPolicy(accountId: string, eksClusterName: string, namespace: string, serviceAccount: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CertManagerServiceAccountOnly",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": accountId,
                        "aws:RequestTag/eks-cluster-name": eksClusterName,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": serviceAccount,
                    },
                },
            },
        ],
    };
}

/**
 * The AWS identity cert-manager uses for Route53 DNS-01: a managed policy with the
 * least-privilege permissions above, attached to an IAM role trusted through IRSA or EKS
 * Pod Identity (with the association), or, for clusters outside AWS, to the IAM user that
 * owns the static access key. IAM names carry a random suffix, unique per stack and account.
 */
export class Dns01Role extends pulumi.ComponentResource {
    /** The role's ARN (undefined in static mode, which uses the user's key). */
    public readonly roleArn: pulumi.Output<string> | undefined;
    /** The managed policy's ARN. */
    public readonly policyArn: pulumi.Output<string>;
    /** The permission policy document, as JSON. */
    public readonly policyDocument: pulumi.Output<string>;
    /** Resources that must exist before cert-manager's pods start (the Pod Identity association). */
    public readonly readyBeforePods: pulumi.Resource[];

    constructor(name: string, args: Dns01RoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:tls:Dns01Role", name, {}, opts);
        const prefix = (args.namePrefix ?? "cert-manager-dns01").slice(0, 50);
        const suffix = new random.RandomString(`${name}-suffix`, { length: 8, special: false, upper: false }, { parent: this });
        const iamName = pulumi.interpolate`${prefix}-${suffix.result}`;
        const partition = getPartitionOutput({}, { parent: this }).partition;

        this.policyDocument = pulumi
            .all([partition, args.hostedZoneId])
            .apply(([p, zone]) => JSON.stringify(dns01PermissionPolicy(p, zone, args.challengeRecordNames)));
        const policy = new iam.Policy(
            `${name}-policy`,
            { name: iamName, description: "cert-manager DNS-01: TXT _acme-challenge records of one hosted zone", policy: this.policyDocument },
            { parent: this, ignoreChanges: ["name"] },
        );
        this.policyArn = policy.arn;
        this.readyBeforePods = [];

        const creds = args.credentials;
        if (creds.mode === "static") {
            const attachment = new iam.UserPolicyAttachment(`${name}-user-policy`, { user: creds.iamUser, policyArn: policy.arn }, { parent: this });
            this.readyBeforePods.push(attachment);
            this.roleArn = undefined;
        } else {
            const trust =
                creds.mode === "irsa"
                    ? pulumi.output(JSON.stringify(irsaTrustPolicy(creds.oidcProviderArn, args.serviceAccountNamespace, args.serviceAccountName)))
                    : getCallerIdentityOutput({}, { parent: this }).accountId.apply((account) => JSON.stringify(podIdentityTrustPolicy(account, creds.eksClusterName, args.serviceAccountNamespace, args.serviceAccountName)));
            const role = new iam.Role(
                `${name}-role`,
                { name: iamName, description: `cert-manager (${args.serviceAccountNamespace}/${args.serviceAccountName}) solving DNS-01 in Route53`, assumeRolePolicy: trust },
                { parent: this, ignoreChanges: ["name"] },
            );
            const attachment = new iam.RolePolicyAttachment(`${name}-role-policy`, { role: role.name, policyArn: policy.arn }, { parent: this });
            this.readyBeforePods.push(attachment);
            if (creds.mode === "pod-identity") {
                this.readyBeforePods.push(
                    new eks.PodIdentityAssociation(
                        `${name}-pod-identity`,
                        { clusterName: creds.eksClusterName, namespace: args.serviceAccountNamespace, serviceAccount: args.serviceAccountName, roleArn: role.arn },
                        { parent: this },
                    ),
                );
            }
            this.roleArn = role.arn;
        }
        this.registerOutputs({ roleArn: this.roleArn, policyArn: this.policyArn });
    }
}
