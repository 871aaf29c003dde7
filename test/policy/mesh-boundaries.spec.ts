import { crossNetworkGatewayAutoPassthrough, istiodExposurePassthrough, istiodHighAvailability, meshClusterNamesMatch, remoteSecretShape } from "../../policy/mesh";
import { changed, crossNetworkGateway, istiod, istiodGateway, istiodVirtualService, remoteSecret } from "./fixtures";
import { assertPasses, assertViolates, type ResourceArgs } from "./support";

/**
 * The edges of the mesh rules: each case sits at a threshold (replicas, the PDB's budget,
 * the rollout's maxUnavailable, the chart version from which the istiod chart drops its
 * PDB for one replica) or one step outside it, in the count and the percentage form, and
 * each TLS mode a Gateway server can take. Kubernetes rounds a Deployment's maxUnavailable
 * percentage down and a PodDisruptionBudget's percentages up (minAvailable and
 * maxUnavailable alike: pkg/controller/disruption/disruption.go, getExpectedPodCount).
 */

const release = "Helm release 'istiod' (chart istiod)";

/** The istiod fixture (3 autoscaled replicas, anti-affinity, pdb.minAvailable 2, rollingMaxUnavailable 1) with values changed. */
const istiodWith = (values: Record<string, unknown>, version?: string): ResourceArgs =>
    changed(istiod, (p) => {
        Object.assign(p.values, values);
        if (version !== undefined) p.version = version;
    });

const guarantees = (replicas: number, floor: number): string =>
    `${release} guarantees ${replicas} istiod replica(s) (autoscaleEnabled with autoscaleMin ${replicas}); set autoscaleMin to at least ${floor} (or autoscaleEnabled: false with replicaCount ${floor}).`;
const runs = (replicas: number, floor: number): string => `${release} runs ${replicas} istiod replica(s) (replicaCount ${replicas}, autoscaling off); set replicaCount to at least ${floor}.`;
const hangs = (down: number, replicas: number, rolling: string): string =>
    `${release} rolls istiod out with maxUnavailable ${down} of ${replicas} pods (rollingMaxUnavailable ${rolling}): under the required anti-affinity an upgrade on a cluster of exactly ${replicas} nodes can place no new pod and removes no old one, so it hangs; set rollingMaxUnavailable: 1 and rollingMaxSurge: 0.`;
const keepsEvery = (kept: number, replicas: number, setting: string): string =>
    `${release} keeps ${kept} of ${replicas} istiod pods available (${setting}), so no istiod pod can ever be evicted and node drains block; set pdb.minAvailable below ${replicas} (and raise the replicas).`;
/** `bound` is the message's tail: " (below the N guaranteed replicas)" or " and guarantee more than N replicas". */
const keepsOnly = (kept: number, setting: string, floor: number, bound: string): string =>
    `${release} keeps only ${kept} istiod pod(s) available during disruptions (${setting}); set pdb.minAvailable to at least ${floor}${bound}.`;
const noAntiAffinity = `${release} has no required pod anti-affinity for istiod; set affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution with a term selecting app: istiod on topologyKey kubernetes.io/hostname, so no two replicas share a node.`;

