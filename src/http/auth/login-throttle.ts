// Slows password guessing: after `maxFailures` failed sign-ins for one name (or from one
// address) within `windowMs`, further attempts are refused until the oldest failure ages out.
export interface LoginThrottleOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  /** Keys remembered at most; the stalest are forgotten first. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #window: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.#max = options.maxFailures ?? 5;
    this.#window = options.windowMs ?? 5 * 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#window;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Milliseconds until `keys` may try again; 0 when they may now. */
  retryAfter(keys: readonly string[]): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.#recent(key);
      if (list.length >= this.#max) wait = Math.max(wait, list[0]! + this.#window - this.#now());
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    for (const key of keys) {
      const list = this.#recent(key);
      list.push(this.#now());
      this.#failures.delete(key);
      this.#failures.set(key, list);
    }
    while (this.#failures.size > this.#maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }
}
