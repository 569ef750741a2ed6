// Where each watched kind lives in the Kubernetes API.
import type { WatchedKind } from '../domain/kube.js';

export interface WatchedResource {
  readonly kind: WatchedKind;
  /** `/api/v1` or `/apis/apps/v1`. */
  readonly prefix: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  { kind: 'Namespace', prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  { kind: 'Node', prefix: '/api/v1', plural: 'nodes', namespaced: false },
  { kind: 'Pod', prefix: '/api/v1', plural: 'pods', namespaced: true },
  { kind: 'Event', prefix: '/api/v1', plural: 'events', namespaced: true },
  { kind: 'Deployment', prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'ReplicaSet', prefix: '/apis/apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'StatefulSet', prefix: '/apis/apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', prefix: '/apis/apps/v1', plural: 'daemonsets', namespaced: true },
  { kind: 'Job', prefix: '/apis/batch/v1', plural: 'jobs', namespaced: true },
  {
    kind: 'HorizontalPodAutoscaler',
    prefix: '/apis/autoscaling/v2',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
  },
  { kind: 'PersistentVolumeClaim', prefix: '/api/v1', plural: 'persistentvolumeclaims', namespaced: true },
];

/** The collection path, cluster-wide or in one namespace. */
export function collectionPath(resource: WatchedResource, namespace?: string): string {
  return namespace && resource.namespaced
    ? `${resource.prefix}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${resource.prefix}/${resource.plural}`;
}

/** The checkpoint key of a watch: the kind, plus the namespace for namespace-scoped watches. */
export function streamName(kind: WatchedKind, namespace?: string): string {
  return namespace ? `${kind}/${namespace}` : kind;
}
