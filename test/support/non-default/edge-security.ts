import * as assert from "node:assert/strict";
import type { NonDefaultVariant } from "../non-default";
import { inputsOf, ofType } from "../plan";

/** A host routed to Kiali, in istiod's namespace (a control-plane backend), instead of the stack file's hosts. */
const kialiHost = { host: "kiali.example.com", namespace: "istio-system", profile: "internal", paths: [{ path: "/", service: "kiali", port: 20001 }] };

/**
 * The edge-security settings at non-default values (see test/support/non-default.ts): the
 * primary stack with one host, routed into the control plane on purpose.
 */
export const edgeSecurityVariants: readonly NonDefaultVariant[] = [
    {
        name: "edge-security: a control-plane backend allowed",
        base: "primary",
        context: {
            edgeHosts: [kialiHost],
            dnsRouting: [],
        },
        rows: [
            {
                key: "edgeControlPlaneBackends",
                value: ["istio-system/kiali"],
                effect: "lets a host route to istio-system/kiali; the policy pack still flags it until its allowedBackends lists it too",
                check: (p) => {
                    const kiali = ofType(p, "kubernetes:networking.k8s.io/v1:Ingress")
                        .map(inputsOf)
                        .filter((i) => i.metadata.namespace === "istio-system");
                    const backend = { service: { name: "kiali", port: { number: 20001 } } };
                    assert.deepEqual(
                        kiali.map((i): unknown => ({ name: i.metadata.name, rules: i.spec.rules })),
                        [{ name: "kiali-example-com", rules: [{ host: "kiali.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }] }],
                    );
                    // The pack's exception is configured apart (README: "the exception is stated twice"); the plan's pack has none.
                    assert.deepEqual(
                        p.findings.map((f) => [f.policy, f.message]),
                        [
                            [
                                "routes-avoid-control-plane",
                                "Ingress 'istio-system/kiali-example-com' routes to istio-system/kiali, in istiod's namespace (its plain-text and webhook ports); a public host must not reach the control plane: route to an application's Service (or, if it is meant, allow 'istio-system/kiali' in allowedBackends).",
                            ],
                        ],
                    );
                },
            },
        ],
    },
];
