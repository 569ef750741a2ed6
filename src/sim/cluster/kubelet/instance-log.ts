// The stdout of one container instance. Steady output is computed on demand from the start
// time and a seed (a pod that ran for a week costs no memory); explicit lines (start-up banner,
// echoes, last words) are kept. Like the kubelet's rotated log files, only the newest lines
// are served.
import type { LogLine } from '../../contracts.js';
import { hashUnit } from '../../random.js';
import type { Timer, Timers } from '../timers.js';
import type { LineContext, LogProfile } from './log-profiles.js';

/** Lines kept per instance (a 10 MiB rotated log holds about this many lines). */
export const MAX_LOG_LINES = 5000;

interface Follower {
  readonly onLine: (line: LogLine) => void;
  readonly onEnd: () => void;
}

export class InstanceLog {
  readonly #explicit: LogLine[] = [];
  readonly #profile: LogProfile;
  readonly #ctx: LineContext;
  readonly #startedAt: number;
  readonly #periodMs: number;
  readonly #timers: Timers;
  readonly #followers = new Set<Follower>();
  #end: number | undefined;
  #followTimer: Timer | undefined;
  #nextIndex = 0;

  constructor(profile: LogProfile, ctx: LineContext, startedAt: number, timeScale: number, timers: Timers) {
    this.#profile = profile;
    this.#ctx = ctx;
    this.#startedAt = startedAt;
    this.#timers = timers;
    this.#periodMs = profile.periodic ? Math.max(100, profile.periodic.everyMs * timeScale) : 0;
  }

  get context(): LineContext {
    return this.#ctx;
  }

  get ended(): boolean {
    return this.#end !== undefined;
  }

  /** Adds a line the process wrote now (or at `ts`). */
  append(text: string, ts: number = this.#timers.now()): void {
    if (this.#end !== undefined) return;
    for (const part of text.split('\n')) {
      const line = { ts, text: part };
      this.#explicit.push(line);
      for (const f of this.#followers) f.onLine(line);
    }
    if (this.#explicit.length > MAX_LOG_LINES * 1.25)
      this.#explicit.splice(0, this.#explicit.length - MAX_LOG_LINES);
  }

  /** The process is gone: followers get what is left, then their end. */
  end(ts: number = this.#timers.now()): void {
    if (this.#end !== undefined) return;
    this.#emitPeriodicUpTo(ts);
    this.#end = ts;
    this.#followTimer?.cancel();
    this.#followTimer = undefined;
    for (const f of this.#followers) f.onEnd();
    this.#followers.clear();
  }

  /** Everything written so far (the newest {@link MAX_LOG_LINES}), oldest first. */
  lines(now: number = this.#timers.now()): LogLine[] {
    const until = Math.min(now, this.#end ?? now);
    const generated: LogLine[] = [];
    const n = this.#countUpTo(until);
    for (let i = Math.max(0, n - MAX_LOG_LINES); i < n; i++) generated.push(this.#periodicLine(i));
    const explicit = this.#explicit.filter((l) => l.ts <= until);
    const all = explicit.length === 0 ? generated : mergeByTime(explicit, generated);
    return all.length > MAX_LOG_LINES ? all.slice(all.length - MAX_LOG_LINES) : all;
  }

  /** Calls `onLine` for each new line and `onEnd` when the instance ends. Returns the stop function. */
  follow(onLine: (line: LogLine) => void, onEnd: () => void): () => void {
    if (this.#end !== undefined) {
      onEnd();
      return () => undefined;
    }
    const follower: Follower = { onLine, onEnd };
    if (this.#followers.size === 0) this.#nextIndex = this.#countUpTo(this.#timers.now());
    this.#followers.add(follower);
    this.#armFollow();
    return () => {
      this.#followers.delete(follower);
      if (this.#followers.size === 0) {
        this.#followTimer?.cancel();
        this.#followTimer = undefined;
      }
    };
  }

  #lineTime(i: number): number {
    return this.#startedAt + (i + 1) * this.#periodMs + hashUnit(this.#ctx.seed, i) * this.#periodMs * 0.5;
  }

  #countUpTo(until: number): number {
    if (!this.#profile.periodic || until <= this.#startedAt) return 0;
    let n = Math.max(0, Math.floor((until - this.#startedAt) / this.#periodMs));
    while (n > 0 && this.#lineTime(n - 1) > until) n--;
    return n;
  }

  #periodicLine(i: number): LogLine {
    const ts = Math.round(this.#lineTime(i));
    return { ts, text: this.#profile.periodic!.line(this.#ctx, i, ts) };
  }

  #emitPeriodicUpTo(until: number): void {
    if (this.#followers.size === 0) return;
    const n = this.#countUpTo(until);
    for (; this.#nextIndex < n; this.#nextIndex++) {
      const line = this.#periodicLine(this.#nextIndex);
      for (const f of this.#followers) f.onLine(line);
    }
  }

  #armFollow(): void {
    if (this.#followTimer || !this.#profile.periodic || this.#followers.size === 0) return;
    const at = this.#lineTime(this.#nextIndex);
    this.#followTimer = this.#timers.after(Math.max(0, at - this.#timers.now()), () => {
      this.#followTimer = undefined;
      this.#emitPeriodicUpTo(this.#timers.now());
      this.#armFollow();
    });
  }
}

function mergeByTime(a: LogLine[], b: LogLine[]): LogLine[] {
  const out: LogLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.ts <= b[j]!.ts)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
