import * as fs from "node:fs";
import * as path from "node:path";
import { projectDir, stackFilePath } from "../stack-files";
import { commandArguments, type CommandOutput } from "./command";
import type * as CacheModule from "../charts/cache";
import type * as DocumentModule from "../charts/document";
import type * as StackModule from "../charts/stack";

/**
 * npm run render -- --stack <name> [--config FILE] [--out DIR | --json]
 *
 * Renders every Helm release of the stack with Helm and the release's chart (from the chart
 * cache: MESH_INGRESS_CHART_CACHE, else node_modules/.cache/mesh-ingress/charts, filled by
 * `npm run charts`), with the values `pulumi up` would pass. Prints the objects as YAML
 * (each release under a comment naming its chart), or writes one file per release into
 * DIR, or prints one JSON document.
 *
 * Exit status: 0 rendered; 2 a usage or configuration problem (one line each: a bad
 * argument, an invalid stack file, no Helm, a chart missing from the cache); 3 a bug (the
 * program failed, or a chart refused the values the program built).
 */
const usage = "usage: npm run render -- --stack <name> [--config Pulumi.<stack>.yaml] [--out DIR | --json]";

export async function renderCommand(args: readonly string[], out: CommandOutput): Promise<number> {
    const parsed = commandArguments(
        args,
        {
            stack: { type: "string" },
            config: { type: "string" },
            out: { type: "string" },
            json: { type: "boolean", default: false },
        },
        usage,
        out,
    );
    if (typeof parsed === "number") return parsed;
    const { values } = parsed;
    if (!values.stack) {
        out.stderr(`--stack is required\n${usage}\n`);
        return 2;
    }
    if (values.json && values.out !== undefined) {
        out.stderr(`--json prints one document and --out writes files: choose one\n${usage}\n`);
        return 2;
    }
    const stackFile = values.config ? path.resolve(values.config) : stackFilePath(projectDir, values.stack);
    if (!fs.existsSync(stackFile)) {
        out.stderr(`${stackFile}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)\n`);
        return 2;
    }
    if (values.out !== undefined && fs.existsSync(values.out) && !fs.statSync(values.out).isDirectory()) {
        out.stderr(`--out ${values.out}: expected a folder (it is a file)\n`);
        return 2;
    }
    // Mistakes in the arguments and a chart cache that does not exist are answered before the Pulumi SDK and the program load.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { chartCache, ChartCacheError } = require("../charts/cache") as typeof CacheModule;
    try {
        chartCache();
    } catch (e) {
        if (!(e instanceof ChartCacheError)) throw e;
        out.stderr(`${e.message}\n`);
        return 2;
    }
    const { renderStack } = require("../charts/stack") as typeof StackModule;
    const { releaseYaml, renderDocument, substitutionNote, writeReleaseFiles } = require("../charts/document") as typeof DocumentModule;
    /* eslint-enable @typescript-eslint/no-require-imports */

    const outcome = await renderStack({ stack: values.stack, ...(values.config ? { configFile: values.config } : {}) });
    if (outcome.kind === "invalid") {
        for (const line of outcome.lines) out.stderr(`${line}\n`);
        return 2;
    }
    if (outcome.kind === "failed") {
        out.stderr(`The render failed (this is a bug, not a configuration problem):\n${outcome.error.stack ?? outcome.error.message}\n`);
        return 3;
    }
    const render = outcome.render;
    for (const r of render.releases) {
        const note = substitutionNote(r);
        if (note) out.stderr(`note: ${note}\n`);
    }
    for (const d of render.duplicates) out.stderr(`warning: ${d}\n`);

    if (values.json) {
        out.stdout(`${JSON.stringify(renderDocument(render), null, 2)}\n`);
        return 0;
    }
    if (values.out !== undefined) {
        try {
            for (const line of writeReleaseFiles(render, values.out)) out.stdout(`${line}\n`);
        } catch (e) {
            out.stderr(`--out ${values.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
            return 2;
        }
        return 0;
    }
    out.stdout(render.releases.map((r) => releaseYaml(render, r)).join(""));
    return 0;
}
