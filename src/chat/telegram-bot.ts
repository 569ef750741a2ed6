// Lookout's Telegram bot as one part of Lookout: grammY over the Bot API (flood limits honoured
// by auto-retry), users and permissions, questions, alert buttons, safe actions, subscriptions,
// long polling or a webhook, and a stop path. main.ts builds it with createTelegramBot.
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, type Composer } from 'grammy';
import type { Update } from 'grammy/types';
import type { Hono } from 'hono';
import { Counter, type Registry } from 'prom-client';
import type { AlertingView } from '../alerting/alerting.js';
import type { ImplicitReceiver } from '../alerting/setup.js';
import type { Charts } from '../charts/lazy-chart-renderer.js';
import type { KubeClient } from '../cluster/kube-client.js';
import type { TelegramBotConfig } from '../config/sections/chat.js';
import type { QuerySource } from '../domain/query.js';
import type { ClusterStateView } from '../history/cluster-state.js';
import type { HttpMount } from '../http/app.js';
import { safeEqual } from '../http/auth/token-crypto.js';
import { backoffDelay, sleep } from '../lib/backoff.js';
import { errorMessage } from '../lib/errors.js';
import type { ConfiguredNotifier } from '../notify/create-notifier.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../telemetry/logger.js';
import { kubeFor, type BotServices } from './bot-services.js';
import { COMMANDS, type CommandInfo } from './command-catalog.js';
import { Confirmations } from './confirmations.js';
import type { BotContext } from './context.js';
import { accountFeature, fallbackFeature } from './features/account.js';
import { actionsFeature } from './features/actions.js';
import { adminFeature } from './features/admin.js';
import { chartsFeature } from './features/charts.js';
import { podsFeature } from './features/pods.js';
import { questionsFeature } from './features/questions.js';
import { subscriptionsFeature } from './features/subscriptions.js';
import { lookoutContext } from './lookout-context.js';
import { Pager } from './pager.js';
import { SUBSCRIPTION_RECEIVER, SUBSCRIPTION_ROUTE, SubscriptionNotifier } from './subscription-notifier.js';
import { KeyedRunner, UpdatePoller, updateKey, type PollerStop } from './update-poller.js';
import { UserDirectory } from './user-directory.js';

/** A chat feature built elsewhere (guided deployment), plugged in with its command list. */
export interface BotPlugin {
  readonly composer: Composer<BotContext>;
  readonly commands: readonly CommandInfo[];
}

export interface TelegramBotOptions {
  /** `chat.telegram` from the config. */
  readonly config: TelegramBotConfig;
  readonly store: Store;
  /** Watched cluster names, in config order. */
  readonly clusters: readonly string[];
  readonly state: (cluster: string) => ClusterStateView | undefined;
  readonly queries: QuerySource;
  readonly charts: Charts;
  readonly alerting: AlertingView;
  /** The watchers' API clients by cluster: logs, describe and actions go through them. */
  readonly clients: ReadonlyMap<string, KubeClient>;
  readonly log: Logger;
  readonly registry?: Registry;
  readonly deploy?: BotPlugin;
  readonly now?: () => number;
}

export type BotState = 'idle' | 'starting' | 'polling' | 'webhook' | PollerStop;

