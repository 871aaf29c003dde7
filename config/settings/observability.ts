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
            "Create Prometheus Operator ServiceMonitors for istiod, the gateways, cert-manager and the edge. Needs the Prometheus Operator's CRDs in the cluster; set to false where they are absent.",
        schema: z.boolean({ error: "expected true or false" }),
    }),
};
