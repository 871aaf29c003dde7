import {
    crossNetworkGatewayAutoPassthrough,
    istiodExposurePassthrough,
    istiodHighAvailability,
    istioValuesNotIgnored,
    meshClusterNamesMatch,
    remoteSecretShape,
} from "../../policy/mesh";
import { changed, crossNetworkGateway, eastWestGateway, istioNamespace, istiod, istiodGateway, istiodVirtualService, remoteKubeconfig, remoteSecret, remoteStack, T } from "./fixtures";
import { unknownSentinel } from "../../offline/values";
import { assertPasses, assertViolates } from "./support";

describe("policy istiod-high-availability", () => {
    const remoteIstiod = remoteStack().find((r) => r.type === T.release && r.name === "istiod")!;

    it("passes 3 autoscaled replicas with anti-affinity and minAvailable 2, and the remote profile (no istiod)", async () => {
        await assertPasses(istiodHighAvailability, [istiod, remoteIstiod]);
    });

    it("passes a fixed replicaCount of 3 with autoscaling off", async () => {
        await assertPasses(istiodHighAvailability, changed(istiod, (p) => Object.assign(p.values, { autoscaleEnabled: false, replicaCount: 3, autoscaleMin: 1 })));
    });

    it("fails the chart defaults: one replica, no anti-affinity, a PDB keeping the only pod", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => (p.values = { global: p.values.global })), [
            "Helm release 'istiod' (chart istiod) guarantees 1 istiod replica(s) (autoscaleEnabled with autoscaleMin 1); set autoscaleMin to at least 3 (or autoscaleEnabled: false with replicaCount 3).",
            "Helm release 'istiod' (chart istiod) has no required pod anti-affinity for istiod; set affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution with a term selecting app: istiod on topologyKey kubernetes.io/hostname, so no two replicas share a node.",
        ]);
    });

    it("fails a chart older than 1.28 whose PDB keeps its only replica", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => {
            p.version = "1.27.3";
            p.values = { global: p.values.global, autoscaleEnabled: false, replicaCount: 1, affinity: p.values.affinity };
        }), [
            "Helm release 'istiod' (chart istiod) runs 1 istiod replica(s) (replicaCount 1, autoscaling off); set replicaCount to at least 3.",
            "Helm release 'istiod' (chart istiod) rolls istiod out with maxUnavailable 0 of 1 pods (rollingMaxUnavailable 25%): under the required anti-affinity an upgrade on a cluster of exactly 1 nodes can place no new pod and removes no old one, so it hangs; set rollingMaxUnavailable: 1 and rollingMaxSurge: 0.",
            "Helm release 'istiod' (chart istiod) keeps only 1 istiod pod(s) available during disruptions (pdb.minAvailable 1); set pdb.minAvailable to at least 2 and guarantee more than 2 replicas.",
        ]);
    });

    it("fails the article's replica count under pilot.*, which the chart ignores", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => Object.assign(p.values, { autoscaleEnabled: false, replicaCount: undefined, pilot: { replicaCount: 3 } })),
            "Helm release 'istiod' (chart istiod) runs 1 istiod replica(s) (replicaCount 1, autoscaling off); set replicaCount to at least 3.");
    });

    it("fails a PDB that keeps every replica, so drains block", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => (p.values.pdb = { minAvailable: 3 })),
            "Helm release 'istiod' (chart istiod) keeps 3 of 3 istiod pods available (pdb.minAvailable 3), so no istiod pod can ever be evicted and node drains block; set pdb.minAvailable below 3 (and raise the replicas).");
    });

    it("reads pdb.maxUnavailable, which overrides pdb.minAvailable, rounded up as the disruption controller does", async () => {
        const thirdMayGo = changed(istiod, (p) => (p.values.pdb = { minAvailable: 1, maxUnavailable: "33%" }));
        await assertPasses(istiodHighAvailability, thirdMayGo);
        // 50% of 3 is 1.5: two may go.
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => (p.values.pdb = { minAvailable: 2, maxUnavailable: "50%" })),
            "Helm release 'istiod' (chart istiod) keeps only 1 istiod pod(s) available during disruptions (pdb.maxUnavailable 50%); set pdb.minAvailable to at least 2 (below the 3 guaranteed replicas).");
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => (p.values.pdb = { minAvailable: 2, maxUnavailable: 2 })),
            "Helm release 'istiod' (chart istiod) keeps only 1 istiod pod(s) available during disruptions (pdb.maxUnavailable 2); set pdb.minAvailable to at least 2 (below the 3 guaranteed replicas).");
        await assertViolates(istiodHighAvailability, thirdMayGo,
            "Helm release 'istiod' (chart istiod) keeps only 2 istiod pod(s) available during disruptions (pdb.maxUnavailable 33%); set pdb.minAvailable to at least 3 and guarantee more than 3 replicas.",
            { "istiod-high-availability": { minAvailable: 3 } });
    });

    it("fails a preferred (not required) anti-affinity", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => (p.values.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: "istiod" } }, topologyKey: "kubernetes.io/hostname" } }] } })),
            "Helm release 'istiod' (chart istiod) has no required pod anti-affinity for istiod; set affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution with a term selecting app: istiod on topologyKey kubernetes.io/hostname, so no two replicas share a node.");
    });

    it("fails the chart's default rollout (maxSurge 100%, maxUnavailable 25%: 0 of 3), which hangs under the required anti-affinity", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => {
            delete p.values.rollingMaxSurge;
            delete p.values.rollingMaxUnavailable;
        }), "Helm release 'istiod' (chart istiod) rolls istiod out with maxUnavailable 0 of 3 pods (rollingMaxUnavailable 25%): under the required anti-affinity an upgrade on a cluster of exactly 3 nodes can place no new pod and removes no old one, so it hangs; set rollingMaxUnavailable: 1 and rollingMaxSurge: 0.");
        // A percentage that rounds down to one pod progresses.
        await assertPasses(istiodHighAvailability, changed(istiod, (p) => (p.values.rollingMaxUnavailable = "34%")));
    });

    it("fails a rollout that takes more istiod pods down than the PDB allows", async () => {
        await assertViolates(istiodHighAvailability, changed(istiod, (p) => (p.values.rollingMaxUnavailable = 2)),
            "Helm release 'istiod' (chart istiod) rolls istiod out with maxUnavailable 2 of 3 pods (rollingMaxUnavailable 2), leaving 1 available during an upgrade where the PDB keeps 2 (pdb.minAvailable 2); set rollingMaxUnavailable to at most 1.");
    });

    it("follows the configured replica floor", async () => {
        await assertViolates(istiodHighAvailability, istiod,
            "Helm release 'istiod' (chart istiod) guarantees 3 istiod replica(s) (autoscaleEnabled with autoscaleMin 3); set autoscaleMin to at least 5 (or autoscaleEnabled: false with replicaCount 5).",
            { "istiod-high-availability": { minReplicas: 5 } });
    });
});

