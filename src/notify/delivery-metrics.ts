// The delivery metrics, registered on the registry Lookout gives (never the global one): what was
// sent, failed, dead-lettered or rate-limited, how long sends take, and how deep the queue is.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface DeliveryMetrics {
  readonly sent: Counter<'receiver' | 'integration'>;
  readonly failed: Counter<'receiver' | 'integration' | 'retryable'>;
  readonly dead: Counter<'receiver' | 'integration'>;
  readonly skipped: Counter<'receiver' | 'integration'>;
  readonly rateLimited: Counter<'receiver' | 'integration'>;
  readonly sendDuration: Histogram<'integration'>;
  readonly deliveryDelay: Histogram<'integration'>;
}

export interface QueueDepth {
  readonly receiver: string;
  readonly integration: string;
  readonly count: number;
  /** Epoch ms of the oldest pending row. */
  readonly oldest: number;
}

export interface DeliveryMetricsOptions {
  readonly registry: Registry;
  /** Reads the pending rows per receiver integration when Prometheus scrapes. */
  readonly queueDepth: () => Promise<readonly QueueDepth[]>;
  readonly now: () => number;
}

export function createDeliveryMetrics(options: DeliveryMetricsOptions): DeliveryMetrics {
  const registers = [options.registry];
  // One query serves both gauges at scrape time (prom-client awaits collect() before reading);
  // a failing database leaves them unreported rather than failing the scrape.
  const depth: Gauge<'receiver' | 'integration'> = new Gauge({
    name: 'lookout_notification_queue_depth',
    help: 'Notifications waiting in the outbox, by receiver and integration.',
    labelNames: ['receiver', 'integration'],
    registers,
    collect: () => refresh(),
  });
  const age: Gauge<'receiver' | 'integration'> = new Gauge({
    name: 'lookout_notification_oldest_pending_seconds',
    help: 'Age of the oldest notification waiting in the outbox, by receiver and integration.',
    labelNames: ['receiver', 'integration'],
    registers,
    collect: () => refresh(),
  });
  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        const rows = await options.queueDepth();
        depth.reset();
        age.reset();
        const now = options.now();
        for (const r of rows) {
          depth.set({ receiver: r.receiver, integration: r.integration }, r.count);
          age.set({ receiver: r.receiver, integration: r.integration }, Math.max(0, (now - r.oldest) / 1000));
        }
      } catch {
        depth.reset();
        age.reset();
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };
  return {
    sent: new Counter({
      name: 'lookout_notifications_sent_total',
      help: 'Notifications a receiver accepted (an edit that merged several counts each).',
      labelNames: ['receiver', 'integration'],
      registers,
    }),
    failed: new Counter({
      name: 'lookout_notifications_failed_total',
      help: 'Failed delivery attempts, by whether they will be retried.',
      labelNames: ['receiver', 'integration', 'retryable'],
      registers,
    }),
    dead: new Counter({
      name: 'lookout_notifications_dead_total',
      help: 'Notifications given up on (dead letters), until resent.',
      labelNames: ['receiver', 'integration'],
      registers,
    }),
    skipped: new Counter({
      name: 'lookout_notifications_skipped_total',
      help: 'Notifications not sent on purpose (resolved, with send_resolved off).',
      labelNames: ['receiver', 'integration'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'lookout_notifications_rate_limited_total',
      help: 'Answers of 429 (too many requests) from receivers.',
      labelNames: ['receiver', 'integration'],
      registers,
    }),
    sendDuration: new Histogram({
      name: 'lookout_notification_send_duration_seconds',
      help: 'Time one delivery attempt took (all API calls of it), by integration.',
      labelNames: ['integration'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    deliveryDelay: new Histogram({
      name: 'lookout_notification_delivery_delay_seconds',
      help: 'Time from a notification entering the outbox to its receiver accepting it.',
      labelNames: ['integration'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400],
      registers,
    }),
  };
}
