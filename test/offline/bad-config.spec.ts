import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { registry } from "../../config/registry";
import { projectDir } from "../../offline/plan";
import { assertRejected, type BadCase } from "../support/bad-config";
import { tlsEdgeCases } from "./bad-config-tls-edge";

/**
 * Bad configurations: each must give the plan's exit status 2 and a one-line message
 * that names the offending key (cluster, mesh here; TLS, DNS and edge in
 * bad-config-tls-edge.ts; the Gateway API edge in bad-config-gateway-api.spec.ts).
 */


const cases: BadCase[] = [
    { stack: "primary", what: "an unknown role", overrides: { set: { role: "leader" } }, key: "role", says: /expected 'primary' or 'remote'/ },
    { stack: "primary", what: "no role", overrides: { unset: ["role"] }, key: "role", says: /is not set/ },
    { stack: "primary", what: "a cluster name that is not a DNS label", overrides: { set: { clusterName: "Cluster_1" } }, key: "clusterName", says: /expected a DNS label/ },
    { stack: "primary", what: "an empty cluster name", overrides: { set: { clusterName: "" } }, key: "clusterName", says: /expected a DNS label/ },
    { stack: "primary", what: "a cluster name longer than 63 characters", overrides: { set: { clusterName: "c".repeat(64) } }, key: "clusterName", says: /expected a DNS label/ },
    { stack: "primary", what: "a network with a space", overrides: { set: { network: "net work" } }, key: "network", says: /expected a DNS label/ },
    { stack: "primary", what: "a mesh id with a dot", overrides: { set: { meshId: "mesh.1" } }, key: "meshId", says: /expected a DNS label/ },
    { stack: "primary", what: "no mesh id on the primary", overrides: { unset: ["meshId"] }, key: "meshId", says: /is not set: the primary defines the mesh/ },
    { stack: "primary", what: "neither kubeconfig nor kubeContext", overrides: { unset: ["kubeContext"] }, key: "kubeconfig", says: /pulumi config set --secret kubeconfig/ },
    { stack: "primary", what: "a kubeconfig in plain text", overrides: { unset: ["kubeContext"], set: { kubeconfig: "apiVersion: v1" } }, key: "kubeconfig", says: /expected a secret/ },
    { stack: "primary", what: "both kubeconfig and kubeContext", overrides: { set: { kubeconfig: "apiVersion: v1" }, secret: ["kubeconfig"] }, key: "kubeContext", says: /expected to be empty when kubeconfig is set/ },
    { stack: "primary", what: "an AWS region that does not exist in that form", overrides: { set: { awsRegion: "useast1" } }, key: "awsRegion", says: /expected an AWS region/ },
    { stack: "primary", what: "remoteStacks as a single string", overrides: { set: { remoteStacks: "acme/mesh-ingress/remote" } }, key: "remoteStacks", says: /expected a list/ },
    { stack: "primary", what: "a remote stack that is not fully qualified", overrides: { set: { remoteStacks: ["remote"] } }, key: "remoteStacks[0]", says: /expected a fully qualified stack name/ },
    { stack: "primary", what: "a remote stack listed twice", overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote", "acme/mesh-ingress/remote"] } }, key: "remoteStacks[1]", says: /listed once/ },
    { stack: "primary", what: "a remote stack of another project", overrides: { set: { remoteStacks: ["acme/other/remote"] } }, key: "remoteStacks[0]", says: /a stack of this project \('mesh-ingress'\)/ },
    { stack: "primary", what: "clusterDisposable that is not a boolean", overrides: { set: { clusterDisposable: "yes" } }, key: "clusterDisposable", says: /expected true or false/ },
    { stack: "primary", what: "the primary listed as its own remote", overrides: { set: { remoteStacks: ["acme/mesh-ingress/primary"] } }, key: "remoteStacks[0]", says: /cannot be its own remote/ },
    { stack: "primary", what: "a primaryStack on the primary", overrides: { set: { primaryStack: "acme/mesh-ingress/primary" } }, key: "primaryStack", says: /expected to be empty on the primary/ },
    { stack: "primary", what: "a boolean that is not true or false", overrides: { set: { monitoringEnabled: "yes" } }, key: "monitoringEnabled", says: /expected true or false/ },
    { stack: "primary", what: "a misspelt key", overrides: { set: { clusterNme: "cluster1" } }, key: "clusterNme", says: /unknown setting; did you mean 'clusterName'\?/ },
    { stack: "primary", what: "a remote whose cluster name is the primary's", overrides: { set: { clusterName: "cluster2", network: "network9" } }, key: "remoteStacks[0]", says: /clusterName differs from the primary's/ },
    { stack: "remote", what: "no primaryStack on a remote", overrides: { unset: ["primaryStack"] }, key: "primaryStack", says: /is not set: a remote reads the primary's outputs/ },
    { stack: "remote", what: "a primaryStack that is not fully qualified", overrides: { set: { primaryStack: "primary" } }, key: "primaryStack", says: /expected a fully qualified stack name/ },
    { stack: "remote", what: "a primaryStack of another project", overrides: { set: { primaryStack: "acme/other/primary" } }, key: "primaryStack", says: /a stack of this project/ },
    { stack: "remote", what: "a mesh id on a remote", overrides: { set: { meshId: "mesh1" } }, key: "meshId", says: /read from the primary stack/ },
    { stack: "remote", what: "remote stacks listed on a remote", overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote-b"] } }, key: "remoteStacks", says: /only the primary controls remote clusters/ },
    { stack: "remote", what: "the primary's cluster name on a remote", overrides: { set: { clusterName: "cluster1" } }, key: "clusterName", says: /expected a name other than the primary's \('cluster1'/ },
    { stack: "remote", what: "the primary's network on a remote", overrides: { set: { network: "network1" } }, key: "network", says: /expected a network other than the primary's/ },
    // Mesh (Istio)
    { stack: "primary", what: "fewer than 3 istiod replicas on the primary", overrides: { set: { istiodReplicas: 2, istiodPdbMinAvailable: 1 } }, key: "istiodReplicas", says: /expected at least 3 on the primary/ },
    { stack: "primary", what: "a PDB minAvailable equal to the istiod replicas", overrides: { set: { istiodPdbMinAvailable: 3 } }, key: "istiodPdbMinAvailable", says: /expected fewer than istiodReplicas \(3\)/ },
    { stack: "primary", what: "a PDB minAvailable of 0", overrides: { set: { istiodPdbMinAvailable: 0 } }, key: "istiodPdbMinAvailable", says: /expected an integer from 1 to 14/ },
    { stack: "primary", what: "an Istio version range", overrides: { set: { istioVersion: "~1.30" } }, key: "istioVersion", says: /expected an exact version/ },
    { stack: "primary", what: "an Istio version 'latest'", overrides: { set: { istioVersion: "latest" } }, key: "istioVersion", says: /expected an exact version/ },
    { stack: "primary", what: "an Istio chart repository over plain http", overrides: { set: { istioChartRepository: "http://charts.example.com" } }, key: "istioChartRepository", says: /expected an https:\/\/ chart repository/ },
    { stack: "primary", what: "istiod requests above their limits", overrides: { set: { istiodCpuRequest: "4" } }, key: "istiodCpuRequest", says: /expected at most the limit istiodCpuLimit \(2\)/ },
    { stack: "primary", what: "an istiod memory request that is not a quantity", overrides: { set: { istiodMemoryRequest: "2GB" } }, key: "istiodMemoryRequest", says: /expected a memory quantity such as 512Mi or 2Gi/ },
    { stack: "primary", what: "one east-west gateway replica", overrides: { set: { eastWestGatewayReplicas: 1 } }, key: "eastWestGatewayReplicas", says: /expected an integer from 2 to 50/ },
    { stack: "primary", what: "an east-west maximum below the minimum", overrides: { set: { eastWestGatewayReplicas: 4, eastWestGatewayMaxReplicas: 3 } }, key: "eastWestGatewayMaxReplicas", says: /expected at least eastWestGatewayReplicas \(4\)/ },
    { stack: "primary", what: "an unknown externalTrafficPolicy", overrides: { set: { eastWestGatewayExternalTrafficPolicy: "local" } }, key: "eastWestGatewayExternalTrafficPolicy", says: /expected 'Local' or 'Cluster'/ },
    { stack: "primary", what: "a source range with host bits set", overrides: { set: { eastWestGatewaySourceRanges: ["10.0.0.1/8"] } }, key: "eastWestGatewaySourceRanges[0]", says: /expected the canonical CIDR block 10\.0\.0\.0\/8 \(no address bits beyond the prefix\)/ },
    { stack: "primary", what: "an istiod custom host that is not a DNS name", overrides: { set: { istiodCustomHosts: ["istiod"] } }, key: "istiodCustomHosts[0]", says: /expected a lowercase DNS name/ },
    { stack: "primary", what: "half a plug-in CA", overrides: { set: { istioCaCert: "C", istioCaKey: "K" }, secret: ["istioCaCert", "istioCaKey"] }, key: "istioCaRootCert", says: /a plug-in CA needs all four/ },
    { stack: "remote", what: "a reader token generation below 1", overrides: { set: { istioReaderTokenGeneration: 0 } }, key: "istioReaderTokenGeneration", says: /= 0: expected at least 1/ },
    { stack: "primary", what: "a plug-in CA key in plain text", overrides: { set: { istioCaKey: "K" } }, key: "istioCaKey", says: /expected a secret/ },
    { stack: "primary", what: "an injection URL on the primary", overrides: { set: { istioInjectionUrl: "https://istiod.example.com:15017/inject" } }, key: "istioInjectionUrl", says: /expected to be empty on the primary/ },
    { stack: "primary", what: "a remote API server on the primary", overrides: { set: { remoteApiServer: "https://k.example.com" } }, key: "remoteApiServer", says: /expected to be empty on the primary/ },
    { stack: "primary", what: "two remote stacks of the same name (in two organizations)", overrides: { set: { remoteStacks: ["acme/mesh-ingress/remote", "other/mesh-ingress/remote"] } }, key: "remoteStacks[1]", says: /expected a stack name no other remote has \('remote' is also acme\/mesh-ingress\/remote\)/ },
    { stack: "remote", what: "a plug-in CA on a remote", overrides: { set: { istioCaCert: "C" }, secret: ["istioCaCert"] }, key: "istioCaCert", says: /the primary's istiod is the mesh's only CA/ },
    { stack: "remote", what: "istiod custom hosts on a remote", overrides: { set: { istiodCustomHosts: ["istiod.example.com"] } }, key: "istiodCustomHosts", says: /istiod runs on the primary/ },
    { stack: "remote", what: "an injection URL that is not https", overrides: { set: { istioInjectionUrl: "http://istiod.example.com/inject" } }, key: "istioInjectionUrl", says: /expected an https:\/\/ URL/ },
    { stack: "remote", what: "an injection URL with injection by path", overrides: { set: { istioRemoteInjection: "path", istioInjectionUrl: "https://istiod.example.com:15017/inject" } }, key: "istioInjectionUrl", says: /expected to be empty when istioRemoteInjection is 'path'/ },
    { stack: "remote", what: "an unknown injection mode", overrides: { set: { istioRemoteInjection: "dns" } }, key: "istioRemoteInjection", says: /expected 'auto', 'path' or 'url'/ },
    { stack: "remote", what: "CA data that is not base64 PEM", overrides: { set: { remoteApiServerCaData: "not-base64!" } }, key: "remoteApiServerCaData", says: /expected base64-encoded PEM certificates/ },
    { stack: "remote", what: "an API server over plain http", overrides: { set: { remoteApiServer: "http://k.example.com" } }, key: "remoteApiServer", says: /expected an https:\/\/ API server URL/ },
    { stack: "remote", what: "an Istio version two minor versions behind the primary's", overrides: { set: { istioVersion: "1.28.4" } }, key: "istioVersion", says: /expected the primary's Istio version \('1\.30\.5' in acme\/mesh-ingress\/primary\) or one minor version behind it \(1\.29\.x\)/ },
    // TLS, DNS and edge (test/offline/bad-config-tls-edge.ts)
    ...tlsEdgeCases,
];

describe("bad configurations", () => {
    it(`has at least 20 distinct cases (${cases.length})`, () => {
        assert.ok(cases.length >= 20);
        assert.equal(new Set(cases.map((c) => c.what)).size, cases.length);
    });

    for (const c of cases) {
        it(`${c.stack}: ${c.what} -> exit 2 naming ${c.key}`, async () => {
            await assertRejected(c);
        });
    }

    for (const stack of ["primary", "remote"]) {
        const config = (parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
        for (const fullKey of Object.keys(config).filter((k) => k.startsWith("mesh-ingress:"))) {
            const key = fullKey.slice("mesh-ingress:".length);
            const spec = (registry as Record<string, { type: string } | undefined>)[key];
            it(`${stack}: ${key} set to a value of the wrong type -> exit 2 naming it`, async () => {
                assert.ok(spec, `${key} is declared`);
                const wrong = spec.type === "object" ? "not-a-mapping" : { wrong: "type" };
                await assertRejected({ stack: stack as BadCase["stack"], what: "a wrong type", overrides: { set: { [key]: wrong } }, key });
            });
        }
    }
});
