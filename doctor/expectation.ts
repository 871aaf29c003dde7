import type { Settings } from "../config/registry";
import { edgeDeployment } from "../config/settings/gateway-api";
import { gatewayName } from "../components/edge/gateway-api-objects";
import { staticKeySecret } from "../components/tls/cert-manager";
import type { StackRender } from "../offline/charts/render";
import type { PlanDocument, PlanResource } from "../offline/plan";
import { computedMark, secretMark } from "../offline/values";
import { autoscalerOf, disruptionBudgetOf, firstOf, gatewayDeploymentName, namesOf, objectsOf, releaseOf, selectorOf } from "./chart-objects";
import type { StackOutputs } from "./outputs";

/**
 * What a healthy deployment of the stack looks like, and where each expected value came
 * from: object names and namespaces from the offline plan of the stack file (the program's
 * own objects) and from its render (the objects each Helm release's chart renders, as
 * `npm run render` shows them); values only a deployment knows (load balancer addresses)
 * from the stacks' outputs in the Pulumi backend.
 */

/** A value the doctor knows, and its source. */
export interface Known<T> {
    readonly known: true;
    readonly value: T;
    readonly source: string;
}

/** A value the doctor cannot know here, and why. */
export interface Unknown {
    readonly known: false;
    readonly why: string;
}

export type Expected<T> = Known<T> | Unknown;

/** A remote stack the primary lists in `remoteStacks`. */
export interface RemoteOfPrimary {
    /** The fully qualified stack name. */
    readonly stack: string;
    /** Deployed (its outputs known, so the primary writes its secret) or pending. */
    readonly state: "deployed" | "pending";
    /** The remote's cluster name and its remote secret (deployed only). */
    readonly clusterName?: string;
    readonly secretName?: string;
    /** Where the remote's identity came from. */
    readonly source: string;
}

/** The mesh part. */
export interface MeshExpectation {
    readonly namespace: string;
    /** The east-west gateway: the program's LoadBalancer Service and the gateway chart's Deployment. */
    readonly eastWest: { readonly service: string; readonly deployment: string; readonly source: string };
    /** Where remotes reach istiod: the primary's `discoveryAddress` output. */
    readonly discoveryAddress: Expected<string>;
    /** The primary's istiod (primary only). */
    readonly istiod?: {
        readonly deployment: string;
        readonly podDisruptionBudget: string;
        readonly podSelector: string;
        readonly replicas: Known<number>;
        readonly source: string;
    };
    /** Every remote in `remoteStacks` (primary only). */
    readonly remotes: readonly RemoteOfPrimary[];
    /** The remote's side (remote only). */
    readonly remote?: {
        readonly injectionMode: "path" | "url";
        readonly istiodService: string;
        readonly mutatingWebhooks: readonly string[];
        readonly validatingWebhooks: readonly string[];
        readonly readerTokenSecret: string;
        readonly source: string;
    };
}

/** One Certificate the stack expects. */
export interface ExpectedCertificate {
    readonly namespace: string;
    readonly name: string;
    readonly secretName: string;
    readonly dnsNames: readonly string[];
    readonly source: string;
}

/** The TLS part. */
export interface TlsExpectation {
    /** cert-manager's release: its namespace and Deployments (none when the stack issues nothing). */
    readonly certManager?: {
        readonly namespace: string;
        /** Every Deployment of the release (controller, webhook, cainjector). */
        readonly deployments: readonly string[];
        /** The controller's Deployment (the one that solves DNS-01 challenges). */
        readonly controller: string;
        /** The controller's ServiceAccount. */
        readonly serviceAccount: string;
    };
    /** How cert-manager authenticates to Route53 (setting dns01Credentials), and the static key's Secret. */
    readonly dns01Credentials: "irsa" | "pod-identity" | "static";
    readonly staticKeySecret: string;
    readonly issuers: readonly string[];
    readonly certificates: readonly ExpectedCertificate[];
    readonly acmeEnvironment: string;
    readonly source: string;
}

