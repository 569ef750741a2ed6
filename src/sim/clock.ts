// Time for the simulated cluster: the real clock for `lookout sim` and the demo, a manual clock
// that tests advance by hand so every timer fires in a known order at a known instant.

/** What the simulator needs from time: the current instant and one-shot timers. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` once after `delayMs` (0: as soon as possible). Returns the cancel function. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** Wall-clock time and Node timers. Timers do not keep the process alive. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    if (delayMs <= 0) {
      const handle = setImmediate(callback);
      handle.unref();
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return () => clearTimeout(handle);
  }
}

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer due within the
 * window in due-time order (ties in the order they were set), including timers set by those
 * callbacks, and leaves `now()` at the end of the window.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap: PendingTimer[] = [];
  /** Guards against controllers that keep rescheduling themselves at the same instant. */
  readonly #maxFiresPerAdvance: number;

  constructor(
    startMs: number = Date.UTC(2026, 0, 12, 9, 0, 0),
    options: { maxFiresPerAdvance?: number } = {},
  ) {
    this.#now = startMs;
    this.#maxFiresPerAdvance = options.maxFiresPerAdvance ?? 5_000_000;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer: PendingTimer = {
      // Whole milliseconds, like Date.now().
      due: this.#now + Math.max(0, Math.ceil(delayMs)),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    this.#push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.#heap.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers on the way. Returns how many fired. */
  advance(ms: number): number {
    return this.advanceTo(this.#now + Math.max(0, Math.round(ms)));
  }

  /** Moves time forward to `target` (never backwards), firing due timers on the way. */
  advanceTo(target: number): number {
    let fired = 0;
    for (;;) {
      const next = this.#heap[0];
      if (!next || next.due > target) break;
      this.#pop();
      if (next.cancelled) continue;
      if (next.due > this.#now) this.#now = next.due;
      if (++fired > this.#maxFiresPerAdvance) {
        throw new Error(`ManualClock: more than ${this.#maxFiresPerAdvance} timers fired in one advance`);
      }
      next.callback();
    }
    if (target > this.#now) this.#now = target;
    return fired;
  }

  /** Fires the timers due now (zero-delay work), without moving time. */
  flush(): number {
    return this.advance(0);
  }

  /**
   * Advances in steps of `stepMs` until `predicate()` holds; throws after `maxMs` of simulated
   * time. Returns the simulated milliseconds it took.
   */
  advanceUntil(predicate: () => boolean, options: { stepMs?: number; maxMs?: number } = {}): number {
    const step = options.stepMs ?? 100;
    const max = options.maxMs ?? 3_600_000;
    const start = this.#now;
    this.flush();
    while (!predicate()) {
      if (this.#now - start >= max) {
        throw new Error(`ManualClock: condition not reached within ${max} ms of simulated time`);
      }
      this.advance(step);
    }
    return this.#now - start;
  }

  #push(timer: PendingTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
