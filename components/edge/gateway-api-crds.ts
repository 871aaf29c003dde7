import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { crdManifestOptions, type Disposable } from "../lifecycle";

/**
 * The standard-channel manifest of a Gateway API release, as kubernetes-sigs/gateway-api
 * publishes it with every release (`standard-install.yaml`: the CRDs of Gateway,
 * GatewayClass, HTTPRoute, GRPCRoute, ReferenceGrant, TLSRoute, ListenerSet and
 * BackendTLSPolicy, and since v1.5 the `safe-upgrades.gateway.networking.k8s.io`
 * ValidatingAdmissionPolicy that refuses experimental CRDs over standard ones and
 * downgrades below 1.5).
 */
export function standardInstallUrl(version: string): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/**
 * Where a checked manifest comes from: given its URL and expected SHA-256, the text to
 * apply. The program downloads it ({@link downloadVerified}); the offline plan, which has no
 * network, installs its own answer (offline/computed.ts), as its mocks answer resources.
 */
export type ManifestSource = (url: string, sha256: string) => Promise<string>;

/** Downloads a URL over https (redirects followed, each over https) and returns its bytes. */
export async function httpsDownload(url: string): Promise<Uint8Array> {
    if (!url.startsWith("https://")) throw new pulumi.RunError(`Refusing to download ${url}: only https:// URLs are fetched.`);
    const response = await fetch(url, { redirect: "follow" });
    if (!response.url.startsWith("https://")) throw new pulumi.RunError(`Refusing ${url}: it redirected to ${response.url}, which is not https.`);
    if (!response.ok) throw new pulumi.RunError(`Downloading ${url} failed: HTTP ${response.status}.`);
    return new Uint8Array(await response.arrayBuffer());
}

/**
 * Downloads a manifest and returns it only if its SHA-256 is `sha256`: the bytes applied are
 * the bytes checked (the provider never downloads the URL itself).
 */
export async function downloadVerified(url: string, sha256: string, download: (url: string) => Promise<Uint8Array> = httpsDownload): Promise<string> {
    const bytes = await download(url);
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== sha256) {
        throw new pulumi.RunError(
            `gatewayApiCrdsSha256 = ${JSON.stringify(sha256)}: expected the SHA-256 of ${url}, which is ${actual}; nothing was applied. Check the release (a manifest that changed under its URL is not the one you reviewed), then set the digest you trust.`,
        );
    }
    return new TextDecoder().decode(bytes);
}

let manifestSource: ManifestSource = (url, sha256) => downloadVerified(url, sha256);

/** Replaces where checked manifests come from (the offline plan's answer); returns the previous source. */
export function setManifestSource(source: ManifestSource): ManifestSource {
    const previous = manifestSource;
    manifestSource = source;
    return previous;
}

/** Arguments of {@link GatewayApiCrds}. */
export interface GatewayApiCrdsArgs extends Disposable {
    /** The Gateway API release (`v1.5.1`), the one the Istio version is built against. */
    readonly version: string;
    /** The SHA-256 the release's `standard-install.yaml` must have (`gatewayApiCrdsSha256`). */
    readonly sha256: string;
}

/**
 * The Gateway API CRDs (standard channel) of one cluster, from the release's pinned
 * manifest: the program downloads it when `pulumi preview` or `pulumi up` runs, refuses it
 * unless its SHA-256 is the configured one, and applies exactly those bytes (an offline plan
 * shows what it would check). They are retained when the stack stops using them:
 * deleting a CRD deletes every object of its kind in the cluster, including other teams'
 * (the Gateway API's CRD management guide: implementations must never remove the CRDs).
 * istiod and cert-manager depend on this component, because both read the CRDs when they
 * start (cert-manager's controller fails to start without them once its Gateway API
 * support is on).
 */
export class GatewayApiCrds extends pulumi.ComponentResource {
    /** The manifest the provider applies. */
    public readonly manifest: k8s.yaml.v2.ConfigGroup;

    constructor(name: string, args: GatewayApiCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesh-ingress:edge:GatewayApiCrds", name, {}, opts);
        const url = standardInstallUrl(args.version);
        const yaml = pulumi.output(manifestSource(url, args.sha256));
        this.manifest = new k8s.yaml.v2.ConfigGroup(`${name}-standard`, { yaml }, {
            parent: this,
            ...crdManifestOptions(args),
            // Until this release the manifest was a ConfigFile the provider downloaded unchecked.
            aliases: [{ type: "kubernetes:yaml/v2:ConfigFile" }],
        });
        this.registerOutputs({ version: args.version, manifest: url, sha256: args.sha256 });
    }
}
