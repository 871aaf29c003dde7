import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { judge, type JudgedResource } from "../../offline/judge";
import { projectDir } from "../../offline/plan";
import { policies } from "../../policy/policies";
import { articleDesign, changed, ingressNginx, istiod, primaryStack, remoteStack, T } from "./fixtures";
import { kubernetesProvider, resource } from "./support";
import { renderedFixture } from "../support/render";

/**
 * The pack as `pulumi preview --policy-pack policy` runs it: the Pulumi CLI starts
 * `@pulumi/pulumi/cmd/run-policy-pack` in the pack's directory (ts-node compiles and type
 * checks the TypeScript, the pack serves CrossGuard's analyzer over gRPC), sends the
 * configuration with the schema defaults filled in, then calls Analyze for each resource
 * and AnalyzeStack at the end. This spec does the same without the CLI and checks that
 * the analyzer and the offline judge report the same findings.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as { AnalyzerClient: new (address: string, credentials: unknown) => AnalyzerClient };
const messages = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, (new () => any) & { CustomTimeouts: new () => any }>;
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: unknown): unknown } };
const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

type Callback<T> = (err: Error | null, response: T) => void;
interface AnalyzerClient {
    getAnalyzerInfo(req: unknown, cb: Callback<any>): void;
    configure(req: unknown, cb: Callback<unknown>): void;
    analyze(req: unknown, cb: Callback<any>): void;
    analyzeStack(req: unknown, cb: Callback<any>): void;
    close(): void;
}

const call = <T>(fn: (req: unknown, cb: Callback<T>) => void, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => fn(req, (err, response) => (err ? reject(err) : resolve(response))));

const levelNames = ["advisory", "mandatory", "disabled", "remediate"];

/** Starts the pack the way the CLI's Node.js language host does and returns its analyzer port. */
function startPack(): Promise<{ child: ChildProcess; port: number }> {
    const runner = path.join(projectDir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js");
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: path.join(projectDir, "policy"), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
        child.stdout.once("data", (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
        child.once("exit", (code) => reject(new Error(`run-policy-pack exited with ${String(code)}:\n${stderr}`)));
    });
}

function struct(value: unknown): unknown {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

function provider(r: JudgedResource): unknown {
    if (!r.provider) return undefined;
    const p = new messages["AnalyzerProviderResource"]!();
    p.setType(r.provider.type);
    p.setName(r.provider.name);
    p.setUrn(r.provider.urn);
    p.setProperties(struct(r.provider.props));
    return p;
}

/** The resource options the CLI sends with every resource (the analyzer refuses requests without them), with the parent's URN. */
function options(r: JudgedResource): unknown {
    const o = new messages["AnalyzerResourceOptions"]!();
    o.setProtect(r.options?.protect ?? false);
    if (r.parent !== undefined) o.setParent(r.parent);
    o.setIgnorechangesList([...(r.options?.ignoreChanges ?? [])]);
    o.setAdditionalsecretoutputsList([...(r.options?.additionalSecretOutputs ?? [])]);
    o.setAliasesList([...(r.options?.aliases ?? [])]);
    if (r.options?.deleteBeforeReplace !== undefined) {
        o.setDeletebeforereplace(r.options.deleteBeforeReplace);
        o.setDeletebeforereplacedefined(true);
    }
    const timeouts = new messages["AnalyzerResourceOptions"]!.CustomTimeouts();
    timeouts.setCreate(r.options?.customTimeouts?.createSeconds ?? 0);
    timeouts.setUpdate(r.options?.customTimeouts?.updateSeconds ?? 0);
    timeouts.setDelete(r.options?.customTimeouts?.deleteSeconds ?? 0);
    o.setCustomtimeouts(timeouts);
    return o;
}

describe("the policy pack as the Pulumi CLI runs it (run-policy-pack, CrossGuard's analyzer over gRPC)", function () {
    this.timeout(60000);
    let child: ChildProcess | undefined;
    let client: AnalyzerClient;

    before(async () => {
        const started = await startPack();
        child = started.child;
        client = new services.AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
        // The CLI fills every policy's configuration with its schema defaults before the first analysis.
        const info = await call(client.getAnalyzerInfo.bind(client), new Empty());
        const request = new messages["ConfigureAnalyzerRequest"]!();
        for (const p of info.getPoliciesList()) {
            const defaults: Record<string, unknown> = {};
            const schema = p.getConfigschema()?.getProperties()?.toJavaScript() as Record<string, { default?: unknown }> | undefined;
            for (const [k, v] of Object.entries(schema ?? {})) if (v.default !== undefined) defaults[k] = v.default;
            const config = new messages["PolicyConfig"]!();
            config.setEnforcementlevel(p.getEnforcementlevel());
            config.setProperties(struct(defaults));
            request.getPolicyconfigMap().set(p.getName(), config);
        }
        await call(client.configure.bind(client), request);
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    it("serves every policy of policy/policies.ts with its level and configuration schema", async () => {
        const info = await call(client.getAnalyzerInfo.bind(client), new Empty());
        assert.equal(info.getName(), "mesh-ingress-guard");
        assert.equal(info.getVersion(), "0.1.0");
        const served = info.getPoliciesList().map((p: any): [string, string | undefined, string[]] => [
            p.getName(),
            levelNames[p.getEnforcementlevel()],
            Object.keys(p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}).sort(),
        ]);
        assert.deepEqual(served, policies.map((p) => [p.name, p.enforcementLevel, Object.keys(p.configSchema?.properties ?? {}).sort()]));
    });

    const designs: readonly [string, () => Promise<JudgedResource[]>][] = [
        ["the article's design", () => Promise.resolve(articleDesign().map(resource))],
        ["a correct primary", () => Promise.resolve(primaryStack().map(resource))],
        ["a correct remote", () => Promise.resolve(remoteStack().map(resource))],
        // What `plan --render` hands the pack: each release with its render, each chart object under it
        // (the charts of workloads and Services; the base and cert-manager charts add mostly CRDs, slow to send).
        ["a correct primary with its charts rendered", async () => (await renderedFixture(primaryStack().filter((r) => r.type !== T.release || !["istio-base", "cert-manager"].includes(r.name ?? "")))).judged],
        [
            "a rendered NodePort Service, and an extra PDB over a chart's pods",
            async () => (await renderedFixture([changed(ingressNginx, (p) => (p.values.controller.service.type = "NodePort")), istiod, { type: T.pdb, name: "istiod-pdb", provider: kubernetesProvider, props: { metadata: { name: "istiod-pdb", namespace: "istio-system" }, spec: { minAvailable: 2, selector: { matchLabels: { app: "istiod" } } } } }])).judged,
        ],
    ];
    for (const [design, build] of designs) {
        it(`reports exactly what the offline judge reports for ${design}`, async () => {
            const resources = await build();
            const byUrn = new Map(resources.map((r) => [r.urn, r.name]));
            const seen: string[] = [];
            // CrossGuard prefixes each message with the policy's description; a resource's own Analyze names no URN.
            const description = new Map(policies.map((p) => [p.name, p.description ?? ""]));
            const collect = (response: any, analyzed?: string): void => {
                for (const d of response.getDiagnosticsList()) {
                    const prefix = `${description.get(d.getPolicyname()) ?? ""}\n`;
                    const message: string = d.getMessage();
                    assert.ok(message.startsWith(prefix), message);
                    seen.push(`${d.getPolicyname()} ${levelNames[d.getEnforcementlevel()] ?? "?"} ${byUrn.get(d.getUrn()) ?? analyzed ?? "(stack)"}: ${message.slice(prefix.length)}`);
                }
            };
            for (const r of resources) {
                const req = new messages["AnalyzeRequest"]!();
                req.setType(r.type);
                req.setName(r.name);
                req.setUrn(r.urn);
                req.setProperties(struct(r.props));
                req.setOptions(options(r));
                if (r.provider) req.setProvider(provider(r));
                collect(await call(client.analyze.bind(client), req), r.name);
            }
            const stack = new messages["AnalyzeStackRequest"]!();
            stack.setResourcesList(
                resources.map((r): unknown => {
                    const a = new messages["AnalyzerResource"]!();
                    a.setType(r.type);
                    a.setName(r.name);
                    a.setUrn(r.urn);
                    a.setProperties(struct(r.props));
                    a.setDependenciesList([...r.dependencies]);
                    a.setOptions(options(r));
                    if (r.parent !== undefined) a.setParent(r.parent);
                    if (r.provider) a.setProvider(provider(r));
                    return a;
                }),
            );
            collect(await call(client.analyzeStack.bind(client), stack));
            const expected = (await judge(resources)).map((f) => `${f.policy} ${f.enforcementLevel} ${f.resource ?? "(stack)"}: ${f.message}`);
            assert.deepEqual([...seen].sort(), [...expected].sort());
            if (design === "the article's design") assert.ok(expected.length >= 10, `the article's mistakes are found (${expected.length})`);
            else if (design.startsWith("a rendered NodePort")) {
                // The rendered Service by its own rule; the chart's PDB known as the chart's through the object's parent.
                assert.deepEqual(expected, [
                    "no-nodeport-services mandatory ingress-nginx:ingress-nginx/ingress-nginx-controller: Service 'ingress-nginx:ingress-nginx/ingress-nginx-controller' is of type NodePort; use type LoadBalancer with NLB IP targets (or ClusterIP behind the edge).",
                    "no-overlapping-pdbs mandatory istiod-pdb: The pods of Deployment istiod of Helm release 'istiod' in namespace istio-system are selected by 2 PodDisruptionBudgets (the chart's PodDisruptionBudget 'istiod' of Helm release 'istiod' and PodDisruptionBudget 'istiod-pdb'); a pod under two PDBs cannot be evicted. Keep one: configure the chart's own budget through its values and remove the extra one.",
                    // The design has no NetworkPolicy for the controller pods.
                    "admission-webhook-isolated mandatory ingress-nginx: The admission webhook (port 8443) of Helm release 'ingress-nginx' (chart ingress-nginx) is reachable from every pod and address: no NetworkPolicy in ingress-nginx selects the controller pods (CVE-2025-1974); add one that admits the webhook port from the API server's addresses only.",
                ]);
            } else assert.deepEqual(expected, []);
        });
    }
});
