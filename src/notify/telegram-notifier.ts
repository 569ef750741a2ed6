// Telegram through grammY's Bot API client: one message per incident, edited in place as alerts
// join and resolve, split under 4,096 characters, HTML escaped, errors classified for retry.
import type * as GrammyModule from 'grammy';
import { createHash } from 'node:crypto';
import type { Api } from 'grammy';
import { lazyRequire } from '../lib/lazy-require.js';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { TelegramConfig } from '../config/sections/receivers.js';
import type { Notification } from '../domain/notification.js';
import { NotifyError, errorMessage } from '../lib/errors.js';
import { planIncident, readIncidentState, type IncidentState } from './incident.js';
import type { MarkupFormat } from './markup.js';
import type { DeliveryAttempt, DeliveryResult, Notifier } from './notifier.js';
import type { RateRule } from './rate-limiter.js';
import { TELEGRAM_TEXT_LIMIT, splitTelegramHtml, splitText } from './split.js';
import {
  DEFAULT_TELEGRAM_MESSAGE,
  DEFAULT_TITLE,
  compileTemplate,
  messageData,
  type CompiledTemplate,
} from './templates.js';

/** grammY is loaded when the first Telegram receiver is built. */
const grammy = lazyRequire<typeof GrammyModule>('grammy');

/** About one message a second per chat (Telegram's guidance). */
const PER_CHAT: readonly RateRule[] = [{ limit: 1, windowMs: 1000 }];
/** Groups and channels: also at most twenty messages a minute. */
const PER_GROUP: readonly RateRule[] = [...PER_CHAT, { limit: 20, windowMs: 60_000 }];
/** A bot may send about thirty messages a second in all. */
const PER_BOT: readonly RateRule[] = [{ limit: 30, windowMs: 1000 }];

/** What Lookout remembers per group: the incident and the message parts that show it. */
interface TelegramRef {
  readonly state?: IncidentState | undefined;
  readonly messageIds: readonly number[];
  /** For integrations that do not edit: the row whose parts `messageIds` are (resume a split send). */
  readonly rowId?: number | undefined;
}

function readRef(value: unknown): TelegramRef | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { state?: unknown; messageIds?: unknown; rowId?: unknown };
  if (!Array.isArray(v.messageIds) || !v.messageIds.every((id) => typeof id === 'number')) return undefined;
  return {
    state: readIncidentState(v.state),
    messageIds: v.messageIds,
    rowId: typeof v.rowId === 'number' ? v.rowId : undefined,
  };
}

export interface TelegramNotifierOptions {
  readonly config: TelegramConfig;
  /**
   * Put Silence 1h, Silence 24h, Acknowledge and Show logs buttons under messages with firing
   * alerts (default true). Lookout's chat bot answers them when it runs with the same token.
   */
  readonly buttons?: boolean;
}

/** What an alert message's buttons do. */
export type AlertAction = 'silence1h' | 'silence24h' | 'ack' | 'logs';

const ACTION_CODES: Readonly<Record<AlertAction, string>> = {
  silence1h: 's1',
  silence24h: 's24',
  ack: 'ack',
  logs: 'log',
};

/** A button's target: the alert group (hashed group key) and one alert of it (fingerprint). */
export interface AlertButtonData {
  readonly action: AlertAction;
  /** First 10 hex digits of the SHA-1 of the group key. */
  readonly group: string;
  readonly fingerprint: string;
}

/** The short hash buttons carry for a group key (callback data holds at most 64 bytes). */
export function groupKeyHash(groupKey: string): string {
  return createHash('sha1').update(groupKey).digest('hex').slice(0, 10);
}

/** `al:<action>:<group hash>:<fingerprint>`, well within Telegram's 64 bytes. */
export function encodeAlertButton(data: AlertButtonData): string {
  return `al:${ACTION_CODES[data.action]}:${data.group}:${data.fingerprint}`;
}

export function decodeAlertButton(text: string): AlertButtonData | undefined {
  const m = /^al:(s1|s24|ack|log):([0-9a-f]{10}):([0-9a-f]{16})$/.exec(text);
  if (!m) return undefined;
  const action = (Object.keys(ACTION_CODES) as AlertAction[]).find((a) => ACTION_CODES[a] === m[1])!;
  return { action, group: m[2]!, fingerprint: m[3]! };
}

