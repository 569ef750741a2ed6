// One entry of `alerting.receivers`: a name and its integrations, in Alertmanager's keys
// (telegram_configs, slack_configs, webhook_configs) plus Lookout's own nats_configs.
import { z } from 'zod';
import type { Secret } from '../../lib/secret.js';
import { checkTemplate } from '../../notify/templates.js';
import { checkSubjectTemplate } from '../../notify/nats-subject.js';
import type { MarkupFormat } from '../../notify/markup.js';
import { duration, obj, readSecretFile, secret, secretUrl } from '../schema-kit.js';

/** A message template in the given markup; a template that does not parse is a config error. */
function template(format: MarkupFormat): z.ZodString {
  return z
    .string()
    .min(1, 'must not be empty')
    .superRefine((source, ctx) => {
      const problem = checkTemplate(source, format);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/**
 * Picks `key` or `key_file` (exactly one when `required`), reading the file now so a missing
 * file fails `config check`, not the first notification.
 */
function pickSecret(
  value: Secret | undefined,
  file: string | undefined,
  key: string,
  ctx: z.RefinementCtx,
  required: boolean,
): Secret | undefined {
  if (value && file) {
    ctx.addIssue({ code: 'custom', path: [key], message: `set either ${key} or ${key}_file, not both` });
    return undefined;
  }
  if (file) return readSecretFile(file, ctx, `${key}_file`);
  if (!value && required) {
    ctx.addIssue({ code: 'custom', path: [key], message: `is required (or ${key}_file)` });
  }
  return value;
}

const DEFAULT_TIMEOUT = '10s';

const authorization = obj({
  /** The scheme, `Bearer` unless told otherwise (Alertmanager's default too). */
  type: z.string().min(1).default('Bearer'),
  credentials: secret().optional(),
  credentials_file: z.string().min(1).optional(),
});

const basicAuth = obj({
  username: z.string().min(1),
  password: secret().optional(),
  password_file: z.string().min(1).optional(),
});

/** The part of Alertmanager's `http_config` Lookout uses: who we are to the receiver. */
const httpConfig = obj({
  basic_auth: basicAuth.optional(),
  authorization: authorization.optional(),
}).transform((c, ctx) => {
  if (c.basic_auth && c.authorization) {
    ctx.addIssue({
      code: 'custom',
      path: ['authorization'],
      message: 'set either basic_auth or authorization, not both',
    });
  }
  const basic = c.basic_auth;
  const auth = c.authorization;
  return {
    basic_auth: basic
      ? {
          username: basic.username,
          password: pickSecret(basic.password, basic.password_file, 'password', ctx, false),
        }
      : undefined,
    authorization: auth
      ? {
          type: auth.type,
          credentials: pickSecret(auth.credentials, auth.credentials_file, 'credentials', ctx, true),
        }
      : undefined,
  };
});

const chatId = z
  .union([
    z.number().int(),
    z.string().regex(/^(-?\d+|@[A-Za-z0-9_]{4,})$/, 'must be a chat id (-1001234567890) or @channelname'),
  ])
  .transform((v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v));

export const telegramConfigSchema = obj({
  /** Whether to notify about resolved alerts (Alertmanager's default for Telegram: true). */
  send_resolved: z.boolean().default(true),
  /** The Bot API root; tests and self-hosted Bot API servers point this elsewhere. */
  api_url: z.url().default('https://api.telegram.org'),
  bot_token: secret().optional(),
  bot_token_file: z.string().min(1).optional(),
  chat_id: chatId,
  /** A forum topic of the chat. */
  message_thread_id: z.number().int().positive().optional(),
  /** How `message` is written: HTML (default), MarkdownV2, or "" for plain text. */
  parse_mode: z
    .enum(['HTML', 'MarkdownV2', ''], { error: 'must be "HTML", "MarkdownV2" or "" (plain text)' })
    .default('HTML'),
  /** Deliver silently (no sound). */
  disable_notifications: z.boolean().default(false),
  /** The message template (Liquid); Lookout's built-in message when absent. */
  message: z.string().min(1).optional(),
  /** Edit the group's message as alerts join and resolve, instead of sending a new one each time. */
  update_message: z.boolean().default(true),
  /** Longest one Bot API call may take. */
  timeout: duration().prefault(DEFAULT_TIMEOUT),
}).transform((c, ctx) => {
  const format: MarkupFormat =
    c.parse_mode === 'HTML' ? 'html' : c.parse_mode === 'MarkdownV2' ? 'markdownv2' : 'plain';
  if (c.message !== undefined) {
    const problem = checkTemplate(c.message, format);
    if (problem) ctx.addIssue({ code: 'custom', path: ['message'], message: problem });
  }
  const { bot_token_file: file, ...rest } = c;
  const token = pickSecret(c.bot_token, file, 'bot_token', ctx, true);
  return { ...rest, bot_token: token as Secret };
});

export const slackConfigSchema = obj({
  /** Alertmanager's default for Slack: false. Edits of an existing message happen either way. */
  send_resolved: z.boolean().default(false),
  /** A bot token (xoxb-…): messages go through the Web API and can be edited in place. */
  bot_token: secret().optional(),
  bot_token_file: z.string().min(1).optional(),
  /**
   * With a bot token: the Web API root (default https://slack.com/api/, or Alertmanager's
   * `…/api/chat.postMessage`). Without one: the incoming-webhook URL.
   */
  api_url: secretUrl().optional(),
  api_url_file: z.string().min(1).optional(),
  /** Alertmanager's way to give a bot token: `authorization.credentials`. */
  http_config: httpConfig.optional(),
  /** Channel name or id; required with a bot token, the fallback when `namespace_channels` has no entry. */
  channel: z.string().min(1).optional(),
  /** Namespace → channel: each namespace's alerts land in its own channel (bot token only). */
  namespace_channels: z.record(z.string().min(1), z.string().min(1)).default({}),
  username: z.string().min(1).optional(),
  icon_emoji: z.string().min(1).optional(),
  icon_url: z.url().optional(),
  link_names: z.boolean().default(false),
  /** The header line (plain text template). */
  title: template('plain').optional(),
  /** Where the header links to (plain text template); defaults to none. */
  title_link: template('plain').optional(),
  /** The body (mrkdwn template). */
  text: template('slack').optional(),
  /** Edit the group's message in place (bot token only; Lookout's default). */
  update_message: z.boolean().optional(),
  timeout: duration().prefault(DEFAULT_TIMEOUT),
}).transform((c, ctx) => {
  const { bot_token_file, api_url_file, http_config, ...rest } = c;
  let token = pickSecret(c.bot_token, bot_token_file, 'bot_token', ctx, false);
  const apiUrl = pickSecret(c.api_url, api_url_file, 'api_url', ctx, false);
  const credentials = http_config?.authorization?.credentials;
  if (credentials) {
    if (token) {
      ctx.addIssue({
        code: 'custom',
        path: ['http_config'],
        message: 'set either bot_token or http_config.authorization, not both',
      });
    }
    token = credentials;
  }
  if (!token && !apiUrl) {
    ctx.addIssue({
      code: 'custom',
      path: ['bot_token'],
      message: 'is required (a bot token, or api_url with an incoming-webhook URL)',
    });
  }
  if (token && !c.channel) {
    ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required with a bot token' });
  }
  if (!token && Object.keys(c.namespace_channels).length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['namespace_channels'],
      message: 'needs a bot token: an incoming webhook always posts to its own channel',
    });
  }
  if (!token && c.update_message === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['update_message'],
      message: 'needs a bot token: incoming webhooks cannot edit messages',
    });
  }
  return {
    ...rest,
    bot_token: token,
    api_url: apiUrl,
    update_message: token ? (c.update_message ?? true) : false,
  };
});

