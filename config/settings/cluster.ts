import { z } from "zod";
import { invalid, missing } from "../problems";
import { secretSetting, setting, type CrossRule, type Problem } from "../setting";
import { awsRegion, dnsLabel, stackName } from "../validators";

/**
 * The cluster a stack manages, how the program reaches it, and how the stacks of the
 * mesh find each other.
 */
export const clusterSettings = {
    role: setting<"primary" | "remote">({
        key: "role",
        area: "cluster",
        type: "string",
        description:
            "What this stack runs: `primary` (the Istio control plane and the remote-cluster secrets) or `remote` (Istio's remote profile, controlled by the primary). Read from config, never from the stack's name.",
        schema: z.enum(["primary", "remote"], { error: "expected 'primary' or 'remote'" }),
    }),
    clusterName: setting<string>({
        key: "clusterName",
        area: "cluster",
        type: "string",
        description:
            "This cluster's name in the mesh (`global.multiCluster.clusterName`); on a remote it also names the remote-cluster secret on the primary. A DNS label, unique in the mesh.",
        schema: dnsLabel,
    }),
    network: setting<string>({
        key: "network",
        area: "cluster",
        type: "string",
        description:
            "The network this cluster's pods are on (`topology.istio.io/network`, `global.network`). Clusters on different networks reach each other through east-west gateways.",
        schema: dnsLabel,
    }),
    kubeconfig: secretSetting({
        key: "kubeconfig",
        area: "cluster",
        description:
            "Kubeconfig of this cluster, set with `pulumi config set --secret kubeconfig < file`. Exactly one of `kubeconfig` and `kubeContext` is set.",
        schema: z.string(),
    }),
    kubeContext: setting<string>({
        key: "kubeContext",
        area: "cluster",
        type: "string",
        default: "",
        description:
            "Name of a context in the ambient kubeconfig (`$KUBECONFIG` or `~/.kube/config`) to use instead of `kubeconfig`. Empty: not used.",
        schema: z.string().regex(/^$|^[^\s]+$/, { error: "expected a kubeconfig context name without spaces" }),
    }),
    awsRegion: setting<string>({
        key: "awsRegion",
        area: "cluster",
        type: "string",
        default: "us-east-1",
        description:
            "AWS region of this stack's AWS provider (IAM is global; Route53 change polling and DNS-01 use this region).",
        schema: awsRegion,
    }),
    primaryStack: setting<string>({
        key: "primaryStack",
        area: "cluster",
        type: "string",
        default: "",
        description:
            "On a remote: the primary's fully qualified stack name (`<organization>/<project>/<stack>`), read through a stack reference. Empty on the primary.",
        schema: z.union([z.literal(""), stackName], {
            error: "expected a fully qualified stack name <organization>/<project>/<stack>, such as acme/mesh-ingress/primary",
        }),
    }),
    remoteStacks: setting<string[]>({
        key: "remoteStacks",
        area: "cluster",
        type: "array",
        items: "string",
        default: [],
        description:
            "On the primary: the fully qualified names of the remote stacks whose clusters it controls. A listed stack that has not been deployed yet is skipped with a warning.",
        schema: z.array(stackName, { error: "expected a list of fully qualified stack names" }),
    }),
    clusterDisposable: setting<boolean>({
        key: "clusterDisposable",
        area: "cluster",
        type: "boolean",
        default: false,
        description:
            "A throwaway cluster (CI, experiments): nothing is protected or retained, so `pulumi destroy` removes everything, the CRD-bearing releases (Istio `base`, cert-manager), the Gateway API CRDs and the namespaces with their Secrets included. Judge such a stack with the policy `crd-releases-protected` disabled. See the README, 'What is protected or retained'.",
        schema: z.boolean({ error: "expected true or false" }),
    }),
};

const projectOf = (name: string): string => name.split("/")[1] ?? "";
const stackOf = (name: string): string => name.split("/")[2] ?? "";

/** Rules across the cluster settings. */
export const clusterRules: readonly CrossRule[] = [
    {
        keys: ["kubeconfig", "kubeContext"],
        check: (v) => {
            const hasConfig = v["kubeconfig"] !== "";
            const hasContext = v["kubeContext"] !== "";
            if (hasConfig && hasContext) {
                return [invalid("kubeContext", v["kubeContext"], "expected to be empty when kubeconfig is set (set one of kubeconfig and kubeContext)")];
            }
            if (!hasConfig && !hasContext) {
                return [missing("kubeconfig", "set `pulumi config set --secret kubeconfig < file`, or name a context of the ambient kubeconfig with `pulumi config set kubeContext <context>`")];
            }
            return [];
        },
    },
    {
        keys: ["role", "primaryStack", "remoteStacks"],
        check: (v, context) => {
            const problems: Problem[] = [];
            const primaryStack = v["primaryStack"] as string;
            const remoteStacks = v["remoteStacks"] as string[];
            if (v["role"] === "remote") {
                if (primaryStack === "") {
                    problems.push(missing("primaryStack", "a remote reads the primary's outputs; set it to the primary's <organization>/<project>/<stack>"));
                } else if (projectOf(primaryStack) !== context.project) {
                    problems.push(invalid("primaryStack", primaryStack, `expected a stack of this project ('${context.project}'), such as acme/${context.project}/primary`));
                }
                if (remoteStacks.length > 0) {
                    problems.push(invalid("remoteStacks", remoteStacks, "expected an empty list on a remote (only the primary controls remote clusters)"));
                }
            } else {
                if (primaryStack !== "") {
                    problems.push(invalid("primaryStack", primaryStack, "expected to be empty on the primary (it is the stack the remotes reference)"));
                }
                const seen = new Set<string>();
                const byStackName = new Map<string, string>();
                remoteStacks.forEach((name, i) => {
                    if (seen.has(name)) problems.push(invalid(`remoteStacks[${i}]`, name, "expected each remote stack to be listed once"));
                    else if (byStackName.has(stackOf(name))) {
                        // Each remote's secret is keyed by its stack name (stacks/names.ts).
                        problems.push(invalid(`remoteStacks[${i}]`, name, `expected a stack name no other remote has ('${stackOf(name)}' is also ${byStackName.get(stackOf(name)) ?? ""})`));
                    }
                    seen.add(name);
                    if (!byStackName.has(stackOf(name))) byStackName.set(stackOf(name), name);
                    if (projectOf(name) !== context.project) {
                        problems.push(invalid(`remoteStacks[${i}]`, name, `expected a stack of this project ('${context.project}')`));
                    } else if (stackOf(name) === context.stack) {
                        problems.push(invalid(`remoteStacks[${i}]`, name, "expected another stack than this one (a primary cannot be its own remote)"));
                    }
                });
            }
            return problems;
        },
    },
];
