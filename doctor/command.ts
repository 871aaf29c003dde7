import * as fs from "node:fs";
import { isIP } from "node:net";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { CommandOutput } from "../offline/cli/command";
import { projectDir, stackFilePath } from "../offline/stack-files";
import { parseConnectTo, type ConnectTo } from "./probes";
import type * as ReportModule from "./report";
import type * as RunModule from "./run";

/**
 * The doctor's command line (doctor/cli.ts runs it as `npm run doctor`):
 *
 * npm run doctor -- --stack NAME [--config FILE] [--json] [--no-probes] [--resolver IP[:PORT]]...
 *     [--connect-to HOST1:PORT1:HOST2:PORT2]... [--ca FILE]... [--no-backend] [--timeout SECONDS] [--only mesh,tls,edge]
 *
 * The article's checklist and troubleshooting, run against the stack's cluster. Exit
 * status: 0 every check ran and none failed (warnings do not fail); 1 a check failed or
 * could not run; 2 bad usage, an invalid stack file, or a cluster that cannot be used
 * (one line on stderr); 3 a bug (the stack trace is printed).
 */
const usage =
    "usage: npm run doctor -- --stack NAME [--config FILE] [--json] [--no-probes] [--resolver IP[:PORT]]... [--connect-to HOST1:PORT1:HOST2:PORT2]... [--ca FILE]... [--no-backend] [--timeout SECONDS] [--only mesh,tls,edge]";

/** Where the command writes. */
export type { CommandOutput };

/** The command, given its arguments: writes its report or its one-line complaint and returns the exit status. */
export async function doctorCommand(args: readonly string[], out: CommandOutput): Promise<number> {
    const fail = (message: string): number => {
        out.stderr(`${message}\n${usage}\n`);
        return 2;
    };
    let values;
    try {
        ({ values } = parseArgs({
            args: [...args],
            options: {
                stack: { type: "string" },
                config: { type: "string" },
                json: { type: "boolean", default: false },
                "no-probes": { type: "boolean", default: false },
                resolver: { type: "string", multiple: true, default: [] },
                "connect-to": { type: "string", multiple: true, default: [] },
                ca: { type: "string", multiple: true, default: [] },
                "no-backend": { type: "boolean", default: false },
                timeout: { type: "string" },
                only: { type: "string" },
                help: { type: "boolean", default: false },
            },
            strict: true,
        }));
    } catch (e) {
        return fail((e as Error).message);
    }
    if (values.help) {
        out.stdout(`${usage}\n`);
        return 0;
    }
    if (values.stack === undefined || values.stack === "") return fail("--stack is required");
    if (values["no-probes"] && (values.resolver.length > 0 || values["connect-to"].length > 0 || values.ca.length > 0)) {
        return fail("--resolver, --connect-to and --ca set up the probes, which --no-probes turns off: choose one");
    }
    for (const r of values.resolver) {
        const host = /^\[(.*)\](?::\d+)?$/.exec(r)?.[1] ?? r.replace(/:\d+$/, "");
        if (isIP(host) === 0) return fail(`--resolver ${r}: expected an IP address, optionally with :PORT`);
    }
    const connectTo: ConnectTo[] = [];
    for (const c of values["connect-to"]) {
        const parsed = parseConnectTo(c);
        if (parsed === undefined) return fail(`--connect-to ${c}: expected HOST1:PORT1:HOST2:PORT2 (as curl; empty parts match any, or keep)`);
        connectTo.push(parsed);
    }
    const ca: string[] = [];
    for (const file of values.ca) {
        let pem: string;
        try {
            pem = fs.readFileSync(file, "utf8");
        } catch {
            return fail(`--ca ${file}: cannot be read`);
        }
        if (!pem.includes("-----BEGIN CERTIFICATE-----")) return fail(`--ca ${file}: expected PEM certificates`);
        ca.push(pem);
    }
    let timeoutMs = 15000;
    if (values.timeout !== undefined) {
        if (!/^\d+$/.test(values.timeout) || Number(values.timeout) < 1) return fail(`--timeout ${values.timeout}: expected a whole number of seconds, at least 1`);
        timeoutMs = Number(values.timeout) * 1000;
    }
    let only: ("mesh" | "tls" | "edge")[] | undefined;
    if (values.only !== undefined) {
        const areas = values.only.split(",").map((a) => a.trim());
        const bad = areas.filter((a) => !["mesh", "tls", "edge"].includes(a));
        if (bad.length > 0 || areas.length === 0) return fail(`--only ${values.only}: expected a comma-separated list of mesh, tls, edge`);
        only = areas as ("mesh" | "tls" | "edge")[];
    }
    const stackFile = values.config !== undefined ? path.resolve(values.config) : stackFilePath(projectDir, values.stack.split("/").pop() ?? values.stack);
    if (!fs.existsSync(stackFile)) {
        out.stderr(`${stackFile}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)\n`);
        return 2;
    }
    // Mistakes in the arguments are answered before the Pulumi SDK and the client library load.
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily, see above */
    const { doctor } = require("./run") as typeof RunModule;
    const { renderText } = require("./report") as typeof ReportModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const outcome = await doctor({
        stack: values.stack,
        ...(values.config !== undefined ? { configFile: values.config } : {}),
        probes: !values["no-probes"],
        probeOptions: { resolvers: values.resolver, connectTo, ca },
        backend: { disabled: values["no-backend"] },
        timeoutMs,
        ...(only !== undefined ? { only } : {}),
    });
    if (outcome.kind === "unusable") {
        for (const line of outcome.lines) out.stderr(`${line}\n`);
        return 2;
    }
    out.stdout(values.json ? `${JSON.stringify(outcome.report, null, 2)}\n` : renderText(outcome.report));
    return outcome.report.exitStatus;
}

