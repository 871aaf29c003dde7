import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import type { Ciphertext } from "../../offline/cli-config";
import { mermaidGraph } from "../../offline/graph";
import { exitStatus, plan, projectDir, type PlanOptions, type PlanOutcome } from "../../offline/plan";
import { renderTree } from "../../offline/render";

/**
 * The canary: one recognisable secret planted in every secret-bearing input of a stack,
 * as `secure:` values of its stack file (decrypted through the plan's decrypter, as the
 * CLI would with the stack's key) and as programmatic overrides set as secrets. It must
 * never appear in the plan's text, JSON, graph, problem lines, warnings or policy
 * messages, and every value that carries it must be a Pulumi secret.
 */
const canary = "zq7canary";

/** Ciphertexts of the test's stack files and their plaintexts. */
const plaintexts = new Map<string, string>();
const secure = (plaintext: string): { secure: string } => {
    const ciphertext = `v1:test-${plaintexts.size}`;
    plaintexts.set(ciphertext, plaintext);
    return { secure: ciphertext };
};
const decrypt = (secret: Ciphertext): string => secret.plaintext ?? plaintexts.get(secret.ciphertext) ?? assert.fail(`no plaintext for ${secret.ciphertext}`);

const pem = (what: string): string => `-----BEGIN ${what}-----\nMIIB${canary}${what.length}\n-----END ${what}-----\n`;
const remoteKubeconfig = stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "cluster2",
    clusters: [{ name: "cluster2", cluster: { server: `https://${canary}-api.example.com`, "certificate-authority-data": Buffer.from(pem("CERTIFICATE")).toString("base64") } }],
    contexts: [{ name: "cluster2", context: { cluster: "cluster2", user: "admin" } }],
    users: [{ name: "admin", user: { token: `${canary}-admin-token` } }],
});

/** A copy of a stack file with some values replaced (`secure:` ones among them), in a temporary folder. */
function stackFile(from: string, stack: string, values: Record<string, unknown>, remove: readonly string[] = []): string {
    const doc = parse(fs.readFileSync(path.join(projectDir, from), "utf8")) as { config: Record<string, unknown> };
    for (const key of remove) delete doc.config[`mesh-ingress:${key}`];
    for (const [key, value] of Object.entries(values)) doc.config[`mesh-ingress:${key}`] = value;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "canary-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, stringify(doc));
    return file;
}

/** Every place the canary shows in a value, outside a secret. */
function clearCanaries(value: unknown, at: string, found: string[]): void {
    if (pulumi.runtime.isRpcSecret(value)) return;
    if (typeof value === "string") {
        if (value.includes(canary)) found.push(at);
    } else if (Array.isArray(value)) value.forEach((v, i) => clearCanaries(v, `${at}[${i}]`, found));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) clearCanaries(v, `${at}.${k}`, found);
}

/** Everything a plan prints or returns for printing. */
function printed(outcome: PlanOutcome): string {
    switch (outcome.kind) {
        case "invalid":
            return outcome.lines.join("\n");
        case "failed":
            return outcome.error.stack ?? outcome.error.message;
        case "planned":
            return [renderTree(outcome.document), JSON.stringify(outcome.document), mermaidGraph(outcome.evaluation.resources), ...outcome.findings.map((f) => f.message)].join("\n");
    }
}

const annotated = { "example.com/owner": secure(`team-${canary}`), "example.com/cost-centre": "platform" };
const variants: Record<string, PlanOptions> = {
    primary: {
        stack: "primary",
        configFile: stackFile("Pulumi.primary.yaml", "primary", {
            acmeEmail: secure(`${canary}@example.com`),
            edgeServiceAnnotations: annotated,
            istioCaCert: secure(pem("CERTIFICATE")),
            istioCaKey: secure(pem("PRIVATE KEY")),
            istioCaRootCert: secure(pem("ROOT CERTIFICATE")),
            istioCaCertChain: secure(pem("CERTIFICATE CHAIN")),
            dns01Credentials: "static",
            dns01IamUser: "dns01",
            dns01AccessKeyId: secure(`AKIA${canary.toUpperCase()}01`),
            dns01SecretAccessKey: secure(`${canary}/secret-access-key`),
        }, ["dns01OidcProviderArn"]),
        // A context of the ambient kubeconfig set with --secret: the provider's input.
        overrides: { set: { kubeContext: `${canary}-context` }, secret: ["kubeContext"] },
        decrypt,
    },
    remote: {
        stack: "remote",
        configFile: stackFile("Pulumi.remote.yaml", "remote", { kubeconfig: secure(remoteKubeconfig), acmeEmail: secure(`${canary}@example.com`), edgeServiceAnnotations: annotated }, ["kubeContext"]),
        overrides: { set: { remoteApiServer: `https://${canary}-private.example.com`, remoteApiServerCaData: Buffer.from(pem("CERTIFICATE")).toString("base64") }, secret: ["remoteApiServer", "remoteApiServerCaData"] },
        decrypt,
    },
    "primary-gateway-api": {
        stack: "primary-gateway-api",
        configFile: stackFile("examples/Pulumi.primary-gateway-api.yaml", "primary-gateway-api", { acmeEmail: secure(`${canary}@example.com`), edgeServiceAnnotations: annotated }),
        overrides: { set: { kubeContext: `${canary}-context` }, secret: ["kubeContext"] },
        decrypt,
    },
};

