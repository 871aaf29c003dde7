import { stringify } from "yaml";
import { gatewayObject } from "../../components/edge/gateway-api-objects";
import { routeGroups } from "../../components/edge/routing";
import { awsProvider, kubernetesProvider, urnOf, type ResourceArgs } from "./support";

/**
 * A correct design, resource by resource, in the upstream shapes the components create
 * (Helm release inputs, Kubernetes objects, custom resources, AWS IAM and Route53): what
 * the pack must accept without a single finding. Each policy's tests start from these and
 * break one thing.
 */

export const T = {
    release: "kubernetes:helm.sh/v3:Release",
    namespace: "kubernetes:core/v1:Namespace",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    deployment: "kubernetes:apps/v1:Deployment",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    gateway: "kubernetes:networking.istio.io/v1:Gateway",
    virtualService: "kubernetes:networking.istio.io/v1:VirtualService",
    clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
    issuer: "kubernetes:cert-manager.io/v1:Issuer",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    role: "aws:iam/role:Role",
    policy: "aws:iam/policy:Policy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    record: "aws:route53/record:Record",
} as const;

export const istioRepo = "https://istio-release.storage.googleapis.com/charts";
export const zoneId = "Z0123456789ABCDEFGHIJ";
export const oidc = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

const k8s = (type: string, name: string, props: Record<string, unknown>, extra: Partial<ResourceArgs> = {}): ResourceArgs => ({ type, name, props, provider: kubernetesProvider, ...extra });
const aws = (type: string, name: string, props: Record<string, unknown>, extra: Partial<ResourceArgs> = {}): ResourceArgs => ({ type, name, props, provider: awsProvider, ...extra });

/** A deep copy with `change` applied (tests break one thing at a time). */
export function changed(r: ResourceArgs, change: (props: any) => unknown): ResourceArgs {
    const props = structuredClone(r.props);
    change(props);
    return { ...r, props };
}

export const nlbAnnotations = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
};

/** A remote-cluster kubeconfig as istioctl create-remote-secret writes it. */
export function remoteKubeconfig(cluster: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: cluster, cluster: { server: "https://203.0.113.10:6443", "certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" } }],
        contexts: [{ name: cluster, context: { cluster, user: cluster } }],
        "current-context": cluster,
        users: [{ name: cluster, user: { token: "eyJhbGciOiJSUzI1NiJ9.reader-token" } }],
        preferences: {},
    });
}

export const istioNamespace = k8s(T.namespace, "istio-system", { metadata: { name: "istio-system", labels: { "topology.istio.io/network": "network1" } } });

/** Releases whose charts install CRDs are protected (policy crd-releases-protected). */
const protect = { options: { protect: true } } as const;

export const base = k8s(T.release, "istio-base", { chart: "base", version: "1.30.3", repositoryOpts: { repo: istioRepo }, namespace: "istio-system", values: { global: { externalIstiod: true } } }, protect);

export const istiod = k8s(T.release, "istiod", {
    name: "istiod",
    chart: "istiod",
    version: "1.30.3",
    repositoryOpts: { repo: istioRepo },
    namespace: "istio-system",
    values: {
        global: { meshID: "mesh1", multiCluster: { clusterName: "cluster1" }, network: "network1", externalIstiod: true },
        autoscaleEnabled: true,
        autoscaleMin: 3,
        autoscaleMax: 5,
        rollingMaxSurge: 0,
        rollingMaxUnavailable: 1,
        pdb: { minAvailable: 2 },
        resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "istiod" } }, topologyKey: "kubernetes.io/hostname" }] } },
    },
});

