import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { renderKubeVersion } from "../../../offline/charts/capabilities";
import { printableObjects } from "../../../offline/charts/document";
import { parseManifest, renderReleases, templateArgs, type RenderedRelease } from "../../../offline/charts/render";
import { computedPlaceholder, helmRelease } from "../../../offline/charts/releases";
import type { RecordedResource } from "../../../offline/engine";

/**
 * What a render hands Helm for one release, as pulumi-kubernetes' `helm.v3.Release` does
 * (provider/pkg/provider/helm_release.go): valueYamlFiles merged in order, then `values`;
 * `name` and `namespace`; CRDs unless `skipCrds`; hooks unless `disableWebhooks`; never
 * test hooks.
 */

const urn = "urn:pulumi:test::mesh-ingress::kubernetes:helm.sh/v3:Release::edge";

/** A secret as the engine records it (Pulumi's RPC form). */
function recordedSecret(value: string): unknown {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

describe("a Helm release as Helm receives it", () => {
    it("merges valueYamlFiles in order, then values over them, maps key by key", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-values-")), "second.yaml");
        fs.writeFileSync(file, "controller:\n  replicaCount: 2\n  config: { hsts: 'true', ssl-redirect: 'true' }\n");
        const release = await helmRelease({
            name: "edge",
            urn,
            inputs: {
                chart: "ingress-nginx",
                version: "4.15.1",
                repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" },
                name: "ingress-nginx",
                namespace: "ingress-nginx",
                valueYamlFiles: [new pulumi.asset.StringAsset("controller:\n  replicaCount: 1\n  kind: Deployment\n  extraArgs: [a]\n"), new pulumi.asset.FileAsset(file)],
                values: { controller: { config: { hsts: "false" }, extraArgs: ["b"] } },
            },
        });
        assert.deepEqual(release.values, { controller: { replicaCount: 2, kind: "Deployment", extraArgs: ["b"], config: { hsts: "false", "ssl-redirect": "true" } } });
        assert.deepEqual(
            { chart: release.chart, repository: release.repository, name: release.name, namespace: release.namespace, includeCrds: release.includeCrds, hooks: release.hooks, notes: release.notes },
            { chart: "ingress-nginx", repository: "https://kubernetes.github.io/ingress-nginx", name: "ingress-nginx", namespace: "ingress-nginx", includeCrds: true, hooks: true, notes: [] },
        );
    });

    it("names an oci:// chart by its last segment, and keeps secret values out of print", async () => {
        const release = await helmRelease({
            name: "cert-manager",
            urn,
            inputs: { chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.3", values: { serviceAccount: { annotations: { token: recordedSecret("s3cr3t-value") } } }, skipCrds: true, disableWebhooks: true },
        });
        assert.deepEqual({ chart: release.chart, repository: release.repository, includeCrds: release.includeCrds, hooks: release.hooks }, { chart: "cert-manager", repository: undefined, includeCrds: false, hooks: false });
        assert.deepEqual(release.notes, ["no release name: rendered as 'cert-manager' (the provider adds a random suffix)", "no namespace: rendered into 'default' (the provider's default namespace)"]);
        assert.deepEqual(release.secrets, ["s3cr3t-value"]);
        const rendered: RenderedRelease = {
            release,
            chart: { name: "cert-manager", version: "v1.21.3", pinned: "v1.21.3", file: "x", substituted: false, helm: "v4.1.4" },
            objects: [
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "cert-manager", annotations: { token: "s3cr3t-value", other: "plain" } } },
                { apiVersion: "v1", kind: "Secret", metadata: { name: "copy" }, data: { token: Buffer.from("s3cr3t-value").toString("base64") } },
            ],
            notes: [],
        };
        assert.deepEqual(printableObjects(rendered), [
            { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "cert-manager", annotations: { token: "[secret]", other: "plain" } } },
            { apiVersion: "v1", kind: "Secret", metadata: { name: "copy" }, data: { token: "[secret]" } },
        ]);
    });

    it("renders a value known only after deployment as a placeholder, and notes where", async () => {
        const release = await helmRelease({ name: "istiod", urn, inputs: { chart: "istiod", version: "1.30.5", name: "istiod", namespace: "istio-system", values: { env: { ISTIOD_CUSTOM_HOST: pulumi.unknown } } } });
        assert.deepEqual(release.values, { env: { ISTIOD_CUSTOM_HOST: computedPlaceholder } });
        assert.deepEqual(release.notes, [`values known only after deployment rendered as '${computedPlaceholder}': env.ISTIOD_CUSTOM_HOST`]);
    });

    it("asks Helm for the release's name and namespace, the capabilities, CRDs and hooks, and no test hooks", async () => {
        const release = await helmRelease({ name: "istiod", urn, inputs: { chart: "istiod", version: "1.30.5", name: "istiod", namespace: "istio-system", values: {} } });
        const capabilities = { kubeVersion: renderKubeVersion, apiVersions: ["monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"] };
        assert.deepEqual(templateArgs(release, "/charts/istiod-1.30.3.tgz", capabilities, "/tmp/values.json"), [
            "template", "istiod", "/charts/istiod-1.30.3.tgz", "--namespace", "istio-system", "--values", "/tmp/values.json", "--kube-version", "1.34.0",
            "--api-versions", "monitoring.coreos.com/v1", "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor", "--include-crds", "--skip-tests",
        ]);
        const bare = await helmRelease({ name: "istiod", urn, inputs: { chart: "istiod", version: "1.30.5", name: "istiod", namespace: "istio-system", skipCrds: true, disableWebhooks: true } });
        assert.deepEqual(templateArgs(bare, "c.tgz", { kubeVersion: "1.34.0", apiVersions: [] }, "v.json").slice(7), ["--kube-version", "1.34.0", "--no-hooks", "--skip-tests"]);
    });

    it("refuses what an offline render cannot reproduce", async () => {
        await assert.rejects(helmRelease({ name: "x", urn, inputs: { chart: "istiod", version: "1.30.5", postrender: "./kustomize.sh" } }), { name: "UnrenderableRelease", message: "release x sets postrender, which an offline render cannot run" });
        await assert.rejects(helmRelease({ name: "x", urn, inputs: { chart: "istiod" } }), { message: "release x pins no chart version (chart istiod)" });
    });
});

