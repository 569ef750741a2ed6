// The retry policy of the outbox: exponential backoff with jitter, never sooner than the
// receiver asked (retry_after / Retry-After), and a receiver-wide pause while it is down.

export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** Longest delay between attempts. */
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, factor: 2 };

/**
 * The delay before attempt `failures + 1`: `initial × factor^(failures-1)`, capped, with "equal
 * jitter" (between half and all of it) so many rows failing together do not retry in lockstep.
 * `retryAfterMs` from the receiver is a floor.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failures - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}
