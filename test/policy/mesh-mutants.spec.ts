import { crossNetworkGatewayAutoPassthrough, injectionIdentity, istiodExposurePassthrough, istiodHighAvailability, istioValuesNotIgnored, meshClusterNamesMatch, remoteSecretShape } from "../../policy/mesh";
import { changed, crossNetworkGateway, eastWestGateway, istioNamespace, istiod, istiodGateway, istiodVirtualService, remoteKubeconfig, remoteSecret, remoteStack, T } from "./fixtures";
import * as assert from "node:assert/strict";
import { controlPlaneReason } from "../../policy/control-plane";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The mesh rules at the edges the other specs leave open: anti-affinity terms without a
 * usable selector, a surge that rounds up, an empty PDB budget, how a VirtualService binds
 * and matches, which Secrets count as remote secrets and which cluster they name, and the
 * identities that are compared only when they are set.
 */

const release = "Helm release 'istiod' (chart istiod)";
const istiodWith = (values: Record<string, unknown>): ResourceArgs => changed(istiod, (p) => Object.assign(p.values, values));

describe("istiod-high-availability, further edges", () => {
    it("fails an anti-affinity term without a labelSelector, or with empty matchLabels", async () => {
        const noAntiAffinity = `${release} has no required pod anti-affinity for istiod; set affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution with a term selecting app: istiod on topologyKey kubernetes.io/hostname, so no two replicas share a node.`;
        for (const term of [{ topologyKey: "kubernetes.io/hostname" }, { labelSelector: { matchLabels: {} }, topologyKey: "kubernetes.io/hostname" }]) {
            await assertViolates(istiodHighAvailability, istiodWith({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }), noAntiAffinity);
        }
    });

    // ResolveFenceposts rounds maxSurge up: 10% of 3 pods is one surge pod, so maxUnavailable 25% (0 pods) stays 0.
    it("rounds a rollingMaxSurge percentage up: 10% of 3 pods with rollingMaxUnavailable 25% hangs", async () => {
        await assertViolates(istiodHighAvailability, istiodWith({ rollingMaxSurge: "10%", rollingMaxUnavailable: "25%" }),
            `${release} rolls istiod out with maxUnavailable 0 of 3 pods (rollingMaxUnavailable 25%): under the required anti-affinity an upgrade on a cluster of exactly 3 nodes can place no new pod and removes no old one, so it hangs; set rollingMaxUnavailable: 1 and rollingMaxSurge: 0.`);
    });

    // poddisruptionbudget.yaml renders minAvailable only `if .Values.pdb.minAvailable`: "" renders a PDB with neither field, which allows no eviction.
    it("fails pdb.minAvailable \"\", which the chart renders as a PDB that allows no eviction", async () => {
        await assertViolates(istiodHighAvailability, istiodWith({ pdb: { minAvailable: "" } }),
            `${release} keeps 3 of 3 istiod pods available (a PDB with neither minAvailable nor maxUnavailable, as the chart renders pdb.maxUnavailable: 0), so no istiod pod can ever be evicted and node drains block; set pdb.minAvailable below 3 (and raise the replicas).`);
    });
});

describe("istio-values-not-ignored, further edges", () => {
    it("passes an empty pilot map, and pilot.* on a chart other than istiod", async () => {
        await assertPasses(istioValuesNotIgnored, [istiodWith({ pilot: {} }), changed(eastWestGateway("network1"), (p) => (p.values.pilot = { replicaCount: 3 }))]);
    });
});

describe("cross-network-gateway-auto-passthrough, further edges", () => {
    it("passes the host local itself, with or without a namespace", async () => {
        await assertPasses(crossNetworkGatewayAutoPassthrough, changed(crossNetworkGateway, (p) => (p.spec.servers[0].hosts = ["local", "istio-system/local"])));
    });
});

