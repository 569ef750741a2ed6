// Deploying apps from chat as a grammY Composer the bot plugs in: /deploy (also /cw → /app → /ns → /rs,
// /cancel or /clear), /apps and /undeploy, every mutating step behind the role and a confirm button.
import { Composer, type Api, type NextFunction } from 'grammy';
import type { Impersonation, KubeClient } from '../../cluster/kube-client.js';
import { ConfigError, LookoutError } from '../../lib/errors.js';
import type { Store } from '../../store/index.js';
import type { Logger } from '../../telemetry/logger.js';
import type { CommandInfo } from '../command-catalog.js';
import type { BotContext, ChatUser, Role } from '../context.js';
import { AppCommands, UNDEPLOY_PRESS } from './app-commands.js';
import { guarded } from './chat-io.js';
import type { DeployConfig } from './config.js';
import { DEPLOY_PRESS, DeployConversation } from './deploy-conversation.js';
import { DeployRunner } from './deploy-runner.js';
import { TemplateCatalog } from './template-catalog.js';

export interface DeployFeatureDeps {
  readonly store: Store;
  /** The bot's client for a watched cluster (its own identity). */
  readonly kube: (cluster: string) => KubeClient;
  /** Names of the watched clusters. */
  readonly clusters: readonly string[];
  readonly config: DeployConfig;
  readonly log: Logger;
  /**
   * When `chat.telegram.impersonate` is on: the Kubernetes user and groups a chat user acts as,
   * so the cluster's RBAC decides too. Answering undefined means the bot's own identity; throwing
   * a `Refusal` (no identity mapped) stops the action with its message.
   */
  readonly impersonate?: (user: ChatUser) => Impersonation | undefined;
  /** Default: the shipped templates plus `config.templates_dir`. */
  readonly templates?: TemplateCatalog;
  readonly now?: () => number;
}

export interface DeployCommand {
  readonly command: string;
  readonly description: string;
  readonly minRole: Role;
}

export interface DeployFeature {
  readonly composer: Composer<BotContext>;
  /** For the bot's command menu and /commands. Seed aliases (/cw, /app, /ns, /rs, /clear) work too. */
  readonly commands: DeployCommand[];
  /** The same commands as entries of the bot's command catalog (with aliases and arguments). */
  readonly catalog: CommandInfo[];
  readonly templates: TemplateCatalog;
  /** Follows rollouts an earlier run left unfinished; call once the bot can send messages. */
  resume(api: Api): Promise<number>;
  /** Stops following rollouts (the deploys themselves carry on in the cluster). */
  stop(): Promise<void>;
}

