// Turns Kubernetes wire objects into Lookout's snapshots (src/domain/kube.ts). The only place
// that reads wire fields; a malformed object yields a reason instead of a snapshot, so the
// caller can count it, log it and move on.
import type {
  ContainerSnapshot,
  ContainerState,
  ContainerType,
  EventSnapshot,
  HpaSnapshot,
  NamespaceSnapshot,
  NodeSnapshot,
  OwnerRef,
  PodCondition,
  PodSnapshot,
  PvcSnapshot,
  Resources,
  Snapshot,
  Termination,
  WatchedKind,
  WorkloadCondition,
  WorkloadKind,
  WorkloadSnapshot,
} from '../domain/kube.js';
import { parseQuantity } from '../domain/quantity.js';

type Raw = Record<string, unknown>;

export type NormalizeResult =
  { readonly ok: true; readonly snapshot: Snapshot } | { readonly ok: false; readonly reason: string };

function obj(value: unknown): Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {};
}

function arr(value: unknown): Raw[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// Snapshots are kept for as long as their objects exist, and many of their strings repeat:
// the namespace, node, image, owner and labels of ten thousand pods, the texts of their
// conditions. JSON.parse gives every occurrence a string of its own; interning keeps one. The
// table is bounded (and simply emptied when full): a string missed only costs its own copy.
const INTERN_LIMIT = 20_000;
const interned = new Map<string, string>();

function intern(value: string): string;
function intern(value: string | undefined): string | undefined;
function intern(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(value, value);
  return value;
}

/** A string field, interned (see above): for values that repeat across objects. */
function shared(value: unknown): string | undefined {
  return typeof value === 'string' ? intern(value) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function labels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value))) if (typeof v === 'string') out[k] = intern(v);
  return out;
}

function resources(value: unknown): Resources {
  const r = obj(value);
  return {
    cpu: parseQuantity(r.cpu),
    memory: parseQuantity(r.memory),
  };
}

/** A node's capacity or allocatable (a literal: see lifecycleEntry in history/pod-analysis.ts). */
function nodeResources(r: Raw): Resources & { pods: number | undefined } {
  return { cpu: parseQuantity(r.cpu), memory: parseQuantity(r.memory), pods: parseQuantity(r.pods) };
}

function controllerOwner(meta: Raw): OwnerRef | undefined {
  const refs = arr(meta.ownerReferences);
  const ref = refs.find((r) => r.controller === true) ?? refs[0];
  if (!ref) return undefined;
  const kind = shared(ref.kind);
  const name = shared(ref.name);
  const uid = shared(ref.uid);
  return kind && name && uid ? { kind, name, uid } : undefined;
}

interface BaseFields {
  uid: string;
  name: string;
  namespace: string | undefined;
  resourceVersion: string;
  labels: Record<string, string>;
  createdAt: number;
  deletingAt: number | undefined;
  owner: OwnerRef | undefined;
}

function base(raw: Raw): BaseFields | string {
  const meta = obj(raw.metadata);
  const uid = str(meta.uid);
  const name = str(meta.name);
  if (!uid) return 'metadata.uid is missing';
  if (!name) return 'metadata.name is missing';
  return {
    uid,
    name,
    namespace: shared(meta.namespace),
    resourceVersion: str(meta.resourceVersion) ?? '',
    labels: labels(meta.labels),
    createdAt: time(meta.creationTimestamp) ?? 0,
    deletingAt: time(meta.deletionTimestamp),
    owner: controllerOwner(meta),
  };
}

function termination(value: unknown): Termination | undefined {
  const t = obj(value);
  if (Object.keys(t).length === 0) return undefined;
  return {
    reason: shared(t.reason) ?? (num(t.exitCode) === 0 ? 'Completed' : 'Error'),
    exitCode: num(t.exitCode) ?? 0,
    signal: num(t.signal),
    message: str(t.message),
    startedAt: time(t.startedAt),
    finishedAt: time(t.finishedAt),
    containerId: str(t.containerID),
  };
}

