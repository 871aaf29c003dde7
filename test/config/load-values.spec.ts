import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { placeholderFor } from "../../config/secret-texts";
import { load, primary, problemLines, remote } from "../support/config-source";

/**
 * How config/load.ts reads each value: Pulumi's text form turned into the setting's type
 * (integers, booleans, lists, mappings, strings that look like JSON), secret settings,
 * values encrypted with `--secret` (decrypted by the CLI, or an offline placeholder), the
 * hint of a missing setting, and the deep freeze of what is loaded.
 */

/** The primary without kubeContext, for specs that set kubeconfig. */
const { kubeContext: _context, ...primaryWithoutContext } = primary;
void _context;

/** The problem lines of the primary with `values` added. */
const onPrimary = (values: Readonly<Record<string, unknown>>, secretKeys: readonly string[] = []): string[] => problemLines({ ...primary, ...values }, secretKeys);

describe("config/load: integers, booleans, lists and mappings from Pulumi's text form", () => {
    it("reads an integer with an optional minus sign and surrounding spaces", () => {
        assert.equal(load({ ...primary, istioReaderTokenGeneration: " 42 " }).istioReaderTokenGeneration, 42);
        // The sign is read, the bound refuses it.
        assert.deepEqual(onPrimary({ istioReaderTokenGeneration: "-5" }), ["istioReaderTokenGeneration = -5: expected at least 1"]);
    });

    it("refuses any other text where an integer belongs, showing the text", () => {
        for (const text of ["+5", "5x", "x5", "5.0", "1e3", ""]) {
            assert.deepEqual(onPrimary({ istioReaderTokenGeneration: text }), [`istioReaderTokenGeneration = ${JSON.stringify(text)}: expected an integer`], text);
        }
    });

    it("reads exactly true and false as booleans, and refuses any other text", () => {
        assert.equal(load({ ...primary, monitoringEnabled: "false" }).monitoringEnabled, false);
        assert.equal(load({ ...primary, clusterDisposable: "true" }).clusterDisposable, true);
        for (const text of ["True", "yes", "1", " true", ""]) {
            assert.deepEqual(onPrimary({ monitoringEnabled: text }), [`monitoringEnabled = ${JSON.stringify(text)}: expected true or false`], text);
        }
    });

    it("refuses a mapping, a scalar or non-JSON text where a list belongs", () => {
        for (const text of ["{}", '{"a":"acme/mesh-ingress/remote"}', '"acme/mesh-ingress/remote"', "acme/mesh-ingress/remote"]) {
            assert.deepEqual(onPrimary({ remoteStacks: text }), [`remoteStacks = ${JSON.stringify(text)}: expected a list (a YAML sequence)`], text);
        }
    });

    it("refuses a list, null, a scalar or non-JSON text where a mapping belongs", () => {
        for (const text of ["[]", "null", "5", "true", "a=b"]) {
            assert.deepEqual(onPrimary({ edgeServiceAnnotations: text }), [`edgeServiceAnnotations = ${JSON.stringify(text)}: expected an object (a YAML mapping)`], text);
        }
        assert.deepEqual(load({ ...primary, edgeServiceAnnotations: { "example.com/team": "edge" } }).edgeServiceAnnotations, { "example.com/team": "edge" });
    });

    it("keeps a string setting's text as it is, also when it is a JSON scalar", () => {
        const settings = load({ ...primary, clusterName: "5", network: "null", meshId: "true" });
        assert.equal(settings.clusterName, "5");
        assert.equal(settings.network, "null");
        assert.equal(settings.meshId, "true");
    });

    it("refuses a mapping or list (JSON, also after spaces) where a string belongs", () => {
        assert.deepEqual(onPrimary({ clusterName: '["cluster1"]' }), ['clusterName = "[\\"cluster1\\"]": expected a string, not a mapping or list']);
        assert.deepEqual(onPrimary({ clusterName: ' \n{"name":"cluster1"}' }), ['clusterName = " \\n{\\"name\\":\\"cluster1\\"}": expected a string, not a mapping or list']);
        // Text that only starts like JSON is a string, checked by the setting's own rule.
        assert.deepEqual(onPrimary({ clusterName: "[cluster1" }), ['clusterName = "[cluster1": expected a DNS label: 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit']);
    });
});

describe("config/load: secret settings", () => {
    it("accepts JSON text in a secret setting (a kubeconfig may be JSON) and keeps it a Pulumi secret", async () => {
        const text = '{"apiVersion":"v1","kind":"Config"}';
        const settings = load({ ...primaryWithoutContext, kubeconfig: text }, ["kubeconfig"]);
        assert.ok(pulumi.Output.isInstance(settings.kubeconfig));
        const output = settings.kubeconfig as unknown as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
        assert.equal(await output.isSecret, true);
        assert.equal(await output.promise(), text);
    });

    it("loads an empty secret setting, plain or encrypted, as not set", () => {
        assert.equal(load({ ...primary, istioCaKey: "" }).istioCaKey, undefined);
        assert.equal(load({ ...primary, istioCaKey: "" }, ["istioCaKey"]).istioCaKey, undefined);
    });

    it("refuses a secret setting's plain text without printing it", () => {
        assert.deepEqual(onPrimary({ dns01SecretAccessKey: "wJalrXUtnFEMI" }), ["dns01SecretAccessKey = [secret]: expected a secret; set it with `pulumi config set --secret dns01SecretAccessKey`"]);
    });
});

