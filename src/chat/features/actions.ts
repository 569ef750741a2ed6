// Mutating actions, read-only by default: /silence, /restart, /scale and /deletepod, and the
// Silence/Acknowledge/Show logs buttons under alert messages. Each needs the role and the
// namespace, and every change waits for a confirm button pressed by the person who asked.
import { Composer, GrammyError } from 'grammy';
import type { Message, MessageEntity } from 'grammy/types';
import type { AlertRecord } from '../../alerting/alert-record.js';
import { commonLabels } from '../../alerting/label-set.js';
import { MatcherError, parseMatchers } from '../../alerting/matcher.js';
import type { SilenceMatcher } from '../../alerting/silence.js';
import type { Labels } from '../../domain/alert.js';
import type { WorkloadSnapshot } from '../../domain/kube.js';
import { formatDuration, parseDuration } from '../../lib/duration.js';
import { errorMessage } from '../../lib/errors.js';
import { decodeAlertButton, groupKeyHash, type AlertAction } from '../../notify/telegram-notifier.js';
import { saveAck } from '../../store/repos/ack-repo.js';
import type { BotServices } from '../bot-services.js';
import type { BotContext, ChatUser } from '../context.js';
import { escapeHtml } from '../format.js';
import { button, command, type Outcome } from '../handler.js';
import { redactText } from '../redact.js';
import { Refusal, UsageError } from '../refusal.js';
import { answer } from '../replies.js';
import { clustersFor, findPod, parseArgs } from '../scope.js';
import { canAccess } from '../user-directory.js';
import { kubeProblem } from './pods.js';

const HOUR = 3600_000;

function describeMatchers(matchers: readonly SilenceMatcher[]): string {
  return matchers
    .map((m) => `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}"${m.value}"`)
    .join(', ');
}

function equalMatchers(labels: Labels): SilenceMatcher[] {
  return Object.keys(labels)
    .sort()
    .map((name) => ({ name, value: labels[name]!, isRegex: false, isEqual: true }));
}

/** A member may only silence inside their namespaces: an exact namespace matcher they hold. */
function checkSilenceScope(user: ChatUser, matchers: readonly SilenceMatcher[]): void {
  if (user.role === 'admin') return;
  const ns = matchers.filter((m) => m.name === 'namespace' && m.isEqual && !m.isRegex);
  if (ns.length === 0)
    throw new Refusal(
      'Members must silence within a namespace: add namespace="NAME" with one of your namespaces.',
    );
  for (const m of ns)
    if (!canAccess(user, m.value)) throw new Refusal(`You have no access to namespace "${m.value}".`);
}

/** The namespaces alerts concern; alerts without one are cluster-wide (admins only). */
function checkAlertAccess(user: ChatUser, alerts: readonly AlertRecord[]): void {
  for (const a of alerts) {
    const ns = a.labels.namespace;
    if (ns ? !canAccess(user, ns) : user.role !== 'admin')
      throw new Refusal(
        ns ? `You have no access to namespace "${ns}".` : 'Only admins may act on cluster-wide alerts.',
      );
  }
}

function findWorkload(
  services: BotServices,
  user: ChatUser,
  ref: string,
  cluster: string | undefined,
): { cluster: string; workload: WorkloadSnapshot } {
  const [ns, name] = ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [undefined, ref];
  if (ns !== undefined && !canAccess(user, ns)) throw new Refusal(`You have no access to namespace "${ns}".`);
  const hits: Array<{ cluster: string; workload: WorkloadSnapshot }> = [];
  let hidden = 0;
  for (const c of clustersFor(services, cluster)) {
    for (const w of services.state(c)?.workloads('Deployment') ?? []) {
      if (w.name !== name || (ns !== undefined && w.namespace !== ns)) continue;
      if (canAccess(user, w.namespace)) hits.push({ cluster: c, workload: w });
      else hidden++;
    }
  }
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new UsageError(`Several Deployments are called ${name}; write NAMESPACE/NAME.`);
  if (hidden > 0) throw new Refusal(`You have no access to the namespace of Deployment "${name}".`);
  throw new UsageError(`No Deployment "${ref}" in the namespaces you may see.`);
}