export function eastWestGateway(network: string): ResourceArgs {
    return k8s(T.release, "istio-eastwestgateway", {
        name: "istio-eastwestgateway",
        chart: "gateway",
        version: "1.30.3",
        repositoryOpts: { repo: istioRepo },
        namespace: "istio-system",
        values: {
            networkGateway: network,
            labels: { istio: "eastwestgateway", app: "istio-eastwestgateway", "topology.istio.io/network": network },
            service: { type: "LoadBalancer", annotations: { ...nlbAnnotations, "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }, externalTrafficPolicy: "Local" },
            autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
            podDisruptionBudget: { minAvailable: 1 },
        },
    });
}

export const crossNetworkGateway = k8s(T.gateway, "cross-network-gateway", {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "cross-network-gateway", namespace: "istio-system" },
    spec: { selector: { istio: "eastwestgateway" }, servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["*.local"] }] },
});

export const istiodGateway = k8s(T.gateway, "istiod-gateway", {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "istiod-gateway", namespace: "istio-system" },
    spec: {
        selector: { istio: "eastwestgateway" },
        servers: [
            { port: { name: "tls-istiod", number: 15012, protocol: "tls" }, tls: { mode: "PASSTHROUGH" }, hosts: ["*"] },
            { port: { name: "tls-istiodwebhook", number: 15017, protocol: "tls" }, tls: { mode: "PASSTHROUGH" }, hosts: ["*"] },
        ],
    },
});

export const istiodVirtualService = k8s(T.virtualService, "istiod-vs", {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "istiod-vs", namespace: "istio-system" },
    spec: {
        hosts: ["*"],
        gateways: ["istiod-gateway"],
        tls: [
            { match: [{ port: 15012, sniHosts: ["*"] }], route: [{ destination: { host: "istiod.istio-system.svc.cluster.local", port: { number: 15012 } } }] },
            { match: [{ port: 15017, sniHosts: ["*"] }], route: [{ destination: { host: "istiod.istio-system.svc.cluster.local", port: { number: 443 } } }] },
        ],
    },
});

export const remoteSecret = k8s(T.secret, "istio-remote-secret-cluster2", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
        name: "istio-remote-secret-cluster2",
        namespace: "istio-system",
        labels: { "istio/multiCluster": "true" },
        annotations: { "networking.istio.io/cluster": "cluster2" },
    },
    stringData: { cluster2: remoteKubeconfig("cluster2") },
});

const resources = (cpu: string, memory: string, limit: string) => ({ requests: { cpu, memory }, limits: { memory: limit } });

export const certManager = k8s(T.release, "cert-manager", {
    name: "cert-manager",
    chart: "oci://quay.io/jetstack/charts/cert-manager",
    version: "v1.21.1",
    namespace: "cert-manager",
    values: {
        crds: { enabled: true },
        serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/cluster1-cert-manager" } },
        resources: resources("50m", "128Mi", "256Mi"),
        webhook: { resources: resources("20m", "64Mi", "128Mi") },
        cainjector: { resources: resources("20m", "128Mi", "256Mi") },
        startupapicheck: { resources: resources("10m", "32Mi", "64Mi") },
    },
}, protect);

