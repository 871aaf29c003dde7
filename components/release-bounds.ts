import type * as k8s from "@pulumi/kubernetes";

/**
 * How long `pulumi up` waits for each Helm release, and what Helm does when the wait
 * fails. What the options do in pulumi-kubernetes 4.x (`provider/pkg/provider/helm_release.go`,
 * Helm 3.20 `pkg/action`):
 *
 * - `timeout` (seconds, default 300) bounds the wait for the release's resources to be
 *   ready, and separately each hook Job (Helm runs hooks with the same timeout), and an
 *   uninstall. Without `skipAwait` the provider makes Helm wait (`--wait`).
 * - `atomic` turns the wait on whatever `skipAwait` says. A failed install is uninstalled
 *   (the provider then reports a plain failure and records nothing, so the next `pulumi up`
 *   installs afresh); a failed upgrade is rolled back to the last deployed revision,
 *   waiting again up to `timeout`, and the provider records the failure so that the next
 *   `pulumi up` tries the upgrade again.
 * - `cleanupOnFail` deletes what a failed upgrade created (the provider passes it to
 *   upgrades only).
 * - `waitForJobs` waits for the chart's Jobs that are not hooks: none of these charts has
 *   one (cert-manager's startupapicheck and ingress-nginx's admission Jobs are hooks,
 *   awaited anyway), so it stays off.
 * - Pulumi's `customTimeouts` are not set: the Release provider never reads them (it
 *   passes only `timeout` to Helm), so they would promise a bound that does not exist.
 *
 * A killed `pulumi up` (a cancelled CI job) can still leave a release `pending-install` or
 * `pending-upgrade`, which no option undoes: docs/runbook.md, "A failed or stuck release".
 */

/** A release's bounds: the options every Release of this program sets. */
export type ReleaseBounds = Required<Pick<k8s.helm.v3.ReleaseArgs, "timeout" | "cleanupOnFail">> & Pick<k8s.helm.v3.ReleaseArgs, "atomic" | "skipAwait">;

/**
 * The timeout of each release, in seconds, sized for what Helm waits on:
 *
 * - `istioBase`: no pods; the CRDs becoming Established, the default-revision webhook and
 *   the reader's RBAC. Helm's default.
 * - `istiod`: three replicas with a required per-node anti-affinity; a rolling update may
 *   need new nodes from the cluster autoscaler before the new pods are scheduled, then the
 *   image pull and readiness.
 * - `istiodRemote`: the remote profile renders no pods (webhooks, a ConfigMap, the istiod
 *   Service and its EndpointSlice).
 * - `eastWestGateway`: at least two gateway pods (the HPA's minimum) whose proxies istiod
 *   injects and configures, possibly on new nodes; the LoadBalancer Service is a resource
 *   of its own, not the release's.
 * - `certManager`: the controller, webhook and cainjector Deployments, then the
 *   post-install startupapicheck Job (up to 5 tries of `--wait=1m` until the webhook
 *   answers), bounded by the same timeout.
 * - `ingressNginx`: the admission Jobs (pre- and post-install hooks) and the controller
 *   pods; with the chart's own LoadBalancer Service, Helm also waits for the NLB's address.
 */
export const releaseTimeouts = {
    istioBase: 300,
    istiod: 600,
    istiodRemote: 300,
    eastWestGateway: 600,
    certManager: 600,
    ingressNginx: 600,
} as const;

/** An awaited release: bounded, uninstalled when its install fails, rolled back when an upgrade fails. */
export function awaitedRelease(timeout: number): ReleaseBounds {
    return { timeout, atomic: true, cleanupOnFail: true };
}

/**
 * A release `pulumi up` does not wait for (a remote's east-west gateway cannot be ready
 * before the primary holds the remote's secret). Not atomic: `atomic` would turn the wait
 * back on, and the install would time out and be uninstalled on every first rollout. A
 * failed upgrade's new objects are cleaned up; the timeout bounds the Helm operations.
 */
export function unawaitedRelease(timeout: number): ReleaseBounds {
    return { timeout, skipAwait: true, cleanupOnFail: true };
}
