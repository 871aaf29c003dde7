import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { heldNamespaceOptions, type Disposable } from "../lifecycle";
import { awaitedRelease, releaseTimeouts } from "../release-bounds";
import { loadBalancerReady } from "../mesh/east-west-gateway";
import { awsNlbEdgeAnnotations } from "../../policy/load-balancers";
import { ingressClassName } from "./routes";

/** The one warning the program gives when it deploys ingress-nginx. */
export const retirementWarning =
    "ingress-nginx is retired (Kubernetes SIG Network, March 2026): chart 4.15.1 / controller v1.15.1 is the final release and no security fixes will follow. " +
    "This stack still deploys it because the architecture's users run it; plan the move to a Gateway API edge (see the README, 'ingress-nginx is retired').";

/** Annotations that make the AWS Load Balancer Controller create an internet-facing NLB with IP targets (policy/load-balancers.ts). */
export const awsNlbAnnotations: Readonly<Record<string, string>> = awsNlbEdgeAnnotations;

/** The release's name; the chart names the controller Deployment `<name>-controller`. */
export const releaseName = "ingress-nginx";
/** The controller Deployment (and this program's LoadBalancer Service) name. */
export const controllerName = `${releaseName}-controller`;
/** Labels the chart puts on the controller pods (selector labels plus the component). */
export const controllerPodLabels: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": "ingress-nginx",
    "app.kubernetes.io/instance": releaseName,
    "app.kubernetes.io/component": "controller",
};
/** The controller's admission webhook port (chart `controller.admissionWebhooks.port`). */
export const admissionWebhookPort = 8443;

/** Arguments of {@link IngressController}. */
export interface IngressControllerArgs extends Disposable {
    /** Namespace of the controller (created here). */
    namespace: string;
    /** Chart repository (`https://kubernetes.github.io/ingress-nginx`). */
    repository: string;
    /** Exact chart version. */
    version: string;
    /** Autoscaling: replicas and CPU target. */
    autoscaling: { minReplicas: number; maxReplicas: number; targetCpuUtilization: number };
    /** Requests and limits of each controller pod. */
    resources: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
    /** HSTS, set in the controller ConfigMap. */
    hsts: { maxAgeSeconds: number; includeSubdomains: boolean; preload: boolean };
    /** The default certificate, `<namespace>/<secret>`, for TLS sections without a secretName. */
    defaultCertificate?: string;
    /** The load balancer: `aws-nlb` adds the NLB annotations to `serviceAnnotations`. */
    loadBalancer: "aws-nlb" | "hostname" | "ip";
    /** Service annotations (for other clouds, all of them). */
    serviceAnnotations: Readonly<Record<string, string>>;
    /** ModSecurity with the OWASP CRS: off, detection only, or blocking. */
    wafMode: "off" | "detection-only" | "blocking";
    /** Response header names the `custom-headers` annotation may set. */
    allowedResponseHeaders: readonly string[];
    /** CIDR blocks the API server calls the admission webhook from. */
    admissionWebhookSources: readonly string[];
    /** Metrics and a ServiceMonitor (needs the Prometheus Operator CRDs). */
    monitoring: boolean;
}

/** The controller ConfigMap (`controller.config`). */
export function controllerConfig(args: Pick<IngressControllerArgs, "hsts" | "wafMode" | "allowedResponseHeaders">): Record<string, string> {
    const config: Record<string, string> = {
        "ssl-redirect": "true",
        hsts: "true",
        "hsts-max-age": String(args.hsts.maxAgeSeconds),
        "hsts-include-subdomains": String(args.hsts.includeSubdomains),
        "hsts-preload": String(args.hsts.preload),
        "server-tokens": "false",
    };
    if (args.allowedResponseHeaders.length > 0) config["global-allowed-response-headers"] = args.allowedResponseHeaders.join(",");
    if (args.wafMode !== "off") {
        config["enable-modsecurity"] = "true";
        config["enable-owasp-modsecurity-crs"] = "true";
    }
    if (args.wafMode === "blocking") {
        // A controller-level setting, owned by this program, never a tenant's annotation:
        // ModSecurity's recommended configuration is DetectionOnly; this turns the engine on.
        config["modsecurity-snippet"] = "Include /etc/nginx/modsecurity/modsecurity.conf\nSecRuleEngine On";
    }
    return config;
}

