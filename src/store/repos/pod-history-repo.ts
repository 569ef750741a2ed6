// The pod lifecycle log (created, scheduled, phase changes, deleted) and abnormal-pod
// periods (a reason with when it began and ended).
import type { AbnormalPeriod } from '../../domain/history.js';
import type { LifecycleAction } from '../tables/history.js';
import { chunks, type Executor } from './executor.js';
import type { Page } from './event-repo.js';

export interface LifecycleEntry {
  readonly cluster: string;
  readonly podUid: string;
  readonly namespace: string;
  readonly pod: string;
  readonly action: LifecycleAction;
  readonly detail: string;
  readonly at: number;
}

export async function insertLifecycle(db: Executor, entries: readonly LifecycleEntry[]): Promise<void> {
  for (const part of chunks(entries, 300)) {
    await db
      .insertInto('pod_lifecycle')
      .values(
        part.map((e) => ({
          cluster: e.cluster,
          pod_uid: e.podUid,
          namespace: e.namespace,
          pod: e.pod,
          action: e.action,
          detail: e.detail,
          at: e.at,
        })),
      )
      .onConflict((oc) => oc.columns(['cluster', 'pod_uid', 'action', 'detail']).doNothing())
      .execute();
  }
}

export interface LifecycleQuery {
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly podUid?: string | undefined;
  readonly pod?: string | undefined;
  readonly action?: LifecycleAction | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly limit?: number | undefined;
}

export async function queryLifecycle(db: Executor, q: LifecycleQuery): Promise<LifecycleEntry[]> {
  let query = db.selectFrom('pod_lifecycle').selectAll();
  if (q.cluster) query = query.where('cluster', '=', q.cluster);
  if (q.namespace) query = query.where('namespace', '=', q.namespace);
  if (q.podUid) query = query.where('pod_uid', '=', q.podUid);
  if (q.pod) query = query.where('pod', '=', q.pod);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.since !== undefined) query = query.where('at', '>=', q.since);
  if (q.until !== undefined) query = query.where('at', '<', q.until);
  const rows = await query
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(q.limit ?? 500, 10_000))
    .execute();
  return rows.map((r) => ({
    cluster: r.cluster,
    podUid: r.pod_uid,
    namespace: r.namespace,
    pod: r.pod,
    action: r.action,
    detail: r.detail,
    at: r.at,
  }));
}

export type { AbnormalPeriod };

export type NewAbnormalPeriod = Omit<AbnormalPeriod, 'id' | 'endedAt'>;

export async function openAbnormal(db: Executor, periods: readonly NewAbnormalPeriod[]): Promise<void> {
  for (const part of chunks(periods, 300)) {
    await db
      .insertInto('abnormal_pods')
      .values(
        part.map((p) => ({
          cluster: p.cluster,
          pod_uid: p.podUid,
          namespace: p.namespace,
          pod: p.pod,
          container: p.container,
          reason: p.reason,
          message: p.message,
          began_at: p.beganAt,
          ended_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['cluster', 'pod_uid', 'container', 'reason', 'began_at']).doNothing())
      .execute();
  }
}

export async function closeAbnormal(
  db: Executor,
  cluster: string,
  periods: ReadonlyArray<{ podUid: string; container: string; reason: string }>,
  at: number,
): Promise<void> {
  for (const p of periods) {
    await db
      .updateTable('abnormal_pods')
      .set({ ended_at: at })
      .where('cluster', '=', cluster)
      .where('pod_uid', '=', p.podUid)
      .where('container', '=', p.container)
      .where('reason', '=', p.reason)
      .where('ended_at', 'is', null)
      .execute();
  }
}

function abnormalFromRow(r: {
  id: number;
  cluster: string;
  pod_uid: string;
  namespace: string;
  pod: string;
  container: string;
  reason: string;
  message: string | null;
  began_at: number;
  ended_at: number | null;
}): AbnormalPeriod {
  return {
    id: r.id,
    cluster: r.cluster,
    podUid: r.pod_uid,
    namespace: r.namespace,
    pod: r.pod,
    container: r.container,
    reason: r.reason,
    message: r.message,
    beganAt: r.began_at,
    endedAt: r.ended_at,
  };
}

export async function openAbnormalPeriods(db: Executor, cluster: string): Promise<AbnormalPeriod[]> {
  const rows = await db
    .selectFrom('abnormal_pods')
    .selectAll()
    .where('cluster', '=', cluster)
    .where('ended_at', 'is', null)
    .execute();
  return rows.map(abnormalFromRow);
}

export interface AbnormalQuery {
  readonly cluster?: string | undefined;
  readonly namespace?: string | undefined;
  readonly reason?: string | undefined;
  /** Only periods still open. */
  readonly open?: boolean | undefined;
  readonly since?: number | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export async function queryAbnormal(db: Executor, q: AbnormalQuery): Promise<Page<AbnormalPeriod>> {
  const limit = Math.min(Math.max(q.limit ?? 200, 1), 5000);
  let query = db.selectFrom('abnormal_pods').selectAll();
  if (q.cluster) query = query.where('cluster', '=', q.cluster);
  if (q.namespace) query = query.where('namespace', '=', q.namespace);
  if (q.reason) query = query.where('reason', '=', q.reason);
  if (q.open) query = query.where('ended_at', 'is', null);
  if (q.since !== undefined)
    query = query.where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', q.since!)]));
  const cursor = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString()) : undefined;
  if (cursor !== undefined && Number.isFinite(cursor)) query = query.where('id', '<', cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(abnormalFromRow);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(String(last.id)).toString('base64url') : undefined,
  };
}

export async function purgePodHistory(db: Executor, before: number): Promise<number> {
  const a = await db.deleteFrom('pod_lifecycle').where('at', '<', before).executeTakeFirst();
  const b = await db.deleteFrom('abnormal_pods').where('ended_at', '<', before).executeTakeFirst();
  return Number(a.numDeletedRows) + Number(b.numDeletedRows);
}
