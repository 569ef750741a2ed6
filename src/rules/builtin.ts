// The built-in rule pack: each rule's exact condition (docs/rules.md says the same in words).
// Pure functions over Lookout's snapshots; `for`, holds and cooldowns are the engine's.
import type { RuleSettings, RulesConfig } from '../config/sections/rules.js';
import type { CrashRecord } from '../domain/history.js';
import type { ContainerSnapshot, PodSnapshot, WorkloadSnapshot } from '../domain/kube.js';
import { formatBytes } from '../domain/quantity.js';
import type { ClusterStateView } from '../history/cluster-state.js';
import { explainTermination } from '../notify/explain.js';
import {
  podLabels,
  workloadLabels,
  type Candidate,
  type CrashRule,
  type LevelRule,
  type OccurrenceRule,
  type PodCreatedRule,
  type Rule,
} from './rule.js';
import { THRESHOLD_RULES } from './threshold.js';

type S<K extends keyof RulesConfig> = RulesConfig[K];

function lastLines(text: string | null, lines: number, maxChars = 4000): string {
  if (!text || lines === 0) return '';
  const all = text.replace(/\n+$/, '').split('\n');
  let out = all.slice(-lines).join('\n');
  if (out.length > maxChars) out = out.slice(out.length - maxChars);
  return out;
}

function fmtTime(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString() : '';
}

/** The annotations every crash alert carries. */
function crashCandidate(crash: CrashRecord, logLines: number): Candidate {
  const livenessKill = crash.warningEvents.some(
    (e) =>
      (e.reason === 'Unhealthy' && /liveness probe/i.test(e.message)) ||
      (e.reason === 'Killing' && /liveness probe/i.test(e.message)),
  );
  const hint = explainTermination({
    reason: crash.reason,
    exitCode: crash.exitCode,
    signal: crash.signal ?? undefined,
    livenessProbeFailed: livenessKill,
    message: crash.message ?? undefined,
  });
  const labels: Record<string, string> = {
    namespace: crash.namespace,
    pod: crash.pod,
    container: crash.container,
    reason: crash.reason,
    restart_count: String(crash.restartCount),
  };
  if (crash.node) labels.node = crash.node;
  if (crash.workload && crash.workloadKind) {
    labels.workload_kind = crash.workloadKind;
    labels.workload = crash.workload;
  }
  const missed = crash.covers > 1 ? ` (${crash.covers} restarts since the last one seen)` : '';
  const annotations: Record<string, string> = {
    summary: `Container ${crash.container} of pod ${crash.namespace}/${crash.pod} crashed: ${crash.reason}, exit code ${crash.exitCode}${missed}`,
    description: `${hint.summary} Restart ${crash.restartCount}${crash.finishedAt ? `, terminated at ${fmtTime(crash.finishedAt)}` : ''}.`,
    exit_code: String(crash.exitCode),
    restart_count: String(crash.restartCount),
    hint: hint.text,
    crash_id: String(crash.id),
  };
  if (crash.signal !== null) annotations.signal = String(crash.signal);
  if (crash.covers > 1) annotations.restarts_covered = String(crash.covers);
  const log = lastLines(crash.logTail, logLines);
  if (log) annotations.log_tail = log;
  else if (crash.logStatus === 'unavailable')
    annotations.log_tail = `(logs unavailable: ${crash.logError ?? 'unknown reason'})`;
  if (crash.warningEvents.length > 0) {
    annotations.warning_events = crash.warningEvents
      .map((e) => `${e.reason}${e.count > 1 ? ` (x${e.count})` : ''}: ${e.message}`)
      .join('\n');
  }
  return {
    labels,
    annotations,
    cooldownKey: `${crash.namespace}/${crash.workload ?? crash.pod}/${crash.container}`,
  };
}

const containerCrashed: CrashRule = {
  kind: 'crash',
  name: 'ContainerCrashed',
  onCrash(crash, settings) {
    const s = settings as S<'ContainerCrashed'>;
    if (crash.reason === 'OOMKilled') return undefined; // ContainerOOMKilled covers these
    if (crash.restartCount < s.min_restarts || s.ignore_exit_codes.includes(crash.exitCode)) return undefined;
    return crashCandidate(crash, s.log_lines);
  },
};

