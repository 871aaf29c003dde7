import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

/** What a remote cluster's kubeconfig is made of. */
export interface RemoteKubeconfigParts {
    /** The remote's cluster name: the kubeconfig's cluster, context and user are all named so. */
    readonly name: string;
    /** The remote's API server URL. */
    readonly server: string;
    /** The remote's cluster CA, base64-encoded PEM (`certificate-authority-data`). */
    readonly caData: string;
    /** The bearer token of the remote's `istio-reader-service-account`. */
    readonly token: string;
}

/**
 * The kubeconfig of a remote secret, as `istioctl create-remote-secret` writes it: one
 * cluster, one context and one user, all named after the remote cluster, the cluster's CA
 * data and the reader's bearer token.
 */
export function remoteKubeconfig(p: RemoteKubeconfigParts): string {
    return stringify(
        {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: p.name, cluster: { server: p.server, "certificate-authority-data": p.caData } }],
            contexts: [{ name: p.name, context: { cluster: p.name, user: p.name } }],
            "current-context": p.name,
            preferences: {},
            users: [{ name: p.name, user: { token: p.token } }],
        },
        { lineWidth: 0 },
    );
}

/** The remote secret's name for a cluster. */
export function remoteSecretName(clusterName: string): string {
    return `istio-remote-secret-${clusterName}`;
}

/** Arguments of {@link RemoteClusterSecret}. */
export interface RemoteClusterSecretArgs {
    /** The remote's cluster name (`global.multiCluster.clusterName` there). */
    readonly clusterName: string;
    /** The primary's `istio-system` namespace. */
    readonly namespace: pulumi.Input<string>;
    /** The remote's API server URL (a secret). */
    readonly server: pulumi.Output<string>;
    /** The remote's CA data (a secret). */
    readonly caData: pulumi.Output<string>;
    /** The reader token (a secret). */
    readonly token: pulumi.Output<string>;
}

/**
 * The secret that attaches a remote cluster to the primary's istiod: Secret
 * `istio-remote-secret-<name>` in `istio-system`, labelled `istio/multiCluster: "true"`,
 * annotated `networking.istio.io/cluster: <name>`, holding the remote's kubeconfig under
 * the key `<name>`. The kubeconfig is built inside one `apply` over the secret inputs, so
 * it stays a secret end to end.
 */
export class RemoteClusterSecret extends pulumi.ComponentResource {
    /** The Secret. */
    public readonly secret: k8s.core.v1.Secret;
    /** The kubeconfig it holds, as a secret. */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: RemoteClusterSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:mesh:RemoteClusterSecret", name, {}, opts);

        this.kubeconfig = pulumi.secret(
            pulumi.all([args.server, args.caData, args.token]).apply(([server, caData, token]) => remoteKubeconfig({ name: args.clusterName, server, caData, token })),
        );
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: remoteSecretName(args.clusterName),
                    namespace: args.namespace,
                    labels: { "istio/multiCluster": "true" },
                    annotations: { "networking.istio.io/cluster": args.clusterName },
                },
                type: "Opaque",
                stringData: { [args.clusterName]: this.kubeconfig },
            },
            { parent: this },
        );
        this.registerOutputs({ secretName: this.secret.metadata.name });
    }
}
