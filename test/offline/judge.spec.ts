import * as assert from "node:assert/strict";
import { judge, policyConfigProblems } from "../../offline/judge";
import { ingressNginxRetired } from "../../policy/edge";
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