describe("istiod-exposure-passthrough, further edges", () => {
    const unrouted = (port: number, target: number, hint = "") =>
        `Gateway 'istiod-gateway' exposes port ${port} but no VirtualService bound to it routes TLS on port ${port} to istiod.istio-system.svc.cluster.local port ${target}${hint}; add a tls route matching port ${port} (sniHosts "*") to that destination.`;
    const vsWith = (change: (spec: any) => void) => changed(istiodVirtualService, (p) => change(p.spec));

    it("counts a VirtualService bound to the Gateway among others, not one bound to another Gateway of its namespace", async () => {
        await assertPasses(istiodExposurePassthrough, [istiodGateway, vsWith((s) => (s.gateways = ["mesh", "istiod-gateway"]))]);
        await assertViolates(istiodExposurePassthrough, [istiodGateway, vsWith((s) => (s.gateways = ["other-gateway"]))], [unrouted(15012, 15012), unrouted(15017, 443)]);
    });

    it("routes a port by a match on that port: one route matching both ports to 15012 routes 15012 only; swapped ports route neither", async () => {
        const to = (number: number) => [{ destination: { host: "istiod.istio-system.svc.cluster.local", port: { number } } }];
        await assertViolates(istiodExposurePassthrough, [istiodGateway, vsWith((s) => (s.tls = [{ match: [{ port: 15012 }, { port: 15017 }], route: to(15012) }]))], unrouted(15017, 443));
        await assertViolates(istiodExposurePassthrough, [istiodGateway, vsWith((s) => (s.tls = [{ match: [{ port: 15012 }], route: to(443) }, { match: [{ port: 15017 }], route: to(15012) }]))],
            [unrouted(15012, 15012), unrouted(15017, 443)]);
    });

    it("names the VirtualService that routes a port as HTTP on that port only", async () => {
        await assertViolates(istiodExposurePassthrough, [istiodGateway, vsWith((s) => {
            delete s.tls;
            s.http = [{ match: [{ port: 15012 }, { port: 8080 }], route: [{ destination: { host: "istiod", port: { number: 15012 } } }] }];
        })], [unrouted(15012, 15012, " ('istiod-vs' routes it as HTTP)"), unrouted(15017, 443)]);
    });
});

describe("remote-secret-shape, which Secrets and which cluster", () => {
    const problem = (name: string, text: string) => `Secret '${name}' is not a remote-cluster secret Istio can read: ${text}. Build it as istioctl create-remote-secret does.`;
    const secret = (metadata: Record<string, unknown>, stringData: Record<string, string>): ResourceArgs => ({ type: T.secret, name: String(metadata["name"]), props: { metadata: { namespace: "istio-system", ...metadata }, stringData } });

    it("judges a Secret by its cluster annotation alone, and by its istio-remote-secret- name alone", async () => {
        await assertViolates(remoteSecretShape, secret({ name: "cluster2-kubeconfig", annotations: { "networking.istio.io/cluster": "cluster2" } }, { cluster2: remoteKubeconfig("cluster2") }),
            problem("cluster2-kubeconfig", "label istio/multiCluster is null (expected \"true\"); its name is 'cluster2-kubeconfig' (expected 'istio-remote-secret-cluster2')"));
        await assertViolates(remoteSecretShape, secret({ name: "istio-remote-secret-cluster2" }, { cluster2: remoteKubeconfig("cluster2") }),
            problem("istio-remote-secret-cluster2", "label istio/multiCluster is null (expected \"true\"); annotation networking.istio.io/cluster is null (expected 'cluster2')"));
    });

    it("takes the cluster from the name before the data key", async () => {
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => {
            delete p.metadata.annotations;
            p.stringData = { cluster3: remoteKubeconfig("cluster3") };
        }), problem("istio-remote-secret-cluster2",
            "annotation networking.istio.io/cluster is null (expected 'cluster2'); its data keys are 'cluster3' (expected exactly 'cluster2', which istiod reads as the cluster id)"));
    });

    it("fails a secret that names no cluster (no annotation, no istio-remote-secret- name, several keys)", async () => {
        await assertViolates(remoteSecretShape, secret({ name: "mesh-secret", labels: { "istio/multiCluster": "true" } }, { a: "x", b: "y" }),
            problem("mesh-secret", "it names no cluster (expected annotation networking.istio.io/cluster: <cluster>)"));
    });

    it("lists data and stringData keys together, sorted", async () => {
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => (p.data = { zz: Buffer.from("x").toString("base64"), aa: Buffer.from("y").toString("base64") })),
            problem("istio-remote-secret-cluster2", "its data keys are 'aa', 'cluster2' and 'zz' (expected exactly 'cluster2', which istiod reads as the cluster id)"));
    });
});

