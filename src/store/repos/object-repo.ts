// Current state per object (snapshots keyed by cluster, kind and UID).
import type { Snapshot, WatchedKind } from '../../domain/kube.js';
import { chunks, type Executor } from './executor.js';

export async function upsertObjects(
  db: Executor,
  cluster: string,
  snapshots: readonly Snapshot[],
  now: number,
): Promise<void> {
  for (const part of chunks(snapshots, 400)) {
    await db
      .insertInto('objects')
      .values(
        part.map((s) => ({
          cluster,
          kind: s.kind,
          uid: s.uid,
          namespace: s.namespace ?? '',
          name: s.name,
          resource_version: s.resourceVersion,
          snapshot: JSON.stringify(s),
          created_at: s.createdAt,
          updated_at: now,
          deleted_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['cluster', 'kind', 'uid']).doUpdateSet((eb) => ({
          resource_version: eb.ref('excluded.resource_version'),
          snapshot: eb.ref('excluded.snapshot'),
          updated_at: eb.ref('excluded.updated_at'),
          deleted_at: null,
        })),
      )
      .execute();
  }
}

export async function markObjectsDeleted(
  db: Executor,
  cluster: string,
  objects: ReadonlyArray<{ kind: string; uid: string; snapshot?: Snapshot }>,
  now: number,
): Promise<void> {
  for (const o of objects) {
    await db
      .updateTable('objects')
      .set({
        deleted_at: now,
        updated_at: now,
        ...(o.snapshot ? { snapshot: JSON.stringify(o.snapshot) } : {}),
      })
      .where('cluster', '=', cluster)
      .where('kind', '=', o.kind)
      .where('uid', '=', o.uid)
      .execute();
  }
}

/** Live (not deleted) snapshots of a cluster, optionally of some kinds. */
export async function loadLiveObjects(
  db: Executor,
  cluster: string,
  kinds?: readonly WatchedKind[],
): Promise<Snapshot[]> {
  let query = db
    .selectFrom('objects')
    .select('snapshot')
    .where('cluster', '=', cluster)
    .where('deleted_at', 'is', null);
  if (kinds && kinds.length > 0) query = query.where('kind', 'in', kinds);
  const rows = await query.execute();
  return rows.map((r) => JSON.parse(r.snapshot) as Snapshot);
}

export interface ObjectQuery {
  readonly cluster?: string | undefined;
  readonly kind: WatchedKind;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly includeDeleted?: boolean | undefined;
  readonly limit?: number | undefined;
}

export async function findObjects(
  db: Executor,
  q: ObjectQuery,
): Promise<Array<{ cluster: string; deletedAt: number | null; snapshot: Snapshot }>> {
  let query = db
    .selectFrom('objects')
    .select(['cluster', 'snapshot', 'deleted_at'])
    .where('kind', '=', q.kind);
  if (q.cluster) query = query.where('cluster', '=', q.cluster);
  if (q.namespace) query = query.where('namespace', '=', q.namespace);
  if (q.name) query = query.where('name', '=', q.name);
  if (!q.includeDeleted) query = query.where('deleted_at', 'is', null);
  const rows = await query
    .orderBy('namespace')
    .orderBy('name')
    .limit(q.limit ?? 10_000)
    .execute();
  return rows.map((r) => ({
    cluster: r.cluster,
    deletedAt: r.deleted_at,
    snapshot: JSON.parse(r.snapshot) as Snapshot,
  }));
}

export async function purgeDeletedObjects(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('objects').where('deleted_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
