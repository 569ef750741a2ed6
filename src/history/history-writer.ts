// Applies observations from the watchers to the store: current state, event occurrences,
// the pod lifecycle log, crashes, abnormal periods — and the watch checkpoints, all in one
// transaction per batch. Works on a staging overlay so that a failed commit leaves memory as
// it was and the same batch can be retried: nothing is lost, nothing is doubled.
import type { EventSnapshot, Observation, PodSnapshot, Snapshot, WatchedKind } from '../domain/kube.js';
import type { Store } from '../store/index.js';
import { saveCheckpoints, loadCheckpoints } from '../store/repos/checkpoint-repo.js';
import { chunks } from '../store/repos/executor.js';
import { insertCrashes, type CrashRecord, type NewCrash } from '../store/repos/crash-repo.js';
import {
  insertOccurrences,
  loadEventCounts,
  markEventsDeleted,
  saveEventCounts,
  type NewEventOccurrence,
} from '../store/repos/event-repo.js';
import { loadLiveObjects, markObjectsDeleted, upsertObjects } from '../store/repos/object-repo.js';
import {
  closeAbnormal,
  insertLifecycle,
  openAbnormal,
  openAbnormalPeriods,
  type LifecycleEntry,
  type NewAbnormalPeriod,
} from '../store/repos/pod-history-repo.js';
import { ClusterState, type ClusterStateView } from './cluster-state.js';
import {
  DEFAULT_ABNORMAL,
  abnormalReasons,
  deletedEntry,
  lifecycleChanges,
  newCrashes,
  reasonKey,
  type AbnormalOptions,
} from './pod-analysis.js';

/** What one committed batch changed in one cluster; handed to listeners (rules, crash logs, UI). */
export interface HistoryUpdate {
  readonly cluster: string;
  readonly changed: readonly Snapshot[];
  readonly deleted: readonly Snapshot[];
  readonly crashes: readonly CrashRecord[];
  readonly occurrences: readonly NewEventOccurrence[];
  readonly abnormalOpened: readonly NewAbnormalPeriod[];
  readonly abnormalClosed: ReadonlyArray<{
    podUid: string;
    namespace: string;
    pod: string;
    container: string;
    reason: string;
  }>;
  readonly lifecycle: readonly LifecycleEntry[];
}

interface OpenPeriod {
  readonly beganAt: number;
  readonly namespace: string;
  readonly pod: string;
}

/**
 * Rows per statement for the bulk writes of a batch (object snapshots, pod lifecycle), however
 * large the batch. The query builder makes a tree of small objects for every row of a
 * statement; a 400-row statement in the making when V8 collects its young generation
 * survives whole, and V8 may then decide (allocation-site pretenuring) to create every later
 * such tree directly in the old generation — where each stays, as garbage, until the next full
 * collection. During the first sync of a big cluster that happened in about one run in three
 * and cost some 20 MiB of resident memory. Statements of 100 rows keep too little alive at any
 * moment for that decision; the transaction (one per batch) is unchanged.
 */
const STATEMENT_ROWS = 100;

const NO_KEYS: ReadonlySet<string> = new Set();
const NO_PERIODS: ReadonlyArray<{ container: string; reason: string; beganAt: number }> = Object.freeze([]);

/** Per-cluster state the writer keeps in memory between batches. */
class ClusterHistory {
  readonly state: ClusterState;
  /** Highest stored count per live Event uid. */
  readonly eventCounts = new Map<string, number>();
  /** Open abnormal periods: pod uid → reason key → period. */
  readonly abnormal = new Map<string, Map<string, OpenPeriod>>();
  /** Streams that had no checkpoint at start: their first LIST is the baseline. */
  readonly baselineStreams = new Set<string>();
  readonly checkpoints = new Map<string, string>();