const containerOOMKilled: CrashRule = {
  kind: 'crash',
  name: 'ContainerOOMKilled',
  onCrash(crash, settings) {
    if (crash.reason !== 'OOMKilled') return undefined;
    return crashCandidate(crash, (settings as S<'ContainerOOMKilled'>).log_lines);
  },
};

/** One candidate per container whose open abnormal period has one of `reasons`. */
function abnormalContainerRule(
  name: LevelRule['name'],
  reasons: readonly string[],
  describe: (pod: PodSnapshot, c: string, reason: string) => string,
): LevelRule {
  return {
    kind: 'level',
    name,
    evaluate(state) {
      const out: Candidate[] = [];
      for (const pod of state.pods()) {
        for (const period of state.abnormal(pod.uid)) {
          if (!reasons.includes(period.reason) || period.container === '') continue;
          const container = pod.containers.find((c) => c.name === period.container);
          const waiting = container?.state.kind === 'waiting' ? container.state : undefined;
          out.push({
            labels: { ...podLabels(pod), container: period.container, reason: period.reason },
            annotations: {
              summary: describe(pod, period.container, period.reason),
              ...(waiting?.message ? { description: waiting.message } : {}),
              ...(container ? { image: container.image, restart_count: String(container.restartCount) } : {}),
            },
            since: period.beganAt,
          });
        }
      }
      return out;
    },
  };
}

/** One candidate per pod whose open abnormal period has one of `reasons`. */
function abnormalPodRule(
  name: LevelRule['name'],
  reasons: readonly string[],
  describe: (pod: PodSnapshot, reason: string) => string,
  skip?: (pod: PodSnapshot) => boolean,
): LevelRule {
  return {
    kind: 'level',
    name,
    evaluate(state) {
      const out: Candidate[] = [];
      for (const pod of state.pods()) {
        if (skip?.(pod)) continue;
        for (const period of state.abnormal(pod.uid)) {
          if (!reasons.includes(period.reason) || period.container !== '') continue;
          out.push({
            labels: { ...podLabels(pod), reason: period.reason },
            annotations: {
              summary: describe(pod, period.reason),
              ...(pod.message ? { description: pod.message } : {}),
            },
            since: period.beganAt,
          });
        }
      }
      return out;
    },
  };
}

function workloadRule(
  name: LevelRule['name'],
  kinds: readonly WorkloadSnapshot['kind'][],
  test: (
    w: WorkloadSnapshot,
  ) => { summary: string; since?: number | undefined; description?: string | undefined } | undefined,
): LevelRule {
  return {
    kind: 'level',
    name,
    evaluate(state) {
      const out: Candidate[] = [];
      for (const kind of kinds) {
        for (const w of state.workloads(kind)) {
          if (w.deletingAt !== undefined) continue;
          const hit = test(w);
          if (!hit) continue;
          out.push({
            labels: workloadLabels(w),
            annotations: {
              summary: hit.summary,
              ...(hit.description ? { description: hit.description } : {}),
            },
            since: hit.since,
          });
        }
      }
      return out;
    },
  };
}

const podCrashLooping = abnormalContainerRule(
  'PodCrashLooping',
  ['CrashLoopBackOff'],
  (pod, c) => `Container ${c} of pod ${pod.namespace}/${pod.name} keeps crashing (CrashLoopBackOff)`,
);
const imagePullFailing = abnormalContainerRule(
  'ImagePullFailing',
  ['ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName'],
  (pod, c) => `Pod ${pod.namespace}/${pod.name} cannot pull the image of container ${c}`,
);
const containerConfigError = abnormalContainerRule(
  'ContainerConfigError',
  ['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'],
  (pod, c, reason) => `Container ${c} of pod ${pod.namespace}/${pod.name} cannot start: ${reason}`,
);
const podNotReady = abnormalPodRule(
  'PodNotReady',
  ['NotReady'],
  (pod) => `Pod ${pod.namespace}/${pod.name} is running but not ready`,
  (pod) => pod.owner?.kind === 'Job',
);
const podPendingTooLong = abnormalPodRule(
  'PodPendingTooLong',
  ['Pending', 'Unschedulable'],
  (pod, reason) =>
    `Pod ${pod.namespace}/${pod.name} is still pending${reason === 'Unschedulable' ? ': no node can run it' : ''}`,
);
const podEvicted = abnormalPodRule(
  'PodEvicted',
  ['Evicted'],
  (pod) => `Pod ${pod.namespace}/${pod.name} was evicted from ${pod.node ?? 'its node'}`,
);

