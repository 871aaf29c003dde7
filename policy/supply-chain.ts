import type { ResourceValidationPolicy } from "@pulumi/policy";
import { releaseType } from "./charts";
import { forTypes, stringAt } from "./helpers";

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
    validateResource: forTypes([releaseType], (release, args, reportViolation) => {
        const version = release["version"];
        const chart = stringAt(release, "chart") ?? "";
        if (typeof version !== "string" || !exactVersion.test(version)) {
            reportViolation(`Helm release '${args.name}' (chart ${chart}) has version ${JSON.stringify(version ?? null)}; pin an exact version such as 1.30.3.`);
        }
        const repo = stringAt(release, "repositoryOpts.repo");
        if (chart.startsWith("oci://") || chart.startsWith("https://")) return;
        if (typeof repo !== "string" || !/^(https|oci):\/\//.test(repo)) {
            reportViolation(`Helm release '${args.name}' takes chart '${chart}' from ${repo === undefined ? "no repository" : `'${String(repo)}'`}; use an https:// repository or an oci:// chart reference.`);
        }
    }),
};
