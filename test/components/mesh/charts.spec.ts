import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { chartArgs, eastWestGatewayValues, injectionMode, isIpv4, remoteIstiodValues } from "../../../components/mesh/charts";
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

    it("leaves the CA bundle out when no root is known", () => {
        const values = remoteIstiodValues({ clusterName: "c2", network: "n2", discoveryAddress: "198.51.100.7", injection: "auto", injectionUrl: "" });
        assert.deepEqual(values["istiodRemote"], { injectionPath: "/inject/cluster/c2/net/n2" });
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