describe("istiod-high-availability at its boundaries", () => {
    describe("guaranteed replicas (minReplicas, default 3)", () => {
        // A budget of one pod keeps the PDB rule quiet with two replicas, so only the replica floor speaks.
        const quietPdb = { "istiod-high-availability": { minAvailable: 1 } };

        it("passes 3 autoscaled replicas at minReplicas 3, fails 2", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ autoscaleMin: 3, pdb: { minAvailable: 1 } }), quietPdb);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 2, pdb: { minAvailable: 1 } }), guarantees(2, 3), quietPdb);
        });

        it("passes a replicaCount of 3 with autoscaling off at minReplicas 3, fails 2", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ autoscaleEnabled: false, replicaCount: 3, autoscaleMin: 1, pdb: { minAvailable: 1 } }), quietPdb);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleEnabled: false, replicaCount: 2, autoscaleMin: 5, pdb: { minAvailable: 1 } }), runs(2, 3), quietPdb);
        });

        it("moves the floor with a configured minReplicas 4: passes 4, fails 3", async () => {
            const four = { "istiod-high-availability": { minReplicas: 4 } };
            await assertPasses(istiodHighAvailability, istiodWith({ autoscaleMin: 4 }), four);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 3 }), guarantees(3, 4), four);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleEnabled: false, replicaCount: 3 }), runs(3, 4), four);
        });

        it("reads autoscaleEnabled as the chart does: on by default and for \"true\", autoscaleMin 1 and replicaCount 1 when unset", async () => {
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleEnabled: "true", autoscaleMin: 2, replicaCount: 3, pdb: { minAvailable: 1 } }), guarantees(2, 3), quietPdb);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleEnabled: undefined, autoscaleMin: 2, replicaCount: 3, pdb: { minAvailable: 1 } }), guarantees(2, 3), quietPdb);
            const unset = changed(istiod, (p) => {
                delete p.values.autoscaleMin;
                p.values.pdb = { minAvailable: 1 };
            });
            await assertViolates(istiodHighAvailability, unset, guarantees(1, 3), quietPdb);
            const fixedUnset = changed(istiod, (p) => {
                p.values.autoscaleEnabled = false;
                p.values.pdb = { minAvailable: 1 };
            });
            await assertViolates(istiodHighAvailability, fixedUnset, runs(1, 3), quietPdb);
        });

        // Helm's templates test values for truth, and a non-empty string is true, "false" included: the istiod chart then renders its HPA with autoscaleMin
        // (autoscale.yaml `if and .Values.autoscaleEnabled ...`; deployment.yaml renders no
        // `replicas`). `helm template` of istiod 1.30.3 with --set-string autoscaleEnabled=false
        // --set autoscaleMin=1 --set replicaCount=3 renders an HPA with minReplicas 1.
        it("reads autoscaleEnabled \"false\" (a string) as Helm does: true, so autoscaleMin 1 is what is guaranteed", async () => {
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleEnabled: "false", replicaCount: 3, autoscaleMin: 1 }), guarantees(1, 3));
        });
    });

    describe("autoscaleMax against autoscaleMin", () => {
        it("passes autoscaleMax equal to autoscaleMin 3, fails autoscaleMax 2", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ autoscaleMax: 3 }));
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMax: 2 }), `${release} sets autoscaleMax 2 below autoscaleMin 3; raise autoscaleMax to at least 3.`);
        });

        it("takes the chart's autoscaleMax 5 when unset: passes autoscaleMin 5, fails 6", async () => {
            const noMax = (min: number) => changed(istiod, (p) => {
                delete p.values.autoscaleMax;
                p.values.autoscaleMin = min;
            });
            await assertPasses(istiodHighAvailability, noMax(5));
            await assertViolates(istiodHighAvailability, noMax(6), `${release} sets autoscaleMax 5 below autoscaleMin 6; raise autoscaleMax to at least 6.`);
        });

        it("ignores autoscaleMax when autoscaling is off", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ autoscaleEnabled: false, replicaCount: 3, autoscaleMax: 1 }));
        });
    });

    describe("the rollout's maxUnavailable (rounded down, as the Deployment controller does)", () => {
        // With the chart's rollingMaxSurge 100% the new pods cannot be placed under the anti-affinity: only maxUnavailable frees a node.
        const rollout = (rollingMaxUnavailable: unknown, extra: Record<string, unknown> = {}) => istiodWith({ rollingMaxSurge: "100%", rollingMaxUnavailable, ...extra });

        it("passes maxUnavailable 1 of 3 pods, fails 0", async () => {
            await assertPasses(istiodHighAvailability, rollout(1));
            await assertViolates(istiodHighAvailability, rollout(0), hangs(0, 3, "0"));
        });

        it("passes 34% of 3 pods (1.02: one pod), fails 33% (0.99: rounded down to none)", async () => {
            await assertPasses(istiodHighAvailability, rollout("34%"));
            await assertViolates(istiodHighAvailability, rollout("33%"), hangs(0, 3, "33%"));
        });

        it("passes 50% and 66% of 3 pods (one pod, rounded down), fails 67% (2.01: two pods, below the PDB's 2)", async () => {
            await assertPasses(istiodHighAvailability, [rollout("50%"), rollout("66%")]);
            await assertViolates(istiodHighAvailability, rollout("67%"),
                `${release} rolls istiod out with maxUnavailable 2 of 3 pods (rollingMaxUnavailable 67%), leaving 1 available during an upgrade where the PDB keeps 2 (pdb.minAvailable 2); set rollingMaxUnavailable to at most 1.`);
        });

        it("passes a rollout that leaves exactly what the PDB keeps (4 replicas, 2 down, PDB 2), fails one more down", async () => {
            await assertPasses(istiodHighAvailability, rollout(2, { autoscaleMin: 4 }));
            await assertPasses(istiodHighAvailability, rollout("50%", { autoscaleMin: 4 }));
            await assertViolates(istiodHighAvailability, rollout(3, { autoscaleMin: 4 }),
                `${release} rolls istiod out with maxUnavailable 3 of 4 pods (rollingMaxUnavailable 3), leaving 1 available during an upgrade where the PDB keeps 2 (pdb.minAvailable 2); set rollingMaxUnavailable to at most 2.`);
            await assertViolates(istiodHighAvailability, rollout("75%", { autoscaleMin: 4 }),
                `${release} rolls istiod out with maxUnavailable 3 of 4 pods (rollingMaxUnavailable 75%), leaving 1 available during an upgrade where the PDB keeps 2 (pdb.minAvailable 2); set rollingMaxUnavailable to at most 2.`);
        });

        it("takes the chart's 25% when rollingMaxUnavailable is unset or empty", async () => {
            await assertViolates(istiodHighAvailability, changed(istiod, (p) => {
                p.values.rollingMaxSurge = "100%";
                delete p.values.rollingMaxUnavailable;
            }), hangs(0, 3, "25%"));
            await assertViolates(istiodHighAvailability, rollout(""), hangs(0, 3, "25%"));
        });

        it("reports the stuck rollout only under a required anti-affinity (without one, the missing anti-affinity is the finding)", async () => {
            await assertViolates(istiodHighAvailability, rollout("25%", { affinity: {} }), noAntiAffinity);
        });

        // Kubernetes resolves both fenceposts together: when maxSurge and maxUnavailable both come
        // to 0 pods (maxSurge 0, maxUnavailable 25% of 3 rounded down), maxUnavailable becomes 1
        // (kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go, ResolveFenceposts),
        // so this rollout removes one old pod at a time and progresses.
        it("passes rollingMaxSurge 0 with rollingMaxUnavailable 25% of 3 pods (Kubernetes resolves maxUnavailable to 1)", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ rollingMaxSurge: 0, rollingMaxUnavailable: "25%" }));
            await assertPasses(istiodHighAvailability, istiodWith({ rollingMaxSurge: 0, rollingMaxUnavailable: "33%" }));
        });
    });

    describe("the PDB's minAvailable (rounded up, as the disruption controller does)", () => {
        it("passes minAvailable 2 of 3 at the default minAvailable 2, fails 1, and fails 3 (no eviction possible)", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ pdb: { minAvailable: 2 } }));
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { minAvailable: 1 } }), keepsOnly(1, "pdb.minAvailable 1", 2, " (below the 3 guaranteed replicas)"));
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { minAvailable: 3 } }), keepsEvery(3, 3, "pdb.minAvailable 3"));
        });

        it("passes 34% of 3 pods (1.02, rounded up to 2), fails 33% (0.99, rounded up to 1)", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ pdb: { minAvailable: "34%" } }));
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { minAvailable: "33%" } }), keepsOnly(1, "pdb.minAvailable 33%", 2, " (below the 3 guaranteed replicas)"));
        });

        it("passes 66% of 3 pods (1.98, rounded up to 2), fails 67% (2.01, rounded up to all 3)", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ pdb: { minAvailable: "66%" } }));
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { minAvailable: "67%" } }), keepsEvery(3, 3, "pdb.minAvailable 67%"));
        });

        it("moves the floor with a configured minAvailable 3 (4 replicas): passes 3 and 51% (2.04, rounded up to 3), fails 2 and 50%", async () => {
            const three = { "istiod-high-availability": { minAvailable: 3 } };
            await assertPasses(istiodHighAvailability, [istiodWith({ autoscaleMin: 4, pdb: { minAvailable: 3 } }), istiodWith({ autoscaleMin: 4, pdb: { minAvailable: "51%" } })], three);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 4, pdb: { minAvailable: 2 } }), keepsOnly(2, "pdb.minAvailable 2", 3, " (below the 4 guaranteed replicas)"), three);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 4, pdb: { minAvailable: "50%" } }), keepsOnly(2, "pdb.minAvailable 50%", 3, " (below the 4 guaranteed replicas)"), three);
        });

        it("takes the chart's pdb.minAvailable 1 when the values set no budget", async () => {
            await assertViolates(istiodHighAvailability, changed(istiod, (p) => delete p.values.pdb), keepsOnly(1, "pdb.minAvailable 1", 2, " (below the 3 guaranteed replicas)"));
        });
    });

    describe("the PDB's maxUnavailable (which replaces minAvailable)", () => {
        it("passes maxUnavailable 1 of 3 pods (2 kept), fails 2 (1 kept)", async () => {
            await assertPasses(istiodHighAvailability, istiodWith({ pdb: { maxUnavailable: 1 } }));
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { maxUnavailable: 2 } }), keepsOnly(1, "pdb.maxUnavailable 2", 2, " (below the 3 guaranteed replicas)"));
        });

        it("passes 25% and 50% of 4 pods (3 and 2 kept), fails 75% (1 kept) and 0% (all 4 kept)", async () => {
            await assertPasses(istiodHighAvailability, [istiodWith({ autoscaleMin: 4, pdb: { maxUnavailable: "25%" } }), istiodWith({ autoscaleMin: 4, pdb: { maxUnavailable: "50%" } })]);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 4, pdb: { maxUnavailable: "75%" } }), keepsOnly(1, "pdb.maxUnavailable 75%", 2, " (below the 4 guaranteed replicas)"));
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 4, pdb: { maxUnavailable: "0%" } }), keepsEvery(4, 4, "pdb.maxUnavailable 0%"));
        });

        // The disruption controller rounds a PDB's maxUnavailable percentage UP
        // (kubernetes/kubernetes pkg/controller/disruption/disruption.go, getExpectedPodCount:
        // GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, expectedCount, true); the docs'
        // "Rounding logic when specifying percentages": "Kubernetes rounds up to the nearest integer").
        // 34% of 3 is 1.02: 2 pods may go, 1 is kept; 33% of 3 is 0.99: 1 may go, 2 are kept.
        it("fails pdb.maxUnavailable 34% of 3 pods (rounded up: 2 may go, 1 kept), passes 33% (1 may go, 2 kept)", async () => {
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { maxUnavailable: "34%" } }), keepsOnly(1, "pdb.maxUnavailable 34%", 2, " (below the 3 guaranteed replicas)"));
            await assertPasses(istiodHighAvailability, istiodWith({ pdb: { maxUnavailable: "33%" } }));
        });

        // `pdb.maxUnavailable: 0` makes the chart render a PDB with neither field (poddisruptionbudget.yaml:
        // `else if .Values.pdb.maxUnavailable` is false for 0, and the key suppresses minAvailable; rendered
        // with Helm 4.1.4). The disruption controller computes no expected count for it and allows no
        // eviction (kubernetes/kubernetes pkg/controller/disruption/disruption.go, updatePdbStatus:
        // expectedCount <= 0 means DisruptionsAllowed 0): node drains block.
        it("fails pdb.maxUnavailable 0, which the chart renders as a PDB that allows no eviction", async () => {
            await assertViolates(istiodHighAvailability, istiodWith({ pdb: { maxUnavailable: 0 } }), keepsEvery(3, 3, "a PDB with neither minAvailable nor maxUnavailable, as the chart renders pdb.maxUnavailable: 0"));
        });
    });

    describe("the chart's PDB switch and the replicas it is rendered for", () => {
        const withPdb = (enabled: unknown) => changed(istiod, (p) => (p.values.global.defaultPodDisruptionBudget = { enabled }));

        it("fails global.defaultPodDisruptionBudget.enabled false, passes true", async () => {
            const off = `${release} disables the chart's PodDisruptionBudget (global.defaultPodDisruptionBudget.enabled: false); enable it and set pdb.minAvailable to at least 2.`;
            await assertPasses(istiodHighAvailability, withPdb(true));
            await assertViolates(istiodHighAvailability, withPdb(false), off);
            await assertViolates(istiodHighAvailability, withPdb(false), off.replace("at least 2", "at least 3"), { "istiod-high-availability": { minAvailable: 3 } });
        });

        // The string "false" is true to Helm's `if`, so the
        // chart still renders its PDB (poddisruptionbudget.yaml `if .Values.global.defaultPodDisruptionBudget.enabled`;
        // `helm template` of istiod 1.30.3 with --set-string global.defaultPodDisruptionBudget.enabled=false
        // renders the PDB). With the fixture's pdb.minAvailable 2 of 3 the rule should pass; it reports the PDB disabled.
        it("reads global.defaultPodDisruptionBudget.enabled \"false\" (a string) as Helm does: the PDB is rendered", async () => {
            await assertPasses(istiodHighAvailability, withPdb("false"));
        });

        it("judges the chart's PDB from 2 guaranteed replicas on, and sees none for 1 (chart 1.28 and later)", async () => {
            const loose = { "istiod-high-availability": { minReplicas: 2, minAvailable: 1 } };
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 2, pdb: { minAvailable: 2 } }), keepsEvery(2, 2, "pdb.minAvailable 2"), loose);
            await assertViolates(istiodHighAvailability, istiodWith({ autoscaleMin: 1, pdb: { minAvailable: 1 } }), guarantees(1, 2), loose);
        });

        it("sees the chart's PDB for one replica up to 1.27, none from 1.28.0 (and for 2.x or an unpinned version)", async () => {
            const single = (version: string) => istiodWith({ autoscaleEnabled: false, replicaCount: 1, pdb: { minAvailable: 1 } }, version);
            const withPdb = [runs(1, 3), keepsOnly(1, "pdb.minAvailable 1", 2, " and guarantee more than 2 replicas")];
            await assertViolates(istiodHighAvailability, single("1.27.9"), withPdb);
            await assertViolates(istiodHighAvailability, single("1.28.0"), runs(1, 3));
            await assertViolates(istiodHighAvailability, single("2.0.0"), runs(1, 3));
            await assertViolates(istiodHighAvailability, single("~1.27"), runs(1, 3));
        });
    });

    describe("the required anti-affinity term", () => {
        const term = (t: Record<string, unknown>) => istiodWith({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } });

        it("passes a term selecting istiod by matchExpressions", async () => {
            await assertPasses(istiodHighAvailability, term({ labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["istiod"] }] }, topologyKey: "kubernetes.io/hostname" }));
        });

        it("fails an empty selector, a selector for other pods, and a term without topologyKey", async () => {
            await assertViolates(istiodHighAvailability, term({ labelSelector: {}, topologyKey: "kubernetes.io/hostname" }), noAntiAffinity);
            await assertViolates(istiodHighAvailability, term({ labelSelector: { matchLabels: { app: "gateway" } }, topologyKey: "kubernetes.io/hostname" }), noAntiAffinity);
            await assertViolates(istiodHighAvailability, term({ labelSelector: { matchLabels: { app: "istiod" } }, topologyKey: "" }), noAntiAffinity);
        });
    });
});

