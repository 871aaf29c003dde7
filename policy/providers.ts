import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isBuiltin, isComponent } from "./helpers";

/**
 * Every resource names an explicit provider. Pulumi.yaml disables default providers;
 * this policy keeps a pull request from working around that (for example by removing the
 * setting), so nothing can be created on whatever cluster or account the ambient
 * kubeconfig and credentials point to.
 */
export const explicitProviders: ResourceValidationPolicy = {
    name: "explicit-providers",
    description: "Every resource is created through an explicit provider, never a default provider built from ambient credentials.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (isBuiltin(args.type) || isComponent(args.type)) return;
        const provider = args.provider;
        if (provider === undefined) {
            reportViolation(`${args.type} '${args.name}' has no explicit provider; pass the stack's provider (opts.provider, or a parent with opts.providers).`);
        } else if (provider.name.startsWith("default")) {
            reportViolation(`${args.type} '${args.name}' uses the default provider '${provider.name}'; pass the stack's explicit provider instead.`);
        }
    },
};