function deploymentPath(w: WorkloadSnapshot): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(w.namespace)}/deployments/${encodeURIComponent(w.name)}`;
}

/** Appends a line under a message the bot did not write (an alert), keeping its formatting and buttons. */
async function appendLine(
  ctx: BotContext,
  message: Pick<Message, 'message_id' | 'chat'> & {
    text?: string;
    entities?: MessageEntity[];
    reply_markup?: Message['reply_markup'];
  },
  line: string,
): Promise<void> {
  const text = `${message.text ?? ''}\n\n${line}`;
  if (text.length > 4096) return;
  try {
    await ctx.api.editMessageText(message.chat.id, message.message_id, text, {
      ...(message.entities ? { entities: message.entities } : {}),
      ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
      link_preview_options: { is_disabled: true },
    });
  } catch (error) {
    if (error instanceof GrammyError) return;
    throw error;
  }
}

export function actionsFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log, confirmations } = services;

  /** Asks "…? [Confirm] [Cancel]"; the action runs when the asker confirms. */
  const ask = async (
    ctx: BotContext,
    action: string,
    args: Readonly<Record<string, unknown>>,
    question: string,
    run: () => Promise<string>,
  ): Promise<Outcome> => {
    const user = ctx.lookout.user!;
    const id = confirmations.add({ userId: user.id, chatId: ctx.chat!.id, action, args, question, run });
    await ctx.reply(
      `${question}\n<i>Only ${escapeHtml(user.name)} can confirm; this expires in ${formatDuration(services.config.confirm_timeout)}.</i>`,
      {
        parse_mode: 'HTML',
        reply_markup: confirmations.keyboard(id),
      },
    );
    return { args, detail: 'asked to confirm' };
  };

  c.callbackQuery(
    /^cf:([0-9a-f]{16}):([yn])$/,
    button('confirm', 'member', log, async (ctx) => {
      const [, id, verdict] = ctx.match as RegExpMatchArray;
      const user = ctx.lookout.user!;
      const pending = confirmations.peek(id!);
      if (!pending) {
        await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
        throw new UsageError('This confirmation expired or was used already. Ask again.');
      }
      if (pending.userId !== user.id) throw new Refusal('Only the person who asked can confirm this.');
      confirmations.take(id!);
      if (verdict === 'n') {
        await ctx
          .editMessageText(`${pending.question}\n✖ Cancelled.`, { parse_mode: 'HTML' })
          .catch(() => undefined);
        await ctx.lookout.audit(pending.action, pending.args, 'ok', 'cancelled');
        return { args: { action: pending.action }, detail: 'cancelled' };
      }
      try {
        const done = await pending.run();
        await ctx
          .editMessageText(`${pending.question}\n${done}`, { parse_mode: 'HTML' })
          .catch(() => undefined);
        await ctx.lookout.audit(pending.action, pending.args, 'ok', 'confirmed and done');
      } catch (error) {
        const denied = error instanceof Refusal;
        await ctx
          .editMessageText(`${pending.question}\n⚠️ ${escapeHtml(errorMessage(error))}`, {
            parse_mode: 'HTML',
          })
          .catch(() => undefined);
        await ctx.lookout.audit(
          pending.action,
          pending.args,
          denied ? 'denied' : 'error',
          errorMessage(error),
        );
      }
      return { args: { action: pending.action } };
    }),
  );

  const createSilence = async (
    user: ChatUser,
    matchers: readonly SilenceMatcher[],
    durationMs: number,
    comment: string,
  ): Promise<string> => {
    const now = services.alerting.now();
    return services.alerting.putSilence({
      matchers,
      startsAt: now,
      endsAt: now + durationMs,
      createdBy: `${user.name} (Telegram ${user.id})`,
      comment,
    });
  };

  c.command(
    'silence',
    command('/silence', 'member', log, async (ctx, args) => {
      const user = ctx.lookout.user!;
      let durationMs = HOUR;
      const matchers: SilenceMatcher[] = [];
      for (let i = 0; i < args.length; i++) {
        const word = args[i]!;
        if (word === 'for') continue;
        const d = /[=~]/.test(word) ? undefined : parseDuration(word);
        if (d !== undefined && d > 0) {
          durationMs = d;
          continue;
        }
        try {
          for (const m of parseMatchers(word))
            matchers.push({
              name: m.name,
              value: m.value,
              isRegex: m.type === '=~' || m.type === '!~',
              isEqual: m.type === '=' || m.type === '=~',
            });
        } catch (error) {
          if (error instanceof MatcherError) throw new UsageError(`${word}: ${error.message}`);
          throw error;
        }
      }
      if (matchers.length === 0) throw new UsageError('Usage: /silence alertname=NAME namespace=NS [for 2h]');
      checkSilenceScope(user, matchers);
      const what = describeMatchers(matchers);
      return ask(
        ctx,
        'silence.create',
        { matchers: what, duration: formatDuration(durationMs) },
        `🔕 Silence alerts matching <code>${escapeHtml(what)}</code> for ${formatDuration(durationMs)}?`,
        async () => {
          const id = await createSilence(user, matchers, durationMs, 'silenced from chat');
          return `🔕 Silenced by ${escapeHtml(user.name)} (silence <code>${escapeHtml(id)}</code>).`;
        },
      );
    }),
  );

  c.command(
    'restart',
    command('/restart', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      if (!positional[0]) throw new UsageError('Usage: /restart DEPLOYMENT (or NAMESPACE/DEPLOYMENT)');
      const user = ctx.lookout.user!;
      const ref = findWorkload(services, user, positional[0], cluster);
      const client = services.kube(ref.cluster, user);
      const name = `${ref.workload.namespace}/${ref.workload.name}`;
      return ask(
        ctx,
        'deployment.restart',
        { cluster: ref.cluster, deployment: name },
        `🔄 Restart the pods of Deployment <b>${escapeHtml(name)}</b> (a rolling restart)?`,
        async () => {
          if (!canAccess(user, ref.workload.namespace))
            throw new Refusal(`You have no access to namespace "${ref.workload.namespace}" any more.`);
          try {
            await client.patch(
              deploymentPath(ref.workload),
              {
                spec: {
                  template: {
                    metadata: {
                      annotations: {
                        'kubectl.kubernetes.io/restartedAt': new Date(services.now()).toISOString(),
                      },
                    },
                  },
                },
              },
              'merge',
            );
          } catch (error) {
            throw kubeProblem(error, 'restart this Deployment');
          }
          return `🔄 Restart started by ${escapeHtml(user.name)}.`;
        },
      );
    }),
  );

  c.command(
    'scale',
    command('/scale', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const replicas = Number(positional[1]);
      if (!positional[0] || !Number.isInteger(replicas) || replicas < 0 || replicas > 100)
        throw new UsageError('Usage: /scale DEPLOYMENT REPLICAS (0 to 100)');
      const user = ctx.lookout.user!;
      const ref = findWorkload(services, user, positional[0], cluster);
      const client = services.kube(ref.cluster, user);
      const name = `${ref.workload.namespace}/${ref.workload.name}`;
      return ask(
        ctx,
        'deployment.scale',
        { cluster: ref.cluster, deployment: name, replicas },
        `📏 Scale Deployment <b>${escapeHtml(name)}</b> from ${ref.workload.desired} to ${replicas} replicas?`,
        async () => {
          try {
            await client.patch(deploymentPath(ref.workload), { spec: { replicas } }, 'merge');
          } catch (error) {
            throw kubeProblem(error, 'scale this Deployment');
          }
          return `📏 Scaled to ${replicas} by ${escapeHtml(user.name)}.`;
        },
      );
    }),
  );

  c.command(
    'deletepod',
    command('/deletepod', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      if (!positional[0]) throw new UsageError('Usage: /deletepod POD (or NAMESPACE/POD)');
      const user = ctx.lookout.user!;
      const ref = findPod(services, user, positional[0], cluster);
      const client = services.kube(ref.cluster, user);
      const name = `${ref.pod.namespace}/${ref.pod.name}`;
      const owner = ref.pod.workload
        ? ` Its ${ref.pod.workload.kind} ${escapeHtml(ref.pod.workload.name)} will replace it.`
        : ' It has no controller: it will not come back.';
      return ask(
        ctx,
        'pod.delete',
        { cluster: ref.cluster, pod: name },
        `🗑 Delete pod <b>${escapeHtml(name)}</b>?${owner}`,
        async () => {
          try {
            await client.delete(
              `/api/v1/namespaces/${encodeURIComponent(ref.pod.namespace)}/pods/${encodeURIComponent(ref.pod.name)}`,
            );
          } catch (error) {
            throw kubeProblem(error, 'delete this pod');
          }
          return `🗑 Deleted by ${escapeHtml(user.name)}.`;
        },
      );
    }),
  );

  // ---- buttons under alert messages ----------------------------------------------------------

  /** The alert a button points at and the group it was sent for (its whole incident). */
  const targetOf = (group: string, fingerprint: string): { alert: AlertRecord; alerts: AlertRecord[] } => {
    let alert: AlertRecord | undefined;
    for (const a of services.alerting.alerts()) if (a.fingerprint === fingerprint) alert = a;
    if (!alert) throw new UsageError('Lookout no longer knows this alert (it resolved a while ago).');
    for (const g of services.alerting.groups()) {
      if (g.alerts.has(fingerprint) && groupKeyHash(g.groupKey) === group)
        return { alert, alerts: [...g.alerts.values()] };
    }
    return { alert, alerts: [alert] };
  };

  const ALERT_ACTIONS: Readonly<Record<AlertAction, string>> = {
    silence1h: 'alert.silence',
    silence24h: 'alert.silence',
    ack: 'alert.ack',
    logs: 'alert.logs',
  };

  c.callbackQuery(/^al:/, async (ctx) => {
    const data = decodeAlertButton(ctx.callbackQuery.data);
    const action = data ? ALERT_ACTIONS[data.action] : 'alert.button';
    await button(action, 'member', log, async () => {
      if (!data) throw new UsageError('This button is out of date.');
      const user = ctx.lookout.user!;
      const { alert, alerts } = targetOf(data.group, data.fingerprint);
      checkAlertAccess(user, alerts);
      const message = ctx.callbackQuery.message;
      const now = services.alerting.now();
      const auditArgs = {
        alertname: alert.labels.alertname,
        namespace: alert.labels.namespace,
        fingerprint: alert.fingerprint,
        alerts: alerts.length,
      };
      if (data.action === 'silence1h' || data.action === 'silence24h') {
        const durationMs = data.action === 'silence1h' ? HOUR : 24 * HOUR;
        const labels = alerts.length > 1 ? commonLabels(alerts.map((a) => a.labels)) : alert.labels;
        const matchers = equalMatchers(
          labels.alertname ? labels : { ...labels, alertname: alert.labels.alertname ?? '' },
        );
        checkSilenceScope(user, matchers.length > 0 ? matchers : equalMatchers(alert.labels));
        const what = describeMatchers(matchers);
        const span = formatDuration(durationMs);
        return ask(
          ctx,
          'alert.silence',
          { ...auditArgs, matchers: what, duration: span },
          `🔕 Silence <code>${escapeHtml(what)}</code> for ${span}?`,
          async () => {
            const id = await createSilence(
              user,
              matchers,
              durationMs,
              `silenced from the alert message in Telegram`,
            );
            if (message) await appendLine(ctx, message, `🔕 Silenced for ${span} by ${user.name}`);
            return `🔕 Silenced for ${span} by ${escapeHtml(user.name)} (silence <code>${escapeHtml(id)}</code>).`;
          },
        );
      }
      if (data.action === 'ack') {
        for (const a of alerts.filter((x) => x.endsAt > now))
          await saveAck(services.store.db, {
            fingerprint: a.fingerprint,
            alertStartsAt: a.startsAt,
            userId: user.id,
            userName: user.name,
            at: now,
          });
        if (message) await appendLine(ctx, message, `✅ Acknowledged by ${user.name}`);
        return { args: auditArgs };
      }
      // Show logs: the alert's pod and container, read now.
      const { pod, container, namespace, cluster } = alert.labels;
      if (!pod || !namespace) throw new UsageError('This alert is not about a pod.');
      const clusterName = cluster ?? services.clusters[0];
      if (!clusterName) throw new UsageError('Lookout watches no cluster.');
      const client = services.kube(clusterName, user);
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
      const query = {
        tailLines: services.config.log_lines,
        limitBytes: 64 * 1024,
        ...(container ? { container } : {}),
      };
      let text: string;
      let previous = false;
      try {
        text = await client.getText(path, query);
      } catch (error) {
        // A container waiting to restart has no current instance: its last one tells the story.
        try {
          text = await client.getText(path, { ...query, previous: true });
          previous = true;
        } catch {
          throw kubeProblem(error, 'read these logs');
        }
      }
      const head = `📜 <b>Logs of ${escapeHtml(`${namespace}/${pod}`)}</b>${container ? ` · ${escapeHtml(container)}` : ''}${previous ? ' (previous instance)' : ''}, for ${escapeHtml(user.name)}`;
      await answer(
        ctx,
        services.pager,
        `${head}\n${text.trim() ? `<pre>${escapeHtml(redactText(text.trimEnd()))}</pre>` : '<i>(no log lines)</i>'}`,
      );
      return { args: { ...auditArgs, pod, container } };
    })(ctx);
  });
  return c;
}
