import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadSettings } from "../../config/load";
import { ConfigError } from "../../config/problems";
import { allSettings } from "../../config/registry";
import { Ciphertext, languageHostEnvironment, mergeConfig, parseProject, parseStackConfig, programConfig, type Project, type StackValue } from "../../offline/cli-config";
import { exitStatus, plan } from "../../offline/plan";
import { offlineDecrypter, placeholderFor, projectDir, readProjectFile, readStackConfiguration, StackFileError, stackFilePath } from "../../offline/stack-files";

/**
 * The Pulumi CLI's configuration rules (offline/cli-config.ts), case by case: each case is
 * accepted or refused as pulumi/pulumi v3.259.0 does (pkg/workspace/config.go `mergeConfig`
 * and `validateStackConfigValues`, sdk/go/common/workspace/project.go `Project.Validate`
 * and `ValidateConfigValue`), with the CLI's exact message.
 */

interface Outcome {
    /** The CLI's messages, in the order found. */
    readonly refused: readonly string[];
    /** What the program gets, when accepted. */
    readonly values: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
}

/** Applies the CLI's rules to a project named `demo` and the stack `dev`. */
function cli(config: Record<string, unknown>, stack: Record<string, unknown> = {}): Outcome {
    const { project, refusals } = parseProject({ name: "demo", runtime: "nodejs", config });
    if (project === undefined || refusals.length > 0) return { refused: refusals.map((r) => r.message), values: {}, secretKeys: [] };
    const parsed = parseStackConfig(stack);
    if (parsed.refusals.length > 0) return { refused: parsed.refusals.map((r) => r.message), values: {}, secretKeys: [] };
    const merged = mergeConfig("dev", project, parsed.config, offlineDecrypter);
    return { refused: merged.refusals.map((r) => r.message), ...programConfig(merged.config, offlineDecrypter) };
}

const secure = { secure: "v1:AAAAAAAAAAAAAAAA:ciphertext" };

interface Case {
    readonly what: string;
    readonly project: Record<string, unknown>;
    readonly stack?: Record<string, unknown>;
    /** The CLI's messages; empty: accepted. */
    readonly refused: readonly string[];
    /** For accepted cases: values the program gets, by full key. */
    readonly values?: Readonly<Record<string, string>>;
}

