import * as assert from "node:assert/strict";
import type { IMutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration" with { "resolution-mode": "import" };
import type { IValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration" with { "resolution-mode": "import" };
import type { ICustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition" with { "resolution-mode": "import" };
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet" with { "resolution-mode": "import" };
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler" with { "resolution-mode": "import" };
import type { IJob } from "kubernetes-models/batch/v1/Job" with { "resolution-mode": "import" };
import type { IIngressClass } from "kubernetes-models/networking.k8s.io/v1/IngressClass" with { "resolution-mode": "import" };
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with { "resolution-mode": "import" };
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with { "resolution-mode": "import" };
import type { IClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole" with { "resolution-mode": "import" };
import type { IClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding" with { "resolution-mode": "import" };
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role" with { "resolution-mode": "import" };
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding" with { "resolution-mode": "import" };
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
import type { ISecret } from "kubernetes-models/v1/Secret" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount" with { "resolution-mode": "import" };
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor" with { "resolution-mode": "import" };
import { renderKubeVersion } from "../../offline/charts/capabilities";
import { withRenderedCharts } from "../../offline/charts/judged";
import { objectKey, type RenderedObject } from "../../offline/charts/objects";
import { helmRelease, releaseType } from "../../offline/charts/releases";
import { renderReleases, type RenderedRelease, type StackRender } from "../../offline/charts/render";
import { renderStack, repositoryStacks, type RepositoryStack } from "../../offline/charts/stack";
import type { JudgedResource } from "../../offline/judge";
import type { PlanOptions } from "../../offline/plan";
import { resource, type ResourceArgs } from "../policy/support";

/**
 * Test helpers over rendered charts: a stack's Helm releases rendered with Helm and the
 * chart cache, exactly as `npm run render` renders them, with typed accessors. Renders are
 * cached per stack and options for the whole test run (and on disk between runs), so every
 * spec may ask for the same stack without paying for it twice.
 */

/** The kinds the accessors type, by kind (their upstream models). */
export interface Kinds {
    ConfigMap: IConfigMap;
    ClusterRole: IClusterRole;
    ClusterRoleBinding: IClusterRoleBinding;
    CustomResourceDefinition: ICustomResourceDefinition;
    DaemonSet: IDaemonSet;
    Deployment: IDeployment;
    HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
    IngressClass: IIngressClass;
    Job: IJob;
    MutatingWebhookConfiguration: IMutatingWebhookConfiguration;
    NetworkPolicy: INetworkPolicy;
    PodDisruptionBudget: IPodDisruptionBudget;
    Role: IRole;
    RoleBinding: IRoleBinding;
    Secret: ISecret;
    Service: IService;
    ServiceAccount: IServiceAccount;
    ServiceMonitor: IServiceMonitor;
    ValidatingWebhookConfiguration: IValidatingWebhookConfiguration;
}

/** A kind the accessors know, or any other kind (then untyped). */
type KindName = keyof Kinds | (string & {});
type Typed<K extends KindName> = K extends keyof Kinds ? Kinds[K] & RenderedObject : RenderedObject;

/** Objects of rendered charts, with typed lookups. */
export class RenderedObjects {
    constructor(readonly objects: readonly RenderedObject[]) {}

    /** Every object of a kind, in Helm's order. */
    all<K extends KindName>(kind: K): Typed<K>[] {
        return this.objects.filter((o) => o.kind === kind) as Typed<K>[];
    }

    /** The object of a kind and name (and namespace, when given), or undefined. */
    find<K extends KindName>(kind: K, name: string, namespace?: string): Typed<K> | undefined {
        const found = this.all(kind).filter((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
        assert.ok(found.length <= 1, `expected at most one ${kind} named ${name}, found ${found.map(objectKey).join(", ")}`);
        return found[0];
    }

    /** The one object of a kind and name (and namespace, when given); fails when there is not exactly one. */
    one<K extends KindName>(kind: K, name: string, namespace?: string): Typed<K> {
        const found = this.find(kind, name, namespace);
        assert.ok(found, `expected a ${kind} named ${name}${namespace ? ` in ${namespace}` : ""}, found ${this.all(kind).map(objectKey).join(", ") || "none of that kind"}`);
        return found;
    }
}

/** One rendered release: its render and its objects. */
export class ReleaseObjects extends RenderedObjects {
    constructor(readonly rendered: RenderedRelease) {
        super(rendered.objects);
    }
}

/** A stack's rendered charts. */
export class RenderedStack extends RenderedObjects {
    constructor(readonly render: StackRender) {
        super(render.releases.flatMap((r) => r.objects));
    }

    /** The rendered releases, in the order the program registered them. */
    get releases(): readonly RenderedRelease[] {
        return this.render.releases;
    }

    /** The release whose resource is named `name`, or the one release of the chart named `name` (`istiod`). */
    release(name: string): ReleaseObjects {
        const byResource = this.render.releases.filter((r) => r.release.resource === name);
        const found = byResource.length > 0 ? byResource : this.render.releases.filter((r) => r.release.chart === name);
        assert.equal(found.length, 1, `expected one release named ${name} (or of chart ${name}), found ${found.map((r) => r.release.resource).join(", ") || "none"} among ${this.render.releases.map((r) => `${r.release.resource} (${r.release.chart})`).join(", ")}`);
        return new ReleaseObjects(found[0]!);
    }
}

const cache = new Map<string, Promise<RenderedStack>>();

/**
 * The charts of a stack rendered (the stack evaluated as `pulumi up` would run it), once
 * per stack and options for the whole test run. `stack` is a stack of the repository
 * (`primary`, `remote`, `primary-gateway-api` from examples/) unless `options.configFile`
 * names another file. Fails with the render's own lines when the stack cannot be rendered
 * (no chart cache: see the README's "Rendering the charts").
 */
export function rendered(stack: string, options: Omit<PlanOptions, "stack" | "render" | "up" | "policyConfig"> = {}): Promise<RenderedStack> {
    const configFile = options.configFile ?? repositoryStacks().find((s) => s.stack === stack)?.configFile;
    const key = JSON.stringify({ stack, ...options, configFile });
    let pending = cache.get(key);
    if (pending === undefined) {
        pending = renderStack({ ...options, stack, ...(configFile !== undefined ? { configFile } : {}) }).then((outcome) => {
            if (outcome.kind === "invalid") assert.fail(`expected ${stack} to render, got:\n${outcome.lines.join("\n")}`);
            if (outcome.kind === "failed") throw outcome.error;
            return new RenderedStack(outcome.render);
        });
        cache.set(key, pending);
    }
    return pending;
}

/** Every stack file of the repository (the root's Pulumi.*.yaml and examples/), for specs that cover them all. */
export function stackFiles(): RepositoryStack[] {
    return repositoryStacks();
}

/**
 * Policy-test resources (test/policy/support.ts) with their Helm releases rendered, as
 * `npm run plan -- --render` hands them to the pack: each release carries its render and
 * its objects follow as resources of their own. Capabilities: the documented Kubernetes
 * version and no custom APIs.
 */
export async function renderedFixture(resources: readonly ResourceArgs[]): Promise<{ readonly judged: JudgedResource[]; readonly render: StackRender }> {
    const judged = resources.map(resource);
    const releases = await Promise.all(judged.filter((r) => r.type === releaseType).map((r) => helmRelease({ name: r.name, urn: r.urn, inputs: r.props })));
    const render = await renderReleases("test", releases, { capabilities: { kubeVersion: renderKubeVersion, apiVersions: [] } });
    return { judged: withRenderedCharts(judged, render), render };
}
