import * as assert from "node:assert/strict";
import { parse } from "yaml";
import type { StackSample } from "../../offline/engine";
import { anotherRemote, readSamples, sampleLookup } from "../../offline/samples";
import { containsSecret } from "../../offline/values";
import { inputsOf, isSecretInput, ofType, one, outputsOf, planned, plannedOnce, rejected, type Planned } from "../support/plan";
import { invalidObjects } from "../support/schemas";

const release = "kubernetes:helm.sh/v3:Release";
const gatewayType = "kubernetes:networking.istio.io/v1:Gateway";
const remoteSample = readSamples().get("acme/mesh-ingress/remote")!;

/** A remote stack's sample outputs, as a deployed remote `<cluster>` on `<network>` would export them. */
function remoteOutputs(cluster: string, network: string): StackSample {
    return anotherRemote(remoteSample, cluster, network, `test sample for ${cluster}`);
}

/** The plan's warnings about the mesh (the edge's retirement notice left out). */
function meshWarnings(p: Planned): readonly string[] {
    return p.document.warnings.filter((w) => !w.startsWith("ingress-nginx is retired"));
}

function dependsOn(p: Planned, type: string, name: string): string[] {
    return p.document.resources.find((r) => r.type === type && r.name === name)?.dependsOn.slice() ?? assert.fail(`${name} not planned`);
}

