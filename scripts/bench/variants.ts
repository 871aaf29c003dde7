import type { SampleLookup, StackSample } from "../../offline/engine";
import { anotherRemote, readSamples, sampleLookup } from "../../offline/samples";
import { projectDir, readProjectFile, readStackConfiguration, stackFilePath, type ConfigOverrides } from "../../offline/stack-files";
import type { EdgeHost } from "../../config/settings/edge";

/**
 * What the benchmark measures: the default stacks and variants of them scaled along an
 * axis (remotes the primary controls, edge hosts it serves).
 */

/** One configuration to measure. */
export interface BenchVariant {
    /** Short id, for `--only`. */
    readonly id: string;
    /** What it is, for the table. */
    readonly title: string;
    /** The stack file it starts from. */
    readonly stack: string;
    /** Changes to the stack's configuration. */
    readonly overrides?: ConfigOverrides;
    /** Outputs of referenced stacks, where the shipped samples do not answer them. */
    readonly samples?: () => SampleLookup;
    /** Where the variant sits on each scale it belongs to, to see how time grows along it. */
    readonly scales?: readonly Scale[];
}

/** A point on a scale: the variant's size along one axis (remotes, edge hosts). */
export interface Scale {
    readonly axis: string;
    readonly n: number;
}

const remoteSampleName = "acme/mesh-ingress/remote";

/** The fully qualified names of `n` remote stacks. */
export function remoteStackNames(n: number): string[] {
    return Array.from({ length: n }, (_, i) => `acme/mesh-ingress/remote-${String(i + 1).padStart(2, "0")}`);
}

/**
 * Answers the shipped samples, and each of the given remote stacks with the shipped
 * remote's outputs under its own cluster name and network (the primary refuses remotes
 * that share either), so the primary sees them all deployed.
 */
export function lookupWithRemotes(names: readonly string[]): SampleLookup {
    const shipped = readSamples();
    const base = sampleLookup(shipped);
    const remote = shipped.get(remoteSampleName);
    if (remote === undefined) throw new Error(`no shipped sample for ${remoteSampleName} in offline/samples`);
    const generated = new Map<string, StackSample>(
        names.map((name, i) => {
            const n = String(i + 1).padStart(2, "0");
            return [name, anotherRemote(remote, `remote-${n}`, `network-r${n}`, `bench: ${remote.source} as ${name}`)];
        }),
    );
    return { get: (name) => generated.get(name) ?? base.get(name) };
}

/** The primary stack controlling `n` deployed remotes. */
export function primaryWithRemotes(n: number): BenchVariant {
    const names = remoteStackNames(n);
    return {
        id: `primary-${n}-remotes`,
        title: `primary, ${n} remotes`,
        stack: "primary",
        overrides: { set: { remoteStacks: names } },
        samples: () => lookupWithRemotes(names),
        scales: [{ axis: "remotes", n }],
    };
}

/** The edge hosts of a stack file, and the hosted zone they live in. */
function stackEdge(stack: string): { hosts: EdgeHost[]; zone: string } {
    const project = readProjectFile(projectDir);
    const values = readStackConfiguration(project, stackFilePath(projectDir, stack)).values;
    const read = (key: string): string => values[`${project.name}:${key}`] ?? "";
    return { hosts: JSON.parse(read("edgeHosts") || "[]") as EdgeHost[], zone: read("dnsHostedZoneName") };
}

/**
 * `count` generated hosts for the edge, in the zone `zone`: distinct one-label names
 * (`svc-001.<zone>`, ...), so the stack's wildcard certificate (`*.<zone>`) covers each of
 * them, ten to a namespace, in turn shaped like the default primary's four hosts (one
 * public path; a public path and static assets with their own profile and response
 * headers; two versioned API paths; an allowlisted host with WAF and tighter limits on
 * `/api` and `/upload`). They use only the default primary's security profiles.
 */
export function generatedHosts(count: number, zone: string): EdgeHost[] {
    return Array.from({ length: count }, (_, i) => {
        const id = String(i + 1).padStart(3, "0");
        const host = `svc-${id}.${zone}`;
        const namespace = `team-${String(Math.floor(i / 10) + 1).padStart(2, "0")}`;
        const service = `svc-${id}`;
        switch (i % 4) {
            case 0:
                return { host, namespace, profile: "public", paths: [{ path: "/", service, port: 80 }] };
            case 1:
                return {
                    host,
                    namespace,
                    profile: "public",
                    paths: [
                        { path: "/", service, port: 80 },
                        { path: "/static", service, port: 80, profile: "static-assets", responseHeaders: { "Cache-Control": "public, max-age=31536000, immutable" } },
                    ],
                };
            case 2:
                return {
                    host,
                    namespace,
                    profile: "public",
                    paths: [
                        { path: "/v1", service: `${service}-v1`, port: 80 },
                        { path: "/v2", service: `${service}-v2`, port: 80 },
                    ],
                };
            default:
                return {
                    host,
                    namespace,
                    profile: "internal",
                    paths: [
                        { path: "/", service, port: 80 },
                        { path: "/api", service, port: 80, profile: "api" },
                        { path: "/upload", service, port: 80, profile: "upload" },
                    ],
                };
        }
    });
}

/**
 * The primary stack serving `n` edge hosts in all: its own hosts (from its stack file)
 * and generated ones up to `n`. Everything else (its remote, certificates, profiles) is
 * the default stack's.
 */
export function primaryWithHosts(n: number): BenchVariant {
    const { hosts, zone } = stackEdge("primary");
    if (n < hosts.length) throw new Error(`the primary already serves ${hosts.length} hosts; a variant with ${n} would drop some`);
    return {
        id: `primary-${n}-hosts`,
        title: `primary, ${n} edge hosts`,
        stack: "primary",
        overrides: { set: { edgeHosts: [...hosts, ...generatedHosts(n - hosts.length, zone)] } },
        scales: [{ axis: "edge hosts", n }],
    };
}

/** The number of edge hosts the default primary stack serves (the first point of that scale). */
export const defaultPrimaryHosts = stackEdge("primary").hosts.length;

/**
 * The variants, in the order of the table. To add a scale, add its points here (a
 * function like {@link primaryWithHosts} that changes the default stack's configuration),
 * with the default stack as the axis's first point; a scale with three points or more
 * gets a line fitted through it.
 */
export const variants: readonly BenchVariant[] = [
    {
        id: "primary",
        title: `primary (default: 1 remote, ${defaultPrimaryHosts} edge hosts)`,
        stack: "primary",
        scales: [
            { axis: "remotes", n: 1 },
            { axis: "edge hosts", n: defaultPrimaryHosts },
        ],
    },
    { id: "remote", title: "remote (default)", stack: "remote" },
    primaryWithRemotes(10),
    primaryWithRemotes(20),
    primaryWithRemotes(40),
    primaryWithRemotes(80),
    primaryWithHosts(50),
    primaryWithHosts(100),
    primaryWithHosts(200),
];
