import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as semver from "semver";
import { parse } from "yaml";
import { staticKeySecret } from "../../components/tls/cert-manager";
import { challengeRecordName } from "../../config/dns-names";
import { registry } from "../../config/registry";
import type { RecordedResource } from "../../offline/engine";
import { projectDir } from "../../offline/plan";
import { anotherRemote, readSamples, sampleLookup } from "../../offline/samples";
import { plain } from "../../offline/values";
import { remoteVersionSkew } from "../../stacks/version-skew";
import { inputsOf, outputsOf, planned, plannedOnce, type Planned } from "../support/plan";
import { commandWords, fencedBlocks, flag, invocations, isPlaceholder, logicalLines, parseArgs, type ParsedArgs } from "../support/shell";

/**
 * Keeps docs/runbook.md honest where that can be checked offline: every `kubectl`,
 * `istioctl` and `cmctl` command names its cluster, and every object, namespace, label
 * selector and container it names exists in the plan of that cluster's stack (or is
 * rendered by a chart release of that plan under the name the pinned chart gives it, or is
 * written at runtime from a planned object, such as a Certificate's Secret); every setting
 * and stack output it names exists; the remote stack file it shows plans; and the
 * article's commands that are wrong for the pinned versions appear only as quoted text.
 */

const runbookPath = path.join(projectDir, "docs", "runbook.md");
const runbook = fs.readFileSync(runbookPath, "utf8");
const blocks = fencedBlocks(runbook);
const shellBlocks = blocks.filter((b) => b.lang === "sh");

/** A logical shell line and where it is. */
interface Line {
    readonly line: string;
    readonly at: string;
}

/** Every logical shell line of the runbook. */
const shellLines: Line[] = shellBlocks.flatMap((block) => logicalLines(block.text).map((line) => ({ line, at: `docs/runbook.md:${block.line} (${block.heading}): ${line}` })));

// ---- What a cluster holds: planned objects, chart-rendered ones, runtime ones ----

interface KnownObject {
    readonly kind: string;
    readonly namespace: string | undefined;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly containers: readonly string[];
    /** Where the name comes from, for failure messages. */
    readonly source: string;
}

/** Kinds without a namespace. */
const clusterScoped = new Set(["Namespace", "ClusterIssuer", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "CustomResourceDefinition", "Node", "IngressClass"]);

/** kubectl's resource type words, and the kinds they name. */
const kinds: Record<string, string> = {};
const alias = (kind: string, ...names: string[]): void => {
    for (const n of names) kinds[n] = kind;
};
alias("Service", "svc", "service", "services");
alias("Deployment", "deploy", "deployment", "deployments");
alias("DaemonSet", "ds", "daemonset", "daemonsets");
alias("Pod", "po", "pod", "pods");
alias("Namespace", "ns", "namespace", "namespaces");
alias("ConfigMap", "cm", "configmap", "configmaps");
alias("Secret", "secret", "secrets");
alias("ServiceAccount", "sa", "serviceaccount", "serviceaccounts");
alias("Ingress", "ing", "ingress", "ingresses");
alias("HorizontalPodAutoscaler", "hpa", "horizontalpodautoscaler", "horizontalpodautoscalers");
alias("PodDisruptionBudget", "pdb", "poddisruptionbudget", "poddisruptionbudgets");
alias("NetworkPolicy", "netpol", "networkpolicy", "networkpolicies");
alias("EndpointSlice", "endpointslice", "endpointslices");
alias("Certificate", "cert", "certs", "certificate", "certificates");
alias("CertificateRequest", "cr", "certificaterequest", "certificaterequests");
alias("Order", "order", "orders");
alias("Challenge", "challenge", "challenges");
alias("ClusterIssuer", "clusterissuer", "clusterissuers");
alias("Issuer", "issuer", "issuers");
alias("Job", "job", "jobs");
alias("Gateway", "gateways.networking.istio.io", "gateway.networking.istio.io");
alias("VirtualService", "vs", "virtualservice", "virtualservices");
alias("ServiceMonitor", "servicemonitor", "servicemonitors");
alias("MutatingWebhookConfiguration", "mutatingwebhookconfiguration", "mutatingwebhookconfigurations");
alias("ValidatingWebhookConfiguration", "validatingwebhookconfiguration", "validatingwebhookconfigurations");
alias("TargetGroupBinding", "targetgroupbinding", "targetgroupbindings");
alias("CustomResourceDefinition", "crd", "crds", "customresourcedefinition", "customresourcedefinitions");
alias("Node", "node", "nodes");

/** Kinds whose objects get generated names: only listed or selected, never named. */
const generatedNames = new Set(["CertificateRequest", "Order", "Challenge", "TargetGroupBinding", "Pod", "EndpointSlice"]);

/** The CRDs the Istio base chart 1.30 renders (helm template). */
const istioCrds = [
    "trafficextensions.extensions.istio.io", "wasmplugins.extensions.istio.io", "destinationrules.networking.istio.io", "envoyfilters.networking.istio.io", "gateways.networking.istio.io",
    "proxyconfigs.networking.istio.io", "serviceentries.networking.istio.io", "sidecars.networking.istio.io", "virtualservices.networking.istio.io", "workloadentries.networking.istio.io",
    "workloadgroups.networking.istio.io", "authorizationpolicies.security.istio.io", "peerauthentications.security.istio.io", "requestauthentications.security.istio.io", "telemetries.telemetry.istio.io",
];
/** The CRDs the cert-manager chart v1.21 renders with crds.enabled. */
const certManagerCrds = ["challenges.acme.cert-manager.io", "orders.acme.cert-manager.io", "certificaterequests.cert-manager.io", "certificates.cert-manager.io", "clusterissuers.cert-manager.io", "issuers.cert-manager.io"];