describe("policy istio-values-not-ignored", () => {
    it("passes top-level values", async () => {
        await assertPasses(istioValuesNotIgnored, istiod);
    });

    it("flags the article's pilot.* keys", async () => {
        await assertViolates(istioValuesNotIgnored, changed(istiod, (p) => (p.values.pilot = { replicaCount: 3, env: { EXTERNAL_ISTIOD: true } })),
            "Helm release 'istiod' (chart istiod) sets pilot.env and pilot.replicaCount, which the istiod chart (1.24 and later) ignores; move them to the top level (env and replicaCount).");
    });
});

describe("policy cross-network-gateway-auto-passthrough", () => {
    it("passes AUTO_PASSTHROUGH for *.local, and Gateways without port 15443", async () => {
        await assertPasses(crossNetworkGatewayAutoPassthrough, [crossNetworkGateway, istiodGateway]);
    });

    it("fails the article's ISTIO_MUTUAL", async () => {
        await assertViolates(crossNetworkGatewayAutoPassthrough, changed(crossNetworkGateway, (p) => (p.spec.servers[0].tls.mode = "ISTIO_MUTUAL")),
            "Gateway 'cross-network-gateway' serves port 15443 with tls.mode ISTIO_MUTUAL; cross-network traffic needs tls.mode AUTO_PASSTHROUGH (ISTIO_MUTUAL terminates the mesh's mTLS at the gateway and breaks SNI routing to the other network).");
    });

    it("fails hosts beyond *.local, at any API version", async () => {
        const v1beta1 = { ...changed(crossNetworkGateway, (p) => (p.spec.servers[0].hosts = ["*.local", "*"])), type: "kubernetes:networking.istio.io/v1beta1:Gateway" };
        await assertViolates(crossNetworkGatewayAutoPassthrough, v1beta1,
            "Gateway 'cross-network-gateway' exposes '*' on port 15443; limit the cross-network server to hosts \"*.local\" (mesh-internal services only).");
    });
});

