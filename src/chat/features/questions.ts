// Questions about the clusters: /status, /top, /events, /crashes, /hpa, /alerts. Answers come
// from Lookout's current state, its history and the query layer, filtered to the asker's namespaces.
import { Composer } from 'grammy';
import type { AlertRecord } from '../../alerting/alert-record.js';
import { isAbsent, type TableResult } from '../../domain/query.js';
import { formatCell } from '../../metrics/format.js';
import { acksOf } from '../../store/repos/ack-repo.js';
import { queryCrashes } from '../../store/repos/crash-repo.js';
import { queryEvents, type EventOccurrence } from '../../store/repos/event-repo.js';
import type { BotServices } from '../bot-services.js';
import type { BotContext, ChatUser } from '../context.js';
import { ago, clip, escapeHtml, preTable } from '../format.js';
import { command } from '../handler.js';
import { UsageError } from '../refusal.js';
import { answer, working } from '../replies.js';
import { clustersFor, looksLikeNamespace, namespacesFor, parseArgs } from '../scope.js';
import { canAccess } from '../user-directory.js';

const LIST_LIMIT = 50;

/** Firing alerts (not resolved, not silenced or inhibited) the user may see. */
export function visibleFiring(services: BotServices, user: ChatUser, cluster?: string): AlertRecord[] {
  const now = services.alerting.now();
  const out: AlertRecord[] = [];
  for (const a of services.alerting.alerts()) {
    if (a.endsAt <= now) continue;
    if (cluster !== undefined && a.labels.cluster !== undefined && a.labels.cluster !== cluster) continue;
    const ns = a.labels.namespace;
    if (ns ? !canAccess(user, ns) : user.role !== 'admin') continue;
    out.push(a);
  }
  return out.sort((a, b) => b.startsAt - a.startsAt);
}

function statusOf(services: BotServices, user: ChatUser, cluster: string): string {
  const state = services.state(cluster);
  const head = `<b>Cluster ${escapeHtml(cluster)}</b>`;
  if (!state) return `${head}\nnot watched yet`;
  const now = services.now();
  const nodes = state.nodes();
  const notReady = nodes.filter((n) => !n.ready);
  const pods = state.pods().filter((p) => canAccess(user, p.namespace));
  const phases = new Map<string, number>();
  for (const p of pods) phases.set(p.phase, (phases.get(p.phase) ?? 0) + 1);
  const abnormal = pods
    .map((p) => ({ pod: p, periods: state.abnormal(p.uid) }))
    .filter((x) => x.periods.length > 0);
  const firing = visibleFiring(services, user, cluster).filter(
    (a) => services.alerting.statusOf(a, now).state === 'active',
  );
  const lines = [
    head,
    `Nodes ready: ${nodes.length - notReady.length}/${nodes.length}${notReady.length > 0 ? ` (not ready: ${escapeHtml(notReady.map((n) => n.name).join(', '))})` : ''}`,
    `Pods${user.role === 'admin' ? '' : ' in your namespaces'}: ${pods.length}${
      phases.size > 0
        ? ` — ${[...phases]
            .sort()
            .map(([p, n]) => `${escapeHtml(p)} ${n}`)
            .join(', ')}`
        : ''
    }`,
    `Abnormal pods: ${abnormal.length}`,
    ...abnormal.slice(0, 15).map(({ pod, periods }) => {
      const first = periods[0]!;
      return `  • ${escapeHtml(`${pod.namespace}/${pod.name}`)}: ${escapeHtml(first.reason)}${first.container ? ` (${escapeHtml(first.container)})` : ''} for ${ago(first.beganAt, now)}`;
    }),
    ...(abnormal.length > 15 ? [`  … and ${abnormal.length - 15} more`] : []),
    `Firing alerts: ${firing.length}`,
    ...firing
      .slice(0, 10)
      .map(
        (a) =>
          `  • ${escapeHtml(a.labels.alertname ?? '?')}${a.labels.namespace ? ` · ${escapeHtml(a.labels.namespace)}` : ''}${a.labels.pod ? `/${escapeHtml(a.labels.pod)}` : ''} since ${ago(a.startsAt, now)}`,
      ),
    ...(firing.length > 10 ? [`  … and ${firing.length - 10} more (/alerts)`] : []),
  ];
  return lines.join('\n');
}

