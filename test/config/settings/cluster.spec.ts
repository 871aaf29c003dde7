import * as assert from "node:assert/strict";
import { primary, problemLines, remote } from "../../support/config-source";

/**
 * The rules across the cluster settings (config/settings/cluster.ts), as a user reads
 * them: exactly one of `kubeconfig` and `kubeContext`, and the stack references of each
 * role (a remote names its primary; a primary lists its remotes, each once, each with a
 * stack name of its own since the remote's secret is keyed by it). Each case asserts the
 * exact lines.
 */

describe("config/settings/cluster: how the program reaches the cluster", () => {
    const { kubeContext: _context, ...noContext } = primary;
    void _context;

    it("takes a kubeconfig or a context", () => {
        assert.deepEqual(problemLines(primary), []);
        assert.deepEqual(problemLines({ ...noContext, kubeconfig: "apiVersion: v1\n" }, ["kubeconfig"]), []);
    });

    it("refuses both, on kubeContext", () => {
        assert.deepEqual(problemLines({ ...primary, kubeconfig: "apiVersion: v1\n" }, ["kubeconfig"]), [
            'kubeContext = "cluster1": expected to be empty when kubeconfig is set (set one of kubeconfig and kubeContext)',
        ]);
    });

    it("asks for one when neither is set", () => {
        assert.deepEqual(problemLines(noContext), [
            "kubeconfig is not set: set `pulumi config set --secret kubeconfig < file`, or name a context of the ambient kubeconfig with `pulumi config set kubeContext <context>`",
        ]);
    });
});

describe("config/settings/cluster: stack references of each role", () => {
    it("primary: refuses a primaryStack", () => {
        assert.deepEqual(problemLines({ ...primary, primaryStack: "acme/mesh-ingress/primary" }), [
            'primaryStack = "acme/mesh-ingress/primary": expected to be empty on the primary (it is the stack the remotes reference)',
        ]);
    });

    it("primary: names every remote listed again, or whose stack name another remote already has (the first one)", () => {
        assert.deepEqual(problemLines({ ...primary, remoteStacks: ["a/mesh-ingress/r", "b/mesh-ingress/r", "c/mesh-ingress/r", "a/mesh-ingress/r"] }), [
            "remoteStacks[1] = \"b/mesh-ingress/r\": expected a stack name no other remote has ('r' is also a/mesh-ingress/r)",
            "remoteStacks[2] = \"c/mesh-ingress/r\": expected a stack name no other remote has ('r' is also a/mesh-ingress/r)",
            'remoteStacks[3] = "a/mesh-ingress/r": expected each remote stack to be listed once',
        ]);
    });

    it("primary: refuses a remote of another project, and itself", () => {
        assert.deepEqual(problemLines({ ...primary, remoteStacks: ["acme/other/remote-a", "acme/mesh-ingress/primary", "acme/mesh-ingress/remote-b"] }), [
            "remoteStacks[0] = \"acme/other/remote-a\": expected a stack of this project ('mesh-ingress')",
            'remoteStacks[1] = "acme/mesh-ingress/primary": expected another stack than this one (a primary cannot be its own remote)',
        ]);
    });

    it("remote: needs its primary, of this project, and lists no remotes", () => {
        assert.deepEqual(problemLines(remote, [], "remote-a"), []);
        assert.deepEqual(problemLines({ ...remote, primaryStack: "" }, [], "remote-a"), [
            "primaryStack is not set: a remote reads the primary's outputs; set it to the primary's <organization>/<project>/<stack>",
        ]);
        assert.deepEqual(problemLines({ ...remote, primaryStack: "acme/other/primary", remoteStacks: ["acme/mesh-ingress/remote-b"] }, [], "remote-a"), [
            "primaryStack = \"acme/other/primary\": expected a stack of this project ('mesh-ingress'), such as acme/mesh-ingress/primary",
            'remoteStacks = ["acme/mesh-ingress/remote-b"]: expected an empty list on a remote (only the primary controls remote clusters)',
        ]);
    });
});