const deploymentReplicasMismatch = workloadRule('DeploymentReplicasMismatch', ['Deployment'], (d) => {
  if (d.paused || d.desired === 0 || d.available >= d.desired) return undefined;
  const available = d.conditions.Available;
  return {
    summary: `Deployment ${d.namespace}/${d.name} has ${d.available} of ${d.desired} replicas available`,
    since: available?.status === 'False' ? available.since : undefined,
  };
});

const rolloutStuck = workloadRule('RolloutStuck', ['Deployment'], (d) => {
  const progressing = d.conditions.Progressing;
  if (progressing?.status !== 'False' || progressing.reason !== 'ProgressDeadlineExceeded') return undefined;
  return {
    summary: `The rollout of Deployment ${d.namespace}/${d.name} is stuck`,
    description: progressing.message,
    since: progressing.since,
  };
});

const statefulSetReplicasMismatch = workloadRule('StatefulSetReplicasMismatch', ['StatefulSet'], (s) =>
  s.ready === s.desired
    ? undefined
    : { summary: `StatefulSet ${s.namespace}/${s.name} has ${s.ready} of ${s.desired} replicas ready` },
);

const daemonSetNotScheduled = workloadRule('DaemonSetNotScheduled', ['DaemonSet'], (d) => {
  const missing = d.desired - (d.scheduled ?? d.current);
  return missing > 0
    ? { summary: `DaemonSet ${d.namespace}/${d.name} is not scheduled on ${missing} of ${d.desired} nodes` }
    : undefined;
});

const jobFailed = workloadRule('JobFailed', ['Job'], (j) => {
  const failed = j.conditions.Failed;
  if (failed?.status !== 'True') return undefined;
  return {
    summary: `Job ${j.namespace}/${j.name} failed${failed.reason ? `: ${failed.reason}` : ''}`,
    description: failed.message,
    since: failed.since,
  };
});

function hpaRule(
  name: LevelRule['name'],
  test: (h: ReturnType<ClusterStateView['hpas']>[number]) => string | undefined,
): LevelRule {
  return {
    kind: 'level',
    name,
    evaluate(state) {
      const out: Candidate[] = [];
      for (const h of state.hpas()) {
        const summary = test(h);
        if (!summary) continue;
        out.push({
          labels: {
            namespace: h.namespace,
            hpa: h.name,
            workload_kind: h.target.kind,
            workload: h.target.name,
          },
          annotations: {
            summary,
            description: `replicas ${h.currentReplicas} (desired ${h.desiredReplicas}, min ${h.minReplicas}, max ${h.maxReplicas})${
              h.currentCpuUtilization !== undefined
                ? `, CPU ${h.currentCpuUtilization}% of requests (target ${h.targetCpuUtilization ?? '?'}%)`
                : ''
            }`,
          },
        });
      }
      return out;
    },
  };
}

const hpaMaxedOut = hpaRule('HpaMaxedOut', (h) =>
  h.currentReplicas === h.maxReplicas && h.maxReplicas !== h.minReplicas
    ? `HPA ${h.namespace}/${h.name} runs at its maximum of ${h.maxReplicas} replicas`
    : undefined,
);

const hpaReplicasMismatch = hpaRule('HpaReplicasMismatch', (h) =>
  h.desiredReplicas !== h.currentReplicas &&
  h.currentReplicas > h.minReplicas &&
  h.currentReplicas < h.maxReplicas
    ? `HPA ${h.namespace}/${h.name} wants ${h.desiredReplicas} replicas but runs ${h.currentReplicas}`
    : undefined,
);