  constructor(cluster: string) {
    // Asked for every pod each time the rules are evaluated: nothing is allocated for the
    // (many) pods without open periods.
    this.state = new ClusterState(cluster, (podUid) => {
      const periods = this.abnormal.get(podUid);
      if (!periods) return NO_PERIODS;
      return [...periods].map(([key, period]) => {
        const [container, reason] = key.split('\u0000') as [string, string];
        return { container, reason, beganAt: period.beganAt };
      });
    });
  }
}

/** One batch's pending changes, applied to memory only after the transaction commits. */
class Staging {
  readonly objects = new Map<string, Snapshot | null>(); // kind/uid → new snapshot or deleted
  readonly eventCounts = new Map<string, number | null>();
  readonly abnormal = new Map<string, Map<string, OpenPeriod> | null>();
  readonly baselineDone = new Set<string>();
  readonly checkpoints = new Map<string, string>();
  // Store operations (the objects to upsert are `changed`)
  readonly deletes: Array<{ kind: string; uid: string; snapshot: Snapshot }> = [];
  readonly occurrences: NewEventOccurrence[] = [];
  readonly countWrites = new Map<string, { uid: string; count: number; lastAt: number }>();
  readonly eventDeletes: string[] = [];
  readonly lifecycle: LifecycleEntry[] = [];
  readonly crashes: NewCrash[] = [];
  readonly opened: NewAbnormalPeriod[] = [];
  readonly closed: Array<{
    podUid: string;
    namespace: string;
    pod: string;
    container: string;
    reason: string;
  }> = [];
  /** Upserted objects (what is written to the store and reported as changed), by kind/uid. */
  readonly changed = new Map<string, Snapshot>();
  readonly deleted: Snapshot[] = [];
}

export interface HistoryWriterOptions {
  readonly abnormal?: AbnormalOptions;
  readonly now?: () => number;
}

export class HistoryWriter {
  readonly #store: Store;
  readonly #clusters = new Map<string, ClusterHistory>();
  readonly #abnormalOptions: AbnormalOptions;
  readonly #now: () => number;

  constructor(store: Store, options: HistoryWriterOptions = {}) {
    this.#store = store;
    this.#abnormalOptions = options.abnormal ?? DEFAULT_ABNORMAL;
    this.#now = options.now ?? Date.now;
  }

  /** Loads a cluster's stored state (live objects, open periods, checkpoints). Call before its watches start. */
  async loadCluster(cluster: string): Promise<Map<string, string>> {
    const history = new ClusterHistory(cluster);
    const db = this.#store.db;
    for (const snapshot of await loadLiveObjects(db, cluster)) history.state.set(snapshot);
    for (const period of await openAbnormalPeriods(db, cluster)) {
      const forPod = history.abnormal.get(period.podUid) ?? new Map<string, OpenPeriod>();
      forPod.set(reasonKey(period), {
        beganAt: period.beganAt,
        namespace: period.namespace,
        pod: period.pod,
      });
      history.abnormal.set(period.podUid, forPod);
    }
    const checkpoints = await loadCheckpoints(db, cluster);
    for (const [stream, rv] of checkpoints) history.checkpoints.set(stream, rv);
    this.#clusters.set(cluster, history);
    return checkpoints;
  }

  /** Marks streams that have never been synced: their first LIST sets the crash baseline. */
  expectStreams(cluster: string, streams: readonly string[]): void {
    const history = this.#cluster(cluster);
    for (const stream of streams) if (!history.checkpoints.has(stream)) history.baselineStreams.add(stream);
  }

  state(cluster: string): ClusterStateView | undefined {
    return this.#clusters.get(cluster)?.state;
  }

