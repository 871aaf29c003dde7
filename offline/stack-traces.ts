import * as path from "node:path";

/**
 * Cheaper stack traces for the Pulumi SDK's own bookkeeping while a program is evaluated.
 *
 * The SDK takes a stack trace for every promise it wraps (`runtime/debuggable.js`, kept only
 * for its leak report) and for every resource it registers (`resource.js`, parsed into
 * source positions). Under tsx each trace goes through source maps, and a plan spent more
 * than half of its time there. The leak report needs the text only when it is printed; the
 * source positions are sent to the engine, which the offline plan never reads. So:
 * - a trace taken in `debuggable.js` becomes a {@link DeferredStack}, formatted (with source
 *   maps) only when something prints it;
 * - a trace taken in `resource.js` is formatted the way V8 does, without source maps;
 * - every other trace (the program's own errors, the tests') is left to `original`.
 *
 * Should the SDK rename those files, the hook only stops applying: plans get slower, not wrong.
 */

/** A stack trace formatted when it is first turned into text. */
export class DeferredStack {
    private text: string | undefined;

    constructor(private readonly format: () => string) {}

    toString(): string {
        this.text ??= this.format();
        return this.text;
    }
}

type PrepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => unknown;

const sdkRuntime = `${path.sep}@pulumi${path.sep}pulumi${path.sep}runtime${path.sep}debuggable.js`;
const sdkResource = `${path.sep}@pulumi${path.sep}pulumi${path.sep}resource.js`;

/** V8's own text of a trace: the error's header, then one `    at` line per call site. */
export function plainStack(error: Error, callSites: readonly NodeJS.CallSite[]): string {
    let header: string;
    try {
        header = String(error);
    } catch {
        header = "Error";
    }
    // A CallSite's toString is V8's text of the frame (not in @types/node's CallSite).
    return [header, ...callSites.map((site) => `    at ${(site as { toString(): string }).toString()}`)].join("\n");
}

/** Wraps `original` (Node's `Error.prepareStackTrace`) as the module comment says. */
export function withPlainSdkStacks(original: PrepareStackTrace): PrepareStackTrace {
    const wrapped: PrepareStackTrace = (error, callSites) => {
        const file = callSites[0]?.getFileName() ?? "";
        if (file.endsWith(sdkRuntime)) return new DeferredStack(() => String(original(error, callSites)));
        if (file.endsWith(sdkResource)) return plainStack(error, callSites);
        return original(error, callSites);
    };
    wrappers.add(wrapped);
    return wrapped;
}

const wrappers = new WeakSet<PrepareStackTrace>();

/**
 * Runs `body` with {@link withPlainSdkStacks} installed, and puts the original back after.
 * Evaluations that overlap share the first one's hook, which the first one puts back.
 */
export async function withCheapSdkStacks<T>(body: () => Promise<T>): Promise<T> {
    // Node's formatter is a plain function of (error, callSites); it does not use `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = Error.prepareStackTrace;
    if (original === undefined || wrappers.has(original)) return body();
    Error.prepareStackTrace = withPlainSdkStacks(original);
    try {
        return await body();
    } finally {
        Error.prepareStackTrace = original;
    }
}