/**
 * The controller's `--publish-service`: the program's LoadBalancer Service, whose address
 * the controller then writes into every Ingress's status (`kubectl get ingress` shows the
 * load balancer; external-dns and Argo CD read it). The chart emits this flag only when
 * `controller.publishService.enabled` and `controller.service.enabled` are both true
 * (`_params.tpl`, chart 4.15.1), and the chart's Service is off here, so it comes through
 * `controller.extraArgs`. Without it the status shows the nodes' addresses.
 */
export function publishServiceArg(namespace: string): string {
    return `${namespace}/${controllerName}`;
}

/**
 * The ingress-nginx chart's values (chart 4.x values: `controller.allowSnippetAnnotations`,
 * `controller.config`, `controller.extraArgs`, `controller.service.enabled`,
 * `controller.autoscaling.*`, `controller.maxUnavailable`, `controller.metrics.*`,
 * `controller.admissionWebhooks.*`). The chart's Service is off: this program owns the
 * LoadBalancer Service, and `--publish-service` names it ({@link publishServiceArg}). The
 * HPA is the chart's own (`controller.autoscaling.enabled`): only then does the chart
 * leave `replicas` out of the Deployment, so that a Helm upgrade does not set the count
 * the HPA chose back to a fixed number (Helm's three-way merge re-applies a rendered
 * `replicas`). Its metric is CPU only: the chart's default memory target (50) is
 * switched off with an empty value, which its template skips. The chart's PDB (created
 * because `autoscaling.minReplicas` > 1) allows one pod down at a time.
 */
export function ingressNginxValues(args: IngressControllerArgs): Record<string, unknown> {
    const spread = (topologyKey: string): Record<string, unknown> => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...controllerPodLabels } },
    });
    const jobResources = { requests: { cpu: "10m", memory: "20Mi" }, limits: { cpu: "100m", memory: "64Mi" } };
    return {
        fullnameOverride: releaseName,
        controller: {
            ingressClass: ingressClassName,
            ingressClassResource: { name: ingressClassName, enabled: true, default: false, controllerValue: "k8s.io/ingress-nginx" },
            allowSnippetAnnotations: false,
            config: controllerConfig(args),
            extraArgs: {
                "publish-service": publishServiceArg(args.namespace),
                ...(args.defaultCertificate !== undefined ? { "default-ssl-certificate": args.defaultCertificate } : {}),
            },
            // The chart's own flag needs its Service; off, so the flag is never given twice.
            publishService: { enabled: false },
            service: { enabled: false },
            autoscaling: {
                enabled: true,
                minReplicas: args.autoscaling.minReplicas,
                maxReplicas: args.autoscaling.maxReplicas,
                targetCPUUtilizationPercentage: args.autoscaling.targetCpuUtilization,
                targetMemoryUtilizationPercentage: "",
            },
            maxUnavailable: 1,
            resources: {
                requests: { cpu: args.resources.cpuRequest, memory: args.resources.memoryRequest },
                limits: { cpu: args.resources.cpuLimit, memory: args.resources.memoryLimit },
            },
            affinity: {
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { ...controllerPodLabels } } } },
                    ],
                },
            },
            topologySpreadConstraints: [spread("kubernetes.io/hostname"), spread("topology.kubernetes.io/zone")],
            admissionWebhooks: {
                enabled: true,
                port: admissionWebhookPort,
                service: { type: "ClusterIP" },
                createSecretJob: { resources: jobResources },
                patchWebhookJob: { resources: jobResources },
            },
            metrics: { enabled: args.monitoring, serviceMonitor: { enabled: args.monitoring } },
        },
        defaultBackend: { enabled: false },
    };
}

/**
 * The LoadBalancer Service in front of the controller pods: one hop to the pods, the
 * client's address kept. It is ready once it has an address, whatever its endpoints: the
 * controller exits at start when its `--publish-service` does not exist (`checkService`
 * in the controller's `cmd/nginx/main.go`), so the Service comes before the release, and
 * waiting for its endpoints too (the provider's default for a Service) would wait for
 * the very pods the release starts.
 */
