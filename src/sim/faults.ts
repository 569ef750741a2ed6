// Fault injection for the simulated API server: dropped and stalled watches, forced 410s, 5xx
// answers with Retry-After, added latency and a revoked token. Used from tests directly and over
// HTTP (`POST /_sim/faults`); the server asks it about every request and every watch.
import { randomBytes } from 'node:crypto';
import { ApiStatusError, type StatusReason } from './status-error.js';

export type WatchFailureForm = 'event' | 'http';

export interface FailRequestsOptions {
  /** How long every matching request fails (wall-clock seconds). */
  readonly seconds: number;
  /** 500–599; default 503. */
  readonly status?: number;
  /** Sent as `Retry-After` and in the Status details; default 1. */
  readonly retryAfterSeconds?: number;
  /** Path patterns (`*` one segment, `**` anything, matched as a prefix); default every API path. */
  readonly paths?: readonly string[];
}

export interface LatencyOptions {
  readonly ms: number;
  readonly paths?: readonly string[];
}

export interface StallOptions {
  /** How long; until {@link FaultInjector.clear} when unset. */
  readonly seconds?: number;
  readonly paths?: readonly string[];
}

export interface FaultState {
  readonly watchFailures: number;
  readonly watchFailureForm: WatchFailureForm;
  readonly failing?: {
    status: number;
    remainingMs: number;
    retryAfterSeconds: number;
    paths?: readonly string[];
  };
  readonly latency?: { ms: number; paths?: readonly string[] };
  readonly stall?: { remainingMs?: number; paths?: readonly string[] };
  readonly tokenRevoked: boolean;
  readonly openWatches: number;
}

/** What the server gives the injector to act on open watches. */
export interface WatchControl {
  closeAll(): number;
  /** Stops sending on matching open watches; returns how many. */
  stall(matches: (path: string) => boolean): number;
  /** Ends every stalled watch (once the stall is over). */
  endStalled(): number;
  readonly open: number;
}

