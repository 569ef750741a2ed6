// `rules:` — the built-in rule pack. Each rule can be switched off and tuned: `for` (how long
// a condition must hold), severity, a per-key cooldown, namespace filters, extra labels, and
// its own thresholds. Rule names are the keys, as they appear in the `alertname` label.
import { z } from 'zod';
import { duration, obj } from '../schema-kit.js';

const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

interface Defaults {
  readonly enabled?: boolean;
  readonly for?: string;
  readonly severity?: Severity;
}

const namespaceFilter = obj({
  include: z.array(z.string().min(1)).default([]),
  exclude: z.array(z.string().min(1)).default([]),
});

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function rule<T extends z.core.$ZodLooseShape>(defaults: Defaults, extra: T) {
  return obj({
    enabled: z.boolean().default(defaults.enabled ?? true),
    /** How long the condition must hold before the alert fires. */
    for: duration().prefault(defaults.for ?? '0s'),
    severity: z.enum(SEVERITIES).default(defaults.severity ?? 'warning'),
    /** After an alert fires for a key (e.g. one container), no new one for that key within this time. */
    cooldown: duration().prefault('0s'),
    namespaces: namespaceFilter.prefault({}),
    /** Extra labels put on every alert of the rule (e.g. team: payments). */
    labels: z
      .record(z.string().regex(labelName, 'label names are letters, digits and _'), z.string())
      .default({}),
    ...extra,
  });
}

const percent = (value: number) => z.number().min(0).max(1000).default(value);

/** For point-in-time alerts (a crash, a new pod): how long the alert stays firing. */
const hold = () => duration().prefault('5m');
/** Lines of the crashed container's log carried in the alert (the full tail stays in Lookout). */
const logLines = () => z.number().int().min(0).max(500).default(30);

export const rulesSchema = obj({
  /** How often level rules are re-evaluated (they also run on every change). */
  evaluation_interval: duration().prefault('15s'),
  ContainerCrashed: rule(
    { severity: 'warning' },
    {
      hold: hold(),
      /** Fire only from this restart count on. */
      min_restarts: z.number().int().min(1).default(1),
      /** Exit codes that are not crashes for you (e.g. 0 for containers that finish on purpose). */
      ignore_exit_codes: z.array(z.number().int()).default([]),
      log_lines: logLines(),
    },
  ).prefault({}),
  ContainerOOMKilled: rule({ severity: 'critical' }, { hold: hold(), log_lines: logLines() }).prefault({}),
  PodCrashLooping: rule({ for: '5m' }, {}).prefault({}),
  ImagePullFailing: rule({ for: '5m' }, {}).prefault({}),
  ContainerConfigError: rule({ for: '2m' }, {}).prefault({}),
  PodNotReady: rule({ for: '15m' }, {}).prefault({}),
  PodPendingTooLong: rule({ for: '15m' }, {}).prefault({}),
  PodEvicted: rule({}, {}).prefault({}),
  DeploymentReplicasMismatch: rule({ for: '15m' }, {}).prefault({}),
  RolloutStuck: rule({}, {}).prefault({}),
  StatefulSetReplicasMismatch: rule({ for: '15m' }, {}).prefault({}),
  DaemonSetNotScheduled: rule({ for: '10m' }, {}).prefault({}),
  JobFailed: rule({}, {}).prefault({}),
  HpaMaxedOut: rule({ for: '15m' }, {}).prefault({}),
  HpaReplicasMismatch: rule({ for: '15m' }, {}).prefault({}),
  NodeNotReady: rule({ for: '5m', severity: 'critical' }, {}).prefault({}),
  NodePressure: rule({ for: '5m' }, {}).prefault({}),
  PvcPending: rule({ for: '15m' }, {}).prefault({}),
  // Threshold rules over the latest resource samples (clusters on built-in metrics).
  NodeMemoryHigh: rule(
    { for: '15m' },
    {
      /** Fires when the node's available memory is below this % of its memory. */
      available_below_percent: percent(10),
    },
  ).prefault({}),
  NodeCpuHigh: rule(
    { for: '15m' },
    {
      /** Fires when the node's CPU use is above this % of its CPUs. */
      above_percent: percent(90),
    },
  ).prefault({}),
  ContainerMemoryNearLimit: rule(
    { for: '15m' },
    {
      /** Fires when a container's memory working set is above this % of its memory limit. */
      above_percent: percent(90),
    },
  ).prefault({}),
  ContainerCpuNearLimit: rule(
    { for: '15m' },
    {
      /** Fires when a container's CPU use is above this % of its CPU limit (it is being throttled). */
      above_percent: percent(90),
    },
  ).prefault({}),
  WarningEvent: rule(
    { enabled: false },
    {
      /** Only these reasons (empty: all Warning events). */
      reasons: z.array(z.string().min(1)).default([]),
      exclude_reasons: z.array(z.string().min(1)).default([]),
      hold: hold(),
      /** Events older than this when first seen (e.g. at the first start) do not alert. */
      max_age: duration().prefault('10m'),
    },
  ).prefault({}),
  PodCreated: rule(
    { enabled: false, severity: 'info' },
    { hold: hold(), max_age: duration().prefault('10m') },
  ).prefault({}),
});

export type RulesConfig = z.output<typeof rulesSchema>;
export type RuleName = Exclude<keyof RulesConfig, 'evaluation_interval'>;
export type RuleSettings = RulesConfig[RuleName];
