import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Arguments of {@link createClusterProviders}. */
export interface ClusterProvidersArgs {
    /** The cluster's name; the providers' names derive from it. */
    clusterName: string;
    /** The cluster's kubeconfig, as a secret. Exactly one of `kubeconfig` and `kubeContext`. */
    kubeconfig?: pulumi.Output<string>;
    /** A context of the ambient kubeconfig. Exactly one of `kubeconfig` and `kubeContext`. */
    kubeContext?: string;
    /** Region of the AWS provider. */
    awsRegion: string;
    /** Tags every AWS resource of the stack carries. */
    awsTags: Record<string, string>;
}

/**
 * The explicit providers of one stack. Pulumi.yaml disables every default provider, so
 * each resource names one of these and nothing can land on whatever cluster or account
 * the ambient credentials point to.
 */
export interface ClusterProviders {
    /** The Kubernetes provider of this stack's cluster. */
    readonly kubernetes: k8s.Provider;
    /** The AWS provider (IAM, Route53). */
    readonly aws: aws.Provider;
    /** The random provider (stable name suffixes). */
    readonly random: random.Provider;
}

/** Creates the stack's providers, named after its cluster. */
export function createClusterProviders(args: ClusterProvidersArgs): ClusterProviders {
    const kubernetes = new k8s.Provider(
        `${args.clusterName}-kubernetes`,
        args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : { context: args.kubeContext },
    );
    const awsProvider = new aws.Provider(`${args.clusterName}-aws`, {
        region: args.awsRegion as aws.Region,
        defaultTags: { tags: args.awsTags },
    });
    const randomProvider = new random.Provider(`${args.clusterName}-random`);
    return { kubernetes, aws: awsProvider, random: randomProvider };
}