export function loadBalancerServiceObject(args: Pick<IngressControllerArgs, "namespace" | "loadBalancer" | "serviceAnnotations">): Record<string, unknown> {
    const annotations = { ...(args.loadBalancer === "aws-nlb" ? awsNlbAnnotations : {}), ...args.serviceAnnotations, "pulumi.com/waitFor": loadBalancerReady };
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: controllerName, namespace: args.namespace, labels: { ...controllerPodLabels }, annotations },
        spec: {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            selector: { ...controllerPodLabels },
            ports: [
                { name: "http", port: 80, protocol: "TCP", targetPort: "http", appProtocol: "http" },
                { name: "https", port: 443, protocol: "TCP", targetPort: "https", appProtocol: "https" },
            ],
        },
    };
}

/**
 * Who may reach the controller pods: HTTP and HTTPS from anywhere, metrics and health
 * checks on 10254, and the admission webhook only from the API server's addresses
 * (CVE-2025-1974: an admission webhook reachable from pods is an attack path).
 */
export function networkPolicyObject(args: Pick<IngressControllerArgs, "namespace" | "admissionWebhookSources">): Record<string, unknown> {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: controllerName, namespace: args.namespace },
        spec: {
            podSelector: { matchLabels: { ...controllerPodLabels } },
            policyTypes: ["Ingress"],
            ingress: [
                { ports: [{ protocol: "TCP", port: 80 }, { protocol: "TCP", port: 443 }] },
                { ports: [{ protocol: "TCP", port: 10254 }] },
                { from: args.admissionWebhookSources.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: admissionWebhookPort }] },
            ],
        },
    };
}

/**
 * The NGINX ingress controller of one cluster: namespace, the LoadBalancer Service the DNS
 * records point at and the controller publishes in Ingress status, the ingress-nginx
 * release (awaited, after the Service; with the chart's HPA and PDB) and the
 * NetworkPolicy. Warns once that ingress-nginx is retired.
 */
export class IngressController extends pulumi.ComponentResource {
    /** The controller's namespace resource. */
    public readonly namespace: k8s.core.v1.Namespace;
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;
    /** The LoadBalancer Service (the controller's `--publish-service`). */
    public readonly service: k8s.core.v1.Service;
    /** The load balancer's hostname (AWS NLB and most clouds), once provisioned. */
    public readonly loadBalancerHostname: pulumi.Output<string>;
    /** The load balancer's address (clouds that publish an IP), once provisioned. */
    public readonly loadBalancerIp: pulumi.Output<string>;

    constructor(name: string, args: IngressControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:edge:IngressController", name, {}, opts);
        void pulumi.log.warn(retirementWarning, this);
        // The alias keeps the namespace (and the certificates in it) when a stack that ran the
        // Gateway API edge alone brings NGINX back (stacks/edge.ts creates it there).
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: args.namespace } }, {
            parent: this,
            aliases: [{ parent: pulumi.rootStackResource }],
            ...heldNamespaceOptions(args),
        });

        this.service = new k8s.core.v1.Service(`${name}-service`, loadBalancerServiceObject(args), { parent: this, dependsOn: [this.namespace] });
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: releaseName,
                namespace: args.namespace,
                chart: "ingress-nginx",
                repositoryOpts: { repo: args.repository },
                version: args.version,
                values: ingressNginxValues(args),
                ...awaitedRelease(releaseTimeouts.ingressNginx),
            },
            { parent: this, dependsOn: [this.namespace, this.service] },
        );
        new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, networkPolicyObject(args), {
            parent: this,
            dependsOn: [this.namespace],
        });
        const ingress = this.service.status.loadBalancer.ingress;
        this.loadBalancerHostname = ingress.apply((list) => list?.[0]?.hostname ?? "");
        this.loadBalancerIp = ingress.apply((list) => list?.[0]?.ip ?? "");
        this.registerOutputs({ namespace: args.namespace, loadBalancerHostname: this.loadBalancerHostname });
    }
}