function containerState(value: unknown): ContainerState {
  const s = obj(value);
  if (s.terminated) return { kind: 'terminated', ...termination(s.terminated)! };
  if (s.running) return { kind: 'running', startedAt: time(obj(s.running).startedAt) };
  const waiting = obj(s.waiting);
  return { kind: 'waiting', reason: shared(waiting.reason), message: shared(waiting.message) };
}

function containers(spec: Raw, status: Raw): ContainerSnapshot[] {
  const out: ContainerSnapshot[] = [];
  const groups: Array<[ContainerType, string, string]> = [
    ['init', 'initContainers', 'initContainerStatuses'],
    ['app', 'containers', 'containerStatuses'],
    ['ephemeral', 'ephemeralContainers', 'ephemeralContainerStatuses'],
  ];
  for (const [type, specKey, statusKey] of groups) {
    const statuses = new Map(arr(status[statusKey]).map((s) => [str(s.name) ?? '', s]));
    for (const c of arr(spec[specKey])) {
      const name = shared(c.name);
      if (!name) continue;
      const s = statuses.get(name) ?? {};
      const res = obj(c.resources);
      out.push({
        name,
        type,
        image: shared(s.image) ?? shared(c.image) ?? '',
        ready: s.ready === true,
        restartCount: num(s.restartCount) ?? 0,
        state: s.state ? containerState(s.state) : { kind: 'waiting', reason: 'ContainerCreating' },
        lastTerminated: termination(obj(s.lastState).terminated),
        requests: resources(res.requests),
        limits: resources(res.limits),
        hasLivenessProbe: c.livenessProbe !== undefined,
      });
    }
  }
  return out;
}

/** A condition whose status is `S`: WorkloadCondition for any text, PodCondition narrowed. */
type ConditionOf<S extends string> = Omit<WorkloadCondition, 'status'> & { readonly status: S };

/**
 * A conditions list as a map by type; `statusOf` reads each condition's status. Each entry is
 * one object literal (no spread), so that the entries of all objects share one shape.
 */
function conditionMap<S extends string>(
  value: unknown,
  statusOf: (status: unknown) => S,
  timeKey: 'lastTransitionTime' | 'lastUpdateTime' = 'lastTransitionTime',
): Record<string, ConditionOf<S>> {
  const out: Record<string, ConditionOf<S>> = {};
  for (const c of arr(value)) {
    const type = str(c.type);
    if (!type) continue;
    out[type] = {
      status: statusOf(c.status),
      reason: shared(c.reason),
      message: shared(c.message),
      since: time(c[timeKey]) ?? time(c.lastTransitionTime),
    };
  }
  return out;
}

/** Workload conditions keep their status text. */
const anyStatus = (status: unknown): string => shared(status) ?? 'Unknown';

/** Pod and node conditions: status narrowed to True, False or Unknown. */
function statusConditions(value: unknown): Record<string, PodCondition> {
  return conditionMap(value, (status) => (status === 'True' || status === 'False' ? status : 'Unknown'));
}

/** The workload behind a pod: a ReplicaSet named `<deployment>-<pod-template-hash>` belongs to that Deployment. */
function workloadOf(
  owner: OwnerRef | undefined,
  podLabels: Record<string, string>,
): { kind: string; name: string } | undefined {
  if (!owner) return undefined;
  const hash = podLabels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: intern(owner.name.slice(0, -hash.length - 1)) };
  }
  if (owner.kind === 'Job' && podLabels['batch.kubernetes.io/controller-uid'] === undefined)
    return { kind: 'Job', name: owner.name };
  return { kind: owner.kind, name: owner.name };
}

function pod(raw: Raw, b: BaseFields): PodSnapshot {
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  const conditions = statusConditions(status.conditions);
  return {
    kind: 'Pod',
    ...b,
    namespace: b.namespace ?? 'default',
    node: shared(spec.nodeName),
    phase: shared(status.phase) ?? 'Pending',
    reason: shared(status.reason),
    message: str(status.message),
    conditions,
    containers: containers(spec, status),
    workload: workloadOf(b.owner, b.labels),
    podIP: str(status.podIP),
    hostIP: shared(status.hostIP),
    qosClass: shared(status.qosClass),
    startedAt: time(status.startTime),
    restartPolicy: shared(spec.restartPolicy) ?? 'Always',
  };
}