describe("policy istiod-exposure-passthrough", () => {
    it("passes PASSTHROUGH on 15012 and 15017 with TLS routes to istiod", async () => {
        await assertPasses(istiodExposurePassthrough, [istiodGateway, istiodVirtualService, crossNetworkGateway]);
    });

    it("fails a Gateway without a TLS mode and the article's HTTP route", async () => {
        const gateway = changed(istiodGateway, (p) => {
            p.spec.servers = [{ port: { number: 15012, name: "grpc-istiod", protocol: "GRPC" }, hosts: ["*"] }];
        });
        const vs = changed(istiodVirtualService, (p) => {
            delete p.spec.tls;
            p.spec.http = [{ match: [{ port: 15012 }], route: [{ destination: { host: "istiod", port: { number: 15012 } } }] }];
        });
        await assertViolates(istiodExposurePassthrough, [gateway, vs], [
            "Gateway 'istiod-gateway' exposes istiod's port 15012 (xDS and CA (gRPC over TLS)) with tls.mode (none); set tls.mode PASSTHROUGH so remote clusters reach istiod's own TLS.",
            "Gateway 'istiod-gateway' exposes port 15012 but no VirtualService bound to it routes TLS on port 15012 to istiod.istio-system.svc.cluster.local port 15012 ('istiod-vs' routes it as HTTP); add a tls route matching port 15012 (sniHosts \"*\") to that destination.",
        ]);
    });

    it("fails the webhook port routed to 15017 instead of the istiod Service's 443", async () => {
        const vs = changed(istiodVirtualService, (p) => (p.spec.tls[1].route[0].destination.port.number = 15017));
        await assertViolates(istiodExposurePassthrough, [istiodGateway, vs],
            "Gateway 'istiod-gateway' exposes port 15017 but no VirtualService bound to it routes TLS on port 15017 to istiod.istio-system.svc.cluster.local port 443; add a tls route matching port 15017 (sniHosts \"*\") to that destination.");
    });

    it("looks for istiod in the configured namespace", async () => {
        await assertViolates(istiodExposurePassthrough, [changed(istiodGateway, (p) => void p.spec.servers.pop()), istiodVirtualService],
            "Gateway 'istiod-gateway' exposes port 15012 but no VirtualService bound to it routes TLS on port 15012 to istiod.istio-control.svc.cluster.local port 15012; add a tls route matching port 15012 (sniHosts \"*\") to that destination.",
            { "istiod-exposure-passthrough": { istioNamespace: "istio-control" } });
    });
});

describe("policy remote-secret-shape", () => {
    it("passes the istioctl shape, in stringData or base64 data", async () => {
        const base64 = changed(remoteSecret, (p) => {
            p.data = { cluster2: Buffer.from(p.stringData.cluster2).toString("base64") };
            delete p.stringData;
        });
        await assertPasses(remoteSecretShape, [remoteSecret, base64, { type: T.secret, name: "other", props: { metadata: { name: "other", namespace: "apps" }, stringData: { password: "x" } } }]);
    });

    it("fails the article's label-only secret", async () => {
        await assertViolates(remoteSecretShape, {
            type: T.secret,
            name: "cluster2-secret",
            props: { metadata: { name: "cluster2-secret", namespace: "istio-system", labels: { "istio/cluster": "cluster2" } }, stringData: { cluster2: remoteKubeconfig("cluster2") } },
        },
            "Secret 'cluster2-secret' is not a remote-cluster secret Istio can read: label istio/multiCluster is null (expected \"true\"; the istio/cluster label is not read by Istio); its name is 'cluster2-secret' (expected 'istio-remote-secret-cluster2'); annotation networking.istio.io/cluster is null (expected 'cluster2'). Build it as istioctl create-remote-secret does.");
    });

    it("fails a kubeconfig whose names are not the cluster's", async () => {
        const text = remoteKubeconfig("cluster2").replace(/name: cluster2\n/g, "name: remote\n").replace("current-context: cluster2", "current-context: remote");
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => (p.stringData.cluster2 = text)),
            "Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: in data['cluster2'] its clusters are 'remote' (expected exactly one named 'cluster2'); in data['cluster2'] its contexts are 'remote' (expected exactly one named 'cluster2'); in data['cluster2'] its users are 'remote' (expected exactly one named 'cluster2'); in data['cluster2'] its current-context is \"remote\" (expected 'cluster2'). Build it as istioctl create-remote-secret does.");
    });

    it("fails a secret outside istiod's namespace, by the configured namespace", async () => {
        await assertPasses(remoteSecretShape, changed(remoteSecret, (p) => (p.metadata.namespace = "istio-control")), { "remote-secret-shape": { istioNamespace: "istio-control" } });
        await assertViolates(remoteSecretShape, remoteSecret,
            "Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: it is in namespace 'istio-system' (expected 'istio-control', where istiod reads remote secrets). Build it as istioctl create-remote-secret does.",
            { "remote-secret-shape": { istioNamespace: "istio-control" } });
    });

    it("decides from what is known when the kubeconfig is unknown (preview) or the whole map is (an encrypted export)", async () => {
        await assertPasses(remoteSecretShape, [changed(remoteSecret, (p) => (p.stringData.cluster2 = unknownSentinel)), changed(remoteSecret, (p) => (p.stringData = unknownSentinel))]);
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => {
            p.stringData = unknownSentinel;
            p.metadata.labels = {};
        }), "Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: label istio/multiCluster is null (expected \"true\"). Build it as istioctl create-remote-secret does.");
    });

    it("fails a token-less kubeconfig under a second key", async () => {
        const text = remoteKubeconfig("cluster2").replace(/token: .*\n/, "");
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => (p.stringData = { cluster2: text, extra: "x" })),
            "Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: its data keys are 'cluster2' and 'extra' (expected exactly 'cluster2', which istiod reads as the cluster id); in data['cluster2'] its user has no token (expected the istio-reader-service-account token). Build it as istioctl create-remote-secret does.");
    });
});

