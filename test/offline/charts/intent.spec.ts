import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import type { RenderedObject } from "../../../offline/charts/objects";
import { samplesDir } from "../../../offline/samples";
import { at } from "../../../policy/helpers";
import { selectorOf, selects } from "../../../policy/selectors";
import { controllerArgs } from "../../support/chart-defects";
import { podSets } from "../../support/cross-references";
import { rendered, renderedVariant, stackFiles, type RenderedStack } from "../../support/render";

/**
 * What each stack file deploys, read from what Helm renders for it plus the program's own
 * objects: the exact values a user depends on (replica counts, selectors, budgets, ports,
 * webhook addresses and trust, annotations, controller flags). The expected values are
 * written out per stack file below; a stack file without an entry fails the first test.
 */

interface Intent {
    /** The stack's network (topology.istio.io/network). */
    readonly network: string;
    /** istiod on this cluster (a primary); undefined for a remote. */
    readonly istiod?: { readonly replicas: number; readonly pdbMinAvailable: number };
    readonly eastWest: { readonly minReplicas: number; readonly maxReplicas: number; readonly pdbMinAvailable: number };
    readonly certManager: { readonly replicas: number };
    /** The NGINX edge; undefined when the stack runs only the Gateway API edge. */
    readonly nginx?: { readonly defaultCertificate: string; readonly minReplicas: number; readonly maxReplicas: number; readonly cpu: number };
    /** The Gateway API edge (the Gateway's name and namespace). */
    readonly gatewayApi?: { readonly name: string; readonly namespace: string; readonly minReplicas: number; readonly maxReplicas: number; readonly cpu: number };
}

/** The defaults (istiodReplicas 3, istiodPdbMinAvailable 2, east-west 2 to 5, cert-manager 2, edge 3 to 10 at 70%) with each stack file's own values. */
const intents: Readonly<Record<string, Intent>> = {
    primary: {
        network: "network1",
        istiod: { replicas: 3, pdbMinAvailable: 2 },
        eastWest: { minReplicas: 2, maxReplicas: 5, pdbMinAvailable: 1 },
        certManager: { replicas: 2 },
        nginx: { defaultCertificate: "ingress-nginx/example-com-tls", minReplicas: 3, maxReplicas: 10, cpu: 70 },
    },
    remote: {
        network: "network2",
        eastWest: { minReplicas: 2, maxReplicas: 5, pdbMinAvailable: 1 },
        certManager: { replicas: 2 },
        nginx: { defaultCertificate: "ingress-nginx/api-example-com-tls", minReplicas: 3, maxReplicas: 10, cpu: 70 },
    },
    "primary-gateway-api": {
        network: "network1",
        istiod: { replicas: 3, pdbMinAvailable: 2 },
        eastWest: { minReplicas: 2, maxReplicas: 5, pdbMinAvailable: 1 },
        certManager: { replicas: 2 },
        gatewayApi: { name: "edge", namespace: "istio-ingress", minReplicas: 3, maxReplicas: 10, cpu: 70 },
    },
};

/** What the primary exports to its remotes (offline/samples/primary.yaml, as the stack reference reads it). */
const primaryOutputs = (parseYaml(fs.readFileSync(path.join(samplesDir, "primary.yaml"), "utf8")) as { outputs: { caRootCert: string; discoveryAddress: string } }).outputs;

const templateLabels = (o: RenderedObject): Record<string, string> => (at(o, "spec.template.metadata.labels") ?? {}) as Record<string, string>;
/** The pod sets (rendered workloads) a selector selects in a namespace, by description. */
const selected = (objects: readonly RenderedObject[], namespace: string | undefined, selector: unknown): string[] =>
    podSets(objects)
        .filter((p) => p.namespace === namespace && selects(selectorOf(selector) ?? {}, p.labels))
        .map((p) => p.describe);
/** An HPA's CPU utilisation target and its other metrics. */
const cpuTarget = (hpa: RenderedObject): unknown => ((at(hpa, "spec.metrics") ?? []) as unknown[]).map((m) => [at(m, "resource.name"), at(m, "resource.target.averageUtilization")]);

