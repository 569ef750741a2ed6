// What a simulated kubelet knows about the pods on its node — container instances, restart
// back-off, waiting reasons — and how it turns that into `status` exactly as the real kubelet
// does: phase by its rules, conditions, and per container `state`, `lastState` and
// `restartCount` (the attempt number of the newest instance).
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IContainerState } from 'kubernetes-models/v1/ContainerState';
import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import { rfc3339 } from '../../object-store.js';
import { findCondition, setCondition, type Condition } from '../kinds.js';
import { qosClass } from '../pods.js';
import type { Timer } from '../timers.js';
import type { Behaviour } from './behaviour.js';
import type { InstanceLog } from './instance-log.js';

export type ContainerKind = 'init' | 'app' | 'ephemeral';

/** One run of a container (what the runtime calls a container). */
export interface Instance {
  readonly id: string; // containerd://…
  readonly attempt: number;
  readonly startedAt: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  signal?: number;
  ready: boolean;
  /** Startup probe passed (or none). */
  started: boolean;
  readonly log: InstanceLog;
  readonly timers: Timer[];
  /** Idle working set and the leak rate, for the usage model. */
  readonly memoryBase: number;
  readonly cpuBase: number;
  readonly leakBytesPerSecond: number;
}

/** Kubernetes' container restart back-off: 10 s doubling to 5 min, reset after 10 min of quiet. */
export interface Backoff {
  durationMs: number;
  lastUpdate: number;
}

export interface ContainerRuntime {
  readonly name: string;
  readonly kind: ContainerKind;
  readonly spec: IContainer;
  readonly behaviour: Behaviour;
  /** The newest instance, running or dead. */
  current?: Instance;
  /** The one before it (dead): what `lastState` shows while `current` runs. */
  previous?: Instance;
  /** Why the container is not running when it should (CrashLoopBackOff, ErrImagePull, …). */
  waiting?: { reason: string; message?: string };
  backoff?: Backoff;
  /** A start is in progress (pulling, creating). */
  starting: boolean;
  imageId?: string;
  livenessFailures: number;
  readinessFailures: number;
}

export interface PodRuntime {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly spec: IPodSpec;
  readonly containers: Map<string, ContainerRuntime>;
  readonly startTime: number;
  podIP?: string;
  sandboxReady: boolean;
  /** Deletion in progress (containers being stopped). */
  terminating: boolean;
  /** Evicted or finished: the kubelet leaves it alone. */
  final: boolean;
  phaseOverride?: { phase: 'Failed'; reason: string; message: string };
  /** Pod-level timers (sandbox, resync, mount retries); cancelled when the pod goes. */
  readonly timers: Set<Timer>;
  resync?: Timer;
  dirty: boolean;
}

export function restartPolicy(spec: IPodSpec): 'Always' | 'OnFailure' | 'Never' {
  return spec.restartPolicy ?? 'Always';
}

export function isRunning(c: ContainerRuntime): boolean {
  return c.current !== undefined && c.current.finishedAt === undefined;
}

/** Whether the newest instance ended in a way that makes the kubelet start another. */
export function shouldRestart(c: ContainerRuntime, policy: 'Always' | 'OnFailure' | 'Never'): boolean {
  if (c.kind === 'ephemeral') return false;
  const cur = c.current;
  if (!cur || cur.finishedAt === undefined) return false;
  if (c.kind === 'init') return cur.exitCode !== 0 && policy !== 'Never';
  return policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
}

function terminated(i: Instance): IContainerState {
  return {
    terminated: {
      exitCode: i.exitCode ?? 0,
      ...(i.signal !== undefined ? { signal: i.signal } : {}),
      reason: i.reason ?? (i.exitCode === 0 ? 'Completed' : 'Error'),
      ...(i.message ? { message: i.message } : {}),
      startedAt: rfc3339(i.startedAt),
      finishedAt: rfc3339(i.finishedAt ?? i.startedAt),
      containerID: i.id,
    },
  };
}

/** The status of one container as the kubelet reports it. */
export function containerStatus(
  c: ContainerRuntime,
  image: string,
  defaultWaiting: string,
): IContainerStatus {
  const cur = c.current;
  let state: IContainerState;
  let lastState: IContainerState = {};
  if (cur && cur.finishedAt === undefined) {
    state = { running: { startedAt: rfc3339(cur.startedAt) } };
    if (c.previous) lastState = terminated(c.previous);
  } else if (cur && c.waiting) {
    state = {
      waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) },
    };
    lastState = terminated(cur);
  } else if (cur) {
    state = terminated(cur);
    if (c.previous) lastState = terminated(c.previous);
  } else {
    const reason = c.waiting?.reason ?? defaultWaiting;
    state = { waiting: { reason, ...(c.waiting?.message ? { message: c.waiting.message } : {}) } };
  }
  const running = cur !== undefined && cur.finishedAt === undefined;
  return {
    name: c.name,
    state,
    lastState,
    ready: running && cur.ready,
    restartCount: cur?.attempt ?? 0,
    image,
    imageID: c.imageId ?? '',
    ...(cur ? { containerID: cur.id } : {}),
    started: running && cur.started,
  };
}

