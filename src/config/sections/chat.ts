// `chat:` — the chat bot (Telegram): its token, who the first admins are, how it receives
// updates (long polling or a webhook), and whom each chat user acts as in the clusters.
import { z } from 'zod';
import type { Secret } from '../../lib/secret.js';
import { deploySchema } from '../../chat/deploy/config.js';
import { duration, obj, readSecretFile, secret } from '../schema-kit.js';

/** A Telegram user id: a positive integer (written as a number or as digits). */
const telegramUserId = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/, 'must be a Telegram user id (digits)')])
  .transform((v) => Number(v));

/** A Kubernetes identity a chat user acts as (API impersonation). */
const identitySchema = obj({
  /** The Kubernetes user name (`Impersonate-User`). */
  user: z.string().min(1),
  /** Kubernetes groups (`Impersonate-Group`, one header each). */
  groups: z.array(z.string().min(1)).default([]),
});

const webhookSchema = obj({
  /** Where Lookout's HTTP server takes Telegram's updates. */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be an absolute URL path such as /telegram/webhook')
    .default('/telegram/webhook'),
  /** Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; requests without it are refused. */
  secret_token: secret()
    .refine((s) => /^[A-Za-z0-9_-]{1,256}$/.test(s.reveal()), {
      message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
    })
    .optional(),
  secret_token_file: z.string().min(1).optional(),
  /** The public URL Telegram posts to; when set, Lookout registers it with setWebhook at start. */
  url: z.url().optional(),
});

const telegramSchema = obj({
  bot_token: secret().optional(),
  bot_token_file: z.string().min(1).optional(),
  /** The Bot API root; tests and self-hosted Bot API servers point this elsewhere. */
  api_url: z.url().default('https://api.telegram.org'),
  /** Telegram user ids that are admins whatever the database says. */
  admins: z.array(telegramUserId).default([]),
  /** `polling`: Lookout asks Telegram for updates. `webhook`: Telegram posts them to Lookout. */
  mode: z.enum(['polling', 'webhook'], { error: 'must be "polling" or "webhook"' }).default('polling'),
  webhook: webhookSchema.optional(),
  /**
   * Act in the clusters as each chat user's own Kubernetes identity (`identities`), so the
   * cluster's RBAC decides what they may read or change. Users without one cannot reach the cluster.
   */
  impersonate: z.boolean().default(false),
  /** Telegram user id → Kubernetes user and groups, for `impersonate`. */
  identities: z
    .record(z.string().regex(/^\d+$/, 'keys must be Telegram user ids'), identitySchema)
    .default({}),
  /** Longest one Bot API call may take (long polls add their own wait). */
  timeout: duration().prefault('30s'),
  /** How long a long poll waits for updates. */
  poll_timeout: duration().prefault('30s'),
  /** Updates handled at once, across chats; each chat's updates stay in order. */
  concurrency: z.number().int().min(1).max(100).default(8),
  /** How long a confirm button of a mutating action stays valid. */
  confirm_timeout: duration().prefault('5m'),
  /** Lines `/logs` shows at most. */
  log_lines: z.number().int().min(1).max(5000).default(200),
}).transform((c, ctx) => {
  const { bot_token_file: file, webhook, ...rest } = c;
  if (c.bot_token && file) {
    ctx.addIssue({
      code: 'custom',
      path: ['bot_token'],
      message: 'set either bot_token or bot_token_file, not both',
    });
  }
  const token = file ? readSecretFile(file, ctx, 'bot_token_file') : c.bot_token;
  if (!token && !file)
    ctx.addIssue({ code: 'custom', path: ['bot_token'], message: 'is required (or bot_token_file)' });
  let hook: { path: string; secret_token: Secret | undefined; url: string | undefined } | undefined;
  if (webhook) {
    if (webhook.secret_token && webhook.secret_token_file) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook', 'secret_token'],
        message: 'set either secret_token or secret_token_file, not both',
      });
    }
    const secretToken = webhook.secret_token_file
      ? readSecretFile(webhook.secret_token_file, ctx, 'secret_token_file')
      : webhook.secret_token;
    hook = { path: webhook.path, secret_token: secretToken, url: webhook.url };
  }
  if (c.mode === 'webhook' && !hook?.secret_token) {
    ctx.addIssue({
      code: 'custom',
      path: ['webhook', 'secret_token'],
      message: 'is required in webhook mode (so only Telegram can post updates)',
    });
  }
  if (c.impersonate && Object.keys(c.identities).length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['identities'],
      message: 'impersonate: true needs at least one identity (Telegram user id → Kubernetes user)',
    });
  }
  return { ...rest, bot_token: token as Secret, webhook: hook };
});

export const chatSchema = obj({
  telegram: telegramSchema.optional(),
  /** Deploying apps from chat (`/deploy`, `/apps`, `/undeploy`). */
  deploy: deploySchema.prefault({}),
});

export type ChatConfig = z.output<typeof chatSchema>;
export type TelegramBotConfig = NonNullable<ChatConfig['telegram']>;
