// Lookout's own view of the Kubernetes objects it watches: plain, typed snapshots that the
// watch layer builds from wire objects. Everything past the watch layer uses these, never
// the wire format.

/** The kinds Lookout watches. */
export const WATCHED_KINDS = [
  'Namespace',
  'Node',
  'Pod',
  'Event',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'HorizontalPodAutoscaler',
  'PersistentVolumeClaim',
] as const;

export type WatchedKind = (typeof WATCHED_KINDS)[number];
export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

interface Base {
  readonly uid: string;
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Epoch ms of metadata.creationTimestamp. */
  readonly createdAt: number;
  /** Epoch ms of metadata.deletionTimestamp: the object is being deleted. */
  readonly deletingAt?: number | undefined;
  readonly owner?: OwnerRef | undefined;
}

export type ContainerType = 'init' | 'app' | 'ephemeral';

export interface Termination {
  readonly reason: string;
  readonly exitCode: number;
  readonly signal?: number | undefined;
  readonly message?: string | undefined;
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  readonly containerId?: string | undefined;
}

export type ContainerState =
  | { readonly kind: 'waiting'; readonly reason?: string | undefined; readonly message?: string | undefined }
  | { readonly kind: 'running'; readonly startedAt?: number | undefined }
  | ({ readonly kind: 'terminated' } & Termination);

export interface Resources {
  /** Cores. */
  readonly cpu?: number | undefined;
  /** Bytes. */
  readonly memory?: number | undefined;
}

export interface ContainerSnapshot {
  readonly name: string;
  readonly type: ContainerType;
  readonly image: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly state: ContainerState;
  readonly lastTerminated?: Termination | undefined;
  readonly requests: Resources;
  readonly limits: Resources;
  /** The spec declares a liveness probe (helps explain exit 137 kills). */
  readonly hasLivenessProbe: boolean;
}

export interface PodCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly since?: number | undefined;
}

export interface PodSnapshot extends Base {
  readonly kind: 'Pod';
  readonly namespace: string;
  readonly node?: string | undefined;
  readonly phase: string;
  /** status.reason, e.g. Evicted, NodeLost. */
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly conditions: Readonly<Record<string, PodCondition>>;
  readonly containers: readonly ContainerSnapshot[];
  /** The workload that runs this pod (a ReplicaSet's Deployment where known). */
  readonly workload?: { readonly kind: string; readonly name: string } | undefined;
  readonly podIP?: string | undefined;
  readonly hostIP?: string | undefined;
  readonly qosClass?: string | undefined;
  readonly startedAt?: number | undefined;
  /** spec.restartPolicy: Always, OnFailure or Never. */
  readonly restartPolicy: string;
}

export interface EventSnapshot extends Base {
  readonly kind: 'Event';
  readonly namespace: string;
  readonly reason: string;
  readonly type: string;
  readonly message: string;
  /** How many times it happened so far (count, or series.count); at least 1. */
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly involved: {
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string | undefined;
    readonly uid?: string | undefined;
    readonly fieldPath?: string | undefined;
  };
  /** source.component / reportingController. */
  readonly source: string;
  /** source.host / reportingInstance. */
  readonly host?: string | undefined;
}

export interface NodeCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly since?: number | undefined;
}

export interface NodeSnapshot extends Base {
  readonly kind: 'Node';
  readonly ready: boolean;
  readonly conditions: Readonly<Record<string, NodeCondition>>;
  readonly unschedulable: boolean;
  readonly taints: ReadonlyArray<{
    readonly key: string;
    readonly effect: string;
    readonly value?: string | undefined;
  }>;
  readonly capacity: Resources & { readonly pods?: number | undefined };
  readonly allocatable: Resources & { readonly pods?: number | undefined };
  readonly roles: readonly string[];
  readonly kubeletVersion?: string | undefined;
  readonly internalIP?: string | undefined;
}

export interface NamespaceSnapshot extends Base {
  readonly kind: 'Namespace';
  readonly phase: string;
}

export interface WorkloadCondition {
  readonly status: string;
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly since?: number | undefined;
}

export interface WorkloadSnapshot extends Base {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly generation: number;
  readonly observedGeneration: number;
  /** Desired replicas (spec.replicas; DaemonSets: desiredNumberScheduled; Jobs: parallelism). */
  readonly desired: number;
  readonly current: number;
  readonly ready: number;
  readonly available: number;
  readonly updated: number;
  readonly conditions: Readonly<Record<string, WorkloadCondition>>;
  /** DaemonSets. */
  readonly misscheduled?: number | undefined;
  readonly scheduled?: number | undefined;
  /** Jobs. */
  readonly succeeded?: number | undefined;
  readonly failed?: number | undefined;
  readonly active?: number | undefined;
  readonly completions?: number | undefined;
  readonly startedAt?: number | undefined;
  readonly completedAt?: number | undefined;
  /** Deployments: spec.paused. */
  readonly paused?: boolean | undefined;
}

export interface HpaSnapshot extends Base {
  readonly kind: 'HorizontalPodAutoscaler';
  readonly namespace: string;
  readonly target: { readonly kind: string; readonly name: string };
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** CPU utilisation target and current value (percent of requests), when the HPA has one. */
  readonly targetCpuUtilization?: number | undefined;
  readonly currentCpuUtilization?: number | undefined;
  readonly conditions: Readonly<Record<string, WorkloadCondition>>;
  readonly lastScaleAt?: number | undefined;
}

export interface PvcSnapshot extends Base {
  readonly kind: 'PersistentVolumeClaim';
  readonly namespace: string;
  readonly phase: string;
  readonly storageClass?: string | undefined;
  readonly volumeName?: string | undefined;
  /** Bytes requested. */
  readonly requested?: number | undefined;
}

export type Snapshot =
  | PodSnapshot
  | EventSnapshot
  | NodeSnapshot
  | NamespaceSnapshot
  | WorkloadSnapshot
  | HpaSnapshot
  | PvcSnapshot;

/** What a watcher hands to the history layer, in the order it saw things. */
export type Observation =
  | {
      readonly type: 'upsert';
      readonly cluster: string;
      /** Which watch produced it: the kind plus, for namespace-scoped watches, the namespace. */
      readonly stream: string;
      readonly resourceVersion: string;
      readonly snapshot: Snapshot;
    }
  | {
      readonly type: 'delete';
      readonly cluster: string;
      readonly stream: string;
      readonly resourceVersion: string;
      readonly snapshot: Snapshot;
    }
  | {
      /** A LIST finished: everything of `kind` in scope not in `uids` is gone. */
      readonly type: 'synced';
      readonly cluster: string;
      readonly stream: string;
      readonly kind: WatchedKind;
      readonly namespace?: string | undefined;
      readonly resourceVersion: string;
      readonly uids: ReadonlySet<string>;
    }
  | {
      /** Nothing changed up to this resourceVersion (a bookmark): only the checkpoint moves. */
      readonly type: 'bookmark';
      readonly cluster: string;
      readonly stream: string;
      readonly resourceVersion: string;
    };