function event(raw: Raw, b: BaseFields): EventSnapshot | string {
  const involved = obj(raw.involvedObject ?? raw.regarding);
  const series = obj(raw.series);
  const source = obj(raw.source);
  const reason = str(raw.reason);
  if (!reason) return 'reason is missing';
  const count = Math.max(1, num(raw.count) ?? 0, num(series.count) ?? 0, num(raw.deprecatedCount) ?? 0);
  const eventTime = time(raw.eventTime);
  const firstAt = time(raw.firstTimestamp) ?? time(raw.deprecatedFirstTimestamp) ?? eventTime ?? b.createdAt;
  const lastAt =
    time(series.lastObservedTime) ??
    time(raw.lastTimestamp) ??
    time(raw.deprecatedLastTimestamp) ??
    eventTime ??
    firstAt;
  return {
    kind: 'Event',
    ...b,
    namespace: b.namespace ?? 'default',
    reason,
    type: str(raw.type) ?? 'Normal',
    message: str(raw.message) ?? str(raw.note) ?? '',
    count,
    firstAt,
    lastAt,
    involved: {
      kind: str(involved.kind) ?? '',
      name: str(involved.name) ?? '',
      namespace: str(involved.namespace),
      uid: str(involved.uid),
      fieldPath: str(involved.fieldPath),
    },
    source: str(raw.reportingController) || str(raw.reportingComponent) || str(source.component) || '',
    host: str(source.host) || str(raw.reportingInstance) || undefined,
  };
}

function node(raw: Raw, b: BaseFields): NodeSnapshot {
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  const conditions = statusConditions(status.conditions);
  const capacity = obj(status.capacity);
  const allocatable = obj(status.allocatable);
  const roles = Object.keys(b.labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => intern(k.slice('node-role.kubernetes.io/'.length)));
  const address = arr(status.addresses).find((a) => a.type === 'InternalIP');
  return {
    kind: 'Node',
    ...b,
    ready: conditions.Ready?.status === 'True',
    conditions,
    unschedulable: spec.unschedulable === true,
    taints: arr(spec.taints).map((t) => ({
      key: shared(t.key) ?? '',
      effect: shared(t.effect) ?? '',
      value: shared(t.value),
    })),
    capacity: nodeResources(capacity),
    allocatable: nodeResources(allocatable),
    roles,
    kubeletVersion: shared(obj(status.nodeInfo).kubeletVersion),
    internalIP: str(address?.address),
  };
}

function workload(kind: WorkloadKind, raw: Raw, b: BaseFields): WorkloadSnapshot {
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  const meta = obj(raw.metadata);
  const common = {
    ...b,
    kind,
    namespace: b.namespace ?? 'default',
    generation: num(meta.generation) ?? 0,
    observedGeneration: num(status.observedGeneration) ?? 0,
    conditions: conditionMap(
      status.conditions,
      anyStatus,
      kind === 'Deployment' ? 'lastUpdateTime' : 'lastTransitionTime',
    ),
  };
  switch (kind) {
    case 'DaemonSet':
      return {
        ...common,
        desired: num(status.desiredNumberScheduled) ?? 0,
        current: num(status.currentNumberScheduled) ?? 0,
        ready: num(status.numberReady) ?? 0,
        available: num(status.numberAvailable) ?? 0,
        updated: num(status.updatedNumberScheduled) ?? 0,
        misscheduled: num(status.numberMisscheduled) ?? 0,
        scheduled: num(status.currentNumberScheduled) ?? 0,
      };
    case 'Job':
      return {
        ...common,
        desired: num(spec.parallelism) ?? 1,
        current: num(status.active) ?? 0,
        ready: num(status.ready) ?? 0,
        available: num(status.active) ?? 0,
        updated: 0,
        succeeded: num(status.succeeded) ?? 0,
        failed: num(status.failed) ?? 0,
        active: num(status.active) ?? 0,
        completions: num(spec.completions),
        startedAt: time(status.startTime),
        completedAt: time(status.completionTime),
      };
    default:
      return {
        ...common,
        desired: num(spec.replicas) ?? 1,
        current: num(status.replicas) ?? 0,
        ready: num(status.readyReplicas) ?? 0,
        available: num(status.availableReplicas) ?? 0,
        updated: num(status.updatedReplicas) ?? num(status.currentReplicas) ?? 0,
        paused: kind === 'Deployment' ? spec.paused === true : undefined,
      };
  }
}

