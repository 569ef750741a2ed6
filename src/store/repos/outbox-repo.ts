// The notification outbox: the alerting side enqueues inside its own transaction (pass the
// transaction as the executor); the dispatcher finds each group's oldest pending row, claims it,
// and settles it as sent, retried later, or dead; operators list and resend dead letters.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Notification } from '../../domain/notification.js';
import type { Database } from '../database.js';
import type { OutboxStatus, OutboxTable } from '../tables/delivery.js';

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

/** One receiver integration: the unit a dispatcher worker serves. */
export interface IntegrationKey {
  readonly receiver: string;
  readonly integration: string;
  readonly integrationIndex: number;
}

export interface OutboxRow {
  readonly id: number;
  readonly receiver: string;
  readonly integration: string;
  readonly integrationIndex: number;
  readonly groupKey: string;
  readonly idempotencyKey: string;
  /** The notification as JSON text; parsed by the dispatcher, which dead-letters bad JSON. */
  readonly payload: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly sentAt: number | null;
  readonly claimedBy: string | null;
  readonly claimedUntil: number | null;
  readonly resentAt: number | null;
  readonly deadAt: number | null;
}

function toRow(r: Selectable<OutboxTable>): OutboxRow {
  return {
    id: Number(r.id),
    receiver: r.receiver,
    integration: r.integration,
    integrationIndex: r.integration_index,
    groupKey: r.group_key,
    idempotencyKey: r.idempotency_key,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: Number(r.created_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    claimedBy: r.claimed_by,
    claimedUntil: r.claimed_until === null ? null : Number(r.claimed_until),
    resentAt: r.resent_at === null ? null : Number(r.resent_at),
    deadAt: r.dead_at === null ? null : Number(r.dead_at),
  };
}

function forKey(key: IntegrationKey) {
  return {
    receiver: key.receiver,
    integration: key.integration,
    integration_index: key.integrationIndex,
  } as const;
}

/**
 * The oldest pending row of each group of one integration, in id order, whether or not it is
 * due or claimed: a group's later rows wait behind its head, so only heads are ever sent.
 */
export async function listGroupHeads(db: Executor, key: IntegrationKey, limit: number): Promise<OutboxRow[]> {
  const k = forKey(key);
  const heads = db
    .selectFrom('notification_outbox')
    .select((eb) => eb.fn.min('id').as('head_id'))
    .where('status', '=', 'pending')
    .where('receiver', '=', k.receiver)
    .where('integration', '=', k.integration)
    .where('integration_index', '=', k.integration_index)
    .groupBy('group_key')
    .as('heads');
  const rows = await db
    .selectFrom('notification_outbox as o')
    .innerJoin(heads, 'heads.head_id', 'o.id')
    .selectAll('o')
    .orderBy('o.id')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

/** Pending rows of one group from `fromId` on, in id order (the rows an edit may merge). */
export async function listPendingOfGroup(
  db: Executor,
  key: IntegrationKey,
  groupKey: string,
  fromId: number,
  limit: number,
): Promise<OutboxRow[]> {
  const k = forKey(key);
  const rows = await db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('receiver', '=', k.receiver)
    .where('integration', '=', k.integration)
    .where('integration_index', '=', k.integration_index)
    .where('group_key', '=', groupKey)
    .where('id', '>=', fromId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

/**
 * Claims pending rows for `owner` until `until`, skipping rows another live claim holds.
 * Returns the ids now claimed by `owner`.
 */
export async function claimRows(
  db: Executor,
  ids: readonly number[],
  owner: string,
  until: number,
  now: number,
): Promise<number[]> {
  if (ids.length === 0) return [];
  await db
    .updateTable('notification_outbox')
    .set({ claimed_by: owner, claimed_until: until })
    .where('id', 'in', [...ids])
    .where('status', '=', 'pending')
    .where((eb) =>
      eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now), eb('claimed_by', '=', owner)]),
    )
    .execute();
  const claimed = await db
    .selectFrom('notification_outbox')
    .select('id')
    .where('id', 'in', [...ids])
    .where('claimed_by', '=', owner)
    .where('status', '=', 'pending')
    .execute();
  return claimed.map((r) => Number(r.id));
}

/** Gives claimed rows back without settling them (the worker stopped, or lost a race). */
export async function releaseClaims(db: Executor, ids: readonly number[], owner: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notification_outbox')
    .set({ claimed_by: null, claimed_until: null })
    .where('id', 'in', [...ids])
    .where('claimed_by', '=', owner)
    .execute();
}

/** The receiver accepted these rows (the last one sent, earlier ones merged into it). */
export async function markSent(db: Executor, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notification_outbox')
    .set((eb) => ({
      status: 'sent' as const,
      sent_at: now,
      attempts: eb('attempts', '+', 1),
      claimed_by: null,
      claimed_until: null,
      dead_at: null,
    }))
    .where('id', 'in', [...ids])
    .where('status', '!=', 'sent')
    .execute();
}

/** A failed attempt that will be tried again at `nextAttemptAt`. */
export async function scheduleRetry(
  db: Executor,
  ids: readonly number[],
  owner: string,
  retry: { readonly nextAttemptAt: number; readonly error: string },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notification_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: retry.nextAttemptAt,
      last_error: retry.error,
      claimed_by: null,
      claimed_until: null,
    }))
    .where('id', 'in', [...ids])
    .where('status', '=', 'pending')
    .where('claimed_by', '=', owner)
    .execute();
}

