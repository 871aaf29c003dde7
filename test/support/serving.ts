import { primary } from "./config-source";

/**
 * A primary that serves hosts and loads as it is: one host under a wildcard certificate of
 * the edge namespace, with everything a stack that serves domains needs (ACME account,
 * DNS-01 credentials, hosted zone, the NGINX admission webhook's sources). Specs of one
 * rule override the settings the rule reads.
 */

/** A host of namespace `namespace` with one path to `web:80`. */
export function host(name: string, namespace = "apps", extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
    return { host: name, namespace, paths: [{ path: "/", service: "web", port: 80 }], ...extra };
}

/** A primary serving app.example.com through the NGINX edge, under *.example.com. */
export const servingPrimary: Readonly<Record<string, unknown>> = {
    ...primary,
    acmeEmail: "ops@example.com",
    dns01OidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
    dnsHostedZoneName: "example.com",
    edgeAdmissionWebhookSources: ["10.0.0.0/16"],
    tlsCertificates: [{ name: "wildcard", dnsNames: ["*.example.com"] }],
    edgeHosts: [host("app.example.com")],
};

/** The same primary on the Gateway API edge (no admission webhook, the CRD manifest's digest pinned). */
export const gatewayPrimary: Readonly<Record<string, unknown>> = {
    ...servingPrimary,
    edgeImplementation: "gateway-api",
    edgeAdmissionWebhookSources: [],
    gatewayApiCrdsSha256: "751002b3b91a87f7ae3bd2517c79a47a8d7ed6702901808a1cf9bd97d284f9b8",
};