const nodeNotReady: LevelRule = {
  kind: 'level',
  name: 'NodeNotReady',
  evaluate(state) {
    return state
      .nodes()
      .filter((n) => !n.ready && n.deletingAt === undefined)
      .map((n) => {
        const ready = n.conditions.Ready;
        return {
          labels: { node: n.name },
          annotations: {
            summary: `Node ${n.name} is not ready${ready?.reason ? ` (${ready.reason})` : ''}`,
            ...(ready?.message ? { description: ready.message } : {}),
          },
          since: ready?.since,
        };
      });
  },
};

const nodePressure: LevelRule = {
  kind: 'level',
  name: 'NodePressure',
  evaluate(state) {
    const out: Candidate[] = [];
    for (const n of state.nodes()) {
      for (const condition of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
        const c = n.conditions[condition];
        if (c?.status !== 'True') continue;
        out.push({
          labels: { node: n.name, condition },
          annotations: {
            summary: `Node ${n.name} has ${condition}`,
            ...(c.message ? { description: c.message } : {}),
            ...(condition === 'MemoryPressure' && n.allocatable.memory
              ? { allocatable_memory: formatBytes(n.allocatable.memory) }
              : {}),
          },
          since: c.since,
        });
      }
    }
    return out;
  },
};

const pvcPending: LevelRule = {
  kind: 'level',
  name: 'PvcPending',
  evaluate(state) {
    return state
      .pvcs()
      .filter((p) => p.phase === 'Pending' && p.deletingAt === undefined)
      .map((p) => ({
        labels: { namespace: p.namespace, persistentvolumeclaim: p.name },
        annotations: {
          summary: `PersistentVolumeClaim ${p.namespace}/${p.name} is not bound${p.storageClass ? ` (storage class ${p.storageClass})` : ''}`,
        },
        since: p.createdAt,
      }));
  },
};

const warningEvent: OccurrenceRule = {
  kind: 'occurrence',
  name: 'WarningEvent',
  onOccurrence(o, now, settings) {
    const s = settings as S<'WarningEvent'>;
    if (o.type !== 'Warning' || now - o.lastAt > s.max_age) return undefined;
    if (s.reasons.length > 0 && !s.reasons.includes(o.reason)) return undefined;
    if (s.exclude_reasons.includes(o.reason)) return undefined;
    return {
      labels: { namespace: o.namespace, reason: o.reason, kind: o.involved.kind, object: o.involved.name },
      annotations: {
        summary: `${o.reason}: ${o.involved.kind.toLowerCase()}/${o.involved.name} in ${o.namespace}`,
        kind: o.involved.kind,
        object: o.involved.name,
        reason: o.reason,
        message: o.message,
        type: o.type,
        count: String(o.countTo),
        first_seen: fmtTime(o.firstAt),
        last_seen: fmtTime(o.lastAt),
        host: o.host ?? '',
      },
    };
  },
};

const podCreated: PodCreatedRule = {
  kind: 'pod-created',
  name: 'PodCreated',
  onCreated(pod, createdAt, now, settings) {
    if (now - createdAt > (settings as S<'PodCreated'>).max_age) return undefined;
    const labels = podLabels(pod);
    delete labels.node;
    return {
      labels,
      annotations: {
        summary: `New pod ${pod.namespace}/${pod.name}${pod.workload ? ` (${pod.workload.kind} ${pod.workload.name})` : ''}`,
        created: fmtTime(createdAt),
        images: pod.containers
          .filter((c: ContainerSnapshot) => c.type === 'app')
          .map((c) => c.image)
          .join(', '),
      },
    };
  },
};

/** Every built-in rule. */
export const BUILTIN_RULES: readonly Rule[] = [
  containerCrashed,
  containerOOMKilled,
  podCrashLooping,
  imagePullFailing,
  containerConfigError,
  podNotReady,
  podPendingTooLong,
  podEvicted,
  deploymentReplicasMismatch,
  rolloutStuck,
  statefulSetReplicasMismatch,
  daemonSetNotScheduled,
  jobFailed,
  hpaMaxedOut,
  hpaReplicasMismatch,
  nodeNotReady,
  nodePressure,
  pvcPending,
  ...THRESHOLD_RULES,
  warningEvent,
  podCreated,
];

export type { RuleSettings };
