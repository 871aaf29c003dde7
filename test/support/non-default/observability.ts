import * as assert from "node:assert/strict";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, ofType, one, type Planned } from "../plan";

const release = (p: Planned, name: string): any => inputsOf(one(p, "kubernetes:helm.sh/v3:Release", name));

/** The observability settings at non-default values (see test/support/non-default.ts): the primary without the Prometheus Operator. */
export const observabilityVariants: readonly NonDefaultVariant[] = [
    {
        name: "observability: a primary without monitoring",
        base: "primary",
        rows: [
            {
                key: "monitoringEnabled",
                value: false,
                effect: "no ServiceMonitor: none for istiod, and neither ingress-nginx's nor cert-manager's chart creates one",
                check: (p) => {
                    assert.deepEqual(ofType(p, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").map((r) => r.name), []);
                    assert.deepEqual(release(p, "edge-release").values.controller.metrics, { enabled: false, serviceMonitor: { enabled: false } });
                    assert.deepEqual(release(p, "cert-manager-release").values.prometheus.servicemonitor, { enabled: false });
                },
            },
        ],
    },
];
