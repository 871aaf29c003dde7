import { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Arguments of {@link createClusterProviders}. */
export interface ClusterProvidersArgs {
    /**
     * The cluster's name. The providers' names do not contain it (renaming the cluster must
     * not replace every resource); it names the aliases that keep the providers of stacks
     * deployed before that change.
     */
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
    readonly aws: AwsProvider;
    /** The random provider (stable name suffixes). */
    readonly random: random.Provider;
}

/** The logical names of the providers, the same in every stack. */
export const providerNames = { kubernetes: "kubernetes", aws: "aws", random: "random" } as const;

/**
 * The name this program gave a provider before names stopped containing the cluster's
 * name (`cluster1-kubernetes`): the alias that lets a stack deployed then keep its
 * provider, and so every resource created through it.
 */
export function legacyProviderName(clusterName: string, provider: keyof typeof providerNames): string {
    return `${clusterName}-${provider}`;
}

/** Creates the stack's providers. Their names are constant: a renamed cluster updates them in place. */
export function createClusterProviders(args: ClusterProvidersArgs): ClusterProviders {
    const aliased = (provider: keyof typeof providerNames): pulumi.CustomResourceOptions => ({ aliases: [{ name: legacyProviderName(args.clusterName, provider) }] });
    const kubernetes = new k8s.Provider(
        providerNames.kubernetes,
        args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : { context: args.kubeContext },
        aliased("kubernetes"),
    );
    const awsProvider = new AwsProvider(
        providerNames.aws,
        {
            region: args.awsRegion,
            defaultTags: { tags: args.awsTags },
        },
        aliased("aws"),
    );
    const randomProvider = new random.Provider(providerNames.random, {}, aliased("random"));
    return { kubernetes, aws: awsProvider, random: randomProvider };
}
