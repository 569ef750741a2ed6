// The outbox: notifications waiting for (or done with) delivery, one row per receiver
// integration, written in the same transaction as the alert-state change that caused it.
import type { Generated } from 'kysely';

/**
 * `pending` waits for (another) attempt; `sent` was accepted by the receiver (or merged into a
 * later edit of the same message); `dead` gave up (see `last_error`) until resent.
 */
export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxTable {
  id: Generated<number>;
  /** Receiver name from the config. */
  receiver: string;
  /** `telegram`, `slack`, `webhook` or `nats`. */
  integration: string;
  /** Index into the receiver's `<integration>_configs` list. */
  integration_index: number;
  /** Aggregation group: notifications of one group are delivered in id order. */
  group_key: string;
  /** Unique per notification and integration; sent as Idempotency-Key / Nats-Msg-Id. */
  idempotency_key: string;
  /** JSON of a {@link import('../../domain/notification.js').Notification}. */
  payload: string;
  status: OutboxStatus;
  attempts: number;
  /** Epoch ms before which the dispatcher leaves the row alone. */
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** The dispatcher working on the row (migration 0250); null when nobody is. */
  claimed_by: string | null;
  /** Epoch ms when the claim lapses: a dispatcher that died mid-send cannot hold a row forever. */
  claimed_until: number | null;
  /** Epoch ms of the last resend of a dead letter; the dead-letter age counts from here. */
  resent_at: number | null;
  /** Epoch ms when the row became a dead letter. */
  dead_at: number | null;
}

/** What a receiver remembers per group to edit its message in place (Telegram message id, Slack ts). */
export interface DeliveryRefTable {
  receiver: string;
  integration: string;
  integration_index: number;
  group_key: string;
  /** JSON, integration-specific. */
  ref: string;
  updated_at: number;
}

export interface DeliveryTables {
  notification_outbox: OutboxTable;
  delivery_refs: DeliveryRefTable;
}
