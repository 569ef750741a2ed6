// Completes crash records: fetches the previous container's log tail (retrying for a short
// window — the kubelet keeps only the last terminated instance, so sooner is better), attaches
// the pod's recent warning events, stores both, and tells listeners the crash is complete.
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '../lib/backoff.js';
import { errorMessage } from '../lib/errors.js';
import type { Store } from '../store/index.js';
import {
  completeCrashLog,
  pendingCrashLogs,
  type CrashRecord,
  type WarningEventSummary,
} from '../store/repos/crash-repo.js';
import { queryEvents } from '../store/repos/event-repo.js';
import type { HistoryUpdate } from './history-writer.js';

export interface LogSource {
  /**
   * The log tail of the crashed instance; throws with `retry: true` when waiting may help.
   * `previous`: read the last terminated instance (the container runs again) rather than the
   * current one (the container is still terminated, or waiting to restart) — the kubelet serves
   * the crashed instance under the one or the other depending on that state.
   */
  crashLogs(
    cluster: string,
    target: { namespace: string; pod: string; container: string; previous: boolean },
    signal: AbortSignal,
  ): Promise<{ text: string; truncated: boolean }>;
}

/** Whether a container runs again (its crashed instance is then the "previous" one). */
export type ContainerRunning = (cluster: string, podUid: string, container: string) => boolean;

export interface CrashLogOptions {
  /** Keep trying this long after the crash was seen. */
  readonly retryForMs: number;
  /** Warning events from this long before the termination are attached. */
  readonly eventsWindowMs: number;
  readonly concurrency: number;
}

export const DEFAULT_CRASH_LOG_OPTIONS: CrashLogOptions = {
  retryForMs: 30_000,
  eventsWindowMs: 10 * 60_000,
  concurrency: 8,
};

export type CrashListener = (crash: CrashRecord) => void | Promise<void>;

export class CrashLogWorker {
  readonly #store: Store;
  readonly #source: LogSource;
  readonly #log: Logger;
  readonly #o: CrashLogOptions;
  readonly #listeners = new Set<CrashListener>();
  readonly #controller = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #waiting: CrashRecord[] = [];

  readonly #running: ContainerRunning;

  constructor(
    store: Store,
    source: LogSource,
    running: ContainerRunning,
    log: Logger,
    options: Partial<CrashLogOptions> = {},
  ) {
    this.#store = store;
    this.#source = source;
    this.#running = running;
    this.#log = log;
    this.#o = { ...DEFAULT_CRASH_LOG_OPTIONS, ...options };
  }

  /** Called with every crash once its record is complete (logs or the reason they are missing). */
  onComplete(listener: CrashListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A history listener: starts work on the crashes a batch recorded. */
  readonly handle = (updates: readonly HistoryUpdate[]): void => {
    for (const u of updates) for (const crash of u.crashes) this.#enqueue(crash);
  };

  /** Picks up crashes left pending by an earlier run (stopped or killed while fetching). */
  async recover(cluster: string): Promise<void> {
    for (const crash of await pendingCrashLogs(this.#store.db, cluster)) this.#enqueue(crash);
  }

  get pending(): number {
    return this.#waiting.length + this.#inFlight.size;
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #enqueue(crash: CrashRecord): void {
    this.#waiting.push(crash);
    this.#pump();
  }

  #pump(): void {
    while (
      this.#inFlight.size < this.#o.concurrency &&
      this.#waiting.length > 0 &&
      !this.#controller.signal.aborted
    ) {
      const crash = this.#waiting.shift()!;
      const job = this.#complete(crash).finally(() => {
        this.#inFlight.delete(job);
        this.#pump();
      });
      this.#inFlight.add(job);
    }
  }

  async #complete(crash: CrashRecord): Promise<void> {
    const signal = this.#controller.signal;
    let tail: { text: string; truncated: boolean } | undefined;
    let error: string | undefined;
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const previous = this.#running(crash.cluster, crash.podUid, crash.container);
        tail = await this.#source.crashLogs(crash.cluster, { ...crash, previous }, signal);
        break;
      } catch (e) {
        error = errorMessage(e);
        const retry = (e as { retry?: boolean }).retry !== false;
        const delay = backoffDelay({ initialMs: 100, maxMs: 5000 }, attempt);
        if (!retry || Date.now() + delay - crash.observedAt > this.#o.retryForMs) break;
        await sleep(delay, signal);
      }
    }
    if (signal.aborted && !tail) return; // stays pending; recovered at the next start
    try {
      const warningEvents = await this.#warningEvents(crash);
      const done = await completeCrashLog(this.#store.db, crash.id, {
        status: tail ? 'ok' : 'unavailable',
        tail: tail?.text ?? null,
        truncated: tail?.truncated ?? false,
        error: tail ? null : (error ?? 'unknown'),
        warningEvents,
      });
      if (!tail)
        this.#log.warn(
          { pod: `${crash.namespace}/${crash.pod}`, container: crash.container, err: error },
          'crash logs unavailable',
        );
      if (done) for (const listener of this.#listeners) await listener(done);
    } catch (e) {
      this.#log.error(
        { err: errorMessage(e), crash: crash.id },
        'could not complete a crash record; it stays pending',
      );
    }
  }

  async #warningEvents(crash: CrashRecord): Promise<WarningEventSummary[]> {
    const since = (crash.finishedAt ?? crash.observedAt) - this.#o.eventsWindowMs;
    const page = await queryEvents(this.#store.db, this.#store.dialect, {
      cluster: crash.cluster,
      involvedUid: crash.podUid,
      type: 'Warning',
      since,
      limit: 10,
    });
    return page.items.map((e) => ({
      reason: e.reason,
      message: e.message,
      count: e.countTo,
      lastAt: e.lastAt,
    }));
  }
}