/** The buttons under a message: only while an alert fires (there is nothing to act on after). */
export function alertKeyboard(notification: Notification): InlineKeyboardMarkup | undefined {
  const firing = notification.alerts.find((a) => a.status === 'firing');
  if (!firing) return undefined;
  const base = { group: groupKeyHash(notification.groupKey), fingerprint: firing.fingerprint };
  const button = (text: string, action: AlertAction) => ({
    text,
    callback_data: encodeAlertButton({ ...base, action }),
  });
  const row2 = [button('✅ Acknowledge', 'ack')];
  if (firing.labels.pod) row2.push(button('📜 Show logs', 'logs'));
  return {
    inline_keyboard: [[button('🔕 Silence 1h', 'silence1h'), button('🔕 Silence 24h', 'silence24h')], row2],
  };
}

export class TelegramNotifier implements Notifier {
  readonly integration = 'telegram' as const;
  readonly mergesGroup: boolean;
  readonly #config: TelegramConfig;
  readonly #api: Api;
  readonly #format: MarkupFormat;
  readonly #title: CompiledTemplate;
  readonly #message: CompiledTemplate;
  readonly #chatKey: string;
  readonly #botKey: string;
  readonly #chatRules: readonly RateRule[];
  readonly #buttons: boolean;

  constructor(options: TelegramNotifierOptions) {
    const config = options.config;
    this.#config = config;
    this.#buttons = options.buttons ?? true;
    this.mergesGroup = config.update_message;
    this.#api = new (grammy().Api)(config.bot_token.reveal(), {
      apiRoot: config.api_url.replace(/\/+$/, ''),
      timeoutSeconds: Math.max(1, Math.ceil(config.timeout / 1000)),
    });
    this.#format =
      config.parse_mode === 'HTML' ? 'html' : config.parse_mode === 'MarkdownV2' ? 'markdownv2' : 'plain';
    this.#title = compileTemplate(DEFAULT_TITLE, 'plain');
    // The built-in message is HTML; in plain mode the same template renders without markup.
    const messageFormat =
      config.message === undefined && this.#format === 'markdownv2' ? 'html' : this.#format;
    this.#message = compileTemplate(config.message ?? DEFAULT_TELEGRAM_MESSAGE, messageFormat);
    // The bot id (the token's part before ':') is public; the rest of the token never leaves here.
    const botId = config.bot_token.reveal().split(':')[0] ?? 'bot';
    this.#botKey = `telegram-bot:${config.api_url}:${botId}`;
    this.#chatKey = `telegram:${config.api_url}:${botId}:${config.chat_id}`;
    const isGroup = typeof config.chat_id === 'string' || config.chat_id < 0;
    this.#chatRules = isGroup ? PER_GROUP : PER_CHAT;
  }

  /** Renders a notification into message parts, each within Telegram's limit. */
  render(notification: Notification): string[] {
    const data = messageData(notification);
    data.title = this.#title.render(data);
    const text = this.#message.render(data) || data.title;
    if (this.#message.format === 'html') return splitTelegramHtml(text, TELEGRAM_TEXT_LIMIT);
    if (this.#message.format === 'markdownv2') return splitText(text, TELEGRAM_TEXT_LIMIT, '```');
    return splitText(text, TELEGRAM_TEXT_LIMIT);
  }

  async send(attempt: DeliveryAttempt): Promise<DeliveryResult> {
    const previous = readRef(attempt.previousRef);
    if (!this.mergesGroup) return this.#sendEach(attempt, previous);

    const plan = planIncident(previous?.state, attempt.rows);
    const hasFiring = plan.view.alerts.some((a) => a.status === 'firing');
    if (plan.fresh && !hasFiring && !this.#config.send_resolved) {
      // Nothing on screen to update and resolved news is not wanted: remember nothing, send nothing.
      return { consumed: plan.consumed, skipped: true, ref: previous };
    }
    const parts = this.render(plan.view);
    const keyboard = this.#keyboard(plan.view);
    const oldIds = plan.fresh ? [] : [...(previous?.messageIds ?? [])];
    const ids: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const existing = oldIds[i];
      // The buttons go under the last part; edits of the others carry none.
      const markup = i === parts.length - 1 ? keyboard : undefined;
      const id =
        existing === undefined
          ? await this.#post(parts[i]!, attempt, markup)
          : await this.#edit(existing, parts[i]!, attempt, markup);
      ids.push(id);
      await attempt.saveProgress({ state: plan.state, messageIds: [...ids, ...oldIds.slice(i + 1)] });
    }
    // The incident needs fewer parts than before: the extra ones go (best effort).
    for (const extra of oldIds.slice(parts.length)) {
      await attempt.throttle(this.#chatKey, this.#chatRules);
      await this.#api
        .deleteMessage(this.#config.chat_id, extra, grammySignal(attempt.signal))
        .catch(() => undefined);
    }
    return { consumed: plan.consumed, ref: { state: plan.state, messageIds: ids } satisfies TelegramRef };
  }

  /** Alertmanager's behaviour: every notification is its own message. */
  async #sendEach(attempt: DeliveryAttempt, previous: TelegramRef | undefined): Promise<DeliveryResult> {
    const row = attempt.rows[0]!;
    let notification = row.notification;
    if (!this.#config.send_resolved) {
      const firing = notification.alerts.filter((a) => a.status === 'firing');
      if (firing.length === 0) return { consumed: 1, skipped: true, ref: previous };
      notification = { ...notification, alerts: firing };
    }
    const parts = this.render(notification);
    const keyboard = this.#keyboard(notification);
    // A retry of a split message resumes after the parts already delivered.
    const done = previous?.rowId === row.id ? previous.messageIds.length : 0;
    const ids = previous?.rowId === row.id ? [...previous.messageIds] : [];
    for (let i = done; i < parts.length; i++) {
      ids.push(await this.#post(parts[i]!, attempt, i === parts.length - 1 ? keyboard : undefined));
      await attempt.saveProgress({ messageIds: ids, rowId: row.id } satisfies TelegramRef);
    }
    return { consumed: 1, ref: { messageIds: ids, rowId: row.id } satisfies TelegramRef };
  }

  async #throttle(attempt: DeliveryAttempt): Promise<void> {
    await attempt.throttle(this.#chatKey, this.#chatRules);
    await attempt.throttle(this.#botKey, PER_BOT);
  }

  #options(): { parse_mode?: 'HTML' | 'MarkdownV2' } {
    const mode =
      this.#message.format === 'html'
        ? 'HTML'
        : this.#message.format === 'markdownv2'
          ? 'MarkdownV2'
          : undefined;
    return mode ? { parse_mode: mode } : {};
  }

  #keyboard(notification: Notification): InlineKeyboardMarkup | undefined {
    return this.#buttons ? alertKeyboard(notification) : undefined;
  }

  async #post(text: string, attempt: DeliveryAttempt, keyboard?: InlineKeyboardMarkup): Promise<number> {
    await this.#throttle(attempt);
    const other = {
      ...this.#options(),
      ...(keyboard ? { reply_markup: keyboard } : {}),
      ...(this.#config.message_thread_id !== undefined
        ? { message_thread_id: this.#config.message_thread_id }
        : {}),
      disable_notification: this.#config.disable_notifications,
      link_preview_options: { is_disabled: true },
    };
    try {
      const message = await this.#api.sendMessage(
        this.#config.chat_id,
        text,
        other,
        grammySignal(attempt.signal),
      );
      return message.message_id;
    } catch (error) {
      if (isParseError(error)) {
        // A template that produced broken markup must not lose the alert: send it as plain text.
        const message = await this.#api
          .sendMessage(
            this.#config.chat_id,
            toPlain(text),
            { ...other, parse_mode: undefined },
            grammySignal(attempt.signal),
          )
          .catch((e: unknown) => {
            throw this.#classify(e, attempt);
          });
        return message.message_id;
      }
      throw this.#classify(error, attempt);
    }
  }

  async #edit(
    messageId: number,
    text: string,
    attempt: DeliveryAttempt,
    keyboard?: InlineKeyboardMarkup,
  ): Promise<number> {
    await this.#throttle(attempt);
    // An edit without reply_markup would keep stale buttons; an empty keyboard removes them.
    const other = {
      ...this.#options(),
      link_preview_options: { is_disabled: true },
      ...(this.#buttons ? { reply_markup: keyboard ?? { inline_keyboard: [] } } : {}),
    };
    try {
      await this.#api.editMessageText(
        this.#config.chat_id,
        messageId,
        text,
        other,
        grammySignal(attempt.signal),
      );
      return messageId;
    } catch (error) {
      if (error instanceof grammy().GrammyError && /message is not modified/i.test(error.description))
        return messageId;
      if (
        error instanceof grammy().GrammyError &&
        /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i.test(error.description)
      ) {
        // Someone deleted the message (or it is too old to edit): the incident gets a new one.
        return this.#post(text, attempt, keyboard);
      }
      if (isParseError(error)) {
        await this.#api
          .editMessageText(
            this.#config.chat_id,
            messageId,
            toPlain(text),
            {
              link_preview_options: { is_disabled: true },
              ...(this.#buttons ? { reply_markup: keyboard ?? { inline_keyboard: [] } } : {}),
            },
            grammySignal(attempt.signal),
          )
          .catch((e: unknown) => {
            if (e instanceof grammy().GrammyError && /message is not modified/i.test(e.description)) return;
            throw this.#classify(e, attempt);
          });
        return messageId;
      }
      throw this.#classify(error, attempt);
    }
  }

  /** Telegram's answer → retry or not: 429 waits retry_after; 5xx and the network retry; 4xx do not. */
  #classify(error: unknown, attempt: DeliveryAttempt): NotifyError {
    if (error instanceof grammy().GrammyError) {
      const status = error.error_code;
      const description = `Telegram answered ${status}: ${error.description}`;
      if (status === 429) {
        const retryAfterMs = (error.parameters.retry_after ?? 1) * 1000;
        attempt.rateLimited(this.#chatKey, retryAfterMs);
        return new NotifyError(description, { retryable: true, retryAfterMs, status, cause: error });
      }
      if (error.parameters.migrate_to_chat_id !== undefined) {
        return new NotifyError(
          `${description} (the group is now the supergroup ${error.parameters.migrate_to_chat_id}: update chat_id)`,
          { retryable: false, status, cause: error },
        );
      }
      return new NotifyError(description, { retryable: status >= 500, status, cause: error });
    }
    if (error instanceof grammy().HttpError) {
      return new NotifyError(`Telegram could not be reached: ${errorMessage(error.error)}`, {
        retryable: true,
        cause: error,
      });
    }
    return new NotifyError(`Telegram call failed: ${errorMessage(error)}`, { retryable: true, cause: error });
  }

  async check(signal: AbortSignal): Promise<string> {
    try {
      const me = await this.#api.getMe(grammySignal(signal));
      const chat = await this.#api.getChat(this.#config.chat_id, grammySignal(signal));
      const chatName =
        'title' in chat && chat.title
          ? chat.title
          : 'username' in chat && chat.username
            ? `@${chat.username}`
            : String(chat.id);
      return `bot @${me.username} can reach chat ${chatName}`;
    } catch (error) {
      throw this.#classifyPlain(error);
    }
  }

  #classifyPlain(error: unknown): NotifyError {
    if (error instanceof grammy().GrammyError) {
      return new NotifyError(`Telegram answered ${error.error_code}: ${error.description}`, {
        retryable: error.error_code >= 500 || error.error_code === 429,
        status: error.error_code,
        cause: error,
      });
    }
    if (error instanceof grammy().HttpError) {
      return new NotifyError(`Telegram could not be reached: ${errorMessage(error.error)}`, {
        retryable: true,
        cause: error,
      });
    }
    return new NotifyError(errorMessage(error), { retryable: true, cause: error });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** grammY types its signal with a polyfill's class; Node's own AbortSignal is what it uses at run time. */
type GrammySignal = Parameters<Api['getMe']>[0];
function grammySignal(signal: AbortSignal): GrammySignal {
  return signal as unknown as GrammySignal;
}

function isParseError(error: unknown): boolean {
  return (
    error instanceof grammy().GrammyError &&
    error.error_code === 400 &&
    /can't parse entities/i.test(error.description)
  );
}

/** HTML (or MarkdownV2) as plain text: tags dropped, entities decoded. */
export function toPlain(text: string): string {
  return text
    .replace(/<[^<>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&')
    .slice(0, TELEGRAM_TEXT_LIMIT);
}