describe("cross-network-gateway-auto-passthrough at its boundaries", () => {
    const server = (change: (s: any) => void) => changed(crossNetworkGateway, (p) => change(p.spec.servers[0]));
    const modeMessage = (mode: string) =>
        `Gateway 'cross-network-gateway' serves port 15443 with tls.mode ${mode}; cross-network traffic needs tls.mode AUTO_PASSTHROUGH (ISTIO_MUTUAL terminates the mesh's mTLS at the gateway and breaks SNI routing to the other network).`;
    const hostsMessage = (hosts: string) => `Gateway 'cross-network-gateway' exposes ${hosts} on port 15443; limit the cross-network server to hosts "*.local" (mesh-internal services only).`;

    it("passes AUTO_PASSTHROUGH and fails every other TLS mode of Istio's Gateway (PASSTHROUGH, SIMPLE, MUTUAL, ISTIO_MUTUAL, OPTIONAL_MUTUAL), and none", async () => {
        await assertPasses(crossNetworkGatewayAutoPassthrough, server((s) => (s.tls.mode = "AUTO_PASSTHROUGH")));
        for (const mode of ["PASSTHROUGH", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"]) {
            await assertViolates(crossNetworkGatewayAutoPassthrough, server((s) => (s.tls.mode = mode)), modeMessage(mode));
        }
        await assertViolates(crossNetworkGatewayAutoPassthrough, server((s) => delete s.tls), modeMessage("(none)"));
    });

    it("judges port 15443 only (also written as a string), not 15442 or 15444", async () => {
        await assertViolates(crossNetworkGatewayAutoPassthrough, server((s) => {
            Object.assign(s, { port: { number: "15443", name: "tls", protocol: "TLS" }, tls: { mode: "ISTIO_MUTUAL" } });
        }), modeMessage("ISTIO_MUTUAL"));
        for (const number of [15442, 15444]) {
            await assertPasses(crossNetworkGatewayAutoPassthrough, server((s) => {
                Object.assign(s, { port: { number, name: "tls", protocol: "TLS" }, tls: { mode: "ISTIO_MUTUAL" }, hosts: ["*"] });
            }));
        }
    });

    it("passes hosts ending in the label local (with a namespace, or deeper), fails a label that merely ends in 'local', and no hosts", async () => {
        await assertPasses(crossNetworkGatewayAutoPassthrough, server((s) => (s.hosts = ["*.local", "istio-system/*.local", "*.svc.cluster.local"])));
        await assertViolates(crossNetworkGatewayAutoPassthrough, server((s) => (s.hosts = ["*.notlocal", "*.local.example.com"])), hostsMessage("'*.notlocal' and '*.local.example.com'"));
        await assertViolates(crossNetworkGatewayAutoPassthrough, server((s) => (s.hosts = [])), hostsMessage("no hosts"));
    });
});

describe("istiod-exposure-passthrough at its boundaries", () => {
    const modeMessage = (port: number, what: string, mode: string) => `Gateway 'istiod-gateway' exposes istiod's port ${port} (${what}) with tls.mode ${mode}; set tls.mode PASSTHROUGH so remote clusters reach istiod's own TLS.`;
    const unrouted = (port: number, target: number) =>
        `Gateway 'istiod-gateway' exposes port ${port} but no VirtualService bound to it routes TLS on port ${port} to istiod.istio-system.svc.cluster.local port ${target}; add a tls route matching port ${port} (sniHosts "*") to that destination.`;

    it("passes PASSTHROUGH and fails every other mode, on 15012 and on 15017 each", async () => {
        for (const mode of ["AUTO_PASSTHROUGH", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"]) {
            await assertViolates(istiodExposurePassthrough, [changed(istiodGateway, (p) => (p.spec.servers[0].tls.mode = mode)), istiodVirtualService], modeMessage(15012, "xDS and CA (gRPC over TLS)", mode));
            await assertViolates(istiodExposurePassthrough, [changed(istiodGateway, (p) => (p.spec.servers[1].tls.mode = mode)), istiodVirtualService], modeMessage(15017, "the sidecar injection and validation webhooks", mode));
        }
    });

    it("routes 15012 to the Service's 15012 and 15017 to its 443, not one port off", async () => {
        await assertViolates(istiodExposurePassthrough, [istiodGateway, changed(istiodVirtualService, (p) => (p.spec.tls[0].route[0].destination.port.number = 15013))], unrouted(15012, 15012));
        await assertViolates(istiodExposurePassthrough, [istiodGateway, changed(istiodVirtualService, (p) => (p.spec.tls[1].route[0].destination.port.number = 444))], unrouted(15017, 443));
    });

    it("accepts istiod's Service by its three in-cluster names, not a name without the namespace", async () => {
        for (const host of ["istiod.istio-system.svc", "istiod.istio-system"]) {
            await assertPasses(istiodExposurePassthrough, [istiodGateway, changed(istiodVirtualService, (p) => p.spec.tls.forEach((t: any) => (t.route[0].destination.host = host)))]);
        }
        await assertViolates(istiodExposurePassthrough, [istiodGateway, changed(istiodVirtualService, (p) => p.spec.tls.forEach((t: any) => (t.route[0].destination.host = "istiod")))], [unrouted(15012, 15012), unrouted(15017, 443)]);
    });

    it("counts a VirtualService bound by namespace/name from another namespace, not by bare name", async () => {
        const elsewhere = (gateway: string) => changed(istiodVirtualService, (p) => {
            p.metadata.namespace = "mesh-routes";
            p.spec.gateways = [gateway];
        });
        await assertPasses(istiodExposurePassthrough, [istiodGateway, elsewhere("istio-system/istiod-gateway")]);
        await assertViolates(istiodExposurePassthrough, [istiodGateway, elsewhere("istiod-gateway")], [unrouted(15012, 15012), unrouted(15017, 443)]);
    });
});

describe("remote-secret-shape at its boundaries", () => {
    const problem = (text: string) => `Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: ${text}. Build it as istioctl create-remote-secret does.`;

    it("passes the label istio/multiCluster \"true\" only, not \"false\"", async () => {
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => (p.metadata.labels["istio/multiCluster"] = "false")), problem("label istio/multiCluster is \"false\" (expected \"true\")"));
    });

    it("wants exactly one data key: fails none", async () => {
        await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => (p.stringData = {})), problem("its data keys are missing (expected exactly 'cluster2', which istiod reads as the cluster id)"));
    });
});