describe("policy mesh-cluster-names-match", () => {
    it("passes a primary and a remote whose names agree", async () => {
        await assertPasses(meshClusterNamesMatch, [istioNamespace, istiod, eastWestGateway("network1"), remoteSecret]);
        await assertPasses(meshClusterNamesMatch, remoteStack());
    });

    it("fails a gateway and namespace on another network than istiod's", async () => {
        await assertViolates(meshClusterNamesMatch, [changed(istioNamespace, (p) => (p.metadata.labels["topology.istio.io/network"] = "net1")), istiod, eastWestGateway("network2")], [
            "Helm release 'istio-eastwestgateway' (chart gateway) networkGateway is 'network2' but istiod's global.network is 'network1'; use one network name.",
            "Namespace 'istio-system' label topology.istio.io/network is 'net1' but istiod's global.network is 'network1'; use one network name.",
        ]);
    });

    it("fails istiod without a cluster name, and a remote secret for the stack's own cluster", async () => {
        const own = changed(remoteSecret, (p) => {
            p.metadata.name = "istio-remote-secret-cluster1";
            p.metadata.annotations["networking.istio.io/cluster"] = "cluster1";
        });
        await assertViolates(meshClusterNamesMatch, [changed(istiod, (p) => delete p.values.global.multiCluster), own],
            "Helm release 'istiod' (chart istiod) does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).");
        await assertViolates(meshClusterNamesMatch, [istiod, own],
            "Secret 'istio-remote-secret-cluster1' is a remote secret for 'cluster1', this stack's own cluster; remote secrets name the other clusters of the mesh.");
    });

    it("fails a remote whose injection path names another cluster", async () => {
        const stack = remoteStack().map((r) => (r.type === T.release && r.name === "istiod" ? changed(r, (p) => (p.values.istiodRemote.injectionPath = "/inject/cluster/remote/net/network2")) : r));
        await assertViolates(meshClusterNamesMatch, stack,
            "Helm release 'istiod' (chart istiod) istiodRemote.injectionPath names cluster 'remote' and network 'network2' but istiod's values say 'cluster2' and 'network2'; use /inject/cluster/cluster2/net/network2.");
    });

    it("reads the network label of the configured istio namespace", async () => {
        const other = changed(istioNamespace, (p) => {
            p.metadata.name = "istio-control";
            p.metadata.labels["topology.istio.io/network"] = "elsewhere";
        });
        await assertPasses(meshClusterNamesMatch, [other, istiod]);
        await assertViolates(meshClusterNamesMatch, [other, istiod],
            "Namespace 'istio-control' label topology.istio.io/network is 'elsewhere' but istiod's global.network is 'network1'; use one network name.",
            { "mesh-cluster-names-match": { istioNamespace: "istio-control" } });
    });
});