export const webhookConfigSchema = obj({
  send_resolved: z.boolean().default(true),
  url: secretUrl().optional(),
  url_file: z.string().min(1).optional(),
  http_config: httpConfig.optional(),
  /** At most this many alerts per request (0: all); the rest are counted in `truncatedAlerts`. */
  max_alerts: z.number().int().min(0).default(0),
  timeout: duration().prefault(DEFAULT_TIMEOUT),
}).transform((c, ctx) => {
  const { url_file, ...rest } = c;
  const url = pickSecret(c.url, url_file, 'url', ctx, true);
  if (url && url_file && !URL.canParse(url.reveal())) {
    ctx.addIssue({ code: 'custom', path: ['url_file'], message: 'does not hold a valid URL' });
  }
  return { ...rest, url: url as Secret };
});

const streamSchema = obj({
  /** The stream Lookout creates when it does not exist (an existing stream is used as it is). */
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" and "-"'),
  /** Subjects it captures; default: the subject template with each placeholder token as `*`. */
  subjects: z.array(z.string().min(1)).optional(),
  /** How long JetStream remembers message ids to drop re-sends; longer than a restart takes. */
  duplicate_window: duration().prefault('10m'),
  /** How long messages are kept. */
  max_age: duration().prefault('7d'),
});

export const natsConfigSchema = obj({
  send_resolved: z.boolean().default(true),
  /** `nats://host:4222` (credentials in the URL are hidden in logs). */
  url: secretUrl(),
  /** Subject with `{label}` placeholders filled from the group's common labels. */
  subject: z
    .string()
    .min(1)
    .default('lookout.alerts.{cluster}.{namespace}')
    .superRefine((s, ctx) => {
      const problem = checkSubjectTemplate(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  stream: streamSchema.optional(),
  user: z.string().min(1).optional(),
  password: secret().optional(),
  password_file: z.string().min(1).optional(),
  token: secret().optional(),
  token_file: z.string().min(1).optional(),
  /** A NATS credentials file (JWT and NKey seed). */
  creds_file: z.string().min(1).optional(),
  timeout: duration().prefault(DEFAULT_TIMEOUT),
}).transform((c, ctx) => {
  const { password_file, token_file, creds_file, ...rest } = c;
  const password = pickSecret(c.password, password_file, 'password', ctx, false);
  const token = pickSecret(c.token, token_file, 'token', ctx, false);
  const creds = creds_file ? readSecretFile(creds_file, ctx, 'creds_file') : undefined;
  if (password && !c.user)
    ctx.addIssue({ code: 'custom', path: ['user'], message: 'is required with a password' });
  return { ...rest, password, token, creds };
});

/** Alertmanager integrations Lookout does not deliver to: named so the error can say so. */
const UNSUPPORTED = [
  'email_configs',
  'pagerduty_configs',
  'opsgenie_configs',
  'victorops_configs',
  'pushover_configs',
  'wechat_configs',
  'sns_configs',
  'discord_configs',
  'msteams_configs',
  'msteamsv2_configs',
  'webex_configs',
  'jira_configs',
  'rocketchat_configs',
  'mattermost_configs',
  'incidentio_configs',
] as const;

const unsupported = Object.fromEntries(
  UNSUPPORTED.map((key) => [
    key,
    z
      .unknown()
      .superRefine((v, ctx) => {
        if (v === undefined) return;
        ctx.addIssue({
          code: 'custom',
          message: `Lookout does not deliver to ${key.replace(/_configs$/, '')}; it delivers to telegram_configs, slack_configs, webhook_configs and nats_configs (a webhook can feed other systems)`,
        });
      })
      .optional(),
  ]),
) as unknown as Record<(typeof UNSUPPORTED)[number], z.ZodOptional<z.ZodUnknown>>;

export const receiverSchema = obj({
  name: z.string().min(1),
  telegram_configs: z.array(telegramConfigSchema).default([]),
  slack_configs: z.array(slackConfigSchema).default([]),
  webhook_configs: z.array(webhookConfigSchema).default([]),
  nats_configs: z.array(natsConfigSchema).default([]),
  /** A notification not delivered this long after it was queued becomes a dead letter (Lookout's key). */
  dead_letter_after: duration().prefault('24h'),
  ...unsupported,
});

export type ReceiverConfig = z.output<typeof receiverSchema>;
export type TelegramConfig = z.output<typeof telegramConfigSchema>;
export type SlackConfig = z.output<typeof slackConfigSchema>;
export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type NatsConfig = z.output<typeof natsConfigSchema>;
export type HttpClientConfig = NonNullable<WebhookConfig['http_config']>;
