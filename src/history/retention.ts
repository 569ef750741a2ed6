// Removes records older than their retention, then refreshes planner statistics.
import type { Logger } from 'pino';
import type { RetentionConfig } from '../config/sections/retention.js';
import { errorMessage } from '../lib/errors.js';
import type { Store } from '../store/index.js';
import { purgeCrashes } from '../store/repos/crash-repo.js';
import { purgeEvents } from '../store/repos/event-repo.js';
import { purgeDeletedObjects } from '../store/repos/object-repo.js';
import { purgePodHistory } from '../store/repos/pod-history-repo.js';

export interface RetentionResult {
  readonly events: number;
  readonly crashes: number;
  readonly podHistory: number;
  readonly deletedObjects: number;
}

/** One pass of the retention job. */
export async function applyRetention(
  store: Store,
  retention: RetentionConfig,
  now: number,
): Promise<RetentionResult> {
  const result = {
    events: await purgeEvents(store.db, now - retention.events),
    crashes: await purgeCrashes(store.db, now - retention.crashes),
    podHistory: await purgePodHistory(store.db, now - retention.pod_history),
    deletedObjects: await purgeDeletedObjects(store.db, now - retention.deleted_objects),
  };
  await store.optimize();
  return result;
}

/** Runs the retention job every `retention.interval` until `signal` aborts. */
export async function runRetention(
  store: Store,
  retention: RetentionConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const removed = await applyRetention(store, retention, Date.now());
      log.info({ removed }, 'retention pass done');
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'retention pass failed; trying again at the next interval');
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retention.interval);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
