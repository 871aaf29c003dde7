import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ambientKubeconfigFiles, endpointFromKubeconfig, kubeconfigSetting } from "../../stacks/cluster-endpoint";

const test = { key: "kubeContext", shown: '"a"', secret: false };

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
        assert.deepEqual(endpointFromKubeconfig([text], "a", test), { server: "https://a.example.com", caData: "Q0E=" });
        assert.deepEqual(endpointFromKubeconfig([text], undefined, test), { server: "https://a.example.com", caData: "Q0E=" });
    });

    it("merges several files as kubectl does: the first definition wins", () => {
        const first = doc("a", "k", "https://first.example.com");
        const second = [doc("b", "k", "https://second.example.com")].join("\n");
        assert.equal(endpointFromKubeconfig([first, second], "b", test).server, "https://first.example.com");
    });

    it("reads a certificate-authority file relative to the kubeconfig", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-"));
        fs.writeFileSync(path.join(dir, "ca.crt"), "PEM");
        const text = ["current-context: a", "contexts: [{ name: a, context: { cluster: k } }]", "clusters: [{ name: k, cluster: { server: 'https://a', certificate-authority: ca.crt } }]"].join("\n");
        assert.equal(endpointFromKubeconfig([text], "a", test, dir).caData, Buffer.from("PEM").toString("base64"));
    });

    it("explains what is missing, without echoing the kubeconfig", () => {
        assert.throws(() => endpointFromKubeconfig([doc("a", "k", "https://a")], "b", test), { message: `kubeContext = "a": expected a kubeconfig with the context it uses (it has no context 'b')` });
        const noCa = ["current-context: a", "contexts: [{ name: a, context: { cluster: k } }]", "clusters: [{ name: k, cluster: { server: 'https://a', insecure-skip-tls-verify: true } }]"].join("\n");
        assert.throws(() => endpointFromKubeconfig([noCa], "a", test), /expected a kubeconfig that gives its cluster's CA \(istiod must verify the API server\).*\(cluster 'k' has none\)$/);
    });

    it("names the kubeconfig setting and quotes nothing of a secret kubeconfig: malformed, no context, unreadable CA file", () => {
        const token = "tok-0123456789abcdef";
        const malformed = `apiVersion: v1\nusers:\n- name: x\n  user: {token: ${token}\n`;
        assert.throws(() => endpointFromKubeconfig([malformed], undefined, kubeconfigSetting), { message: "kubeconfig = [secret]: expected a kubeconfig (a YAML mapping); cannot be parsed at line 5" });
        assert.throws(() => endpointFromKubeconfig([doc("secret-ctx", "k", "https://a")], "other-ctx", kubeconfigSetting), { message: "kubeconfig = [secret]: expected a kubeconfig with the context it uses" });
        const missingCa = ["current-context: a", "contexts: [{ name: a, context: { cluster: k } }]", "clusters: [{ name: k, cluster: { server: 'https://a', certificate-authority: /nonexistent/secret-ca.crt } }]"].join("\n");
        assert.throws(
            () => endpointFromKubeconfig([missingCa], undefined, kubeconfigSetting),
            { message: "kubeconfig = [secret]: expected a kubeconfig whose certificate-authority file can be read; use certificate-authority-data, or set remoteApiServerCaData" },
        );
        assert.throws(() => endpointFromKubeconfig([missingCa], undefined, test), /\(cluster 'k' names \/nonexistent\/secret-ca\.crt: ENOENT\)$/);
    });

    it("finds the ambient kubeconfig as kubectl does", () => {
        assert.deepEqual(ambientKubeconfigFiles({ KUBECONFIG: ["/a", "/b"].join(path.delimiter) }), ["/a", "/b"]);
        assert.deepEqual(ambientKubeconfigFiles({}), [path.join(os.homedir(), ".kube", "config")]);
    });
});
