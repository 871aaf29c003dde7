import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ambientKubeconfigFiles, endpointFromKubeconfig } from "../../stacks/cluster-endpoint";

const doc = (context: string, cluster: string, server: string, ca = "Q0E="): string =>
    [
        "apiVersion: v1",
        `current-context: ${context}`,
        `contexts: [{ name: ${context}, context: { cluster: ${cluster}, user: u } }]`,
        `clusters: [{ name: ${cluster}, cluster: { server: '${server}', certificate-authority-data: ${ca} } }]`,
    ].join("\n");

describe("stacks/cluster-endpoint", () => {
    it("reads server and CA data of the named context, or of the current context", () => {
        const text = doc("a", "k", "https://a.example.com");
        assert.deepEqual(endpointFromKubeconfig([text], "a", "test"), { server: "https://a.example.com", caData: "Q0E=" });
        assert.deepEqual(endpointFromKubeconfig([text], undefined, "test"), { server: "https://a.example.com", caData: "Q0E=" });
    });

    it("merges several files as kubectl does: the first definition wins", () => {
        const first = doc("a", "k", "https://first.example.com");
        const second = [doc("b", "k", "https://second.example.com")].join("\n");
        assert.equal(endpointFromKubeconfig([first, second], "b", "test").server, "https://first.example.com");
    });

    it("reads a certificate-authority file relative to the kubeconfig", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-"));
        fs.writeFileSync(path.join(dir, "ca.crt"), "PEM");
        const text = ["current-context: a", "contexts: [{ name: a, context: { cluster: k } }]", "clusters: [{ name: k, cluster: { server: 'https://a', certificate-authority: ca.crt } }]"].join("\n");
        assert.equal(endpointFromKubeconfig([text], "a", "test", dir).caData, Buffer.from("PEM").toString("base64"));
    });

    it("explains what is missing, without echoing the kubeconfig", () => {
        assert.throws(() => endpointFromKubeconfig([doc("a", "k", "https://a")], "b", "The kubeconfig setting"), /The kubeconfig setting has no context 'b'\./);
        const noCa = ["current-context: a", "contexts: [{ name: a, context: { cluster: k } }]", "clusters: [{ name: k, cluster: { server: 'https://a', insecure-skip-tls-verify: true } }]"].join("\n");
        assert.throws(() => endpointFromKubeconfig([noCa], "a", "test"), /gives no CA for cluster 'k'; istiod must verify the API server/);
    });

    it("finds the ambient kubeconfig as kubectl does", () => {
        assert.deepEqual(ambientKubeconfigFiles({ KUBECONFIG: ["/a", "/b"].join(path.delimiter) }), ["/a", "/b"]);
        assert.deepEqual(ambientKubeconfigFiles({}), [path.join(os.homedir(), ".kube", "config")]);
    });
});