/** Gives up on rows: they stay as dead letters until resent. `owner` null skips the claim check. */
export async function markDead(
  db: Executor,
  ids: readonly number[],
  owner: string | null,
  failure: { readonly error: string; readonly now: number; readonly countAttempt: boolean },
): Promise<void> {
  if (ids.length === 0) return;
  let query = db
    .updateTable('notification_outbox')
    .set((eb) => ({
      status: 'dead' as const,
      dead_at: failure.now,
      last_error: failure.error,
      attempts: failure.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      claimed_by: null,
      claimed_until: null,
    }))
    .where('id', 'in', [...ids])
    .where('status', '=', 'pending');
  if (owner !== null) query = query.where('claimed_by', '=', owner);
  await query.execute();
}

/**
 * After a receiver recovers, rows waiting out a long backoff become due now, so an outage ends
 * with the queue draining at the rate limit instead of at each row's own backoff.
 */
export async function hurryPending(db: Executor, key: IntegrationKey, now: number): Promise<number> {
  const k = forKey(key);
  const result = await db
    .updateTable('notification_outbox')
    .set({ next_attempt_at: now })
    .where('status', '=', 'pending')
    .where('receiver', '=', k.receiver)
    .where('integration', '=', k.integration)
    .where('integration_index', '=', k.integration_index)
    .where('next_attempt_at', '>', now)
    .where('attempts', '>', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Dead-letters pending rows whose receiver integration is not in the config any more (renamed
 * or removed), so they show up for an operator instead of waiting forever.
 */
export async function deadLetterOrphans(
  db: Executor,
  known: readonly IntegrationKey[],
  now: number,
): Promise<number> {
  const pending = await db
    .selectFrom('notification_outbox')
    .select(['receiver', 'integration', 'integration_index'])
    .where('status', '=', 'pending')
    .groupBy(['receiver', 'integration', 'integration_index'])
    .execute();
  const isKnown = (r: { receiver: string; integration: string; integration_index: number }): boolean =>
    known.some(
      (k) =>
        k.receiver === r.receiver &&
        k.integration === r.integration &&
        k.integrationIndex === r.integration_index,
    );
  let count = 0;
  for (const orphan of pending.filter((r) => !isKnown(r))) {
    const result = await db
      .updateTable('notification_outbox')
      .set({
        status: 'dead',
        dead_at: now,
        last_error: `receiver "${orphan.receiver}" has no ${orphan.integration}_configs[${orphan.integration_index}] in the configuration`,
        claimed_by: null,
        claimed_until: null,
      })
      .where('status', '=', 'pending')
      .where('receiver', '=', orphan.receiver)
      .where('integration', '=', orphan.integration)
      .where('integration_index', '=', orphan.integration_index)
      .executeTakeFirst();
    count += Number(result.numUpdatedRows);
  }
  return count;
}

export interface DeadLetter {
  readonly id: number;
  readonly receiver: string;
  readonly integration: string;
  readonly integrationIndex: number;
  readonly groupKey: string;
  readonly idempotencyKey: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly deadAt: number | null;
  /** The notification's status and alert count, for a one-line listing. */
  readonly status: string;
  readonly alerts: number;
  readonly payload: string;
}

export interface ListDeadLettersOptions {
  readonly receiver?: string | undefined;
  /** Newest first; at most this many (default 100). */
  readonly limit?: number | undefined;
  /** Only ids below this one (paging). */
  readonly beforeId?: number | undefined;
}

/** Dead letters, newest first. */
export async function listDeadLetters(
  db: Executor,
  options: ListDeadLettersOptions = {},
): Promise<DeadLetter[]> {
  let query = db.selectFrom('notification_outbox').selectAll().where('status', '=', 'dead');
  if (options.receiver !== undefined) query = query.where('receiver', '=', options.receiver);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(Math.max(1, Math.min(options.limit ?? 100, 1000)))
    .execute();
  return rows.map((r) => {
    const row = toRow(r);
    let status = 'unknown';
    let alerts = 0;
    try {
      const parsed = JSON.parse(row.payload) as Partial<Notification>;
      status = typeof parsed.status === 'string' ? parsed.status : 'unknown';
      alerts = Array.isArray(parsed.alerts) ? parsed.alerts.length : 0;
    } catch {
      status = 'unreadable';
    }
    return {
      id: row.id,
      receiver: row.receiver,
      integration: row.integration,
      integrationIndex: row.integrationIndex,
      groupKey: row.groupKey,
      idempotencyKey: row.idempotencyKey,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt,
      deadAt: row.deadAt,
      status,
      alerts,
      payload: row.payload,
    };
  });
}

/**
 * Puts a dead letter back in the queue, due now, with a fresh dead-letter age. Returns false
 * when there is no dead letter with that id (unknown, pending, or already sent).
 */
export async function resendDeadLetter(db: Executor, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('notification_outbox')
    .set({
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      resent_at: now,
      dead_at: null,
      claimed_by: null,
      claimed_until: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function getOutboxRow(db: Executor, id: number): Promise<OutboxRow | undefined> {
  const row = await db.selectFrom('notification_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Pending rows per receiver integration (the queue-depth metric). */
export async function countPending(
  db: Executor,
): Promise<Array<{ receiver: string; integration: string; count: number; oldest: number }>> {
  const rows = await db
    .selectFrom('notification_outbox')
    .select((eb) => [
      'receiver',
      'integration',
      eb.fn.countAll<number>().as('count'),
      eb.fn.min('created_at').as('oldest'),
    ])
    .where('status', '=', 'pending')
    .groupBy(['receiver', 'integration'])
    .execute();
  return rows.map((r) => ({
    receiver: r.receiver,
    integration: r.integration,
    count: Number(r.count),
    oldest: Number(r.oldest),
  }));
}

export interface RefKey extends IntegrationKey {
  readonly groupKey: string;
}

/** What a receiver remembered for a group (a message id to edit), as stored JSON. */
export async function getDeliveryRef(db: Executor, key: RefKey): Promise<string | undefined> {
  const row = await db
    .selectFrom('delivery_refs')
    .select('ref')
    .where('receiver', '=', key.receiver)
    .where('integration', '=', key.integration)
    .where('integration_index', '=', key.integrationIndex)
    .where('group_key', '=', key.groupKey)
    .executeTakeFirst();
  return row?.ref;
}

export async function saveDeliveryRef(db: Executor, key: RefKey, ref: string, now: number): Promise<void> {
  await db
    .insertInto('delivery_refs')
    .values({
      receiver: key.receiver,
      integration: key.integration,
      integration_index: key.integrationIndex,
      group_key: key.groupKey,
      ref,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['receiver', 'integration', 'integration_index', 'group_key'])
        .doUpdateSet({ ref, updated_at: now }),
    )
    .execute();
}

/** Forgets references not updated since `before` (incidents long over). */
export async function pruneDeliveryRefs(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('delivery_refs').where('updated_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes sent rows older than `before` (retention of delivered notifications). */
export async function pruneSent(db: Executor, before: number): Promise<number> {
  const result = await db
    .deleteFrom('notification_outbox')
    .where('status', '=', 'sent')
    .where('sent_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
