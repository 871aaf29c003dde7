import { z } from "zod";
import { setting } from "../setting";

/** Monitoring of what the program deploys. */
export const observabilitySettings = {
    monitoringEnabled: setting<boolean>({
        key: "monitoringEnabled",
        area: "observability",
        type: "boolean",
        default: true,
        description:
            "Create Prometheus Operator ServiceMonitors for istiod (the primary), cert-manager and the NGINX edge (through their charts). The east-west and Gateway API gateways get none: scrape their pods (port 15020, `/stats/prometheus`, as the gateway chart's `prometheus.io/*` annotations say) with a PodMonitor of your own. Needs the Prometheus Operator's CRDs in the cluster; set to false where they are absent.",
        schema: z.boolean({ error: "expected true or false" }),
    }),
};