describe("config/load: values set with --secret", () => {
    it("validates a decrypted value like any other and hides it in the line", () => {
        assert.deepEqual(onPrimary({ clusterName: "Cluster_1" }, ["clusterName"]), [
            "clusterName = [secret]: expected a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        ]);
        assert.equal(load({ ...primary, istiodReplicas: "5" }, ["istiodReplicas"]).istiodReplicas, 5);
        assert.equal(load({ ...primary, clusterName: "cluster9" }, ["clusterName"]).clusterName, "cluster9");
    });

    it("hides every part of an encrypted structured setting in its lines", () => {
        const host = { host: "app.example.com", namespace: "apps", paths: [{ path: "/", service: "web", port: 0 }] };
        assert.deepEqual(onPrimary({ edgeHosts: [host] }, ["edgeHosts"]), ["edgeHosts[0].paths[0].port = [secret]: expected an integer from 1 to 65535"]);
    });
});

describe("config/load: encrypted values offline (the placeholder of a value only the CLI can decrypt)", () => {
    it("takes a string setting's placeholder as valid but unknown, and skips the rules that read it", () => {
        const placeholder = placeholderFor("mesh-ingress:primaryStack");
        // Not a stack name, and not of this project: neither the setting nor the cross rule may refuse it.
        assert.equal(load({ ...remote, primaryStack: placeholder }, ["primaryStack"]).primaryStack, placeholder);
        assert.equal(load({ ...primary, clusterName: placeholderFor("mesh-ingress:clusterName") }, ["clusterName"]).clusterName, placeholderFor("mesh-ingress:clusterName"));
    });

    it("uses the default of an integer, boolean or list setting whose value is a placeholder", () => {
        const settings = load(
            {
                ...primary,
                istiodReplicas: placeholderFor("mesh-ingress:istiodReplicas"),
                monitoringEnabled: placeholderFor("mesh-ingress:monitoringEnabled"),
                remoteStacks: placeholderFor("mesh-ingress:remoteStacks"),
            },
            ["istiodReplicas", "monitoringEnabled", "remoteStacks"],
        );
        assert.equal(settings.istiodReplicas, 3);
        assert.equal(settings.monitoringEnabled, true);
        assert.deepEqual(settings.remoteStacks, []);
    });

    it("skips the rules that read a default standing in for a placeholder", () => {
        // Against the default of 3 istiod replicas, 5 pods kept available would be refused; the encrypted count is unknown.
        const settings = load({ ...primary, istiodReplicas: placeholderFor("mesh-ingress:istiodReplicas"), istiodPdbMinAvailable: "5" }, ["istiodReplicas"]);
        assert.equal(settings.istiodPdbMinAvailable, 5);
    });

    it("checks a placeholder that is not the setting's own like any value", () => {
        assert.deepEqual(onPrimary({ istiodReplicas: placeholderFor("mesh-ingress:other") }, ["istiodReplicas"]), ["istiodReplicas = [secret]: expected an integer"]);
    });

    it("counts an encrypted secret setting as set: kubeconfig and kubeContext still exclude each other", () => {
        assert.deepEqual(onPrimary({ kubeconfig: placeholderFor("mesh-ingress:kubeconfig") }, ["kubeconfig"]), [
            'kubeContext = "cluster1": expected to be empty when kubeconfig is set (set one of kubeconfig and kubeContext)',
        ]);
    });

    it("refuses an encrypted part of a structured setting, which offline cannot be checked", () => {
        const host = { host: placeholderFor("mesh-ingress:edgeHosts"), namespace: "apps", paths: [{ path: "/", service: "web", port: 8080 }] };
        assert.deepEqual(onPrimary({ edgeHosts: [host] }, ["edgeHosts"]), [
            "edgeHosts[0].host = [secret]: expected a value the offline plan can check: an encrypted part of a structured setting cannot be decrypted offline; encrypt the whole setting, or plan with its plain value",
        ]);
    });
});

describe("config/load: missing settings and what is loaded", () => {
    it("names a missing required setting with the first sentence of its description", () => {
        const { role: _role, network: _network, ...rest } = primary;
        void _role;
        void _network;
        assert.deepEqual(problemLines(rest), [
            "role is not set: What this stack runs: `primary` (the Istio control plane and the remote-cluster secrets) or `remote` (Istio's remote profile, controlled by the primary). Set it with `pulumi config set role <value>`.",
            "network is not set: The network this cluster's pods are on (`topology.istio.io/network`, `global.network`). Set it with `pulumi config set network <value>`.",
        ]);
    });

    it("freezes a structured value all the way down", () => {
        const profile = { name: "strict", rps: 10, allowlist: ["10.0.0.0/8"] };
        const settings = load({ ...primary, edgeSecurityProfiles: [profile], edgeServiceAnnotations: { "example.com/a": "b" } });
        assert.deepEqual(settings.edgeSecurityProfiles, [profile]);
        assert.ok(Object.isFrozen(settings.edgeSecurityProfiles));
        assert.ok(Object.isFrozen(settings.edgeSecurityProfiles[0]));
        assert.ok(Object.isFrozen(settings.edgeSecurityProfiles[0]!.allowlist));
        assert.ok(Object.isFrozen(settings.edgeServiceAnnotations));
    });
});