/** A table result as aligned columns, with the columns that fit a phone. */
function tableText(result: TableResult, keys: readonly string[], services: BotServices): string {
  const columns = result.columns.filter((c) => keys.includes(c.key));
  const rows = result.rows.map((r) =>
    columns.map((c) => {
      const cell = r[c.key] ?? null;
      return isAbsent(cell)
        ? cell.absent === 'no-limit'
          ? 'no lim'
          : 'no req'
        : formatCell(cell, c, 'UTC', services.now());
    }),
  );
  const notes = (result.notes ?? []).map((n) => `<i>${escapeHtml(n)}</i>`);
  return [
    `<b>${escapeHtml(result.title)}</b> · ${escapeHtml(result.cluster)}`,
    rows.length > 0
      ? preTable(
          columns.map((c) => c.title),
          rows,
        )
      : 'Nothing to show.',
    ...notes,
  ].join('\n');
}

function eventLine(e: EventOccurrence, now: number): string {
  const count = e.countTo > 1 ? ` ×${e.countTo}` : '';
  const icon = e.type === 'Warning' ? '⚠️' : 'ℹ️';
  return `${icon} ${ago(e.lastAt, now)} <b>${escapeHtml(e.reason)}</b>${count} ${escapeHtml(`${e.namespace}/${e.involved.kind.toLowerCase()}/${e.involved.name}`)}\n    ${escapeHtml(clip(e.message, 300))}`;
}