const REASONS: Record<number, StatusReason> = {
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Compiles path patterns: `*` is one segment, `**` anything; a pattern matches as a prefix. */
export function pathMatcher(patterns: readonly string[] | undefined): (path: string) => boolean {
  if (!patterns || patterns.length === 0) return () => true;
  const regexes = patterns.map((p) => {
    const body = p
      .split('**')
      .map((part) =>
        part
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*'),
      )
      .join('.*');
    return new RegExp(`^${body}`);
  });
  return (path) => regexes.some((r) => r.test(path));
}

export class FaultInjector {
  readonly #watches: WatchControl;
  #token: string | undefined;
  #revoked = false;
  #watchFailures = 0;
  #watchFailureForm: WatchFailureForm = 'event';
  #failing:
    | {
        status: number;
        until: number;
        retryAfterSeconds: number;
        paths?: readonly string[];
        match: (p: string) => boolean;
      }
    | undefined;
  #latency: { ms: number; paths?: readonly string[]; match: (p: string) => boolean } | undefined;
  #stall:
    | { until?: number; paths?: readonly string[]; match: (p: string) => boolean; timer?: NodeJS.Timeout }
    | undefined;

  constructor(watches: WatchControl, token?: string) {
    this.#watches = watches;
    this.#token = token;
  }

  // --- what tests and the HTTP endpoint call -------------------------------------------------

  /** Closes every open watch now (clients see a clean end of stream); returns how many. */
  closeWatches(): number {
    return this.#watches.closeAll();
  }

  /**
   * Answers the next `count` watch requests with 410 Gone: as an in-stream ERROR event (`event`,
   * what the API server's watch cache does) or as an HTTP 410 Status before streaming (`http`).
   */
  failWatches(count: number, options: { form?: WatchFailureForm } = {}): void {
    this.#watchFailures = Math.max(0, Math.floor(count));
    this.#watchFailureForm = options.form ?? 'event';
  }

  /** Every matching request fails with a 5xx Status (503 with Retry-After by default) for a while. */
  failRequests(options: FailRequestsOptions): void {
    const status = options.status ?? 503;
    if (status < 500 || status > 599) throw new RangeError('status must be a 5xx code');
    this.#failing = {
      status,
      until: Date.now() + options.seconds * 1000,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
      ...(options.paths ? { paths: options.paths } : {}),
      match: pathMatcher(options.paths),
    };
  }

  /** Delays every matching request (and the start of every matching watch) by `ms`. */
  addLatency(options: LatencyOptions): void {
    this.#latency = {
      ms: Math.max(0, options.ms),
      ...(options.paths ? { paths: options.paths } : {}),
      match: pathMatcher(options.paths),
    };
  }

  /**
   * Stalls matching watches, open and new: they stay open and send nothing, not even bookmarks
   * (a frozen proxy or half-open connection). When the stall ends they are closed.
   */
  stallWatches(options: StallOptions = {}): number {
    this.#endStall();
    const match = pathMatcher(options.paths);
    const until = options.seconds !== undefined ? Date.now() + options.seconds * 1000 : undefined;
    const timer =
      options.seconds !== undefined ? setTimeout(() => this.#endStall(), options.seconds * 1000) : undefined;
    timer?.unref();
    this.#stall = {
      ...(until !== undefined ? { until } : {}),
      ...(options.paths ? { paths: options.paths } : {}),
      match,
      ...(timer ? { timer } : {}),
    };
    return this.#watches.stall(match);
  }

  /** Every request is 401 Unauthorized until {@link reissueToken}. */
  revokeToken(): void {
    this.#revoked = true;
  }

  /** Accepts a token again (a new one when given, else the old one); returns the token now valid. */
  reissueToken(token?: string): string {
    this.#revoked = false;
    this.#token = token ?? this.#token ?? randomBytes(24).toString('base64url');
    return this.#token;
  }

  /** Clears every fault; stalled watches are closed. */
  clear(): void {
    this.#watchFailures = 0;
    this.#failing = undefined;
    this.#latency = undefined;
    this.#revoked = false;
    this.#endStall();
  }

  state(): FaultState {
    const now = Date.now();
    const failing = this.#failing && this.#failing.until > now ? this.#failing : undefined;
    return {
      watchFailures: this.#watchFailures,
      watchFailureForm: this.#watchFailureForm,
      ...(failing
        ? {
            failing: {
              status: failing.status,
              remainingMs: failing.until - now,
              retryAfterSeconds: failing.retryAfterSeconds,
              ...(failing.paths ? { paths: failing.paths } : {}),
            },
          }
        : {}),
      ...(this.#latency
        ? {
            latency: { ms: this.#latency.ms, ...(this.#latency.paths ? { paths: this.#latency.paths } : {}) },
          }
        : {}),
      ...(this.#stall
        ? {
            stall: {
              ...(this.#stall.until !== undefined
                ? { remainingMs: Math.max(0, this.#stall.until - now) }
                : {}),
              ...(this.#stall.paths ? { paths: this.#stall.paths } : {}),
            },
          }
        : {}),
      tokenRevoked: this.#revoked,
      openWatches: this.#watches.open,
    };
  }

  // --- what the server asks --------------------------------------------------------------------

  /** The bearer token requests must carry; undefined when the server needs none. */
  get token(): string | undefined {
    return this.#token;
  }

  get tokenRevoked(): boolean {
    return this.#revoked;
  }

  /** Consumes one forced watch failure, if any. */
  takeWatchFailure(): WatchFailureForm | undefined {
    if (this.#watchFailures <= 0) return undefined;
    this.#watchFailures--;
    return this.#watchFailureForm;
  }

  /** The 5xx Status a request to `path` gets now, if any. */
  requestFailure(path: string): ApiStatusError | undefined {
    const failing = this.#failing;
    if (!failing) return undefined;
    if (failing.until <= Date.now()) {
      this.#failing = undefined;
      return undefined;
    }
    if (!failing.match(path)) return undefined;
    const message =
      failing.status === 503
        ? 'the server is currently unable to handle the request'
        : 'an error on the server has prevented the request from succeeding';
    return new ApiStatusError(failing.status, REASONS[failing.status] ?? 'InternalError', message, {
      retryAfterSeconds: failing.retryAfterSeconds,
    });
  }

  latencyFor(path: string): number {
    return this.#latency?.match(path) ? this.#latency.ms : 0;
  }

  watchStalled(path: string): boolean {
    const stall = this.#stall;
    if (!stall) return false;
    if (stall.until !== undefined && stall.until <= Date.now()) {
      this.#endStall();
      return false;
    }
    return stall.match(path);
  }

  /** Stops the stall timer (server shutdown). */
  dispose(): void {
    if (this.#stall?.timer) clearTimeout(this.#stall.timer);
    this.#stall = undefined;
  }

  #endStall(): void {
    if (!this.#stall) return;
    if (this.#stall.timer) clearTimeout(this.#stall.timer);
    this.#stall = undefined;
    this.#watches.endStalled();
  }
}