const cases: Case[] = [
    // Project.Validate
    {
        what: "a key with both a default and a value",
        project: { x: { type: "string", default: "a", value: "b" } },
        refused: ["project config 'x' cannot have both a 'default' and 'value' attribute"],
    },
    {
        what: "an array without items",
        project: { hosts: { type: "array", default: [] } },
        refused: ["The configuration key 'hosts' declares an array but does not specify the underlying type via the 'items' attribute"],
    },
    {
        what: "an integer whose default is a word",
        project: { replicas: { type: "integer", default: "three" } },
        refused: ["The default value specified for configuration key 'replicas' is not of the expected type 'integer'"],
    },
    {
        what: "a string whose default is a YAML number",
        project: { version: { type: "string", default: 3 } },
        refused: ["The default value specified for configuration key 'version' is not of the expected type 'string'"],
    },
    {
        what: "an array of integers whose default holds a word",
        project: { ports: { type: "array", items: { type: "integer" }, default: [80, "http"] } },
        refused: ["The default value specified for configuration key 'ports' is not of the expected type 'array<integer>'"],
    },
    {
        what: "an object whose default is a list",
        project: { labels: { type: "object", default: [] } },
        refused: ["The default value specified for configuration key 'labels' is not of the expected type 'object'"],
    },
    {
        what: "an integer default written as a numeric string, a boolean default as the string \"true\"",
        project: { replicas: { type: "integer", default: "3" }, enabled: { type: "boolean", default: "true" } },
        refused: [],
        values: { "demo:replicas": "3", "demo:enabled": "true" },
    },
    {
        what: "a key of another namespace with a type",
        project: { "aws:region": { type: "string", value: "us-east-1" } },
        refused: ["Configuration key 'aws:region' is not namespaced by the project and should not define a type"],
    },
    {
        what: "a key of another namespace with a default",
        project: { "kubernetes:context": { default: "cluster1" } },
        refused: ["Configuration key 'kubernetes:context' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?"],
    },
    {
        what: "a key of another namespace without a value",
        project: { "pulumi:disable-default-providers": { description: "none" } },
        refused: ["Configuration key 'pulumi:disable-default-providers' is namespaced and must provide an attribute 'value'"],
    },
    {
        what: "shorthand: a value for another namespace's key, a default for the project's",
        project: { "aws:region": "us-west-2", "pulumi:disable-default-providers": ["*"], replicas: 3 },
        refused: [],
        values: { "aws:region": "us-west-2", "pulumi:disable-default-providers": '["*"]', "demo:replicas": "3" },
    },
    // The merge and validateStackConfigValues
    {
        what: "secret: true with a default, on a stack that does not set the key",
        project: { token: { type: "string", secret: true, default: "" } },
        refused: ["Stack 'dev' with configuration key 'token' must be encrypted as it's secret"],
    },
    {
        what: "a plain value for a secret: true key",
        project: { token: { type: "string", secret: true } },
        stack: { "demo:token": "hunter2" },
        refused: ["Stack 'dev' with configuration key 'token' must be encrypted as it's secret"],
    },
    {
        what: "a secure value for a secret: true key",
        project: { token: { type: "string", secret: true } },
        stack: { "demo:token": secure },
        refused: [],
        values: { "demo:token": placeholderFor("demo:token") },
    },
    {
        what: "a required key the stack does not set",
        project: { role: { type: "string" } },
        refused: ["Stack 'dev' is missing configuration value 'role'"],
    },
    {
        what: "three required keys the stack does not set",
        project: { role: { type: "string" }, network: { type: "string" }, cluster: {} },
        refused: ["Stack 'dev' is missing configuration values 'cluster', 'network' and 'role'", "Stack 'dev' is missing configuration values 'cluster', 'network' and 'role'", "Stack 'dev' is missing configuration values 'cluster', 'network' and 'role'"],
    },
    {
        what: "an integer as a YAML number, a numeric string and a signed one",
        project: { a: { type: "integer" }, b: { type: "integer" }, c: { type: "integer" } },
        stack: { "demo:a": 3, "demo:b": "42", "demo:c": "+7" },
        refused: [],
        values: { "demo:a": "3", "demo:b": "42", "demo:c": "+7" },
    },
    {
        what: "integers that are not whole: 3.5, \"3.5\", \"1e3\", \" 3\"",
        project: { a: { type: "integer" }, b: { type: "integer" }, c: { type: "integer" }, d: { type: "integer" } },
        stack: { "demo:a": 3.5, "demo:b": "3.5", "demo:c": "1e3", "demo:d": " 3" },
        refused: ["a", "b", "c", "d"].map((k) => `Stack 'dev' with configuration key '${k}' must be of type 'integer'`),
    },
    {
        what: "booleans as YAML booleans and as the strings \"true\" and \"false\"",
        project: { a: { type: "boolean" }, b: { type: "boolean" }, c: { type: "boolean" } },
        stack: { "demo:a": false, "demo:b": "true", "demo:c": "false" },
        refused: [],
        values: { "demo:a": "false", "demo:b": "true", "demo:c": "false" },
    },
    {
        what: "booleans spelt \"yes\" and \"True\"",
        project: { a: { type: "boolean" }, b: { type: "boolean" } },
        stack: { "demo:a": "yes", "demo:b": "True" },
        refused: ["a", "b"].map((k) => `Stack 'dev' with configuration key '${k}' must be of type 'boolean'`),
    },
    {
        what: "a string given a YAML number (every scalar reaches the check as text)",
        project: { version: { type: "string" } },
        stack: { "demo:version": 1.3 },
        refused: [],
        values: { "demo:version": "1.3" },
    },
    {
        what: "a string given a list, another a mapping, another nothing (null)",
        project: { a: { type: "string" }, b: { type: "string" }, c: { type: "string" } },
        stack: { "demo:a": ["x"], "demo:b": { x: 1 }, "demo:c": null },
        refused: ["a", "b", "c"].map((k) => `Stack 'dev' with configuration key '${k}' must be of type 'string'`),
    },
    {
        what: "an object given a mapping (the program gets it as JSON, keys sorted)",
        project: { labels: { type: "object", default: {} } },
        stack: { "demo:labels": { team: "edge", app: "web" } },
        refused: [],
        values: { "demo:labels": '{"app":"web","team":"edge"}' },
    },
    {
        what: "an object given a list and a string",
        project: { a: { type: "object" }, b: { type: "object" } },
        stack: { "demo:a": [], "demo:b": "team=edge" },
        refused: ["Stack 'dev' with configuration key 'a' must be of type 'object'", "Stack 'dev' with configuration key 'b' must be of type 'object'"],
    },
    {
        what: "a list of strings holding a number (items are checked as the JSON they decode to)",
        project: { hosts: { type: "array", items: { type: "string" } } },
        stack: { "demo:hosts": ["a.example.com", 1] },
        refused: ["Stack 'dev' with configuration key 'hosts' must be of type 'array<string>'"],
    },
    {
        what: "a list given a single string",
        project: { hosts: { type: "array", items: { type: "string" }, default: [] } },
        stack: { "demo:hosts": "a.example.com" },
        refused: ["Stack 'dev' with configuration key 'hosts' must be of type 'array<string>'"],
    },
    {
        what: "lists of integers and booleans with numeric and boolean strings",
        project: { ports: { type: "array", items: { type: "integer" } }, flags: { type: "array", items: { type: "boolean" } } },
        stack: { "demo:ports": ["80", 443], "demo:flags": [true, "false"] },
        refused: [],
        values: { "demo:ports": '["80",443]', "demo:flags": '[true,"false"]' },
    },
    {
        what: "a list of lists of integers with a word inside, a list of objects with a string inside",
        project: { grid: { type: "array", items: { type: "array", items: { type: "integer" } } }, hosts: { type: "array", items: { type: "object" } } },
        stack: { "demo:grid": [[1], [2, "x"]], "demo:hosts": [{ host: "a" }, "b"] },
        refused: ["Stack 'dev' with configuration key 'grid' must be of type 'array<array<integer>>'", "Stack 'dev' with configuration key 'hosts' must be of type 'array<object>'"],
    },
    {
        what: "untyped keys: never checked, a secret: true among them included",
        project: { anything: { default: "x" }, token: { secret: true, default: "" } },
        stack: { "demo:anything": [1, { a: true }] },
        refused: [],
        values: { "demo:anything": '[1,{"a":true}]', "demo:token": "" },
    },
    {
        what: "a secret: true list whose items are secure",
        project: { tokens: { type: "array", items: { type: "string" }, secret: true } },
        stack: { "demo:tokens": [secure, secure] },
        refused: [],
    },
    {
        what: "keys of other namespaces on the stack only",
        project: {},
        stack: { "aws:region": "eu-west-1", "kubernetes:context": "cluster1" },
        refused: [],
        values: { "aws:region": "eu-west-1", "kubernetes:context": "cluster1" },
    },
    {
        what: "project defaults copied as text: integers, booleans as text, lists and mappings as JSON",
        project: { n: { type: "integer", default: 3 }, b: { type: "boolean", default: false }, l: { type: "array", items: { type: "string" }, default: ["a"] }, o: { type: "object", default: { z: 1, a: 2 } } },
        refused: [],
        values: { "demo:n": "3", "demo:b": "false", "demo:l": '["a"]', "demo:o": '{"a":2,"z":1}' },
    },
    {
        what: "a stack key without a namespace",
        project: {},
        stack: { role: "primary" },
        refused: ["could not unmarshal map: could not parse role as a configuration key (configuration keys should be of the form `<namespace>:<name>`)"],
    },
    {
        what: "a stack key in the old namespace:config:name form",
        project: { role: { type: "string" } },
        stack: { "demo:config:role": "primary" },
        refused: [],
        values: { "demo:role": "primary" },
    },
];

