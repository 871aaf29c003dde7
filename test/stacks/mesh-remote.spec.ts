import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { registry } from "../../config/registry";
import type { StackSample } from "../../offline/engine";
import { readSamples } from "../../offline/samples";
import { containsSecret } from "../../offline/values";
import { inputsOf, ofType, one, outputsOf, planned, plannedOnce, rejected, type Planned } from "../support/plan";
import { invalidObjects } from "../support/schemas";

const release = "kubernetes:helm.sh/v3:Release";
const primarySample = readSamples().get("acme/mesh-ingress/primary")!;
const hostname = String(primarySample.outputs["discoveryAddress"]);
const rootPem = String(primarySample.outputs["caRootCert"]);

/** The primary's sample with other outputs. */
function primaryWith(outputs: Record<string, unknown>): { get: (name: string) => StackSample | undefined } {
    const sample = { ...primarySample, outputs: { ...primarySample.outputs, ...outputs }, source: "test sample" };
    return { get: (name) => (name === "acme/mesh-ingress/primary" ? sample : undefined) };
}

describe("a remote's mesh (IstioRemote)", () => {
    let p: Planned;
    before(async () => {
        p = await plannedOnce("remote");
    });

    it("labels istio-system with its network and names its control plane cluster", () => {
        assert.deepEqual(inputsOf(one(p, "kubernetes:core/v1:Namespace", "mesh-namespace")).metadata, {
            name: "istio-system",
            labels: { "topology.istio.io/network": "network2" },
            annotations: { "topology.istio.io/controlPlaneClusters": "cluster1" },
        });
    });

    it("installs base and istiod in the remote profile, at the primary's version, pointed at the primary", () => {
        const base = inputsOf(one(p, release, "mesh-base"));
        assert.equal(base.values.profile, "remote");
        const istiod = inputsOf(one(p, release, "mesh-istiod"));
        assert.equal(istiod.version, "1.30.5");
        assert.equal(istiod.values.profile, "remote");
        assert.deepEqual(istiod.values.global, {
            multiCluster: { clusterName: "cluster2" },
            network: "network2",
            configCluster: true,
            remotePilotAddress: hostname,
        });
        // No istiod pods: the chart's remote profile; pilot.* is not read by the 1.24+ chart.
        assert.equal(istiod.values.pilot, undefined);
        assert.equal(istiod.values.replicaCount, undefined);
    });

    it("calls the webhooks by URL when the discovery address is a hostname (istio/istio#45014), every one trusting the mesh root", () => {
        const values = inputsOf(one(p, release, "mesh-istiod")).values;
        const bundle = Buffer.from(rootPem).toString("base64");
        assert.deepEqual(values.istiodRemote, {
            injectionURL: `https://${hostname}:15017/inject/cluster/cluster2/net/network2`,
            injectionCABundle: bundle,
        });
        // The primary's istiod patches only the injection webhook of a remote: without the
        // bundle here both validators would keep no caBundle and failurePolicy Ignore.
        const validation = { validationURL: `https://${hostname}:15017/validate`, validationCABundle: bundle };
        assert.deepEqual(values.base, validation);
        assert.deepEqual(inputsOf(one(p, release, "mesh-base")).values, { profile: "remote", base: validation });
        assert.equal(outputsOf(p).injectionMode, "url");
    });

    it("uses injectionPath when the discovery address is an IP, the validators still trusting the mesh root", async () => {
        const ip = await planned("remote", { samples: primaryWith({ discoveryAddress: "198.51.100.7" }) });
        const values = inputsOf(one(ip, release, "mesh-istiod")).values;
        const bundle = Buffer.from(rootPem).toString("base64");
        assert.equal(values.global.remotePilotAddress, "198.51.100.7");
        assert.deepEqual(values.istiodRemote, { injectionPath: "/inject/cluster/cluster2/net/network2", injectionCABundle: bundle });
        assert.deepEqual(values.base, { validationCABundle: bundle });
        assert.deepEqual(inputsOf(one(ip, release, "mesh-base")).values.base, { validationCABundle: bundle });
    });

    it("lets config override the choice and the URL", async () => {
        const forced = await planned("remote", { overrides: { set: { istioRemoteInjection: "path" } } });
        assert.deepEqual(Object.keys(inputsOf(one(forced, release, "mesh-istiod")).values.istiodRemote).sort(), ["injectionCABundle", "injectionPath"]);
        const url = "https://istiod.mesh.example.com:15017/inject/cluster/cluster2/net/network2";
        const custom = await planned("remote", { overrides: { set: { istioInjectionUrl: url } } });
        assert.equal(inputsOf(one(custom, release, "mesh-istiod")).values.istiodRemote.injectionURL, url);
    });

    it("has its own east-west gateway (not awaited: its proxies connect once the primary holds the remote secret) and cross-network Gateway", () => {
        const gateway = inputsOf(one(p, release, "mesh-eastwest-release"));
        assert.equal(gateway.values.networkGateway, "network2");
        assert.equal(gateway.skipAwait, true);
        const service = inputsOf(one(p, "kubernetes:core/v1:Service", "mesh-eastwest-service"));
        assert.deepEqual(service.metadata.labels, { app: "istio-eastwestgateway", istio: "eastwestgateway", "topology.istio.io/network": "network2" });
        assert.equal(service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"], "ip");
        const cross = inputsOf(one(p, "kubernetes:networking.istio.io/v1:Gateway"));
        assert.equal(cross.metadata.name, "cross-network-gateway");
        assert.deepEqual(cross.spec.servers[0].tls, { mode: "AUTO_PASSTHROUGH" });
        assert.deepEqual(cross.spec.servers[0].hosts, ["*.local"]);
        // istiod runs only on the primary.
        assert.deepEqual(ofType(p, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"), []);
    });

    it("creates the reader's token Secret and waits for the token controller to fill it", () => {
        const token = inputsOf(one(p, "kubernetes:core/v1:Secret"));
        assert.deepEqual(token.metadata, {
            name: "istio-reader-service-account-token",
            namespace: "istio-system",
            annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account", "pulumi.com/waitFor": "jsonpath={.data.token}" },
        });
        assert.equal(token.type, "kubernetes.io/service-account-token");
        assert.ok(p.document.resources.find((r) => r.name === "mesh-reader-token")?.dependsOn.includes("mesh-base"), "the service account comes from base");
    });

    it("creates only objects that conform to the upstream schemas", async () => {
        assert.deepEqual(await invalidObjects(p.evaluation.resources), []);
    });

    it("exports the API endpoint, CA data and reader token as secrets", async () => {
        const up = await plannedOnce("remote", undefined, { up: true });
        for (const key of ["apiServer", "apiServerCaData", "readerToken"]) {
            assert.ok(containsSecret(up.evaluation.outputs[key]), `${key} is a secret`);
        }
        const out = outputsOf(up);
        // kubeContext cluster2 of the (offline) ambient kubeconfig.
        assert.equal(out.apiServer, "https://22222222222222222222222222222222.gr7.us-east-1.eks.amazonaws.com");
        assert.match(Buffer.from(out.apiServerCaData as string, "base64").toString(), /^-----BEGIN CERTIFICATE-----/);
        assert.equal(out.readerToken, "offline-token-mesh-reader-token");
        assert.equal(out.eastWestAddress, "mesh-eastwest-service-0123456789abcdef.elb.us-east-1.amazonaws.com");
        for (const key of ["clusterName", "network", "istioVersion", "meshId", "primaryClusterName"]) assert.ok(!containsSecret(up.evaluation.outputs[key]), `${key} is plain`);
    });

    it("takes the endpoint from remoteApiServer / remoteApiServerCaData when set", async () => {
        const ca = Buffer.from("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n").toString("base64");
        const up = await planned("remote", { up: true, overrides: { set: { remoteApiServer: "https://private.cluster2.example.com", remoteApiServerCaData: ca } } });
        assert.equal(outputsOf(up).apiServer, "https://private.cluster2.example.com");
        assert.equal(outputsOf(up).apiServerCaData, ca);
        assert.ok(containsSecret(up.evaluation.outputs["apiServer"]));
    });

    it("takes the endpoint from a secret kubeconfig, keeping it secret", async () => {
        const kubeconfig = [
            "apiVersion: v1",
            "current-context: c2",
            "contexts: [{ name: c2, context: { cluster: k2, user: u } }]",
            "clusters: [{ name: k2, cluster: { server: 'https://k2.example.com', certificate-authority-data: Q0E= } }]",
            "users: [{ name: u, user: { token: t } }]",
        ].join("\n");
        const up = await planned("remote", { up: true, overrides: { unset: ["kubeContext"], set: { kubeconfig }, secret: ["kubeconfig"] } });
        assert.equal(outputsOf(up).apiServer, "https://k2.example.com");
        assert.equal(outputsOf(up).apiServerCaData, "Q0E=");
        assert.ok(containsSecret(up.evaluation.outputs["apiServer"]) && containsSecret(up.evaluation.outputs["apiServerCaData"]));
    });

    it("plans a second remote added as the README says (new stack file, its own context)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "remote-eu-"));
        const file = path.join(dir, "Pulumi.remote-eu.yaml");
        fs.writeFileSync(file, [
            "config:",
            "  mesh-ingress:role: remote",
            "  mesh-ingress:clusterName: cluster3",
            "  mesh-ingress:network: network3",
            "  mesh-ingress:kubeContext: cluster3",
            "  mesh-ingress:awsRegion: eu-west-1",
            "  mesh-ingress:primaryStack: acme/mesh-ingress/primary",
        ].join("\n"));
        const eu = await planned("remote-eu", { configFile: file, up: true });
        assert.deepEqual(eu.document.violations, []);
        assert.equal(inputsOf(one(eu, release, "mesh-istiod")).values.istiodRemote.injectionURL, `https://${hostname}:15017/inject/cluster/cluster3/net/network3`);
        assert.equal(outputsOf(eu).apiServer, "https://cluster3.k8s.example.com");
    });

    it("keeps the primary sample at the default Istio version", () => {
        assert.equal(primarySample.outputs["istioVersion"], registry.istioVersion.default);
    });

    it("refuses a remote ahead of its primary (pulumi up), or more than one minor version behind it", async () => {
        const ahead = await rejected("remote", { samples: primaryWith({ istioVersion: "1.29.4" }), up: true });
        assert.deepEqual(ahead, [
            "istioVersion = \"1.30.5\": expected at most the primary's Istio version ('1.29.4' in acme/mesh-ingress/primary): Istio's data plane cannot be ahead of its control plane; deploy the primary first",
        ]);
        const behind = await rejected("remote", { samples: primaryWith({ istioVersion: "1.32.0" }) });
        assert.deepEqual(behind, [
            "istioVersion = \"1.30.5\": expected the primary's Istio version ('1.32.0' in acme/mesh-ingress/primary) or one minor version behind it (1.31.x): Istio supports a control plane at most one minor version ahead of its data plane",
        ]);
    });

    it("previews a remote ahead of its primary with a warning (the primary is deployed first), and plans one minor version behind", async () => {
        const ahead = await planned("remote", { samples: primaryWith({ istioVersion: "1.29.4" }) });
        assert.deepEqual(ahead.document.warnings.filter((w) => w.startsWith("istioVersion")), [
            "istioVersion = \"1.30.5\": expected at most the primary's Istio version ('1.29.4' in acme/mesh-ingress/primary): Istio's data plane cannot be ahead of its control plane; deploy the primary first; `pulumi up` refuses it until then.",
        ]);
        const behind = await planned("remote", { samples: primaryWith({ istioVersion: "1.31.0" }), up: true });
        assert.deepEqual(behind.document.warnings.filter((w) => w.startsWith("istioVersion")), [
            "istioVersion 1.30.5 is behind the primary's 1.31.0 (acme/mesh-ingress/primary): supported while the mesh is being upgraded (istiod at most one minor version ahead); upgrade this remote to 1.31.0 next.",
        ]);
        assert.equal(inputsOf(one(behind, release, "mesh-istiod")).version, "1.30.5", "the remote keeps its charts until it is upgraded");
    });

    it("refuses to plan against a primary deployed by an older program, naming what is missing", async () => {
        const outputs: Record<string, unknown> = { ...primarySample.outputs };
        delete outputs["discoveryAddress"];
        const old = { ...primarySample, outputs, source: "old" };
        const lines = await rejected("remote", { samples: { get: () => old } });
        assert.match(lines[0]!, /does not export discoveryAddress: it was deployed by an older version of this program/);
    });
});
