import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { chartArgs, eastWestGatewayValues, injectionMode, isIpv4, primaryIstiodValues, remoteBaseValues, remoteIstiodValues } from "../../../components/mesh/charts";
import { customHostsFor } from "../../../components/mesh/istio-primary";
import { remoteKubeconfig, remoteSecretName } from "../../../components/mesh/remote-cluster-secret";

describe("components/mesh/charts", () => {
    it("references https charts through the repository and oci charts in full", () => {
        assert.deepEqual(chartArgs({ repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.5" }, "istiod"), {
            chart: "istiod",
            version: "1.30.5",
            repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
        });
        assert.deepEqual(chartArgs({ repository: "oci://registry.istio.io/release/charts/", version: "1.30.5" }, "gateway"), {
            chart: "oci://registry.istio.io/release/charts/gateway",
            version: "1.30.5",
        });
    });

    it("tells IP addresses from hostnames as the istiod chart does", () => {
        assert.equal(isIpv4("198.51.100.7"), true);
        assert.equal(isIpv4("abc-123.elb.us-east-1.amazonaws.com"), false);
    });

    it("picks the injection mode by the discovery address unless told", () => {
        const o = { injectionUrl: "" };
        assert.equal(injectionMode({ ...o, discoveryAddress: "198.51.100.7", injection: "auto" }), "path");
        assert.equal(injectionMode({ ...o, discoveryAddress: "lb.example.com", injection: "auto" }), "url");
        assert.equal(injectionMode({ ...o, discoveryAddress: "lb.example.com", injection: "path" }), "path");
        assert.equal(injectionMode({ discoveryAddress: "198.51.100.7", injection: "auto", injectionUrl: "https://istiod.example.com:15017/inject" }), "url");
    });

    it("rolls istiod out one pod at a time, so an upgrade progresses on exactly replicaCount nodes", () => {
        const values = primaryIstiodValues({
            meshId: "m",
            clusterName: "c1",
            network: "n1",
            replicas: 3,
            pdbMinAvailable: 2,
            resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
        });
        // The chart's defaults (100% / 25%, i.e. 0 of 3) deadlock under the required per-node anti-affinity.
        assert.equal(values["rollingMaxSurge"], 0);
        assert.equal(values["rollingMaxUnavailable"], 1);
        assert.equal((values["affinity"] as any).podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
    });

    describe("a remote's webhooks", () => {
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        const bundle = Buffer.from(pem).toString("base64");
        const o = { clusterName: "c2", network: "n2", injection: "auto" as const, injectionUrl: "", caRootCert: pem };

        it("give both validators the mesh root (base.validationCABundle in base and istiod), by path for an IP", () => {
            const ip = { ...o, discoveryAddress: "198.51.100.7" };
            assert.deepEqual(remoteBaseValues(ip), { profile: "remote", base: { validationCABundle: bundle } });
            const istiod = remoteIstiodValues(ip);
            assert.deepEqual(istiod["base"], { validationCABundle: bundle });
            assert.deepEqual(istiod["istiodRemote"], { injectionPath: "/inject/cluster/c2/net/n2", injectionCABundle: bundle });
        });

        it("give both validators the mesh root next to the validation URL for a hostname", () => {
            const lb = { ...o, discoveryAddress: "lb.example.com" };
            const base = { validationURL: "https://lb.example.com:15017/validate", validationCABundle: bundle };
            assert.deepEqual(remoteBaseValues(lb), { profile: "remote", base });
            assert.deepEqual(remoteIstiodValues(lb)["base"], base);
            assert.deepEqual(remoteIstiodValues(lb)["istiodRemote"], { injectionURL: "https://lb.example.com:15017/inject/cluster/c2/net/n2", injectionCABundle: bundle });
        });
    });

    it("does not repeat the network label the chart sets itself", () => {
        const values = eastWestGatewayValues({ network: "n1", minReplicas: 2, maxReplicas: 4 });
        assert.deepEqual(values["labels"], { app: "istio-eastwestgateway", istio: "eastwestgateway" });
    });

    it("adds the load balancer's hostname, not its IP, to istiod's certificate names", () => {
        assert.equal(customHostsFor(["istiod.example.com"], "lb.example.com"), "istiod.example.com,lb.example.com");
        assert.equal(customHostsFor(["istiod.example.com"], "198.51.100.7"), "istiod.example.com");
        assert.equal(customHostsFor([], "198.51.100.7"), "");
    });

    it("writes a remote secret's kubeconfig with cluster, context and user named after the remote", () => {
        const text = remoteKubeconfig({ name: "eu-1", server: "https://eu-1.example.com", caData: "Q0E=", token: "t0k3n" });
        assert.deepEqual(parse(text), {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "eu-1", cluster: { server: "https://eu-1.example.com", "certificate-authority-data": "Q0E=" } }],
            contexts: [{ name: "eu-1", context: { cluster: "eu-1", user: "eu-1" } }],
            "current-context": "eu-1",
            preferences: {},
            users: [{ name: "eu-1", user: { token: "t0k3n" } }],
        });
        assert.equal(remoteSecretName("eu-1"), "istio-remote-secret-eu-1");
    });
});