/** A workload of the edge: its Deployment, autoscaler and disruption budget. */
export interface EdgeWorkload {
    readonly kind: "nginx" | "gateway-api";
    readonly namespace: string;
    readonly deployment: string;
    readonly hpa: string;
    readonly podDisruptionBudget: string;
    /** The LoadBalancer Service (nginx: the program's; Gateway API: istiod's). */
    readonly service: string;
    readonly source: string;
}

/** The edge part. */
export interface EdgeExpectation {
    readonly implementation: string;
    readonly workloads: readonly EdgeWorkload[];
    /** The workload DNS points at. */
    readonly serving: "nginx" | "gateway-api";
    readonly gateway?: { readonly namespace: string; readonly name: string };
    readonly ingresses: readonly { readonly namespace: string; readonly name: string; readonly hosts: readonly string[] }[];
    readonly routes: readonly { readonly namespace: string; readonly name: string; readonly hosts: readonly string[] }[];
    /** The `edgeLoadBalancer` output: what the DNS records point at. */
    readonly loadBalancer: Expected<string>;
    readonly hosts: readonly { readonly host: string; readonly path: string; readonly routing: "simple" | "weighted" | "failover" }[];
    readonly hsts: { readonly maxAge: number; readonly includeSubdomains: boolean; readonly preload: boolean };
    readonly source: string;
}

/** Everything the doctor expects of one stack's cluster. */
export interface Expectation {
    /** The stack as given (for `pulumi` commands). */
    readonly stack: string;
    readonly role: "primary" | "remote";
    readonly clusterName: string;
    /** Lines naming the sources of expected values. */
    readonly sources: readonly string[];
    readonly mesh: MeshExpectation;
    readonly tls: TlsExpectation;
    readonly edge?: EdgeExpectation;
}

/** The stack outputs the doctor could read, and why not when it could not. */
export interface OutputsRead {
    /** The stack's own outputs. */
    readonly own?: StackOutputs;
    /** The primary's outputs (for a remote). */
    readonly primary?: StackOutputs;
    /** Why outputs could not be read (no CLI, no backend), or why the stack had none. */
    readonly unavailable?: string;
}

type Inputs = Record<string, unknown>;

function inputsOf(r: PlanResource): Inputs {
    return (r.inputs ?? {}) as Inputs;
}

/** The program's own Kubernetes objects of a kind (not those a chart renders, which a `--render` plan lists too). */
function kubernetesObjects(plan: PlanDocument, kind: string): Inputs[] {
    return plan.resources.filter((r) => r.custom && !r.read && r.renderedFrom === undefined && r.type.startsWith("kubernetes:") && inputsOf(r)["kind"] === kind).map(inputsOf);
}