export const certManagerRole = aws(T.role, "cluster1-cert-manager", {
    name: "cluster1-cert-manager",
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${oidc}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${oidc}:sub`]: "system:serviceaccount:cert-manager:cert-manager", [`${oidc}:aud`]: "sts.amazonaws.com" } },
            },
        ],
    }),
});

export const certManagerPolicy = aws(T.rolePolicy, "cluster1-cert-manager-route53", {
    role: "cluster1-cert-manager",
    policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "GetChange", Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
            {
                Sid: "ChangeTxtRecords",
                Effect: "Allow",
                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
                Resource: `arn:aws:route53:::hostedzone/${zoneId}`,
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.example.com"],
                    },
                },
            },
        ],
    }),
});

export const clusterIssuer = k8s(T.clusterIssuer, "letsencrypt", {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: "letsencrypt", annotations: { "pulumi.com/waitFor": "condition=Ready" } },
    spec: {
        acme: {
            server: "https://acme-staging-v02.api.letsencrypt.org/directory",
            email: "platform@example.com",
            privateKeySecretRef: { name: "letsencrypt-account" },
            solvers: [{ selector: { dnsZones: ["example.com"] }, dns01: { route53: { region: "us-east-1", hostedZoneID: zoneId } } }],
        },
    },
});

export const wildcardCertificate = k8s(T.certificate, "wildcard-example", {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "wildcard-example", namespace: "edge", annotations: { "pulumi.com/waitFor": "condition=Ready" } },
    spec: { secretName: "wildcard-example-tls", dnsNames: ["*.example.com", "example.com"], issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" } },
});

export const ingressNginx = k8s(T.release, "ingress-nginx", {
    name: "ingress-nginx",
    chart: "ingress-nginx",
    version: "4.15.1",
    repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" },
    namespace: "ingress-nginx",
    values: {
        controller: {
            allowSnippetAnnotations: false,
            config: { hsts: "true", "hsts-max-age": "31536000", "hsts-include-subdomains": "true" },
            resources: resources("200m", "256Mi", "512Mi"),
            autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
            service: { annotations: { ...nlbAnnotations, "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true" }, externalTrafficPolicy: "Local" },
            admissionWebhooks: { createSecretJob: { resources: resources("10m", "32Mi", "64Mi") }, patchWebhookJob: { resources: resources("10m", "32Mi", "64Mi") } },
        },
    },
});

export const portalIngress = k8s(T.ingress, "portal", {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "portal", namespace: "edge", annotations: { "nginx.ingress.kubernetes.io/limit-rps": "10", "nginx.ingress.kubernetes.io/limit-connections": "20" } },
    spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["portal.example.com", "api.example.com"], secretName: "wildcard-example-tls" }],
        rules: [
            { host: "portal.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "portal", port: { number: 80 } } } }] } },
            { host: "api.example.com", http: { paths: [{ path: "/v1", pathType: "Prefix", backend: { service: { name: "api-v1", port: { number: 80 } } } }] } },
        ],
    },
});

/** The NetworkPolicy that admits the controller's admission webhook from the API server's addresses only (CVE-2025-1974). */
export const edgeNetworkPolicy = k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", "ingress-nginx-controller", {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "ingress-nginx-controller", namespace: "ingress-nginx" },
    spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
        policyTypes: ["Ingress"],
        ingress: [
            { ports: [{ protocol: "TCP", port: 80 }, { protocol: "TCP", port: 443 }] },
            { from: [{ ipBlock: { cidr: "10.0.0.0/20" } }], ports: [{ protocol: "TCP", port: 8443 }] },
        ],
    },
});

/** The controller's Service, read back after the chart installed it (Service.get: no inputs but its id). */
export const edgeService = k8s(T.service, "ingress-nginx-controller", {}, { dependencies: [urnOf(T.release, "ingress-nginx")] });

export const portalRecord = aws(T.record, "portal.example.com", { zoneId, name: "portal.example.com", type: "CNAME", ttl: 300, records: ["k8s-ingressn-ingressn-0123456789.elb.us-east-1.amazonaws.com"] }, { dependencies: [urnOf(T.service, "ingress-nginx-controller")] });

/** A correct primary stack. */
export function primaryStack(): ResourceArgs[] {
    return [
        istioNamespace,
        base,
        istiod,
        eastWestGateway("network1"),
        crossNetworkGateway,
        istiodGateway,
        istiodVirtualService,
        remoteSecret,
        certManager,
        certManagerRole,
        certManagerPolicy,
        clusterIssuer,
        wildcardCertificate,
        ingressNginx,
        edgeNetworkPolicy,
        portalIngress,
        edgeService,
        portalRecord,
    ];
}

/** A correct remote stack (Istio's remote profile, its own gateway). */
export function remoteStack(): ResourceArgs[] {
    return [
        k8s(T.namespace, "istio-system", { metadata: { name: "istio-system", labels: { "topology.istio.io/network": "network2" }, annotations: { "topology.istio.io/controlPlaneClusters": "cluster1" } } }),
        k8s(T.release, "istio-base", { chart: "base", version: "1.30.3", repositoryOpts: { repo: istioRepo }, namespace: "istio-system", values: { profile: "remote" } }, protect),
        k8s(T.release, "istiod", {
            chart: "istiod",
            version: "1.30.3",
            repositoryOpts: { repo: istioRepo },
            namespace: "istio-system",
            values: {
                profile: "remote",
                global: { multiCluster: { clusterName: "cluster2" }, network: "network2", configCluster: true, remotePilotAddress: "istiod.mesh.example.com" },
                istiodRemote: { injectionPath: "/inject/cluster/cluster2/net/network2" },
            },
        }),
        eastWestGateway("network2"),
        crossNetworkGateway,
    ];
}

/** The article's design, as a stack built from it would declare it: every mistake the pack exists to catch. */
export function articleDesign(): ResourceArgs[] {
    return [
        k8s(T.service, "legacy-edge", { metadata: { name: "legacy-edge", namespace: "edge" }, spec: { type: "NodePort", ports: [{ port: 443, nodePort: 30443 }] } }),
        changed(istiod, (p) => (p.values = { global: p.values.global, pilot: { replicaCount: 3, env: { EXTERNAL_ISTIOD: true } } })),
        changed(crossNetworkGateway, (p) => (p.spec.servers[0].tls.mode = "ISTIO_MUTUAL")),
        k8s(T.secret, "cluster2-secret", {
            metadata: { name: "cluster2-secret", namespace: "istio-system", labels: { "istio/cluster": "cluster2" } },
            data: { cluster2: Buffer.from(remoteKubeconfig("cluster2")).toString("base64") },
        }),
        changed(clusterIssuer, (p) => {
            p.spec.acme.server = "https://acme-v02.api.letsencrypt.org/directory";
            p.spec.acme.solvers[0].dns01.route53.accessKeyID = "AKIAIOSFODNN7EXAMPLE";
        }),
        changed(wildcardCertificate, (p) => (p.metadata.namespace = "shared-certs")),
        changed(portalIngress, (p) => (p.metadata.annotations = { "nginx.ingress.kubernetes.io/server-snippet": "add_header Strict-Transport-Security max-age=31536000;", "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/8" })),
        aws(T.record, "portal.example.com", { zoneId, name: "portal.example.com", type: "A", ttl: 300, records: ["203.0.113.10"] }),
    ];
}

/**
 * Route groups of one allowlisted host, secure.example.com (profile internal, 10.0.0.0/8): '/'
 * inherits the allowlist, '/upload' has a profile of its own, '/status' is public.
 */
export const secureHostGroups = routeGroups({
    hosts: [
        {
            host: "secure.example.com",
            namespace: "secure",
            profile: "internal",
            paths: [
                { path: "/", service: "secure", port: 80 },
                { path: "/upload", service: "secure", port: 80, profile: "upload" },
                { path: "/status", service: "secure", port: 80, public: true },
            ],
        },
    ],
    profiles: [
        { name: "internal", allowlist: ["10.0.0.0/8"], rps: 10 },
        { name: "upload", rps: 1 },
    ],
    certificates: [{ name: "example-com", dnsNames: ["*.example.com"] }],
    edgeNamespace: "ingress-nginx",
});

/**
 * The program's Gateway `istio-ingress/edge` without hosts, as the Gateway API edge builds it
 * (a fresh copy each time), its load balancer Service annotated with `serviceAnnotations`.
 */
export const bareGatewayProps = (serviceAnnotations: Record<string, string> = {}): any =>
    gatewayObject({
        namespace: "istio-ingress",
        loadBalancer: "aws-nlb",
        serviceAnnotations,
        autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 },
        resources: { cpuRequest: "1", memoryRequest: "1Gi", cpuLimit: "1", memoryLimit: "1Gi" },
        hosts: [],
    });
