import * as pulumi from "@pulumi/pulumi";
import { createClusterProviders } from "./components/providers";
import { loadSettings, secretConfigTexts } from "./config/load";
import { keepConfigSecrets, markSecrets, withSecretsHidden } from "./stacks/config-secrets";
import { primaryStack } from "./stacks/primary";
import { remoteStack } from "./stacks/remote";

/**
 * The program: read and validate the stack's settings, keep every `secure:` value secret
 * wherever it flows, create its explicit providers, build the stack for its role, and
 * export what the other stacks of the mesh read.
 */
export = async (): Promise<Record<string, unknown>> => {
    const settings = loadSettings();
    const secrets = secretConfigTexts();
    keepConfigSecrets(secrets);
    try {
        const providers = createClusterProviders({
            clusterName: settings.clusterName,
            kubeconfig: settings.kubeconfig,
            kubeContext: settings.kubeContext,
            awsRegion: settings.awsRegion,
            awsTags: { [`${pulumi.getProject()}:stack`]: pulumi.getStack(), [`${pulumi.getProject()}:cluster`]: settings.clusterName },
        });
        const outputs = await (settings.role === "primary" ? primaryStack(settings, providers) : remoteStack(settings, providers));
        return markSecrets(outputs, secrets) as Record<string, unknown>;
    } catch (e) {
        throw withSecretsHidden(e, secrets);
    }
};
