// Pure functions over pod snapshots: what changed in a pod's life, which restarts are new
// crashes, and why a pod is abnormal. No I/O; the history writer calls these.
import type { ContainerSnapshot, PodSnapshot, Termination } from '../domain/kube.js';
import type { NewCrash } from '../store/repos/crash-repo.js';
import type { LifecycleEntry } from '../store/repos/pod-history-repo.js';

/** Lifecycle entries a change produces. `prev` is undefined the first time a pod is seen. */
export function lifecycleChanges(
  cluster: string,
  prev: PodSnapshot | undefined,
  next: PodSnapshot,
  observedAt: number,
): LifecycleEntry[] {
  const out: LifecycleEntry[] = [];
  if (!prev) out.push(lifecycleEntry(cluster, next, 'created', '', next.createdAt || observedAt));
  if (next.node && prev?.node !== next.node) {
    out.push(
      lifecycleEntry(
        cluster,
        next,
        'scheduled',
        next.node,
        next.conditions.PodScheduled?.since ?? observedAt,
      ),
    );
  }
  if (!prev || prev.phase !== next.phase) {
    const at =
      !prev && next.phase === 'Pending' ? next.createdAt || observedAt : (phaseTime(next) ?? observedAt);
    out.push(lifecycleEntry(cluster, next, 'phase', next.phase, at));
  }
  return out;
}

// One object literal with every field, not `{ ...base, action, … }`: V8 (11.3, Node 20) gives
// objects built by spreading and then adding fields maps of their own, about three times the
// memory — and the first sync of a big cluster writes three entries per pod.
function lifecycleEntry(
  cluster: string,
  pod: PodSnapshot,
  action: LifecycleEntry['action'],
  detail: string,
  at: number,
): LifecycleEntry {
  return { cluster, podUid: pod.uid, namespace: pod.namespace, pod: pod.name, action, detail, at };
}

function phaseTime(pod: PodSnapshot): number | undefined {
  if (pod.phase === 'Running') return pod.conditions.Ready?.since ?? pod.startedAt;
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') {
    const finished = pod.containers
      .map((c) => (c.state.kind === 'terminated' ? c.state.finishedAt : undefined))
      .filter((t): t is number => t !== undefined);
    return finished.length > 0 ? Math.max(...finished) : undefined;
  }
  return undefined;
}

export function deletedEntry(cluster: string, pod: PodSnapshot, at: number): LifecycleEntry {
  return lifecycleEntry(cluster, pod, 'deleted', '', at);
}

/**
 * The attempt number of a container's most recent termination, as the kubelet reports it:
 * `restartCount` is the attempt number of the newest container instance, so while a crashed
 * instance is still the newest (terminated, or waiting in CrashLoopBackOff) it is
 * `restartCount`; once the next instance exists (running, being created) it is one less.
 * Undefined when the container never terminated.
 */
export function lastTerminatedAttempt(c: ContainerSnapshot): number | undefined {
  if (c.state.kind === 'terminated') return c.restartCount;
  if (!c.lastTerminated) return undefined;
  if (c.state.kind === 'waiting' && c.state.reason === 'CrashLoopBackOff') return c.restartCount;
  return c.restartCount - 1;
}

/** The termination details of a container's most recent termination. */
function lastTermination(c: ContainerSnapshot): Termination | undefined {
  return c.state.kind === 'terminated' ? c.state : c.lastTerminated;
}

/** Whether a termination is a crash: the kubelet restarts the container because of it. */
function isCrash(pod: PodSnapshot, c: ContainerSnapshot, t: Termination): boolean {
  if (pod.restartPolicy === 'Never') return false;
  // An init container that finished, or an OnFailure container that succeeded, is done.
  if (t.exitCode === 0 && (c.type === 'init' || pod.restartPolicy === 'OnFailure')) return false;
  return true;
}

/**
 * New crashes between two snapshots of a pod: one per container whose most recent termination
 * is newer than the last one seen, keyed by that termination's attempt number (its restart
 * count). Seen as soon as the container terminates, not when it is restarted after the
 * back-off. When attempts were missed (Lookout was away, a watch was cut) the record's
 * `covers` says how many crashes it stands for; its details are those of the latest, the only
 * one the kubelet still knows.
 *
 * `baseline`: the pod is seen for the first time during the first sync of a cluster — its
 * earlier terminations are history Lookout did not witness and become the baseline.
 * Containers stopped because their pod is being deleted (rollouts, scale-down, eviction) or
 * evicted are not crashes.
 */
export function newCrashes(
  cluster: string,
  prev: PodSnapshot | undefined,
  next: PodSnapshot,
  observedAt: number,
  baseline: boolean,
): NewCrash[] {
  if (!prev && baseline) return [];
  if (next.deletingAt !== undefined || next.reason === 'Evicted') return [];
  const out: NewCrash[] = [];
  for (const c of next.containers) {
    const attempt = lastTerminatedAttempt(c);
    const t = lastTermination(c);
    if (attempt === undefined || !t) continue;
    const before = prev?.containers.find((p) => p.name === c.name);
    const seen = before ? (lastTerminatedAttempt(before) ?? -1) : -1;
    if (attempt <= seen || !isCrash(next, c, t)) continue;
    out.push({
      cluster,
      podUid: next.uid,
      namespace: next.namespace,
      pod: next.name,
      container: c.name,
      containerType: c.type,
      restartCount: attempt,
      covers: attempt - seen,
      reason: t.reason,
      exitCode: t.exitCode,
      signal: t.signal ?? null,
      message: t.message ?? null,
      startedAt: t.startedAt ?? null,
      finishedAt: t.finishedAt ?? null,
      node: next.node ?? null,
      workloadKind: next.workload?.kind ?? null,
      workload: next.workload?.name ?? null,
      livenessProbe: c.hasLivenessProbe,
      observedAt,
    });
  }
  return out;
}