describe("secrets never printed, never declassified (the canary)", () => {
    const outcomes = new Map<string, PlanOutcome>();
    before(async function () {
        this.timeout(120000);
        for (const [name, options] of Object.entries(variants)) outcomes.set(name, await plan(options));
    });

    for (const name of Object.keys(variants)) {
        describe(name, () => {
            it("plans with exit status 0 and never prints the canary (text, JSON, graph, warnings, findings)", () => {
                const outcome = outcomes.get(name)!;
                assert.equal(outcome.kind, "planned", printed(outcome));
                assert.equal(exitStatus(outcome), 0, printed(outcome));
                assert.ok(!printed(outcome).includes(canary), "the canary is printed");
            });

            it("keeps every input and output that carries the canary a secret", () => {
                const outcome = outcomes.get(name)!;
                if (outcome.kind !== "planned") assert.fail();
                const found: string[] = [];
                for (const r of outcome.evaluation.resources) clearCanaries(r.inputs, `${r.type} ${r.name}`, found);
                clearCanaries(outcome.evaluation.outputs, "outputs", found);
                assert.deepEqual(found, []);
            });
        });
    }

    it("shows the values carrying it as [secret]: the provider's context, the ACME e-mail, a Service annotation, the remote's endpoint", () => {
        // A value the program builds as one Output (a CustomResource's spec, an object's
        // metadata) becomes secret as a whole.
        const doc = (name: string): any => {
            const outcome = outcomes.get(name)!;
            return outcome.kind === "planned" ? outcome.document : assert.fail();
        };
        const inputs = (name: string, type: string, resource?: string): any => doc(name).resources.find((r: any) => r.type === type && (resource === undefined || r.name === resource))?.inputs;
        assert.equal(inputs("primary", "pulumi:providers:kubernetes").context, "[secret]");
        assert.equal(inputs("primary", "kubernetes:cert-manager.io/v1:ClusterIssuer").spec, "[secret]");
        assert.equal(inputs("primary", "kubernetes:core/v1:Service", "edge-service").metadata, "[secret]");
        assert.equal(inputs("primary-gateway-api", "pulumi:providers:kubernetes").context, "[secret]");
        assert.equal(inputs("primary-gateway-api", "kubernetes:cert-manager.io/v1:ClusterIssuer").spec, "[secret]");
        assert.equal(inputs("remote", "pulumi:providers:kubernetes").kubeconfig, "[secret]");
        assert.equal(inputs("remote", "kubernetes:cert-manager.io/v1:ClusterIssuer").spec, "[secret]");
        assert.equal(doc("remote").outputs.apiServer, "[secret]");
        assert.equal(doc("remote").outputs.apiServerCaData, "[secret]");
        // Values without the canary stay readable.
        assert.equal(inputs("primary", "kubernetes:cert-manager.io/v1:ClusterIssuer").metadata.name, "letsencrypt-staging");
    });

    it("prints [secret] and nothing of the value in configuration errors and did-you-mean messages", async () => {
        const cases: { options: PlanOptions; line: string }[] = [
            { options: { stack: "primary", overrides: { set: { acmeEmail: `${canary}-not-an-email` }, secret: ["acmeEmail"] } }, line: "acmeEmail = [secret]: expected an e-mail address such as platform@example.com" },
            { options: { stack: "primary", overrides: { set: { kubeconfg: `token: ${canary}` }, secret: ["kubeconfg"] } }, line: "kubeconfg = [secret]: unknown setting; did you mean 'kubeconfig'?" },
            // Plain text, but a typo of a secret setting: the value is still not printed.
            { options: { stack: "primary", overrides: { set: { dns01SecretAccesKey: `${canary}-plain` } } }, line: "dns01SecretAccesKey = [secret]: unknown setting; did you mean 'dns01SecretAccessKey'?" },
            {
                options: { stack: "remote", overrides: { set: { kubeconfig: `apiVersion: v1\nusers:\n- name: x\n  user: {token: ${canary}\n` }, secret: ["kubeconfig"], unset: ["kubeContext"] } },
                line: "kubeconfig = [secret]: expected a kubeconfig (a YAML mapping); cannot be parsed at line 5",
            },
            {
                options: { stack: "remote", overrides: { set: { kubeconfig: remoteKubeconfig.replace(/certificate-authority-data: .*/, `certificate-authority: /nonexistent/${canary}-ca.crt`) }, secret: ["kubeconfig"], unset: ["kubeContext"] } },
                line: "kubeconfig = [secret]: expected a kubeconfig whose certificate-authority file can be read; use certificate-authority-data, or set remoteApiServerCaData",
            },
        ];
        for (const c of cases) {
            const outcome = await plan(c.options);
            assert.equal(exitStatus(outcome), 2, printed(outcome));
            assert.deepEqual(outcome.kind === "invalid" ? outcome.lines : [], [c.line]);
        }
    });

    it("offline, counts an encrypted value of a validated setting as valid but unknown", async () => {
        const file = stackFile("Pulumi.primary.yaml", "primary", { acmeEmail: { secure: "AAABAGNhbm5vdC1iZS1kZWNyeXB0ZWQtb2ZmbGluZQ==" }, istiodReplicas: { secure: "AAABAHRocmVl" } });
        const outcome = await plan({ stack: "primary", configFile: file });
        assert.equal(exitStatus(outcome), 0, printed(outcome));
        const doc = outcome.kind === "planned" ? outcome.document : assert.fail();
        assert.deepEqual(doc.placeholders, ["mesh-ingress:acmeEmail", "mesh-ingress:istiodReplicas"]);
        const issuer = doc.resources.find((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer")!.inputs as any;
        assert.equal(issuer.spec, "[secret]");
        const istiod = doc.resources.find((r) => r.name === "mesh-istiod")!.inputs as any;
        assert.equal(istiod.values.replicaCount, 3, "an encrypted integer plans with the setting's default");
    });
});
