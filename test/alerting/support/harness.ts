// Builds an alerting service on a real store with a manual clock, and reads back what it queued.
import { Registry } from 'prom-client';
import { parseConfig } from '../../../src/config/index.js';
import { createAlerting, type Alerting } from '../../../src/alerting/alerting.js';
import { ManualClock } from '../../../src/alerting/clock.js';
import type { Notification } from '../../../src/domain/notification.js';
import type { Store } from '../../../src/store/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

/** Parses an `alerting:` section given as YAML (indented under `alerting:`). */
export function alertingConfig(yaml: string) {
  const indented = yaml
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return parseConfig(`clusters: []\nalerting:\n${indented}\n`, { env: {} }).alerting;
}

export interface Harness {
  readonly alerting: Alerting;
  readonly clock: ManualClock;
  readonly registry: Registry;
  /** Moves the clock and waits for every flush that fell due. */
  advance(ms: number): Promise<void>;
}

export async function startAlerting(store: Store, yaml: string, clock = new ManualClock()): Promise<Harness> {
  const registry = new Registry();
  const alerting = createAlerting({
    config: alertingConfig(yaml),
    store,
    log: silentLogger(),
    registry,
    clock,
    externalUrl: 'http://lookout.test',
  });
  await alerting.start();
  return {
    alerting,
    clock,
    registry,
    async advance(ms: number) {
      // Step in small moves so flushes land at their own ticks, as a real clock would.
      const step = 50;
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done));
        await alerting.idle();
      }
    },
  };
}

export interface QueuedNotification {
  readonly id: number;
  readonly receiver: string;
  readonly integration: string;
  readonly integrationIndex: number;
  readonly createdAt: number;
  readonly notification: Notification;
}

/** Outbox rows in the order they were written. */
export async function outbox(store: Store): Promise<QueuedNotification[]> {
  const rows = await store.db.selectFrom('notification_outbox').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    receiver: r.receiver,
    integration: r.integration,
    integrationIndex: Number(r.integration_index),
    createdAt: Number(r.created_at),
    notification: JSON.parse(r.payload) as Notification,
  }));
}

/** One notification, reduced to what the differential comparison looks at. */
export function summary(n: Notification): string {
  const alerts = n.alerts.map(
    (a) =>
      `${a.labels.alertname ?? ''}/${Object.entries(a.labels)
        .filter(([k]) => k !== 'alertname')
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}:${a.status}`,
  );
  return `${n.receiver} ${n.groupKey} ${n.status} [${alerts.join(' ')}]`;
}