describe("mesh-cluster-names-match, further edges", () => {
    const remoteIstiod = (change: (values: any) => void) => remoteStack().map((r) => (r.type === T.release && r.name === "istiod" ? changed(r, (p) => change(p.values)) : r));
    const source = "Helm release 'istiod' (chart istiod)";

    it("compares only what is set: a gateway without networkGateway, a namespace without a network label, a stack without istiod, secrets naming no cluster", async () => {
        const ingressGateway = changed(eastWestGateway("network1"), (p) => delete p.values.networkGateway);
        const unlabelled = changed(istioNamespace, (p) => (p.metadata.labels = {}));
        const nameless = (name: string): ResourceArgs => ({ type: T.secret, name, props: { metadata: { name, namespace: "istio-system", labels: { "istio/multiCluster": "true" } }, stringData: { a: "x", b: "y" } } });
        await assertPasses(meshClusterNamesMatch, [istiod, ingressGateway, unlabelled, nameless("one"), nameless("two")]);
        await assertPasses(meshClusterNamesMatch, [istioNamespace, eastWestGateway("network2")]);
    });

    it("fails istiod without global.network, and a second istiod without a cluster name or network beside one that has them", async () => {
        await assertViolates(meshClusterNamesMatch, changed(istiod, (p) => delete p.values.global.network),
            `${source} does not set global.network; set it to this cluster's network (as labelled on istio-system).`);
        const bare: ResourceArgs = { ...changed(istiod, (p) => (p.values.global = {})), name: "istiod-canary" };
        await assertViolates(meshClusterNamesMatch, [istiod, bare, eastWestGateway("network2")], [
            "Helm release 'istiod-canary' (chart istiod) does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).",
            "Helm release 'istiod-canary' (chart istiod) does not set global.network; set it to this cluster's network (as labelled on istio-system).",
            "Helm release 'istio-eastwestgateway' (chart gateway) networkGateway is 'network2' but istiod's global.network is 'network1'; use one network name.",
        ]);
    });

    it("compares neither network nor own secret when the istiod releases disagree", async () => {
        const other: ResourceArgs = { ...changed(istiod, (p) => Object.assign(p.values.global, { network: "network9", multiCluster: { clusterName: "cluster9" } })), name: "istiod-canary" };
        const own = changed(remoteSecret, (p) => {
            p.metadata.name = "istio-remote-secret-cluster1";
            p.metadata.annotations["networking.istio.io/cluster"] = "cluster1";
        });
        await assertViolates(meshClusterNamesMatch, [istiod, other, eastWestGateway("network2"), own], "The istiod releases of this stack name different clusters (cluster1 and cluster9); one cluster has one name.");
    });

    it("reads istiodRemote.injectionURL too, and fails a path naming another network or not in the /inject/cluster/<c>/net/<n> form", async () => {
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote = { injectionURL: "https://istiod.mesh.example.com:15017/inject/cluster/cluster2/net/network1" })),
            `${source} istiodRemote.injectionURL names cluster 'cluster2' and network 'network1' but istiod's values say 'cluster2' and 'network2'; use /inject/cluster/cluster2/net/network2.`);
        // A lone segment is a key without a value: istiod ignores it, so the path names nothing.
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionPath = "/inject/cluster2")),
            `${source} is a remote whose sidecar-injection webhook calls the istiod Service at istiodRemote.injectionPath '/inject/cluster2', which names no cluster or network: the primary's istiod then injects this cluster's pods with its own cluster name and network; set istiodRemote.injectionPath (or injectionURL) to /inject/cluster/cluster2/net/network2.`);
        // A path naming the cluster only leaves the network to the primary's istiod.
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionPath = "/inject/cluster/cluster2")),
            `${source} istiodRemote.injectionPath is '/inject/cluster/cluster2'; use /inject/cluster/cluster2/net/network2 so injected proxies carry this cluster's identity.`);
    });

    it("reads an injection path as istiod does: key/value pairs in any order, the variables they stand for, --slash--, the :ENV: form, a trailing slash", async () => {
        for (const path of [
            "/inject/net/network2/cluster/cluster2",
            "/inject/cluster/cluster2/net/network2/",
            "/inject/ISTIO_META_CLUSTER_ID/cluster2/istio_meta_network/network2",
            "/inject/:ENV:cluster=cluster2:ENV:net=network2",
            "/inject/cluster/cluster2/net/network2/extra/value",
        ]) {
            await assertPasses(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionPath = path)));
        }
        await assertPasses(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote = { injectionURL: "https://istiod.mesh.example.com:15017/inject/net/network2/cluster/cluster2" })));
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionPath = "/inject/net/network2/cluster/team--slash--a")),
            `${source} istiodRemote.injectionPath names cluster 'team/a' and network 'network2' but istiod's values say 'cluster2' and 'network2'; use /inject/cluster/cluster2/net/network2.`);
        // istiod serves /inject and /inject/... only: another first segment names nothing it would read.
        await assertViolates(meshClusterNamesMatch, remoteIstiod((v) => (v.istiodRemote.injectionPath = "/webhook/cluster/cluster2/net/network2")),
            `${source} is a remote whose sidecar-injection webhook calls the istiod Service at istiodRemote.injectionPath '/webhook/cluster/cluster2/net/network2', which names no cluster or network: the primary's istiod then injects this cluster's pods with its own cluster name and network; set istiodRemote.injectionPath (or injectionURL) to /inject/cluster/cluster2/net/network2.`);
    });

    it("names placeholders and empty values for what istiod's values leave unset", async () => {
        const noNetwork = remoteIstiod((v) => {
            delete v.global.network;
            v.istiodRemote.injectionPath = "/inject/cluster/remote/net/network2";
        });
        await assertViolates(meshClusterNamesMatch, noNetwork, [
            `${source} does not set global.network; set it to this cluster's network (as labelled on istio-system).`,
            `${source} istiodRemote.injectionPath names cluster 'remote' and network 'network2' but istiod's values say 'cluster2' and ''; use /inject/cluster/cluster2/net/.`,
        ]);
        const noCluster = remoteIstiod((v) => {
            delete v.global.multiCluster;
            v.istiodRemote.injectionPath = "/inject/cluster/cluster2/net/network9";
        });
        await assertViolates(meshClusterNamesMatch, noCluster, [
            `${source} does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).`,
            `${source} istiodRemote.injectionPath names cluster 'cluster2' and network 'network9' but istiod's values say '' and 'network2'; use /inject/cluster//net/network2.`,
        ]);
        const neither = remoteIstiod((v) => {
            v.global = {};
            v.istiodRemote.injectionPath = "/inject/net/x";
        });
        await assertViolates(meshClusterNamesMatch, neither, [
            `${source} does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).`,
            `${source} does not set global.network; set it to this cluster's network (as labelled on istio-system).`,
            `${source} istiodRemote.injectionPath is '/inject/net/x'; use /inject/cluster/<cluster>/net/<network> so injected proxies carry this cluster's identity.`,
        ]);
    });
});

