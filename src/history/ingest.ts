// The history consumer: takes observations from the bounded queue in batches and writes them
// with the HistoryWriter. A batch that fails to commit (database down, disk full) is retried
// until it succeeds — meanwhile the queue fills and the watchers slow down; nothing is dropped.
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Observation } from '../domain/kube.js';
import { backoffDelay, sleep } from '../lib/backoff.js';
import type { BoundedQueue } from '../lib/bounded-queue.js';
import { errorMessage } from '../lib/errors.js';
import type { HistoryUpdate, HistoryWriter } from './history-writer.js';

export type HistoryListener = (updates: readonly HistoryUpdate[]) => void | Promise<void>;

export interface IngestOptions {
  readonly queue: BoundedQueue<Observation>;
  readonly writer: HistoryWriter;
  readonly log: Logger;
  readonly registry: Registry;
  readonly batchSize?: number;
  readonly lingerMs?: number;
  /** How often time-based abnormal reasons are re-evaluated. */
  readonly sweepIntervalMs?: number;
}

export class Ingest {
  readonly #o: Required<Omit<IngestOptions, 'registry'>>;
  readonly #listeners = new Set<HistoryListener>();
  readonly #observations: Counter<'cluster' | 'kind' | 'type'>;
  readonly #occurrences: Counter<'cluster'>;
  readonly #crashes: Counter<'cluster'>;
  readonly #failures: Counter;
  readonly #batchSeconds: Histogram;
  readonly #failing: Gauge;
  #lastError: string | undefined;
  #lastSweep = 0;

  constructor(options: IngestOptions) {
    this.#o = { batchSize: 500, lingerMs: 2, sweepIntervalMs: 15_000, ...options };
    const registers = [options.registry];
    this.#observations = new Counter({
      name: 'lookout_history_observations_total',
      help: 'Observations written to history, by kind and type (upsert, delete, synced, bookmark).',
      labelNames: ['cluster', 'kind', 'type'],
      registers,
    });
    this.#occurrences = new Counter({
      name: 'lookout_event_occurrences_total',
      help: 'Event occurrence rows stored.',
      labelNames: ['cluster'],
      registers,
    });
    this.#crashes = new Counter({
      name: 'lookout_crashes_total',
      help: 'Container crashes recorded.',
      labelNames: ['cluster'],
      registers,
    });
    this.#failures = new Counter({
      name: 'lookout_history_write_failures_total',
      help: 'Batches that failed to commit (and were retried).',
      registers,
    });
    this.#batchSeconds = new Histogram({
      name: 'lookout_history_batch_seconds',
      help: 'Time to commit one batch of observations.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#failing = new Gauge({
      name: 'lookout_history_write_failing',
      help: '1 while writes to the database are failing.',
      registers,
    });
    const queue = options.queue;
    new Gauge({
      name: 'lookout_history_queue_depth',
      help: 'Observations waiting to be written.',
      registers,
      collect() {
        this.set(queue.size);
      },
    });
    new Gauge({
      name: 'lookout_history_queue_blocked_producers',
      help: 'Watchers waiting for room in the queue (back-pressure).',
      registers,
      collect() {
        this.set(queue.blockedProducers);
      },
    });
  }

  /** Called after each committed batch with what changed (never concurrently). */
  onUpdate(listener: HistoryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Why writing is failing right now, if it is. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Runs until the queue is closed and drained, or `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { queue, batchSize, lingerMs, sweepIntervalMs } = this.#o;
    while (!signal.aborted) {
      const timeout = AbortSignal.any([signal, AbortSignal.timeout(sweepIntervalMs)]);
      const batch = await queue.take(batchSize, { lingerMs, signal: timeout });
      if (batch.length > 0) await this.#write(() => this.#o.writer.apply(batch), signal, batch);
      else if (queue.closed && queue.size === 0) break;
      if (Date.now() - this.#lastSweep >= sweepIntervalMs && !signal.aborted) {
        this.#lastSweep = Date.now();
        await this.#write(() => this.#o.writer.sweep(), signal);
      }
    }
  }

  async #write(
    work: () => Promise<HistoryUpdate[]>,
    signal: AbortSignal,
    batch?: readonly Observation[],
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const end = this.#batchSeconds.startTimer();
      try {
        const updates = await work();
        end();
        if (this.#lastError) this.#o.log.info('writes to the database succeed again');
        this.#lastError = undefined;
        this.#failing.set(0);
        if (batch) this.#count(batch, updates);
        await this.#notify(updates);
        return;
      } catch (error) {
        this.#failures.inc();
        this.#failing.set(1);
        this.#lastError = errorMessage(error);
        const delay = backoffDelay({ initialMs: 200, maxMs: 10_000 }, attempt);
        this.#o.log.error(
          { err: this.#lastError, attempt, retryInMs: delay, batch: batch?.length ?? 0 },
          'writing history failed; retrying the same batch',
        );
        // On shutdown the batch stays unwritten: its checkpoint was not stored either, so the
        // next start re-reads it from the API.
        if (signal.aborted) return;
        await sleep(delay, signal);
        if (signal.aborted) return;
      }
    }
  }

  #count(batch: readonly Observation[], updates: readonly HistoryUpdate[]): void {
    for (const obs of batch) {
      const kind = obs.type === 'synced' ? obs.kind : obs.type === 'bookmark' ? '' : obs.snapshot.kind;
      this.#observations.inc({ cluster: obs.cluster, kind, type: obs.type });
    }
    for (const u of updates) {
      if (u.occurrences.length) this.#occurrences.inc({ cluster: u.cluster }, u.occurrences.length);
      if (u.crashes.length) this.#crashes.inc({ cluster: u.cluster }, u.crashes.length);
    }
  }

  async #notify(updates: readonly HistoryUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        await listener(updates);
      } catch (error) {
        this.#o.log.error({ err: errorMessage(error) }, 'a history listener failed');
      }
    }
  }
}
