// Slack: with a bot token, Block Kit messages through @slack/web-api (chat.postMessage, then
// chat.update in place), each namespace in its own channel; or an incoming webhook.
import type * as SlackModule from '@slack/web-api';
import { createHash } from 'node:crypto';
import type {
  LogLevel,
  WebClient,
  Logger as SlackLogger,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import type { SlackConfig } from '../config/sections/receivers.js';
import { lazyRequire } from '../lib/lazy-require.js';
import type { Notification, NotificationAlert } from '../domain/notification.js';
import { NotifyError, errorMessage } from '../lib/errors.js';
import { commonOf, planIncident, readIncidentState, type IncidentState } from './incident.js';
import type { DeliveryAttempt, DeliveryResult, Notifier } from './notifier.js';
import type { RateRule } from './rate-limiter.js';
import { splitText } from './split.js';
import {
  DEFAULT_BODY,
  DEFAULT_TITLE,
  compileTemplate,
  messageData,
  type CompiledTemplate,
} from './templates.js';

/** The Slack client is loaded when the first Slack receiver is built. */
const slackApi = lazyRequire<typeof SlackModule>('@slack/web-api');

/** About one message a second per channel (Slack's guidance for chat.postMessage). */
const PER_CHANNEL: readonly RateRule[] = [{ limit: 1, windowMs: 1000 }];
const SECTION_LIMIT = 3000;
const HEADER_LIMIT = 150;
const MAX_BLOCKS = 50;

/** The channel a webhook posts to: its own, named by the webhook. */
const WEBHOOK_CHANNEL = '(webhook)';

interface PostedMessage {
  /** The channel id Slack answered with (chat.update needs the id, not the name). */
  readonly channel: string;
  readonly ts: string;
}

interface SlackRef {
  readonly state?: IncidentState | undefined;
  /** By configured channel (name or id as written in the config). */
  readonly messages: Readonly<Record<string, PostedMessage>>;
  /** For sends that do not edit: the row whose channels are done so far. */
  readonly rowId?: number | undefined;
}

function readRef(value: unknown): SlackRef | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { state?: unknown; messages?: unknown; rowId?: unknown };
  if (v.messages === null || typeof v.messages !== 'object') return undefined;
  return {
    state: readIncidentState(v.state),
    messages: v.messages as Record<string, PostedMessage>,
    rowId: typeof v.rowId === 'number' ? v.rowId : undefined,
  };
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: ReadonlyArray<Record<string, unknown>>;
}

export interface SlackNotifierOptions {
  readonly config: SlackConfig;
  /** Where the Web API client's own messages go (debug level). */
  readonly log?: { debug(obj: object, msg: string): void };
}

export class SlackNotifier implements Notifier {
  readonly integration = 'slack' as const;
  readonly mergesGroup: boolean;
  readonly #config: SlackConfig;
  readonly #client: WebClient | undefined;
  readonly #webhookUrl: string | undefined;
  readonly #apiBase: string;
  readonly #title: CompiledTemplate;
  readonly #titleLink: CompiledTemplate | undefined;
  readonly #text: CompiledTemplate;

