import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("mesh-ingress-guard", {
    description: "Keeps the multi-cluster ingress design safe: mesh, TLS, edge, DNS/IAM and Kubernetes rules.",
    enforcementLevel: "advisory",
    policies: [...policies],
});
