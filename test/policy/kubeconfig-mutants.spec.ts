import { stringify } from "yaml";
import { remoteSecretShape } from "../../policy/mesh";
import { unknownSentinel } from "../../offline/values";
import { changed, remoteSecret } from "./fixtures";
import { assertPasses, assertViolates } from "./support";

/**
 * The kubeconfig inside a remote secret, entry by entry, as istioctl create-remote-secret
 * writes it and istiod's secret controller loads it (client-go clientcmd.Load and the
 * current context): each case breaks one part of the cluster, context or user, or puts a
 * second entry beside the right one, before or after it.
 */

const problem = (...texts: string[]) =>
    `Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: ${texts.join("; ")}. Build it as istioctl create-remote-secret does.`;
const inData = (text: string) => `in data['cluster2'] ${text}`;

const cluster = (name: string, fields: Record<string, unknown> = {}) => ({ name, cluster: { server: "https://203.0.113.10:6443", "certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", ...fields } });
const context = (name: string, joins: Record<string, unknown> = { cluster: name, user: name }) => ({ name, context: joins });
const user = (name: string, fields: Record<string, unknown> = { token: "eyJhbGciOiJSUzI1NiJ9.reader-token" }) => ({ name, user: fields });

/** The remote secret holding a kubeconfig with these lists (each defaults to the right one). */
const holding = (lists: { clusters?: unknown[]; contexts?: unknown[]; users?: unknown[] }) =>
    changed(remoteSecret, (p) => {
        p.stringData.cluster2 = stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: lists.clusters ?? [cluster("cluster2")],
            contexts: lists.contexts ?? [context("cluster2")],
            "current-context": "cluster2",
            users: lists.users ?? [user("cluster2")],
        });
    });

describe("remote-secret-shape reads the kubeconfig as istiod does", () => {
    it("fails a context that joins another cluster or another user, or names neither", async () => {
        await assertViolates(remoteSecretShape, holding({ contexts: [context("cluster2", { cluster: "remote", user: "cluster2" })] }),
            problem(inData("its context joins cluster 'remote' and user 'cluster2' (expected 'cluster2' for both)")));
        await assertViolates(remoteSecretShape, holding({ contexts: [context("cluster2", { cluster: "cluster2", user: "admin" })] }),
            problem(inData("its context joins cluster 'cluster2' and user 'admin' (expected 'cluster2' for both)")));
        await assertViolates(remoteSecretShape, holding({ contexts: [{ name: "cluster2" }] }),
            problem(inData("its context joins cluster '' and user '' (expected 'cluster2' for both)")));
    });

    it("fails a server that is not https://, or missing, and a cluster without certificate-authority-data", async () => {
        await assertViolates(remoteSecretShape, holding({ clusters: [cluster("cluster2", { server: "http://203.0.113.10:6443" })] }),
            problem(inData("its cluster's server is \"http://203.0.113.10:6443\" (expected the remote API server's https:// URL)")));
        await assertViolates(remoteSecretShape, holding({ clusters: [cluster("cluster2", { server: undefined })] }),
            problem(inData("its cluster's server is \"\" (expected the remote API server's https:// URL)")));
        await assertViolates(remoteSecretShape, holding({ clusters: [cluster("cluster2", { "certificate-authority-data": undefined })] }),
            problem(inData("its cluster has no certificate-authority-data")));
    });

    it("lists every entry when there is more than one, the right one first or not, and judges only the one named for the cluster", async () => {
        const broken = { clusters: [cluster("other", { server: "http://10.0.0.1" })], contexts: [context("other", { cluster: "x", user: "y" })], users: [user("other", {})] };
        await assertViolates(remoteSecretShape, holding({ clusters: [cluster("cluster2"), ...broken.clusters], contexts: [context("cluster2"), ...broken.contexts], users: [user("cluster2"), ...broken.users] }),
            problem(
                inData("its clusters are 'cluster2', 'other' (expected exactly one named 'cluster2')"),
                inData("its contexts are 'cluster2', 'other' (expected exactly one named 'cluster2')"),
                inData("its users are 'cluster2', 'other' (expected exactly one named 'cluster2')"),
            ));
        await assertViolates(remoteSecretShape, holding({ clusters: [...broken.clusters, cluster("cluster2")], contexts: [...broken.contexts, context("cluster2")], users: [...broken.users, user("cluster2")] }),
            problem(
                inData("its clusters are 'other', 'cluster2' (expected exactly one named 'cluster2')"),
                inData("its contexts are 'other', 'cluster2' (expected exactly one named 'cluster2')"),
                inData("its users are 'other', 'cluster2' (expected exactly one named 'cluster2')"),
            ));
    });

    it("fails empty lists, an entry without a name, and an entry that is not an object (which clientcmd.Load cannot decode)", async () => {
        await assertViolates(remoteSecretShape, holding({ clusters: [], contexts: [{ context: { cluster: "cluster2", user: "cluster2" } }] }),
            problem(inData("its clusters are missing (expected exactly one named 'cluster2')"), inData("its contexts are '' (expected exactly one named 'cluster2')")));
        await assertViolates(remoteSecretShape, holding({ users: ["cluster2", user("cluster2")] }),
            problem(inData("its users are '', 'cluster2' (expected exactly one named 'cluster2')")));
    });

    it("fails a value that is not YAML, or YAML that is not an object", async () => {
        for (const text of ["clusters: [", "cluster2"]) {
            await assertViolates(remoteSecretShape, changed(remoteSecret, (p) => (p.stringData.cluster2 = text)), problem("data['cluster2'] is not a kubeconfig"));
        }
    });

    it("decides from what is known when a base64 data value is unknown (preview)", async () => {
        await assertPasses(remoteSecretShape, changed(remoteSecret, (p) => {
            p.data = { cluster2: unknownSentinel };
            delete p.stringData;
        }));
    });
});