function hpa(raw: Raw, b: BaseFields): HpaSnapshot {
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  const target = obj(spec.scaleTargetRef);
  let targetCpu: number | undefined = num(spec.targetCPUUtilizationPercentage);
  for (const m of arr(spec.metrics)) {
    const resource = obj(m.resource);
    if (m.type === 'Resource' && resource.name === 'cpu')
      targetCpu = num(obj(resource.target).averageUtilization) ?? targetCpu;
  }
  let currentCpu: number | undefined = num(status.currentCPUUtilizationPercentage);
  for (const m of arr(status.currentMetrics)) {
    const resource = obj(m.resource);
    if (m.type === 'Resource' && resource.name === 'cpu')
      currentCpu = num(obj(resource.current).averageUtilization) ?? currentCpu;
  }
  return {
    kind: 'HorizontalPodAutoscaler',
    ...b,
    namespace: b.namespace ?? 'default',
    target: { kind: shared(target.kind) ?? '', name: shared(target.name) ?? '' },
    minReplicas: num(spec.minReplicas) ?? 1,
    maxReplicas: num(spec.maxReplicas) ?? 1,
    currentReplicas: num(status.currentReplicas) ?? 0,
    desiredReplicas: num(status.desiredReplicas) ?? 0,
    targetCpuUtilization: targetCpu,
    currentCpuUtilization: currentCpu,
    conditions: conditionMap(status.conditions, anyStatus),
    lastScaleAt: time(status.lastScaleTime),
  };
}

function pvc(raw: Raw, b: BaseFields): PvcSnapshot {
  const spec = obj(raw.spec);
  const status = obj(raw.status);
  return {
    kind: 'PersistentVolumeClaim',
    ...b,
    namespace: b.namespace ?? 'default',
    phase: shared(status.phase) ?? 'Pending',
    storageClass: shared(spec.storageClassName),
    volumeName: str(spec.volumeName),
    requested: parseQuantity(obj(obj(spec.resources).requests).storage),
  };
}

function namespace(raw: Raw, b: BaseFields): NamespaceSnapshot {
  return { kind: 'Namespace', ...b, namespace: undefined, phase: str(obj(raw.status).phase) ?? 'Active' };
}

/** Builds the snapshot of a wire object of the given kind. */
export function normalize(kind: WatchedKind, value: unknown): NormalizeResult {
  const raw = obj(value);
  if (Object.keys(raw).length === 0) return { ok: false, reason: 'not an object' };
  const b = base(raw);
  if (typeof b === 'string') return { ok: false, reason: b };
  let snapshot: Snapshot | string;
  switch (kind) {
    case 'Pod':
      snapshot = pod(raw, b);
      break;
    case 'Event':
      snapshot = event(raw, b);
      break;
    case 'Node':
      snapshot = node(raw, b);
      break;
    case 'Namespace':
      snapshot = namespace(raw, b);
      break;
    case 'HorizontalPodAutoscaler':
      snapshot = hpa(raw, b);
      break;
    case 'PersistentVolumeClaim':
      snapshot = pvc(raw, b);
      break;
    default:
      snapshot = workload(kind, raw, b);
  }
  return typeof snapshot === 'string' ? { ok: false, reason: snapshot } : { ok: true, snapshot };
}
