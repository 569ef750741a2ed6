// Delivery as one part of Lookout: builds the integrations from the receivers, runs the outbox
// dispatcher, and offers the dead-letter API and `lookout doctor` checks. main.ts wires it.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ReceiverConfig } from '../config/sections/receivers.js';
import type { HttpMount } from '../http/app.js';
import { errorMessage } from '../lib/errors.js';
import type { Store } from '../store/index.js';
import { countPending } from '../store/repos/outbox-repo.js';
import { systemClock, type Clock } from './clock.js';
import { createNotifiers, type ConfiguredNotifier } from './create-notifier.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { createDeliveryMetrics } from './delivery-metrics.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';

export interface DeliveryOptions {
  /** `alerting.receivers` from the config. */
  readonly receivers: readonly ReceiverConfig[];
  readonly store: Pick<Store, 'db'>;
  readonly log: Logger;
  /** Lookout's metrics registry (never the global one). */
  readonly registry: Registry;
  readonly version: string;
  /**
   * The token of the chat bot running in this Lookout: Telegram receivers sending with the same
   * bot put Silence/Acknowledge/Logs buttons under alerts (the bot answers the presses).
   */
  readonly chatBotToken?: string | undefined;
  /** Integrations that are not receivers of the config (chat subscriptions). */
  readonly extraNotifiers?: readonly ConfiguredNotifier[];
  readonly clock?: Clock;
  /** Fine-tuning of the dispatcher (poll interval, backoff, lease…); defaults suit production. */
  readonly dispatcher?: Partial<Omit<DispatcherOptions, 'db' | 'workers' | 'log' | 'metrics' | 'clock'>>;
}

export interface Delivery {
  readonly dispatcher: Dispatcher;
  /** GET /api/v1/notifications/dead and POST /api/v1/notifications/{id}/resend. */
  readonly mount: HttpMount;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Call after enqueueing notifications so they leave now rather than at the next poll. */
  wake(): void;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ component: 'delivery' });
  const db = options.store.db;
  const notifiers: ConfiguredNotifier[] = [
    ...createNotifiers(options.receivers, {
      version: options.version,
      log,
      chatBotToken: options.chatBotToken,
    }),
    ...(options.extraNotifiers ?? []),
  ];
  const metrics = createDeliveryMetrics({
    registry: options.registry,
    queueDepth: () => countPending(db),
    now: () => clock.now(),
  });
  const dispatcher = new Dispatcher({
    ...options.dispatcher,
    db,
    workers: notifiers,
    log,
    metrics,
    clock,
  });
  return {
    dispatcher,
    mount: deadLetterRoutes({ db, now: () => clock.now(), wake: () => dispatcher.wake() }),
    async start() {
      await dispatcher.start();
      log.info({ integrations: notifiers.length }, 'delivery started');
    },
    async stop() {
      await dispatcher.stop();
      await Promise.all(
        notifiers.map((n) =>
          n.notifier
            .close()
            .catch((error: unknown) =>
              log.warn({ err: errorMessage(error) }, 'closing an integration failed'),
            ),
        ),
      );
    },
    wake: () => dispatcher.wake(),
  };
}
