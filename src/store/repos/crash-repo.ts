// Crash records: one per observed restart-count increase of a container, with the previous
// container's log tail attached once it is fetched.
import { sql } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { CrashRecord, LogStatus, WarningEventSummary } from '../../domain/history.js';
import { ftsQuery, type Executor } from './executor.js';
import type { Page } from './event-repo.js';

export type { CrashRecord, WarningEventSummary };

export type NewCrash = Omit<
  CrashRecord,
  'id' | 'logTail' | 'logStatus' | 'logError' | 'logTruncated' | 'warningEvents'
>;

type Row = {
  id: number;
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
  warning_events: string | null;
  observed_at: number;
};

const COLUMNS = [
  'id',
  'cluster',
  'pod_uid',
  'namespace',
  'pod',
  'container',
  'container_type',
  'restart_count',
  'covers',
  'reason',
  'exit_code',
  'signal',
  'message',
  'started_at',
  'finished_at',
  'node',
  'workload_kind',
  'workload',
  'liveness_probe',
  'log_tail',
  'log_status',
  'log_error',
  'log_truncated',
  'warning_events',
  'observed_at',
] as const;

function fromRow(r: Row): CrashRecord {
  return {
    id: r.id,
    cluster: r.cluster,
    podUid: r.pod_uid,
    namespace: r.namespace,
    pod: r.pod,
    container: r.container,
    containerType: r.container_type,
    restartCount: r.restart_count,
    covers: r.covers,
    reason: r.reason,
    exitCode: r.exit_code,
    signal: r.signal,
    message: r.message,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    node: r.node,
    workloadKind: r.workload_kind,
    workload: r.workload,
    livenessProbe: r.liveness_probe === 1,
    logTail: r.log_tail,
    logStatus: r.log_status,
    logError: r.log_error,
    logTruncated: r.log_truncated === 1,
    warningEvents: r.warning_events ? (JSON.parse(r.warning_events) as WarningEventSummary[]) : [],
    observedAt: r.observed_at,
  };
}

/** Inserts new crashes; returns those actually inserted (a re-delivered crash is ignored). */
export async function insertCrashes(db: Executor, crashes: readonly NewCrash[]): Promise<CrashRecord[]> {
  const out: CrashRecord[] = [];
  for (const c of crashes) {
    const row = await db
      .insertInto('crashes')
      .values({
        cluster: c.cluster,
        pod_uid: c.podUid,
        namespace: c.namespace,
        pod: c.pod,
        container: c.container,
        container_type: c.containerType,
        restart_count: c.restartCount,
        covers: c.covers,
        reason: c.reason,
        exit_code: c.exitCode,
        signal: c.signal,
        message: c.message,
        started_at: c.startedAt,
        finished_at: c.finishedAt,
        node: c.node,
        workload_kind: c.workloadKind,
        workload: c.workload,
        liveness_probe: c.livenessProbe ? 1 : 0,
        log_tail: null,
        log_status: 'pending',
        log_error: null,
        log_truncated: 0,
        warning_events: null,
        observed_at: c.observedAt,
      })
      .onConflict((oc) => oc.columns(['cluster', 'pod_uid', 'container', 'restart_count']).doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    if (row) out.push(fromRow(row));
  }
  return out;
}

export async function completeCrashLog(
  db: Executor,
  id: number,
  update: {
    status: LogStatus;
    tail: string | null;
    truncated: boolean;
    error: string | null;
    warningEvents: WarningEventSummary[];
  },
): Promise<CrashRecord | undefined> {
  await db
    .updateTable('crashes')
    .set({
      log_status: update.status,
      log_tail: update.tail,
      log_truncated: update.truncated ? 1 : 0,
      log_error: update.error,
      warning_events: JSON.stringify(update.warningEvents),
    })
    .where('id', '=', id)
    .execute();
  return getCrash(db, id);
}

export async function getCrash(db: Executor, id: number): Promise<CrashRecord | undefined> {
  const row = await db.selectFrom('crashes').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Crashes still waiting for their logs (e.g. Lookout stopped while fetching). */
export async function pendingCrashLogs(db: Executor, cluster: string): Promise<CrashRecord[]> {
  const rows = await db
    .selectFrom('crashes')
    .select(COLUMNS)
    .where('cluster', '=', cluster)
    .where('log_status', '=', 'pending')
    .execute();
  return rows.map((r) => fromRow(r));
}

export interface CrashQuery {
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly pod?: string | undefined;
  readonly podUid?: string | undefined;
  readonly container?: string | undefined;
  readonly workload?: string | undefined;
  readonly reason?: string | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  /** Full-text search over the log tail and termination message. */
  readonly search?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/** Newest first, keyset-paginated on id (ids follow observation order). */
export async function queryCrashes(
  db: Executor,
  dialect: Dialect,
  q: CrashQuery,
): Promise<Page<CrashRecord>> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 1000);
  let query = db.selectFrom('crashes').select(COLUMNS);
  if (q.cluster) query = query.where('cluster', '=', q.cluster);
  if (q.namespace) query = query.where('namespace', '=', q.namespace);
  if (q.pod) query = query.where('pod', '=', q.pod);
  if (q.podUid) query = query.where('pod_uid', '=', q.podUid);
  if (q.container) query = query.where('container', '=', q.container);
  if (q.workload) query = query.where('workload', '=', q.workload);
  if (q.reason) query = query.where('reason', '=', q.reason);
  if (q.since !== undefined) query = query.where('observed_at', '>=', q.since);
  if (q.until !== undefined) query = query.where('observed_at', '<', q.until);
  if (q.search && q.search.trim()) {
    query =
      dialect === 'sqlite'
        ? query.where(
            'id',
            'in',
            sql<number>`(select rowid from crashes_fts where crashes_fts match ${ftsQuery(q.search)})`,
          )
        : query.where(sql<boolean>`log_tsv @@ plainto_tsquery('simple', ${q.search})`);
  }
  const cursor = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString()) : undefined;
  if (cursor !== undefined && Number.isFinite(cursor)) query = query.where('id', '<', cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((r) => fromRow(r));
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(String(last.id)).toString('base64url') : undefined,
  };
}

export async function purgeCrashes(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('crashes').where('observed_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