export interface TelegramBot {
  readonly bot: Bot<BotContext>;
  /** What the alerting engine needs for chat subscriptions (`createAlerting({ implicitReceivers })`). */
  readonly implicitReceiver: ImplicitReceiver;
  /** The delivery worker of that receiver (add to delivery's notifiers). */
  readonly subscriptionWorker: ConfiguredNotifier;
  /** Webhook mode: the route Telegram posts updates to. Undefined in polling mode. */
  readonly mount: HttpMount | undefined;
  readonly state: BotState;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Handles one update now (webhook requests and tests). */
  handleUpdate(update: Update): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const { config, store } = options;
  const log = options.log.child({ component: 'telegram-bot' });
  const now = options.now ?? Date.now;
  const bot = new Bot<BotContext>(config.bot_token.reveal(), {
    client: {
      apiRoot: config.api_url.replace(/\/+$/, ''),
      timeoutSeconds: Math.max(1, Math.ceil((config.timeout + config.poll_timeout) / 1000)),
    },
  });
  // Flood limits: wait out 429 retry_after (a minute at most) and retry 5xx a few times; network
  // errors are not retried here, so a handler never hangs on an outage (the poller backs off).
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));

  const users = new UserDirectory(store.db, config.admins);
  const services: BotServices = {
    config,
    store,
    clusters: options.clusters,
    state: options.state,
    queries: options.queries,
    charts: options.charts,
    alerting: options.alerting,
    users,
    pager: new Pager({ now }),
    confirmations: new Confirmations({ ttlMs: config.confirm_timeout, now }),
    log,
    now,
    kube: (cluster, user) => kubeFor({ clients: options.clients, config }, cluster, user),
  };
  const updates = options.registry
    ? new Counter({
        name: 'lookout_chat_updates_total',
        help: 'Telegram updates the bot handled, by outcome (ok, failed).',
        labelNames: ['outcome'],
        registers: [options.registry],
      })
    : undefined;

  const extra = (): readonly CommandInfo[] => options.deploy?.commands ?? [];
  bot.use(lookoutContext(services));
  bot.callbackQuery(/^pg:([0-9a-f]{12}):(\d+)$/, async (ctx) => {
    const [, id, n] = ctx.match;
    const page = services.pager.page(id!, Number(n));
    if (!page) {
      await ctx.answerCallbackQuery({ text: 'This answer expired; ask again.', show_alert: true });
      return;
    }
    await ctx
      .editMessageText(page.text, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: page.keyboard,
      })
      .catch((error: unknown) => {
        if (!(error instanceof GrammyError && /not modified/i.test(error.description))) throw error;
      });
    await ctx.answerCallbackQuery();
  });
  bot.use(accountFeature(services, extra));
  bot.use(adminFeature(services));
  bot.use(questionsFeature(services));
  bot.use(chartsFeature(services));
  bot.use(podsFeature(services));
  bot.use(actionsFeature(services));
  bot.use(subscriptionsFeature(services));
  if (options.deploy) bot.use(options.deploy.composer);
  bot.use(fallbackFeature(services));
  bot.catch(async (err) => {
    updates?.inc({ outcome: 'failed' });
    log.error({ err: errorMessage(err.error), update: err.ctx.update.update_id }, 'chat handler failed');
    try {
      if (err.ctx.callbackQuery)
        await err.ctx.answerCallbackQuery({ text: 'Sorry, something went wrong. Lookout logged it.' });
      else if (err.ctx.chat)
        await err.ctx.reply(
          '⚠️ Sorry, something went wrong on my side. Lookout logged it; please try again.',
        );
    } catch {
      // Telegram itself may be what failed.
    }
  });

  const runner = new KeyedRunner(config.concurrency);
  const handle = async (update: Update): Promise<void> => {
    await bot.handleUpdate(update);
    updates?.inc({ outcome: 'ok' });
  };
  const poller = new UpdatePoller({
    api: bot.api,
    log,
    runner,
    handle,
    pollTimeoutSeconds: Math.max(0, Math.round(config.poll_timeout / 1000)),
    allowedUpdates: ALLOWED_UPDATES,
  });

  let state: BotState = 'idle';
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  /** getMe until it works (Telegram may be unreachable at start); false when the token is wrong or we stop. */
  const init = async (signal: AbortSignal): Promise<boolean> => {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await bot.init();
        return true;
      } catch (error) {
        if (error instanceof GrammyError && error.error_code === 401) {
          log.error(
            'Telegram answered 401 Unauthorized: chat.telegram.bot_token is wrong or revoked. The bot does not start.',
          );
          state = 'unauthorized';
          return false;
        }
        const delay = backoffDelay({ initialMs: 1000, maxMs: 60_000 }, attempt);
        log.warn({ err: errorMessage(error), retryInMs: delay }, 'cannot reach Telegram; trying again');
        await sleep(delay, signal);
      }
    }
    return false;
  };

  const publishCommands = async (): Promise<void> => {
    const list = [...COMMANDS, ...extra()]
      .filter((c) => c.audience !== 'admin')
      .map((c) => ({ command: c.name, description: c.summary.slice(0, 256) }));
    await bot.api
      .setMyCommands(list)
      .catch((error: unknown) =>
        log.warn({ err: errorMessage(error) }, 'could not publish the command menu'),
      );
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    if (!(await init(signal))) return;
    log.info(
      { bot: bot.botInfo.username, mode: config.mode },
      `Telegram bot @${bot.botInfo.username} is running`,
    );
    await publishCommands();
    if (config.mode === 'webhook') {
      if (config.webhook?.url) {
        await bot.api
          .setWebhook(config.webhook.url, {
            secret_token: config.webhook.secret_token?.reveal(),
            allowed_updates: [...ALLOWED_UPDATES],
          })
          .catch((error: unknown) =>
            log.error({ err: errorMessage(error) }, 'could not register the webhook with Telegram'),
          );
      }
      state = 'webhook';
      return;
    }
    // Polling and a webhook exclude each other; polling mode means Lookout takes the updates.
    await bot.api
      .deleteWebhook()
      .catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'could not remove a webhook'));
    state = 'polling';
    state = await poller.run(signal);
  };

  const mount: HttpMount | undefined =
    config.mode === 'webhook'
      ? (app: Hono) => {
          const path = config.webhook?.path ?? '/telegram/webhook';
          const secret = config.webhook?.secret_token;
          app.post(path, async (c) => {
            const given = c.req.header('X-Telegram-Bot-Api-Secret-Token');
            // Constant time: the comparison must not tell a caller how much of a guess was right.
            if (!secret || given === undefined || !safeEqual(given, secret.reveal()))
              return c.json(
                { error: { code: 'unauthorized', message: 'missing or wrong secret token' } },
                401,
              );
            let update: Update;
            try {
              update = await c.req.json<Update>();
            } catch {
              return c.json(
                { error: { code: 'bad_request', message: 'the body is not a Telegram update (JSON)' } },
                400,
              );
            }
            if (typeof update !== 'object' || update === null || typeof update.update_id !== 'number')
              return c.json(
                {
                  error: { code: 'bad_request', message: 'the body is not a Telegram update (no update_id)' },
                },
                400,
              );
            if (state !== 'webhook')
              return c.json({ error: { code: 'unavailable', message: 'the bot is not running' } }, 503);
            // Answer Telegram at once; a slow command must not make it retry the update.
            runner.run(updateKey(update), () => handle(update));
            return c.json({ ok: true });
          });
        }
      : undefined;

  const subscriptionNotifier = new SubscriptionNotifier({ db: store.db, config, users, log });
  return {
    bot,
    implicitReceiver: SUBSCRIPTION_ROUTE,
    subscriptionWorker: {
      key: { receiver: SUBSCRIPTION_RECEIVER, integration: 'telegram', integrationIndex: 0 },
      notifier: subscriptionNotifier,
      deadLetterAfterMs: 24 * 3600_000,
    },
    mount,
    get state() {
      return state;
    },
    start() {
      if (abort) return Promise.resolve();
      abort = new AbortController();
      state = 'starting';
      const signal = abort.signal;
      loop = run(signal).catch((error: unknown) => {
        log.error({ err: errorMessage(error) }, 'the Telegram bot stopped on an unexpected error');
      });
      return Promise.resolve();
    },
    async stop() {
      if (!abort) return;
      abort.abort();
      await loop;
      // Give handlers in progress a moment to answer; their updates are confirmed afterwards.
      await Promise.race([runner.idle(), sleep(10_000)]);
      if (config.mode === 'polling') await poller.confirm();
      if (state === 'polling' || state === 'webhook' || state === 'starting') state = 'stopped';
      abort = undefined;
    },
    handleUpdate: handle,
  };
}