describe("a rendered manifest", () => {
    it("keeps the last of a repeated key, as Kubernetes does, and notes it", () => {
        const { objects, notes } = parseManifest("---\n# Source: x\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\ndata:\n  hsts: 'true'\n  hsts: 'false'\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ServiceAccount, metadata: { name: a } }\n");
        assert.deepEqual(objects, [
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, data: { hsts: "false" } },
            { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "a" } },
        ]);
        assert.equal(notes.length, 1);
        assert.match(notes[0]!, /^ConfigMap n\/c repeats a key \(Map keys must be unique.*\); Kubernetes keeps the last one$/);
    });
});

describe("a render whose charts the cache lacks", () => {
    it("names each release and chart in one line, with what the cache has", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-empty-cache-"));
        fs.writeFileSync(path.join(dir, "istiod-1.29.4.tgz"), "");
        const releases = await Promise.all([
            helmRelease({ name: "mesh-istiod", urn, inputs: { chart: "istiod", version: "1.30.5", name: "istiod", namespace: "istio-system" } }),
            helmRelease({ name: "edge-release", urn, inputs: { chart: "ingress-nginx", version: "4.15.1", name: "ingress-nginx", namespace: "ingress-nginx" } }),
        ]);
        await assert.rejects(renderReleases("remote", releases, { capabilities: { kubeVersion: renderKubeVersion, apiVersions: [] } }, { chartCache: { dir, from: "variable" } }), {
            name: "RenderProblems",
            lines: [
                `mesh-istiod: chart istiod 1.30.5 is not in MESH_INGRESS_CHART_CACHE = ${dir} (it has istiod 1.29.4; only an older patch of 1.30 may stand in): run npm run charts (needs the network), or set MESH_INGRESS_CHART_CACHE to a cache that has it`,
                `edge-release: chart ingress-nginx 4.15.1 is not in MESH_INGRESS_CHART_CACHE = ${dir} (it has no ingress-nginx chart; only an older patch of 4.15 may stand in): run npm run charts (needs the network), or set MESH_INGRESS_CHART_CACHE to a cache that has it`,
            ],
        });
    });
});

describe("objects deployed twice", function () {
    this.timeout(60000);

    it("are found between a release and the program, whatever the API version", async () => {
        const release = await helmRelease({ name: "edge", urn, inputs: { chart: "ingress-nginx", version: "4.15.1", name: "ingress-nginx", namespace: "ingress-nginx", values: { controller: { admissionWebhooks: { enabled: false } } } } });
        const program: RecordedResource = {
            urn: "urn:pulumi:test::mesh-ingress::kubernetes:core/v1:ConfigMap::own",
            type: "kubernetes:core/v1:ConfigMap",
            name: "own-config",
            custom: true,
            read: false,
            parent: undefined,
            provider: undefined,
            dependencies: [],
            inputs: { metadata: { name: "ingress-nginx-controller", namespace: "ingress-nginx" } },
            outputs: undefined,
            options: {},
        };
        const render = await renderReleases("test", [release], { capabilities: { kubeVersion: renderKubeVersion, apiVersions: [] }, resources: [program] });
        assert.deepEqual(render.duplicates, ["ConfigMap ingress-nginx/ingress-nginx-controller is deployed by release edge and the program's own-config"]);
    });
});