  constructor(options: SlackNotifierOptions) {
    const config = options.config;
    this.#config = config;
    this.mergesGroup = config.update_message;
    this.#title = compileTemplate(config.title ?? DEFAULT_TITLE, 'plain');
    this.#titleLink = config.title_link ? compileTemplate(config.title_link, 'plain') : undefined;
    this.#text = compileTemplate(config.text ?? DEFAULT_BODY, 'slack');
    if (config.bot_token) {
      this.#apiBase = webApiBase(config.api_url?.reveal());
      this.#client = new (slackApi().WebClient)(config.bot_token.reveal(), {
        slackApiUrl: this.#apiBase,
        // The outbox retries; the client must not retry on its own for half an hour.
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: config.timeout,
        logger: slackLogger(options.log),
      });
    } else {
      this.#webhookUrl = config.api_url!.reveal();
      // Only a digest of the webhook URL (a secret) is used as the rate-limit key.
      this.#apiBase = `webhook:${createHash('sha256').update(this.#webhookUrl).digest('hex').slice(0, 16)}`;
    }
  }

  /** The channel an alert goes to: its namespace's channel, else the default one. */
  channelFor(alert: NotificationAlert): string {
    if (!this.#client) return WEBHOOK_CHANNEL;
    const ns = alert.labels.namespace;
    return (ns !== undefined ? this.#config.namespace_channels[ns] : undefined) ?? this.#config.channel!;
  }

  /** Builds the Block Kit message for a notification. */
  render(notification: Notification): SlackMessage {
    const data = messageData(notification);
    const title = this.#title.render(data);
    data.title = title;
    const body = this.#text.render(data);
    const blocks: Array<Record<string, unknown>> = [];
    const link = this.#titleLink?.render(data);
    if (link) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `*<${link}|${escapeLinkText(title)}>*` },
      });
    } else if (title) {
      blocks.push({
        type: 'header',
        text: { type: 'plain_text', text: clip(title, HEADER_LIMIT), emoji: true },
      });
    }
    for (const chunk of splitText(body, SECTION_LIMIT, '```')) {
      if (blocks.length >= MAX_BLOCKS - 1) break;
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
    }
    const context = [`Lookout · ${notification.receiver}`];
    if (notification.externalURL) context.push(`<${notification.externalURL}|open>`);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
    return { text: clip(title || body, 3000), blocks };
  }

  async send(attempt: DeliveryAttempt): Promise<DeliveryResult> {
    const previous = readRef(attempt.previousRef);
    if (!this.mergesGroup) return this.#sendEach(attempt, previous);

    const plan = planIncident(previous?.state, attempt.rows);
    const hasFiring = plan.view.alerts.some((a) => a.status === 'firing');
    if (plan.fresh && !hasFiring && !this.#config.send_resolved) {
      return { consumed: plan.consumed, skipped: true, ref: previous };
    }
    const messages: Record<string, PostedMessage> = plan.fresh ? {} : { ...(previous?.messages ?? {}) };
    for (const [channel, alerts] of this.#partition(plan.view.alerts)) {
      const message = this.render(subset(plan.view, alerts));
      const existing = messages[channel];
      messages[channel] = existing
        ? await this.#update(existing, channel, message, attempt)
        : await this.#post(channel, message, attempt);
      await attempt.saveProgress({ state: plan.state, messages } satisfies SlackRef);
    }
    return { consumed: plan.consumed, ref: { state: plan.state, messages } satisfies SlackRef };
  }

  /** Every notification its own message (incoming webhooks, or update_message: false). */
  async #sendEach(attempt: DeliveryAttempt, previous: SlackRef | undefined): Promise<DeliveryResult> {
    const row = attempt.rows[0]!;
    let notification = row.notification;
    if (!this.#config.send_resolved) {
      const firing = notification.alerts.filter((a) => a.status === 'firing');
      if (firing.length === 0) return { consumed: 1, skipped: true, ref: previous };
      notification = { ...notification, alerts: firing };
    }
    const done: Record<string, PostedMessage> = previous?.rowId === row.id ? { ...previous.messages } : {};
    for (const [channel, alerts] of this.#partition(notification.alerts)) {
      if (done[channel]) continue;
      done[channel] = await this.#post(channel, this.render(subset(notification, alerts)), attempt);
      await attempt.saveProgress({ messages: done, rowId: row.id } satisfies SlackRef);
    }
    return { consumed: 1, ref: { messages: done, rowId: row.id } satisfies SlackRef };
  }

  #partition(alerts: readonly NotificationAlert[]): Array<[string, NotificationAlert[]]> {
    const byChannel = new Map<string, NotificationAlert[]>();
    for (const alert of alerts) {
      const channel = this.channelFor(alert);
      const list = byChannel.get(channel) ?? [];
      list.push(alert);
      byChannel.set(channel, list);
    }
    return [...byChannel.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  #rateKey(channel: string): string {
    return `slack:${this.#apiBase}:${channel}`;
  }

  #extras(): Record<string, unknown> {
    const c = this.#config;
    return {
      ...(c.username ? { username: c.username } : {}),
      ...(c.icon_emoji ? { icon_emoji: c.icon_emoji } : {}),
      ...(c.icon_url ? { icon_url: c.icon_url } : {}),
      ...(c.link_names ? { link_names: true } : {}),
      unfurl_links: false,
      unfurl_media: false,
    };
  }

  async #post(channel: string, message: SlackMessage, attempt: DeliveryAttempt): Promise<PostedMessage> {
    await attempt.throttle(this.#rateKey(channel), PER_CHANNEL);
    if (!this.#client) {
      await this.#postWebhook(message, attempt);
      return { channel: WEBHOOK_CHANNEL, ts: '' };
    }
    try {
      const result = await this.#client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks as never,
        ...this.#extras(),
      });
      return { channel: result.channel ?? channel, ts: result.ts ?? '' };
    } catch (error) {
      throw this.#classify(error, channel, attempt);
    }
  }

  async #update(
    existing: PostedMessage,
    channel: string,
    message: SlackMessage,
    attempt: DeliveryAttempt,
  ): Promise<PostedMessage> {
    await attempt.throttle(this.#rateKey(channel), PER_CHANNEL);
    try {
      await this.#client!.chat.update({
        channel: existing.channel,
        ts: existing.ts,
        text: message.text,
        blocks: message.blocks as never,
      });
      return existing;
    } catch (error) {
      const code = platformError(error);
      if (code === 'message_not_found' || code === 'cant_update_message' || code === 'edit_window_closed') {
        // The message is gone or frozen: the incident continues in a new one.
        return this.#post(channel, message, attempt);
      }
      throw this.#classify(error, channel, attempt);
    }
  }

  async #postWebhook(message: SlackMessage, attempt: DeliveryAttempt): Promise<void> {
    const c = this.#config;
    const body = {
      text: message.text,
      blocks: message.blocks,
      ...(c.username ? { username: c.username } : {}),
      ...(c.icon_emoji ? { icon_emoji: c.icon_emoji } : {}),
      ...(c.icon_url ? { icon_url: c.icon_url } : {}),
    };
    let response: Response;
    try {
      response = await fetch(this.#webhookUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([attempt.signal, AbortSignal.timeout(c.timeout)]),
      });
    } catch (error) {
      throw new NotifyError(`Slack webhook could not be reached: ${errorMessage(error)}`, {
        retryable: true,
        cause: error,
      });
    }
    const text = (await response.text().catch(() => '')).slice(0, 200);
    if (response.ok) return;
    const status = response.status;
    if (status === 429) {
      const retryAfterMs = retryAfterHeader(response.headers.get('retry-after'));
      attempt.rateLimited(this.#rateKey(WEBHOOK_CHANNEL), retryAfterMs);
      throw new NotifyError(`Slack webhook answered 429 ${text}`, { retryable: true, retryAfterMs, status });
    }
    throw new NotifyError(`Slack webhook answered ${status} ${text}`.trim(), {
      retryable: status >= 500,
      status,
    });
  }

  #classify(error: unknown, channel: string, attempt: DeliveryAttempt): NotifyError {
    const coded = error as { code?: unknown };
    switch (coded.code) {
      case slackApi().ErrorCode.RateLimitedError: {
        const retryAfterMs = Math.max(1, (error as WebAPIRateLimitedError).retryAfter) * 1000;
        attempt.rateLimited(this.#rateKey(channel), retryAfterMs);
        return new NotifyError(`Slack rate-limited the call; retry after ${retryAfterMs / 1000}s`, {
          retryable: true,
          retryAfterMs,
          status: 429,
          cause: error,
        });
      }
      case slackApi().ErrorCode.PlatformError: {
        const code = (error as WebAPIPlatformError).data.error;
        return new NotifyError(`Slack answered ${code}`, {
          retryable: RETRYABLE_SLACK_ERRORS.has(code),
          cause: error,
        });
      }
      case slackApi().ErrorCode.HTTPError: {
        const status = (error as WebAPIHTTPError).statusCode;
        return new NotifyError(`Slack answered HTTP ${status}`, {
          retryable: status >= 500,
          status,
          cause: error,
        });
      }
      case slackApi().ErrorCode.RequestError:
        return new NotifyError(
          `Slack could not be reached: ${errorMessage((error as WebAPIRequestError).original)}`,
          {
            retryable: true,
            cause: error,
          },
        );
      default:
        return new NotifyError(`Slack call failed: ${errorMessage(error)}`, {
          retryable: true,
          cause: error,
        });
    }
  }

  async check(signal: AbortSignal): Promise<string> {
    if (this.#client) {
      try {
        const auth = await this.#client.auth.test();
        return `bot ${auth.user ?? auth.user_id ?? '?'} in workspace ${auth.team ?? auth.team_id ?? '?'} (default channel ${this.#config.channel})`;
      } catch (error) {
        const code = platformError(error);
        throw new NotifyError(
          code ? `Slack answered ${code}` : `Slack could not be reached: ${errorMessage(error)}`,
          {
            retryable: !code,
            cause: error,
          },
        );
      }
    }
    // An empty payload is refused with "no_text" by a live webhook and 403/404 by a revoked
    // one; nothing is posted either way.
    const response = await fetch(this.#webhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#config.timeout)]),
    });
    const text = (await response.text().catch(() => '')).trim();
    if (response.status === 400 && /no_text|invalid_payload|missing_text/.test(text))
      return 'incoming webhook is live';
    throw new NotifyError(`Slack webhook answered ${response.status} ${text.slice(0, 100)}`, {
      retryable: response.status >= 500,
      status: response.status,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Slack errors worth another try; everything else needs a person (auth, channel, payload). */
const RETRYABLE_SLACK_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'rate_limited',
  'team_added_to_org',
]);

