// The resource types the simulated API server serves: their group/version, names, scope,
// verbs and subresources. Discovery, routing, the object store and RBAC-less access all
// read this one table.

export interface ResourceType {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** URL segment, e.g. `pods`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly verbs: readonly string[];
  /** Subresources served, e.g. `status`, `scale`, `log`. */
  readonly subresources?: readonly string[];
  /** metadata.generation is bumped on spec changes (workloads). */
  readonly hasGeneration?: boolean;
  /** Not stored: computed on request (metrics.k8s.io). */
  readonly virtual?: boolean;
  /** Another resource whose objects this one shows in its own shape (events.k8s.io → core events). */
  readonly viewOf?: string;
  /** Field selector labels the real API server accepts for this resource (beyond metadata.name/namespace). */
  readonly fieldLabels?: readonly string[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const RO = ['get', 'list'] as const;

// eslint-disable-next-line max-params -- a table row reads best positionally
function type(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: RW,
    ...extra,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status'],
    fieldLabels: ['status.phase'],
  }),
  type('', 'v1', 'Node', 'nodes', false, {
    shortNames: ['no'],
    subresources: ['status'],
    fieldLabels: ['spec.unschedulable'],
  }),
  type('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'eviction', 'binding'],
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  type('', 'v1', 'Event', 'events', true, {
    shortNames: ['ev'],
    fieldLabels: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  }),
  type('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
  }),
  type('', 'v1', 'Endpoints', 'endpoints', true, {
    shortNames: ['ep'],
    listKind: 'EndpointsList',
    singular: 'endpoints',
  }),
  type('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  type('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  type('', 'v1', 'Secret', 'secrets', true, { fieldLabels: ['type'] }),
  type('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  }),
  type('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  }),
  type('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  }),
  type('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
  }),
  type('batch', 'v1', 'Job', 'jobs', true, {
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
    fieldLabels: ['status.successful'],
  }),
  type('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
  }),
  type('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  type('events.k8s.io', 'v1', 'Event', 'events', true, {
    shortNames: ['ev'],
    viewOf: 'events',
    fieldLabels: [
      'regarding.kind',
      'regarding.namespace',
      'regarding.name',
      'regarding.uid',
      'reason',
      'reportingController',
      'type',
    ],
  }),
  type('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'nodes', false, {
    verbs: RO,
    virtual: true,
    singular: '',
  }),
  type('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods', true, { verbs: RO, virtual: true, singular: '' }),
];

/** `apps/v1` or `v1` for the core group. */
export function groupVersion(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** A key unique across groups: `pods`, `apps/deployments`, `events.k8s.io/events`. */
export function resourceKey(t: Pick<ResourceType, 'group' | 'plural'>): string {
  return t.group ? `${t.group}/${t.plural}` : t.plural;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

/** The stored resource type for a kind, e.g. `Pod` → pods, `Deployment` → apps/deployments. */
export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => groupVersion(t) === apiVersion && t.kind === kind && !t.viewOf);
}

/** Shorthand for stored types by key: `resource('pods')`, `resource('apps/deployments')`. */
export function resource(key: string): ResourceType {
  const found = RESOURCE_TYPES.find((t) => resourceKey(t) === key && !t.virtual && !t.viewOf);
  if (!found) throw new Error(`unknown simulated resource ${key}`);
  return found;
}
