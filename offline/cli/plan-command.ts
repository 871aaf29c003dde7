import * as fs from "node:fs";
import * as path from "node:path";
import { projectDir, stackFilePath } from "../stack-files";
import { commandArguments, type CommandOutput } from "./command";
import type * as PlanModule from "../plan";
import type * as GraphModule from "../graph";
import type * as RenderModule from "../render";
import type * as JudgeModule from "../judge";

/**
 * npm run plan -- --stack <name> [--config FILE] [--json | --graph [--components]] [--up] [--render] [--policy-config FILE]
 *
 * `--graph` prints the resource graph as a Mermaid flowchart (components as subgraphs,
 * dependencies as arrows); `--components` draws each component as one node. `--render`
 * renders every Helm release with its chart (see `npm run render`) and adds the objects
 * under their release, where the policy pack judges them too.
 *
 * Exit status: 0 planned with no mandatory policy violation; 1 a mandatory policy
 * fails; 2 the configuration is invalid (one line per problem on stderr); 3 the program
 * itself failed (a bug: the stack trace is printed).
 */
const usage = "usage: npm run plan -- --stack <name> [--config Pulumi.<stack>.yaml] [--json | --graph [--components]] [--up] [--render] [--policy-config FILE]";

export async function planCommand(args: readonly string[], out: CommandOutput): Promise<number> {
    const parsed = commandArguments(
        args,
        {
            stack: { type: "string" },
            config: { type: "string" },
            json: { type: "boolean", default: false },
            graph: { type: "boolean", default: false },
            components: { type: "boolean", default: false },
            up: { type: "boolean", default: false },
            render: { type: "boolean", default: false },
            "policy-config": { type: "string" },
        },
        usage,
        out,
    );
    if (typeof parsed === "number") return parsed;
    const { values } = parsed;
    if (values.json && values.graph) {
        out.stderr(`--json and --graph print different documents: choose one\n${usage}\n`);
        return 2;
    }
    if (values.components && !values.graph) {
        out.stderr(`--components only applies to --graph\n${usage}\n`);
        return 2;
    }
    if (!values.stack) {
        out.stderr(`--stack is required\n${usage}\n`);
        return 2;
    }
    // Mistakes in the arguments are answered before the Pulumi SDK and the program load.
    const stackFile = values.config ? path.resolve(values.config) : stackFilePath(projectDir, values.stack);
    if (!fs.existsSync(stackFile)) {
        out.stderr(`${stackFile}: no such stack file (expected Pulumi.<stack>.yaml, or pass --config FILE)\n`);
        return 2;
    }
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily, see above */
    const { exitStatus, plan } = require("../plan") as typeof PlanModule;
    const { mermaidGraph } = require("../graph") as typeof GraphModule;
    const { renderTree } = require("../render") as typeof RenderModule;
    const { policyConfigProblems } = require("../judge") as typeof JudgeModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    let policyConfig: JudgeModule.PolicyConfig | undefined;
    if (values["policy-config"]) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(values["policy-config"], "utf8")) as JudgeModule.PolicyConfig;
        } catch (e) {
            out.stderr(`--policy-config ${values["policy-config"]}: ${(e as Error).message}\n`);
            return 2;
        }
        const problems = policyConfigProblems(policyConfig);
        if (problems.length > 0) {
            for (const line of problems) out.stderr(`--policy-config ${values["policy-config"]}: ${line}\n`);
            return 2;
        }
    }
    const outcome = await plan({
        stack: values.stack,
        ...(values.config ? { configFile: values.config } : {}),
        ...(policyConfig ? { policyConfig } : {}),
        up: values.up,
        render: values.render,
    });
    switch (outcome.kind) {
        case "invalid":
            for (const line of outcome.lines) out.stderr(`${line}\n`);
            break;
        case "failed":
            out.stderr(`The program failed (this is a bug, not a configuration problem):\n${outcome.error.stack ?? outcome.error.message}\n`);
            break;
        case "planned":
            if (values.graph) out.stdout(mermaidGraph(outcome.evaluation.resources, { componentsOnly: values.components }));
            else out.stdout(values.json ? `${JSON.stringify(outcome.document, null, 2)}\n` : renderTree(outcome.document));
            break;
    }
    return exitStatus(outcome);
}