function platformError(error: unknown): string | undefined {
  const coded = error as { code?: unknown };
  return coded.code === slackApi().ErrorCode.PlatformError
    ? (error as WebAPIPlatformError).data.error
    : undefined;
}

/** Alertmanager's bot-token style gives `…/api/chat.postMessage`; the client wants `…/api/`. */
export function webApiBase(apiUrl: string | undefined): string {
  if (!apiUrl) return 'https://slack.com/api/';
  const base = apiUrl.replace(/\/chat\.postMessage\/?$/, '/');
  return base.endsWith('/') ? base : `${base}/`;
}

function retryAfterHeader(value: string | null): number {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, seconds) * 1000;
  const date = value ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? 1000 : Math.max(1000, date - Date.now());
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function escapeLinkText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '¦');
}

/** The part of a notification that goes to one channel, with its own common labels. */
function subset(notification: Notification, alerts: readonly NotificationAlert[]): Notification {
  if (alerts.length === notification.alerts.length) return notification;
  return {
    ...notification,
    alerts,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    commonLabels: commonOf(alerts.map((a) => a.labels)),
    commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
  };
}

function slackLogger(log: SlackNotifierOptions['log']): SlackLogger {
  let level = slackApi().LogLevel.DEBUG;
  const forward = (...msg: unknown[]): void =>
    log?.debug({ source: 'slack-web-api' }, msg.map(String).join(' '));
  return {
    debug: forward,
    info: forward,
    warn: forward,
    error: forward,
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
