// Delivery under test: a real store (SQLite or PostgreSQL), Lookout's own delivery wiring over
// it, a manual clock, and helpers to enqueue notifications and read the outbox back.
import { Registry } from 'prom-client';
import { receiverSchema, type ReceiverConfig } from '../../src/config/sections/receivers.js';
import type { Notification } from '../../src/domain/notification.js';
import { createDelivery, type Delivery, type DeliveryOptions } from '../../src/notify/delivery.js';
import type { Store } from '../../src/store/index.js';
import { enqueueNotifications } from '../../src/store/repos/outbox-repo.js';
import type { OutboxTable } from '../../src/store/tables/delivery.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { STORE_TARGETS, type StoreTarget } from '../support/stores.js';
import { ManualClock } from './manual-clock.js';

export interface Harness {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly registry: Registry;
  delivery: Delivery;
  /** Writes one notification to the outbox for the receiver's integration and wakes delivery. */
  enqueue(
    notification: Notification,
    target?: { receiver?: string; integration?: string; index?: number; key?: string },
  ): Promise<void>;
  outbox(): Promise<
    Array<
      Pick<OutboxTable, 'status' | 'attempts' | 'last_error' | 'group_key'> & {
        id: number;
        idempotency_key: string;
      }
    >
  >;
  /** A new delivery (new dispatcher) over the same database, as after a restart. */
  restart(options?: Partial<DeliveryOptions>): Promise<void>;
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

let keys = 0;

export function receivers(input: unknown[]): ReceiverConfig[] {
  return input.map((r) => receiverSchema.parse(r));
}

export async function startHarness(
  receiverConfigs: readonly ReceiverConfig[],
  options: { target?: StoreTarget; dispatcher?: DeliveryOptions['dispatcher']; clock?: ManualClock } = {},
): Promise<Harness> {
  const target = options.target ?? STORE_TARGETS[0]!;
  const database = await target.create();
  const store = database.open();
  await store.migrate();
  const clock = options.clock ?? new ManualClock();
  let registry = new Registry();
  const build = (extra: Partial<DeliveryOptions> = {}): Delivery =>
    createDelivery({
      receivers: receiverConfigs,
      store,
      log: silentLogger(),
      registry,
      version: '0.1.0-test',
      clock,
      dispatcher: { pollIntervalMs: 5000, random: () => 0.5, ...options.dispatcher },
      ...extra,
    });
  const harness: Harness = {
    store,
    clock,
    get registry() {
      return registry;
    },
    delivery: build(),
    async enqueue(notification, t = {}) {
      const receiver = t.receiver ?? receiverConfigs[0]!.name;
      const integration =
        t.integration ?? firstIntegration(receiverConfigs.find((r) => r.name === receiver)!);
      await enqueueNotifications(
        store.db,
        [
          {
            receiver,
            integration,
            integrationIndex: t.index ?? 0,
            groupKey: notification.groupKey,
            idempotencyKey: t.key ?? `n-${process.pid}-${++keys}`,
            notification,
          },
        ],
        clock.now(),
      );
      harness.delivery.wake();
    },
    async outbox() {
      const rows = await store.db
        .selectFrom('notification_outbox')
        .select(['id', 'status', 'attempts', 'last_error', 'group_key', 'idempotency_key'])
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
    async restart(extra) {
      await harness.delivery.stop();
      registry = new Registry();
      harness.delivery = build(extra);
      await harness.delivery.start();
    },
    async metric(name) {
      const metric = registry.getSingleMetric(name);
      if (!metric) return 0;
      const data = await metric.get();
      return data.values.reduce((sum, v) => sum + v.value, 0);
    },
    async close() {
      await harness.delivery.stop();
      await store.close();
      await database.cleanup();
    },
  };
  await harness.delivery.start();
  return harness;
}

function firstIntegration(r: ReceiverConfig): string {
  if (r.telegram_configs.length > 0) return 'telegram';
  if (r.slack_configs.length > 0) return 'slack';
  if (r.webhook_configs.length > 0) return 'webhook';
  return 'nats';
}
