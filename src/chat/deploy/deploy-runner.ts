// Runs confirmed deploys and removals: records the app, creates its objects, follows the rollout in the
// background editing one progress message, answers with the URL or why not, and resumes after a restart.
import { GrammyError, type Api } from 'grammy';
import type { KubeClient } from '../../cluster/kube-client.js';
import { errorMessage } from '../../lib/errors.js';
import type { Store } from '../../store/index.js';
import {
  getDeployment,
  insertDeployment,
  listDeployments,
  updateDeployment,
  type AppDeployment,
  type AppExpose,
} from '../../store/repos/deployment-repo.js';
import type { Logger } from '../../telemetry/logger.js';
import type { AuditResult, ChatUser } from '../context.js';
import { AppDeployer, DeployError, type RolloutSnapshot } from './app-deployer.js';
import type { DeployConfig } from './config.js';
import { creatingText, failedText, progressText, readyText, type AppHeading } from './messages.js';
import { renderApp, type AppAnswers } from './render-app.js';
import { followRollout } from './rollout-follower.js';
import type { AppTemplate } from './template.js';

export type AuditFn = (
  action: string,
  args: Readonly<Record<string, unknown>>,
  result: AuditResult,
  detail?: string,
) => Promise<void>;

export interface DeployRunnerDeps {
  readonly store: Store;
  readonly config: DeployConfig;
  readonly log: Logger;
  readonly now: () => number;
  /** Title of a template by name (records keep only the name). */
  readonly templateTitle: (name: string) => string;
  /** The bot's own client for a cluster: follows rollouts picked up after a restart. */
  readonly client: (cluster: string) => KubeClient;
}

export interface DeployRequest {
  readonly api: Api;
  readonly chatId: number;
  /** The confirmed summary message: it becomes the progress message. */
  readonly messageId: number;
  readonly user: ChatUser;
  readonly client: KubeClient;
  readonly cluster: string;
  readonly template: AppTemplate;
  readonly answers: AppAnswers;
  readonly audit: AuditFn;
}

export type StartResult =
  { readonly ok: true; readonly app: AppDeployment } | { readonly ok: false; readonly message: string };

/** `http://host:port/path`, with IPv6 hosts in brackets. */
export function appUrl(expose: AppExpose, host: string, nodePort: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const path = expose.path === '/' ? '' : expose.path;
  return `${expose.scheme}://${h}:${nodePort}${path}`;
}

function headingOf(app: AppDeployment, title: string): AppHeading {
  return { app: app.name, templateTitle: title, namespace: app.namespace, cluster: app.cluster };
}

function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.description.includes('message is not modified');
}

export class DeployRunner {
  readonly #deps: DeployRunnerDeps;
  readonly #abort = new AbortController();
  readonly #tasks = new Set<Promise<void>>();
  readonly #follows = new Map<number, AbortController>();

  constructor(deps: DeployRunnerDeps) {
    this.#deps = deps;
  }

  /** Rollouts being followed now (app ids). */
  get following(): number[] {
    return [...this.#follows.keys()];
  }

  /**
   * Records the app and creates its objects, then follows the rollout in the background.
   * Answers once the objects exist (or could not be created; nothing is then left behind).
   */
  async start(req: DeployRequest): Promise<StartResult> {
    const { store, now, log } = this.#deps;
    const rendered = renderApp(req.template, req.answers);
    const expose: AppExpose = {
      service: rendered.expose.service,
      port: rendered.expose.port,
      scheme: req.template.expose.scheme,
      path: req.template.expose.path,
    };
    const app = await insertDeployment(
      store.db,
      {
        cluster: req.cluster,
        namespace: req.answers.namespace,
        name: req.answers.app,
        template: req.template.name,
        replicas: req.answers.replicas,
        ownerId: req.user.id,
        ownerName: req.user.name,
        chatId: req.chatId,
        objects: rendered.refs,
        expose,
      },
      now(),
    );
    if (!app) {
      return {
        ok: false,
        message: `An app named "${req.answers.app}" already exists in namespace ${req.answers.namespace}.`,
      };
    }
    await updateDeployment(store.db, app.id, { progressMessageId: req.messageId }, now());
    const heading = headingOf(app, req.template.title);
    await this.#edit(req.api, req.chatId, req.messageId, creatingText(heading, rendered.refs, req.user.name));
    const deployer = new AppDeployer(req.client, app.namespace);
    try {
      await deployer.create(rendered, this.#abort.signal);
    } catch (error) {
      const reason =
        error instanceof DeployError ? error.message : `creating the objects failed: ${errorMessage(error)}`;
      // Nothing was left in the cluster, so the name is free again.
      await updateDeployment(
        store.db,
        app.id,
        { status: 'failed', reason, finishedAt: now(), removedAt: now() },
        now(),
      );
      log.warn(
        { app: app.name, namespace: app.namespace, cluster: app.cluster, err: reason },
        'deploy failed',
      );
      return { ok: false, message: `Could not deploy ${app.name}: ${reason}` };
    }
    log.info(
      {
        app: app.name,
        namespace: app.namespace,
        cluster: app.cluster,
        template: app.template,
        user: req.user.id,
      },
      'app objects created; following the rollout',
    );
    const stored = (await getDeployment(store.db, app.id)) ?? app;
    this.#follow(stored, req.api, req.client, req.audit);
    return { ok: true, app: stored };
  }

  /** Follows every rollout a previous run left unfinished; answers how many. */
  async resume(api: Api): Promise<number> {
    const apps = await listDeployments(this.#deps.store.db, { statuses: ['deploying'] });
    let n = 0;
    for (const app of apps) {
      if (this.#follows.has(app.id)) continue;
      let client: KubeClient;
      try {
        client = this.#deps.client(app.cluster);
      } catch (error) {
        this.#deps.log.warn(
          { app: app.name, cluster: app.cluster, err: errorMessage(error) },
          'cannot resume rollout',
        );
        continue;
      }
      this.#follow(app, api, client, undefined);
      n++;
    }
    return n;
  }

  #follow(app: AppDeployment, api: Api, client: KubeClient, audit: AuditFn | undefined): void {
    const controller = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, controller.signal]);
    this.#follows.set(app.id, controller);
    const task = this.#run(app, api, client, audit, signal)
      .catch((error: unknown) => {
        this.#deps.log.error(
          { app: app.name, namespace: app.namespace, err: errorMessage(error) },
          'following a rollout failed',
        );
      })
      .finally(() => {
        this.#tasks.delete(task);
        if (this.#follows.get(app.id) === controller) this.#follows.delete(app.id);
      });
    this.#tasks.add(task);
  }

