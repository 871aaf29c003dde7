import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Check, DoctorReport } from "../../doctor/report";
import { projectDir } from "../../offline/plan";
import { diagnose, prepare, type DoctorOptions, type Prepared } from "../../doctor/run";
import { testCertificates, type TestCertificates } from "./certificates";
import { FakeCluster, type ClusterDebugInfo, type KubeObject } from "./fake-cluster";
import { FakeDns, FakeEdge } from "./fake-network";
import { FakePulumi } from "./fake-pulumi";
import { backendState, healthyCluster, landscape } from "./fixtures";

/**
 * The doctor's test bench, started once per spec file: the fake API server (one cluster at
 * a time, reset to a stack's healthy objects before each case), the fake DNS and edge, a
 * fake Pulumi CLI holding the stacks' outputs, and a kubeconfig with contexts cluster1 and
 * cluster2 (both the fake server) in KUBECONFIG, as the stack files name them.
 */

export type StackName = "primary" | "remote" | "primary-gateway-api";

/** The stack files of the stacks the bench knows (the Gateway API edge is an example stack file). */
const stackFiles: Partial<Record<StackName, string>> = { "primary-gateway-api": path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml") };

interface StackBench {
    readonly prepared: Prepared;
    readonly objects: KubeObject[];
    readonly clusterz: Map<string, ClusterDebugInfo[]>;
    readonly clusterName: string;
}

export class Bench {
    private readonly stacks = new Map<StackName, StackBench>();
    private previousKubeconfig: string | undefined;

    private constructor(
        public readonly cluster: FakeCluster,
        public readonly dns: FakeDns,
        public readonly edge: FakeEdge,
        public readonly pulumi: FakePulumi,
        public readonly certs: TestCertificates,
        public readonly kubeconfigFile: string,
    ) {}

    /** Starts the fakes and prepares each stack once (its plan, answered by the fake backend). */
    static async start(stacks: readonly StackName[]): Promise<Bench> {
        const certs = await testCertificates();
        const cluster = new FakeCluster({ cert: certs.apiServer.cert, key: certs.apiServer.key, ca: certs.ca.cert });
        const dns = new FakeDns();
        const edge = new FakeEdge({ redirect: true, hsts: "max-age=31536000; includeSubDomains", certificate: certs.edge.valid });
        await Promise.all([cluster.start(), dns.start(), edge.start()]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-kubeconfig-"));
        const kubeconfigFile = path.join(dir, "config");
        fs.writeFileSync(kubeconfigFile, cluster.kubeconfig(["cluster1", "cluster2"]));
        const bench = new Bench(cluster, dns, edge, sharedPulumi(), certs, kubeconfigFile);
        bench.previousKubeconfig = process.env["KUBECONFIG"];
        process.env["KUBECONFIG"] = kubeconfigFile;
        for (const stack of stacks) bench.stacks.set(stack, await healthyStack(bench, stack));
        return bench;
    }

    /** Prepares a stack (plans it); with the fake backend unless told otherwise. */
    async prepare(stack: StackName, backend: DoctorOptions["backend"] = { pulumiRoot: this.pulumi.root }): Promise<Prepared> {
        const configFile = stackFiles[stack];
        const prepared = await prepare({ stack, backend, ...(configFile !== undefined ? { configFile } : {}) });
        if ("kind" in prepared) assert.fail(`expected ${stack} to prepare, got: ${prepared.lines.join("; ")}`);
        return prepared;
    }

    /** Loads a stack's healthy cluster into the fake server, and its names into the fake DNS. */
    reset(stack: StackName): void {
        const s = this.bench(stack);
        this.cluster.reset(s.objects, s.clusterz);
        this.dns.records = new Map([
            [landscape.edge("cluster1"), [landscape.edgeIp("cluster1")]],
            [landscape.edge("cluster2"), [landscape.edgeIp("cluster2")]],
            ...s.prepared.settings.edgeHosts.map((h) => [h.host, [landscape.edgeIp(s.clusterName)]] as [string, string[]]),
        ]);
        this.edge.behaviour = { redirect: true, hsts: "max-age=31536000; includeSubDomains", certificate: this.certs.edge.valid };
    }

    bench(stack: StackName): StackBench {
        const s = this.stacks.get(stack);
        if (s === undefined) throw new Error(`the bench did not prepare ${stack}`);
        return s;
    }

    /** The probe options that point the doctor at the fake network. */
    get probeOptions(): NonNullable<DoctorOptions["probeOptions"]> {
        return { resolvers: [this.dns.address], connectTo: this.edge.connectTo.map((c) => { const [h, p, th, tp] = c.split(":"); return { host: h!, port: p!, toHost: th!, toPort: tp! }; }), ca: [this.certs.ca.cert] };
    }

    /** Runs the doctor on the fake cluster as it is now. */
    async run(stack: StackName, options: Omit<DoctorOptions, "stack" | "configFile" | "backend"> & { prepared?: Prepared } = {}): Promise<DoctorReport> {
        const outcome = await diagnose(options.prepared ?? this.bench(stack).prepared, { probeOptions: this.probeOptions, timeoutMs: 5000, ...options });
        if (outcome.kind === "unusable") assert.fail(`expected a report, got: ${outcome.lines.join("; ")}`);
        return outcome.report;
    }

    async stop(): Promise<void> {
        if (this.previousKubeconfig === undefined) delete process.env["KUBECONFIG"];
        else process.env["KUBECONFIG"] = this.previousKubeconfig;
        await Promise.all([this.cluster.stop(), this.dns.stop(), this.edge.stop()]);
    }
}

// Once per process: the fake backend, and each stack's plan and healthy cluster (the slow parts), shared by the spec files.
let pulumi: FakePulumi | undefined;
function sharedPulumi(): FakePulumi {
    if (pulumi === undefined) {
        pulumi = new FakePulumi(backendState());
        const made = pulumi;
        process.on("exit", () => made.remove());
    }
    return pulumi;
}
const healthyStacks = new Map<StackName, Promise<StackBench>>();
function healthyStack(bench: Bench, stack: StackName): Promise<StackBench> {
    let made = healthyStacks.get(stack);
    if (made === undefined) {
        made = (async () => {
            const prepared = await bench.prepare(stack);
            const clusterName = prepared.settings.clusterName;
            const healthy = healthyCluster(prepared.plan, prepared.render, clusterName, stack === "remote" ? 3 : 4);
            return { prepared, objects: healthy.objects, clusterz: healthy.clusterz, clusterName };
        })();
        healthyStacks.set(stack, made);
    }
    return made;
}

/** The checks of a report with this id (and subject). */
export function checksOf(r: DoctorReport, id: string, subject?: string): Check[] {
    return r.checks.filter((c) => c.id === id && (subject === undefined || c.subject === subject));
}

/** The one check with this id (and subject). */
export function checkOf(r: DoctorReport, id: string, subject?: string): Check {
    const found = checksOf(r, id, subject);
    assert.equal(found.length, 1, `expected one check ${id}${subject !== undefined ? `[${subject}]` : ""}, found ${found.length}: ${r.checks.map((c) => `${c.id}[${c.subject ?? ""}]`).join(", ")}`);
    return found[0]!;
}

/** Every check that is not ok, as lines, for assertion messages. */
export function notOk(r: DoctorReport): string[] {
    return r.checks.filter((c) => c.status !== "ok").map((c) => `${c.status} ${c.id}[${c.subject ?? ""}]: ${c.seen}`);
}
