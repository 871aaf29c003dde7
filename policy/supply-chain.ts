import * as k8s from "@pulumi/kubernetes";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

const exactVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Every Helm release is pinned: an exact chart version from an https or oci repository.
 * A range, `latest` or an empty version changes what a stack deploys without a change in
 * the repository; plain http lets a network attacker swap the chart.
 */
export const helmReleasePinned: ResourceValidationPolicy = {
    name: "helm-release-pinned",
    description: "Every Helm release installs an exact chart version from an https:// or oci:// repository.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, args, reportViolation) => {
        const version = release.version;
        if (typeof version !== "string" || !exactVersion.test(version)) {
            reportViolation(`Helm release '${args.name}' (chart ${String(release.chart)}) has version ${JSON.stringify(version ?? null)}; pin an exact version such as 1.30.3.`);
        }
        const chart = String(release.chart);
        const repo = release.repositoryOpts?.repo;
        if (chart.startsWith("oci://")) return;
        if (typeof repo !== "string" || !/^(https|oci):\/\//.test(repo)) {
            reportViolation(`Helm release '${args.name}' takes chart '${chart}' from ${repo === undefined ? "no repository" : `'${String(repo)}'`}; use an https:// repository or an oci:// chart reference.`);
        }
    }),
};