  get clusters(): string[] {
    return [...this.#clusters.keys()];
  }

  /** Applies a batch (any clusters, in order) in one transaction; returns what changed per cluster. */
  async apply(batch: readonly Observation[]): Promise<HistoryUpdate[]> {
    const now = this.#now();
    const byCluster = new Map<string, Observation[]>();
    for (const obs of batch) {
      const list = byCluster.get(obs.cluster) ?? [];
      list.push(obs);
      byCluster.set(obs.cluster, list);
    }
    const staged: Array<[ClusterHistory, Staging]> = [];
    for (const [cluster, observations] of byCluster) {
      const history = this.#cluster(cluster);
      await this.#preloadEventCounts(history, observations);
      const staging = new Staging();
      for (const obs of observations) this.#stage(history, staging, obs, now);
      staged.push([history, staging]);
    }
    const inserted = await this.#commit(staged, now);
    return staged.map(([history, staging], i) => this.#settle(history, staging, inserted[i] ?? []));
  }

  /** Re-evaluates time-based abnormal reasons (grace periods) for every pod. */
  async sweep(): Promise<HistoryUpdate[]> {
    const now = this.#now();
    const staged: Array<[ClusterHistory, Staging]> = [];
    for (const history of this.#clusters.values()) {
      const staging = new Staging();
      for (const pod of history.state.pods()) this.#stageAbnormal(history, staging, pod, now);
      if (staging.opened.length > 0 || staging.closed.length > 0) staged.push([history, staging]);
    }
    if (staged.length === 0) return [];
    await this.#commit(staged, now);
    return staged.map(([history, staging]) => this.#settle(history, staging, []));
  }

  #cluster(cluster: string): ClusterHistory {
    let history = this.#clusters.get(cluster);
    if (!history) {
      history = new ClusterHistory(cluster);
      this.#clusters.set(cluster, history);
    }
    return history;
  }

  async #preloadEventCounts(history: ClusterHistory, observations: readonly Observation[]): Promise<void> {
    const missing = new Set<string>();
    for (const obs of observations) {
      if (
        (obs.type === 'upsert' || obs.type === 'delete') &&
        obs.snapshot.kind === 'Event' &&
        !history.eventCounts.has(obs.snapshot.uid)
      ) {
        missing.add(obs.snapshot.uid);
      }
    }
    if (missing.size === 0) return;
    const counts = await loadEventCounts(this.#store.db, this.#store.dialect, history.state.cluster, [
      ...missing,
    ]);
    for (const [uid, count] of counts) history.eventCounts.set(uid, count);
  }

  // --- staging --------------------------------------------------------------------------

