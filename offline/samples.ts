import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { SampleLookup, StackSample } from "./engine";

/**
 * Sample outputs of the mesh's stacks, answered to stack references in the offline
 * plan: what a deployed stack would export, with placeholder credentials. Each file in
 * offline/samples names its stack and lists which outputs are secrets.
 */

/** The folder of the sample files shipped with the project. */
export const samplesDir = path.join(__dirname, "samples");

/** Reads one sample file. */
export function readSample(file: string): { stack: string; sample: StackSample } {
    const doc = parse(fs.readFileSync(file, "utf8")) as { stack?: unknown; outputs?: unknown; secretOutputNames?: unknown };
    if (typeof doc.stack !== "string" || typeof doc.outputs !== "object" || doc.outputs === null) {
        throw new Error(`${file}: expected 'stack' (a fully qualified stack name) and 'outputs' (a mapping)`);
    }
    const secretOutputNames = Array.isArray(doc.secretOutputNames) ? doc.secretOutputNames.map(String) : [];
    return {
        stack: doc.stack,
        sample: { outputs: doc.outputs as Record<string, unknown>, secretOutputNames, source: path.relative(process.cwd(), file) || file },
    };
}

/** Every sample in `dir`, by the stack it stands for. */
export function readSamples(dir: string = samplesDir): Map<string, StackSample> {
    const samples = new Map<string, StackSample>();
    for (const entry of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
        const { stack, sample } = readSample(path.join(dir, entry));
        samples.set(stack, sample);
    }
    return samples;
}

/**
 * Looks up the sample for a referenced stack: its exact name first, then a sample of
 * the same project and short stack name (so `myorg/mesh-ingress/primary` is answered by
 * the shipped `acme/mesh-ingress/primary` sample).
 */
export function sampleLookup(samples: ReadonlyMap<string, StackSample>): SampleLookup {
    const withoutOrganization = (name: string): string => name.split("/").slice(1).join("/");
    const byProjectAndStack = new Map<string, StackSample>();
    for (const [name, sample] of samples) byProjectAndStack.set(withoutOrganization(name), sample);
    return { get: (name) => samples.get(name) ?? byProjectAndStack.get(withoutOrganization(name)) };
}

/**
 * The shipped remote sample as another deployed remote would export it: its own cluster
 * name and network, its own API server and token, and its own domain
 * (`<cluster>.example.com`, issued and served by it alone), so that a primary accepts any
 * number of them side by side (it refuses remotes that share a cluster, or an identifier set).
 */
export function anotherRemote(base: StackSample, cluster: string, network: string, source: string): StackSample {
    const domain = `${cluster}.example.com`;
    return {
        ...base,
        outputs: {
            ...base.outputs,
            clusterName: cluster,
            network,
            apiServer: `https://${domain}`,
            readerToken: `token-of-${cluster}`,
            tlsIdentifierSets: [{ name: `${cluster}-example-com`, dnsNames: [domain] }],
            servedDomains: [{ host: domain, routing: "simple" }],
        },
        source,
    };
}
