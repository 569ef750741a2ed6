// What every part of the simulated cluster shares: the store and its cache, the clock and
// timers (stopped together), the seeded randomness, the event recorders, the journal, and the
// time scale that shrinks Kubernetes' durations for fast tests.
import type { Logger } from 'pino';
import type { ObjectStore } from '../object-store.js';
import { rfc3339 } from '../object-store.js';
import type { SeededRandom } from '../random.js';
import type { ClusterCache } from './cache.js';
import type { EventBroadcaster, EventRecorder, EventSource } from './events/event-recorder.js';
import type { SeriesRecorder } from './events/series-recorder.js';
import type { Journal } from './journal.js';
import type { Timers } from './timers.js';
import { WorkQueue } from './work-queue.js';

export interface SimContextParts {
  readonly store: ObjectStore;
  readonly cache: ClusterCache;
  readonly timers: Timers;
  readonly random: SeededRandom;
  readonly timeScale: number;
  readonly log: Logger;
  readonly broadcaster: EventBroadcaster;
  /** The same correlation without the spam filter (clients that write events directly). */
  readonly unfilteredBroadcaster: EventBroadcaster;
  readonly schedulerEvents: SeriesRecorder;
  readonly journal: Journal;
  readonly kubernetesVersion: string;
}

export class SimContext {
  readonly store: ObjectStore;
  readonly cache: ClusterCache;
  readonly timers: Timers;
  readonly random: SeededRandom;
  readonly timeScale: number;
  readonly log: Logger;
  readonly schedulerEvents: SeriesRecorder;
  readonly journal: Journal;
  readonly kubernetesVersion: string;
  readonly #broadcaster: EventBroadcaster;
  readonly #unfiltered: EventBroadcaster;
  #failures = 0;

  constructor(parts: SimContextParts) {
    this.store = parts.store;
    this.cache = parts.cache;
    this.timers = parts.timers;
    this.random = parts.random;
    this.timeScale = parts.timeScale;
    this.log = parts.log;
    this.schedulerEvents = parts.schedulerEvents;
    this.journal = parts.journal;
    this.kubernetesVersion = parts.kubernetesVersion;
    this.#broadcaster = parts.broadcaster;
    this.#unfiltered = parts.unfilteredBroadcaster;
  }

  /** Reconciles and timer callbacks that threw (each retried or logged, never fatal). */
  get failures(): number {
    return this.#failures;
  }

  /** Notes a failure outside a work queue (a timer callback that threw). */
  fail(error: unknown): void {
    this.#failures++;
    this.log.error({ err: error }, 'simulated cluster timer failed');
  }

  now(): number {
    return this.timers.now();
  }

  /** The current time as metav1.Time text. */
  nowText(): string {
    return rfc3339(this.timers.now());
  }

  /** A Kubernetes duration (ms) on this cluster's clock: back-offs, grace periods, sync periods. */
  scaled(ms: number): number {
    return ms * this.timeScale;
  }

  /** An event recorder for a component; `spamFilter: false` for writers that bypass client-go's. */
  recorder(source: EventSource, options: { spamFilter?: boolean } = {}): EventRecorder {
    return (options.spamFilter === false ? this.#unfiltered : this.#broadcaster).recorder(source);
  }

  /** A work queue for a controller; failures retry after 1 s doubling to 5 min (scaled). */
  queue(name: string, handler: (key: string) => void): WorkQueue {
    return new WorkQueue(this.timers, handler, {
      retryMs: this.scaled(1000),
      maxRetryMs: this.scaled(300_000),
      onError: (key, error) => {
        this.#failures++;
        this.log.warn({ controller: name, key, err: error }, 'reconcile failed; retrying');
      },
    });
  }
}
