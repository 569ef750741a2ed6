// Strategic-merge metadata of the served kinds: which lists merge by which key, which merge as
// sets, which structs retain keys. The Go types carry this as struct tags; the patch code and
// the OpenAPI document (x-kubernetes-patch-*) both read this one table.
import type { ResourceType } from '../resources.js';

export interface FieldMeta {
  /** Definition of the field's object, or of a list's items. */
  readonly ref?: string;
  /** `merge` for lists merged by key (or as a set of primitives), `retainKeys` for unions. */
  readonly strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  readonly mergeKey?: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';
const APPS = 'io.k8s.api.apps.v1.';

const list = (ref: string, mergeKey: string, strategy: FieldMeta['strategy'] = 'merge'): FieldMeta => ({
  ref,
  mergeKey,
  strategy,
});
const obj = (ref: string): FieldMeta => ({ ref });
const conditions = (ref: string): FieldMeta => list(ref, 'type');

const containerLists: Record<string, FieldMeta> = {
  ports: list(`${CORE}ContainerPort`, 'containerPort'),
  env: list(`${CORE}EnvVar`, 'name'),
  volumeMounts: list(`${CORE}VolumeMount`, 'mountPath'),
  volumeDevices: list(`${CORE}VolumeDevice`, 'devicePath'),
};

function workload(
  kind: string,
  spec: Record<string, FieldMeta> = {},
): Record<string, Record<string, FieldMeta>> {
  return {
    [`${APPS}${kind}`]: {
      metadata: obj(`${META}ObjectMeta`),
      spec: obj(`${APPS}${kind}Spec`),
      status: obj(`${APPS}${kind}Status`),
    },
    [`${APPS}${kind}Spec`]: { template: obj(`${CORE}PodTemplateSpec`), ...spec },
    [`${APPS}${kind}Status`]: { conditions: conditions(`${APPS}${kind}Condition`) },
  };
}

/** definition → property → patch metadata. Properties not listed merge as maps or replace as lists. */
export const PATCH_META: Readonly<Record<string, Readonly<Record<string, FieldMeta>>>> = {
  [`${META}ObjectMeta`]: {
    finalizers: { strategy: 'merge' },
    ownerReferences: list(`${META}OwnerReference`, 'uid'),
  },
  [`${CORE}Pod`]: {
    metadata: obj(`${META}ObjectMeta`),
    spec: obj(`${CORE}PodSpec`),
    status: obj(`${CORE}PodStatus`),
  },
  [`${CORE}PodTemplateSpec`]: { metadata: obj(`${META}ObjectMeta`), spec: obj(`${CORE}PodSpec`) },
  [`${CORE}PodSpec`]: {
    containers: list(`${CORE}Container`, 'name'),
    initContainers: list(`${CORE}Container`, 'name'),
    ephemeralContainers: list(`${CORE}EphemeralContainer`, 'name'),
    volumes: list(`${CORE}Volume`, 'name', 'merge,retainKeys'),
    imagePullSecrets: list(`${CORE}LocalObjectReference`, 'name'),
    hostAliases: list(`${CORE}HostAlias`, 'ip'),
    topologySpreadConstraints: list(`${CORE}TopologySpreadConstraint`, 'topologyKey'),
    schedulingGates: list(`${CORE}PodSchedulingGate`, 'name'),
    resourceClaims: list(`${CORE}PodResourceClaim`, 'name', 'merge,retainKeys'),
  },
  [`${CORE}Container`]: containerLists,
  [`${CORE}EphemeralContainer`]: containerLists,
  [`${CORE}PodStatus`]: {
    conditions: conditions(`${CORE}PodCondition`),
    podIPs: list(`${CORE}PodIP`, 'ip'),
    hostIPs: list(`${CORE}HostIP`, 'ip'),
  },
  [`${CORE}Node`]: {
    metadata: obj(`${META}ObjectMeta`),
    spec: obj(`${CORE}NodeSpec`),
    status: obj(`${CORE}NodeStatus`),
  },
  [`${CORE}NodeSpec`]: { podCIDRs: { strategy: 'merge' } },
  [`${CORE}NodeStatus`]: {
    conditions: conditions(`${CORE}NodeCondition`),
    addresses: list(`${CORE}NodeAddress`, 'type'),
  },
  [`${CORE}Namespace`]: { metadata: obj(`${META}ObjectMeta`), status: obj(`${CORE}NamespaceStatus`) },
  [`${CORE}NamespaceStatus`]: { conditions: conditions(`${CORE}NamespaceCondition`) },
  [`${CORE}Service`]: {
    metadata: obj(`${META}ObjectMeta`),
    spec: obj(`${CORE}ServiceSpec`),
    status: obj(`${CORE}ServiceStatus`),
  },
  [`${CORE}ServiceSpec`]: { ports: list(`${CORE}ServicePort`, 'port') },
  [`${CORE}ServiceStatus`]: { conditions: conditions(`${META}Condition`) },
  [`${CORE}PersistentVolumeClaim`]: {
    metadata: obj(`${META}ObjectMeta`),
    status: obj(`${CORE}PersistentVolumeClaimStatus`),
  },
  [`${CORE}PersistentVolumeClaimStatus`]: {
    conditions: conditions(`${CORE}PersistentVolumeClaimCondition`),
  },
  ...workload('Deployment', { strategy: { ref: `${APPS}DeploymentStrategy`, strategy: 'retainKeys' } }),
  ...workload('ReplicaSet'),
  ...workload('StatefulSet'),
  ...workload('DaemonSet'),
  'io.k8s.api.batch.v1.Job': {
    metadata: obj(`${META}ObjectMeta`),
    spec: obj('io.k8s.api.batch.v1.JobSpec'),
    status: obj('io.k8s.api.batch.v1.JobStatus'),
  },
  'io.k8s.api.batch.v1.JobSpec': { template: obj(`${CORE}PodTemplateSpec`) },
  'io.k8s.api.batch.v1.JobStatus': { conditions: conditions('io.k8s.api.batch.v1.JobCondition') },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': {
    metadata: obj(`${META}ObjectMeta`),
    status: obj('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus'),
  },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': {
    conditions: conditions('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition'),
  },
};

/** The OpenAPI definition name of a served kind: `io.k8s.api.apps.v1.Deployment`. */
export function definitionName(type: Pick<ResourceType, 'group' | 'version' | 'kind'>): string {
  const group = type.group === '' ? 'core' : type.group.split('.')[0]!;
  return `io.k8s.api.${group}.${type.version}.${type.kind}`;
}

/** Patch metadata of one property of a definition (undefined: no strategy, lists are atomic). */
export function fieldMeta(definition: string | undefined, property: string): FieldMeta | undefined {
  if (!definition) return undefined;
  const fields = PATCH_META[definition];
  if (fields) {
    const found = fields[property];
    if (found) return found;
  }
  // Every top-level kind carries ObjectMeta; kinds without their own row still merge metadata lists.
  if (property === 'metadata' && !definition.startsWith(META)) return obj(`${META}ObjectMeta`);
  return undefined;
}
