// A clock tests move by hand: sleepers wake when the test advances time past their deadline,
// so minutes of retries and rate limits pass in milliseconds of real time.
import type { Clock } from '../../src/notify/clock.js';

export class ManualClock implements Clock {
  #now: number;
  #sleepers: Array<{ at: number; resolve: () => void }> = [];

  constructor(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        at: this.#now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', sleeper.resolve);
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', sleeper.resolve, { once: true });
      if (ms <= 0) sleeper.resolve();
    });
  }

  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.#now += ms;
    for (const sleeper of [...this.#sleepers]) if (sleeper.at <= this.#now) sleeper.resolve();
  }

  /** How many callers are asleep (tests wait for workers to settle into a sleep). */
  get sleeping(): number {
    return this.#sleepers.length;
  }
}

/** Real milliseconds, for letting I/O happen between clock steps. */
export function tick(ms = 2): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Advances the clock in steps until `done()` holds, giving real I/O a moment after each step.
 * Fails after `timeoutMs` of real time with `what` in the message.
 */
export async function advanceUntil(
  clock: ManualClock,
  done: () => boolean | Promise<boolean>,
  options: {
    stepMs?: number;
    timeoutMs?: number;
    what?: string;
    realMsPerStep?: number;
    /**
     * Advance only once this many callers sleep on the clock (every worker idle), so time never
     * jumps while a request is on the wire: timings seen by a fake server match the sender's.
     */
    sleepers?: number;
  } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    if (options.sleepers !== undefined) {
      const idleBy = Date.now() + 2000;
      while (clock.sleeping < options.sleepers && Date.now() < idleBy) await tick(1);
      if (await done()) return;
    }
    clock.advance(options.stepMs ?? 1000);
    await tick(options.realMsPerStep ?? 3);
  }
}

/** Waits in real time (the clock standing still) until `done()` holds. */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  what = 'a condition',
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}
