// /apps and /undeploy: what a person deployed from chat, with its live status and URL, and its
// removal after a confirm button (the owner or an admin, in a namespace they may use).
import { InlineKeyboard } from 'grammy';
import type { KubeClient } from '../../cluster/kube-client.js';
import type { Store } from '../../store/index.js';
import { getDeployment, listDeployments, type AppDeployment } from '../../store/repos/deployment-repo.js';
import type { BotContext, ChatUser } from '../context.js';
import { AppDeployer, describeApiError } from './app-deployer.js';
import { editOrSend, mayDeploy, refuse, replyHtml } from './chat-io.js';
import type { DeployRunner } from './deploy-runner.js';
import { appsText, escapeHtml } from './messages.js';
import type { TemplateCatalog } from './template-catalog.js';

/** /apps asks the cluster about this many apps at most; the rest show their stored status. */
const LIVE_STATUS_LIMIT = 20;
/** Buttons: `du:<app id>:ask|y|n`. */
export const UNDEPLOY_PRESS = /^du:(\d+):(ask|y|n)$/;

export interface AppCommandsDeps {
  readonly store: Store;
  readonly templates: TemplateCatalog;
  readonly clusters: readonly string[];
  readonly runner: DeployRunner;
  readonly client: (cluster: string, user: ChatUser) => KubeClient;
}

export class AppCommands {
  readonly #deps: AppCommandsDeps;

  constructor(deps: AppCommandsDeps) {
    this.#deps = deps;
  }

