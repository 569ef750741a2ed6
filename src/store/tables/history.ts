// What the watch pipeline keeps: checkpoints, current state per object, event occurrences,
// the pod lifecycle log, crashes and abnormal-pod periods.
import type { Generated } from 'kysely';
import type { LogStatus } from '../../domain/history.js';

/** The resourceVersion each watch stream has stored (not merely seen). */
export interface WatchCheckpointTable {
  cluster: string;
  /** Kind, or `Kind/namespace` for namespace-scoped watches. */
  stream: string;
  resource_version: string;
  updated_at: number;
}

/** Current state per object, keyed by UID; deleted objects keep their last state for a while. */
export interface ObjectTable {
  cluster: string;
  kind: string;
  uid: string;
  namespace: string;
  name: string;
  resource_version: string;
  /** JSON snapshot (src/domain/kube.ts). */
  snapshot: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** One row per Event occurrence range: counts count_from..count_to of one Event object. */
export interface EventOccurrenceTable {
  id: Generated<number>;
  cluster: string;
  event_uid: string;
  count_from: number;
  count_to: number;
  namespace: string;
  event_name: string;
  reason: string;
  event_type: string;
  message: string;
  involved_kind: string;
  involved_name: string;
  involved_namespace: string | null;
  involved_uid: string | null;
  field_path: string | null;
  source: string;
  host: string | null;
  first_at: number;
  last_at: number;
  observed_at: number;
}

/** The highest count stored per Event object: what makes re-delivery a no-op. */
export interface EventCountTable {
  cluster: string;
  event_uid: string;
  last_count: number;
  last_at: number;
  deleted_at: number | null;
}

export type LifecycleAction = 'created' | 'scheduled' | 'phase' | 'deleted';

export interface PodLifecycleTable {
  id: Generated<number>;
  cluster: string;
  pod_uid: string;
  namespace: string;
  pod: string;
  action: LifecycleAction;
  /** Node for `scheduled`, phase for `phase`, '' otherwise. */
  detail: string;
  at: number;
}

export type { LogStatus };

/** One row per observed restart-count increase of a container; `covers` > 1 when restarts were missed. */
export interface CrashTable {
  id: Generated<number>;
  cluster: string;
  pod_uid: string;
  namespace: string;
  pod: string;
  container: string;
  container_type: string;
  restart_count: number;
  covers: number;
  reason: string;
  exit_code: number;
  signal: number | null;
  message: string | null;
  started_at: number | null;
  finished_at: number | null;
  node: string | null;
  workload_kind: string | null;
  workload: string | null;
  liveness_probe: number;
  log_tail: string | null;
  log_status: LogStatus;
  log_error: string | null;
  log_truncated: number;
  /** JSON array of the pod's warning events around the crash. */
  warning_events: string | null;
  observed_at: number;
}

export interface AbnormalPodTable {
  id: Generated<number>;
  cluster: string;
  pod_uid: string;
  namespace: string;
  pod: string;
  /** '' when the reason concerns the whole pod. */
  container: string;
  reason: string;
  message: string | null;
  began_at: number;
  ended_at: number | null;
}

export interface RuleCooldownTable {
  cluster: string;
  rule: string;
  cooldown_key: string;
  fired_at: number;
}

export interface HistoryTables {
  rule_cooldowns: RuleCooldownTable;
  watch_checkpoints: WatchCheckpointTable;
  objects: ObjectTable;
  event_occurrences: EventOccurrenceTable;
  event_counts: EventCountTable;
  pod_lifecycle: PodLifecycleTable;
  crashes: CrashTable;
  abnormal_pods: AbnormalPodTable;
}
