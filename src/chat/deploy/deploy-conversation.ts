// The guided /deploy conversation: template → app name → (cluster) → namespace → replicas → confirm,
// answered by buttons, text or /app, /ns, /rs; each answer checked as it comes and kept in the database.
import { randomBytes } from 'node:crypto';
import { InlineKeyboard, type NextFunction } from 'grammy';
import type { KubeClient } from '../../cluster/kube-client.js';
import { errorMessage } from '../../lib/errors.js';
import type { Store } from '../../store/index.js';
import {
  deleteConversation,
  deleteConversationsBefore,
  findLiveDeployment,
  getConversation,
  listDeployments,
  saveConversation,
} from '../../store/repos/deployment-repo.js';
import type { Logger } from '../../telemetry/logger.js';
import type { BotContext, ChatUser } from '../context.js';
import { AppDeployer } from './app-deployer.js';
import { APP_NAME_MAX, appNameProblem, isDnsLabel } from './app-name.js';
import { editOrSend, mayDeploy, refuse, replyHtml, stripButtons } from './chat-io.js';
import type { DeployConfig } from './config.js';
import {
  answersFrom,
  nextStep,
  parseReplicas,
  stepNumber,
  without,
  type DeployAnswers,
  type Step,
} from './conversation.js';
import type { AuditFn, DeployRunner } from './deploy-runner.js';
import { answeredLines, escapeHtml, summaryText } from './messages.js';
import { renderApp } from './render-app.js';
import type { TemplateCatalog } from './template-catalog.js';
import type { AppTemplate } from './template.js';

interface Conversation {
  readonly session: string;
  readonly answers: DeployAnswers;
  readonly messageId: number | undefined;
}

export type Field = 'template' | 'app' | 'cluster' | 'namespace' | 'replicas';

/** Namespaces of the cluster itself, never offered as buttons (an admin can still type them). */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
const MAX_NAMESPACE_BUTTONS = 24;
/** Buttons: `dp:<session>:<t|c|n|r>:<index or number>`, `dp:<session>:go`, `dp:<session>:x`. */
export const DEPLOY_PRESS = /^dp:([a-z0-9]+):(t|c|n|r|go|x)(?::(\d+))?$/;

const NO_CONVERSATION = 'No deploy is in progress. Start one with /deploy (or /cw for WordPress).';