describe("the Pulumi CLI's configuration rules", () => {
    it(`has many distinct cases (${cases.length})`, () => {
        assert.ok(cases.length >= 30);
        assert.equal(new Set(cases.map((c) => c.what)).size, cases.length);
    });

    for (const c of cases) {
        it(`${c.refused.length > 0 ? "refuses" : "accepts"} ${c.what}`, () => {
            const outcome = cli(c.project, c.stack);
            assert.deepEqual(outcome.refused, c.refused);
            for (const [key, value] of Object.entries(c.values ?? {})) assert.equal(outcome.values[key], value, key);
        });
    }

    it("tells the program which keys are secret: a secure value, or a structured one with a secure value inside", () => {
        const outcome = cli(
            { token: { type: "string" }, tokens: { type: "array", items: { type: "string" } }, plain: { type: "string" } },
            { "demo:token": secure, "demo:tokens": ["a", secure], "demo:plain": "p" },
        );
        assert.deepEqual(outcome.refused, []);
        assert.deepEqual(outcome.secretKeys, ["demo:token", "demo:tokens"]);
        assert.equal(outcome.values["demo:tokens"], JSON.stringify(["a", placeholderFor("demo:tokens")]));
    });

    it("reports the schema's problems with a declaration without reading further", () => {
        const { refusals } = parseProject({ name: "demo", config: { token: { type: "string", secrte: true }, n: { type: "number" } } });
        assert.deepEqual(
            refusals.map((r) => r.line),
            [
                "Pulumi.yaml config token: the Pulumi CLI refuses the project file (its schema, sdk/go/common/workspace/project.json): 'secrte' is not an attribute of a config declaration (expected type, items, description, secret, default, value)",
                'Pulumi.yaml config n: the Pulumi CLI refuses the project file (its schema, sdk/go/common/workspace/project.json): type "number": expected one of string, integer, boolean, array, object',
            ],
        );
    });

    it("prints one line per problem: the key and its value, the CLI's message quoted, then the fix", () => {
        const { project } = parseProject({ name: "demo", config: { token: { type: "string", secret: true, default: "" }, on: { type: "boolean" }, role: { type: "string" } } });
        const merged = mergeConfig("dev", project!, parseStackConfig({ "demo:on": "yes" }).config, offlineDecrypter);
        assert.deepEqual(
            merged.refusals.map((r) => r.line),
            [
                "role is not set: the Pulumi CLI refuses it with \"Stack 'dev' is missing configuration value 'role'\"; set it with `pulumi config set role <value>`",
                "on = \"yes\": the Pulumi CLI refuses it with \"Stack 'dev' with configuration key 'on' must be of type 'boolean'\"; expected true or false",
                "token = \"\" (Pulumi.yaml's default): the Pulumi CLI refuses it with \"Stack 'dev' with configuration key 'token' must be encrypted as it's secret\"; a project default is copied into the stack as plain text, so `secret: true` cannot go with a default: declare the key without `secret: true` (and let the program refuse plain text) or set it with `pulumi config set --secret token` on every stack",
            ],
        );
    });

    it("hands the program its configuration as the Node.js language host does, and the SDK reads it back", () => {
        const stackConfig = new Map<string, StackValue>([
            ["demo:role", "primary"],
            ["demo:token", new Ciphertext("c", "s3cret")],
            ["aws:region", "eu-west-1"],
        ]);
        const config = programConfig(stackConfig, offlineDecrypter);
        const env = languageHostEnvironment(config);
        assert.deepEqual(JSON.parse(env.PULUMI_CONFIG), { "aws:config:region": "eu-west-1", "demo:config:role": "primary", "demo:config:token": "s3cret" });
        assert.deepEqual(JSON.parse(env.PULUMI_CONFIG_SECRET_KEYS), ["demo:token"]);
        // The SDK's store holds exactly these two variables as the process found them (runtime/state.ts).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const store = (require("@pulumi/pulumi/runtime/state") as { getStore(): { config: Record<string, string> } }).getStore();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
        const saved = { ...store.config };
        try {
            Object.assign(store.config, env);
            assert.deepEqual(pulumi.runtime.allConfig(), { "aws:region": "eu-west-1", "demo:role": "primary", "demo:token": "s3cret" });
            assert.equal(runtimeConfig.isConfigSecret("demo:token"), true);
            assert.equal(runtimeConfig.isConfigSecret("demo:role"), false);
        } finally {
            Object.assign(store.config, saved);
        }
    });
});

