// The alerting service: every alert source (rules, Prometheus, webhooks) feeds `ingest`; the
// dispatcher's state is written through to the store, flushes write outbox rows and the
// notification log in one transaction, and timers run on an injectable clock.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import { stringify } from 'yaml';
import type { AlertingConfig } from '../config/sections/alerting.js';
import { alertingSchema } from '../config/sections/alerting.js';
import { toPrintable } from '../config/schema-walk.js';
import type { HttpMount } from '../http/app.js';
import { alertmanagerApi } from '../http/api/alertmanager-api.js';
import { alertmanagerIntake } from '../http/api/intake.js';
import type { Store } from '../store/store.js';
import {
  AlertRowIds,
  deleteAlertsEndedBefore,
  deleteGroups,
  listAlerts,
  listGroups,
  upsertAlerts,
  upsertGroups,
} from '../store/repos/alert-repo.js';
import {
  deleteNotificationLog,
  listNotificationLog,
  upsertNotificationLog,
} from '../store/repos/notification-log-repo.js';
import { chunks } from '../store/repos/executor.js';
import { enqueueNotifications } from '../store/repos/outbox-repo.js';
import {
  deleteSilencesExpiredBefore,
  getSilence,
  listSilences,
  saveSilence,
} from '../store/repos/silence-repo.js';
import type { Logger } from '../telemetry/logger.js';
import { toAlertRecord, type AlertInput, type AlertRecord } from './alert-record.js';
import { systemClock, type Clock } from './clock.js';
import {
  Dispatcher,
  RESOLVED_ALERT_MEMORY_MS,
  type AlertStatusView,
  type GroupRow,
  type GroupState,
} from './dispatcher.js';
import { AlertingNotRunningError } from './errors.js';
import { compileSetup, type AlertingSetup, type ImplicitReceiver } from './setup.js';
import type { Silence } from './silence.js';
import { expireSilence, planSilence, SilenceRequestError, type SilenceInput } from './silence-ops.js';

/** Alertmanager's dispatcher maintenance period: empty groups are removed this often. */
export const MAINTENANCE_INTERVAL_MS = 30_000;
/** How often silences written by other processes (the CLI, another instance) are picked up. */
export const SILENCE_SYNC_INTERVAL_MS = 5_000;
/** Alerts accepted within this window are written in one statement (write-behind batching). */
export const PERSIST_DELAY_MS = 10;
/**
 * Alerts per statement of a write behind. Between statements the event loop serves requests:
 * a burst of thousands of alerts is written in slices instead of holding up the intake for
 * milliseconds at a time.
 */
export const PERSIST_SLICE = 100;
/** After a failed write, pending alerts are tried again this much later. */
export const PERSIST_RETRY_MS = 1_000;

export interface AlertingOptions {
  readonly config: AlertingConfig;
  readonly store: Store;
  readonly log: Logger;
  /** The instance's registry; alerting metrics are registered on it. */
  readonly registry: Registry;
  readonly clock?: Clock;
  /** `externalURL` of notifications when `alerting.external_url` is not set. */
  readonly externalUrl?: string;
  /** Called after notifications were committed to the outbox (wake the delivery dispatcher). */
  readonly onNotificationsQueued?: () => void;
  /**
   * Receivers Lookout adds without a config edit (chat subscriptions), each fed by an implicit
   * route that sees every alert before the configured tree does.
   */
  readonly implicitReceivers?: readonly ImplicitReceiver[];
}

export interface IngestResult {
  readonly accepted: number;
}

/** What the HTTP API and the UI read and do. */
export interface AlertingView {
  readonly setup: AlertingSetup;
  readonly startedAt: number;
  /** The `alerting:` section as YAML, secrets redacted (`/api/v2/status`'s `config.original`). */
  readonly configText: string;
  now(): number;
  alerts(): Iterable<AlertRecord>;
  groups(): Iterable<GroupState>;
  receiversOf(alert: AlertRecord): string[];
  statusOf(alert: AlertRecord, now: number): AlertStatusView;
  silences(): Silence[];
  silence(id: string): Silence | undefined;
  /** Creates or updates a silence (Alertmanager's rules); returns its id. */
  putSilence(input: SilenceInput): Promise<string>;
  /** Expires a silence now. */
  expireSilence(id: string): Promise<void>;
  ingest(alerts: readonly AlertInput[], source: string, options?: IngestOptions): Promise<IngestResult>;
  /**
   * Takes validated alerts and answers at once; they are routed and grouped right after the
   * current I/O callback (once the HTTP answer has left), in the order accepted, and before
   * anything reads alerts or groups or flushes a group. Alertmanager's API answers the same
   * way: its dispatcher routes what the API stored on its own goroutine. Throws
   * {@link AlertingNotRunningError} when alerting is stopped.
   */
  accept(alerts: readonly AlertInput[], source: string): IngestResult;
}