  async apps(ctx: BotContext): Promise<void> {
    const user = ctx.lookout.user;
    const all = typeof ctx.match === 'string' && ctx.match.trim() === 'all';
    if (!mayDeploy(user)) return refuse(ctx, 'apps', { all });
    const everyone = all && user.role === 'admin';
    const apps = await listDeployments(this.#deps.store.db, everyone ? {} : { ownerId: user.id });
    const live = new Map<number, string>();
    await Promise.all(
      apps
        .filter((app) => app.status !== 'failed' && this.#deps.clusters.includes(app.cluster))
        .slice(0, LIVE_STATUS_LIMIT)
        .map(async (app) => {
          try {
            const snapshot = await new AppDeployer(
              this.#deps.client(app.cluster, user),
              app.namespace,
            ).inspect(app.objects, app.expose, AbortSignal.timeout(5_000));
            live.set(app.id, snapshot.workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(', '));
          } catch {
            // The stored status stands in when the cluster does not answer quickly.
          }
        }),
    );
    const titles = new Map(this.#deps.templates.list().map((t) => [t.name, t.title]));
    await ctx.lookout.audit('apps', { all: everyone }, 'ok', `${apps.length} apps`);
    await replyHtml(ctx, appsText(apps, titles, live, everyone));
  }

  /** Finds the app `/undeploy ARG` means: the person's own by name, `NS/NAME`, or (admins) anyone's. */
  async #findApp(user: ChatUser, arg: string): Promise<AppDeployment[]> {
    const [ns, name] = arg.includes('/') ? (arg.split('/', 2) as [string, string]) : [undefined, arg];
    const matches = (apps: AppDeployment[]): AppDeployment[] =>
      apps.filter((a) => a.name === name && (ns === undefined || a.namespace === ns));
    const own = matches(await listDeployments(this.#deps.store.db, { ownerId: user.id, name }));
    if (own.length > 0 || user.role !== 'admin') return own;
    return matches(await listDeployments(this.#deps.store.db, { name }));
  }

  #undeployKeyboard(app: AppDeployment): InlineKeyboard {
    return new InlineKeyboard().text('🗑 Remove', `du:${app.id}:y`).text('Keep', `du:${app.id}:n`);
  }

  #undeployQuestion(app: AppDeployment): string {
    return [
      `<b>Remove ${escapeHtml(app.name)}?</b>`,
      `Namespace ${escapeHtml(app.namespace)} on ${escapeHtml(app.cluster)}; deployed by ${escapeHtml(app.ownerName)}.`,
      `Deletes ${app.objects.length} objects: ${escapeHtml(app.objects.map((o) => `${o.kind} ${o.name}`).join(', '))}.`,
      'Its data (the database volume) is deleted too.',
    ].join('\n');
  }

  async undeploy(ctx: BotContext): Promise<void> {
    const user = ctx.lookout.user;
    const arg = typeof ctx.match === 'string' ? ctx.match.trim() : '';
    if (!mayDeploy(user)) return refuse(ctx, 'undeploy', { app: arg });
    if (arg === '') {
      const apps = await listDeployments(this.#deps.store.db, { ownerId: user.id });
      if (apps.length === 0) {
        await ctx.reply('You have no apps to remove.');
        return;
      }
      const keyboard = new InlineKeyboard();
      apps.slice(0, 20).forEach((a) => keyboard.text(`${a.name} (${a.namespace})`, `du:${a.id}:ask`).row());
      await replyHtml(ctx, '<b>Which app should be removed?</b>', keyboard);
      return;
    }
    const found = await this.#findApp(user, arg);
    if (found.length === 0) {
      await ctx.lookout.audit('undeploy', { app: arg }, 'error', 'not found');
      await ctx.reply(`You have no app named "${arg}". /apps lists yours.`);
      return;
    }
    if (found.length > 1) {
      await ctx.reply(
        `Several apps are named "${arg}": ${found.map((a) => `${a.namespace}/${a.name}`).join(', ')}. Send /undeploy NAMESPACE/NAME.`,
      );
      return;
    }
    const app = found[0]!;
    if (!ctx.lookout.canAccess(app.namespace)) {
      await ctx.lookout.audit(
        'undeploy',
        { app: arg, namespace: app.namespace },
        'denied',
        'namespace not granted',
      );
      await ctx.reply(`You may not change namespace ${app.namespace}.`);
      return;
    }
    await ctx.lookout.audit(
      'undeploy',
      { app: app.name, namespace: app.namespace },
      'ok',
      'asked to confirm',
    );
    await replyHtml(ctx, this.#undeployQuestion(app), this.#undeployKeyboard(app));
  }

  async undeployPress(ctx: BotContext): Promise<void> {
    const match = UNDEPLOY_PRESS.exec(ctx.callbackQuery?.data ?? '');
    if (!match) return;
    const id = Number(match[1]);
    const action = match[2] as 'ask' | 'y' | 'n';
    const user = ctx.lookout.user;
    if (!mayDeploy(user)) return refuse(ctx, 'undeploy.confirm', { id });
    const app = await getDeployment(this.#deps.store.db, id);
    const args = { app: app?.name, namespace: app?.namespace, cluster: app?.cluster };
    if (!app || app.status === 'removed') {
      await ctx.answerCallbackQuery({ text: 'That app is already removed.' });
      await editOrSend(
        ctx,
        ctx.callbackQuery?.message?.message_id,
        `${escapeHtml(app?.name ?? 'The app')} is already removed.`,
      );
      return;
    }
    if ((app.ownerId !== user.id && user.role !== 'admin') || !ctx.lookout.canAccess(app.namespace)) {
      await ctx.lookout.audit('undeploy.confirm', args, 'denied', 'not the owner');
      await ctx.answerCallbackQuery({
        text: `Only ${app.ownerName} or an admin may remove ${app.name}.`,
        show_alert: true,
      });
      return;
    }
    const messageId = ctx.callbackQuery?.message?.message_id;
    if (action === 'ask') {
      await ctx.answerCallbackQuery();
      await editOrSend(ctx, messageId, this.#undeployQuestion(app), this.#undeployKeyboard(app));
      return;
    }
    if (action === 'n') {
      await ctx.answerCallbackQuery({ text: 'Kept' });
      await ctx.lookout.audit('undeploy.confirm', args, 'ok', 'kept');
      await editOrSend(ctx, messageId, `Kept ${escapeHtml(app.name)}.`);
      return;
    }
    await ctx.answerCallbackQuery({ text: 'Removing…' });
    let problems: string[];
    try {
      problems = await this.#deps.runner.remove(app, this.#deps.client(app.cluster, user));
    } catch (error) {
      problems = [describeApiError(error, `removing ${app.name}`)];
    }
    if (problems.length > 0) {
      await ctx.lookout.audit('undeploy.confirm', args, 'error', problems.join('; '));
      await editOrSend(
        ctx,
        messageId,
        `⚠️ ${escapeHtml(app.name)} was not fully removed:\n${problems.map((p) => `• ${escapeHtml(p)}`).join('\n')}\nTry /undeploy ${escapeHtml(app.name)} again.`,
      );
      return;
    }
    await ctx.lookout.audit('undeploy.confirm', args, 'ok', `${app.objects.length} objects deleted`);
    await editOrSend(
      ctx,
      messageId,
      `🗑 Removed <b>${escapeHtml(app.name)}</b> from ${escapeHtml(app.namespace)} (${app.objects.length} objects) — by ${escapeHtml(user.name)}.`,
    );
  }
}
