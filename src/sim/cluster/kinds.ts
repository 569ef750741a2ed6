// Typed views of the stored objects the simulated controllers read, and the small functions
// every controller needs (owner references, conditions, keys). Wire types come from
// kubernetes-models, so field names are Kubernetes' own.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { INodeSpec } from 'kubernetes-models/v1/NodeSpec';
import type { INodeStatus } from 'kubernetes-models/v1/NodeStatus';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IServiceSpec } from 'kubernetes-models/v1/ServiceSpec';
import type { IServiceStatus } from 'kubernetes-models/v1/ServiceStatus';
import type { IPersistentVolumeClaimSpec } from 'kubernetes-models/v1/PersistentVolumeClaimSpec';
import type { IPersistentVolumeClaimStatus } from 'kubernetes-models/v1/PersistentVolumeClaimStatus';
import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import type { IDeploymentStatus } from 'kubernetes-models/apps/v1/DeploymentStatus';
import type { IReplicaSetSpec } from 'kubernetes-models/apps/v1/ReplicaSetSpec';
import type { IReplicaSetStatus } from 'kubernetes-models/apps/v1/ReplicaSetStatus';
import type { IStatefulSetSpec } from 'kubernetes-models/apps/v1/StatefulSetSpec';
import type { IStatefulSetStatus } from 'kubernetes-models/apps/v1/StatefulSetStatus';
import type { IDaemonSetSpec } from 'kubernetes-models/apps/v1/DaemonSetSpec';
import type { IDaemonSetStatus } from 'kubernetes-models/apps/v1/DaemonSetStatus';
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { IJobStatus } from 'kubernetes-models/batch/v1/JobStatus';
import type { IHorizontalPodAutoscalerSpec } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerSpec';
import type { IHorizontalPodAutoscalerStatus } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerStatus';
import type { IIoK8sApimachineryPkgApisMetaV1OwnerReference as OwnerReference } from '@kubernetes-models/apimachinery/apis/meta/v1/OwnerReference';
import type { KubeObject } from '../object-store.js';

export type { IContainer, IContainerStatus, IPodSpec, IPodStatus, IPodTemplateSpec, OwnerReference };

export type PodObject = KubeObject & { spec: IPodSpec; status?: IPodStatus };
export type NodeObject = KubeObject & { spec?: INodeSpec; status?: INodeStatus };
export type ServiceObject = KubeObject & { spec?: IServiceSpec; status?: IServiceStatus };
export type PvcObject = KubeObject & {
  spec?: IPersistentVolumeClaimSpec;
  status?: IPersistentVolumeClaimStatus;
};
export type DeploymentObject = KubeObject & { spec: IDeploymentSpec; status?: IDeploymentStatus };
export type ReplicaSetObject = KubeObject & { spec: IReplicaSetSpec; status?: IReplicaSetStatus };
export type StatefulSetObject = KubeObject & { spec: IStatefulSetSpec; status?: IStatefulSetStatus };
export type DaemonSetObject = KubeObject & { spec: IDaemonSetSpec; status?: IDaemonSetStatus };
export type JobObject = KubeObject & { spec: IJobSpec; status?: IJobStatus };
export type HpaObject = KubeObject & {
  spec: IHorizontalPodAutoscalerSpec;
  status?: IHorizontalPodAutoscalerStatus;
};

/** A condition as every workload status carries one (fields vary a little by kind). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
  lastHeartbeatTime?: string;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the work-queue key. */
export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The owner reference a controller puts on what it creates. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? 'v1',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The uid of the object's controlling owner, if any. */
export function controllerUid(obj: KubeObject): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

export function isOwnedBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerUid(obj) === owner.metadata.uid;
}

export function findCondition<C extends { type: string }>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition in place, keeping lastTransitionTime when the status did not change (as
 * every Kubernetes controller does). Returns the updated list.
 */
export function setCondition<C extends Condition>(
  conditions: C[] | undefined,
  next: C,
  now: string,
  options: { updateTime?: boolean } = {},
): C[] {
  const list = conditions ?? [];
  const i = list.findIndex((c) => c.type === next.type);
  const existing = i >= 0 ? list[i] : undefined;
  const merged = { ...next };
  merged.lastTransitionTime =
    existing && existing.status === next.status
      ? existing.lastTransitionTime
      : (next.lastTransitionTime ?? now);
  if (options.updateTime) {
    const same = existing && existing.status === next.status && existing.reason === next.reason;
    merged.lastUpdateTime = same && existing.lastUpdateTime ? existing.lastUpdateTime : now;
  }
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

/** Pod phases that never change again. */
export function isTerminalPod(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Pods a workload counts as its own replicas: not finished, not being deleted. */
export function isActivePod(pod: PodObject): boolean {
  return !isTerminalPod(pod) && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: PodObject): boolean {
  return findCondition(pod.status?.conditions, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` (what "available" means to workload controllers). */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  const ready = findCondition(pod.status?.conditions, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
  return now - since >= minReadySeconds * 1000;
}

/** All containers of a pod spec with the list they belong to. */
export function containersOf(
  spec: IPodSpec,
): Array<{ container: IContainer; kind: 'init' | 'app' | 'ephemeral' }> {
  return [
    ...(spec.initContainers ?? []).map((container) => ({ container, kind: 'init' as const })),
    ...spec.containers.map((container) => ({ container, kind: 'app' as const })),
    ...(spec.ephemeralContainers ?? []).map((c) => ({
      container: c,
      kind: 'ephemeral' as const,
    })),
  ];
}

/** `spec.containers{app}`: how events and references point into a pod. */
export function fieldPathOf(kind: 'init' | 'app' | 'ephemeral', name: string): string {
  const list =
    kind === 'init' ? 'initContainers' : kind === 'ephemeral' ? 'ephemeralContainers' : 'containers';
  return `spec.${list}{${name}}`;
}

/** Percent or absolute int-or-string against a total, as maxSurge/maxUnavailable resolve. */
export function resolveIntOrPercent(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
  fallback: number | string,
): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
