import * as assert from "node:assert/strict";
import { renderText, type Area, type DoctorReport } from "../../doctor/report";
import { Bench, checkOf, checksOf, notOk } from "./harness";

/**
 * The doctor on the primary stack, against the fake cluster: a healthy deployment passes
 * every check, and each failure case (one edited object) fails the check it is about,
 * with what was seen, the next command and the troubleshooting case.
 */

const ns = "istio-system";

describe("npm run doctor on the primary", function () {
    let bench: Bench;
    let healthy: DoctorReport;

    before(async function () {
        this.timeout(120000);
        bench = await Bench.start(["primary"]);
        bench.reset("primary");
        healthy = await bench.run("primary");
    });
    after(async () => bench?.stop());
    beforeEach(() => bench.reset("primary"));

    /** The area the cases of a `describe` are about: each run checks only it. */
    let area: Area = "mesh";
    const about = (a: Area): void => {
        before(() => (area = a));
    };

    /** Runs the doctor on the current area after one change to the healthy cluster; probes only when asked. */
    async function withCluster(change: () => void, probes = false): Promise<DoctorReport> {
        change();
        return bench.run("primary", { probes, only: [area] });
    }

    describe("on a healthy deployment", () => {
        it("passes every check, and exits 0", () => {
            assert.deepEqual(notOk(healthy), []);
            assert.equal(healthy.exitStatus, 0);
            assert.deepEqual(healthy.diagnoses, []);
        });

        it("checks the objects the program and the charts create, by their names", () => {
            assert.equal(checkOf(healthy, "mesh.istiod-ready").seen, "3 of 3 pods Ready");
            assert.equal(checkOf(healthy, "mesh.istiod-pdb").seen, "1 disruption(s) allowed (minAvailable 2, 3 healthy of 3)");
            assert.equal(checkOf(healthy, "mesh.eastwest-address").seen, "cluster1-eastwest.elb.test");
            assert.equal(checkOf(healthy, "mesh.remote-secret", "cluster2").seen, "Secret istio-remote-secret-cluster2, labelled and annotated for cluster2");
            assert.equal(checkOf(healthy, "edge.pdb", "nginx").expected, "PodDisruptionBudget ingress-nginx-controller allowing at least 1 disruption");
            assert.deepEqual(
                checksOf(healthy, "tls.issuer-ready").map((c) => c.subject),
                ["letsencrypt-staging", "letsencrypt-production"],
            );
            assert.deepEqual(
                checksOf(healthy, "edge.ingress-address").map((c) => c.subject).sort(),
                ["admin/admin-example-com", "api/api-example-com", "api/api-example-com-headers", "secure/secure-example-com", "secure/secure-example-com-api", "secure/secure-example-com-upload", "user/user-example-com", "user/user-example-com-static-assets-headers"],
            );
            assert.deepEqual(checksOf(healthy, "edge.hsts").map((c) => c.subject), ["admin.example.com", "user.example.com", "api.example.com", "secure.example.com"]);
        });

        it("asks istiod for its clusters through a port-forward to each pod's monitoring port, as istioctl remote-clusters does", () => {
            const forwards = bench.cluster.requests.filter((r) => r.startsWith("UPGRADE"));
            assert.ok(forwards.includes("UPGRADE /api/v1/namespaces/istio-system/pods/istiod-5d8f9c7b6-a1b2c/portforward?ports=15014"), forwards.join("\n"));
            assert.equal(checkOf(healthy, "mesh.remote-synced", "cluster2").seen, "istiod-5d8f9c7b6-a1b2c: synced, istiod-5d8f9c7b6-d3e4f: synced, istiod-5d8f9c7b6-g5h6i: synced");
            assert.ok(bench.cluster.requests.some((r) => r.startsWith("GET /api/v1/namespaces/istio-system/pods?") && r.includes("fieldSelector=status.phase%3DRunning")));
        });

        it("compares the live addresses with the stack's outputs, and says where each expected value came from", () => {
            const discovery = checkOf(healthy, "mesh.discovery-address");
            assert.equal(discovery.expected, "cluster1-eastwest.elb.test");
            assert.equal(discovery.source, "stack output discoveryAddress of primary");
            assert.equal(checkOf(healthy, "edge.load-balancer", "nginx").source, "stack output edgeLoadBalancer of primary (the DNS records' target)");
            assert.match(healthy.context.sources.join("\n"), /stack reference acme\/mesh-ingress\/remote: outputs from the Pulumi backend/);
        });

        it("only reads the backend: it never selects a stack or changes one", () => {
            const calls = bench.pulumi.calls();
            assert.ok(calls.includes("stack output --json --show-secrets --stack primary"), calls.join("\n"));
            assert.ok(calls.includes("stack output --json --show-secrets --stack acme/mesh-ingress/remote"), calls.join("\n"));
            assert.deepEqual(calls.filter((c) => !/^(version|whoami --json|stack output --json( --show-secrets)? --stack \S+|config get kubeconfig --json --stack \S+)$/.test(c)), []);
            assert.deepEqual(bench.cluster.requests.filter((r) => !r.startsWith("GET ") && !r.startsWith("UPGRADE ")), []);
        });
    });

    describe("istiod", () => {
        about("mesh");

        it("fails when an istiod pod is not Ready, naming it and why", async () => {
            const r = await withCluster(() =>
                bench.cluster.edit("v1", "Pod", "istiod-5d8f9c7b6-d3e4f", ns, (p) => {
                    p.status.conditions[0].status = "False";
                    p.status.containerStatuses[0] = { ...p.status.containerStatuses[0], ready: false, state: { waiting: { reason: "CrashLoopBackOff" } } };
                }),
            );
            const c = checkOf(r, "mesh.istiod-ready");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "2 of 3 pods Ready; not Ready: istiod-5d8f9c7b6-d3e4f (CrashLoopBackOff)");
            assert.equal(c.next, "kubectl --context cluster1 -n istio-system describe pod istiod-5d8f9c7b6-d3e4f");
            assert.equal(c.case, undefined, "two pods still answer: degraded, not unreachable");
            assert.equal(r.exitStatus, 1);
        });

        it("puts a cluster with no Ready istiod in the case 'istiod not reachable'", async () => {
            const r = await withCluster(() => {
                for (const p of bench.cluster.list("v1", "Pod", ns)) p.status.conditions[0].status = "False";
            });
            assert.equal(checkOf(r, "mesh.istiod-ready").case, "istiod-unreachable");
        });

        it("fails when two istiod pods share a node", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Pod", "istiod-5d8f9c7b6-g5h6i", ns, (p) => (p.spec.nodeName = "cluster1-node-2")));
            const c = checkOf(r, "mesh.istiod-nodes");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "istiod-5d8f9c7b6-d3e4f and istiod-5d8f9c7b6-g5h6i on node cluster1-node-2");
        });

        it("warns when the pods use fewer zones than the nodes offer", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Pod", "istiod-5d8f9c7b6-g5h6i", ns, (p) => (p.spec.nodeName = "cluster1-node-4")));
            const c = checkOf(r, "mesh.istiod-zones");
            assert.equal(c.status, "warn");
            assert.equal(c.seen, "pods in 2 zone(s) (us-east-1a, us-east-1b) where the schedulable nodes offer 3 (us-east-1a, us-east-1b, us-east-1c)");
            assert.equal(checkOf(r, "mesh.istiod-nodes").status, "ok");
        });

        it("fails when the PodDisruptionBudget allows no disruption", async () => {
            const r = await withCluster(() => bench.cluster.edit("policy/v1", "PodDisruptionBudget", "istiod", ns, (p) => (p.status.disruptionsAllowed = 0)));
            const c = checkOf(r, "mesh.istiod-pdb");
            assert.equal(c.status, "fail");
            assert.match(c.seen, /^0 disruption\(s\) allowed .*: a node drain would wait for istiod forever$/);
            assert.equal(c.next, "kubectl --context cluster1 -n istio-system get pdb istiod");
        });

        it("passes the rollout on three nodes: the rendered strategy (maxSurge 0, maxUnavailable 1) takes a pod down first", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Node", "cluster1-node-4", undefined, (n) => (n.spec.unschedulable = true)));
            const c = checkOf(r, "mesh.istiod-rollout");
            assert.equal(c.status, "ok");
            assert.equal(c.seen, "maxSurge 0, maxUnavailable 1: the rollout replaces pods in place");
            assert.equal(checkOf(healthy, "mesh.istiod-rollout").seen, "maxSurge 0, maxUnavailable 1: the rollout replaces pods in place");
        });

        it("fails the rollout when every schedulable node already runs istiod and the strategy only surges (the chart's own 100%/25%: maxUnavailable 25% of 3 is 0)", async () => {
            const r = await withCluster(() => {
                bench.cluster.edit("v1", "Node", "cluster1-node-4", undefined, (n) => (n.spec.unschedulable = true));
                bench.cluster.edit("apps/v1", "Deployment", "istiod", ns, (d) => (d.spec.strategy.rollingUpdate = { maxSurge: "100%", maxUnavailable: "25%" }));
            });
            const c = checkOf(r, "mesh.istiod-rollout");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "maxSurge 3 (100% of 3), maxUnavailable 0 (25% of 3), one pod per node required, and all 3 schedulable node(s) already run istiod: a new pod can never be scheduled, so the next upgrade hangs");
        });
    });

    describe("the east-west gateway and the remotes", () => {
        about("mesh");

        it("diagnoses 'istiod not reachable through the east-west gateway' when the east-west Service has no address", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Service", "istio-eastwestgateway", ns, (s) => (s.status = { loadBalancer: {} })));
            const c = checkOf(r, "mesh.eastwest-address");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "Service istio-eastwestgateway has no load balancer address");
            assert.equal(checkOf(r, "mesh.discovery-address").status, "skip");
            assert.deepEqual(r.diagnoses.map((d) => [d.title, d.runbook, d.checks]), [["istiod not reachable through the east-west gateway", "docs/runbook.md section 9.1", ["mesh.eastwest-address"]]]);
            assert.match(renderText(r), /^Diagnosis: istiod not reachable through the east-west gateway \(docs\/runbook\.md section 9\.1\): mesh\.eastwest-address$/m);
        });

        it("fails when the load balancer is not the discoveryAddress the remotes use", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Service", "istio-eastwestgateway", ns, (s) => (s.status.loadBalancer.ingress[0].hostname = "new-lb.elb.test")));
            const c = checkOf(r, "mesh.discovery-address");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "new-lb.elb.test: the load balancer changed since the last pulumi up, and the remotes still point at cluster1-eastwest.elb.test");
            assert.equal(c.case, "istiod-unreachable");
        });

        it("fails when the east-west gateway has no Ready pod", async () => {
            const r = await withCluster(() => bench.cluster.edit("apps/v1", "Deployment", "istio-eastwestgateway", ns, (d) => (d.status.readyReplicas = 0)));
            assert.equal(checkOf(r, "mesh.eastwest-ready").status, "fail");
            assert.equal(checkOf(r, "mesh.eastwest-ready").seen, "0 of 2 replicas Ready");
        });

        it("diagnoses 'istiod not reachable' when a remote's secret is missing", async () => {
            const r = await withCluster(() => bench.cluster.remove("v1", "Secret", "istio-remote-secret-cluster2", ns));
            const c = checkOf(r, "mesh.remote-secret", "cluster2");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "no Secret istio-remote-secret-cluster2 in istio-system: istiod cannot read cluster2");
            assert.equal(c.next, "kubectl --context cluster1 -n istio-system get secret -l istio/multiCluster=true; pulumi up -s primary");
            assert.deepEqual(r.diagnoses.map((d) => d.case), ["istiod-unreachable"]);
        });

        it("fails when the remote secret lacks the label istiod selects secrets by", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Secret", "istio-remote-secret-cluster2", ns, (s) => (s.metadata.labels = { "istio/cluster": "cluster2" })));
            assert.equal(checkOf(r, "mesh.remote-secret", "cluster2").seen, "Secret istio-remote-secret-cluster2: label istio/multiCluster is missing");
        });

        it("fails when istiod reports the remote cluster timed out", async () => {
            const r = await withCluster(() => {
                for (const [pod, clusters] of bench.cluster.clusterz) if (pod.endsWith("d3e4f")) clusters[1]!.syncStatus = "timeout";
            });
            const c = checkOf(r, "mesh.remote-synced", "cluster2");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "istiod-5d8f9c7b6-a1b2c: synced, istiod-5d8f9c7b6-d3e4f: timeout, istiod-5d8f9c7b6-g5h6i: synced");
            assert.match(c.next!, /^istioctl --context cluster1 remote-clusters; /);
            assert.deepEqual(r.diagnoses[0]?.checks, ["mesh.remote-synced[cluster2]"]);
        });

        it("cannot check the sync state when istiod's debug port refuses the port-forward, and says so", async () => {
            const r = await withCluster(() => bench.cluster.clusterz.delete("istiod-5d8f9c7b6-a1b2c"));
            const c = checkOf(r, "mesh.remote-synced", "cluster2");
            assert.equal(c.status, "skip");
            assert.match(c.seen, /^not run: port-forward to pod istio-system\/istiod-5d8f9c7b6-a1b2c:15014: error forwarding port 15014 to pod istiod-5d8f9c7b6-a1b2c: connection refused$/);
            assert.equal(r.exitStatus, 1, "a check that could not run is not a pass");
        });
    });

    describe("TLS", () => {
        about("tls");

        it("checks that cert-manager runs and holds the DNS-01 role (checklist items 1 and 2)", () => {
            assert.equal(checkOf(healthy, "tls.cert-manager-ready").seen, "cert-manager 2/2, cert-manager-cainjector 2/2, cert-manager-webhook 2/2");
            assert.equal(checkOf(healthy, "tls.dns01-credentials").seen, "role arn:aws:iam::123456789012:role/cm-dns01-cluster1-x7k2, in the environment of 2 controller pod(s)");
        });

        it("fails when cert-manager's webhook has no Ready replica", async () => {
            const r = await withCluster(() => bench.cluster.edit("apps/v1", "Deployment", "cert-manager-webhook", "cert-manager", (d) => (d.status.readyReplicas = 0)));
            const c = checkOf(r, "tls.cert-manager-ready");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "cert-manager 2/2, cert-manager-cainjector 2/2, cert-manager-webhook 0/2");
            assert.equal(c.next, "kubectl --context cluster1 -n cert-manager get deployment cert-manager cert-manager-cainjector cert-manager-webhook; cmctl check api --context cluster1");
        });

        it("fails when a controller pod started without the IRSA role in its environment", async () => {
            const r = await withCluster(() =>
                bench.cluster.edit("v1", "Pod", "cert-manager-6b9c8d7f5-r3t4y", "cert-manager", (p) => {
                    const env = p.spec.containers[0].env as { name: string }[];
                    p.spec.containers[0].env = env.filter((e) => e.name !== "AWS_ROLE_ARN");
                }),
            );
            const c = checkOf(r, "tls.dns01-credentials");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "role arn:aws:iam::123456789012:role/cm-dns01-cluster1-x7k2 on the ServiceAccount, but not AWS_ROLE_ARN of cert-manager-6b9c8d7f5-r3t4y (started before it, or the EKS pod identity webhook is missing)");
            assert.match(c.next!, /; kubectl --context cluster1 -n cert-manager rollout restart deployment cert-manager$/);
        });

        it("fails when a ClusterIssuer is not Ready", async () => {
            const r = await withCluster(() =>
                bench.cluster.edit("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-production", undefined, (i) => {
                    i.status.conditions[0] = { type: "Ready", status: "False", reason: "ErrRegisterACMEAccount", message: "Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact" };
                }),
            );
            const c = checkOf(r, "tls.issuer-ready", "letsencrypt-production");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "Ready=False (ErrRegisterACMEAccount: Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact)");
            assert.equal(c.next, "kubectl --context cluster1 describe clusterissuer letsencrypt-production");
        });

        it("diagnoses 'certificate not issued' when a Certificate is not Ready", async () => {
            const r = await withCluster(() =>
                bench.cluster.edit("cert-manager.io/v1", "Certificate", "example-com", "ingress-nginx", (c) => {
                    c.status = { conditions: [{ type: "Ready", status: "False", reason: "DoesNotExist", message: "Issuing certificate as Secret does not exist" }, { type: "Issuing", status: "True", reason: "DoesNotExist", message: "" }] };
                }),
            );
            const c = checkOf(r, "tls.certificate", "ingress-nginx/example-com");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "Ready=False (DoesNotExist: Issuing certificate as Secret does not exist); Issuing=True (DoesNotExist)");
            assert.equal(c.next, "cmctl status certificate example-com -n ingress-nginx --context cluster1");
            assert.deepEqual(r.diagnoses.map((d) => [d.title, d.checks]), [["certificate not issued", ["tls.certificate[ingress-nginx/example-com]"]]]);
        });

        it("shows the days left, and fails a Certificate past its renewal time that is not renewing", async () => {
            assert.match(checkOf(healthy, "tls.certificate", "ingress-nginx/example-com").seen, /^Ready=True, expires \d{4}-\d\d-\d\d \(79 days left\), renews from \d{4}-\d\d-\d\d$/);
            const r = await withCluster(() => bench.cluster.edit("cert-manager.io/v1", "Certificate", "example-com", "ingress-nginx", (c) => (c.status.renewalTime = new Date(Date.now() - 86400000).toISOString())));
            const c = checkOf(r, "tls.certificate", "ingress-nginx/example-com");
            assert.equal(c.status, "fail");
            assert.match(c.seen, /^Ready=True, expires .* \(79 days left\), but past its renewal time .* and not renewing$/);
        });

        it("diagnoses a stuck DNS-01 Challenge with its reason and the TXT record it waits for", async () => {
            const r = await withCluster(() =>
                bench.cluster.put({
                    apiVersion: "acme.cert-manager.io/v1",
                    kind: "Challenge",
                    metadata: { name: "example-com-1-2899213476-3117443851", namespace: "ingress-nginx", creationTimestamp: new Date(Date.now() - 45 * 60000).toISOString() },
                    spec: { type: "DNS-01", dnsName: "example.com", wildcard: true, key: "Ne2vHkPqMaLLhtzNqWRNmg6n1uRGDdJZrGjzRk4W1wE", solver: { dns01: { route53: { region: "us-east-1" } } } },
                    status: { state: "pending", reason: "Waiting for DNS-01 challenge propagation: DNS record for \"example.com\" not yet propagated", presented: true, processing: true },
                }),
            );
            const c = checkOf(r, "tls.issuance-stuck", "Challenge ingress-nginx/example-com-1-2899213476-3117443851");
            assert.equal(c.status, "fail");
            assert.equal(
                c.seen,
                'state pending (Waiting for DNS-01 challenge propagation: DNS record for "example.com" not yet propagated) for 45 min; waits for TXT _acme-challenge.example.com = "Ne2vHkPqMaLLhtzNqWRNmg6n1uRGDdJZrGjzRk4W1wE"',
            );
            assert.equal(c.next, "kubectl --context cluster1 -n ingress-nginx describe challenge example-com-1-2899213476-3117443851; dig +short TXT _acme-challenge.example.com");
            assert.equal(c.case, "certificate-not-issued");
        });

        it("warns about a Challenge that is still young, without a troubleshooting case", async () => {
            const r = await withCluster(() =>
                bench.cluster.put({
                    apiVersion: "acme.cert-manager.io/v1",
                    kind: "Challenge",
                    metadata: { name: "example-com-1-1", namespace: "ingress-nginx", creationTimestamp: new Date(Date.now() - 2 * 60000).toISOString() },
                    spec: { type: "DNS-01", dnsName: "example.com", key: "k" },
                    status: { state: "pending" },
                }),
            );
            const c = checkOf(r, "tls.issuance-stuck", "Challenge ingress-nginx/example-com-1-1");
            assert.equal(c.status, "warn");
            assert.equal(c.case, undefined);
            assert.equal(r.exitStatus, 0);
        });

        it("cannot run the TLS checks where cert-manager's API is not served, and never passes them", async () => {
            const r = await withCluster(() => bench.cluster.unserved.add("cert-manager.io/v1"));
            const c = checkOf(r, "tls.issuer-ready", "letsencrypt-staging");
            assert.equal(c.status, "skip");
            assert.equal(c.seen, "not run: the API server does not serve cert-manager.io/v1 (ClusterIssuer): is its CRD installed?");
            assert.equal(r.exitStatus, 1);
            assert.match(renderText(r), /\d+ could not run \(a check that could not run is not a pass\)\.$/m);
        });
    });

    describe("the edge, in the cluster", () => {
        about("edge");

        it("diagnoses 'ingress routing fails' when the controller has no Ready replica", async () => {
            const r = await withCluster(() => bench.cluster.edit("apps/v1", "Deployment", "ingress-nginx-controller", "ingress-nginx", (d) => (d.status.readyReplicas = 0)));
            const c = checkOf(r, "edge.controller-ready", "nginx");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "0 of 3 replicas Ready");
            assert.equal(c.next, "kubectl --context cluster1 -n ingress-nginx describe deployment ingress-nginx-controller; kubectl --context cluster1 -n ingress-nginx logs -l app.kubernetes.io/component=controller --tail=100 --prefix");
            assert.deepEqual(r.diagnoses.map((d) => [d.title, d.runbook]), [["ingress routing fails", "docs/runbook.md section 9.3"]]);
        });

        it("fails when the HorizontalPodAutoscaler is missing, and warns when it cannot read metrics", async () => {
            const missing = await withCluster(() => bench.cluster.remove("autoscaling/v2", "HorizontalPodAutoscaler", "ingress-nginx-controller", "ingress-nginx"));
            assert.equal(checkOf(missing, "edge.hpa", "nginx").status, "fail");
            assert.equal(checkOf(missing, "edge.hpa", "nginx").seen, "no HorizontalPodAutoscaler ingress-nginx-controller in ingress-nginx: the edge does not scale");
            bench.reset("primary");
            const blind = await withCluster(() =>
                bench.cluster.edit("autoscaling/v2", "HorizontalPodAutoscaler", "ingress-nginx-controller", "ingress-nginx", (h) => (h.status.conditions[1] = { type: "ScalingActive", status: "False", reason: "FailedGetResourceMetric", message: "unable to get metrics" })),
            );
            assert.equal(checkOf(blind, "edge.hpa", "nginx").status, "warn");
            assert.match(checkOf(blind, "edge.hpa", "nginx").seen, /ScalingActive=False \(FailedGetResourceMetric: unable to get metrics\) \(is metrics-server installed\?\)$/);
        });

        it("fails when the controller's PodDisruptionBudget is missing", async () => {
            const r = await withCluster(() => bench.cluster.remove("policy/v1", "PodDisruptionBudget", "ingress-nginx-controller", "ingress-nginx"));
            assert.equal(checkOf(r, "edge.pdb", "nginx").status, "fail");
        });

        it("fails an Ingress without the load balancer's address", async () => {
            const r = await withCluster(() => bench.cluster.edit("networking.k8s.io/v1", "Ingress", "api-example-com", "api", (i) => (i.status = { loadBalancer: { ingress: [{ ip: "10.0.3.17" }] } })));
            const c = checkOf(r, "edge.ingress-address", "api/api-example-com");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "10.0.3.17: not the controller's load balancer (node addresses mean --publish-service is off)");
            assert.equal(c.case, "ingress-routing");
        });

        it("fails when the edge's load balancer is not the one the DNS records point at", async () => {
            const r = await withCluster(() => bench.cluster.edit("v1", "Service", "ingress-nginx-controller", "ingress-nginx", (s) => (s.status.loadBalancer.ingress[0].hostname = "replaced.elb.test")));
            const c = checkOf(r, "edge.load-balancer", "nginx");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "replaced.elb.test, but the DNS records point at cluster1-edge.elb.test (the load balancer changed since the last pulumi up)");
        });
    });

    describe("the host probes", () => {
        about("edge");

        it("fails DNS that answers with another address, and only warns for a shared (weighted) name", async () => {
            const r = await withCluster(() => {
                bench.dns.records.set("user.example.com", ["198.51.100.7"]);
                bench.dns.records.set("api.example.com", [ "192.0.2.20"]);
            }, true);
            const user = checkOf(r, "edge.dns", "user.example.com");
            assert.equal(user.status, "fail");
            assert.equal(user.seen, "user.example.com → 198.51.100.7; cluster1-edge.elb.test → 192.0.2.10: not this cluster's load balancer");
            assert.equal(user.case, "ingress-routing");
            assert.equal(checkOf(r, "edge.dns", "api.example.com").status, "warn");
        });

        it("fails a host whose name does not resolve", async () => {
            const r = await withCluster(() => bench.dns.records.delete("admin.example.com"), true);
            assert.equal(checkOf(r, "edge.dns", "admin.example.com").seen, "admin.example.com does not resolve (ENOTFOUND)");
        });

        it("fails when plain HTTP is served without a redirect", async () => {
            const r = await withCluster(() => (bench.edge.behaviour.redirect = false), true);
            const c = checkOf(r, "edge.https-redirect", "api.example.com");
            assert.equal(c.status, "fail");
            assert.equal(c.seen, "200: served over plain HTTP, no redirect");
            assert.ok(bench.edge.seen.some((s) => s.scheme === "http" && s.host === "api.example.com"));
        });

        for (const [name, certificate, status, seen] of [
            ["an expired certificate", "expired", "fail", /^expired on \d{4}-\d\d-\d\d: issued by CN=Doctor Test CA for DNS:\*\.example\.com, DNS:example\.com$/],
            ["a certificate for another host", "otherHost", "fail", /^does not cover user\.example\.com: issued by CN=Doctor Test CA for DNS:other\.example\.org, /],
            ["a certificate from an untrusted CA", "untrusted", "fail", /^not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): issued by CN=Some Other CA/],
            ["a Let's Encrypt staging certificate while the stack is on staging", "staging", "warn", /Let's Encrypt staging, not trusted by browsers \(acmeEnvironment is staging: docs\/runbook\.md section 7 moves to production\)$/],
        ] as const) {
            it(`judges ${name}: ${status}`, async () => {
                const r = await withCluster(() => (bench.edge.behaviour.certificate = bench.certs.edge[certificate]), true);
                const c = checkOf(r, "edge.certificate", "user.example.com");
                assert.equal(c.status, status);
                assert.match(c.seen, seen);
                assert.equal(c.case, status === "fail" ? "certificate-not-issued" : undefined);
                assert.ok(bench.edge.seen.some((s) => s.scheme === "https" && s.sni === "user.example.com"), "the probe sends the host as SNI");
            });
        }

        it("fails when the HSTS header is missing or has another max-age", async () => {
            const missing = await withCluster(() => (bench.edge.behaviour.hsts = undefined), true);
            assert.equal(checkOf(missing, "edge.hsts", "secure.example.com").seen, "no Strict-Transport-Security header (HTTP 200)");
            assert.equal(checkOf(missing, "edge.hsts", "secure.example.com").status, "fail");
            bench.reset("primary");
            const short = await withCluster(() => (bench.edge.behaviour.hsts = "max-age=300"), true);
            assert.equal(checkOf(short, "edge.hsts", "secure.example.com").seen, "Strict-Transport-Security: max-age=300: max-age 300, configured 31536000");
        });

        it("runs no probe with --no-probes, and says so", async () => {
            const r = await withCluster(() => undefined, false);
            assert.deepEqual(r.checks.filter((c) => ["edge.dns", "edge.https-redirect", "edge.certificate", "edge.hsts"].includes(c.id)), []);
            assert.equal(r.context.probes, false);
            assert.match(renderText(r), /^ {2}DNS and HTTP probes: off \(--no-probes\)$/m);
        });
    });
});
