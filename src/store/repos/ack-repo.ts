// Alert acknowledgements from chat: who took an alert on, and when. An acknowledgement holds
// for one firing of the alert (its start time); a later firing starts unacknowledged.
import type { Executor } from './executor.js';

export interface Ack {
  readonly fingerprint: string;
  readonly alertStartsAt: number;
  readonly userId: number;
  readonly userName: string;
  readonly at: number;
}

export async function saveAck(db: Executor, ack: Ack): Promise<void> {
  const values = {
    fingerprint: ack.fingerprint,
    alert_starts_at: ack.alertStartsAt,
    user_id: ack.userId,
    user_name: ack.userName,
    at: ack.at,
  };
  await db
    .insertInto('chat_acks')
    .values(values)
    .onConflict((oc) =>
      oc.column('fingerprint').doUpdateSet({
        alert_starts_at: values.alert_starts_at,
        user_id: values.user_id,
        user_name: values.user_name,
        at: values.at,
      }),
    )
    .execute();
}

/** Acknowledgements of these alerts (by fingerprint). */
export async function acksOf(db: Executor, fingerprints: readonly string[]): Promise<Map<string, Ack>> {
  const out = new Map<string, Ack>();
  if (fingerprints.length === 0) return out;
  for (let i = 0; i < fingerprints.length; i += 500) {
    const rows = await db
      .selectFrom('chat_acks')
      .selectAll()
      .where('fingerprint', 'in', fingerprints.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.set(r.fingerprint, {
        fingerprint: r.fingerprint,
        alertStartsAt: Number(r.alert_starts_at),
        userId: Number(r.user_id),
        userName: r.user_name,
        at: Number(r.at),
      });
  }
  return out;
}

export async function purgeAcks(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('chat_acks').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