/** A chart's rendering of the objects the runbook names, from a release's inputs (the pinned charts' templates). */
function chartObjects(release: { name: string; namespace: string; chart: string; values: any }): KnownObject[] {
    const chart = release.chart.split("/").pop()!;
    const ns = release.namespace;
    const values = release.values ?? {};
    const obj = (kind: string, name: string, labels: Record<string, string> = {}, containers: string[] = [], namespace: string | undefined = ns): KnownObject => ({
        kind,
        namespace: clusterScoped.has(kind) ? undefined : namespace,
        name,
        labels,
        containers,
        source: `chart ${chart} (release ${release.name})`,
    });
    switch (chart) {
        case "istiod": {
            // istio-discovery templates: the Service is `istiod`; on a remote (remotePilotAddress) an
            // ExternalName or endpoint-backed Service of the same name; the webhooks are named after
            // the namespace; the Deployment and its PDB exist only where istiod runs.
            const webhooks = [obj("MutatingWebhookConfiguration", "istio-sidecar-injector"), obj("ValidatingWebhookConfiguration", `istio-validator-${ns}`), obj("Service", "istiod")];
            if (values.profile === "remote") return webhooks;
            const pod = { app: "istiod", istio: "pilot" };
            return [...webhooks, obj("Deployment", "istiod", pod, ["discovery"]), obj("PodDisruptionBudget", "istiod"), obj("ServiceAccount", "istiod")];
        }
        case "gateway": {
            const name = values.name ?? release.name;
            const labels = { ...(values.labels ?? {}), ...(values.networkGateway ? { "topology.istio.io/network": values.networkGateway } : {}) };
            return [obj("Deployment", name, labels, ["istio-proxy"]), obj("HorizontalPodAutoscaler", name), obj("PodDisruptionBudget", name), obj("ServiceAccount", name)];
        }
        case "base":
            // The CRDs are templates (base.enableCRDTemplates, default true), labelled with the release (helm template of base 1.30.3),
            // and the default revision's validator (defaultrevision-validatingwebhookconfiguration.yaml).
            return [
                obj("ServiceAccount", "istio-reader-service-account"),
                obj("ValidatingWebhookConfiguration", "istiod-default-validator"),
                ...istioCrds.map((name) => obj("CustomResourceDefinition", name, { "app.kubernetes.io/part-of": "istio", "app.kubernetes.io/instance": release.name, "app.kubernetes.io/managed-by": "Helm" })),
            ];
        case "cert-manager": {
            const r = release.name;
            const part = (name: string, component: string): KnownObject =>
                obj("Deployment", name, { "app.kubernetes.io/name": component === "controller" ? "cert-manager" : component, "app.kubernetes.io/instance": r, "app.kubernetes.io/component": component });
            return [
                part(r, "controller"),
                part(`${r}-webhook`, "webhook"),
                part(`${r}-cainjector`, "cainjector"),
                obj("ServiceAccount", values.serviceAccount?.name ?? r),
                obj("ValidatingWebhookConfiguration", `${r}-webhook`),
                obj("MutatingWebhookConfiguration", `${r}-webhook`),
                // crds.enabled: the six CRDs, labelled as the chart labels them (helm template of cert-manager v1.21.1).
                ...(values.crds?.enabled === true
                    ? certManagerCrds.map((name) => obj("CustomResourceDefinition", name, { app: "cert-manager", "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": r, "app.kubernetes.io/component": "crds", "app.kubernetes.io/managed-by": "Helm" }))
                    : []),
            ];
        }
        case "ingress-nginx": {
            const full = values.fullnameOverride ?? (release.name.includes("ingress-nginx") ? release.name : `${release.name}-ingress-nginx`);
            const controller = `${full}-controller`;
            const pod = { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": release.name, "app.kubernetes.io/component": "controller" };
            return [
                obj("Deployment", controller, pod, ["controller"]),
                obj("ConfigMap", controller),
                obj("Service", `${controller}-admission`),
                obj("ValidatingWebhookConfiguration", `${full}-admission`),
                obj("IngressClass", values.controller?.ingressClassResource?.name ?? "nginx"),
                // controller-hpa.yaml: only with controller.autoscaling.enabled.
                ...(values.controller?.autoscaling?.enabled === true ? [obj("HorizontalPodAutoscaler", controller)] : []),
            ];
        }
        default:
            // A chart this test has no model of: the runbook cannot name its objects until one is added here.
            return [];
    }
}

/** Objects a plan's resources create, directly, through a chart, or at runtime. */
function clusterObjects(p: Planned, context: string): KnownObject[] {
    const objects: KnownObject[] = [];
    const add = (o: KnownObject): void => {
        objects.push(o);
    };
    const resources = p.evaluation.resources;
    const k8s = (r: RecordedResource): any => inputsOf(r);
    const certManagerNamespace = resources.map(k8s).find((i) => i?.chart?.endsWith("cert-manager"))?.namespace as string | undefined;
    let istio = false;
    for (const r of resources) {
        const i = k8s(r);
        if (r.type === "kubernetes:helm.sh/v3:Release") {
            for (const o of chartObjects({ name: i.name, namespace: i.namespace, chart: i.chart, values: i.values })) add(o);
            if (String(i.chart).endsWith("istiod")) istio = true;
            continue;
        }
        const meta = i?.metadata;
        if (!r.type.startsWith("kubernetes:") || typeof i?.kind !== "string" || typeof meta?.name !== "string") continue;
        const namespace = clusterScoped.has(i.kind) ? undefined : (meta.namespace as string | undefined);
        add({ kind: i.kind, namespace, name: meta.name, labels: meta.labels ?? {}, containers: [], source: `planned ${r.type} ${r.name}` });
        const runtime = (kind: string, ns: string | undefined, name: string, why: string): void =>
            add({ kind, namespace: ns, name, labels: {}, containers: [], source: `${why} (${r.name})` });
        if (i.kind === "Certificate") runtime("Secret", namespace, i.spec.secretName, "written by cert-manager for the Certificate");
        if (i.kind === "ClusterIssuer") runtime("Secret", certManagerNamespace, i.spec.acme.privateKeySecretRef.name, "the ACME account key cert-manager writes");
        if (i.kind === "Ingress") {
            for (const rule of i.spec.rules ?? []) {
                for (const p of rule.http?.paths ?? []) {
                    const svc = p.backend?.service?.name as string | undefined;
                    if (svc !== undefined) runtime("Service", namespace, svc, "an application Service the Ingress routes to (a prerequisite)");
                }
            }
            if (meta.annotations?.["cert-manager.io/cluster-issuer"] !== undefined) {
                for (const t of i.spec.tls ?? []) {
                    runtime("Certificate", namespace, t.secretName, "made by cert-manager's ingress-shim");
                    runtime("Secret", namespace, t.secretName, "made by cert-manager's ingress-shim");
                }
            }
        }
    }
    if (istio && resources.some((r) => r.type === "mesh-ingress:mesh:IstioPrimary")) {
        add({ kind: "Secret", namespace: "istio-system", name: "istio-ca-secret", labels: {}, containers: [], source: "istiod's self-signed CA" });
    }
    if (certManagerNamespace !== undefined) {
        // Created by the CertManager component only with dns01Credentials: static (the default stacks use irsa).
        add({ kind: "Secret", namespace: certManagerNamespace, name: staticKeySecret.name, labels: {}, containers: [], source: "components/tls/cert-manager.ts, static credentials" });
    }
    // Prerequisites the runbook checks (section 2), not made by this program.
    const prerequisite = (kind: string, namespace: string | undefined, name: string, why: string): void => add({ kind, namespace, name, labels: {}, containers: [], source: why });
    prerequisite("Deployment", "kube-system", "aws-load-balancer-controller", "the AWS Load Balancer Controller's documented install");
    prerequisite("DaemonSet", "kube-system", "eks-pod-identity-agent", "the EKS Pod Identity agent add-on");
    prerequisite("CustomResourceDefinition", undefined, "servicemonitors.monitoring.coreos.com", "the Prometheus Operator's CRDs");
    // Istio's helloworld and curl samples, which the runbook applies in namespace sample (section 4.4).
    const sample = (kind: string, name: string, labels: Record<string, string>, containers: string[] = []): void =>
        add({ kind, namespace: "sample", name, labels, containers, source: "Istio 1.30 samples (helloworld, curl)" });
    sample("Service", "helloworld", { app: "helloworld", service: "helloworld" });
    sample("Deployment", context === "cluster2" ? "helloworld-v2" : "helloworld-v1", { app: "helloworld", version: context === "cluster2" ? "v2" : "v1" }, ["helloworld", "istio-proxy"]);
    sample("Deployment", "curl", { app: "curl" }, ["curl", "istio-proxy"]);
    // Every Service has EndpointSlices labelled with its name; istiod writes the mesh root into every namespace.
    const namespaces = new Set<string>(["default", "kube-system", "sample", ...objects.filter((o) => o.kind === "Namespace").map((o) => o.name)]);
    for (const o of objects) if (o.namespace !== undefined) namespaces.add(o.namespace);
    for (const ns of namespaces) if (!objects.some((o) => o.kind === "Namespace" && o.name === ns)) add({ kind: "Namespace", namespace: undefined, name: ns, labels: {}, containers: [], source: "a namespace the objects above live in" });
    for (const s of objects.filter((o) => o.kind === "Service")) add({ kind: "EndpointSlice", namespace: s.namespace, name: "", labels: { "kubernetes.io/service-name": s.name }, containers: [], source: `EndpointSlices of ${s.name}` });
    for (const ns of namespaces) add({ kind: "ConfigMap", namespace: ns, name: "istio-ca-root-cert", labels: {}, containers: [], source: "written by the primary's istiod into every namespace" });
    return objects;
}

// ---- The plans the runbook's commands refer to ----

interface Cluster {
    readonly context: string;
    readonly stack: string;
    readonly plan: Planned;
    readonly objects: readonly KnownObject[];
}

/** The remote stack file the runbook shows in "Adding a remote cluster", written to a temporary file. */
function remoteEuFile(): string {
    const yamlBlocks = blocks.filter((b) => b.lang === "yaml" && b.text.includes("mesh-ingress:clusterName: cluster3"));
    assert.equal(yamlBlocks.length, 1, "the runbook shows one stack file for cluster3");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-remote-eu-"));
    const file = path.join(dir, "Pulumi.remote-eu.yaml");
    fs.writeFileSync(file, yamlBlocks[0]!.text);
    return file;
}

describe("the runbook (docs/runbook.md)", function () {
    this.timeout(60000);
    let clusters: Map<string, Cluster>;
    let primaryPlan: Planned;
    let outputsByStack: Map<string, Set<string>>;

    before(async () => {
        const shipped = readSamples();
        const remoteSample = shipped.get("acme/mesh-ingress/remote")!;
        const withEu = sampleLookup(new Map([...shipped, ["acme/mesh-ingress/remote-eu", anotherRemote(remoteSample, "cluster3", "network3", "runbook: cluster3")]]));
        // cluster1 as it is after "Adding a remote cluster" (a superset of the default primary).
        // One at a time: the mock engine is one per process.
        const primary = await plannedOnce("primary");
        primaryPlan = primary;
        const primaryWithEu = await planned("primary", { overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote", "acme/mesh-ingress/remote-eu"] } }, samples: withEu });
        const remote = await plannedOnce("remote");
        const remoteEu = await planned("remote-eu", { configFile: remoteEuFile() });
        clusters = new Map(
            (
                [
                    ["cluster1", "primary", primaryWithEu],
                    ["cluster2", "remote", remote],
                    ["cluster3", "remote-eu", remoteEu],
                ] as const
            ).map(([context, stack, plan]) => [context, { context, stack, plan, objects: clusterObjects(plan, context) }]),
        );
        outputsByStack = new Map([
            ["acme/primary", new Set(Object.keys(outputsOf(primary)))],
            ["acme/remote", new Set(Object.keys(outputsOf(remote)))],
            ["acme/remote-eu", new Set(Object.keys(outputsOf(remoteEu)))],
        ]);
        // The cluster3 plan is the runbook's stack file, and it plans cleanly.
        assert.deepEqual(remoteEu.findings, []);
        assert.deepEqual(primaryWithEu.findings, []);
    });

    const cluster = (context: string | undefined, at: string): Cluster => {
        assert.ok(context !== undefined, `names its cluster with --context: ${at}`);
        const c = clusters.get(context);
        assert.ok(c, `--context ${context} is one of ${[...clusters.keys()].join(", ")}: ${at}`);
        return c;
    };

    const namespaces = (c: Cluster): Set<string> => new Set(c.objects.filter((o) => o.kind === "Namespace").map((o) => o.name));

    const expectNamespace = (c: Cluster, ns: string | undefined, at: string): void => {
        if (ns === undefined || isPlaceholder(ns)) return;
        assert.ok(namespaces(c).has(ns), `namespace ${ns} exists in ${c.context} (${c.stack}'s plan): ${at}`);
    };

    const expectObject = (c: Cluster, kind: string, ns: string | undefined, name: string, at: string): void => {
        if (isPlaceholder(name)) return;
        assert.ok(!generatedNames.has(kind), `${kind} names are generated; list or select them instead of naming ${name}: ${at}`);
        const scoped = clusterScoped.has(kind) ? undefined : ns;
        const found = c.objects.some((o) => o.kind === kind && o.name === name && o.namespace === scoped);
        const near = c.objects.filter((o) => o.kind === kind && (o.name === name || o.namespace === scoped)).map((o) => `${o.namespace ?? ""}/${o.name} (${o.source})`);
        assert.ok(found, `${kind} ${scoped ? `${scoped}/` : ""}${name} exists in ${c.context}; known: ${near.slice(0, 8).join(", ") || "none"}: ${at}`);
    };

    const expectSelector = (c: Cluster, kind: string | undefined, ns: string | undefined, allNamespaces: boolean, selector: string, at: string): KnownObject[] => {
        const pairs = selector.split(",").map((p) => {
            const m = /^([^=!]+)=(.*)$/.exec(p);
            assert.ok(m, `an equality selector (key=value): ${selector}: ${at}`);
            return [m[1]!, m[2]!] as const;
        });
        const matching = c.objects.filter(
            (o) =>
                (allNamespaces || o.namespace === (kind !== undefined && clusterScoped.has(kind) ? undefined : ns)) &&
                (kind === undefined || kind === "Pod" ? true : o.kind === kind) &&
                pairs.every(([k, v]) => o.labels[k] === v),
        );
        assert.ok(matching.length > 0, `some ${kind ?? "object"} in ${c.context}${ns ? `/${ns}` : ""} is labelled ${selector}: ${at}`);
        return matching;
    };

    const kubectlValueFlags = new Set(["-n", "--namespace", "--context", "-l", "--selector", "-o", "--output", "-c", "--container", "--tail", "--for", "--timeout", "--since", "--image", "--restart", "-f", "--filename", "--field-selector", "--max-log-requests", "--kubeconfig", "--sort-by", "-L", "--label-columns"]);

    /** The kubectl commands of the runbook, parsed. */
    const kubectlCalls = (lines: readonly Line[]): { args: ParsedArgs; at: string }[] =>
        lines.flatMap(({ line, at }) => invocations(line, "kubectl").map((words) => ({ args: parseArgs(words, kubectlValueFlags), at })));

    it("has shell blocks, and parses each of them", () => {
        assert.ok(shellBlocks.length > 40, `${shellBlocks.length} shell blocks`);
        for (const { line, at } of shellLines) assert.doesNotThrow(() => commandWords(line), at);
        assert.ok(kubectlCalls(shellLines).length > 80);
    });

    /** Checks every kubectl command of the lines against the clusters' objects. */
    const checkKubectl = (lines: readonly Line[]): void => {
        for (const { args, at } of kubectlCalls(lines)) {
            if (args.positionals[0] === "config") {
                for (const ctx of args.positionals.slice(2)) cluster(ctx, at);
                continue;
            }
            const c = cluster(flag(args, "--context"), at);
            const ns = flag(args, "-n", "--namespace");
            const all = args.switches.has("-A") || args.switches.has("--all-namespaces");
            const [verb, ...rest] = args.positionals;
            assert.ok(verb !== undefined, `a kubectl verb: ${at}`);
            expectNamespace(c, ns, at);
            const selector = flag(args, "-l", "--selector");
            const container = flag(args, "-c", "--container");

            // A workload named TYPE/NAME (logs, exec, rollout), checked with its container.
            const workload = (ref: string | undefined): void => {
                if (ref === undefined || isPlaceholder(ref)) return;
                const [type, name] = ref.split("/");
                const kind = kinds[type!];
                assert.ok(kind !== undefined && name !== undefined, `TYPE/NAME: ${ref}: ${at}`);
                expectObject(c, kind, ns, name, at);
                if (container !== undefined) {
                    const o = c.objects.find((x) => x.kind === kind && x.name === name && x.namespace === ns)!;
                    assert.ok(o.containers.includes(container), `${ref} has a container ${container} (it has ${o.containers.join(", ")}): ${at}`);
                }
            };

            switch (verb) {
                case "create":
                    assert.equal(rest[0], "namespace", `the runbook creates only namespaces: ${at}`);
                    expectNamespace(c, rest[1], at);
                    break;
                case "label":
                case "annotate":
                    expectObject(c, kinds[rest[0]!] ?? rest[0]!, ns, rest[1]!, at);
                    break;
                case "apply":
                case "run":
                    break;
                case "delete":
                    // The sample namespace, and (tearing down for good) CRDs the charts installed, by selector.
                    if (rest[0] === "namespace") assert.equal(rest[1], "sample", `the runbook deletes only the sample namespace: ${at}`);
                    else {
                        assert.equal(kinds[rest[0]!], "CustomResourceDefinition", `the runbook deletes only the sample namespace and CRDs: ${at}`);
                        assert.ok(selector !== undefined && rest.length === 1, `CRDs are deleted by the chart's labels: ${at}`);
                        expectSelector(c, "CustomResourceDefinition", undefined, false, selector, at);
                    }
                    break;
                case "logs":
                case "exec":
                    if (rest[0] !== undefined) workload(rest[0]);
                    if (selector !== undefined) {
                        const matching = expectSelector(c, undefined, ns, all, selector, at);
                        if (container !== undefined) assert.ok(matching.some((o) => o.containers.includes(container)), `pods labelled ${selector} have a container ${container}: ${at}`);
                    }
                    assert.ok(rest[0] !== undefined || selector !== undefined, `a workload or a selector: ${at}`);
                    break;
                case "rollout": {
                    assert.ok(["status", "restart"].includes(rest[0]!), at);
                    const target = rest[1]!;
                    if (target.includes("/")) workload(target);
                    else assert.ok(kinds[target] === "Deployment" && rest.length === 2, `every Deployment of a namespace: ${at}`);
                    break;
                }
                case "get":
                case "describe":
                case "wait": {
                    const refs = rest.filter((r) => r.includes("/"));
                    if (refs.length > 0) {
                        assert.equal(refs.length, rest.length, `either TYPE/NAME arguments or TYPE NAME...: ${at}`);
                        for (const ref of refs) {
                            const [type, name] = ref.split("/");
                            const kind = kinds[type!];
                            assert.ok(kind, `a known resource type ${type}: ${at}`);
                            expectObject(c, kind, ns, name!, at);
                        }
                        break;
                    }
                    const [types, ...names] = rest;
                    assert.ok(types !== undefined, `a resource type: ${at}`);
                    const typeKinds = types.split(",").map((t) => {
                        const kind = kinds[t];
                        assert.ok(kind, `a known resource type ${t}: ${at}`);
                        return kind;
                    });
                    if (names.length > 0) {
                        assert.equal(typeKinds.length, 1, `names follow a single type: ${at}`);
                        for (const name of names) expectObject(c, typeKinds[0]!, ns, name, at);
                    } else {
                        // A list: namespaced kinds need a namespace (or -A), as the article's `kubectl get challenges` did not.
                        for (const kind of typeKinds) assert.ok(clusterScoped.has(kind) || ns !== undefined || all, `a namespace (-n) for ${kind}: ${at}`);
                    }
                    if (selector !== undefined) for (const kind of typeKinds) expectSelector(c, kind, ns, all, selector, at);
                    break;
                }
                default:
                    assert.fail(`a kubectl verb this test knows (${verb}): ${at}`);
            }
        }
    };

    /** Checks every istioctl and cmctl command of the lines; returns how many there were. */
    const checkTools = (lines: readonly Line[]): number => {
        const istioctlFlags = new Set(["--context", "-n", "--namespace", "-i", "--istioNamespace", "--port", "--cluster", "-o", "--output"]);
        let checked = 0;
        for (const { line, at } of lines) {
            for (const words of invocations(line, "istioctl")) {
                const args = parseArgs(words, istioctlFlags);
                const c = cluster(flag(args, "--context"), at);
                const ns = flag(args, "-n", "--namespace");
                expectNamespace(c, ns, at);
                const [command] = args.positionals;
                assert.ok(["version", "remote-clusters", "proxy-status", "proxy-config", "x"].includes(command!), `an istioctl command the runbook uses on purpose (${command}): ${at}`);
                if (command === "x") assert.deepEqual(args.positionals.slice(1), ["precheck"], `istioctl x precheck only: ${at}`);
                if (command === "proxy-status") assert.equal(c.context, "cluster1", `proxy-status asks istiod, which runs on the primary only: ${at}`);
                if (command === "remote-clusters") assert.equal(c.context, "cluster1", `remote-clusters asks istiod, which runs on the primary only: ${at}`);
                for (const ref of args.positionals.filter((p) => p.startsWith("deploy/"))) expectObject(c, "Deployment", ns, ref.slice("deploy/".length), at);
                checked++;
            }
            for (const words of invocations(line, "cmctl")) {
                const args = parseArgs(words, new Set(["--context", "-n", "--namespace"]));
                const c = cluster(flag(args, "--context"), at);
                const ns = flag(args, "-n", "--namespace");
                expectNamespace(c, ns, at);
                const [command, ...rest] = args.positionals;
                if (command === "status") {
                    assert.equal(rest[0], "certificate", at);
                    expectObject(c, "Certificate", ns, rest[1]!, at);
                } else if (command === "renew") {
                    expectObject(c, "Certificate", ns, rest[0]!, at);
                } else {
                    assert.deepEqual([command, ...rest], ["check", "api"], at);
                }
                checked++;
            }
        }
        return checked;
    };

    const settings = new Set(Object.keys(registry));

    /** Checks the pulumi and npm commands of the lines (stacks, settings, outputs); returns how many names it checked. */
    const checkPulumi = (lines: readonly Line[]): number => {
        const stacks = new Set(outputsByStack.keys());
        let checked = 0;
        for (const { line, at } of lines) {
            for (const words of invocations(line, "pulumi")) {
                const args = parseArgs(words, new Set(["-s", "--stack", "--policy-pack", "--secrets-provider"]));
                const stack = flag(args, "-s", "--stack");
                if (stack !== undefined) assert.ok(stacks.has(stack), `stack ${stack} is one the runbook creates: ${at}`);
                const [command, sub, ...rest] = args.positionals;
                if (command === "config" && sub !== undefined) {
                    const key = rest[0]!.replace(/[[.].*$/, "");
                    assert.ok(settings.has(key), `${key} is a setting of config/registry.ts: ${at}`);
                    if (sub === "set" && registry[key as keyof typeof registry].secret) assert.ok(args.switches.has("--secret"), `${key} is set with --secret: ${at}`);
                    checked++;
                }
                if (command === "stack" && sub === "output") {
                    assert.ok(stack !== undefined, at);
                    assert.ok(outputsByStack.get(stack)!.has(rest[0]!), `${stack} exports ${rest[0]}: ${at}`);
                    checked++;
                }
                if (command === "stack" && (sub === "init" || sub === "rm")) assert.ok(stacks.has(rest[0]!), `stack ${rest[0]} is one the runbook uses: ${at}`);
                if (command === "destroy" || command === "import" || command === "refresh") assert.ok(stack !== undefined, `names its stack: ${at}`);
                if (command === "preview" || command === "up") assert.ok(stack !== undefined, `names its stack: ${at}`);
                if (command === "preview") assert.equal(flag(args, "--policy-pack"), "policy", `previews with the policy pack: ${at}`);
            }
            for (const words of invocations(line, "npm")) {
                // npm run plan -- --stack NAME: the script's own arguments follow `--`.
                const args = parseArgs(words.slice(words.indexOf("--") + 1), new Set(["--stack"]));
                const stack = flag(args, "--stack");
                if (stack !== undefined) assert.ok(stacks.has(`acme/${stack}`), `npm run plan plans a stack of the runbook: ${at}`);
            }
        }
        return checked;
    };

    /** Checks the Route53 names of the aws and dig commands of the lines; returns how many aws commands there were. */
    const checkRoute53 = (lines: readonly Line[]): number => {
        const primary = clusters.get("cluster1")!.plan;
        const issuer = plain(primary.evaluation.resources.find((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer")!.inputs, { computedAs: undefined }) as any;
        const zoneName = issuer.spec.acme.solvers[0].selector.dnsZones[0] as string;
        const served = [...clusters.values()].flatMap((c) => ((outputsOf(c.plan).servedDomains ?? []) as { host: string }[]).map((d) => d.host));
        const challenges = [...clusters.values()].flatMap((c) => ((outputsOf(c.plan).tlsIdentifierSets ?? []) as { dnsNames: string[] }[]).flatMap((s) => s.dnsNames.map(challengeRecordName)));
        const known = new Set([...served, ...challenges]);
        let checked = 0;
        for (const { line, at } of lines) {
            for (const words of invocations(line, "aws")) {
                const args = parseArgs(words, new Set(["--record-name", "--query", "--dns-name", "--hosted-zone-id", "--id", "--name", "--cluster-name", "--namespace", "--service-account", "--addon-name", "--subnet-ids", "--role-name", "--output", "--max-items", "--record-type", "--target-group-arn"]));
                const record = flag(args, "--record-name");
                if (record !== undefined) assert.ok(known.has(record), `${record} is a served domain or a challenge record of a stack: ${at}`);
                for (const [, name] of (flag(args, "--query") ?? "").matchAll(/Name == '([^']+)\.'/g)) assert.ok(known.has(name!), `${name} is a served domain or a challenge record: ${at}`);
                const dnsName = flag(args, "--dns-name");
                if (dnsName !== undefined) assert.equal(dnsName, zoneName, at);
                if (args.positionals[1] === "list-pod-identity-associations") {
                    expectObject(clusters.get("cluster1")!, "ServiceAccount", flag(args, "--namespace"), flag(args, "--service-account")!, at);
                }
                checked++;
            }
            for (const words of invocations(line, "dig")) {
                for (const name of words.filter((w) => /^[a-z0-9_.-]+\.[a-z]+$/.test(w))) assert.ok(known.has(name) || name === zoneName, `dig asks for ${name}, a name of the stacks: ${at}`);
            }
        }
        return checked;
    };

    it("names, for every kubectl command, an existing cluster, namespace and object", () => {
        checkKubectl(shellLines);
    });

    it("names an existing cluster, namespace and workload in every istioctl and cmctl command", () => {
        const checked = checkTools(shellLines);
        assert.ok(checked > 10, `${checked} istioctl and cmctl commands`);
    });

    it("names only settings the program declares, and stack outputs it exports", () => {
        let checked = checkPulumi(shellLines);
        // Settings in the stack files it shows.
        for (const block of blocks.filter((b) => b.lang === "yaml")) {
            for (const key of Object.keys((parse(block.text) as { config: Record<string, unknown> }).config)) {
                assert.ok(settings.has(key.replace(/^mesh-ingress:/, "")), `${key} is a setting: docs/runbook.md:${block.line}`);
                checked++;
            }
        }
        // Identifiers in the prose: a setting, an output, or one of a few named fields of other tools.
        const outputs = new Set([...outputsByStack.values()].flatMap((s) => [...s]));
        const otherFields: Record<string, string> = {
            enableNetworkPolicy: "the Amazon VPC CNI add-on's configuration",
            publicAccessCidrs: "EKS resourcesVpcConfig",
            caCertificates: "Istio meshConfig.caCertificates",
            issuerRef: "cert-manager's Certificate spec",
            retainOnDelete: "a Pulumi resource option",
            logicalName: "Pulumi's import file",
            failurePolicy: "a Kubernetes admission webhook's field",
        };
        const prose = runbook.replace(/```[\s\S]*?```/g, "");
        for (const [, word] of prose.matchAll(/`([a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+)`/g)) {
            assert.ok(settings.has(word!) || outputs.has(word!) || word! in otherFields, `\`${word}\` is a setting, a stack output, or a field of another tool this test names`);
            checked++;
        }
        assert.ok(checked > 60, `${checked} names checked`);
    });

    /** The verbs that change a release, allowed only where the runbook recovers a failed or stuck one (9.4), and only waiting for the outcome. */
    const recoveryVerbs = ["rollback", "uninstall"];
    /** Checks every helm command of the lines: a cluster of the runbook, and a release that cluster's plan installs, in its namespace; returns how many. */
    const checkHelm = (lines: readonly Line[], recovery = false): number => {
        let checked = 0;
        for (const { line, at } of lines) {
            for (const words of invocations(line, "helm")) {
                const args = parseArgs(words, new Set(["--kube-context", "-n", "--namespace", "-o", "--output", "--max", "--timeout"]));
                const c = cluster(flag(args, "--kube-context"), at);
                const ns = flag(args, "-n", "--namespace");
                const [verb, ...rest] = args.positionals;
                const releases = c.plan.evaluation.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => inputsOf(r) as { name: string; namespace: string });
                if (verb === "list") {
                    assert.ok(args.switches.has("-A") || ns !== undefined, `helm list names a namespace or -A: ${at}`);
                } else {
                    if (recovery && recoveryVerbs.includes(verb!)) {
                        assert.ok(args.switches.has("--wait") && flag(args, "--timeout") !== undefined, `helm ${verb} waits, with a timeout: ${at}`);
                    } else {
                        assert.ok(["history", "status", "get"].includes(verb!), `a helm command the runbook uses on purpose (${verb}), read-only: ${at}`);
                    }
                    const name = verb === "get" ? rest[1] : rest[0];
                    assert.ok(releases.some((r) => r.name === name && r.namespace === ns), `release ${ns}/${name} is installed in ${c.context} (${releases.map((r) => `${r.namespace}/${r.name}`).join(", ")}): ${at}`);
                }
                checked++;
            }
        }
        return checked;
    };

    it("names, in every helm command, a cluster and a release its stack installs there", () => {
        const inRecovery = (l: Line): boolean => l.at.includes("(9.4 A Helm release failed or is stuck)");
        assert.ok(checkHelm(shellLines.filter((l) => !inRecovery(l))) >= 4);
        assert.equal(checkHelm(shellLines.filter(inRecovery), true), 5);
        assert.throws(() => checkHelm([{ line: "helm --kube-context cluster2 -n istio-system history istio-eastwestgateway-canary", at: "test" }]), /release istio-system\/istio-eastwestgateway-canary is installed in cluster2/);
        assert.throws(() => checkHelm([{ line: "helm --kube-context cluster1 -n cert-manager rollback cert-manager 3", at: "test" }]), /read-only/);
        assert.throws(() => checkHelm([{ line: "helm --kube-context cluster1 -n cert-manager rollback cert-manager 3", at: "test" }], true), /waits, with a timeout/);
        assert.throws(() => checkHelm([{ line: "helm -n istio-system status istiod", at: "test" }]), /names its cluster/);
    });

    /** The `pulumi <verb> -s STACK` and `config set KEY VALUE -s STACK` commands of one section, in order. */
    const sectionCommands = (heading: RegExp): { verb: string; stack: string | undefined; key?: string; value?: string; line: string }[] =>
        shellBlocks
            .filter((b) => heading.test(b.heading))
            .flatMap((b) => logicalLines(b.text))
            .flatMap((line) =>
                invocations(line, "pulumi").map((w) => {
                    const args = parseArgs(w, new Set(["-s", "--stack", "--policy-pack", "--import-file", "--file"]));
                    const [verb, sub, key, value] = args.positionals;
                    return verb === "config" ? { verb: `config ${sub!}`, stack: flag(args, "-s"), key: key!, value: value!, line } : { verb: verb!, stack: flag(args, "-s", "--stack") ?? (verb === "stack" ? key : undefined), line };
                }),
            );

    it("upgrades Istio primary first and one minor version at a time, and rolls back remotes first", () => {
        const commands = sectionCommands(/^12\. Upgrading Istio/);
        const ups = commands.filter((c) => c.verb === "up").map((c) => c.stack);
        assert.deepEqual(ups, ["acme/primary", "acme/remote", "acme/remote", "acme/primary"], "upgrade the primary, then the remote; roll back the remote, then the primary");
        const sets = commands.filter((c) => c.verb === "config set" && c.key === "istioVersion");
        const current = registry.istioVersion.default as string;
        const [target, targetRemote, rollbackRemote, rollbackPrimary] = sets;
        assert.deepEqual([target!.stack, targetRemote!.stack, rollbackRemote!.stack, rollbackPrimary!.stack], ["acme/primary", "acme/remote", "acme/remote", "acme/primary"]);
        assert.equal(semver.minor(target!.value!), semver.minor(current) + 1, `the upgrade goes one minor version up from ${current}`);
        assert.equal(targetRemote!.value, target!.value);
        assert.deepEqual([rollbackRemote!.value, rollbackPrimary!.value], [current, current], "the rollback returns to the pinned version");
        // What the program then accepts: between the steps, the remote one minor behind (a warning); never ahead under pulumi up.
        assert.equal(remoteVersionSkew(target!.value!, current, "p").kind, "behind");
        assert.equal(remoteVersionSkew(current, target!.value!, "p").kind, "ahead");
    });

    it("upgrades cert-manager one minor version at a time", () => {
        const set = sectionCommands(/^13\. Upgrading cert-manager/).find((c) => c.verb === "config set" && c.key === "certManagerVersion")!;
        const current = registry.certManagerVersion.default as string;
        assert.equal(semver.minor(set.value!), semver.minor(current) + 1);
        assert.equal(semver.patch(set.value!), 0);
    });

    it("tears down remotes first: out of the primary's remoteStacks, destroyed, then the primary", () => {
        const commands = sectionCommands(/^14\. Tearing down/).map((c) => `${c.verb} ${c.stack ?? ""}`.trim());
        assert.deepEqual(commands, ["config rm acme/primary", "up acme/primary", "destroy acme/remote", "destroy acme/primary", "stack acme/remote", "stack acme/primary"]);
    });

    /**
     * The import file `pulumi preview --import-file` writes for a stack with nothing deployed, as
     * the CLI builds it (pkg/cmd/pulumi/operations/preview.go, buildImportFile): one entry per
     * resource to create, in registration order, except the root stack and reads; components
     * flagged, providers without an id, every other resource with the id `<PLACEHOLDER>`;
     * parents and providers by name.
     */
    const importFileOf = (p: Planned): { resources: Record<string, unknown>[] } => {
        const nameOf = new Map(p.evaluation.resources.map((r) => [r.urn, r.name]));
        const root = p.evaluation.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
        const resources = p.evaluation.resources
            .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.read)
            .map((r) => ({
                type: r.type,
                name: r.name,
                ...(r.custom && !r.type.startsWith("pulumi:providers:") ? { id: "<PLACEHOLDER>" } : {}),
                ...(r.parent !== undefined && r.parent !== root ? { parent: nameOf.get(r.parent) } : {}),
                ...(r.provider !== undefined ? { provider: nameOf.get(r.provider) } : {}),
                ...(r.custom ? {} : { component: true }),
            }));
        assert.equal(new Set(resources.map((r) => r.name)).size, resources.length, "names are unique, so the import file keeps them as they are");
        return { resources };
    };

    it("adopts existing Helm releases with Pulumi's import file: the jq filters keep the releases, with their ids, and what they need", () => {
        const section = shellBlocks.filter((b) => /^15\. Adopting/.test(b.heading)).flatMap((b) => logicalLines(b.text));
        const jqOf = (marker: string): string[] => {
            const line = section.find((l) => l.includes(marker));
            assert.ok(line, `section 15 has the command with ${marker}`);
            return invocations(line, "jq")[0]!;
        };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-adopt-"));
        const run = (args: string[], input?: string): string => {
            const r = spawnSync("jq", args, { cwd: dir, input, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            return r.stdout;
        };
        // 1. The ids, from the offline plan's JSON document.
        fs.writeFileSync(path.join(dir, "adopt-ids.json"), run(jqOf("from_entries"), JSON.stringify(primaryPlan.document)));
        const ids = JSON.parse(fs.readFileSync(path.join(dir, "adopt-ids.json"), "utf8")) as Record<string, string>;
        const releases = primaryPlan.evaluation.resources
            .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
            .map((r) => ({ logical: r.name, release: (inputsOf(r) as { name: string }).name, namespace: (inputsOf(r) as { namespace: string }).namespace }));
        const adopted = releases.filter((r) => ["istio-base", "istiod"].includes(r.release));
        assert.deepEqual(ids, Object.fromEntries(adopted.map((r) => [r.logical, `${r.namespace}/${r.release}`])));
        assert.deepEqual(Object.values(ids).sort(), ["istio-system/istio-base", "istio-system/istiod"], "the import id of a Release is <namespace>/<release name>");
        // 2. Pulumi's import file, filtered.
        const importFile = importFileOf(primaryPlan);
        fs.writeFileSync(path.join(dir, "import.json"), JSON.stringify(importFile));
        const adopt = JSON.parse(run(jqOf("--slurpfile"))) as { resources: { type: string; name: string; id?: string; parent?: string; provider?: string; component?: boolean }[] };
        const custom = adopt.resources.filter((r) => !r.component && !r.type.startsWith("pulumi:providers:"));
        assert.deepEqual(Object.fromEntries(custom.map((r) => [r.name, r.id])), ids, "exactly the adopted releases, each with its id");
        assert.ok(!JSON.stringify(adopt).includes("<PLACEHOLDER>"));
        assert.ok(adopt.resources.some((r) => r.type === "pulumi:providers:kubernetes"), "the explicit Kubernetes provider is declared for the import");
        const names = new Set(adopt.resources.map((r) => r.name));
        for (const r of adopt.resources) {
            if (r.parent !== undefined) assert.ok(names.has(r.parent), `${r.name}'s parent ${r.parent} is in the file (the import creates it)`);
            if (r.provider !== undefined) assert.ok(names.has(r.provider), `${r.name}'s provider ${r.provider} is in the file`);
        }
        assert.ok(importFile.resources.length > adopt.resources.length + 20, "the other resources are left for pulumi up");
    });

    it("queries Route53 for names the stacks serve or validate, in their zone", () => {
        assert.ok(checkRoute53(shellLines) > 10);
    });

    it("catches the mistakes it is there for", () => {
        const wrong: [string, RegExp][] = [
            ["kubectl -n istio-system get svc istiod", /names its cluster with --context/],
            ["kubectl --context cluster9 -n istio-system get svc istiod", /--context cluster9 is one of/],
            ["kubectl --context cluster1 -n istio-system get svc istiod-remote", /Service istio-system\/istiod-remote exists in cluster1/],
            ["kubectl --context cluster2 -n istio-system get deployment istiod", /Deployment istio-system\/istiod exists in cluster2/],
            ["kubectl --context cluster1 -n ingress-nginx logs deployment/nginx-ingress-controller", /Deployment ingress-nginx\/nginx-ingress-controller exists/],
            ["kubectl --context cluster2 -n istio-system logs -l app=istio-proxy", /labelled app=istio-proxy/],
            ["kubectl --context cluster1 -n istio-system logs -l app=istiod -c istio-proxy", /have a container istio-proxy/],
            ["kubectl --context cluster1 get challenges", /a namespace \(-n\) for Challenge/],
            ["kubectl --context cluster1 -n shared-certs get secret example-com-tls", /namespace shared-certs exists/],
            ["kubectl --context cluster1 -n default get secret example-com-tls", /Secret default\/example-com-tls exists/],
            ["kubectl --context cluster1 -n istio-system get secret -l istio/cluster=cluster2", /labelled istio\/cluster=cluster2/],
            ["kubectl --context cluster1 -n api get endpointslices -l kubernetes.io/service-name=api-v3-service", /labelled kubernetes.io\/service-name=api-v3-service/],
            ["kubectl --context cluster1 -n ingress-nginx describe challenge example-com-1234", /names are generated/],
        ];
        for (const [line, message] of wrong) assert.throws(() => checkKubectl([{ line, at: "test" }]), message, line);
        assert.throws(() => checkTools([{ line: "istioctl --context cluster2 proxy-status", at: "test" }]), /istiod, which runs on the primary only/);
        assert.throws(() => checkTools([{ line: "cmctl status certificate wildcard-cert -n ingress-nginx --context cluster1", at: "test" }]), /Certificate ingress-nginx\/wildcard-cert exists/);
        assert.throws(() => checkPulumi([{ line: "pulumi config set acmeEnviroment production -s acme/primary", at: "test" }]), /acmeEnviroment is a setting/);
        assert.throws(() => checkPulumi([{ line: "pulumi config set istioCaKey -s acme/primary < ca-key.pem", at: "test" }]), /istioCaKey is set with --secret/);
        assert.throws(() => checkPulumi([{ line: "pulumi stack output discoveryAdress -s acme/primary", at: "test" }]), /exports discoveryAdress/);
        assert.throws(() => checkPulumi([{ line: "pulumi preview -s acme/primary", at: "test" }]), /previews with the policy pack/);
        assert.throws(() => checkRoute53([{ line: "aws route53 test-dns-answer --hosted-zone-id Z1 --record-name _acme-challenge.api.example.org --record-type TXT", at: "test" }]), /served domain or a challenge record/);
        // And the good forms pass.
        checkKubectl([{ line: "kubectl --context cluster1 -n istio-system logs -l app=istiod -c discovery --tail=-1", at: "test" }]);
        checkKubectl([{ line: "kubectl --context cluster3 -n istio-system get svc istio-eastwestgateway", at: "test" }]);
    });

    it("turns each of the article's eight checklist items into commands", () => {
        const section = runbook.slice(runbook.indexOf("## 8. The cert-manager checklist"), runbook.indexOf("## 9. Troubleshooting"));
        for (let item = 1; item <= 8; item++) {
            const start = section.indexOf(`**${item}. `);
            assert.ok(start >= 0, `item ${item} is in section 8`);
            const next = item < 8 ? section.indexOf(`**${item + 1}. `) : section.length;
            assert.match(section.slice(start, next), /```sh\n[\s\S]*?(kubectl|cmctl|aws|curl) /, `item ${item} has commands`);
        }
        // Every check runs in both clusters somewhere in the section.
        assert.match(section, /--context cluster1/);
        assert.match(section, /--context cluster2/);
    });

    it("corrects the article's troubleshooting commands, and shows the wrong ones only as quoted text", () => {
        const shell = shellBlocks.map((b) => b.text).join("\n");
        const wrong = ["app=istio-proxy", "15010/ready", "/stats/prometheus", "nginx-ingress-controller", "get endpoints "];
        for (const w of wrong) {
            assert.ok(!shell.includes(w), `no shell block runs the article's '${w}'`);
            assert.ok(runbook.includes(w), `the runbook names the article's '${w}' and says what to run instead`);
        }
        // The three cases check what the pinned versions need.
        const needed = [
            "istioctl --context cluster1 remote-clusters",
            "istioctl --context cluster1 proxy-status",
            ":15012",
            ":15017/inject",
            "istio-remote-secret-cluster2",
            "cmctl status certificate",
            "get certificaterequests,orders,challenges",
            "_acme-challenge.example.com",
            "/dbg backends",
            "endpointslices -l kubernetes.io/service-name=",
            "aws elbv2 describe-target-health",
            "validatingwebhookconfiguration ingress-nginx-admission",
        ];
        for (const n of needed) assert.ok(shell.includes(n), `a shell block runs '${n}'`);
    });

    it("reads the CA mode from the log lines istiod 1.30 writes, and names no removed switch", () => {
        const shell = shellBlocks.map((b) => b.text).join("\n");
        assert.ok(!shell.includes("plugged-in cert"), "istiod 1.30 no longer logs 'plugged-in cert'");
        assert.match(shell, /grep -m1 -E 'Use local CA certificate\|Use self-signed certificate as the CA certificate'/);
        assert.ok(!runbook.includes("AUTO_RELOAD_PLUGIN_CERTS"), "removed from Istio (release note drop-reload-plugin-certs)");
    });

    it("is linked from the README", () => {
        assert.match(fs.readFileSync(path.join(projectDir, "README.md"), "utf8"), /^## Runbook\n\n\[docs\/runbook\.md\]\(docs\/runbook\.md\)/m);
    });

    it("follows the rollout order primary, remote, primary", () => {
        const ups = shellLines.flatMap(({ line }) => invocations(line, "pulumi").filter((w) => w[0] === "up").map((w) => flag(parseArgs(w, new Set(["-s"])), "-s")));
        assert.deepEqual(ups.slice(0, 3), ["acme/primary", "acme/remote", "acme/primary"]);
    });
});

describe("the shell reader the runbook test uses", () => {
    it("splits commands, keeps quoted words whole, and reads substitutions as commands", () => {
        assert.deepEqual(commandWords(`kubectl --context cluster1 -n a get svc x -o jsonpath='{.a b}' | grep -i "x y"`), [
            ["kubectl", "--context", "cluster1", "-n", "a", "get", "svc", "x", "-o", "jsonpath={.a b}"],
            ["grep", "-i", "x y"],
        ]);
        assert.deepEqual(commandWords(`X=$(pulumi stack output a -s acme/primary)`), [["pulumi", "stack", "output", "a", "-s", "acme/primary"], ["X=$(pulumi stack output a -s acme/primary)"]]);
        assert.deepEqual(invocations(`for tg in $(kubectl --context c get tgb -o x); do aws elbv2 d --arn "$tg"; done`, "kubectl"), [["--context", "c", "get", "tgb", "-o", "x"]]);
        assert.deepEqual(invocations(`curl --resolve "a:443:$(dig +short "$N" | head -n1)" https://a/`, "dig"), [["+short", "$N"]]);
        assert.deepEqual(commandWords(`aws eks describe-cluster --name <eks-cluster1> 2>/dev/null`), [["aws", "eks", "describe-cluster", "--name", "<eks-cluster1>"]]);
        assert.deepEqual(commandWords(`pulumi config set --secret k < file.pem`), [["pulumi", "config", "set", "--secret", "k"]]);
    });

    it("reads fenced blocks, indented ones included, and joins continued lines", () => {
        const md = "# A\n\n```sh\nkubectl get \\\n  pods\n# a comment\n```\n\n1. step\n\n   ```yaml\n   a: 1\n   ```\n";
        const found = fencedBlocks(md);
        assert.deepEqual(found.map((b) => [b.lang, b.heading, b.line]), [["sh", "A", 3], ["yaml", "A", 11]]);
        assert.equal(found[1]!.text, "a: 1");
        assert.deepEqual(logicalLines(found[0]!.text), ["kubectl get pods"]);
    });

    it("parses flags with and without values", () => {
        const args = parseArgs(["--context", "c", "-n=x", "get", "-A", "svc", "--", "sh"], new Set(["--context", "-n"]));
        assert.deepEqual([flag(args, "--context"), flag(args, "-n"), [...args.switches], args.positionals, args.rest], ["c", "x", ["-A"], ["get", "svc"], ["sh"]]);
    });
});