describe("the primary's mesh (IstioPrimary)", () => {
    let p: Planned;
    before(async () => {
        p = await plannedOnce("primary");
    });

    it("labels istio-system with the cluster's network", () => {
        const ns = inputsOf(one(p, "kubernetes:core/v1:Namespace", "mesh-namespace"));
        assert.deepEqual(ns.metadata, { name: "istio-system", labels: { "topology.istio.io/network": "network1" } });
    });

    it("installs base, istiod and the east-west gateway at one pinned version from the Istio repository", () => {
        const releases = ofType(p, release).map(inputsOf).filter((r) => r.namespace === "istio-system");
        assert.deepEqual(releases.map((r): unknown[] => [r.name, r.chart, r.version, r.repositoryOpts?.repo, r.namespace]).sort(), [
            ["istio-base", "base", "1.30.5", "https://istio-release.storage.googleapis.com/charts", "istio-system"],
            ["istio-eastwestgateway", "gateway", "1.30.5", "https://istio-release.storage.googleapis.com/charts", "istio-system"],
            ["istiod", "istiod", "1.30.5", "https://istio-release.storage.googleapis.com/charts", "istio-system"],
        ]);
        assert.deepEqual(inputsOf(one(p, release, "mesh-base")).values, { global: { externalIstiod: true } });
    });

    it("gives istiod the mesh identity and an HA setup that takes effect", () => {
        const values = inputsOf(one(p, release, "mesh-istiod")).values;
        assert.deepEqual(values.global, { meshID: "mesh1", multiCluster: { clusterName: "cluster1" }, network: "network1", externalIstiod: true });
        // replicaCount is only rendered into the Deployment when autoscaling is off.
        assert.equal(values.autoscaleEnabled, false);
        assert.equal(values.replicaCount, 3);
        assert.deepEqual(values.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
            { labelSelector: { matchLabels: { app: "istiod" } }, topologyKey: "kubernetes.io/hostname" },
        ]);
        assert.deepEqual(values.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution, [
            { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: "istiod" } }, topologyKey: "topology.kubernetes.io/zone" } },
        ]);
        assert.deepEqual(values.pdb, { minAvailable: 2 });
        // One pod at a time: the chart's default (maxSurge 100%, maxUnavailable 25% = 0 of 3)
        // never progresses under the required anti-affinity on exactly 3 nodes.
        assert.equal(values.rollingMaxSurge, 0);
        assert.equal(values.rollingMaxUnavailable, 1);
        assert.deepEqual(values.resources, { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } });
        // Known only once the load balancer exists (see the next tests): computed in a preview.
        assert.deepEqual(Object.keys(values.env), ["ISTIOD_CUSTOM_HOST"]);
        assert.equal(values.env.ISTIOD_CUSTOM_HOST, undefined);
        assert.equal(values.pilot, undefined, "pilot.* is not read by the 1.24+ chart");
        // No second PodDisruptionBudget over istiod's pods: only the chart's own.
        assert.deepEqual(ofType(p, "kubernetes:policy/v1:PodDisruptionBudget"), []);
    });

    it("deploys the east-west gateway as the network's gateway, with 2+ replicas and a PDB, behind its own NLB Service", () => {
        const values = inputsOf(one(p, release, "mesh-eastwest-release")).values;
        assert.equal(values.name, "istio-eastwestgateway");
        assert.equal(values.networkGateway, "network1");
        assert.deepEqual(values.labels, { app: "istio-eastwestgateway", istio: "eastwestgateway" });
        assert.deepEqual(values.autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 5 });
        assert.deepEqual(values.podDisruptionBudget, { minAvailable: 1 });
        assert.deepEqual(values.service, { type: "None" });

        const service = inputsOf(one(p, "kubernetes:core/v1:Service", "mesh-eastwest-service"));
        assert.equal(service.metadata.name, "istio-eastwestgateway");
        assert.deepEqual(service.metadata.labels, { app: "istio-eastwestgateway", istio: "eastwestgateway", "topology.istio.io/network": "network1" });
        assert.deepEqual(service.metadata.annotations, {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            // Internal by default: istiod's 15012/15017 and the mesh's 15443 stay off the Internet.
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}",
        });
        assert.equal(service.spec.type, "LoadBalancer");
        assert.equal(service.spec.externalTrafficPolicy, "Local");
        assert.deepEqual(service.spec.selector, { app: "istio-eastwestgateway", istio: "eastwestgateway" });
        assert.deepEqual(service.spec.ports.map((x: { name: string; port: number }) => [x.name, x.port]), [
            ["status-port", 15021], ["tls", 15443], ["tls-istiod", 15012], ["tls-webhook", 15017],
        ]);
        assert.equal(service.spec.loadBalancerSourceRanges, undefined);
    });

    it("sets the mesh-wide mTLS mode: PeerAuthentication default in istio-system, PERMISSIVE while the NGINX edge is outside the mesh", () => {
        const peer = one(p, "kubernetes:security.istio.io/v1:PeerAuthentication");
        assert.deepEqual(inputsOf(peer), { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "PERMISSIVE" } } });
        assert.ok(peer.dependencies.includes(one(p, release, "mesh-istiod").urn), "after istiod (its CRDs)");
    });

    it("exposes the mesh (15443, AUTO_PASSTHROUGH, *.local) and istiod (15012, 15017, PASSTHROUGH) on the east-west gateway", () => {
        const gateways = Object.fromEntries(ofType(p, gatewayType).map((r) => [inputsOf(r).metadata.name, inputsOf(r).spec]));
        assert.deepEqual(gateways["cross-network-gateway"], {
            selector: { istio: "eastwestgateway" },
            servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["*.local"] }],
        });
        assert.deepEqual(gateways["istiod-gateway"].servers.map((s: { port: { number: number }; tls: { mode: string }; hosts: string[] }) => [s.port.number, s.tls.mode, s.hosts]), [
            [15012, "PASSTHROUGH", ["*"]],
            [15017, "PASSTHROUGH", ["*"]],
        ]);
        const vs = inputsOf(one(p, "kubernetes:networking.istio.io/v1:VirtualService")).spec;
        assert.deepEqual(vs.gateways, ["istiod-gateway"]);
        assert.deepEqual(vs.tls.map((t: { match: { port: number }[]; route: { destination: { host: string; port: { number: number } } }[] }) => [t.match[0]!.port, t.route[0]!.destination.host, t.route[0]!.destination.port.number]), [
            [15012, "istiod.istio-system.svc.cluster.local", 15012],
            [15017, "istiod.istio-system.svc.cluster.local", 443],
        ]);
    });

    it("scrapes istiod's metrics port every 15 s", () => {
        const monitor = inputsOf(one(p, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"));
        assert.deepEqual(monitor.metadata, { name: "istiod", namespace: "istio-system" });
        assert.deepEqual(monitor.spec, {
            namespaceSelector: { matchNames: ["istio-system"] },
            selector: { matchLabels: { app: "istiod", istio: "pilot" } },
            endpoints: [{ port: "http-monitoring", path: "/metrics", interval: "15s" }],
        });
    });

    it("waits only where it must: base before istiod, istiod before the gateway's pods and the Istio resources", () => {
        // Every object also waits for the namespace, through its name.
        const ns = "mesh-namespace";
        assert.deepEqual(dependsOn(p, release, "mesh-base"), [ns]);
        // istiod: base, and the load balancer whose hostname goes into its certificate.
        assert.deepEqual(dependsOn(p, release, "mesh-istiod").sort(), ["mesh-base", "mesh-eastwest-service", ns]);
        assert.deepEqual(dependsOn(p, release, "mesh-eastwest-release").sort(), ["mesh-istiod", ns]);
        for (const name of ["mesh-cross-network-gateway", "mesh-istiod-gateway"]) assert.deepEqual(dependsOn(p, gatewayType, name).sort(), ["mesh-istiod", ns]);
        assert.deepEqual(dependsOn(p, "kubernetes:networking.istio.io/v1:VirtualService", "mesh-istiod-virtualservice").sort(), ["mesh-istiod", ns]);
        // The load balancer and the monitor start right away.
        assert.deepEqual(dependsOn(p, "kubernetes:core/v1:Service", "mesh-eastwest-service"), [ns]);
        assert.deepEqual(dependsOn(p, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "mesh-istiod-monitor"), [ns]);
    });

    it("creates only objects that conform to the upstream schemas", async () => {
        assert.deepEqual(await invalidObjects(p.evaluation.resources), []);
        const validated = p.evaluation.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"));
        assert.ok(validated.length >= 7, `validated ${validated.length} objects`);
    });

    it("exports what the remotes read, with computed values known after deployment", async () => {
        const out = outputsOf(p);
        assert.equal(out.meshId, "mesh1");
        assert.equal(out.clusterName, "cluster1");
        assert.equal(out.network, "network1");
        assert.equal(out.istioVersion, "1.30.5");
        assert.equal(out.caMode, "self-signed");
        const up = outputsOf(await plannedOnce("primary", undefined, { up: true }));
        assert.equal(up.discoveryAddress, "mesh-eastwest-service-0123456789abcdef.elb.us-east-1.amazonaws.com");
        assert.match(up.caRootCert, /^-----BEGIN CERTIFICATE-----/);
    });

    it("puts the load balancer's hostname into istiod's certificate, for remotes that call its webhooks by name", async () => {
        const up = await planned("primary", { up: true, overrides: { set: { istiodCustomHosts: ["istiod.mesh.example.com"] } } });
        assert.deepEqual(inputsOf(one(up, release, "mesh-istiod")).values.env, {
            ISTIOD_CUSTOM_HOST: "istiod.mesh.example.com,mesh-eastwest-service-0123456789abcdef.elb.us-east-1.amazonaws.com",
        });
    });

    it("leaves ServiceMonitors out when monitoring is disabled", async () => {
        const off = await planned("primary", { overrides: { set: { monitoringEnabled: false } } });
        assert.deepEqual(ofType(off, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"), []);
    });

    it("takes annotations, traffic policy and source ranges of the load balancer from config (other clouds)", async () => {
        const gke = await planned("primary", {
            overrides: {
                set: {
                    eastWestGatewayServiceAnnotations: { "cloud.google.com/load-balancer-type": "External" },
                    eastWestGatewayExternalTrafficPolicy: "Cluster",
                    eastWestGatewaySourceRanges: ["203.0.113.0/24"],
                },
            },
        });
        const service = inputsOf(one(gke, "kubernetes:core/v1:Service", "mesh-eastwest-service"));
        assert.deepEqual(service.metadata.annotations, { "cloud.google.com/load-balancer-type": "External", "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}" });
        assert.equal(service.spec.externalTrafficPolicy, "Cluster");
        assert.deepEqual(service.spec.loadBalancerSourceRanges, ["203.0.113.0/24"]);
    });

    describe("with a plug-in CA", () => {
        let ca: Planned;
        const keys = { istioCaCert: "CA-CERT", istioCaKey: "CA-KEY", istioCaRootCert: "ROOT-CERT", istioCaCertChain: "CERT-CHAIN" };
        before(async () => {
            ca = await planned("primary", { up: true, overrides: { set: keys, secret: Object.keys(keys) } });
        });

        it("creates Secret cacerts, as secrets, before istiod", () => {
            const cacerts = one(ca, "kubernetes:core/v1:Secret", "mesh-cacerts");
            assert.deepEqual(inputsOf(cacerts).metadata, { name: "cacerts", namespace: "istio-system" });
            assert.deepEqual(inputsOf(cacerts).stringData, { "ca-cert.pem": "CA-CERT", "ca-key.pem": "CA-KEY", "root-cert.pem": "ROOT-CERT", "cert-chain.pem": "CERT-CHAIN" });
            assert.ok(isSecretInput(cacerts, "stringData"));
            assert.ok(dependsOn(ca, release, "mesh-istiod").includes("mesh-cacerts"));
        });

        it("creates only objects that conform to the upstream schemas", async () => {
            assert.deepEqual(await invalidObjects(ca.evaluation.resources), []);
        });

        it("exports the plug-in root, without reading istio-ca-root-cert", () => {
            assert.equal(outputsOf(ca).caRootCert, "ROOT-CERT");
            assert.equal(outputsOf(ca).caMode, "plug-in");
            assert.deepEqual(ofType(ca, "kubernetes:core/v1:ConfigMap").filter((c) => inputsOf(c).metadata.namespace === "istio-system"), []);
        });
    });
});

describe("remote secrets on the primary (RemoteClusterSecret)", () => {
    it("builds the deployed remote's secret exactly as istioctl create-remote-secret does, secret end to end", async () => {
        const p = await plannedOnce("primary");
        const secret = one(p, "kubernetes:core/v1:Secret", "remote-remote-secret");
        const inputs = inputsOf(secret);
        assert.deepEqual(inputs.metadata, {
            name: "istio-remote-secret-cluster2",
            namespace: "istio-system",
            labels: { "istio/multiCluster": "true" },
            annotations: { "networking.istio.io/cluster": "cluster2" },
        });
        assert.ok(isSecretInput(secret, "stringData"), "the kubeconfig is a secret input");
        assert.deepEqual(Object.keys(inputs.stringData), ["cluster2"]);
        const kubeconfig = parse(inputs.stringData.cluster2 as string);
        assert.deepEqual(kubeconfig, {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "cluster2", cluster: { server: remoteSample.outputs["apiServer"], "certificate-authority-data": remoteSample.outputs["apiServerCaData"] } }],
            contexts: [{ name: "cluster2", context: { cluster: "cluster2", user: "cluster2" } }],
            "current-context": "cluster2",
            preferences: {},
            users: [{ name: "cluster2", user: { token: remoteSample.outputs["readerToken"] } }],
        });
        assert.ok(!JSON.stringify(p.document).includes(String(remoteSample.outputs["readerToken"])), "the token never appears in the plan");
        assert.deepEqual(outputsOf(p).remoteSecrets, ["istio-remote-secret-cluster2"]);
    });

    const remotes = ["acme/mesh-ingress/remote-a", "acme/mesh-ingress/remote-b", "acme/mesh-ingress/remote-c"];
    const lookup = (deployed: readonly string[]) => ({
        get: (name: string) => {
            const i = deployed.indexOf(name);
            return i < 0 ? undefined : remoteOutputs(`cluster-${"abc"[i]}`, `network-${"abc"[i]}`);
        },
    });

    for (const count of [0, 1, 3]) {
        it(`plans with ${count} deployed remote(s): one secret each, distinct names`, async () => {
            const p = await planned("primary", { overrides: { set: { remoteStacks: remotes.slice(0, Math.max(count, 1)) } }, samples: lookup(remotes.slice(0, count)) });
            const secrets = ofType(p, "kubernetes:core/v1:Secret").map(inputsOf).filter((s) => s.metadata.labels?.["istio/multiCluster"] === "true");
            const names = secrets.map((s): unknown => s.metadata.name);
            assert.deepEqual(names, ["cluster-a", "cluster-b", "cluster-c"].slice(0, count).map((c) => `istio-remote-secret-${c}`));
            for (const s of secrets) {
                const cluster = s.metadata.annotations["networking.istio.io/cluster"] as string;
                const kubeconfig = parse(s.stringData[cluster] as string) as { users: { user: { token: string } }[]; clusters: { cluster: { server: string } }[] };
                assert.equal(kubeconfig.users[0]?.user.token, `token-of-${cluster}`);
                assert.equal(kubeconfig.clusters[0]?.cluster.server, `https://${cluster}.example.com`);
            }
            assert.deepEqual(outputsOf(p).remoteClusters, ["cluster-a", "cluster-b", "cluster-c"].slice(0, count));
            assert.deepEqual(await invalidObjects(p.evaluation.resources), []);
            assert.deepEqual(meshWarnings(p).length, count === 0 ? 1 : 0);
        });
    }

    it("refuses two remote stacks of the same cluster name, naming the second and the first", async () => {
        const sameCluster = { get: (name: string) => (remotes.slice(0, 2).includes(name) ? remoteOutputs("cluster-a", `network-${name.slice(-1)}`) : undefined) };
        const lines = await rejected("primary", { overrides: { set: { remoteStacks: remotes.slice(0, 2) } }, samples: sameCluster });
        assert.deepEqual(lines, ["remoteStacks[1] = \"acme/mesh-ingress/remote-b\": expected a unique clusterName; 'cluster-a' is also the cluster of acme/mesh-ingress/remote-a"]);
    });

    it("skips a listed remote that is not deployed yet, with a warning, and builds the others", async () => {
        const p = await planned("primary", { overrides: { set: { remoteStacks: remotes } }, samples: lookup(remotes.slice(0, 2)) });
        assert.deepEqual(outputsOf(p).remoteSecrets, ["istio-remote-secret-cluster-a", "istio-remote-secret-cluster-b"]);
        assert.deepEqual(outputsOf(p).pendingRemoteStacks, ["acme/mesh-ingress/remote-c"]);
        assert.deepEqual(meshWarnings(p), [
            "Remote stack 'acme/mesh-ingress/remote-c' has not been deployed yet, so its remote-cluster secret is pending. Deploy it (pulumi up -s acme/mesh-ingress/remote-c), then run pulumi up on this primary again.",
        ]);
    });

    it("warns when a remote exported its credentials in plain text, and still keeps them secret here", async () => {
        const plainRemote = { ...remoteSample, secretOutputNames: [] };
        const p = await planned("primary", { samples: sampleLookup(new Map([["acme/mesh-ingress/remote", plainRemote]])) });
        assert.deepEqual(meshWarnings(p), [
            "Remote stack 'acme/mesh-ingress/remote' exports apiServer, apiServerCaData, readerToken in plain text; they are credentials. Run pulumi up -s acme/mesh-ingress/remote with this program, which exports them as secrets.",
        ]);
        assert.ok(isSecretInput(one(p, "kubernetes:core/v1:Secret", "remote-remote-secret"), "stringData"));
        assert.ok(!containsSecret(p.evaluation.outputs["remoteClusters"]));
    });
});