describe("what every stack file deploys, on rendered objects", function () {
    this.timeout(120000);

    it("has the intended values of every stack file of the repository", () => {
        assert.deepEqual(stackFiles().map((s) => s.stack).sort(), Object.keys(intents).sort());
    });

    for (const { stack } of stackFiles()) {
        const intent = intents[stack];
        if (intent === undefined) continue;
        describe(stack, () => {
            let render: RenderedStack;
            before(async () => {
                render = await rendered(stack);
            });

            if (intent.istiod) {
                const want = intent.istiod;
                it(`istiod: ${want.replicas} replicas and no HPA, one per node (required anti-affinity on its own pods), its PDB, one-at-a-time rollout`, () => {
                    const istiod = render.one("Deployment", "istiod", "istio-system");
                    assert.equal(istiod.spec?.replicas, want.replicas);
                    assert.equal(render.all("HorizontalPodAutoscaler").filter((h) => h.spec?.scaleTargetRef.name === "istiod").length, 0);
                    const required = istiod.spec?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
                    assert.deepEqual(required.map((t) => t.topologyKey), ["kubernetes.io/hostname"]);
                    assert.deepEqual(selected(render.objects, "istio-system", required[0]!.labelSelector), ["Deployment istio-system/istiod"]);
                    assert.ok(selects(selectorOf(required[0]!.labelSelector)!, templateLabels(istiod)));
                    const preferred = istiod.spec?.template.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
                    assert.deepEqual(preferred.map((t) => [t.podAffinityTerm.topologyKey, selects(selectorOf(t.podAffinityTerm.labelSelector)!, templateLabels(istiod))]), [["topology.kubernetes.io/zone", true]]);
                    const pdbs = render.all("PodDisruptionBudget").filter((b) => b.metadata.namespace === "istio-system" && selects(selectorOf(b.spec?.selector)!, templateLabels(istiod)));
                    assert.deepEqual(pdbs.map((b) => [b.metadata.name, b.spec?.minAvailable, b.spec?.maxUnavailable]), [["istiod", want.pdbMinAvailable, undefined]]);
                    assert.deepEqual(istiod.spec?.strategy, { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
                    // Rolling one pod down never goes below the PDB.
                    assert.ok(want.replicas - 1 >= want.pdbMinAvailable);
                });
            } else {
                it("remote: no istiod pods; injection and validation webhooks call the primary's istiod at its east-west address, trust the mesh root, fail closed", () => {
                    assert.deepEqual(podSets(render.objects).filter((p) => p.namespace === "istio-system").map((p) => p.describe), ["Deployment istio-system/istio-eastwestgateway"]);
                    const bundle = Buffer.from(primaryOutputs.caRootCert).toString("base64");
                    const base = `https://${primaryOutputs.discoveryAddress}:15017`;
                    const webhooks = [...render.all("MutatingWebhookConfiguration"), ...render.all("ValidatingWebhookConfiguration")]
                        .filter((c) => c.metadata.name.startsWith("istio"))
                        .flatMap((c) => (c.webhooks ?? []).map((w) => [c.metadata.name, w.name, w.clientConfig.url, w.clientConfig.caBundle === bundle, w.failurePolicy]))
                        .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
                    assert.deepEqual(webhooks, [
                        ...["rev.namespace", "rev.object", "namespace", "object"].map((n) => ["istio-sidecar-injector", `${n}.sidecar-injector.istio.io`, `${base}/inject/cluster/cluster2/net/${intent.network}`, true, "Fail"]),
                        ["istio-validator-istio-system", "rev.validation.istio.io", `${base}/validate`, true, "Fail"],
                        ["istiod-default-validator", "validation.istio.io", `${base}/validate`, true, "Fail"],
                    ]);
                });

                it("remote: istio-reader-service-account is rendered, bound to the reader ClusterRole, and the program's token Secret is for it", () => {
                    const account = render.one("ServiceAccount", "istio-reader-service-account", "istio-system");
                    const bindings = render.all("ClusterRoleBinding").filter((b) => (b.subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === account.metadata.name && s.namespace === "istio-system"));
                    assert.deepEqual(bindings.map((b) => b.roleRef.name), ["istio-reader-clusterrole-istio-system"]);
                    const token = render.program.one("Secret", "istio-reader-service-account-token", "istio-system");
                    assert.equal(token.type, "kubernetes.io/service-account-token");
                    assert.equal(token.metadata.annotations?.["kubernetes.io/service-account.name"], account.metadata.name);
                });
            }

            it(`east-west gateway on ${intent.network}: pod labels, HPA ${intent.eastWest.minReplicas}-${intent.eastWest.maxReplicas} and no replicas, its PDB, the program's Service on the chart's networkGateway ports`, async () => {
                const gateway = render.one("Deployment", "istio-eastwestgateway", "istio-system");
                const labels = templateLabels(gateway);
                assert.equal(labels["topology.istio.io/network"], intent.network);
                assert.deepEqual([labels["app"], labels["istio"]], ["istio-eastwestgateway", "eastwestgateway"]);
                assert.equal(gateway.spec?.replicas, undefined);
                const hpa = render.one("HorizontalPodAutoscaler", "istio-eastwestgateway", "istio-system");
                assert.deepEqual([hpa.spec?.scaleTargetRef.name, hpa.spec?.minReplicas, hpa.spec?.maxReplicas], ["istio-eastwestgateway", intent.eastWest.minReplicas, intent.eastWest.maxReplicas]);
                const pdb = render.one("PodDisruptionBudget", "istio-eastwestgateway", "istio-system");
                assert.deepEqual([pdb.spec?.minAvailable, selected(render.objects, "istio-system", pdb.spec?.selector)], [intent.eastWest.pdbMinAvailable, ["Deployment istio-system/istio-eastwestgateway"]]);
                // The program owns the Service (the chart's is off); it must carry what the chart itself renders for a network gateway.
                assert.equal(render.find("Service", "istio-eastwestgateway"), undefined);
                const service = render.program.one("Service", "istio-eastwestgateway", "istio-system");
                assert.equal(service.metadata.labels?.["topology.istio.io/network"], intent.network);
                const chartService = (
                    await renderedVariant(render, "mesh-eastwest-release", (v) => {
                        v.service = { type: "LoadBalancer" };
                    })
                ).one("Service", "istio-eastwestgateway");
                const ports = (s: RenderedObject): unknown => ((at(s, "spec.ports") ?? []) as { name: string; port: number; targetPort: number }[]).map((p) => [p.name, p.port, p.targetPort]);
                assert.deepEqual(ports(service), ports(chartService));
                assert.deepEqual(service.spec?.selector, chartService.spec?.selector);
            });

            it(`cert-manager: CRDs kept on uninstall, ${intent.certManager.replicas} replicas of each part with a PDB, the controller's account annotated with the DNS-01 role`, () => {
                const release = render.release("cert-manager-release");
                const crds = release.all("CustomResourceDefinition");
                assert.deepEqual(crds.map((c) => c.metadata.name).sort(), ["certificaterequests.cert-manager.io", "certificates.cert-manager.io", "challenges.acme.cert-manager.io", "clusterissuers.cert-manager.io", "issuers.cert-manager.io", "orders.acme.cert-manager.io"]);
                assert.ok(crds.every((c) => c.metadata.annotations?.["helm.sh/resource-policy"] === "keep"));
                for (const name of ["cert-manager", "cert-manager-webhook", "cert-manager-cainjector"]) {
                    const d = release.one("Deployment", name, "cert-manager");
                    assert.equal(d.spec?.replicas, intent.certManager.replicas, name);
                    const budgets = release.all("PodDisruptionBudget").filter((b) => selects(selectorOf(b.spec?.selector)!, templateLabels(d)));
                    assert.deepEqual(budgets.map((b) => b.spec?.minAvailable), [1], name);
                }
                const controller = release.one("Deployment", "cert-manager", "cert-manager");
                const account = release.one("ServiceAccount", controller.spec!.template.spec!.serviceAccountName!, "cert-manager");
                assert.equal(account.metadata.name, "cert-manager");
                assert.match(account.metadata.annotations?.["eks.amazonaws.com/role-arn"] ?? "", /^arn:aws:iam::123456789012:role\/cm-dns01-cluster\d-/);
            });

            it("Istio base: its 15 CRDs kept on uninstall", () => {
                const crds = render.release("mesh-base").all("CustomResourceDefinition");
                assert.equal(crds.length, 15);
                assert.deepEqual(crds.filter((c) => c.metadata.annotations?.["helm.sh/resource-policy"] !== "keep").map((c) => c.metadata.name), []);
            });

            if (intent.nginx) {
                const want = intent.nginx;
                it("ingress-nginx: ConfigMap with HTTPS redirect and HSTS, snippets off (no allow-snippet-annotations, no snippet, risk level at its default)", () => {
                    const data = render.one("ConfigMap", "ingress-nginx-controller", "ingress-nginx").data ?? {};
                    assert.deepEqual([data["ssl-redirect"], data["hsts"], data["hsts-max-age"], data["hsts-include-subdomains"], data["hsts-preload"]], ["true", "true", "31536000", "true", "false"]);
                    assert.deepEqual(Object.keys(data).filter((k) => k === "allow-snippet-annotations" || k === "annotations-risk-level" || k.endsWith("snippet")), []);
                });

                it(`ingress-nginx: --publish-service and --default-ssl-certificate ${want.defaultCertificate}, chart HPA ${want.minReplicas}-${want.maxReplicas} at ${want.cpu}% CPU, PDB one down, the program's NetworkPolicy on the controller`, () => {
                    const args = controllerArgs(render.objects);
                    assert.deepEqual(args.filter((a) => /^--(publish-service|default-ssl-certificate)=/.test(a)), [`--default-ssl-certificate=${want.defaultCertificate}`, "--publish-service=ingress-nginx/ingress-nginx-controller"]);
                    const hpa = render.one("HorizontalPodAutoscaler", "ingress-nginx-controller", "ingress-nginx");
                    assert.equal(hpa.apiVersion, "autoscaling/v2");
                    assert.deepEqual([hpa.spec?.scaleTargetRef.name, hpa.spec?.minReplicas, hpa.spec?.maxReplicas, cpuTarget(hpa)], ["ingress-nginx-controller", want.minReplicas, want.maxReplicas, [["cpu", want.cpu]]]);
                    const pdb = render.one("PodDisruptionBudget", "ingress-nginx-controller", "ingress-nginx");
                    assert.deepEqual([pdb.spec?.maxUnavailable, selected(render.objects, "ingress-nginx", pdb.spec?.selector)], [1, ["Deployment ingress-nginx/ingress-nginx-controller"]]);
                    const policy = render.program.one("NetworkPolicy", "ingress-nginx-controller", "ingress-nginx");
                    assert.deepEqual(selected(render.objects, "ingress-nginx", policy.spec?.podSelector), ["Deployment ingress-nginx/ingress-nginx-controller"]);
                    assert.equal(render.one("Service", "ingress-nginx-controller-admission", "ingress-nginx").spec?.type, "ClusterIP");
                    assert.equal(render.find("Service", "ingress-nginx-controller", "ingress-nginx"), undefined, "the chart's own controller Service is off");
                });

                it("ingress-nginx: no Istio injection webhook selects the controller's pods (no sidecar), unless its namespace asks for one", function () {
                    const injector = render.find("MutatingWebhookConfiguration", "istio-sidecar-injector");
                    if (injector === undefined) this.skip();
                    const controller = render.one("Deployment", "ingress-nginx-controller", "ingress-nginx");
                    const namespace = render.program.one("Namespace", "ingress-nginx");
                    const injecting = (namespaceLabels: Record<string, string>): string[] =>
                        (injector.webhooks ?? [])
                            .filter((w) => selects(selectorOf(w.namespaceSelector) ?? {}, namespaceLabels) && selects(selectorOf(w.objectSelector) ?? {}, templateLabels(controller)))
                            .map((w) => w.name);
                    // The API server labels every namespace with its name.
                    const labels = { ...(namespace.metadata.labels ?? {}), "kubernetes.io/metadata.name": "ingress-nginx" };
                    assert.deepEqual(injecting(labels), []);
                    assert.deepEqual(injecting({ ...labels, "istio-injection": "enabled" }), ["namespace.sidecar-injector.istio.io"]);
                });
            } else {
                it("no ingress-nginx release", () => {
                    assert.deepEqual(render.releases.filter((r) => r.release.chart === "ingress-nginx").map((r) => r.release.resource), []);
                });
            }

            if (intent.gatewayApi) {
                const want = intent.gatewayApi;
                it(`Gateway API edge: the program's Gateway and its overlays (HPA ${want.minReplicas}-${want.maxReplicas} at ${want.cpu}%, PDB one down, spread over its own pods); istiod's gateway template labels and owns the rest`, () => {
                    // istiod creates the gateway's Deployment, Service, HPA and PDB from the Gateway at run time: no chart renders them.
                    const gateway = render.program.all("Gateway").filter((g) => g.apiVersion.startsWith("gateway.networking.k8s.io/"));
                    assert.deepEqual(gateway.map((g) => [g.metadata.namespace, g.metadata.name, at(g, "spec.gatewayClassName")]), [[want.namespace, want.name, "istio"]]);
                    const ref = at(gateway[0], "spec.infrastructure.parametersRef") as { kind: string; name: string };
                    const options = render.program.one("ConfigMap", ref.name, want.namespace);
                    assert.equal(ref.kind, "ConfigMap");
                    const overlay = (key: string): unknown => parseYaml(String(options.data?.[key]));
                    const hpa = overlay("horizontalPodAutoscaler");
                    const metrics = ((at(hpa, "spec.metrics") ?? []) as unknown[]).map((m) => [at(m, "resource.name"), at(m, "resource.target.averageUtilization")]);
                    assert.deepEqual([at(hpa, "spec.minReplicas"), at(hpa, "spec.maxReplicas"), metrics], [want.minReplicas, want.maxReplicas, [["cpu", want.cpu]]]);
                    assert.deepEqual(at(overlay("podDisruptionBudget"), "spec"), { maxUnavailable: 1 });
                    assert.equal(at(overlay("deployment"), "spec.replicas"), undefined);
                    const pod = at(overlay("deployment"), "spec.template.spec");
                    const terms = (path: string): unknown[] => (at(pod, path) ?? []) as unknown[];
                    const selectors = [
                        ...terms("affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution").map((t) => at(t, "podAffinityTerm.labelSelector")),
                        ...terms("topologySpreadConstraints").map((t) => at(t, "labelSelector")),
                    ];
                    assert.equal(selectors.length, 3);
                    for (const s of selectors) assert.deepEqual(s, { matchLabels: { "gateway.networking.k8s.io/gateway-name": want.name } });
                    // istiod's own template (the rendered istio-sidecar-injector ConfigMap, `kube-gateway`): the pods carry that label with the Gateway's name, its Deployment has no replicas, and it has the HPA and PDB the overlays fill in.
                    const templates = parseYaml(String(render.one("ConfigMap", "istio-sidecar-injector", "istio-system").data?.["config"])).templates as Record<string, string>;
                    const kubeGateway = templates["kube-gateway"]!;
                    const deployment = kubeGateway.split(/^---$/m).find((d) => /^kind: Deployment$/m.test(d))!;
                    const podLabels = /\n {4}metadata:\n[\s\S]*?\n {6}labels:\n([\s\S]*?)\n {4}spec:/.exec(deployment.slice(deployment.indexOf("  template:")))?.[1] ?? "";
                    assert.match(podLabels, /"gateway\.networking\.k8s\.io\/gateway-name" \.Name/);
                    assert.doesNotMatch(deployment, /^\s+replicas:/m);
                    assert.deepEqual(kubeGateway.split(/^---$/m).map((d) => /^kind: (\w+)$/m.exec(d)?.[1]), ["ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"]);
                });
            }
        });
    }

    describe("the chart renders what these tests read only when asked", () => {
        it("ingress-nginx: allowSnippetAnnotations true renders allow-snippet-annotations (so its absence means off)", async () => {
            const on = await renderedVariant(await rendered("primary"), "edge-release", (v) => {
                v.controller.allowSnippetAnnotations = true;
            });
            assert.equal(on.one("ConfigMap", "ingress-nginx-controller").data?.["allow-snippet-annotations"], "true");
        });
    });
});
