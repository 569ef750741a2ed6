// The notification log: what each receiver integration was last told about each group. Written
// in the same transaction as the outbox rows it accounts for, so a restart neither repeats nor
// forgets a notification.
import type { NflogRow } from '../../alerting/dispatcher.js';
import type { Dialect } from '../dialect.js';
import { bulkUpsert, type UpsertShape } from './alert-repo.js';
import type { Executor } from './executor.js';

const CHUNK = 500;

const SHAPE: UpsertShape = {
  table: 'notification_log',
  columns: [
    'entry_key',
    'receiver',
    'integration',
    'integration_index',
    'group_key',
    'firing',
    'resolved',
    'notified_at',
    'expires_at',
  ],
  key: 'entry_key',
  update: ['firing', 'resolved', 'notified_at', 'expires_at'],
};

export async function upsertNotificationLog(
  db: Executor,
  dialect: Dialect,
  rows: readonly NflogRow[],
): Promise<void> {
  await bulkUpsert(
    db,
    dialect,
    SHAPE,
    rows.map((r) => [
      r.key,
      r.receiver,
      r.integration,
      r.integrationIndex,
      r.groupKey,
      JSON.stringify([...r.entry.firing]),
      JSON.stringify([...r.entry.resolved]),
      r.entry.timestamp,
      r.entry.expiresAt,
    ]),
  );
}

export async function listNotificationLog(db: Executor): Promise<NflogRow[]> {
  const rows = await db.selectFrom('notification_log').selectAll().execute();
  return rows.map((r) => ({
    key: r.entry_key,
    receiver: r.receiver,
    integration: r.integration,
    integrationIndex: Number(r.integration_index),
    groupKey: r.group_key,
    entry: {
      firing: new Set(JSON.parse(r.firing) as string[]),
      resolved: new Set(JSON.parse(r.resolved) as string[]),
      timestamp: Number(r.notified_at),
      expiresAt: Number(r.expires_at),
    },
  }));
}

export async function deleteNotificationLog(db: Executor, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += CHUNK) {
    await db
      .deleteFrom('notification_log')
      .where('entry_key', 'in', keys.slice(i, i + CHUNK))
      .execute();
  }
}
