// The one interface every integration implements, and what the dispatcher hands it per attempt.
// An integration throws NotifyError (retryable or not, with retry_after) and never swallows one.
import type { Notification } from '../domain/notification.js';
import type { RateRule } from './rate-limiter.js';

export type IntegrationName = 'telegram' | 'slack' | 'webhook' | 'nats';

/** One outbox row as the integration sees it. */
export interface QueuedNotification {
  readonly id: number;
  readonly notification: Notification;
}

export interface DeliveryAttempt {
  /**
   * The rows to deliver, oldest first: always one for integrations that do not merge; for
   * edit-in-place integrations the head of the group and the pending rows after it.
   */
  readonly rows: readonly QueuedNotification[];
  /** The head row's idempotency key (Idempotency-Key header, Nats-Msg-Id). */
  readonly idempotencyKey: string;
  /** What the last successful (or partly successful) send of this group remembered. */
  readonly previousRef: unknown;
  readonly signal: AbortSignal;
  /** Stores a reference right away (a multi-part send that fails half-way must not repeat its first part). */
  saveProgress(ref: unknown): Promise<void>;
  /** Waits for the shared rate limit of `key` (a chat, a channel) before one API call. */
  throttle(key: string, rules: readonly RateRule[]): Promise<void>;
  /** The receiver answered 429 for `key`: every worker holds off that key for `retryAfterMs`. */
  rateLimited(key: string, retryAfterMs: number): void;
}

export interface DeliveryResult {
  /** How many of `rows` (from the first) this send covered; the rest stay pending. */
  readonly consumed: number;
  /** The reference to keep for the group, or undefined to keep none. */
  readonly ref?: unknown;
  /** Nothing was sent on purpose (a resolved notification with send_resolved off). */
  readonly skipped?: boolean;
}

export interface Notifier {
  readonly integration: IntegrationName;
  /** Whether one send may merge a group's pending rows (edit-in-place messages). */
  readonly mergesGroup: boolean;
  send(attempt: DeliveryAttempt): Promise<DeliveryResult>;
  /** A harmless call that proves the credentials and the endpoint work (for `lookout doctor`). */
  check(signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}
