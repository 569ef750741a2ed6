// The chat side of Lookout as main.ts composes it: the Telegram bot with guided app deployment
// plugged in, the chat users API for the web UI, and the webhook route when Telegram posts
// updates. Built only when `chat.telegram` is configured.
import type { Registry } from 'prom-client';
import type { AlertingView } from '../alerting/alerting.js';
import type { Charts } from '../charts/lazy-chart-renderer.js';
import type { KubeClient } from '../cluster/kube-client.js';
import type { Config } from '../config/index.js';
import type { TelegramBotConfig } from '../config/sections/chat.js';
import type { QuerySource } from '../domain/query.js';
import type { ClusterStateView } from '../history/cluster-state.js';
import { usersApi } from '../http/api/users-api.js';
import type { HttpMount } from '../http/app.js';
import { errorMessage } from '../lib/errors.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../telemetry/logger.js';
import { createDeployFeature, type DeployFeature } from './deploy/deploy-feature.js';
import { Refusal } from './refusal.js';
import { createTelegramBot, type TelegramBot } from './telegram-bot.js';

export interface ChatDeps {
  readonly config: Config;
  readonly telegram: TelegramBotConfig;
  readonly store: Store;
  readonly clusterNames: readonly string[];
  readonly state: (cluster: string) => ClusterStateView | undefined;
  readonly queries: QuerySource;
  readonly charts: Charts;
  readonly alerting: AlertingView;
  readonly clients: ReadonlyMap<string, KubeClient>;
  readonly log: Logger;
  readonly registry: Registry;
}

export interface Chat {
  readonly bot: TelegramBot;
  readonly deploy: DeployFeature;
  /** The chat users API and, in webhook mode, the route Telegram posts to. */
  readonly mounts: readonly HttpMount[];
  /** Paths the web UI's sign-in must let through (the webhook carries its own secret). */
  readonly openPaths: readonly string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createChat(deps: ChatDeps): Chat {
  const { telegram, log } = deps;
  const deploy = createDeployFeature({
    store: deps.store,
    kube: (cluster) => {
      const client = deps.clients.get(cluster);
      if (!client) throw new Refusal(`Lookout has no connection to cluster "${cluster}".`);
      return client;
    },
    clusters: deps.clusterNames,
    config: deps.config.chat.deploy,
    log,
    // The same identity the bot's other cluster actions use (chat.telegram.identities).
    ...(telegram.impersonate
      ? {
          impersonate: (user) => {
            const identity = telegram.identities[String(user.id)];
            if (!identity)
              throw new Refusal(
                'Your chat account is not mapped to a Kubernetes identity, so Lookout cannot deploy for you. Ask an admin to add you under chat.telegram.identities.',
              );
            return { user: identity.user, groups: identity.groups };
          },
        }
      : {}),
  });
  const bot = createTelegramBot({
    config: telegram,
    store: deps.store,
    clusters: deps.clusterNames,
    state: deps.state,
    queries: deps.queries,
    charts: deps.charts,
    alerting: deps.alerting,
    clients: deps.clients,
    log,
    registry: deps.registry,
    deploy: { composer: deploy.composer, commands: deploy.catalog },
  });
  const mounts: HttpMount[] = [usersApi({ store: deps.store, configAdmins: telegram.admins })];
  if (bot.mount) mounts.push(bot.mount);
  const openPaths = telegram.mode === 'webhook' ? [telegram.webhook?.path ?? '/telegram/webhook'] : [];
  return {
    bot,
    deploy,
    mounts,
    openPaths,
    async start() {
      await bot.start();
      const resumed = await deploy.resume(bot.bot.api).catch((error: unknown) => {
        log.error({ err: errorMessage(error) }, 'could not resume following unfinished deployments');
        return 0;
      });
      if (resumed > 0) log.info({ deployments: resumed }, 'following unfinished deployments again');
    },
    async stop() {
      await deploy.stop();
      await bot.stop();
    },
  };
}
