// Rule cooldowns: when a rule last fired for a key.
import type { Executor } from './executor.js';

export async function loadCooldowns(
  db: Executor,
  since: number,
): Promise<Array<{ cluster: string; rule: string; key: string; firedAt: number }>> {
  const rows = await db.selectFrom('rule_cooldowns').selectAll().where('fired_at', '>=', since).execute();
  return rows.map((r) => ({ cluster: r.cluster, rule: r.rule, key: r.cooldown_key, firedAt: r.fired_at }));
}

export async function saveCooldown(
  db: Executor,
  cluster: string,
  rule: string,
  key: string,
  firedAt: number,
): Promise<void> {
  await db
    .insertInto('rule_cooldowns')
    .values({ cluster, rule, cooldown_key: key, fired_at: firedAt })
    .onConflict((oc) => oc.columns(['cluster', 'rule', 'cooldown_key']).doUpdateSet({ fired_at: firedAt }))
    .execute();
}

export async function purgeCooldowns(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('rule_cooldowns').where('fired_at', '<', before).execute();
}