export function createDeployFeature(deps: DeployFeatureDeps): DeployFeature {
  const templates =
    deps.templates ??
    TemplateCatalog.load({ builtin: deps.config.builtin_templates, dir: deps.config.templates_dir });
  const composer = new Composer<BotContext>();
  if (!deps.config.enabled) {
    return {
      composer,
      commands: [],
      catalog: [],
      templates,
      resume: () => Promise.resolve(0),
      stop: () => Promise.resolve(),
    };
  }
  const log = deps.log.child({ component: 'chat-deploy' });
  const now = deps.now ?? Date.now;
  const configured = deps.config.cluster;
  if (configured !== undefined && !deps.clusters.includes(configured)) {
    throw new ConfigError([
      {
        path: 'chat.deploy.cluster',
        message: `"${configured}" is not one of the clusters (${deps.clusters.join(', ') || 'none configured'})`,
      },
    ]);
  }
  const client = (cluster: string, user: ChatUser): KubeClient => {
    if (!deps.clusters.includes(cluster))
      throw new LookoutError(`cluster "${cluster}" is not watched by Lookout`);
    const base = deps.kube(cluster);
    const identity = deps.impersonate?.(user);
    return identity ? base.withImpersonation(identity) : base;
  };
  const runner = new DeployRunner({
    store: deps.store,
    config: deps.config,
    log,
    now,
    templateTitle: (name) => templates.get(name)?.title ?? name,
    client: (cluster) => deps.kube(cluster),
  });
  const chat = new DeployConversation({
    store: deps.store,
    config: deps.config,
    templates,
    clusters: deps.clusters,
    defaultCluster: configured ?? (deps.clusters.length === 1 ? deps.clusters[0] : undefined),
    runner,
    client,
    log,
    now,
  });
  const apps = new AppCommands({ store: deps.store, templates, clusters: deps.clusters, runner, client });
  const g = (
    action: string,
    h: (ctx: BotContext, next: NextFunction) => Promise<void>,
  ): ReturnType<typeof guarded> => guarded(log, action, h);

  composer.command(
    'deploy',
    g('deploy', (ctx) => chat.start(ctx)),
  );
  composer.command(
    'cw',
    g('deploy', (ctx) => chat.start(ctx, templates.get('wordpress') ? 'wordpress' : '')),
  );
  composer.command(
    'app',
    g('deploy.app', (ctx) => chat.setField(ctx, 'app')),
  );
  composer.command(
    'ns',
    g('deploy.namespace', (ctx) => chat.setField(ctx, 'namespace')),
  );
  composer.command(
    'rs',
    g('deploy.replicas', (ctx) => chat.setField(ctx, 'replicas')),
  );
  composer.command(
    ['cancel', 'clear'],
    g('deploy.cancel', (ctx) => chat.cancel(ctx)),
  );
  composer.command(
    'apps',
    g('apps', (ctx) => apps.apps(ctx)),
  );
  composer.command(
    'undeploy',
    g('undeploy', (ctx) => apps.undeploy(ctx)),
  );
  composer.callbackQuery(
    DEPLOY_PRESS,
    g('deploy.press', (ctx) => chat.press(ctx)),
  );
  composer.callbackQuery(
    UNDEPLOY_PRESS,
    g('undeploy.confirm', (ctx) => apps.undeployPress(ctx)),
  );
  composer.on(
    'message:text',
    g('deploy.answer', (ctx, next) => chat.text(ctx, next)),
  );

  return {
    composer,
    commands: [
      {
        command: 'deploy',
        description: 'Deploy an app (WordPress, …) step by step; /cw for WordPress',
        minRole: 'member',
      },
      {
        command: 'apps',
        description: 'List the apps you deployed, with their status and URL',
        minRole: 'member',
      },
      { command: 'undeploy', description: 'Remove an app you deployed: /undeploy NAME', minRole: 'member' },
      { command: 'cancel', description: 'Stop the deploy conversation (also /clear)', minRole: 'member' },
    ],
    catalog: [
      {
        name: 'deploy',
        aliases: ['cw'],
        args: '[TEMPLATE]',
        summary: 'deploy an app (WordPress, …) step by step; /cw starts WordPress (confirm button)',
        audience: 'member',
        mutating: true,
      },
      {
        name: 'app',
        args: 'NAME',
        summary: 'answer the deploy conversation: the app name',
        audience: 'member',
      },
      {
        name: 'ns',
        args: 'NAMESPACE',
        summary: 'answer the deploy conversation: the namespace',
        audience: 'member',
      },
      {
        name: 'rs',
        args: 'REPLICAS',
        summary: 'answer the deploy conversation: the replicas',
        audience: 'member',
      },
      { name: 'cancel', aliases: ['clear'], summary: 'stop the deploy conversation', audience: 'member' },
      {
        name: 'apps',
        args: '[all]',
        summary: 'the apps you deployed, with status and URL',
        audience: 'member',
      },
      {
        name: 'undeploy',
        args: 'APP',
        summary: 'remove an app you deployed (confirm button)',
        audience: 'member',
        mutating: true,
      },
    ],
    templates,
    resume: (api) => runner.resume(api),
    stop: () => runner.stop(),
  };
}
