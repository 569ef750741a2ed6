// The outbox dispatcher: one worker per receiver integration sends each group's oldest pending
// notification, in order, marks it sent only after the receiver accepted it, and retries with
// backoff (honouring retry_after) until it goes through or becomes a dead letter.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { fingerprint } from '../domain/alert.js';
import { ZERO_TIME, type Notification, type NotificationAlert } from '../domain/notification.js';
import { NotifyError, errorMessage } from '../lib/errors.js';
import type { Database } from '../store/database.js';
import {
  claimRows,
  deadLetterOrphans,
  getDeliveryRef,
  hurryPending,
  listGroupHeads,
  listPendingOfGroup,
  markDead,
  markSent,
  pruneDeliveryRefs,
  pruneSent,
  releaseClaims,
  saveDeliveryRef,
  scheduleRetry,
  type IntegrationKey,
  type OutboxRow,
} from '../store/repos/outbox-repo.js';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import type { DeliveryMetrics } from './delivery-metrics.js';
import type { DeliveryResult, Notifier, QueuedNotification } from './notifier.js';
import { RateLimiter } from './rate-limiter.js';

export interface DispatcherWorker {
  readonly key: IntegrationKey;
  readonly notifier: Notifier;
  /** A row still failing this long after it was queued (or resent) becomes a dead letter. */
  readonly deadLetterAfterMs: number;
}

export interface DispatcherOptions {
  readonly db: Kysely<Database>;
  readonly workers: readonly DispatcherWorker[];
  readonly log: Logger;
  readonly metrics: DeliveryMetrics;
  readonly clock?: Clock;
  /** Names this dispatcher's claims; unique per process by default. */
  readonly owner?: string;
  /** How often an idle worker looks for rows nobody woke it for (another process wrote them). */
  readonly pollIntervalMs?: number;
  /** How long a claim holds; longer than any one send takes (timeouts and rate-limit waits). */
  readonly claimLeaseMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Group heads one worker reads per round. */
  readonly batchSize?: number;
  /** Most pending rows of one group merged into one edit. */
  readonly mergeLimit?: number;
  /** Sent rows are deleted this long after they were sent (0 keeps them). */
  readonly keepSentMs?: number;
  /** Message references of groups untouched this long are forgotten. */
  readonly keepRefsMs?: number;
  readonly random?: () => number;
}

type Outcome = 'sent' | 'failed' | 'down' | 'throttled' | 'busy' | 'stopped';

const HOUR = 3_600_000;

export class Dispatcher {
  readonly #db: Kysely<Database>;
  readonly #workers: readonly DispatcherWorker[];
  readonly #log: Logger;
  readonly #metrics: DeliveryMetrics;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #pollIntervalMs: number;
  readonly #claimLeaseMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #batchSize: number;
  readonly #mergeLimit: number;
  readonly #keepSentMs: number;
  readonly #keepRefsMs: number;
  readonly #random: () => number;
  readonly #limiter: RateLimiter;
  readonly #wakers = new Set<() => void>();
  #wakeSeq = 0;
  #controller: AbortController | undefined;
  #loops: Promise<void>[] = [];

  constructor(options: DispatcherOptions) {
    this.#db = options.db;
    this.#workers = options.workers;
    this.#log = options.log;
    this.#metrics = options.metrics;
    this.#clock = options.clock ?? systemClock;
    this.#owner = options.owner ?? `lookout-${randomUUID()}`;
    this.#pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.#claimLeaseMs = options.claimLeaseMs ?? 120_000;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#batchSize = options.batchSize ?? 100;
    this.#mergeLimit = options.mergeLimit ?? 50;
    this.#keepSentMs = options.keepSentMs ?? 7 * 24 * HOUR;
    this.#keepRefsMs = options.keepRefsMs ?? 30 * 24 * HOUR;
    this.#random = options.random ?? Math.random;
    this.#limiter = new RateLimiter(this.#clock);
  }

  get owner(): string {
    return this.#owner;
  }

