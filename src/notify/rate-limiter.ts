// Sliding-window rate limits shared by every delivery worker: Telegram allows about one message
// a second per chat and twenty a minute per group; Slack about one a second per channel.
import type { Clock } from './clock.js';

export interface RateRule {
  /** At most this many calls… */
  readonly limit: number;
  /** …in any window of this many milliseconds. */
  readonly windowMs: number;
}

/**
 * Keys name what is limited (`telegram:<chat>`), each with its own rules. A call waits for the
 * strictest rule of its key; a 429 blocks the key until the time the receiver gave.
 */
export class RateLimiter {
  readonly #clock: Clock;
  /** Call times per key and rule (`key|limit/window`), oldest first, at most `limit` each. */
  readonly #calls = new Map<string, number[]>();
  readonly #blocked = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How long a call under `key` must wait now (0 when it may go). */
  delay(key: string, rules: readonly RateRule[]): number {
    const now = this.#clock.now();
    let wait = Math.max(0, (this.#blocked.get(key) ?? 0) - now);
    for (const rule of rules) {
      const times = this.#times(key, rule);
      while (times.length > 0 && times[0]! <= now - rule.windowMs) times.shift();
      if (times.length >= rule.limit) wait = Math.max(wait, times[0]! + rule.windowMs - now);
    }
    return wait;
  }

  /** Waits until a call under `key` may go, then counts it. Returns early if `signal` aborts. */
  async acquire(key: string, rules: readonly RateRule[], signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const wait = this.delay(key, rules);
      if (wait <= 0) break;
      await this.#clock.sleep(wait, signal);
    }
    const now = this.#clock.now();
    for (const rule of rules) {
      const times = this.#times(key, rule);
      times.push(now);
      if (times.length > rule.limit) times.shift();
    }
    this.#prune(now);
  }

  /** The receiver said "too many requests": nothing goes under `key` before `until`. */
  block(key: string, until: number): void {
    this.#blocked.set(key, Math.max(this.#blocked.get(key) ?? 0, until));
  }

  #times(key: string, rule: RateRule): number[] {
    const id = `${key}|${rule.limit}/${rule.windowMs}`;
    let times = this.#calls.get(id);
    if (!times) {
      times = [];
      this.#calls.set(id, times);
    }
    return times;
  }

  /** Forgets idle keys once there are many, so thousands of chats cost nothing. */
  #prune(now: number): void {
    if (this.#calls.size + this.#blocked.size < 2000) return;
    const longest = 3_600_000;
    for (const [id, times] of this.#calls) {
      if (times.length === 0 || times[times.length - 1]! <= now - longest) this.#calls.delete(id);
    }
    for (const [key, until] of this.#blocked) if (until <= now) this.#blocked.delete(key);
  }
}
