// Time as the delivery code sees it: "now" and an abortable sleep. Production uses the system
// clock; tests drive a manual clock so a ten-minute outage takes seconds.
import { sleep } from '../lib/backoff.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
};