function meta(o: Inputs): { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } {
    const m = (o["metadata"] ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    return { name: m.name ?? "", namespace: m.namespace ?? "", labels: m.labels ?? {}, annotations: m.annotations ?? {} };
}

function isKnown(v: unknown): v is string {
    return typeof v === "string" && v !== "" && v !== computedMark && v !== secretMark;
}

/** How the plan answered a stack reference, in words. */
function referenceSource(plan: PlanDocument, stack: string): string {
    const ref = plan.stackReferences.find((r) => r.stack === stack);
    if (ref === undefined) return "the plan";
    if (ref.answer === "absent") return `the plan, where ${stack} has no outputs`;
    return `the plan, with outputs of ${stack} from ${ref.source ?? "a sample"}`;
}

/** Builds the expectation of a stack from its settings, its offline plan, its render and the outputs read. */
export function expectationOf(stack: string, settings: Settings, plan: PlanDocument, render: StackRender, outputs: OutputsRead): Expectation {
    const planSource = `plan of ${stack}`;
    const sources = [
        `${planSource}: object names, namespaces, hosts, settings (offline, from the stack file); the charts' objects rendered with Helm ${render.helm.version}`,
        outputs.own !== undefined ? `stack outputs of ${outputs.own.stack} (Pulumi backend): load balancer addresses` : `stack outputs: not read (${outputs.unavailable ?? "none"})`,
        ...plan.stackReferences.map((r) => `stack reference ${r.stack}: ${r.answer === "sample" ? `outputs from ${r.source ?? "a sample"}` : "no outputs (not deployed)"}`),
    ];
    return {
        stack,
        role: settings.role,
        clusterName: settings.clusterName,
        sources,
        mesh: meshExpectation(settings, plan, render, outputs, planSource),
        tls: tlsExpectation(settings, plan, render, planSource),
        ...(settings.edgeHosts.length > 0 ? { edge: edgeExpectation(settings, plan, render, outputs, planSource) } : {}),
    };
}

function unknownOutput(name: string, stack: string, outputs: OutputsRead): Unknown {
    return { known: false, why: `the ${name} output of ${stack} is known only after deployment, and stack outputs were not read (${outputs.unavailable ?? "no outputs"})` };
}

function meshExpectation(settings: Settings, plan: PlanDocument, render: StackRender, outputs: OutputsRead, planSource: string): MeshExpectation {
    const namespaceObject = kubernetesObjects(plan, "Namespace").find((n) => meta(n).labels["topology.istio.io/network"] !== undefined);
    const namespace = namespaceObject ? meta(namespaceObject).name : "istio-system";
    const eastWestService = kubernetesObjects(plan, "Service").find((s) => meta(s).namespace === namespace && (s["spec"] as { type?: string } | undefined)?.type === "LoadBalancer");
    const gatewayDeployment = firstOf(releaseOf(render, "gateway", namespace), "Deployment");
    const eastWest = {
        service: eastWestService ? meta(eastWestService).name : "istio-eastwestgateway",
        deployment: gatewayDeployment?.metadata.name ?? "istio-eastwestgateway",
        source: `${planSource} (Service) and the gateway chart's render (Deployment)`,
    };
    const istiodRelease = releaseOf(render, "istiod", namespace);
    if (settings.role === "primary") {
        const own = outputs.own?.values["discoveryAddress"];
        const discoveryAddress: Expected<string> = isKnown(own)
            ? { known: true, value: own, source: `stack output discoveryAddress of ${outputs.own!.stack}` }
            : unknownOutput("discoveryAddress", "this stack", outputs);
        const istiodDeployment = firstOf(istiodRelease, "Deployment");
        const istiodPdb = istiodDeployment ? disruptionBudgetOf(istiodRelease, istiodDeployment) : undefined;
        const replicaCount = (istiodDeployment?.["spec"] as { replicas?: unknown } | undefined)?.replicas;
        const planOutputs = (plan.outputs ?? {}) as { remoteClusters?: unknown; pendingRemoteStacks?: unknown };
        const pending = Array.isArray(planOutputs.pendingRemoteStacks) ? (planOutputs.pendingRemoteStacks as string[]) : [];
        const clusters = Array.isArray(planOutputs.remoteClusters) ? (planOutputs.remoteClusters as string[]) : [];
        const deployed = settings.remoteStacks.filter((s) => !pending.includes(s));
        const secrets = kubernetesObjects(plan, "Secret").filter((s) => meta(s).labels["istio/multiCluster"] === "true");
        const remotes: RemoteOfPrimary[] = settings.remoteStacks.map((stack) => {
            const source = referenceSource(plan, stack);
            if (pending.includes(stack)) return { stack, state: "pending", source };
            const clusterName = clusters[deployed.indexOf(stack)];
            const secret = secrets.find((s) => meta(s).annotations["networking.istio.io/cluster"] === clusterName);
            return { stack, state: "deployed", source, ...(clusterName !== undefined ? { clusterName } : {}), ...(secret ? { secretName: meta(secret).name } : {}) };
        });
        return {
            namespace,
            eastWest,
            discoveryAddress,
            ...(istiodDeployment !== undefined
                ? {
                      istiod: {
                          deployment: istiodDeployment.metadata.name,
                          podDisruptionBudget: istiodPdb?.metadata.name ?? istiodDeployment.metadata.name,
                          podSelector: selectorOf(istiodDeployment),
                          replicas:
                              typeof replicaCount === "number"
                                  ? { known: true as const, value: replicaCount, source: `setting istiodReplicas (replicas of the rendered Deployment ${istiodDeployment.metadata.name})` }
                                  : { known: true as const, value: settings.istiodReplicas, source: "setting istiodReplicas" },
                          source: `${planSource} (istiod release) and the istiod chart's render`,
                      },
                  }
                : {}),
            remotes,
        };
    }
    const primaryOutput = outputs.primary?.values["discoveryAddress"];
    const discoveryAddress: Expected<string> = isKnown(primaryOutput)
        ? { known: true, value: primaryOutput, source: `stack output discoveryAddress of ${outputs.primary!.stack}` }
        : {
              known: false,
              why: `the primary's discoveryAddress is known only from ${settings.primaryStack}'s outputs, which were not read (${outputs.unavailable ?? `${settings.primaryStack} has no outputs`}); the plan used ${referenceSource(plan, settings.primaryStack).replace(/^the plan, with /, "")}`,
          };
    const baseRelease = releaseOf(render, "base", namespace);
    const readerToken = kubernetesObjects(plan, "Secret").find((s) => (s["type"] as string | undefined) === "kubernetes.io/service-account-token");
    const planOutputs = (plan.outputs ?? {}) as { injectionMode?: unknown };
    return {
        namespace,
        eastWest,
        discoveryAddress,
        remotes: [],
        remote: {
            injectionMode: planOutputs.injectionMode === "path" ? "path" : "url",
            istiodService: firstOf(istiodRelease, "Service")?.metadata.name ?? "istiod",
            mutatingWebhooks: namesOf(istiodRelease, "MutatingWebhookConfiguration"),
            validatingWebhooks: [...namesOf(istiodRelease, "ValidatingWebhookConfiguration"), ...namesOf(baseRelease, "ValidatingWebhookConfiguration")],
            readerTokenSecret: readerToken ? meta(readerToken).name : "istio-reader-service-account-token",
            source: `${planSource} (istiod and base releases) and the istiod and base charts' render`,
        },
    };
}

function tlsExpectation(settings: Settings, plan: PlanDocument, render: StackRender, planSource: string): TlsExpectation {
    const issuers = kubernetesObjects(plan, "ClusterIssuer").map((i) => meta(i).name);
    const certificates: ExpectedCertificate[] = kubernetesObjects(plan, "Certificate").map((c) => {
        const spec = (c["spec"] ?? {}) as { secretName?: string; dnsNames?: string[] };
        return { namespace: meta(c).namespace, name: meta(c).name, secretName: spec.secretName ?? "", dnsNames: spec.dnsNames ?? [], source: planSource };
    });
    // cert-manager's ingress-shim makes a Certificate named after each TLS Secret of an annotated Ingress.
    for (const ingress of kubernetesObjects(plan, "Ingress")) {
        if (meta(ingress).annotations["cert-manager.io/cluster-issuer"] === undefined) continue;
        const tls = ((ingress["spec"] as { tls?: { hosts?: string[]; secretName?: string }[] } | undefined)?.tls ?? []).filter((t) => t.secretName !== undefined);
        for (const t of tls) {
            if (certificates.some((c) => c.namespace === meta(ingress).namespace && c.name === t.secretName)) continue;
            certificates.push({ namespace: meta(ingress).namespace, name: t.secretName!, secretName: t.secretName!, dnsNames: t.hosts ?? [], source: `cert-manager's ingress-shim, for Ingress ${meta(ingress).namespace}/${meta(ingress).name} of the ${planSource}` });
        }
    }
    const release = releaseOf(render, "cert-manager");
    // The controller is the Deployment whose pods run as the ServiceAccount the DNS-01 role is bound to (not the webhook's or cainjector's).
    const deployments = objectsOf(release, "Deployment");
    const controller = deployments.find((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "controller") ?? deployments[0];
    const serviceAccount = (controller?.["spec"] as { template?: { spec?: { serviceAccountName?: string } } } | undefined)?.template?.spec?.serviceAccountName ?? "cert-manager";
    return {
        ...(release && controller
            ? { certManager: { namespace: release.release.namespace, deployments: [controller, ...deployments.filter((d) => d !== controller)].map((d) => d.metadata.name), controller: controller.metadata.name, serviceAccount } }
            : {}),
        dns01Credentials: settings.dns01Credentials,
        staticKeySecret: staticKeySecret.name,
        issuers,
        certificates,
        acmeEnvironment: settings.acmeEnvironment,
        source: planSource,
    };
}

function edgeExpectation(settings: Settings, plan: PlanDocument, render: StackRender, outputs: OutputsRead, planSource: string): EdgeExpectation {
    const deployment = edgeDeployment(settings.edgeImplementation);
    const namespace = settings.edgeNamespace;
    const workloads: EdgeWorkload[] = [];
    const nginx = releaseOf(render, "ingress-nginx", namespace);
    const controller = firstOf(nginx, "Deployment");
    if (deployment.nginx && controller) {
        const name = controller.metadata.name;
        const service = kubernetesObjects(plan, "Service").find((s) => meta(s).namespace === namespace && (s["spec"] as { type?: string } | undefined)?.type === "LoadBalancer");
        workloads.push({
            kind: "nginx",
            namespace,
            deployment: name,
            hpa: autoscalerOf(nginx, name)?.metadata.name ?? name,
            podDisruptionBudget: disruptionBudgetOf(nginx, controller)?.metadata.name ?? name,
            service: service ? meta(service).name : name,
            source: `${planSource} (Service) and the ingress-nginx chart's render (Deployment, HPA, PDB)`,
        });
    }
    const gateway = kubernetesObjects(plan, "Gateway").find((g) => meta(g).name === gatewayName && meta(g).namespace === namespace);
    if (deployment.gatewayApi && gateway) {
        const name = gatewayDeploymentName(gatewayName, String((gateway["spec"] as { gatewayClassName?: string } | undefined)?.gatewayClassName ?? "istio"));
        workloads.push({ kind: "gateway-api", namespace, deployment: name, hpa: name, podDisruptionBudget: name, service: name, source: `${planSource} (Gateway) and istiod's gateway deployment template (kube-gateway.yaml)` });
    }
    const hostsOf = (o: Inputs): string[] => {
        const spec = (o["spec"] ?? {}) as { rules?: { host?: string }[]; hostnames?: string[] };
        return spec.hostnames ?? (spec.rules ?? []).map((r) => r.host ?? "").filter((h) => h !== "");
    };
    const ingresses = deployment.nginx ? kubernetesObjects(plan, "Ingress").map((i) => ({ namespace: meta(i).namespace, name: meta(i).name, hosts: hostsOf(i) })) : [];
    const routes = deployment.gatewayApi
        ? kubernetesObjects(plan, "HTTPRoute")
              .filter((r) => (r["apiVersion"] as string).startsWith("gateway.networking.k8s.io/"))
              .map((r) => ({ namespace: meta(r).namespace, name: meta(r).name, hosts: hostsOf(r) }))
        : [];
    const own = outputs.own?.values["edgeLoadBalancer"];
    const loadBalancer: Expected<string> = isKnown(own) ? { known: true, value: own, source: `stack output edgeLoadBalancer of ${outputs.own!.stack}` } : unknownOutput("edgeLoadBalancer", "this stack", outputs);
    return {
        implementation: settings.edgeImplementation,
        workloads,
        serving: deployment.dns,
        ...(gateway ? { gateway: { namespace, name: gatewayName } } : {}),
        ingresses,
        routes,
        loadBalancer,
        hosts: settings.edgeHosts.map((h) => ({
            host: h.host,
            path: h.paths[0]?.path ?? "/",
            routing: settings.dnsRouting.find((r) => r.host === h.host)?.policy ?? "simple",
        })),
        hsts: { maxAge: settings.edgeHstsMaxAge, includeSubdomains: settings.edgeHstsIncludeSubdomains, preload: settings.edgeHstsPreload },
        source: planSource,
    };
}
