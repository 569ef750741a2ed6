// Timers bound to the simulated cluster's lifetime: every one-shot and periodic timer a
// controller or kubelet sets goes through here, and one abort cancels them all.
import type { Clock } from '../clock.js';

export interface Timer {
  cancel(): void;
}

export class Timers {
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  readonly #live = new Set<() => void>();
  readonly #onError: (error: unknown) => void;

  constructor(clock: Clock, signal: AbortSignal, onError: (error: unknown) => void) {
    this.#clock = clock;
    this.#signal = signal;
    this.#onError = onError;
    signal.addEventListener('abort', () => {
      for (const cancel of this.#live) cancel();
      this.#live.clear();
    });
  }

  get signal(): AbortSignal {
    return this.#signal;
  }

  now(): number {
    return this.#clock.now();
  }

  /** Runs `fn` once after `delayMs` unless cancelled or stopped first. Errors are reported, never thrown. */
  after(delayMs: number, fn: () => void): Timer {
    if (this.#signal.aborted) return { cancel: () => undefined };
    let done = false;
    const cancelClock = this.#clock.setTimer(delayMs, () => {
      this.#live.delete(cancel);
      if (done || this.#signal.aborted) return;
      done = true;
      try {
        fn();
      } catch (error) {
        this.#onError(error);
      }
    });
    const cancel = (): void => {
      done = true;
      cancelClock();
      this.#live.delete(cancel);
    };
    this.#live.add(cancel);
    return { cancel };
  }

  /**
   * Runs `fn` every `periodMs` (first run after `firstDelayMs`, default one period) until
   * cancelled or stopped. `jitter` adds up to that fraction of the period, drawn per run.
   */
  every(
    periodMs: number,
    fn: () => void,
    options: { firstDelayMs?: number; jitter?: number; random?: () => number } = {},
  ): Timer {
    let current: Timer | undefined;
    let stopped = false;
    const delay = (): number => periodMs * (1 + (options.jitter ?? 0) * (options.random ?? Math.random)());
    const schedule = (ms: number): void => {
      current = this.after(ms, () => {
        if (stopped) return;
        try {
          fn();
        } finally {
          if (!stopped) schedule(delay());
        }
      });
    };
    schedule(options.firstDelayMs ?? delay());
    return {
      cancel: () => {
        stopped = true;
        current?.cancel();
      },
    };
  }
}