  async #run(
    app: AppDeployment,
    api: Api,
    client: KubeClient,
    audit: AuditFn | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const { config, store, now, log } = this.#deps;
    const heading = headingOf(app, this.#deps.templateTitle(app.template));
    const deployer = new AppDeployer(client, app.namespace);
    let messageId = app.progressMessageId;
    let shown = '';
    const show = async (text: string): Promise<void> => {
      if (text === shown) return;
      shown = text;
      if (messageId === undefined) {
        messageId = (await this.#send(api, app.chatId, text))?.message_id;
        if (messageId !== undefined)
          await updateDeployment(store.db, app.id, { progressMessageId: messageId }, now());
      } else {
        await this.#edit(api, app.chatId, messageId, text);
      }
    };
    const result = await followRollout({
      deployer,
      refs: app.objects,
      expose: app.expose,
      startedAt: app.createdAt,
      timeoutMs: config.rollout_timeout,
      stuckAfterMs: config.stuck_after,
      pollMs: config.poll_interval,
      now,
      signal,
      onProgress: (snapshot: RolloutSnapshot) => show(progressText(heading, app.objects, snapshot)),
    });
    if (result.outcome === 'stopped') return;
    const args = {
      app: app.name,
      template: app.template,
      namespace: app.namespace,
      cluster: app.cluster,
      replicas: app.replicas,
    };
    if (result.outcome === 'ready') {
      const url = appUrl(app.expose, config.node_address ?? result.nodeAddress, result.nodePort);
      await updateDeployment(
        store.db,
        app.id,
        { status: 'ready', url, reason: null, finishedAt: now() },
        now(),
      );
      log.info({ app: app.name, namespace: app.namespace, url }, 'app ready');
      await audit?.('deploy.rollout', args, 'ok', url);
      await show(progressText(heading, app.objects, result.snapshot, 'ready'));
      await this.#send(api, app.chatId, readyText(heading, url, app.replicas), messageId);
      return;
    }
    const podNames = result.snapshot?.workloads.flatMap((w) => w.podNames) ?? [];
    const events = await deployer.warnings(app.objects, podNames, 5, signal).catch(() => []);
    const url =
      result.snapshot?.nodePort !== undefined && (config.node_address ?? result.snapshot.nodeAddress)
        ? appUrl(app.expose, (config.node_address ?? result.snapshot.nodeAddress)!, result.snapshot.nodePort)
        : null;
    await updateDeployment(
      store.db,
      app.id,
      { status: 'failed', reason: result.reason, url, finishedAt: now() },
      now(),
    );
    log.warn({ app: app.name, namespace: app.namespace, reason: result.reason }, 'app rollout failed');
    await audit?.('deploy.rollout', args, 'error', result.reason);
    if (result.snapshot) await show(progressText(heading, app.objects, result.snapshot, 'failed'));
    await this.#send(api, app.chatId, failedText(heading, result.reason, events), messageId);
  }

  /**
   * Deletes an app's objects (stopping its rollout follow first) and marks it removed.
   * Answers what could not be deleted; the record stays live then, so it can be tried again.
   */
  async remove(app: AppDeployment, client: KubeClient): Promise<string[]> {
    this.#follows.get(app.id)?.abort();
    const problems = await new AppDeployer(client, app.namespace).remove(app.objects, this.#abort.signal);
    const now = this.#deps.now();
    if (problems.length === 0) {
      await updateDeployment(this.#deps.store.db, app.id, { status: 'removed', removedAt: now }, now);
    } else {
      await updateDeployment(
        this.#deps.store.db,
        app.id,
        { reason: `removal incomplete: ${problems.join('; ')}` },
        now,
      );
    }
    return problems;
  }

  /** Stops following rollouts (they are picked up again by {@link resume} on the next start). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#tasks]);
  }

  async #edit(api: Api, chatId: number, messageId: number, text: string): Promise<void> {
    try {
      await api.editMessageText(chatId, messageId, text, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: { inline_keyboard: [] },
      });
    } catch (error) {
      if (isNotModified(error)) return;
      this.#deps.log.warn(
        { chat: chatId, message: messageId, err: errorMessage(error) },
        'cannot edit a deploy message',
      );
    }
  }

  async #send(
    api: Api,
    chatId: number,
    text: string,
    replyTo?: number,
  ): Promise<{ message_id: number } | undefined> {
    try {
      return await api.sendMessage(chatId, text, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(replyTo !== undefined
          ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
          : {}),
      });
    } catch (error) {
      this.#deps.log.warn({ chat: chatId, err: errorMessage(error) }, 'cannot send a deploy message');
      return undefined;
    }
  }
}
