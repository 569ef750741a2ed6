// Delivers the chat-subscription route: at send time it looks up which chats subscribed to the
// notification's namespace (and whether the person who subscribed may still see it), then sends
// or edits each chat's incident message through the same Telegram integration as any receiver.
import type { Kysely } from 'kysely';
import type { ImplicitReceiver } from '../alerting/setup.js';
import { telegramConfigSchema } from '../config/sections/receivers.js';
import type { TelegramBotConfig } from '../config/sections/chat.js';
import { NotifyError, errorMessage } from '../lib/errors.js';
import type { DeliveryAttempt, DeliveryResult, Notifier } from '../notify/notifier.js';
import { TelegramNotifier } from '../notify/telegram-notifier.js';
import type { Database } from '../store/database.js';
import { subscriptionsFor, unsubscribe } from '../store/repos/subscription-repo.js';
import type { Logger } from '../telemetry/logger.js';
import type { UserDirectory } from './user-directory.js';
import { canAccess } from './user-directory.js';

/** The receiver name of the implicit subscription route (not a name users configure). */
export const SUBSCRIPTION_RECEIVER = 'lookout-chat-subscriptions';

/**
 * The alerting engine's implicit route for chat subscriptions: every alert, grouped per cluster
 * and namespace on top of the root route's labels, so each message concerns one namespace.
 */
export const SUBSCRIPTION_ROUTE: ImplicitReceiver = {
  receiver: SUBSCRIPTION_RECEIVER,
  integration: 'telegram',
  groupBy: ['cluster', 'namespace'],
};

/** What is remembered per group: each chat's own incident reference. */
interface SubscriptionRef {
  readonly chats: Record<string, unknown>;
}

function readRef(value: unknown): SubscriptionRef {
  if (value !== null && typeof value === 'object' && 'chats' in value) {
    const chats = value.chats;
    if (chats !== null && typeof chats === 'object') return { chats: { ...chats } };
  }
  return { chats: {} };
}

export interface SubscriptionNotifierOptions {
  readonly db: Kysely<Database>;
  readonly config: TelegramBotConfig;
  readonly users: UserDirectory;
  readonly log: Logger;
}

export class SubscriptionNotifier implements Notifier {
  readonly integration = 'telegram' as const;
  readonly mergesGroup = true;
  readonly #db: Kysely<Database>;
  readonly #config: TelegramBotConfig;
  readonly #users: UserDirectory;
  readonly #log: Logger;
  readonly #perChat = new Map<number, TelegramNotifier>();

  constructor(options: SubscriptionNotifierOptions) {
    this.#db = options.db;
    this.#config = options.config;
    this.#users = options.users;
    this.#log = options.log;
  }

  #notifier(chatId: number): TelegramNotifier {
    let notifier = this.#perChat.get(chatId);
    if (!notifier) {
      const config = telegramConfigSchema.parse({
        bot_token: this.#config.bot_token.reveal(),
        api_url: this.#config.api_url,
        chat_id: chatId,
        timeout: `${Math.max(1, Math.round(this.#config.timeout / 1000))}s`,
      });
      notifier = new TelegramNotifier({ config });
      this.#perChat.set(chatId, notifier);
    }
    return notifier;
  }

  /** Chats that get this notification now: subscribed, and their subscriber may still see it. */
  async #chatsFor(namespace: string | undefined): Promise<number[]> {
    const subs = await subscriptionsFor(this.#db, namespace);
    const chats = new Set<number>();
    for (const s of subs) {
      if (chats.has(s.chatId)) continue;
      const creator = await this.#users.resolve(s.createdBy);
      const ok = s.namespace === '*' ? creator?.role === 'admin' : canAccess(creator, s.namespace);
      if (ok) chats.add(s.chatId);
    }
    return [...chats];
  }

  async send(attempt: DeliveryAttempt): Promise<DeliveryResult> {
    const head = attempt.rows[0]!.notification;
    const namespace = head.groupLabels.namespace ?? head.commonLabels.namespace;
    const ref = readRef(attempt.previousRef);
    const chats = await this.#chatsFor(namespace);
    let consumed = attempt.rows.length;
    for (const chatId of chats) {
      const key = String(chatId);
      try {
        const result = await this.#notifier(chatId).send({
          ...attempt,
          previousRef: ref.chats[key],
          saveProgress: (progress) => {
            ref.chats[key] = progress;
            return attempt.saveProgress(ref);
          },
        });
        consumed = Math.min(consumed, result.consumed);
        if (result.ref !== undefined) ref.chats[key] = result.ref;
      } catch (error) {
        if (error instanceof NotifyError && !error.retryable) {
          // The bot was removed from the chat, or the chat is gone: that chat stops getting alerts.
          this.#log.warn(
            { chat: chatId, err: errorMessage(error) },
            'a subscribed chat cannot be reached; dropping its subscriptions',
          );
          if (error.status === 403 || (error.status === 400 && /chat not found/i.test(error.message)))
            await unsubscribe(this.#db, chatId).catch(() => undefined);
          continue;
        }
        throw error;
      }
    }
    if (chats.length === 0) return { consumed, skipped: true, ref };
    return { consumed: Math.max(1, consumed), ref };
  }

  async check(): Promise<string> {
    const n =
      (
        await this.#db
          .selectFrom('chat_subscriptions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst()
      )?.n ?? 0;
    return `${Number(n)} chat subscription(s)`;
  }

  async close(): Promise<void> {
    for (const n of this.#perChat.values()) await n.close();
  }
}