export interface AbnormalReason {
  /** '' when the reason concerns the whole pod. */
  readonly container: string;
  readonly reason: string;
  readonly message?: string | undefined;
  /** When the condition began, if the snapshot says. */
  readonly since?: number | undefined;
}

export interface AbnormalOptions {
  /** Pending (or unschedulable) longer than this is abnormal. */
  readonly pendingGraceMs: number;
  /** Running but not Ready longer than this is abnormal. */
  readonly notReadyGraceMs: number;
  /** A container OOM-killed this recently keeps the pod abnormal. */
  readonly oomWindowMs: number;
  /**
   * A crash-looping container runs for a moment between back-offs; it counts as crash-looping
   * until it has been running this long (otherwise every restart would end the period).
   */
  readonly crashLoopSettleMs: number;
}

export const DEFAULT_ABNORMAL: AbnormalOptions = {
  pendingGraceMs: 5 * 60_000,
  notReadyGraceMs: 5 * 60_000,
  oomWindowMs: 10 * 60_000,
  crashLoopSettleMs: 5 * 60_000,
};

/** ErrImagePull and ImagePullBackOff alternate while an image cannot be pulled: one reason. */
const SAME_REASON: Readonly<Record<string, string>> = { ErrImagePull: 'ImagePullBackOff' };

const WAITING_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
  'RunContainerError',
  'ErrImageNeverPull',
]);

/**
 * Why a pod is abnormal right now (empty when it is fine). Machine-readable reasons.
 * `open` holds the reason keys already open for this pod (see {@link reasonKey}).
 */
export function abnormalReasons(
  pod: PodSnapshot,
  now: number,
  options: AbnormalOptions = DEFAULT_ABNORMAL,
  open: ReadonlySet<string> = new Set(),
): AbnormalReason[] {
  if (pod.deletingAt !== undefined) return [];
  if (pod.reason === 'Evicted') return [{ container: '', reason: 'Evicted', message: pod.message }];
  if (pod.phase === 'Succeeded') return [];
  const out: AbnormalReason[] = [];
  for (const c of pod.containers) {
    if (c.state.kind === 'waiting' && c.state.reason && WAITING_REASONS.has(c.state.reason)) {
      out.push({
        container: c.name,
        reason: SAME_REASON[c.state.reason] ?? c.state.reason,
        message: c.state.message,
      });
    } else if (
      open.size > 0 &&
      open.has(reasonKey({ container: c.name, reason: 'CrashLoopBackOff' })) &&
      c.state.kind === 'running' &&
      c.state.startedAt !== undefined &&
      now - c.state.startedAt < options.crashLoopSettleMs
    ) {
      out.push({
        container: c.name,
        reason: 'CrashLoopBackOff',
        message: 'restarted after a back-off; not settled yet',
      });
    }
    const oom =
      c.state.kind === 'terminated' && c.state.reason === 'OOMKilled'
        ? c.state
        : c.lastTerminated?.reason === 'OOMKilled'
          ? c.lastTerminated
          : undefined;
    if (oom && (oom.finishedAt === undefined || now - oom.finishedAt <= options.oomWindowMs)) {
      out.push({
        container: c.name,
        reason: 'OOMKilled',
        message: `exit code ${oom.exitCode}`,
        since: oom.finishedAt,
      });
    }
  }
  if (out.length > 0) return out;
  const scheduled = pod.conditions.PodScheduled;
  if (pod.phase === 'Pending') {
    const since = pod.createdAt;
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      if (now - (scheduled.since ?? since) >= options.pendingGraceMs) {
        return [
          {
            container: '',
            reason: 'Unschedulable',
            message: scheduled.message,
            since: scheduled.since ?? since,
          },
        ];
      }
    } else if (now - since >= options.pendingGraceMs) {
      return [{ container: '', reason: 'Pending', message: pod.message, since }];
    }
    return [];
  }
  if (pod.phase === 'Running') {
    const ready = pod.conditions.Ready;
    if (ready && ready.status !== 'True') {
      const since = ready.since ?? pod.startedAt ?? pod.createdAt;
      if (now - since >= options.notReadyGraceMs)
        return [{ container: '', reason: 'NotReady', message: ready.message, since }];
    }
  }
  if (pod.phase === 'Failed')
    return [{ container: '', reason: pod.reason ?? 'Failed', message: pod.message }];
  return [];
}

/** The key of an abnormal reason within a pod. */
export function reasonKey(r: { container: string; reason: string }): string {
  return `${r.container}\u0000${r.reason}`;
}