export interface IngestOptions {
  /** End time for alerts sent without one (default: now + `global.resolve_timeout`). */
  readonly resolveTimeoutMs?: number;
}

export interface Alerting extends AlertingView {
  /** Alertmanager's v2 API and the webhook intake; mount on the HTTP app. */
  readonly mount: HttpMount;
  /** Loads state from the store and starts the timers. The store must be migrated. */
  start(): Promise<void>;
  /** Stops timers and waits for the write in progress. */
  stop(): Promise<void>;
  /** Resolves when no write or flush is queued (tests). */
  idle(): Promise<void>;
  /** Counters for the intake endpoints to record malformed payloads. */
  readonly metrics: AlertingMetrics;
}

export interface AlertingMetrics {
  readonly received: Counter<'source' | 'status'>;
  readonly invalid: Counter<'source'>;
  readonly rejectedPayloads: Counter<'endpoint'>;
  readonly notifications: Counter<'receiver' | 'integration'>;
  readonly flushFailures: Counter;
  readonly persistFailures: Counter;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

function createAlertingMetrics(
  registry: Registry,
  dispatcher: () => Dispatcher,
  now: () => number,
): AlertingMetrics {
  new Gauge({
    name: 'lookout_alerts',
    help: 'Alerts Lookout knows, by state (active, suppressed) and status (firing, resolved).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const d = dispatcher();
      const t = now();
      let active = 0;
      let suppressed = 0;
      let resolved = 0;
      for (const a of d.alerts()) {
        if (a.endsAt <= t) resolved++;
        else if (d.statusOf(a, t).state === 'active') active++;
        else suppressed++;
      }
      this.set({ state: 'active' }, active);
      this.set({ state: 'suppressed' }, suppressed);
      this.set({ state: 'resolved' }, resolved);
    },
  });
  new Gauge({
    name: 'lookout_alert_groups',
    help: 'Aggregation groups the dispatcher holds.',
    registers: [registry],
    collect() {
      this.set(dispatcher().groupCount);
    },
  });
  new Gauge({
    name: 'lookout_silences',
    help: 'Silences by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const t = now();
      const counts = { active: 0, pending: 0, expired: 0 };
      for (const s of dispatcher().silences.list()) {
        counts[s.endsAt <= t ? 'expired' : s.startsAt > t ? 'pending' : 'active']++;
      }
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return {
    received: new Counter({
      name: 'lookout_alerts_received_total',
      help: 'Alerts received, by source and by status at arrival.',
      labelNames: ['source', 'status'],
      registers: [registry],
    }),
    invalid: new Counter({
      name: 'lookout_alerts_invalid_total',
      help: 'Alerts refused because they were invalid (no labels, bad label names, end before start).',
      labelNames: ['source'],
      registers: [registry],
    }),
    rejectedPayloads: new Counter({
      name: 'lookout_alert_payloads_rejected_total',
      help: 'Alert intake requests refused as malformed (not JSON, wrong shape), by endpoint.',
      labelNames: ['endpoint'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'lookout_notifications_queued_total',
      help: 'Notifications written to the outbox, by receiver and integration.',
      labelNames: ['receiver', 'integration'],
      registers: [registry],
    }),
    flushFailures: new Counter({
      name: 'lookout_alert_flush_failures_total',
      help: 'Group flushes that could not be stored (retried on the next group_interval tick).',
      registers: [registry],
    }),
    persistFailures: new Counter({
      name: 'lookout_alert_store_failures_total',
      help: 'Writes of accepted alerts that failed (kept in memory and retried).',
      registers: [registry],
    }),
  };
}

/** Builds the alerting service; call `start()` after the store is migrated. */
export function createAlerting(options: AlertingOptions): Alerting {
  const service = new AlertingService(options);
  const view = service.view();
  const deps = {
    alerting: view,
    metrics: service.metrics,
    log: options.log.child({ component: 'alerting-api' }),
  };
  const api = alertmanagerApi(deps);
  const intake = alertmanagerIntake(deps);
  return {
    ...view,
    mount: (app, direct) => {
      api(app, direct);
      intake(app, direct);
    },
    start: () => service.start(),
    stop: () => service.stop(),
    idle: () => service.idle(),
    metrics: service.metrics,
  };
}

class AlertingService {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #setup: AlertingSetup;
  readonly #dispatcher: Dispatcher;
  readonly metrics: AlertingMetrics;
  readonly #configText: string;
  readonly #startedAt: number;
  readonly #onQueued: (() => void) | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #queued = 0;
  /** Alerts and new groups applied in memory but not yet written (latest state per key). */
  #unsavedAlerts = new Map<string, AlertRecord>();
  /** Where each alert is stored (SQLite rows); set by {@link start}, before any write. */
  #rowIds!: AlertRowIds;
  #unsavedGroups = new Map<string, GroupRow>();
  #waiters: Waiter[] = [];
  #persistTimer: NodeJS.Timeout | undefined;
  #timer: unknown;
  #timerAt: number | undefined;
  #maintenanceTimer: unknown;
  #syncTimer: unknown;
  #lastSilenceSync = 0;
  #running = false;
  /** Alerts taken by {@link accept} and not routed yet, with the time they arrived. */
  #accepted: Array<{ inputs: readonly AlertInput[]; source: string; now: number }> = [];
  #routeScheduled = false;

  constructor(options: AlertingOptions) {
    this.#store = options.store;
    this.#log = options.log.child({ component: 'alerting' });
    this.#clock = options.clock ?? systemClock;
    this.#setup = compileSetup(options.config, {
      ...(options.externalUrl === undefined ? {} : { externalUrl: options.externalUrl }),
      ...(options.implicitReceivers ? { implicitReceivers: options.implicitReceivers } : {}),
    });
    this.#dispatcher = new Dispatcher(this.#setup);
    this.metrics = createAlertingMetrics(
      options.registry,
      () => this.#routed(),
      () => this.#clock.now(),
    );
    this.#configText = stringify(toPrintable(alertingSchema, options.config), { lineWidth: 0 });
    this.#startedAt = this.#clock.now();
    this.#onQueued = options.onNotificationsQueued;
  }

  view(): AlertingView {
    const d = this.#dispatcher;
    return {
      setup: this.#setup,
      startedAt: this.#startedAt,
      configText: this.#configText,
      now: () => this.#clock.now(),
      alerts: () => this.#routed().alerts(),
      groups: () => this.#routed().groups(),
      receiversOf: (a) => d.receiversOf(a),
      statusOf: (a, now) => d.statusOf(a, now),
      silences: () => d.silences.list(),
      silence: (id) => d.silences.get(id),
      putSilence: (input) => this.#putSilence(input),
      expireSilence: (id) => this.#expireSilence(id),
      ingest: (alerts, source, opts) => this.ingest(alerts, source, opts),
      accept: (alerts, source) => this.accept(alerts, source),
    };
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async start(): Promise<void> {
    const now = this.#clock.now();
    const db = this.#store.db;
    const [groups, nflog, silences] = await Promise.all([
      listGroups(db),
      listNotificationLog(db),
      listSilences(db),
    ]);
    // Resolved alerts that ended before every group's last flush were reported (or dropped)
    // already; the store keeps them for history, memory does not need them.
    const horizon = Math.min(
      now - RESOLVED_ALERT_MEMORY_MS,
      ...groups.map((g) => g.lastFlushAt ?? g.createdAt),
    );
    this.#rowIds = await AlertRowIds.load(db, this.#store.dialect);
    const live = await listAlerts(db, { firingAt: horizon }, this.#rowIds);
    const { newGroups, staleGroups } = this.#dispatcher.restore(
      { alerts: live, groups, nflog, silences },
      now,
    );
    await db.transaction().execute(async (tx) => {
      await deleteGroups(tx, staleGroups);
      await upsertGroups(tx, this.#store.dialect, newGroups);
    });
    this.#lastSilenceSync = silences.reduce((m, s) => Math.max(m, s.updatedAt), 0);
    this.#running = true;
    this.#arm();
    this.#scheduleMaintenance();
    this.#scheduleSilenceSync();
    this.#log.info(
      { alerts: live.length, groups: this.#dispatcher.groupCount, silences: silences.length },
      'alerting started',
    );
  }

  async stop(): Promise<void> {
    this.#routeAccepted();
    this.#running = false;
    for (const t of [this.#timer, this.#maintenanceTimer, this.#syncTimer]) {
      if (t !== undefined) this.#clock.clearTimeout(t);
    }
    clearTimeout(this.#persistTimer);
    this.#timer = this.#maintenanceTimer = this.#syncTimer = this.#persistTimer = undefined;
    await this.idle();
  }

  /** Waits until every queued operation ran and every accepted alert is written (or failed). */
  async idle(): Promise<void> {
    for (;;) {
      this.#routeAccepted();
      if (this.#unsavedAlerts.size > 0 || this.#unsavedGroups.size > 0 || this.#waiters.length > 0) {
        clearTimeout(this.#persistTimer);
        this.#persistTimer = undefined;
        await this.#enqueue(() => this.#persist()).catch(() => undefined);
        if (this.#unsavedAlerts.size > 0 || this.#unsavedGroups.size > 0) {
          // The write failed; it is retried later (or, when stopping, given up on).
          if (!this.#running)
            this.#log.error(
              { alerts: this.#unsavedAlerts.size },
              'stopped with alerts that could not be stored',
            );
          return;
        }
        continue;
      }
      if (this.#queued === 0) return;
      await this.#chain.catch(() => undefined);
    }
  }

  /** Runs `op` after every earlier one: one writer at a time keeps memory and store in step. */
  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    this.#queued++;
    const result = this.#chain.then(op).finally(() => {
      this.#queued--;
      if (this.#running) this.#arm();
    });
    this.#chain = result.catch(() => undefined);
    return result;
  }

  // ---- ingest --------------------------------------------------------------------------------

  /**
   * Routes and groups the alerts at once (in memory, after any alerts {@link accept} took
   * earlier) and resolves once they are in the store. Alerts taken by `accept` are written
   * behind instead: everything accepted within {@link PERSIST_DELAY_MS} goes to the store in
   * one statement. A flush writes any unsaved alerts in its own transaction first, so a stored
   * notification never refers to an alert the store lacks.
   */
  ingest(inputs: readonly AlertInput[], source: string, options: IngestOptions = {}): Promise<IngestResult> {
    if (!this.#running) return Promise.reject(new AlertingNotRunningError());
    this.#routeAccepted();
    const timeout = options.resolveTimeoutMs ?? this.#setup.resolveTimeoutMs;
    const accepted = this.#route(inputs, source, this.#clock.now(), timeout);
    if (accepted === 0) return Promise.resolve({ accepted: 0 });
    const result = { accepted };
    return new Promise<IngestResult>((resolve, reject) => {
      this.#waiters.push({ resolve: () => resolve(result), reject });
      this.#schedulePersist(0);
    });
  }

  accept(inputs: readonly AlertInput[], source: string): IngestResult {
    if (!this.#running) throw new AlertingNotRunningError();
    if (inputs.length === 0) return { accepted: 0 };
    this.#accepted.push({ inputs, source, now: this.#clock.now() });
    if (!this.#routeScheduled) {
      this.#routeScheduled = true;
      // After the current I/O callback, so the answer is written first (a microtask would run
      // before it).
      setImmediate(() => this.#routeAccepted());
    }
    return { accepted: inputs.length };
  }

  /** Routes and groups what {@link accept} took, in order, each batch at the time it arrived. */
  #routeAccepted(): void {
    this.#routeScheduled = false;
    if (this.#accepted.length === 0) return;
    const batches = this.#accepted;
    this.#accepted = [];
    const timeout = this.#setup.resolveTimeoutMs;
    for (const { inputs, source, now } of batches) {
      try {
        this.#route(inputs, source, now, timeout);
      } catch (error) {
        // Validated input cannot fail here; if it ever does, say so loudly rather than lose it silently.
        this.#log.error({ err: error, source, alerts: inputs.length }, 'routing accepted alerts failed');
      }
    }
    this.#schedulePersist(PERSIST_DELAY_MS);
  }

  /** The dispatcher, once every accepted alert is routed: what readers look at. */
  #routed(): Dispatcher {
    this.#routeAccepted();
    return this.#dispatcher;
  }

  /** Routes and groups alerts in memory and marks them for the write behind; answers how many. */
  #route(inputs: readonly AlertInput[], source: string, now: number, timeout: number): number {
    const records = inputs.map((a) => toAlertRecord(a, now, timeout));
    if (records.length === 0) return 0;
    // One counter update per status, not per alert: labelled increments cost a hash each.
    let firing = 0;
    for (const r of records) if (r.endsAt > now) firing++;
    if (firing > 0) this.metrics.received.inc({ source, status: 'firing' }, firing);
    if (firing < records.length)
      this.metrics.received.inc({ source, status: 'resolved' }, records.length - firing);
    const plan = this.#dispatcher.planIngest(records, now);
    this.#dispatcher.applyIngest(plan, now);
    for (const a of plan.alerts) this.#unsavedAlerts.set(a.fingerprint, a);
    for (const g of plan.newGroups) this.#unsavedGroups.set(g.id, g);
    this.#arm();
    return records.length;
  }

  /**
   * Schedules the write of unsaved alerts: now (delay 0) or after a short batching delay. The
   * delay is I/O batching, not alerting time, so it runs on a real timer even under a test clock.
   */
  #schedulePersist(delayMs: number): void {
    if (this.#persistTimer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#persistTimer);
      this.#persistTimer = undefined;
    }
    if (delayMs === 0) {
      this.#enqueue(() => this.#persist()).catch(() => undefined);
      return;
    }
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = undefined;
      this.#enqueue(() => this.#persist()).catch(() => undefined);
    }, delayMs);
  }

  /** Takes what is unsaved; {@link #restoreUnsaved} puts it back if the write fails. */
  #takeUnsaved(): { alerts: AlertRecord[]; groups: GroupRow[]; waiters: Waiter[] } {
    const taken = {
      alerts: [...this.#unsavedAlerts.values()],
      groups: [...this.#unsavedGroups.values()],
      waiters: this.#waiters,
    };
    this.#unsavedAlerts = new Map();
    this.#unsavedGroups = new Map();
    this.#waiters = [];
    return taken;
  }

  #restoreUnsaved(taken: { alerts: AlertRecord[]; groups: GroupRow[] }): void {
    // Newer versions accepted meanwhile win over the ones that failed to be written.
    for (const a of taken.alerts)
      if (!this.#unsavedAlerts.has(a.fingerprint)) this.#unsavedAlerts.set(a.fingerprint, a);
    for (const g of taken.groups) if (!this.#unsavedGroups.has(g.id)) this.#unsavedGroups.set(g.id, g);
  }

  async #persist(): Promise<void> {
    if (this.#unsavedAlerts.size === 0 && this.#unsavedGroups.size === 0) {
      for (const w of this.#takeUnsaved().waiters) w.resolve();
      return;
    }
    const taken = this.#takeUnsaved();
    const { dialect, db } = this.#store;
    try {
      if (taken.groups.length === 0) {
        // Each alert row stands alone: no transaction, and the event loop runs between slices
        // (a failed slice puts every taken alert back; writing one again is harmless).
        for (const [i, slice] of chunks(taken.alerts, PERSIST_SLICE).entries()) {
          if (i > 0) await nextTurn();
          await upsertAlerts(db, dialect, slice, this.#rowIds);
        }
      } else {
        await db.transaction().execute(async (tx) => {
          await upsertAlerts(tx, dialect, taken.alerts, this.#rowIds);
          await upsertGroups(tx, dialect, taken.groups);
        });
      }
    } catch (error) {
      this.#restoreUnsaved(taken);
      this.metrics.persistFailures.inc();
      this.#log.error({ err: error, alerts: taken.alerts.length }, 'could not store alerts; retrying');
      for (const w of taken.waiters) w.reject(error);
      if (this.#running) this.#schedulePersist(PERSIST_RETRY_MS);
      return;
    }
    for (const w of taken.waiters) w.resolve();
  }

  // ---- flush ---------------------------------------------------------------------------------

  /** (Re)arms the one timer for the earliest group flush. */
  #arm(): void {
    const due = this.#dispatcher.nextDueAt();
    if (due === this.#timerAt && this.#timer !== undefined) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = due;
    if (due === undefined) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        this.#enqueue(() => this.#flushDue()).catch(() => undefined);
      },
      Math.max(0, due - this.#clock.now()),
    );
  }

  async #flushDue(): Promise<void> {
    const now = this.#clock.now();
    const due = this.#routed().takeDue(now);
    if (due.length === 0) return;
    const plan = this.#dispatcher.planFlush(due, now);
    const outbox = plan.groups.flatMap((g) => g.outbox);
    const nflog = plan.groups.flatMap((g) => g.nflog);
    const flushed = plan.groups.flatMap((g) => (g.row ? [g.row] : []));
    if (outbox.length > 0 || nflog.length > 0 || flushed.length > 0) {
      const unsaved = this.#takeUnsaved();
      // One row per group: a flushed group's row supersedes its not-yet-written creation.
      const groups = new Map(unsaved.groups.map((g) => [g.id, g]));
      for (const g of flushed) groups.set(g.id, g);
      const { dialect } = this.#store;
      try {
        await this.#store.db.transaction().execute(async (tx) => {
          await upsertAlerts(tx, dialect, unsaved.alerts, this.#rowIds);
          await upsertGroups(tx, dialect, [...groups.values()]);
          await enqueueNotifications(tx, outbox, now);
          await upsertNotificationLog(tx, dialect, nflog);
        });
        for (const w of unsaved.waiters) w.resolve();
      } catch (error) {
        this.#restoreUnsaved(unsaved);
        for (const w of unsaved.waiters) w.reject(error);
        if (this.#running) this.#schedulePersist(PERSIST_RETRY_MS);
        // Like a failed notify in Alertmanager: nothing is logged as sent and resolved alerts
        // stay, so the next group_interval tick tries again.
        this.metrics.flushFailures.inc();
        this.#log.error(
          { err: error, groups: due.length },
          'could not store notifications; retrying on the next tick',
        );
        return;
      }
    }
    this.#dispatcher.applyFlush(plan);
    for (const item of outbox) {
      this.metrics.notifications.inc({ receiver: item.receiver, integration: item.integration });
    }
    if (outbox.length > 0) {
      this.#log.debug({ notifications: outbox.length, groups: due.length }, 'notifications queued');
      this.#onQueued?.();
    }
  }

  // ---- maintenance ---------------------------------------------------------------------------

  #scheduleMaintenance(): void {
    this.#maintenanceTimer = this.#clock.setTimeout(() => {
      this.#enqueue(() => this.#maintain())
        .catch((error: unknown) => this.#log.warn({ err: error }, 'alerting maintenance failed'))
        .finally(() => {
          if (this.#running) this.#scheduleMaintenance();
        });
    }, MAINTENANCE_INTERVAL_MS);
  }

  async #maintain(): Promise<void> {
    const now = this.#clock.now();
    const result = this.#routed().maintenance(now);
    this.#rowIds.forget(result.forgottenAlerts);
    // A group created and emptied before it was ever written needs no row at all.
    for (const id of result.removedGroups) this.#unsavedGroups.delete(id);
    const horizon = now - this.#setup.retentionMs;
    await this.#store.db.transaction().execute(async (tx) => {
      await deleteGroups(tx, result.removedGroups);
      await deleteNotificationLog(tx, result.expiredNflog);
      await deleteAlertsEndedBefore(tx, horizon);
      await deleteSilencesExpiredBefore(tx, horizon);
    });
  }

  // ---- silences ------------------------------------------------------------------------------

  #scheduleSilenceSync(): void {
    this.#syncTimer = this.#clock.setTimeout(() => {
      this.#enqueue(() => this.#syncSilences())
        .catch((error: unknown) => this.#log.warn({ err: error }, 'could not read silences'))
        .finally(() => {
          if (this.#running) this.#scheduleSilenceSync();
        });
    }, SILENCE_SYNC_INTERVAL_MS);
  }

  /** Picks up silences other processes wrote (with overlap, since their clocks may differ). */
  async #syncSilences(): Promise<void> {
    const since = this.#lastSilenceSync - 60_000;
    const changed = await listSilences(this.#store.db, since);
    for (const s of changed) {
      const known = this.#dispatcher.silences.get(s.id);
      if (!known || known.updatedAt !== s.updatedAt || known.endsAt !== s.endsAt)
        this.#dispatcher.setSilence(s);
      this.#lastSilenceSync = Math.max(this.#lastSilenceSync, s.updatedAt);
    }
  }

  #putSilence(input: SilenceInput): Promise<string> {
    return this.#enqueue(async () => {
      const now = this.#clock.now();
      const prev = input.id ? await this.#loadSilence(input.id) : undefined;
      const change = planSilence(input, prev, now);
      await this.#store.db.transaction().execute(async (tx) => {
        for (const s of change.writes) await saveSilence(tx, s);
      });
      for (const s of change.writes) this.#dispatcher.setSilence(s);
      return change.id;
    });
  }

  #expireSilence(id: string): Promise<void> {
    return this.#enqueue(async () => {
      const prev = await this.#loadSilence(id);
      if (!prev) throw new SilenceRequestError(404, 'silence not found');
      const expired = expireSilence(prev, this.#clock.now());
      await saveSilence(this.#store.db, expired);
      this.#dispatcher.setSilence(expired);
    });
  }

  async #loadSilence(id: string): Promise<Silence | undefined> {
    return this.#dispatcher.silences.get(id) ?? (await getSilence(this.#store.db, id));
  }
}
