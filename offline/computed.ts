/**
 * What the mock engine answers where a real deployment would compute a value: the
 * fields a provider fills in after creating a resource (outside preview), and the
 * results of provider functions (invokes). Values are plausible, fixed and clearly
 * fake (account 123456789012, example hostnames), so plans are reproducible.
 */

/** The AWS account every offline answer pretends to run in. */
export const offlineAccountId = "123456789012";

type Inputs = Record<string, unknown>;

/** A placeholder in PEM armour, not a certificate. */
export const offlinePem = "-----BEGIN CERTIFICATE-----\nb2ZmbGluZSBwbGFjZWhvbGRlciwgbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

/** The hosted zone id a lookup by name answers offline. */
export const offlineHostedZoneId = "Z0OFFLINELOOKUP000001";

/** Canonical hosted zones of AWS load balancers, by type and region (as aws.lb.getHostedZoneId answers). */
export const elbCanonicalZones: Readonly<Record<"network" | "application", Readonly<Record<string, string>>>> = {
    network: {
        "us-east-1": "Z26RNL4JYFTOTI",
        "us-east-2": "ZLMOA37VPKANP",
        "us-west-1": "Z24FKFUX50B4VW",
        "us-west-2": "Z18D5FSROUN65G",
        "eu-west-1": "Z2IFOLAFXWLO4F",
    },
    application: {
        "us-east-1": "Z35SXDOTRQ7X7K",
        "us-west-2": "Z1H1FL5HABSF5",
        "eu-west-1": "Z32O12XQLNTSW2",
    },
};

/** Fields a provider would compute for a newly created resource of `type`. */
export function computedState(type: string, name: string, inputs: Inputs): Inputs {
    if (type.startsWith("aws:iam/")) {
        const kind = type.split("/")[1]?.split(":")[0] ?? "resource";
        const resourceName = typeof inputs["name"] === "string" ? inputs["name"] : name;
        return { arn: `arn:aws:iam::${offlineAccountId}:${kind}/${resourceName}`, name: resourceName };
    }
    if (type === "kubernetes:core/v1:Service") {
        return { status: { loadBalancer: { ingress: [{ hostname: `${name}-0123456789abcdef.elb.us-east-1.amazonaws.com` }] } } };
    }
    if (type === "kubernetes:gateway.networking.k8s.io/v1:Gateway") {
        // What istiod reports once the Gateway's load balancer has an address (waitFor condition=Programmed).
        const spec = inputs["spec"] as { addresses?: unknown } | undefined;
        const address = spec?.addresses === undefined ? { type: "Hostname", value: `${name}-istio-0123456789abcdef.elb.us-east-1.amazonaws.com` } : undefined;
        return { status: { addresses: address ? [address] : [], conditions: [{ type: "Accepted", status: "True" }, { type: "Programmed", status: "True" }] } };
    }
    if (type === "kubernetes:helm.sh/v3:Release") {
        const name_ = typeof inputs["name"] === "string" ? inputs["name"] : name;
        return { status: { name: name_, namespace: inputs["namespace"], chart: inputs["chart"], version: inputs["version"], status: "deployed", revision: 1 } };
    }
    if (type === "kubernetes:core/v1:Secret" && inputs["type"] === "kubernetes.io/service-account-token") {
        // What the token controller writes; a placeholder, not a token.
        return { data: { token: Buffer.from(`offline-token-${name}`).toString("base64"), "ca.crt": Buffer.from(offlinePem).toString("base64") } };
    }
    if (type === "kubernetes:core/v1:ConfigMap" && name.endsWith("ca-root-cert")) {
        // Read back from istio-ca-root-cert, which istiod writes once it runs.
        return { data: { "root-cert.pem": offlinePem } };
    }
    if (type.startsWith("random:index/")) {
        return { result: `${name}-x7k2`, hex: "5f3a9c1e" };
    }
    return {};
}

/** The result of provider function `token`; an unanswered token is an error to fix here. */
export function invokeAnswer(token: string, inputs: Inputs): Inputs {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: offlineAccountId, arn: `arn:aws:iam::${offlineAccountId}:user/offline`, userId: "AIDAOFFLINE", id: offlineAccountId };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getRegion:getRegion":
            return { name: inputs["name"] ?? "us-east-1", region: inputs["region"] ?? "us-east-1", id: "us-east-1" };
        case "aws:lb/getHostedZoneId:getHostedZoneId": {
            // The ELB service endpoints' canonical hosted zones (AWS general reference, "Elastic
            // Load Balancing endpoints and quotas"); the provider answers from the same table.
            const region = typeof inputs["region"] === "string" ? inputs["region"] : "us-east-1";
            const type = inputs["loadBalancerType"] === "network" ? "network" : "application";
            const zone = elbCanonicalZones[type][region];
            if (zone === undefined) throw new Error(`the offline engine knows no ${type} load balancer zone for ${region}; add it to offline/computed.ts`);
            return { id: zone, region, loadBalancerType: type };
        }
        case "aws:route53/getZone:getZone": {
            const name = typeof inputs["name"] === "string" ? inputs["name"] : "example.com";
            return { id: offlineHostedZoneId, zoneId: offlineHostedZoneId, name, arn: `arn:aws:route53:::hostedzone/${offlineHostedZoneId}`, privateZone: false, nameServers: [], resourceRecordSetCount: 2 };
        }
        default:
            throw new Error(`the offline engine has no answer for the provider function ${token}; add one to offline/computed.ts`);
    }
}

/**
 * What the offline plan shows for a manifest the program downloads and checks (the Gateway
 * API CRDs): no network here, so a comment that says what `pulumi up` applies, never the
 * manifest (the project does not copy upstream manifests).
 */
export function offlineManifest(url: string, sha256: string): Promise<string> {
    return Promise.resolve(`# Offline plan: pulumi preview and up download ${url}\n# and apply it only if its SHA-256 is ${sha256}.\n`);
}
