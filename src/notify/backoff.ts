// The retry policy of the outbox: the shared capped exponential backoff with equal jitter
// (src/lib/backoff.ts), never sooner than the receiver asked (retry_after / Retry-After).
import { backoffDelay as jitteredDelay, type BackoffPolicy as BasePolicy } from '../lib/backoff.js';

export type BackoffPolicy = Required<BasePolicy>;

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, factor: 2 };

/**
 * The delay before attempt `failures + 1`: `initial × factor^(failures-1)`, capped, between half
 * and all of it so many rows failing together do not retry in lockstep. `retryAfterMs` from the
 * receiver is a floor.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  return Math.max(jitteredDelay(policy, Math.max(0, failures - 1), random), retryAfterMs ?? 0);
}