/** The pod phase by the kubelet's rules (getPhase). */
export function podPhase(pod: PodRuntime): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (pod.phaseOverride) return pod.phaseOverride.phase;
  const policy = restartPolicy(pod.spec);
  const inits = [...pod.containers.values()].filter((c) => c.kind === 'init');
  const apps = [...pod.containers.values()].filter((c) => c.kind === 'app');
  const initFailed = inits.some(
    (c) => c.current?.finishedAt !== undefined && c.current.exitCode !== 0 && policy === 'Never',
  );
  if (initFailed) return 'Failed';
  const initDone = inits.every((c) => c.current?.finishedAt !== undefined && c.current.exitCode === 0);
  if (!initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of apps) {
    const cur = c.current;
    if (!cur) waiting++;
    else if (cur.finishedAt === undefined) running++;
    else {
      stopped++;
      if (cur.exitCode === 0) succeeded++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always')
      return pod.terminating ? (stopped === succeeded ? 'Succeeded' : 'Failed') : 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'OnFailure') return pod.terminating ? 'Failed' : 'Running';
    return 'Failed';
  }
  return 'Pending';
}

export interface StatusContext {
  readonly now: number;
  readonly hostIP: string;
  /** The status currently stored (its non-kubelet conditions and transition times are kept). */
  readonly stored: IPodStatus | undefined;
}

/** The full pod status the kubelet writes. */
export function podStatus(pod: PodRuntime, ctx: StatusContext): IPodStatus {
  const now = rfc3339(ctx.now);
  const phase = podPhase(pod);
  const all = [...pod.containers.values()];
  const inits = all.filter((c) => c.kind === 'init');
  const apps = all.filter((c) => c.kind === 'app');
  const ephemerals = all.filter((c) => c.kind === 'ephemeral');
  const initDone = inits.every((c) => c.current?.finishedAt !== undefined && c.current.exitCode === 0);
  const imageOf = (c: ContainerRuntime): string => c.spec.image ?? '';
  const appDefault = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const initDefault = 'PodInitializing';

  let conditions = ((ctx.stored?.conditions ?? []) as Condition[]).map((c) => ({ ...c }));
  const set = (c: Condition): void => {
    conditions = setCondition(conditions, c, now);
  };
  set({ type: 'PodReadyToStartContainers', status: pod.sandboxReady && !pod.final ? 'True' : 'False' });
  if (initDone) set({ type: 'Initialized', status: 'True' });
  else {
    const pending = inits.filter((c) => !(c.current?.finishedAt !== undefined && c.current.exitCode === 0));
    set({
      type: 'Initialized',
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: `containers with incomplete status: [${pending.map((c) => c.name).join(' ')}]`,
    });
  }
  const unready = apps.filter((c) => !(isRunning(c) && c.current!.ready));
  if (phase === 'Succeeded') {
    set({ type: 'ContainersReady', status: 'False', reason: 'PodCompleted' });
    set({ type: 'Ready', status: 'False', reason: 'PodCompleted' });
  } else if (unready.length === 0 && apps.length > 0 && !pod.final) {
    set({ type: 'ContainersReady', status: 'True' });
    set({ type: 'Ready', status: 'True' });
  } else {
    const message = `containers with unready status: [${unready.map((c) => c.name).join(' ')}]`;
    set({ type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message });
    set({ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message });
  }
  // Condition order as the kubelet writes it, the scheduler's and others' kept after.
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  conditions.sort((a, b) => rank(order, a.type) - rank(order, b.type));
  for (const c of conditions) {
    if (c.type !== 'PodScheduled' && c.type !== 'DisruptionTarget') delete c.lastProbeTime;
    if (!c.reason) delete c.reason;
    if (!c.message) delete c.message;
  }

  const status: IPodStatus = {
    phase,
    conditions: conditions,
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    ...(pod.podIP ? { podIP: pod.podIP, podIPs: [{ ip: pod.podIP }] } : {}),
    startTime: rfc3339(pod.startTime),
    ...(inits.length > 0
      ? { initContainerStatuses: inits.map((c) => containerStatus(c, imageOf(c), initDefault)) }
      : {}),
    containerStatuses: apps.map((c) => containerStatus(c, imageOf(c), appDefault)),
    ...(ephemerals.length > 0
      ? {
          ephemeralContainerStatuses: ephemerals.map((c) =>
            containerStatus(c, imageOf(c), 'ContainerCreating'),
          ),
        }
      : {}),
    qosClass: qosClass(pod.spec),
    ...(pod.phaseOverride ? { reason: pod.phaseOverride.reason, message: pod.phaseOverride.message } : {}),
  };
  return status;
}

function rank(order: string[], type: string): number {
  const i = order.indexOf(type);
  return i < 0 ? order.length : i;
}

/** Ready in the stored status (for event-driven consumers). */
export function storedReady(status: IPodStatus | undefined): boolean {
  return findCondition(status?.conditions, 'Ready')?.status === 'True';
}
