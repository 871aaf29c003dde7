import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { articleDesign, changed, primaryStack, remoteKubeconfig, T } from "../policy/fixtures";
import { awsProvider, kubernetesProvider, urnOf, type ResourceArgs } from "../policy/support";
import { captureCommand } from "../../offline/cli/command";
import { policyCommand } from "../../offline/cli/policy-command";
import { resourcesOf } from "../../offline/documents";
import { judge } from "../../offline/judge";
import { runScript, type CommandResult } from "../support/cli";
import { plannedOnce } from "../support/plan";

const secretSig = "4dabf18193072939515e22adb298388d";
const encrypted = (ciphertext: string) => ({ [secretSig]: "1b47061264138c4ac30d75fd1eb44270", ciphertext });
const stackUrn = "urn:pulumi:test::mesh-ingress::pulumi:pulumi:Stack::mesh-ingress-test";

/** A `pulumi stack export` document (deployment version 3) holding these resources. */
function exported(resources: readonly ResourceArgs[], providers = [kubernetesProvider, awsProvider]): unknown {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3.200.0" },
            resources: [
                { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack" },
                ...providers.map((p) => ({ urn: p.urn, custom: true, id: "b1c6b3ad", type: p.type, parent: stackUrn, inputs: { kubeconfig: encrypted("v1:provider-ciphertext") } })),
                ...resources.map((r) => ({
                    urn: urnOf(r.type, r.name),
                    custom: true,
                    id: r.name,
                    type: r.type,
                    parent: stackUrn,
                    ...(r.provider ? { provider: `${r.provider.urn}::b1c6b3ad` } : {}),
                    inputs: r.props,
                    dependencies: r.dependencies ?? [],
                    ...(r.options?.protect ? { protect: true } : {}),
                })),
            ],
        },
    };
}

/** The article's design as a stack built from it would export it: secret values encrypted. */
function articleExport(): unknown {
    return exported(articleDesign().map((r) => (r.type === T.secret ? changed(r, (p) => (p.data = encrypted("v1:kubeconfig-ciphertext"))) : r)));
}

describe("npm run policy (command line)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
    const write = (name: string, doc: unknown): string => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
        return file;
    };
    // The --json run goes through the entry point in a child process (exit status 1 and the
    // streams); the others run the same command in-process, its output escaped as the
    // process's streams are.
    const policy = (args: string[]) => captureCommand(policyCommand, args);
    let article: Promise<CommandResult>;
    let planFile: string;
    before(async () => {
        article = runScript("offline/cli/policy.ts", [write("article.json", articleExport()), "--json"]);
        planFile = write("plan.json", (await plannedOnce("primary")).document);
    });

    it("judges a plan document: 0 without mandatory violations", async () => {
        const r = await policy([planFile]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Judged \d+ resources of a plan: 0 findings, 0 mandatory/);
    });

    it("judges a state export of the article's design: 1, every mistake named, secrets never printed", async () => {
        const r = await article;
        assert.equal(r.status, 1, r.stderr);
        const result = JSON.parse(r.stdout) as { document: string; unreadableSecrets: number; violations: { policy: string; enforcementLevel: string; resource: string }[] };
        assert.equal(result.document, "export");
        assert.equal(result.unreadableSecrets, 3);
        const found = new Set(result.violations.map((v) => `${v.policy} ${v.enforcementLevel} ${v.resource}`));
        for (const expected of [
            "no-nodeport-services mandatory legacy-edge",
            "istiod-high-availability mandatory istiod",
            "istio-values-not-ignored advisory istiod",
            "cross-network-gateway-auto-passthrough mandatory cross-network-gateway",
            "remote-secret-shape mandatory cluster2-secret",
            "issuer-no-inline-aws-keys mandatory letsencrypt",
            "acme-production-only-when-chosen mandatory wildcard-example",
            "ingress-tls-hosts-certified mandatory portal",
            "no-snippet-annotations mandatory portal",
            "allowlist-annotation-name advisory portal",
        ]) {
            assert.ok(found.has(expected), `expected ${expected} among:\n${[...found].join("\n")}`);
        }
        assert.ok(!r.stdout.includes("ciphertext"), "no ciphertext in the output");
    });

    it("judges a state export of a correct design: 0, with --policy-config applied, and says which secrets it could not read", async () => {
        const r = await policy([write("good.json", exported(primaryStack())), "--policy-config", write("always-warn.json", { "ingress-nginx-retired": { acknowledgedVersion: "" }, "no-snippet-annotations": "disabled" })]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(r.stdout, [
            "Judged 21 resources of a state export: 1 findings, 0 mandatory",
            "  note: 2 secret value(s) cannot be read from this export (encrypted; export with --show-secrets to judge them); policies treat them as unknown",
            "  [advisory] ingress-nginx-retired (ingress-nginx): Helm release 'ingress-nginx' installs ingress-nginx 4.15.1; ingress-nginx was retired in March 2026 and gets no security fixes after its final release 4.15.1: plan the move to a maintained controller (Gateway API).",
            "",
        ].join("\n"));
    });

    it("rejects a --policy-config that is not the pack's, naming each problem, with exit 2", async () => {
        const wrong = await policy([write("any.json", exported([])), "--policy-config", write("wrong.json", { "no-snipet-annotations": "disabled", "istiod-high-availability": { minReplicas: "three" } })]);
        assert.equal(wrong.status, 2);
        assert.equal(wrong.stderr, [
            `--policy-config ${path.join(dir, "wrong.json")}: no-snipet-annotations: expected a policy of the pack (did you mean no-snippet-annotations?)`,
            `--policy-config ${path.join(dir, "wrong.json")}: istiod-high-availability.minReplicas = "three": expected an integer`,
            "",
        ].join("\n"));
    });

    it("exits 2 for an unreadable file or an unknown document", async () => {
        const missing = await policy([path.join(dir, "missing.json")]);
        assert.equal(missing.status, 2);
        assert.equal(missing.stderr, `${path.join(dir, "missing.json")}: no such file\n`);
        const r = await policy([write("other.json", '{"hello": "world"}')]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /expected an offline plan \(npm run plan -- --json\) or a state export \(pulumi stack export\)/);
        const notJson = await policy([write("not.json", "not json")]);
        assert.equal(notJson.status, 2);
        assert.equal(notJson.stderr, `${path.join(dir, "not.json")}: not JSON; expected an offline plan (npm run plan -- --json) or a state export (pulumi stack export)\n`);
    });

    it("judges the kubeconfig of a remote secret when the export shows secrets (in process: the same reader and judge)", async () => {
        const secret = {
            type: T.secret,
            name: "istio-remote-secret-cluster2",
            provider: kubernetesProvider,
            props: {
                metadata: { name: "istio-remote-secret-cluster2", namespace: "istio-system", labels: { "istio/multiCluster": "true" }, annotations: { "networking.istio.io/cluster": "cluster2" } },
                stringData: { [secretSig]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify({ cluster2: remoteKubeconfig("cluster2").replace("current-context: cluster2", "current-context: admin") }) },
            },
        };
        const { resources, unreadableSecrets } = resourcesOf(exported([secret]));
        assert.equal(unreadableSecrets, 2); // the two providers' kubeconfigs
        assert.deepEqual((await judge(resources)).map((f) => [f.policy, f.message]), [
            ["remote-secret-shape", "Secret 'istio-remote-secret-cluster2' is not a remote-cluster secret Istio can read: in data['cluster2'] its current-context is \"admin\" (expected 'cluster2'). Build it as istioctl create-remote-secret does."],
        ]);
    });
});