export function questionsFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log } = services;

  c.command(
    'status',
    command('/status', 'member', log, async (ctx, args) => {
      const { cluster } = parseArgs(args);
      const user = ctx.lookout.user!;
      const clusters = clustersFor(services, cluster);
      const wait = await working(ctx, services.pager);
      const parts = clusters.map((name) => statusOf(services, user, name));
      await wait.done(parts.length > 0 ? parts.join('\n\n') : 'Lookout watches no cluster yet.');
    }),
  );

  c.command(
    'top',
    command('/top', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const what = positional[0];
      if (what !== 'nodes' && what !== 'pods')
        throw new UsageError('Usage: /top nodes, or /top pods [NAMESPACE]');
      const user = ctx.lookout.user!;
      const namespaces = what === 'pods' ? namespacesFor(user, positional[1]) : undefined;
      const wait = await working(ctx, services.pager);
      const parts: string[] = [];
      for (const name of clustersFor(services, cluster)) {
        try {
          const result = await services.queries.run(what === 'nodes' ? 'top-nodes' : 'top-pods', {
            cluster: name,
            namespaces,
            range: 'now',
          });
          if (result.kind !== 'table') continue;
          // The source filters already; the bot checks again, since it answers for the grants.
          const rows =
            what === 'pods'
              ? result.rows.filter((r) => typeof r.namespace === 'string' && canAccess(user, r.namespace))
              : result.rows;
          const keys =
            what === 'nodes'
              ? ['node', 'cpu', 'cpu_percent', 'memory', 'memory_percent']
              : ['namespace', 'pod', 'cpu', 'memory', 'memory_of_limit'];
          parts.push(tableText({ ...result, rows }, keys, services));
        } catch (error) {
          parts.push(`<b>${escapeHtml(name)}</b>: ${escapeHtml((error as Error).message)}`);
        }
      }
      await wait.done(parts.join('\n\n') || 'Lookout watches no cluster yet.');
      return { args: { what, namespaces: namespaces ?? 'all' } };
    }),
  );

  c.command(
    'events',
    command('/events', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const user = ctx.lookout.user!;
      let nsArg: string | undefined;
      let reason: string | undefined;
      for (const word of positional) {
        if (nsArg === undefined && reason === undefined && looksLikeNamespace(word)) nsArg = word;
        else if (reason === undefined) reason = word;
        else throw new UsageError('Usage: /events [NAMESPACE] [REASON]');
      }
      const namespaces = namespacesFor(user, nsArg);
      const wait = await working(ctx, services.pager);
      const clusterName = cluster === undefined ? undefined : clustersFor(services, cluster)[0];
      const pages = await Promise.all(
        (namespaces ?? [undefined]).map((ns) =>
          queryEvents(services.store.db, services.store.dialect, {
            cluster: clusterName,
            namespace: ns,
            reason,
            limit: LIST_LIMIT,
          }),
        ),
      );
      const events = pages
        .flatMap((p) => p.items)
        .filter((e) => canAccess(user, e.namespace))
        .sort((a, b) => b.lastAt - a.lastAt)
        .slice(0, LIST_LIMIT);
      const now = services.now();
      const scope = `${nsArg ?? (namespaces ? 'your namespaces' : 'all namespaces')}${reason ? `, reason ${reason}` : ''}`;
      await wait.done(
        events.length > 0
          ? `<b>Events</b> (${escapeHtml(scope)}, newest first)\n${events.map((e) => eventLine(e, now)).join('\n')}`
          : `No events stored for ${escapeHtml(scope)}.`,
      );
      return { args: { namespaces: namespaces ?? 'all', reason }, detail: `${events.length} events` };
    }),
  );

  c.command(
    'crashes',
    command('/crashes', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const user = ctx.lookout.user!;
      const namespaces = namespacesFor(user, positional[0]);
      const wait = await working(ctx, services.pager);
      const clusterName = cluster === undefined ? undefined : clustersFor(services, cluster)[0];
      const pages = await Promise.all(
        (namespaces ?? [undefined]).map((ns) =>
          queryCrashes(services.store.db, services.store.dialect, {
            cluster: clusterName,
            namespace: ns,
            limit: LIST_LIMIT,
          }),
        ),
      );
      const crashes = pages
        .flatMap((p) => p.items)
        .filter((x) => canAccess(user, x.namespace))
        .sort((a, b) => b.observedAt - a.observedAt)
        .slice(0, LIST_LIMIT);
      const now = services.now();
      const lines = crashes.map((x) => {
        const last = x.logTail?.trim().split('\n').at(-1);
        return `💥 ${ago(x.observedAt, now)} <b>${escapeHtml(`${x.namespace}/${x.pod}`)}</b> · ${escapeHtml(x.container)} — ${escapeHtml(x.reason)}, exit ${x.exitCode}, restart ${x.restartCount}${last ? `\n    <code>${escapeHtml(clip(last, 200))}</code>` : ''}`;
      });
      await wait.done(
        lines.length > 0
          ? `<b>Crashes</b> (newest first)\n${lines.join('\n')}`
          : 'No crashes stored for these namespaces.',
      );
      return { args: { namespaces: namespaces ?? 'all' }, detail: `${crashes.length} crashes` };
    }),
  );

  c.command(
    'hpa',
    command('/hpa', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const user = ctx.lookout.user!;
      const namespaces = namespacesFor(user, positional[0]);
      const now = services.now();
      const parts: string[] = [];
      for (const name of clustersFor(services, cluster)) {
        const state = services.state(name);
        if (!state) continue;
        const hpas = state
          .hpas()
          .filter((h) => canAccess(user, h.namespace) && (!namespaces || namespaces.includes(h.namespace)))
          .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
        if (hpas.length === 0) continue;
        const rows = hpas.map((h) => [
          `${h.namespace}/${h.name}`,
          `${h.target.kind}/${h.target.name}`,
          h.targetCpuUtilization !== undefined
            ? `${h.currentCpuUtilization ?? '?'}%/${h.targetCpuUtilization}%`
            : '–',
          `${h.currentReplicas}→${h.desiredReplicas}`,
          `${h.minReplicas}-${h.maxReplicas}`,
          h.lastScaleAt !== undefined ? ago(h.lastScaleAt, now) : '–',
        ]);
        parts.push(
          `<b>HPAs · ${escapeHtml(name)}</b>\n${preTable(['HPA', 'TARGET', 'CPU', 'REPLICAS', 'MIN-MAX', 'SCALED'], rows)}`,
        );
      }
      await answer(
        ctx,
        services.pager,
        parts.join('\n\n') || 'No horizontal pod autoscalers in these namespaces.',
      );
      return { args: { namespaces: namespaces ?? 'all' } };
    }),
  );

  c.command(
    'alerts',
    command('/alerts', 'member', log, async (ctx) => {
      const user = ctx.lookout.user!;
      const now = services.alerting.now();
      const firing = visibleFiring(services, user);
      const acks = await acksOf(
        services.store.db,
        firing.map((a) => a.fingerprint),
      );
      const lines = firing.map((a) => {
        const status = services.alerting.statusOf(a, now);
        const ack = acks.get(a.fingerprint);
        const acked =
          ack && ack.alertStartsAt === a.startsAt ? ` · ✅ ack by ${escapeHtml(ack.userName)}` : '';
        const muted =
          status.silencedBy.length > 0
            ? ' · 🔕 silenced'
            : status.inhibitedBy.length > 0
              ? ' · inhibited'
              : '';
        const where = [a.labels.cluster, a.labels.namespace, a.labels.pod].filter(Boolean).join('/');
        const summary = a.annotations.summary ? `\n    ${escapeHtml(clip(a.annotations.summary, 200))}` : '';
        return `${status.state === 'active' ? '🔴' : '⚪'} <b>${escapeHtml(a.labels.alertname ?? '?')}</b> ${escapeHtml(where)} since ${ago(a.startsAt, now)}${muted}${acked}${summary}`;
      });
      await answer(
        ctx,
        services.pager,
        lines.length > 0
          ? `<b>Firing alerts</b> (${lines.length})\n${lines.join('\n')}`
          : 'No alerts are firing in your namespaces. 🎉',
      );
      return { detail: `${lines.length} alerts` };
    }),
  );
  return c;
}
