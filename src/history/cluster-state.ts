// The current state of every watched object of one cluster, in memory, keyed by UID.
// The history writer owns it; rules, the bot and the API read it through ClusterStateView.
import type {
  HpaSnapshot,
  NamespaceSnapshot,
  NodeSnapshot,
  PodSnapshot,
  PvcSnapshot,
  Snapshot,
  WatchedKind,
  WorkloadKind,
  WorkloadSnapshot,
} from '../domain/kube.js';

/** Read-only access to a cluster's current state. */
export interface ClusterStateView {
  readonly cluster: string;
  get(kind: WatchedKind, uid: string): Snapshot | undefined;
  list(kind: WatchedKind): readonly Snapshot[];
  pods(namespace?: string): PodSnapshot[];
  pod(namespace: string, name: string): PodSnapshot | undefined;
  nodes(): NodeSnapshot[];
  namespaces(): NamespaceSnapshot[];
  workloads(kind?: WorkloadKind): WorkloadSnapshot[];
  hpas(): HpaSnapshot[];
  pvcs(): PvcSnapshot[];
  count(kind: WatchedKind): number;
  /** Open abnormal periods of a pod (reason, container, since when). */
  abnormal(
    podUid: string,
  ): ReadonlyArray<{ readonly container: string; readonly reason: string; readonly beganAt: number }>;
}

const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
];

export type AbnormalLookup = (
  podUid: string,
) => ReadonlyArray<{ container: string; reason: string; beganAt: number }>;

export class ClusterState implements ClusterStateView {
  readonly cluster: string;
  readonly #byKind = new Map<WatchedKind, Map<string, Snapshot>>();
  readonly #abnormal: AbnormalLookup;

  constructor(cluster: string, abnormal: AbnormalLookup = () => []) {
    this.cluster = cluster;
    this.#abnormal = abnormal;
  }

  abnormal(podUid: string): ReadonlyArray<{ container: string; reason: string; beganAt: number }> {
    return this.#abnormal(podUid);
  }

  #bucket(kind: WatchedKind): Map<string, Snapshot> {
    let bucket = this.#byKind.get(kind);
    if (!bucket) {
      bucket = new Map();
      this.#byKind.set(kind, bucket);
    }
    return bucket;
  }

  set(snapshot: Snapshot): void {
    this.#bucket(snapshot.kind).set(snapshot.uid, snapshot);
  }

  delete(kind: WatchedKind, uid: string): void {
    this.#byKind.get(kind)?.delete(uid);
  }

  get(kind: WatchedKind, uid: string): Snapshot | undefined {
    return this.#byKind.get(kind)?.get(uid);
  }

  list(kind: WatchedKind): readonly Snapshot[] {
    return [...(this.#byKind.get(kind)?.values() ?? [])];
  }

  count(kind: WatchedKind): number {
    return this.#byKind.get(kind)?.size ?? 0;
  }

  pods(namespace?: string): PodSnapshot[] {
    const all = this.list('Pod') as PodSnapshot[];
    return namespace ? all.filter((p) => p.namespace === namespace) : all;
  }

  pod(namespace: string, name: string): PodSnapshot | undefined {
    for (const p of this.#byKind.get('Pod')?.values() ?? []) {
      if (p.namespace === namespace && p.name === name) return p as PodSnapshot;
    }
    return undefined;
  }

  nodes(): NodeSnapshot[] {
    return this.list('Node') as NodeSnapshot[];
  }

  namespaces(): NamespaceSnapshot[] {
    return this.list('Namespace') as NamespaceSnapshot[];
  }

  workloads(kind?: WorkloadKind): WorkloadSnapshot[] {
    const kinds = kind ? [kind] : WORKLOAD_KINDS;
    return kinds.flatMap((k) => this.list(k) as WorkloadSnapshot[]);
  }

  hpas(): HpaSnapshot[] {
    return this.list('HorizontalPodAutoscaler') as HpaSnapshot[];
  }

  pvcs(): PvcSnapshot[] {
    return this.list('PersistentVolumeClaim') as PvcSnapshot[];
  }
}
