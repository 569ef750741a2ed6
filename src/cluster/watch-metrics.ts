// One metric per watch lifecycle event, shared by every watcher of an instance.
import { Counter, Gauge, type Registry } from 'prom-client';

type L = 'cluster' | 'resource';

export interface WatchMetrics {
  readonly connects: Counter<L>;
  readonly reconnects: Counter<L>;
  readonly relists: Counter<L>;
  readonly gone: Counter<L>;
  readonly errors: Counter<L>;
  readonly handlerFailures: Counter<L>;
  readonly watchdogRestarts: Counter<L>;
  readonly events: Counter<L | 'type'>;
  readonly synced: Gauge<L>;
  /** Watchers report the time of their last data here; the gauge shows its age at scrape time. */
  readonly lastEventAt: Map<string, { cluster: string; resource: string; at: number }>;
}

export function createWatchMetrics(registry: Registry): WatchMetrics {
  const registers = [registry];
  const labelNames = ['cluster', 'resource'] as const;
  const counter = (name: string, help: string): Counter<L> =>
    new Counter({ name, help, labelNames, registers });
  const lastEventAt = new Map<string, { cluster: string; resource: string; at: number }>();
  new Gauge({
    name: 'lookout_watch_last_event_age_seconds',
    help: 'Seconds since a watch last received anything (event or bookmark).',
    labelNames,
    registers,
    collect() {
      const now = Date.now();
      for (const v of lastEventAt.values())
        this.set({ cluster: v.cluster, resource: v.resource }, (now - v.at) / 1000);
    },
  });
  return {
    connects: counter('lookout_watch_connects_total', 'Watch requests the API server accepted.'),
    reconnects: counter(
      'lookout_watch_reconnects_total',
      'Watches that ended and were resumed from their resourceVersion.',
    ),
    relists: counter(
      'lookout_watch_relists_total',
      'Full LISTs (first sync, after 410 Gone, periodic safety relist).',
    ),
    gone: counter(
      'lookout_watch_gone_total',
      '410 Gone answers: the resourceVersion was too old, a relist followed.',
    ),
    errors: counter(
      'lookout_watch_errors_total',
      'Watch or list failures (network, 5xx, 401…), retried with backoff.',
    ),
    handlerFailures: counter(
      'lookout_watch_handler_failures_total',
      'Malformed watch events or objects, counted and skipped.',
    ),
    watchdogRestarts: counter(
      'lookout_watch_watchdog_restarts_total',
      'Watches rebuilt because they were silent for too long.',
    ),
    events: new Counter({
      name: 'lookout_watch_events_total',
      help: 'Watch events received, by type.',
      labelNames: ['cluster', 'resource', 'type'],
      registers,
    }),
    synced: new Gauge({
      name: 'lookout_watch_synced',
      help: '1 once a watch has synced (listed or resumed).',
      labelNames,
      registers,
    }),
    lastEventAt,
  };
}