  #current(
    history: ClusterHistory,
    staging: Staging,
    kind: WatchedKind,
    uid: string,
    key = `${kind}/${uid}`,
  ): Snapshot | undefined {
    const staged = staging.objects.get(key);
    if (staged !== undefined || staging.objects.has(key)) return staged ?? undefined;
    return history.state.get(kind, uid);
  }

  #stage(history: ClusterHistory, staging: Staging, obs: Observation, now: number): void {
    // List items carry no resourceVersion: only the end of the list moves the checkpoint.
    if (obs.resourceVersion) staging.checkpoints.set(obs.stream, obs.resourceVersion);
    switch (obs.type) {
      case 'upsert':
        if (obs.snapshot.kind === 'Event') this.#stageEvent(history, staging, obs.snapshot, now);
        else this.#stageUpsert(history, staging, obs.snapshot, obs.stream, now);
        return;
      case 'delete':
        if (obs.snapshot.kind === 'Event') this.#stageEventDelete(history, staging, obs.snapshot, now);
        else this.#stageDelete(history, staging, obs.snapshot, now);
        return;
      case 'synced':
        this.#stageReconcile(history, staging, obs.kind, obs.namespace, obs.uids, now);
        staging.baselineDone.add(obs.stream);
        return;
      case 'bookmark':
        return;
    }
  }

  #stageUpsert(
    history: ClusterHistory,
    staging: Staging,
    snapshot: Snapshot,
    stream: string,
    now: number,
  ): void {
    const key = `${snapshot.kind}/${snapshot.uid}`;
    const prev = this.#current(history, staging, snapshot.kind, snapshot.uid, key);
    if (snapshot.kind === 'Pod') {
      const prevPod = prev as PodSnapshot | undefined;
      const baseline = history.baselineStreams.has(stream) && !staging.baselineDone.has(stream);
      for (const entry of lifecycleChanges(history.state.cluster, prevPod, snapshot, now))
        staging.lifecycle.push(entry);
      for (const crash of newCrashes(history.state.cluster, prevPod, snapshot, now, baseline))
        staging.crashes.push(crash);
      this.#stageAbnormal(history, staging, snapshot, now);
    }
    staging.objects.set(key, snapshot);
    staging.changed.set(key, snapshot);
  }

  #stageDelete(history: ClusterHistory, staging: Staging, snapshot: Snapshot, now: number): void {
    const key = `${snapshot.kind}/${snapshot.uid}`;
    const prev = this.#current(history, staging, snapshot.kind, snapshot.uid, key);
    if (snapshot.kind === 'Pod') {
      // The final state can still show restarts not seen yet (a Job pod that crashed and went away).
      staging.crashes.push(
        ...newCrashes(history.state.cluster, prev as PodSnapshot | undefined, snapshot, now, false),
      );
      staging.lifecycle.push(deletedEntry(history.state.cluster, snapshot, now));
      this.#stageAbnormal(history, staging, snapshot, now, true);
    }
    staging.objects.set(key, null);
    staging.changed.delete(key);
    staging.deletes.push({ kind: snapshot.kind, uid: snapshot.uid, snapshot });
    staging.deleted.push(snapshot);
  }

  /** After a LIST: whatever we hold that the list did not contain was deleted while we were away. */
  #stageReconcile(
    history: ClusterHistory,
    staging: Staging,
    kind: WatchedKind,
    namespace: string | undefined,
    uids: ReadonlySet<string>,
    now: number,
  ): void {
    if (kind === 'Event') return; // events vanish by TTL; their occurrences are already kept
    const candidates = new Map<string, Snapshot>();
    for (const s of history.state.list(kind)) candidates.set(s.uid, s);
    for (const [key, s] of staging.objects) if (key.startsWith(`${kind}/`) && s) candidates.set(s.uid, s);
    for (const s of candidates.values()) {
      if (uids.has(s.uid)) continue;
      if (namespace && s.namespace !== namespace) continue;
      if (this.#current(history, staging, kind, s.uid) === undefined) continue;
      this.#stageDelete(history, staging, s, now);
    }
  }

  #stageEvent(history: ClusterHistory, staging: Staging, event: EventSnapshot, now: number): void {
    const staged = staging.eventCounts.get(event.uid);
    const last = staged !== undefined && staged !== null ? staged : (history.eventCounts.get(event.uid) ?? 0);
    if (event.count <= last) return; // already stored: a relist or a re-delivered change
    staging.occurrences.push({
      cluster: history.state.cluster,
      eventUid: event.uid,
      countFrom: last + 1,
      countTo: event.count,
      namespace: event.namespace,
      name: event.name,
      reason: event.reason,
      type: event.type,
      message: event.message,
      involved: {
        kind: event.involved.kind,
        name: event.involved.name,
        namespace: event.involved.namespace ?? null,
        uid: event.involved.uid ?? null,
        fieldPath: event.involved.fieldPath ?? null,
      },
      source: event.source,
      host: event.host ?? null,
      firstAt: event.firstAt,
      lastAt: event.lastAt,
      observedAt: now,
    });
    staging.eventCounts.set(event.uid, event.count);
    staging.countWrites.set(event.uid, { uid: event.uid, count: event.count, lastAt: event.lastAt });
  }

  #stageEventDelete(history: ClusterHistory, staging: Staging, event: EventSnapshot, now: number): void {
    // A final bump can arrive with the deletion; record it, then forget the live count.
    this.#stageEvent(history, staging, event, now);
    staging.eventDeletes.push(event.uid);
    staging.eventCounts.set(event.uid, null);
  }

  #stageAbnormal(
    history: ClusterHistory,
    staging: Staging,
    pod: PodSnapshot,
    now: number,
    gone = false,
  ): void {
    const existing = staging.abnormal.has(pod.uid)
      ? staging.abnormal.get(pod.uid)
      : history.abnormal.get(pod.uid);
    const reasons = gone
      ? []
      : abnormalReasons(pod, now, this.#abnormalOptions, existing ? new Set(existing.keys()) : NO_KEYS);
    // The common case, a healthy pod with nothing open: nothing to stage (and nothing allocated).
    if (reasons.length === 0 && !existing) return;
    const open = new Map(existing ?? []);
    const current = new Set<string>();
    for (const r of reasons) {
      const key = reasonKey(r);
      current.add(key);
      if (open.has(key)) continue;
      const beganAt = r.since ?? now;
      open.set(key, { beganAt, namespace: pod.namespace, pod: pod.name });
      staging.opened.push({
        cluster: history.state.cluster,
        podUid: pod.uid,
        namespace: pod.namespace,
        pod: pod.name,
        container: r.container,
        reason: r.reason,
        message: r.message ?? null,
        beganAt,
      });
    }
    for (const [key, period] of [...open]) {
      if (current.has(key)) continue;
      const [container, reason] = key.split('\u0000') as [string, string];
      open.delete(key);
      staging.closed.push({
        podUid: pod.uid,
        namespace: period.namespace,
        pod: period.pod,
        container,
        reason,
      });
    }
    if (open.size === 0 && !existing) return;
    staging.abnormal.set(pod.uid, open.size > 0 ? open : null);
  }

  // --- commit -----------------------------------------------------------------------------

  async #commit(staged: ReadonlyArray<[ClusterHistory, Staging]>, now: number): Promise<CrashRecord[][]> {
    return this.#store.db.transaction().execute(async (trx) => {
      const inserted: CrashRecord[][] = [];
      for (const [history, s] of staged) {
        const cluster = history.state.cluster;
        for (const part of chunks([...s.changed.values()], STATEMENT_ROWS))
          await upsertObjects(trx, cluster, part, now);
        await markObjectsDeleted(trx, cluster, s.deletes, now);
        await insertOccurrences(trx, this.#store.dialect, s.occurrences);
        await saveEventCounts(trx, this.#store.dialect, cluster, [...s.countWrites.values()]);
        await markEventsDeleted(trx, cluster, s.eventDeletes, now);
        for (const part of chunks(s.lifecycle, STATEMENT_ROWS)) await insertLifecycle(trx, part);
        inserted.push(await insertCrashes(trx, s.crashes));
        await openAbnormal(trx, s.opened);
        await closeAbnormal(trx, cluster, s.closed, now);
        await saveCheckpoints(trx, cluster, s.checkpoints, now);
      }
      return inserted;
    });
  }

  /** The transaction committed: make memory match and describe what changed. */
  #settle(history: ClusterHistory, s: Staging, crashes: CrashRecord[]): HistoryUpdate {
    for (const [key, snapshot] of s.objects) {
      const slash = key.indexOf('/');
      if (snapshot) history.state.set(snapshot);
      else history.state.delete(key.slice(0, slash) as WatchedKind, key.slice(slash + 1));
    }
    for (const [uid, count] of s.eventCounts) {
      if (count === null) history.eventCounts.delete(uid);
      else history.eventCounts.set(uid, count);
    }
    for (const [uid, periods] of s.abnormal) {
      if (periods === null) history.abnormal.delete(uid);
      else history.abnormal.set(uid, periods);
    }
    for (const stream of s.baselineDone) history.baselineStreams.delete(stream);
    for (const [stream, rv] of s.checkpoints) history.checkpoints.set(stream, rv);
    return {
      cluster: history.state.cluster,
      changed: [...s.changed.values()],
      deleted: s.deleted,
      crashes,
      occurrences: s.occurrences,
      abnormalOpened: s.opened,
      abnormalClosed: s.closed,
      lifecycle: s.lifecycle,
    };
  }
}
