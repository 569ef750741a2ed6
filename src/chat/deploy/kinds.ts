// The Kubernetes kinds an app template may create, and where each lives in the API. A short
// list on purpose: what a small self-service app needs, nothing that reaches beyond its namespace.

export interface KindInfo {
  readonly apiVersion: string;
  readonly kind: string;
  /** The resource's plural name in the API path. */
  readonly plural: string;
  /** Workloads whose rollout is followed until their pods are ready. */
  readonly workload: boolean;
}

const KINDS: readonly KindInfo[] = [
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', workload: false },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', workload: false },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', workload: false },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', workload: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', workload: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', workload: true },
];

/** What a template object is known by: enough to find, follow and delete it. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export function kindInfo(apiVersion: string, kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

/** `apps/v1 Deployment, v1 Service, …` for error messages. */
export function supportedKinds(): string {
  return KINDS.map((k) => `${k.apiVersion} ${k.kind}`).join(', ');
}

/** The collection path (`name` omitted) or the object path of a namespaced object. */
export function objectPath(ref: Omit<ObjectRef, 'name'> & { name?: string }, namespace: string): string {
  const info = kindInfo(ref.apiVersion, ref.kind);
  if (!info) throw new RangeError(`unsupported kind ${ref.apiVersion} ${ref.kind}`);
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  const collection = `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`;
  return ref.name === undefined ? collection : `${collection}/${encodeURIComponent(ref.name)}`;
}
