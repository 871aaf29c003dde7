import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { acmeEnvironmentAnnotation, issuerName, waitForAnnotation, type AcmeEnvironment } from "./cert-manager";

/** One certificate to issue. */
export interface CertificateRequest {
    /** The Certificate's name; its Secret is `<name>-tls`. */
    readonly name: string;
    /** The identifiers (DNS names, wildcards one level deep). */
    readonly dnsNames: readonly string[];
    /** The namespace of the Certificate and its Secret. */
    readonly namespace: pulumi.Input<string>;
    /** The Let's Encrypt environment (ClusterIssuer) that issues it. */
    readonly environment: AcmeEnvironment;
}

/** Arguments of {@link Certificates}. */
export interface CertificatesArgs {
    /** The certificates. */
    certificates: readonly CertificateRequest[];
    /** The ClusterIssuers (they must exist before a Certificate references them). */
    issuers: readonly pulumi.Resource[];
    /**
     * How long `pulumi up` waits for a certificate to become Ready (DNS-01 waits for the
     * TXT record to propagate before Let's Encrypt validates it).
     * @default "20m"
     */
    readyTimeout?: string;
}

/** The Secret a Certificate writes. */
export function certificateSecretName(name: string): string {
    return `${name}-tls`;
}

/**
 * A cert-manager Certificate. It carries `pulumi.com/waitFor: condition=Ready`, so
 * `pulumi up` waits for issuance and fails when it fails, instead of reporting success
 * with a missing Secret, and the Let's Encrypt environment the stack chose for it
 * (`mesh-ingress.io/acme-environment`), which the policy pack checks against its issuer.
 */
export function certificateObject(request: CertificateRequest): Record<string, unknown> {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: {
            name: request.name,
            namespace: request.namespace,
            annotations: { [waitForAnnotation]: "condition=Ready", [acmeEnvironmentAnnotation]: request.environment },
        },
        spec: {
            secretName: certificateSecretName(request.name),
            dnsNames: [...request.dnsNames],
            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: issuerName(request.environment) },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
    };
}

/** The stack's Certificates, each issued once in the mesh, each awaited until Ready. */
export class Certificates extends pulumi.ComponentResource {
    /** The Certificate resources, by name. */
    public readonly certificates: Readonly<Record<string, k8s.apiextensions.CustomResource>>;

    constructor(name: string, args: CertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:tls:Certificates", name, {}, opts);
        const certificates: Record<string, k8s.apiextensions.CustomResource> = {};
        for (const request of args.certificates) {
            certificates[request.name] = new k8s.apiextensions.CustomResource(
                `${name}-${request.name}`,
                certificateObject(request) as k8s.apiextensions.CustomResourceArgs,
                { parent: this, dependsOn: [...args.issuers], customTimeouts: { create: args.readyTimeout ?? "20m", update: args.readyTimeout ?? "20m" } },
            );
        }
        this.certificates = certificates;
        this.registerOutputs({ certificates: Object.keys(certificates) });
    }
}
