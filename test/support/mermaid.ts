/**
 * Mermaid's own parser, to check generated charts the way a renderer reads them. Mermaid
 * expects a browser: it is loaded under a jsdom window that is installed as a global only
 * while Mermaid loads and parses, so that no other test sees a `window`.
 */

interface MermaidApi {
    initialize(config: Record<string, unknown>): void;
    parse(text: string): Promise<unknown>;
}

let loaded: Promise<MermaidApi> | undefined;
let browser: { window: unknown; document: unknown } | undefined;

async function withBrowserGlobals<T>(run: () => Promise<T>): Promise<T> {
    if (browser === undefined) {
        const { JSDOM } = await import("jsdom");
        const dom = new JSDOM("<!doctype html><html><body></body></html>");
        browser = { window: dom.window, document: dom.window.document };
    }
    const g = globalThis as Record<string, unknown>;
    const saved = { window: g["window"], document: g["document"] };
    g["window"] = browser.window;
    g["document"] = browser.document;
    try {
        return await run();
    } finally {
        if (saved.window === undefined) delete g["window"];
        else g["window"] = saved.window;
        if (saved.document === undefined) delete g["document"];
        else g["document"] = saved.document;
    }
}

/** Parses a chart with Mermaid; resolves when it is valid, rejects with Mermaid's message otherwise. */
export function parseMermaid(text: string): Promise<unknown> {
    return withBrowserGlobals(async () => {
        loaded ??= import("mermaid").then((m: { default: MermaidApi }) => {
            m.default.initialize({ startOnLoad: false });
            return m.default;
        });
        const mermaid = await loaded;
        return mermaid.parse(text);
    });
}
