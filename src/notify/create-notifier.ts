// Builds the integration for one entry of a receiver's `<integration>_configs`.
import type { Logger } from 'pino';
import type { ReceiverConfig } from '../config/sections/receivers.js';
import type { IntegrationKey } from '../store/repos/outbox-repo.js';
import { NatsNotifier } from './nats-notifier.js';
import type { IntegrationName, Notifier } from './notifier.js';
import { SlackNotifier } from './slack-notifier.js';
import { TelegramNotifier } from './telegram-notifier.js';
import { WebhookNotifier } from './webhook-notifier.js';

export interface ConfiguredNotifier {
  readonly key: IntegrationKey;
  readonly notifier: Notifier;
  readonly deadLetterAfterMs: number;
}

export interface NotifierContext {
  readonly version: string;
  readonly log: Logger;
  /**
   * The chat bot's token when Lookout runs one. Alert buttons go only under messages sent by
   * that bot, since only it can answer their presses. Unset (no bot): no buttons.
   */
  readonly chatBotToken?: string | undefined;
}

/** Every integration of every receiver, keyed as the outbox keys its rows. */
export function createNotifiers(
  receivers: readonly ReceiverConfig[],
  context: NotifierContext,
): ConfiguredNotifier[] {
  const out: ConfiguredNotifier[] = [];
  for (const receiver of receivers) {
    const add = (integration: IntegrationName, index: number, notifier: Notifier): void => {
      out.push({
        key: { receiver: receiver.name, integration, integrationIndex: index },
        notifier,
        deadLetterAfterMs: receiver.dead_letter_after,
      });
    };
    receiver.telegram_configs.forEach((config, i) =>
      add(
        'telegram',
        i,
        new TelegramNotifier({
          config,
          buttons: context.chatBotToken !== undefined && config.bot_token.reveal() === context.chatBotToken,
        }),
      ),
    );
    receiver.slack_configs.forEach((config, i) =>
      add(
        'slack',
        i,
        new SlackNotifier({
          config,
          log: context.log.child({ receiver: receiver.name, integration: 'slack' }),
        }),
      ),
    );
    receiver.webhook_configs.forEach((config, i) =>
      add('webhook', i, new WebhookNotifier({ config, version: context.version })),
    );
    receiver.nats_configs.forEach((config, i) =>
      add('nats', i, new NatsNotifier({ config, version: context.version })),
    );
  }
  return out;
}
