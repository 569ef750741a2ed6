// Silences: created, updated and expired by the API and the CLI, read by every running Lookout
// (which polls for changes, so a silence added from the CLI reaches a running server).
import type { Silence, SilenceMatcher } from '../../alerting/silence.js';
import type { SilenceTable } from '../tables/alerting.js';
import type { Executor } from './executor.js';

function fromRow(r: SilenceTable): Silence {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers) as SilenceMatcher[],
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    updatedAt: Number(r.updated_at),
    createdBy: r.created_by,
    comment: r.comment,
  };
}

/** Inserts a silence or replaces the one with the same id. */
export async function saveSilence(db: Executor, s: Silence): Promise<void> {
  const row: SilenceTable = {
    id: s.id,
    matchers: JSON.stringify(s.matchers),
    starts_at: s.startsAt,
    ends_at: s.endsAt,
    updated_at: s.updatedAt,
    created_by: s.createdBy,
    comment: s.comment,
  };
  await db
    .insertInto('silences')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        matchers: row.matchers,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        updated_at: row.updated_at,
        created_by: row.created_by,
        comment: row.comment,
      }),
    )
    .execute();
}

export async function getSilence(db: Executor, id: string): Promise<Silence | undefined> {
  const row = await db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Every silence, or those updated at or after `since` (epoch ms). */
export async function listSilences(db: Executor, since?: number): Promise<Silence[]> {
  let q = db.selectFrom('silences').selectAll();
  if (since !== undefined) q = q.where('updated_at', '>=', since);
  const rows = await q.orderBy('updated_at').execute();
  return rows.map(fromRow);
}

/** Deletes silences that expired before `before`. */
export async function deleteSilencesExpiredBefore(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('silences').where('ends_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
