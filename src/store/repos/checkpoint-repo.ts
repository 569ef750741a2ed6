// Watch checkpoints: the resourceVersion each stream has stored, written in the same
// transaction as the observations it covers.
import type { Executor } from './executor.js';

export async function saveCheckpoints(
  db: Executor,
  cluster: string,
  checkpoints: ReadonlyMap<string, string>,
  now: number,
): Promise<void> {
  if (checkpoints.size === 0) return;
  await db
    .insertInto('watch_checkpoints')
    .values(
      [...checkpoints].map(([stream, rv]) => ({ cluster, stream, resource_version: rv, updated_at: now })),
    )
    .onConflict((oc) =>
      oc.columns(['cluster', 'stream']).doUpdateSet((eb) => ({
        resource_version: eb.ref('excluded.resource_version'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Every stored checkpoint of a cluster: stream → resourceVersion. */
export async function loadCheckpoints(db: Executor, cluster: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('watch_checkpoints')
    .select(['stream', 'resource_version'])
    .where('cluster', '=', cluster)
    .execute();
  return new Map(rows.map((r) => [r.stream, r.resource_version]));
}