describe("the repository's project and stack files under the CLI's rules", () => {
    const projectYaml = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, Record<string, unknown>> };
    const stackFiles = [stackFilePath(projectDir, "primary"), stackFilePath(projectDir, "remote"), path.join(projectDir, "examples", "Pulumi.primary-gateway-api.yaml")];

    it("Pulumi.yaml passes the project checks, and declares no secret: true beside a default", () => {
        assert.deepEqual(parseProject(projectYaml).refusals, []);
        const both = Object.entries(projectYaml.config).filter(([, d]) => d["secret"] === true && d["default"] !== undefined);
        assert.deepEqual(both.map(([k]) => k), []);
    });

    for (const file of stackFiles) {
        it(`${path.relative(projectDir, file)} passes`, () => {
            const project = readProjectFile(projectDir);
            const configuration = readStackConfiguration(project, file);
            assert.equal(configuration.values["mesh-ingress:kubeconfig"], "", "an unset optional secret reaches the program as the empty default");
            assert.deepEqual(configuration.secretKeys, []);
        });
    }

    it("the old declaration of the seven optional secrets (secret: true, default \"\") is refused on every stack file", () => {
        const old = { ...projectYaml, config: { ...projectYaml.config } };
        const secrets = allSettings().filter((s) => s.secret).map((s) => s.key);
        assert.deepEqual(secrets.sort(), ["dns01AccessKeyId", "dns01SecretAccessKey", "istioCaCert", "istioCaCertChain", "istioCaKey", "istioCaRootCert", "kubeconfig"]);
        for (const key of secrets) old.config[key] = { ...old.config[key], secret: true };
        const project = parseProject(old).project as Project;
        for (const file of stackFiles) {
            const stack = (parse(fs.readFileSync(file, "utf8")) as { config: unknown }).config;
            const { refusals } = mergeConfig("primary", project, parseStackConfig(stack).config, offlineDecrypter);
            assert.deepEqual(refusals.map((r) => r.message), secrets.map((k) => `Stack 'primary' with configuration key '${k}' must be encrypted as it's secret`), file);
        }
    });

    it("a secret setting in plain text passes the CLI but not the program; encrypted, it reaches the program as a secret", () => {
        const project = readProjectFile(projectDir);
        const file = stackFilePath(projectDir, "primary");
        for (const spec of allSettings().filter((s) => s.secret)) {
            const plainText = readStackConfiguration(project, file, { stack: "primary", overrides: { set: { [spec.key]: "value" } } });
            assert.deepEqual(plainText.secretKeys, []);
            const source = { project: project.name, stack: "primary", values: plainText.values, secretKeys: new Set(plainText.secretKeys) };
            const problems = (() => {
                try {
                    loadSettings(source);
                } catch (e) {
                    if (ConfigError.isInstance(e)) return e.problems.map((p) => p.line);
                    throw e;
                }
                return [];
            })();
            assert.ok(problems.includes(`${spec.key} = [secret]: expected a secret; set it with \`pulumi config set --secret ${spec.key}\``), `${spec.key}: ${problems.join("\n")}`);
            const encrypted = readStackConfiguration(project, file, { stack: "primary", overrides: { set: { [spec.key]: "value" }, secret: [spec.key] } });
            assert.deepEqual(encrypted.secretKeys, [`mesh-ingress:${spec.key}`]);
            assert.equal(encrypted.values[`mesh-ingress:${spec.key}`], "value");
        }
    });

    it("the plan refuses what the CLI refuses (exit 2) before the program runs, naming the key", async () => {
        const outcome = await plan({ stack: "primary", overrides: { set: { istiodReplicas: "three", edgeHosts: { host: "a.example.com" } } } });
        assert.equal(exitStatus(outcome), 2);
        assert.deepEqual(outcome.kind === "invalid" ? outcome.lines : [], [
            `edgeHosts = {"host":"a.example.com"}: the Pulumi CLI refuses it with "Stack 'primary' with configuration key 'edgeHosts' must be of type 'array<object>'"; expected a list of objects (YAML mappings)`,
            `istiodReplicas = "three": the Pulumi CLI refuses it with "Stack 'primary' with configuration key 'istiodReplicas' must be of type 'integer'"; expected a whole number`,
        ]);
    });

    it("the README's example of a refusal is the plan's own line", async () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const shown = /\$ npm run plan -- --stack primary {5}# with mesh-ingress:monitoringEnabled: "yes"\n(.*)\n/.exec(readme)?.[1];
        assert.ok(shown, "the README shows the example");
        const outcome = await plan({ stack: "primary", overrides: { set: { monitoringEnabled: "yes" } } });
        assert.deepEqual(outcome.kind === "invalid" ? outcome.lines : [], [shown]);
    });

    it("the plan refuses a stack file key the CLI cannot parse", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-config-"));
        const file = path.join(dir, "Pulumi.odd.yaml");
        fs.writeFileSync(file, fs.readFileSync(stackFilePath(projectDir, "primary"), "utf8").replace("mesh-ingress:role: primary", "role: primary"));
        const outcome = await plan({ stack: "odd", configFile: file });
        assert.equal(exitStatus(outcome), 2);
        assert.deepEqual(outcome.kind === "invalid" ? outcome.lines : [], [
            "Pulumi.odd.yaml: role: the Pulumi CLI refuses it with \"could not unmarshal map: could not parse role as a configuration key (configuration keys should be of the form `<namespace>:<name>`)\"; write it as <project>:role",
        ]);
        assert.throws(() => readStackConfiguration(readProjectFile(projectDir), file), StackFileError);
    });
});