function newSession(): string {
  return randomBytes(5).toString('hex');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface DeployConversationDeps {
  readonly store: Store;
  readonly config: DeployConfig;
  readonly templates: TemplateCatalog;
  readonly clusters: readonly string[];
  /** The cluster deploys go to without asking (the configured one, or the only one). */
  readonly defaultCluster: string | undefined;
  readonly runner: DeployRunner;
  /** A client for a cluster acting for this person (impersonating when configured). */
  readonly client: (cluster: string, user: ChatUser) => KubeClient;
  readonly log: Logger;
  readonly now: () => number;
}

export class DeployConversation {
  readonly #deps: DeployConversationDeps;
  readonly #config: DeployConfig;
  readonly #templates: TemplateCatalog;
  readonly #now: () => number;
  readonly #askCluster: boolean;
  readonly #defaultCluster: string | undefined;

  constructor(deps: DeployConversationDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#templates = deps.templates;
    this.#now = deps.now;
    this.#defaultCluster = deps.defaultCluster;
    this.#askCluster = deps.defaultCluster === undefined && deps.clusters.length > 1;
  }

  #audit(ctx: BotContext): AuditFn {
    return (action, args, result, detail) => ctx.lookout.audit(action, args, result, detail);
  }

  // -------------------------------------------------------------------------------------------
  // Stored state

  async #load(ctx: BotContext): Promise<Conversation | 'expired' | undefined> {
    const chatId = ctx.chat?.id;
    const userId = ctx.from?.id;
    if (chatId === undefined || userId === undefined) return undefined;
    const row = await getConversation(this.#deps.store.db, chatId, userId);
    if (!row) return undefined;
    if (row.updatedAt < this.#now() - this.#config.conversation_timeout) {
      await deleteConversation(this.#deps.store.db, chatId, userId);
      return 'expired';
    }
    let answers = answersFrom(row.state);
    // A template removed since (a changed templates_dir) is asked for again.
    if (answers.template !== undefined && !this.#templates.get(answers.template))
      answers = without(answers, 'template');
    return { session: row.session, answers, messageId: row.messageId };
  }

  async #save(ctx: BotContext, conv: Conversation): Promise<void> {
    await saveConversation(this.#deps.store.db, {
      chatId: ctx.chat!.id,
      userId: ctx.from!.id,
      session: conv.session,
      state: conv.answers,
      messageId: conv.messageId,
      updatedAt: this.#now(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Questions

  #template(answers: DeployAnswers): AppTemplate | undefined {
    return answers.template === undefined ? undefined : this.#templates.get(answers.template);
  }

  async #ask(ctx: BotContext, conv: Conversation, notice?: string): Promise<void> {
    let answers = conv.answers;
    const step = nextStep(answers, this.#askCluster);
    const template = this.#template(answers);
    const { n, of } = stepNumber(step, this.#askCluster);
    const head = [
      ...(notice ? [`⚠️ ${escapeHtml(notice)}`, ''] : []),
      step === 'confirm'
        ? '🚀 <b>Deploy an app</b> — confirm'
        : `🚀 <b>Deploy an app</b> — step ${n} of ${of}`,
    ];
    const cancel = (kb: InlineKeyboard): InlineKeyboard => kb.text('✖️ Cancel', `dp:${conv.session}:x`);
    let body: string[];
    let keyboard: InlineKeyboard;
    let offered: string[] | undefined;

    switch (step) {
      case 'template': {
        const list = this.#templates.list();
        offered = list.map((t) => t.name);
        keyboard = new InlineKeyboard();
        list.forEach((t, i) => keyboard.text(t.title, `dp:${conv.session}:t:${i}`).row());
        cancel(keyboard);
        body = [
          '<b>Which app?</b> Pick a template:',
          ...list.map(
            (t) => `• <b>${escapeHtml(t.title)}</b>${t.description ? ` — ${escapeHtml(t.description)}` : ''}`,
          ),
        ];
        break;
      }
      case 'app':
        keyboard = cancel(new InlineKeyboard());
        body = [
          '<b>What should the app be called?</b>',
          `Send a name: lower-case letters, digits and "-", starting with a letter, at most ${APP_NAME_MAX} characters (like <code>my-blog</code>). /app NAME works too.`,
        ];
        break;
      case 'cluster':
        offered = [...this.#deps.clusters];
        keyboard = new InlineKeyboard();
        offered.forEach((c, i) => keyboard.text(c, `dp:${conv.session}:c:${i}`).row());
        cancel(keyboard);
        body = ['<b>Which cluster?</b>'];
        break;
      case 'namespace': {
        const cluster = answers.cluster ?? this.#defaultCluster!;
        const { names, note } = await this.#namespaceChoices(ctx, cluster);
        offered = names;
        keyboard = new InlineKeyboard();
        names.forEach((ns, i) => {
          keyboard.text(ns, `dp:${conv.session}:n:${i}`);
          if (i % 3 === 2) keyboard.row();
        });
        if (names.length % 3 !== 0) keyboard.row();
        cancel(keyboard);
        body = [
          '<b>Which namespace?</b>',
          names.length > 0
            ? 'Pick one of yours, or send its name (/ns NAME works too).'
            : 'You have no namespace to deploy to here; ask an admin to grant you one, or send a name you were granted.',
          ...(note ? [escapeHtml(note)] : []),
        ];
        break;
      }
      case 'replicas': {
        keyboard = new InlineKeyboard();
        for (let r = 1; r <= this.#config.max_replicas; r++)
          keyboard.text(String(r), `dp:${conv.session}:r:${r}`);
        keyboard.row();
        cancel(keyboard);
        body = [
          '<b>How many replicas?</b>',
          `Pick 1 to ${this.#config.max_replicas}, or send the number (/rs N works too).`,
        ];
        break;
      }
      case 'confirm': {
        const cluster = answers.cluster ?? this.#defaultCluster!;
        const refs = renderApp(template!, {
          app: answers.app!,
          namespace: answers.namespace!,
          replicas: answers.replicas!,
        }).refs;
        keyboard = new InlineKeyboard().text('✅ Deploy', `dp:${conv.session}:go`);
        cancel(keyboard);
        const messageId = await editOrSend(
          ctx,
          conv.messageId,
          [
            ...head,
            '',
            summaryText(
              { app: answers.app!, namespace: answers.namespace!, replicas: answers.replicas!, cluster },
              template!,
              refs,
            ),
          ].join('\n'),
          keyboard,
        );
        answers = without(answers, 'offered');
        await this.#save(ctx, { ...conv, answers, messageId });
        return;
      }
    }
    const answered = answeredLines(answers, template, this.#askCluster);
    const text = [
      ...head,
      ...(answered.length > 0 ? [...answered, ''] : ['']),
      ...body,
      '',
      '/cancel stops.',
    ].join('\n');
    const messageId = await editOrSend(ctx, conv.messageId, text, keyboard);
    answers = offered ? { ...answers, offered } : without(answers, 'offered');
    await this.#save(ctx, { ...conv, answers, messageId });
  }

  async #namespaceChoices(ctx: BotContext, cluster: string): Promise<{ names: string[]; note?: string }> {
    const user = ctx.lookout.user!;
    let names: string[];
    let note: string | undefined;
    try {
      names = await AppDeployer.namespaces(this.#deps.client(cluster, user));
    } catch (error) {
      // Listing namespaces may be forbidden to an impersonated user: offer what was granted.
      names = [...user.namespaces];
      note = `(Lookout could not list the cluster's namespaces: ${errorMessage(error)})`;
      this.#deps.log.warn({ cluster, err: errorMessage(error) }, 'cannot list namespaces for a deploy');
    }
    const usable = names.filter((n) => ctx.lookout.canAccess(n) && !SYSTEM_NAMESPACES.has(n));
    return { names: usable.slice(0, MAX_NAMESPACE_BUTTONS), ...(note ? { note } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Answers

  /** Checks one answer; answers the new answers, or the problem to show with the question again. */
  async #check(
    ctx: BotContext,
    answers: DeployAnswers,
    field: Field,
    raw: string,
  ): Promise<{ answers: DeployAnswers; notice?: string } | { problem: string; denied?: boolean }> {
    const value = raw.trim();
    const user = ctx.lookout.user!;
    switch (field) {
      case 'template': {
        const t =
          this.#templates.get(value.toLowerCase()) ??
          this.#templates.list().find((x) => x.title.toLowerCase() === value.toLowerCase());
        if (!t) {
          const names = this.#templates
            .list()
            .map((x) => x.name)
            .join(', ');
          return { problem: `There is no template "${value}". Pick one of: ${names}.` };
        }
        return { answers: { ...answers, template: t.name } };
      }
      case 'app': {
        if (value === '') return { problem: 'Send the name after the command, like /app my-blog.' };
        const problem = appNameProblem(value);
        if (problem) return { problem: `${capitalize(problem)}. Send another name.` };
        const mine = await listDeployments(this.#deps.store.db, { ownerId: user.id, name: value });
        if (mine[0])
          return {
            problem: `You already have an app named "${value}" (in ${mine[0].namespace}). Send another name, or /undeploy ${value} first.`,
          };
        return this.#withConflictCheck(ctx, { ...answers, app: value });
      }
      case 'cluster': {
        if (!this.#deps.clusters.includes(value))
          return {
            problem: `There is no cluster "${value}". Pick one of: ${this.#deps.clusters.join(', ')}.`,
          };
        return { answers: without({ ...answers, cluster: value }, 'namespace') };
      }
      case 'namespace': {
        if (value === '') return { problem: 'Send the namespace after the command, like /ns my-team.' };
        if (!isDnsLabel(value))
          return { problem: `"${value}" is not a namespace name (lower-case letters, digits and "-").` };
        if (!ctx.lookout.canAccess(value)) {
          const yours = user.role === 'admin' ? [] : user.namespaces;
          return {
            denied: true,
            problem: `You may not use namespace "${value}".${yours.length > 0 ? ` Yours: ${yours.join(', ')}.` : ' Ask an admin to grant you one.'}`,
          };
        }
        const cluster = answers.cluster ?? this.#defaultCluster!;
        if (!(await AppDeployer.namespaceExists(this.#deps.client(cluster, user), value)))
          return { problem: `Namespace "${value}" does not exist on cluster ${cluster}. Pick another.` };
        return this.#withConflictCheck(ctx, { ...answers, namespace: value });
      }
      case 'replicas': {
        const parsed = parseReplicas(value, this.#config.max_replicas);
        if ('problem' in parsed) return { problem: `${capitalize(parsed.problem)}.` };
        return { answers: { ...answers, replicas: parsed.value } };
      }
    }
  }

  /**
   * Once the name and the namespace are both known: is the name free there? A taken name is
   * dropped (the conversation asks for another) rather than failing at the very end.
   */
  async #withConflictCheck(
    ctx: BotContext,
    answers: DeployAnswers,
  ): Promise<{ answers: DeployAnswers; notice?: string }> {
    const problem = await this.#conflict(ctx, answers);
    if (!problem) return { answers };
    return { answers: without(answers, 'app'), notice: `${problem} Send another name.` };
  }

  async #conflict(ctx: BotContext, answers: DeployAnswers): Promise<string | undefined> {
    const template = this.#template(answers);
    const { app, namespace } = answers;
    if (!template || !app || !namespace) return undefined;
    const cluster = answers.cluster ?? this.#defaultCluster!;
    const live = await findLiveDeployment(this.#deps.store.db, { cluster, namespace, name: app });
    if (live) return `"${app}" is already deployed in ${namespace} (by ${live.ownerName}).`;
    const refs = renderApp(template, { app, namespace, replicas: 1 }).refs;
    const taken = await new AppDeployer(this.#deps.client(cluster, ctx.lookout.user!), namespace).existing(
      refs,
    );
    if (taken.length === 0) return undefined;
    return `"${app}" is taken in namespace ${namespace}: ${taken.map((r) => `${r.kind} ${r.name}`).join(', ')} already ${taken.length === 1 ? 'exists' : 'exist'}.`;
  }

  async #answer(ctx: BotContext, conv: Conversation, field: Field, raw: string): Promise<void> {
    const checked = await this.#check(ctx, conv.answers, field, raw);
    const args = { field, value: raw.trim().slice(0, 100) };
    if ('problem' in checked) {
      await ctx.lookout.audit(`deploy.${field}`, args, checked.denied ? 'denied' : 'error', checked.problem);
      await this.#ask(ctx, conv, checked.problem);
      return;
    }
    await ctx.lookout.audit(`deploy.${field}`, args, 'ok');
    await this.#ask(ctx, { ...conv, answers: checked.answers }, checked.notice);
  }

  // -------------------------------------------------------------------------------------------
  // Handlers

  async start(ctx: BotContext, preset?: string): Promise<void> {
    const user = ctx.lookout.user;
    const arg = preset ?? (typeof ctx.match === 'string' ? ctx.match.trim() : '');
    if (!mayDeploy(user)) return refuse(ctx, 'deploy', { template: arg || undefined });
    if (this.#templates.size === 0) {
      await ctx.lookout.audit('deploy', {}, 'error', 'no templates');
      await ctx.reply('No app templates are set up in Lookout, so there is nothing to deploy.');
      return;
    }
    if (this.#deps.clusters.length === 0) {
      await ctx.lookout.audit('deploy', {}, 'error', 'no clusters');
      await ctx.reply('Lookout watches no cluster, so there is nowhere to deploy to.');
      return;
    }
    // Conversations abandoned long ago are forgotten here, so none linger for good.
    await deleteConversationsBefore(this.#deps.store.db, this.#now() - this.#config.conversation_timeout);
    const previous = await this.#load(ctx);
    if (previous && previous !== 'expired' && previous.messageId !== undefined)
      await stripButtons(ctx.api, ctx.chat!.id, previous.messageId);
    let answers: DeployAnswers = this.#defaultCluster ? { cluster: this.#defaultCluster } : {};
    let notice: string | undefined;
    if (arg) {
      const t = this.#templates.get(arg.toLowerCase());
      if (t) answers = { ...answers, template: t.name };
      else notice = `There is no template "${arg}"; pick one below.`;
    }
    await ctx.lookout.audit('deploy', { template: arg || undefined }, 'ok');
    await this.#ask(ctx, { session: newSession(), answers, messageId: undefined }, notice);
  }

  /** `/app NAME`, `/ns NAME`, `/rs N`: one answer per command, as other Kubernetes chat bots do. */
  async setField(ctx: BotContext, field: Field): Promise<void> {
    const value = typeof ctx.match === 'string' ? ctx.match : '';
    if (!mayDeploy(ctx.lookout.user)) return refuse(ctx, `deploy.${field}`, { value });
    const conv = await this.#load(ctx);
    if (!conv || conv === 'expired') {
      await ctx.reply(
        conv === 'expired' ? `That deploy conversation expired. ${NO_CONVERSATION}` : NO_CONVERSATION,
      );
      return;
    }
    await this.#answer(ctx, conv, field, value);
  }

  async text(ctx: BotContext, next: NextFunction): Promise<void> {
    const text = ctx.message?.text;
    if (text === undefined || text.startsWith('/')) return next();
    const conv = await this.#load(ctx);
    if (!conv || conv === 'expired') return next();
    if (!mayDeploy(ctx.lookout.user)) return refuse(ctx, 'deploy.answer', {});
    const step: Step = nextStep(conv.answers, this.#askCluster);
    if (step === 'confirm') {
      await ctx.reply('Press ✅ Deploy under the summary to go ahead, or /cancel.');
      return;
    }
    await this.#answer(ctx, conv, step, text);
  }

  async cancel(ctx: BotContext): Promise<void> {
    const conv = await this.#load(ctx);
    if (!conv || conv === 'expired') {
      await ctx.reply('There is no deploy conversation to cancel.');
      return;
    }
    await deleteConversation(this.#deps.store.db, ctx.chat!.id, ctx.from!.id);
    await ctx.lookout.audit('deploy.cancel', { app: conv.answers.app }, 'ok');
    const text = 'Deploy cancelled; nothing was created.';
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: 'Cancelled' });
      await editOrSend(ctx, conv.messageId, text);
    } else {
      if (conv.messageId !== undefined) await stripButtons(ctx.api, ctx.chat!.id, conv.messageId);
      await ctx.reply(text);
    }
  }

  async press(ctx: BotContext): Promise<void> {
    const match = DEPLOY_PRESS.exec(ctx.callbackQuery?.data ?? '');
    if (!match) return;
    const [, session, action, arg] = match as unknown as [string, string, string, string | undefined];
    if (!mayDeploy(ctx.lookout.user)) return refuse(ctx, 'deploy.press', { action });
    const conv = await this.#load(ctx);
    if (!conv || conv === 'expired' || conv.session !== session) {
      await ctx.answerCallbackQuery({
        text: 'This menu is not active (it is someone else’s, finished or expired). Start with /deploy.',
        show_alert: true,
      });
      return;
    }
    if (action === 'x') return this.cancel(ctx);
    if (action === 'go') return this.#confirm(ctx, conv);
    const field: Field = ({ t: 'template', c: 'cluster', n: 'namespace', r: 'replicas' } as const)[
      action as 't' | 'c' | 'n' | 'r'
    ];
    const step = nextStep(conv.answers, this.#askCluster);
    if (step !== field && !(field === 'template' && step === 'app')) {
      await ctx.answerCallbackQuery({ text: 'That question was already answered.' });
      return;
    }
    let value = arg ?? '';
    if (field !== 'replicas') {
      const picked = conv.answers.offered?.[Number(arg)];
      if (picked === undefined) {
        await ctx.answerCallbackQuery({ text: 'That choice is no longer offered.' });
        return;
      }
      value = picked;
    }
    await ctx.answerCallbackQuery();
    await this.#answer(ctx, conv, field, value);
  }

  async #confirm(ctx: BotContext, conv: Conversation): Promise<void> {
    const user = ctx.lookout.user!;
    const a = conv.answers;
    const template = this.#template(a);
    const cluster = a.cluster ?? this.#defaultCluster;
    if (nextStep(a, this.#askCluster) !== 'confirm' || !template || !cluster) {
      await ctx.answerCallbackQuery({ text: 'Some answers are missing.' });
      await this.#ask(ctx, conv);
      return;
    }
    const args = {
      app: a.app,
      template: template.name,
      namespace: a.namespace,
      replicas: a.replicas,
      cluster,
    };
    if (!ctx.lookout.canAccess(a.namespace!)) {
      await ctx.lookout.audit('deploy.confirm', args, 'denied', 'namespace not granted');
      await ctx.answerCallbackQuery({
        text: `You may no longer use namespace ${a.namespace}.`,
        show_alert: true,
      });
      return;
    }
    const live = await listDeployments(this.#deps.store.db, { ownerId: user.id });
    if (live.length >= this.#config.max_apps_per_user) {
      await ctx.lookout.audit('deploy.confirm', args, 'denied', 'app limit');
      await ctx.answerCallbackQuery({
        text: `You have ${live.length} apps, the most allowed. /undeploy one first.`,
        show_alert: true,
      });
      return;
    }
    const conflict = await this.#conflict(ctx, a);
    if (conflict) {
      await ctx.answerCallbackQuery();
      await ctx.lookout.audit('deploy.confirm', args, 'error', conflict);
      await this.#ask(ctx, { ...conv, answers: without(a, 'app') }, `${conflict} Send another name.`);
      return;
    }
    // The first press wins: a second one finds the conversation gone.
    if (!(await deleteConversation(this.#deps.store.db, ctx.chat!.id, ctx.from!.id))) {
      await ctx.answerCallbackQuery({ text: 'Already confirmed.' });
      return;
    }
    await ctx.answerCallbackQuery({ text: 'Deploying…' });
    await ctx.lookout.audit('deploy.confirm', args, 'ok');
    const messageId = ctx.callbackQuery?.message?.message_id ?? (await replyHtml(ctx, 'Deploying…'));
    const result = await this.#deps.runner.start({
      api: ctx.api,
      chatId: ctx.chat!.id,
      messageId,
      user,
      client: this.#deps.client(cluster, user),
      cluster,
      template,
      answers: { app: a.app!, namespace: a.namespace!, replicas: a.replicas! },
      audit: this.#audit(ctx),
    });
    if (!result.ok) {
      await ctx.lookout.audit('deploy.create', args, 'error', result.message);
      await ctx.api.editMessageText(ctx.chat!.id, messageId, `❌ ${escapeHtml(result.message)}`, {
        parse_mode: 'HTML',
      });
    }
  }
}
