// Writes notifications into the outbox. The alerting side enqueues inside its own
// transaction (pass the transaction as the executor); the dispatcher reads and settles rows.
import type { Kysely, Transaction } from 'kysely';
import type { Notification } from '../../domain/notification.js';
import type { Database } from '../database.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface OutboxItem {
  readonly receiver: string;
  readonly integration: string;
  readonly integrationIndex: number;
  readonly groupKey: string;
  /** Unique per notification and integration; a second enqueue with the same key is ignored. */
  readonly idempotencyKey: string;
  readonly notification: Notification;
}

/** Adds notifications to the outbox; duplicates (same idempotency key) are ignored. */
export async function enqueueNotifications(
  db: Executor,
  items: readonly OutboxItem[],
  now: number,
): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('notification_outbox')
    .values(
      items.map((item) => ({
        receiver: item.receiver,
        integration: item.integration,
        integration_index: item.integrationIndex,
        group_key: item.groupKey,
        idempotency_key: item.idempotencyKey,
        payload: JSON.stringify(item.notification),
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        created_at: now,
        sent_at: null,
      })),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}
