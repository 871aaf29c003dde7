import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { diagnose, prepare } from "../../doctor/run";
import { renderText, type DoctorReport } from "../../doctor/report";
import { projectDir } from "../../offline/plan";
import { backendState } from "./fixtures";
import { Bench, checkOf, notOk } from "./harness";

/**
 * The doctor on a remote stack: its webhooks point at the primary's discovery address and
 * carry a caBundle, its reader token exists; the same checks without a Pulumi backend
 * (the discovery address unknown, and said so); and the runs that cannot start at all
 * (exit status 2): an unreachable API server, refused credentials, a missing context, a
 * secret kubeconfig without the Pulumi CLI.
 */

const ns = "istio-system";

describe("npm run doctor on a remote", function () {
    let bench: Bench;
    let healthy: DoctorReport;

    before(async function () {
        this.timeout(120000);
        bench = await Bench.start(["remote"]);
        bench.reset("remote");
        healthy = await bench.run("remote");
    });
    after(async () => bench?.stop());
    beforeEach(() => bench.reset("remote"));

    async function mesh(change: () => void): Promise<DoctorReport> {
        change();
        return bench.run("remote", { probes: false, only: ["mesh"] });
    }

    it("passes a healthy remote: every webhook (injection and validation) calls the primary with the mesh root as caBundle", () => {
        assert.deepEqual(notOk(healthy), []);
        assert.equal(healthy.exitStatus, 0);
        assert.equal(checkOf(healthy, "mesh.webhooks-cabundle").seen, "6 webhooks, each with a caBundle");
        const address = checkOf(healthy, "mesh.webhooks-address");
        assert.equal(address.seen, "6 webhooks call cluster1-eastwest.elb.test");
        assert.equal(address.source, "stack output discoveryAddress of acme/mesh-ingress/primary; plan of remote (istiod and base releases) and the istiod and base charts' render");
        assert.equal(checkOf(healthy, "mesh.reader-token").seen, "Secret istio-reader-service-account-token holds a token");
        assert.equal(checkOf(healthy, "tls.certificate", "ingress-nginx/api-example-com").status, "ok");
        assert.equal(checkOf(healthy, "edge.certificate", "api.example.com").status, "ok");
        // No primary-only checks on a remote.
        assert.deepEqual(healthy.checks.filter((c) => c.id.startsWith("mesh.istiod") || c.id.startsWith("mesh.remote-")), []);
    });

    it("diagnoses 'istiod not reachable' when the injection webhook calls an old address of the primary", async () => {
        const r = await mesh(() =>
            bench.cluster.edit("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "istio-sidecar-injector", undefined, (m) => {
                for (const w of m.webhooks) w.clientConfig.url = String(w.clientConfig.url).replace("cluster1-eastwest.elb.test", "old-lb.elb.test");
            }),
        );
        const c = checkOf(r, "mesh.webhooks-address");
        assert.equal(c.status, "fail");
        assert.match(c.seen, /^istio-sidecar-injector\/rev\.namespace\.sidecar-injector\.istio\.io calls old-lb\.elb\.test; /);
        assert.match(c.next!, /pulumi up -s remote \(the primary's load balancer changed\)$/);
        assert.deepEqual(r.diagnoses.map((d) => d.title), ["istiod not reachable through the east-west gateway"]);
    });

    it("fails when the injection webhook has no caBundle (the API server cannot verify istiod)", async () => {
        const r = await mesh(() =>
            bench.cluster.edit("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "istio-sidecar-injector", undefined, (m) => {
                for (const w of m.webhooks) delete w.clientConfig.caBundle;
            }),
        );
        const c = checkOf(r, "mesh.webhooks-cabundle");
        assert.equal(c.status, "fail");
        assert.match(c.seen, /^no caBundle on istio-sidecar-injector\/rev\.namespace\.sidecar-injector\.istio\.io, .*: the API server cannot verify istiod's certificate$/);
        assert.equal(c.case, "istiod-unreachable");
    });

    it("fails when a validating webhook lost its caBundle (failurePolicy Fail: Istio config is refused), and warns when it fails open instead", async () => {
        const unverified = await mesh(() =>
            bench.cluster.edit("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "istiod-default-validator", undefined, (v) => {
                for (const w of v.webhooks) delete w.clientConfig.caBundle;
            }),
        );
        const c = checkOf(unverified, "mesh.webhooks-cabundle");
        assert.equal(c.status, "fail");
        assert.equal(c.seen, "no caBundle on istiod-default-validator/validation.istio.io: the API server cannot verify istiod's certificate");
        bench.reset("remote");
        const open = await mesh(() =>
            bench.cluster.edit("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "istiod-default-validator", undefined, (v) => {
                for (const w of v.webhooks) {
                    delete w.clientConfig.caBundle;
                    w.failurePolicy = "Ignore";
                }
            }),
        );
        const w = checkOf(open, "mesh.webhooks-cabundle");
        assert.equal(w.status, "warn");
        assert.equal(w.seen, "no caBundle on istiod-default-validator/validation.istio.io (failurePolicy Ignore): Istio config validation fails open on this cluster");
    });

    it("fails when the reader token secret is missing", async () => {
        const r = await mesh(() => bench.cluster.remove("v1", "Secret", "istio-reader-service-account-token", ns));
        const c = checkOf(r, "mesh.reader-token");
        assert.equal(c.status, "fail");
        assert.equal(c.seen, "no Secret istio-reader-service-account-token in istio-system");
        assert.equal(c.next, "kubectl --context cluster2 -n istio-system get secret istio-reader-service-account-token; pulumi up -s remote");
    });

    it("fails a remote east-west gateway with no Ready pod, and says the primary must read this cluster first", async () => {
        const r = await mesh(() => bench.cluster.edit("apps/v1", "Deployment", "istio-eastwestgateway", ns, (d) => (d.status.readyReplicas = 0)));
        assert.equal(checkOf(r, "mesh.eastwest-ready").seen, "0 of 2 replicas Ready: a remote's gateway proxies start only once the primary's istiod reads this cluster (its remote secret on the primary)");
    });

    describe("without the Pulumi CLI", () => {
        it("falls back to the plan, says why, and does not pass what it cannot compare", async function () {
            this.timeout(60000);
            const empty = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-no-pulumi-"));
            const prepared = await bench.prepare("remote", { pulumiRoot: empty });
            const r = await bench.run("remote", { prepared, probes: false, only: ["mesh"] });
            const c = checkOf(r, "mesh.webhooks-address");
            assert.equal(c.status, "skip");
            assert.match(
                c.seen,
                new RegExp(`^not run: the primary's discoveryAddress is known only from acme/mesh-ingress/primary's outputs, which were not read \\(the Pulumi CLI is not installed \\(no ${empty}/bin/pulumi; the Automation API needs it\\)\\); the plan used outputs of acme/mesh-ingress/primary from offline/samples/primary\\.yaml; the webhooks call cluster1-eastwest\\.elb\\.test$`),
            );
            assert.match(renderText(r), /expected values: stack outputs: not read \(the Pulumi CLI is not installed/);
            assert.equal(r.exitStatus, 1);
        });
    });

    describe("when the cluster cannot be used (exit status 2)", () => {
        it("says the API server cannot be reached, in one line", async () => {
            // A port nothing listens on any more.
            const probe = net.createServer();
            await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
            const port = (probe.address() as net.AddressInfo).port;
            await new Promise<void>((resolve) => probe.close(() => resolve()));
            const closed = bench.cluster.kubeconfig(["cluster2"]).replace(/https:\/\/127\.0\.0\.1:\d+/g, `https://127.0.0.1:${port}`);
            const outcome = await diagnose({ ...bench.bench("remote").prepared, access: { kubeconfig: closed } }, { timeoutMs: 3000 });
            assert.deepEqual(outcome.kind === "unusable" ? outcome.lines : outcome, [`cannot use the cluster of context 'cluster2' at https://127.0.0.1:${port}: Namespace list: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`]);
        });

        it("says the credentials were refused", async () => {
            const outcome = await diagnose({ ...bench.bench("remote").prepared, access: { kubeconfig: bench.cluster.kubeconfig(["cluster2"], "a-wrong-token") } });
            assert.deepEqual(outcome.kind === "unusable" ? outcome.lines : outcome, [`cannot use the cluster of context 'cluster2' at ${bench.cluster.url}: the API server refused the credentials (401) for Namespace list`]);
        });

        it("says the stack's kubeContext is not in the kubeconfig", async () => {
            const outcome = await diagnose({ ...bench.bench("remote").prepared, access: { context: "cluster9" } });
            assert.deepEqual(outcome.kind === "unusable" ? outcome.lines : outcome, [`kubeContext 'cluster9' is not a context of the kubeconfig (KUBECONFIG=${bench.kubeconfigFile}); contexts: cluster1, cluster2`]);
        });

        it("needs the Pulumi CLI for a stack that keeps its kubeconfig as a secret, and reads it through the CLI when there is one", async function () {
            this.timeout(60000);
            const text = fs.readFileSync(path.join(projectDir, "Pulumi.remote.yaml"), "utf8").replace("  mesh-ingress:kubeContext: cluster2\n", "  mesh-ingress:kubeconfig:\n    secure: v1:c2VjcmV0:ZW5jcnlwdGVkLWt1YmVjb25maWc=\n");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-secret-kubeconfig-"));
            const file = path.join(dir, "Pulumi.remote.yaml");
            fs.writeFileSync(file, text);
            const empty = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-no-pulumi-"));
            const without = await prepare({ stack: "remote", configFile: file, backend: { pulumiRoot: empty } });
            assert.deepEqual("kind" in without ? without.lines : without, [
                `kubeconfig is a secret setting of stack remote; reading it needs the Pulumi CLI and the stack's backend (the Pulumi CLI is not installed (no ${empty}/bin/pulumi; the Automation API needs it)). Run where \`pulumi config get kubeconfig -s remote\` works, or set kubeContext.`,
            ]);
            const state = backendState();
            bench.pulumi.setState({ stacks: { ...state.stacks, remote: { ...state.stacks["remote"]!, config: { kubeconfig: bench.cluster.kubeconfig(["cluster2"]) } } } });
            let withCli;
            try {
                withCli = await prepare({ stack: "remote", configFile: file, backend: { pulumiRoot: bench.pulumi.root } });
            } finally {
                bench.pulumi.setState(state);
            }
            if ("kind" in withCli) assert.fail(withCli.lines.join("\n"));
            const r = await bench.run("remote", { prepared: withCli, probes: false, only: ["mesh"] });
            assert.equal(r.context.cluster.kubeconfig, "the stack's secret kubeconfig");
            assert.equal(checkOf(r, "mesh.reader-token").status, "ok");
            assert.ok(bench.pulumi.calls().includes("config get kubeconfig --json --stack remote"));
        });
    });
});