  /**
   * Starts one worker per receiver integration. Rows of integrations no longer configured
   * become dead letters first, so they are visible instead of waiting forever.
   */
  async start(): Promise<void> {
    if (this.#controller) return;
    const controller = new AbortController();
    this.#controller = controller;
    const orphans = await deadLetterOrphans(
      this.#db,
      this.#workers.map((w) => w.key),
      this.#clock.now(),
    );
    if (orphans > 0) {
      this.#log.warn(
        { count: orphans },
        'notifications for receivers no longer configured became dead letters',
      );
    }
    this.#loops = [
      ...this.#workers.map((worker) => this.#run(worker, controller.signal)),
      this.#maintain(controller.signal),
    ];
  }

  /** Stops every worker; an in-flight send is aborted and its row left for the next start. */
  async stop(): Promise<void> {
    const controller = this.#controller;
    if (!controller) return;
    controller.abort();
    this.wake();
    await Promise.all(this.#loops);
    this.#loops = [];
    this.#controller = undefined;
  }

  /** New rows are in the outbox: idle workers look now instead of at their next poll. */
  wake(): void {
    this.#wakeSeq++;
    for (const waker of this.#wakers) waker();
  }

  async #run(worker: DispatcherWorker, signal: AbortSignal): Promise<void> {
    const log = this.#log.child({
      receiver: worker.key.receiver,
      integration: worker.key.integration,
      index: worker.key.integrationIndex,
    });
    let failures = 0;
    let pausedUntil = 0;
    while (!signal.aborted) {
      const seq = this.#wakeSeq;
      try {
        const now = this.#clock.now();
        if (pausedUntil > now) {
          // The receiver is down: one probe per backoff period, not one per group.
          await this.#wait(pausedUntil - now, signal, seq, false);
          continue;
        }
        const heads = await listGroupHeads(this.#db, worker.key, this.#batchSize);
        let nextLook = now + this.#pollIntervalMs;
        let worked = false;
        for (const head of heads) {
          if (signal.aborted) break;
          const at = this.#clock.now();
          if (head.nextAttemptAt > at) {
            nextLook = Math.min(nextLook, head.nextAttemptAt);
            continue;
          }
          if (head.claimedUntil !== null && head.claimedUntil > at && head.claimedBy !== this.#owner) {
            nextLook = Math.min(nextLook, head.claimedUntil);
            continue;
          }
          const { outcome, retryAfterMs } = await this.#deliver(worker, head, signal, log);
          if (outcome === 'busy') continue;
          worked = true;
          if (outcome === 'down') {
            failures++;
            pausedUntil =
              this.#clock.now() + backoffDelay(this.#backoff, failures, retryAfterMs, this.#random);
            break;
          }
          if (outcome === 'sent' && failures > 0) {
            failures = 0;
            // Back after an outage: rows waiting out long backoffs go now (at the rate limit).
            const hurried = await hurryPending(this.#db, worker.key, this.#clock.now());
            log.info({ hurried }, 'receiver accepts notifications again');
          }
        }
        if (!worked) await this.#wait(nextLook - this.#clock.now(), signal, seq, true);
      } catch (error) {
        // The database failed (or a bug): nothing was settled, so nothing is lost. Try again later.
        log.error({ err: error }, 'delivery worker failed; retrying');
        failures++;
        await this.#wait(backoffDelay(this.#backoff, failures, undefined, this.#random), signal, seq, false);
      }
    }
  }

  /** Sleeps up to `ms`; returns early on stop, and on wake() when `wakeable`. */
  async #wait(ms: number, signal: AbortSignal, seq: number, wakeable: boolean): Promise<void> {
    if (ms <= 0 || signal.aborted) return;
    if (wakeable && seq !== this.#wakeSeq) return;
    const early = new AbortController();
    const waker = (): void => early.abort();
    if (wakeable) this.#wakers.add(waker);
    try {
      await this.#clock.sleep(ms, AbortSignal.any([signal, early.signal]));
    } finally {
      this.#wakers.delete(waker);
    }
  }

  async #deliver(
    worker: DispatcherWorker,
    head: OutboxRow,
    signal: AbortSignal,
    log: Logger,
  ): Promise<{ outcome: Outcome; retryAfterMs?: number | undefined }> {
    const { key, notifier } = worker;
    const labels = { receiver: key.receiver, integration: key.integration };
    const candidates = notifier.mergesGroup
      ? await listPendingOfGroup(this.#db, key, head.groupKey, head.id, this.#mergeLimit)
      : [head];
    const now = this.#clock.now();
    const claimed = new Set(
      await claimRows(
        this.#db,
        candidates.map((r) => r.id),
        this.#owner,
        now + this.#claimLeaseMs,
        now,
      ),
    );
    // Only an unbroken run from the head may go: a gap means another dispatcher holds a row.
    const run: OutboxRow[] = [];
    for (const row of candidates) {
      if (!claimed.has(row.id)) break;
      run.push(row);
    }
    const release =
      run.length === 0 ? [...claimed] : [...claimed].filter((id) => !run.some((r) => r.id === id));
    await releaseClaims(this.#db, release, this.#owner);
    if (run.length === 0 || run[0]!.id !== head.id) return { outcome: 'busy' };

    // Bad input is dead-lettered with its reason, never retried and never fatal.
    const rows: QueuedNotification[] = [];
    for (const row of run) {
      const parsed = parseNotification(row.payload);
      if (typeof parsed === 'string') {
        if (rows.length === 0) {
          await markDead(this.#db, [row.id], this.#owner, { error: parsed, now, countAttempt: false });
          this.#metrics.dead.inc(labels);
          log.warn({ id: row.id, problem: parsed }, 'unreadable notification became a dead letter');
          await releaseClaims(
            this.#db,
            run.slice(1).map((r) => r.id),
            this.#owner,
          );
          return { outcome: 'failed' };
        }
        break;
      }
      rows.push({ id: row.id, notification: parsed });
    }
    const used = run.slice(0, rows.length);
    await releaseClaims(
      this.#db,
      run.slice(rows.length).map((r) => r.id),
      this.#owner,
    );

    const refKey = { ...key, groupKey: head.groupKey };
    const storedRef = await getDeliveryRef(this.#db, refKey);
    const previousRef = storedRef === undefined ? undefined : safeJson(storedRef);
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await notifier.send({
        rows,
        idempotencyKey: head.idempotencyKey,
        previousRef,
        signal,
        saveProgress: (ref) => saveDeliveryRef(this.#db, refKey, JSON.stringify(ref), this.#clock.now()),
        throttle: (rateKey, rules) => this.#limiter.acquire(rateKey, rules, signal),
        rateLimited: (rateKey, ms) => {
          this.#limiter.block(rateKey, this.#clock.now() + ms);
          this.#metrics.rateLimited.inc(labels);
        },
      });
    } catch (error) {
      this.#metrics.sendDuration.observe(
        { integration: key.integration },
        (performance.now() - started) / 1000,
      );
      return this.#failed({ worker, head, rows: used, error, signal, log });
    }
    this.#metrics.sendDuration.observe(
      { integration: key.integration },
      (performance.now() - started) / 1000,
    );

    const consumed = used.slice(0, Math.max(1, Math.min(result.consumed, used.length)));
    const sentAt = this.#clock.now();
    await this.#db.transaction().execute(async (trx) => {
      await markSent(
        trx,
        consumed.map((r) => r.id),
        sentAt,
      );
      if (result.ref !== undefined) await saveDeliveryRef(trx, refKey, JSON.stringify(result.ref), sentAt);
    });
    await releaseClaims(
      this.#db,
      used.slice(consumed.length).map((r) => r.id),
      this.#owner,
    );
    for (const row of consumed) {
      (result.skipped ? this.#metrics.skipped : this.#metrics.sent).inc(labels);
      if (!result.skipped) {
        this.#metrics.deliveryDelay.observe(
          { integration: key.integration },
          Math.max(0, sentAt - row.createdAt) / 1000,
        );
      }
    }
    log.debug(
      { ids: consumed.map((r) => r.id), group: head.groupKey, skipped: result.skipped ?? false },
      'delivered',
    );
    return { outcome: 'sent' };
  }

  async #failed(failed: {
    readonly worker: DispatcherWorker;
    readonly head: OutboxRow;
    readonly rows: readonly OutboxRow[];
    readonly error: unknown;
    readonly signal: AbortSignal;
    readonly log: Logger;
  }): Promise<{ outcome: Outcome; retryAfterMs?: number | undefined }> {
    const { worker, head, rows, error, signal, log } = failed;
    const ids = rows.map((r) => r.id);
    if (signal.aborted) {
      // Stopping: the receiver may or may not have the message. Leaving the row pending means
      // at least once; the idempotency key lets webhook and NATS receivers drop the repeat.
      await releaseClaims(this.#db, ids, this.#owner).catch(() => undefined);
      return { outcome: 'stopped' };
    }
    const { key } = worker;
    const labels = { receiver: key.receiver, integration: key.integration };
    const failure =
      error instanceof NotifyError
        ? error
        : new NotifyError(`delivery failed: ${errorMessage(error)}`, { retryable: true, cause: error });
    this.#metrics.failed.inc({ ...labels, retryable: String(failure.retryable) });
    const now = this.#clock.now();
    const age = now - (head.resentAt ?? head.createdAt);
    if (!failure.retryable || age >= worker.deadLetterAfterMs) {
      const reason = failure.retryable
        ? `${failure.message} (still failing after ${Math.round(age / 60_000)} min: gave up)`
        : failure.message;
      await markDead(this.#db, [head.id], this.#owner, { error: reason, now, countAttempt: true });
      await releaseClaims(this.#db, ids.slice(1), this.#owner);
      this.#metrics.dead.inc(labels);
      log.warn(
        { id: head.id, group: head.groupKey, err: failure.message },
        'notification became a dead letter',
      );
      return { outcome: 'failed' };
    }
    const delay = backoffDelay(this.#backoff, head.attempts + 1, failure.retryAfterMs, this.#random);
    await scheduleRetry(this.#db, ids, this.#owner, { nextAttemptAt: now + delay, error: failure.message });
    log.warn(
      {
        id: head.id,
        group: head.groupKey,
        attempts: head.attempts + 1,
        retryInMs: delay,
        err: failure.message,
      },
      'delivery failed; will retry',
    );
    if (failure.status === 429) return { outcome: 'throttled' };
    if (failure.status === undefined || failure.status >= 500) {
      return { outcome: 'down', retryAfterMs: failure.retryAfterMs };
    }
    return { outcome: 'failed' };
  }

  /** Hourly: forget long-sent rows and references of long-finished incidents. */
  async #maintain(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#clock.sleep(HOUR, signal);
      if (signal.aborted) break;
      try {
        const now = this.#clock.now();
        if (this.#keepSentMs > 0) await pruneSent(this.#db, now - this.#keepSentMs);
        await pruneDeliveryRefs(this.#db, now - this.#keepRefsMs);
      } catch (error) {
        this.#log.warn({ err: error }, 'outbox clean-up failed; will try again');
      }
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A stored payload as a notification, or what is wrong with it. */
export function parseNotification(payload: string): Notification | string {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    return `unreadable payload: ${errorMessage(error)}`;
  }
  if (value === null || typeof value !== 'object') return 'payload is not a JSON object';
  const n = value as Partial<Notification>;
  if (typeof n.groupKey !== 'string') return 'payload has no groupKey';
  if (n.status !== 'firing' && n.status !== 'resolved') return 'payload status must be firing or resolved';
  if (!Array.isArray(n.alerts)) return 'payload has no alerts list';
  for (const [i, a] of n.alerts.entries()) {
    const alert = a as Partial<Notification['alerts'][number]> | null;
    if (
      alert === null ||
      typeof alert !== 'object' ||
      typeof alert.labels !== 'object' ||
      alert.labels === null
    ) {
      return `payload alert ${i} has no labels`;
    }
  }
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: typeof n.truncatedAlerts === 'number' ? n.truncatedAlerts : 0,
    status: n.status,
    receiver: typeof n.receiver === 'string' ? n.receiver : '',
    groupLabels: n.groupLabels ?? {},
    commonLabels: n.commonLabels ?? {},
    commonAnnotations: n.commonAnnotations ?? {},
    externalURL: typeof n.externalURL === 'string' ? n.externalURL : '',
    alerts: (n.alerts as ReadonlyArray<Partial<NotificationAlert>>).map((a) => ({
      status: a.status === 'resolved' ? 'resolved' : 'firing',
      labels: a.labels ?? {},
      annotations: a.annotations ?? {},
      startsAt: typeof a.startsAt === 'string' ? a.startsAt : '',
      endsAt: typeof a.endsAt === 'string' ? a.endsAt : ZERO_TIME,
      generatorURL: typeof a.generatorURL === 'string' ? a.generatorURL : '',
      fingerprint:
        typeof a.fingerprint === 'string' && a.fingerprint !== ''
          ? a.fingerprint
          : fingerprint(a.labels ?? {}),
    })),
    ...(n.notificationReason !== undefined ? { notificationReason: n.notificationReason } : {}),
  };
}
