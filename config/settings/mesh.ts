import { invalid, missing } from "../problems";
import { setting, type CrossRule } from "../setting";
import { dnsLabel } from "../validators";
import { z } from "zod";

/** The Istio mesh: its identity and, on the primary, its control plane. */
export const meshSettings = {
    meshId: setting<string>({
        key: "meshId",
        area: "mesh",
        type: "string",
        default: "",
        description:
            "On the primary: the mesh's id (`global.meshID`), a DNS label shared by every cluster. Remotes read it from the primary, so it stays empty there.",
        schema: z.union([z.literal(""), dnsLabel], { error: "expected a DNS label such as mesh1" }),
    }),
};

/** Rules across the mesh settings. */
export const meshRules: readonly CrossRule[] = [
    {
        keys: ["role", "meshId"],
        check: (v) => {
            if (v["role"] === "primary" && v["meshId"] === "") {
                return [missing("meshId", "the primary defines the mesh; set a DNS label such as mesh1")];
            }
            if (v["role"] === "remote" && v["meshId"] !== "") {
                return [invalid("meshId", v["meshId"], "expected to be empty on a remote (the mesh id is read from the primary stack)")];
            }
            return [];
        },
    },
];