describe("mesh-cluster-names-match at its boundaries", () => {
    it("counts the chart's default cluster name Kubernetes as no name", async () => {
        await assertViolates(meshClusterNamesMatch, changed(istiod, (p) => (p.values.global.multiCluster.clusterName = "Kubernetes")),
            "Helm release 'istiod' (chart istiod) does not set global.multiCluster.clusterName; set it to this cluster's name (the name of its remote secret on the primary).");
    });

    it("passes two istiod releases naming one cluster, fails two names", async () => {
        const second = (cluster: string): ResourceArgs => ({ ...changed(istiod, (p) => (p.values.global.multiCluster.clusterName = cluster)), name: "istiod-canary" });
        await assertPasses(meshClusterNamesMatch, [istiod, second("cluster1")]);
        await assertViolates(meshClusterNamesMatch, [istiod, second("cluster9")], "The istiod releases of this stack name different clusters (cluster1 and cluster9); one cluster has one name.");
    });

    it("passes one remote secret per cluster, fails a second for the same cluster", async () => {
        const copy: ResourceArgs = { ...remoteSecret, name: "copy", props: { ...structuredClone(remoteSecret.props), metadata: { ...structuredClone((remoteSecret.props as any).metadata), name: "istio-remote-secret-cluster2-copy" } } };
        await assertPasses(meshClusterNamesMatch, [istiod, remoteSecret]);
        await assertViolates(meshClusterNamesMatch, [istiod, remoteSecret, copy], "Secrets 'istio-remote-secret-cluster2' and 'istio-remote-secret-cluster2-copy' are both remote secrets for cluster 'cluster2'; keep one.");
    });
});
