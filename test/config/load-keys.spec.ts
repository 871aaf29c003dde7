import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, pulumiConfigSource, secretConfigTexts } from "../../config/load";
import { allSettings } from "../../config/registry";
import { configSource, primary, problemLines } from "../support/config-source";

/**
 * The keys config/load.ts reads: an unknown key is refused (with a did-you-mean, its value
 * hidden when the key is encrypted, looks like a credential or is a typo of a secret
 * setting), secret texts are hidden in every line and handed to the program, and the
 * configuration comes from Pulumi's runtime as the CLI sets it.
 */

/** What a line lists when an unknown key resembles no setting. */
const everySetting = `expected one of: ${allSettings()
    .map((s) => s.key)
    .join(", ")}`;

describe("config/load: unknown keys", () => {
    it("refuses every unknown key, in key order, showing its value", () => {
        assert.deepEqual(problemLines({ ...primary, zeta: "5", alpha: "hello world" }), [`alpha = "hello world": unknown setting; ${everySetting}`, `zeta = 5: unknown setting; ${everySetting}`]);
    });

    it("shows the value of an unknown key that is a typo of a plain setting", () => {
        assert.deepEqual(problemLines({ ...primary, netwrok: "network2" }), ["netwrok = \"network2\": unknown setting; did you mean 'network'?"]);
    });

    it("hides the value of an unknown key set with --secret", () => {
        assert.deepEqual(problemLines({ ...primary, zzz: "hello" }, ["zzz"]), [`zzz = [secret]: unknown setting; ${everySetting}`]);
    });

    it("hides the value of an unknown key whose name says it holds a credential", () => {
        const names = ["dbSecret", "apiToken", "ADMIN_PASSWORD", "passwd", "awsCredentials", "oldKubeconfig", "privateCert", "apikey", "awsAccesskey", "key", "sshKey", "tls-key", "ssh_key", "dns01.key", "signing key"];
        for (const name of names) {
            const [line] = problemLines({ ...primary, [name]: "s3cr3t-value" });
            assert.match(line!, new RegExp(`^${name} = \\[secret\\]: unknown setting; `), name);
        }
    });

    it("hides the value of an unknown key that is a typo of a secret setting", () => {
        assert.deepEqual(problemLines({ ...primary, kubeconfg: "token: abc" }), ["kubeconfg = [secret]: unknown setting; did you mean 'kubeconfig'?"]);
        assert.deepEqual(problemLines({ ...primary, istioCaCrt: "-----BEGIN CERTIFICATE-----" }), ["istioCaCrt = [secret]: unknown setting; did you mean 'istioCaCert'?"]);
    });
});

describe("config/load: secret texts", () => {
    it("hides a secret's text wherever it appears in a problem line", () => {
        const values = { ...primary, kubeconfig: "my-cluster-context", kubeContext: "my-cluster-context" };
        assert.deepEqual(problemLines(values, ["kubeconfig"]), ['kubeContext = "[secret]": expected to be empty when kubeconfig is set (set one of kubeconfig and kubeContext)']);
    });

    it("hands the program the texts of this project's encrypted values only", () => {
        const source = configSource({ ...primary, clusterName: "cluster-secret", "aws:secretKey": "provider-secret" }, ["clusterName", "aws:secretKey"]);
        assert.deepEqual(secretConfigTexts(source), ["cluster-secret"]);
    });
});

/** The SDK's internals a test needs to run with its own runtime configuration (runtime/state.ts, runtime/settings.ts). */
interface SdkInternals {
    withLocalStorage<T>(callback: () => T): T;
    _setProject(project: string): void;
    _setStack(stack: string): void;
}

describe("config/load: reading Pulumi's runtime", () => {
    // A store of its own (as the Automation API gives each program): the process's configuration is untouched.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state") as Pick<SdkInternals, "withLocalStorage">;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as Pick<SdkInternals, "_setProject" | "_setStack">;
    const config = {
        "mesh-ingress:config:role": "primary",
        "mesh-ingress:clusterName": "cluster1",
        "mesh-ingress:network": "network1",
        "mesh-ingress:meshId": "mesh1",
        "mesh-ingress:kubeconfig": "apiVersion: v1",
        "mesh-ingress:istiodReplicas": "4",
        "aws:region": "eu-west-1",
        "aws:secretKey": "provider-secret",
    };
    const secretKeys = ["aws:secretKey", "mesh-ingress:kubeconfig"];
    const inRuntime = <T>(run: () => T): T =>
        state.withLocalStorage(() => {
            settings._setProject("mesh-ingress");
            settings._setStack("dev");
            pulumi.runtime.setAllConfig(config, secretKeys);
            return run();
        });

    it("reads the project, the stack, every value and which keys are secret", () => {
        const before = pulumi.runtime.allConfig();
        const source = inRuntime(() => pulumiConfigSource());
        assert.equal(source.project, "mesh-ingress");
        assert.equal(source.stack, "dev");
        assert.equal(source.values["mesh-ingress:role"], "primary");
        assert.equal(source.values["mesh-ingress:istiodReplicas"], "4");
        assert.deepEqual([...source.secretKeys].sort(), secretKeys);
        assert.deepEqual(pulumi.runtime.allConfig(), before);
    });

    it("loads the settings and the secret texts from the runtime by default", async () => {
        const loaded = inRuntime(() => loadSettings());
        assert.equal(loaded.istiodReplicas, 4);
        assert.equal(await (loaded.kubeconfig as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        assert.deepEqual(
            inRuntime(() => secretConfigTexts()),
            ["apiVersion: v1"],
        );
    });
});