describe("the control plane's Services (policy/control-plane.ts)", () => {
    it("takes the Service kubernetes as the API server's in namespace default only, and no other Service of default", () => {
        assert.equal(controlPlaneReason("default", "kubernetes", []), "the Kubernetes API server's Service");
        assert.equal(controlPlaneReason("apps", "kubernetes", []), undefined);
        assert.equal(controlPlaneReason("default", "portal", []), undefined);
    });
});

/**
 * The identity an injection path gives proxies, as istiod 1.30.3 reads a webhook request's
 * path (pkg/kube/inject/webhook.go: served at /inject and /inject/...; parseInjectEnvs).
 */
describe("injectionIdentity: an injection path read as istiod reads it", () => {
    const cases: readonly [string, ReturnType<typeof injectionIdentity>][] = [
        ["/inject", {}],
        ["/inject/", {}],
        ["/inject/cluster/c1/net/n1", { cluster: "c1", network: "n1" }],
        ["/inject/net/n1/cluster/c1/", { cluster: "c1", network: "n1" }],
        ["/inject/cluster/c1", { cluster: "c1" }],
        ["/inject/cluster", {}],
        ["/inject/ISTIO_META_CLUSTER_ID/c1/Istio_Meta_Network/n1", { cluster: "c1", network: "n1" }],
        ["/inject/cluster/a--slash--b/net/n1", { cluster: "a/b", network: "n1" }],
        // --slash-- is replaced in values only.
        ["/inject/cl--slash--uster/c1", {}],
        ["/inject/cluster/c1/cluster/c2", { cluster: "c2" }],
        ["/inject/:ENV:cluster=c1:ENV:net=n1", { cluster: "c1", network: "n1" }],
        ["/inject/:ENV:cluster=:ENV:net=n1", { cluster: "", network: "n1" }],
        // A pair without a key or without '=' is ignored.
        ["/inject/:ENV:=c1:ENV:net=n1", { network: "n1" }],
        ["/inject/:ENV:cluster:ENV:net=n1", { network: "n1" }],
        ["/inject/:ENV:cluster=c1:ENV:ISTIO_META_NETWORKX", { cluster: "c1" }],
        ["https://istiod.example.com:15017/inject/cluster/c1/net/n1", { cluster: "c1", network: "n1" }],
        ["https://istiod.example.com:15017/inject", {}],
        // istiod serves nothing else; a path must start with '/'.
        ["/webhook/cluster/c1/net/n1", undefined],
        ["/injector/cluster/c1", undefined],
        ["inject/cluster/c1/net/n1", undefined],
        ["x/inject/cluster/c1/net/n1", undefined],
        ["https://istiod.example.com/other/inject/cluster/c1", undefined],
    ];
    for (const [path, identity] of cases) {
        it(`${path} -> ${JSON.stringify(identity)}`, () => assert.deepEqual(injectionIdentity(path), identity));
    }
});
