// Where each kind of object is shown: pods and workloads have their own pages; anything else
// gets its timeline of events.

const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

const seg = (s: string): string => encodeURIComponent(s);

export function podHref(cluster: string, namespace: string, name: string): string {
  return `/ui/pods/${seg(cluster)}/${seg(namespace)}/${seg(name)}`;
}

export function workloadHref(cluster: string, kind: string, namespace: string, name: string): string {
  return `/ui/workloads/${seg(cluster)}/${seg(kind)}/${seg(namespace)}/${seg(name)}`;
}

/** The events of one object, newest first, with their histogram: its timeline. */
export function timelineHref(
  cluster: string,
  kind: string,
  namespace: string | null | undefined,
  name: string,
  uid?: string | null,
): string {
  const q = new URLSearchParams({ cluster, object: `${kind}/${name}` });
  if (namespace) q.set('namespace', namespace);
  // The uid finds the object's events by index (and tells apart objects that reused a name).
  if (uid) q.set('uid', uid);
  q.set('since', '7d');
  return `/ui/events?${q.toString()}`;
}

export function objectHref(
  cluster: string,
  kind: string,
  namespace: string | null | undefined,
  name: string,
  uid?: string | null,
): string {
  if (kind === 'Pod' && namespace) return podHref(cluster, namespace, name);
  if (WORKLOAD_KINDS.has(kind) && namespace) return workloadHref(cluster, kind, namespace, name);
  return timelineHref(cluster, kind, namespace, name, uid);
}
