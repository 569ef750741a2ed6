// A controller's work queue, as client-go's: keys are deduplicated while waiting, processed
// later on the cluster clock (never inside the store write that caused them), and a key whose
// handler throws is retried with exponential back-off instead of crashing the simulation.
import type { Timer, Timers } from './timers.js';

export interface WorkQueueOptions {
  /** First retry delay after a failure (clock ms); doubles per failure up to `maxRetryMs`. */
  readonly retryMs: number;
  readonly maxRetryMs: number;
  readonly onError: (key: string, error: unknown) => void;
}

export class WorkQueue {
  readonly #timers: Timers;
  readonly #handler: (key: string) => void;
  readonly #options: WorkQueueOptions;
  readonly #ready = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: Timer }>();
  readonly #failures = new Map<string, number>();
  #scheduled = false;
  #processing = false;

  constructor(timers: Timers, handler: (key: string) => void, options: WorkQueueOptions) {
    this.#timers = timers;
    this.#handler = handler;
    this.#options = options;
  }

  /** Queues a key now. A key already waiting is not queued twice. */
  add(key: string): void {
    this.#ready.add(key);
    this.#schedule();
  }

  /** Queues a key after `delayMs`; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#timers.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.#timers.after(delayMs, () => {
      this.#delayed.delete(key);
      this.add(key);
    });
    this.#delayed.set(key, { at, timer });
  }

  get length(): number {
    return this.#ready.size;
  }

  #schedule(): void {
    if (this.#scheduled || this.#processing) return;
    this.#scheduled = true;
    this.#timers.after(0, () => this.#drain());
  }

  #drain(): void {
    this.#scheduled = false;
    this.#processing = true;
    try {
      // Keys added while draining wait for the next round, so a controller that requeues
      // itself cannot starve the others.
      const batch = [...this.#ready];
      this.#ready.clear();
      for (const key of batch) {
        try {
          this.#handler(key);
          this.#failures.delete(key);
        } catch (error) {
          const failures = (this.#failures.get(key) ?? 0) + 1;
          this.#failures.set(key, failures);
          this.#options.onError(key, error);
          const delay = Math.min(this.#options.retryMs * 2 ** (failures - 1), this.#options.maxRetryMs);
          this.addAfter(key, delay);
        }
      }
    } finally {
      this.#processing = false;
    }
    if (this.#ready.size > 0) this.#schedule();
  }
}
