import * as assert from "node:assert/strict";
import { resourcesOf } from "../../offline/documents";
import { durationSeconds, judge, policyConfigProblems, policyOptionsOf } from "../../offline/judge";
import { ingressNginxRetired } from "../../policy/edge";
import { crdReleasesProtected } from "../../policy/lifecycle";
import { noNodePortServices } from "../../policy/kubernetes";
import { istiodHighAvailability } from "../../policy/mesh";
import { changed, ingressNginx, istiod } from "../policy/fixtures";
import { resource } from "../policy/support";

describe("offline judge: policy configuration (--policy-config, as --policy-pack-config)", () => {
    const nodePort = resource({ type: "kubernetes:core/v1:Service", name: "edge", props: { spec: { type: "NodePort" } } });
    const levels = async (config: Record<string, unknown>) => (await judge([nodePort, resource(changed(ingressNginx, (p) => (p.version = "4.12.3")))], { policies: [noNodePortServices, ingressNginxRetired], config })).map((f) => `${f.policy}:${f.enforcementLevel}`);

    it("takes a level by policy name, as a string or as enforcementLevel, and 'all' for every policy", async () => {
        assert.deepEqual(await levels({}), ["no-nodeport-services:mandatory", "ingress-nginx-retired:advisory"]);
        assert.deepEqual(await levels({ "no-nodeport-services": "advisory" }), ["no-nodeport-services:advisory", "ingress-nginx-retired:advisory"]);
        assert.deepEqual(await levels({ all: "mandatory" }), ["no-nodeport-services:mandatory", "ingress-nginx-retired:mandatory"]);
        assert.deepEqual(await levels({ all: { enforcementLevel: "advisory" }, "ingress-nginx-retired": { enforcementLevel: "disabled" } }), ["no-nodeport-services:advisory"]);
    });

    it("fills a policy's settings from its schema defaults and the given values", async () => {
        const run = async (config: Record<string, unknown>) => (await judge([resource(istiod)], { policies: [istiodHighAvailability], config })).length;
        assert.equal(await run({}), 0);
        assert.equal(await run({ "istiod-high-availability": { minReplicas: 4 } }), 1);
    });

    it("names every problem of a configuration: unknown policies and settings (with a suggestion), levels, values outside the schema", () => {
        assert.deepEqual(policyConfigProblems({}), []);
        assert.deepEqual(policyConfigProblems({ all: "advisory", "istiod-high-availability": { minReplicas: 5, enforcementLevel: "mandatory" }, "no-snippet-annotations": "disabled" }), []);
        assert.deepEqual(policyConfigProblems({
            "istiod-high-availabilty": { minReplicas: 5 },
            "istiod-high-availability": { minReplica: 5, minAvailable: 0 },
            "public-hosts-rate-limited": { maxRps: "100", enforcementLevel: "blocking" },
            "route53-change-scoped": { hostedZoneIds: "Z1" },
            "iam-no-wildcard-actions": { forbiddenActions: ["*", 3] },
            all: "strict",
        }), [
            "istiod-high-availabilty: expected a policy of the pack (did you mean istiod-high-availability?)",
            "istiod-high-availability.minReplica: expected a setting of policy istiod-high-availability (minReplicas, minAvailable) (did you mean minReplicas?)",
            "istiod-high-availability.minAvailable = 0: expected an integer of at least 1",
            "public-hosts-rate-limited.maxRps = \"100\": expected a number",
            "public-hosts-rate-limited.enforcementLevel = \"blocking\": expected one of advisory, mandatory, remediate, disabled",
            "route53-change-scoped.hostedZoneIds = \"Z1\": expected a list",
            "iam-no-wildcard-actions.forbiddenActions = [\"*\",3]: expected a list of strings",
            "all = \"strict\": expected one of advisory, mandatory, remediate, disabled",
        ]);
    });
});

describe("offline judge: resource options, as CrossGuard hands them to policies", () => {
    const release = { type: "kubernetes:helm.sh/v3:Release", name: "mesh-base", urn: "urn:pulumi:primary::mesh-ingress::kubernetes:helm.sh/v3:Release::mesh-base" };
    const props = { name: "istio-base", chart: "base", version: "1.30.3", namespace: "istio-system", values: {} };
    const planWith = (options?: Record<string, unknown>) => ({
        stack: "primary",
        resources: [{ ...release, custom: true, read: false, parent: null, provider: null, inputs: props, dependsOn: [], ...(options ? { options } : {}) }],
        outputs: {},
        violations: [],
    });
    const findings = async (doc: unknown) => (await judge(resourcesOf(doc).resources, { policies: [crdReleasesProtected] })).map((f) => f.message.split(":")[0]);

    it("converts durations as the engine does (seconds) and leaves out what policies are not given (retainOnDelete, aliases of a new stack)", () => {
        assert.deepEqual([durationSeconds("20m"), durationSeconds("1h30m"), durationSeconds("90s"), durationSeconds("1.5h"), durationSeconds(undefined)], [1200, 5400, 90, 5400, 0]);
        assert.throws(() => durationSeconds("20 minutes"), /'20 minutes' is not a duration such as 20m or 1h30m/);
        assert.deepEqual(
            policyOptionsOf({ protect: true, retainOnDelete: true, ignoreChanges: ["name"], customTimeouts: { create: "20m", update: "10m" }, aliases: [{ name: "old" }] } as never),
            { protect: true, ignoreChanges: ["name"], customTimeouts: { createSeconds: 1200, updateSeconds: 600, deleteSeconds: 0 } },
        );
    });

    it("reads the options of a plan document (npm run policy on npm run plan -- --json) and of a state export", async () => {
        assert.deepEqual(await findings(planWith({ protect: true, retainOnDelete: true })), []);
        assert.deepEqual(await findings(planWith({ retainOnDelete: true })), ["Helm release 'mesh-base' installs Istio's CRDs as templates and is not protected"]);
        assert.deepEqual(await findings(planWith()), ["Helm release 'mesh-base' installs Istio's CRDs as templates and is not protected"]);
        const exported = (extra: Record<string, unknown>) => ({ deployment: { resources: [{ ...release, custom: true, inputs: props, ...extra }] } });
        assert.deepEqual(await findings(exported({ protect: true, customTimeouts: { create: 600 } })), []);
        assert.deepEqual(resourcesOf(exported({ protect: true, customTimeouts: { create: 600 }, aliases: ["urn:old"] })).resources[0]?.options, {
            protect: true,
            aliases: ["urn:old"],
            customTimeouts: { createSeconds: 600, updateSeconds: 0, deleteSeconds: 0 },
        });
        assert.deepEqual(await findings(exported({})), ["Helm release 'mesh-base' installs Istio's CRDs as templates and is not protected"]);
    });
});
