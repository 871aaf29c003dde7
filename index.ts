import * as pulumi from "@pulumi/pulumi";
import { createClusterProviders } from "./components/providers";
import { loadSettings } from "./config/load";
import { primaryStack } from "./stacks/primary";
import { remoteStack } from "./stacks/remote";

/**
 * The program: read and validate the stack's settings, create its explicit providers,
 * build the stack for its role, and export what the other stacks of the mesh read.
 */
export = async (): Promise<Record<string, unknown>> => {
    const settings = loadSettings();
    const providers = createClusterProviders({
        clusterName: settings.clusterName,
        kubeconfig: settings.kubeconfig,
        kubeContext: settings.kubeContext,
        awsRegion: settings.awsRegion,
        awsTags: { [`${pulumi.getProject()}:stack`]: pulumi.getStack(), [`${pulumi.getProject()}:cluster`]: settings.clusterName },
    });
    return settings.role === "primary" ? primaryStack(settings, providers) : remoteStack(settings, providers);
};
