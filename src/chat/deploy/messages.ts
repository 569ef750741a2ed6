// What the deploy feature says in chat, as Telegram HTML: questions, the summary to confirm,
// rollout progress, the final answer and the list of apps. Every value from outside is escaped.
import type { AppDeployment } from '../../store/repos/deployment-repo.js';
import type { RolloutSnapshot, WarningEvent } from './app-deployer.js';
import type { DeployAnswers } from './conversation.js';
import type { ObjectRef } from './kinds.js';
import type { AppTemplate } from './template.js';

/** Telegram's limit for one message's text. */
export const MESSAGE_LIMIT = 4096;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shortens text to `max` characters at a word boundary, marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

const b = (s: string): string => `<b>${escapeHtml(s)}</b>`;
const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;

export function objectList(refs: readonly ObjectRef[]): string {
  return refs.map((r) => `${r.kind} ${r.name}`).join(', ');
}

/** What has been answered so far, one line each, above the next question. */
export function answeredLines(
  a: DeployAnswers,
  template: AppTemplate | undefined,
  showCluster: boolean,
): string[] {
  const lines: string[] = [];
  if (template) lines.push(`Template: ${b(template.title)}`);
  if (a.app) lines.push(`App name: ${b(a.app)}`);
  if (showCluster && a.cluster) lines.push(`Cluster: ${b(a.cluster)}`);
  if (a.namespace) lines.push(`Namespace: ${b(a.namespace)}`);
  if (a.replicas !== undefined) lines.push(`Replicas: ${b(String(a.replicas))}`);
  return lines;
}

export function summaryText(
  a: Required<Pick<DeployAnswers, 'app' | 'namespace' | 'replicas'>> & { cluster: string },
  template: AppTemplate,
  refs: readonly ObjectRef[],
): string {
  return [
    `<b>Deploy ${escapeHtml(template.title)}?</b>`,
    `App name: ${b(a.app)}`,
    `Cluster: ${b(a.cluster)}`,
    `Namespace: ${b(a.namespace)}`,
    `Replicas: ${b(String(a.replicas))}`,
    '',
    `Creates ${refs.length} objects: ${escapeHtml(objectList(refs))}.`,
    ...(template.parameters.some((p) => p.type === 'secret')
      ? ['Passwords are generated and stored only in the cluster, in a Secret.']
      : []),
  ].join('\n');
}

function workloadLine(w: RolloutSnapshot['workloads'][number]): string {
  const mark = w.done ? '✅' : w.problems.length > 0 ? '⚠️' : '⏳';
  return `${mark} ${escapeHtml(w.kind)} ${b(w.name)}: ${w.ready}/${w.desired} ready`;
}

export interface AppHeading {
  readonly app: string;
  readonly templateTitle: string;
  readonly namespace: string;
  readonly cluster: string;
}

function heading(h: AppHeading): string {
  return `${b(h.app)} (${escapeHtml(h.templateTitle)}) in namespace ${b(h.namespace)} on ${b(h.cluster)}`;
}

export function creatingText(h: AppHeading, refs: readonly ObjectRef[], by: string): string {
  return [
    `🚀 Deploying ${heading(h)}`,
    `Confirmed by ${escapeHtml(by)}.`,
    `Creating ${refs.length} objects: ${escapeHtml(objectList(refs))}…`,
  ].join('\n');
}

export function progressText(
  h: AppHeading,
  refs: readonly ObjectRef[],
  snapshot: RolloutSnapshot,
  outcome?: 'ready' | 'failed',
): string {
  const title =
    outcome === 'ready'
      ? `✅ Deployed ${heading(h)}`
      : outcome === 'failed'
        ? `❌ Deploy of ${heading(h)} failed`
        : `🚀 Deploying ${heading(h)}`;
  const lines = [title, `Created ${refs.length} objects. ${outcome ? 'Rollout:' : 'Rolling out:'}`];
  for (const w of snapshot.workloads) {
    lines.push(workloadLine(w));
    const shown = new Set<string>();
    for (const p of w.problems) {
      const key = `${p.reason}|${p.container ?? ''}`;
      if (shown.has(key)) continue;
      shown.add(key);
      lines.push(`   ↳ ${escapeHtml(p.pod)}: ${escapeHtml(p.reason)}`);
    }
  }
  lines.push(
    snapshot.nodePort === undefined
      ? 'Node port: not assigned yet'
      : `Node port: ${b(String(snapshot.nodePort))}`,
  );
  return clip(lines.join('\n'), MESSAGE_LIMIT);
}

export function readyText(h: AppHeading, url: string, replicas: number): string {
  return [
    `✅ ${heading(h)} is ready with ${replicas} ${replicas === 1 ? 'replica' : 'replicas'}.`,
    escapeHtml(url),
  ].join('\n');
}

export function failedText(h: AppHeading, reason: string, events: readonly WarningEvent[]): string {
  const lines = [`❌ ${heading(h)} did not become ready.`, `Reason: ${escapeHtml(clip(reason, 900))}`];
  if (events.length > 0) {
    lines.push('', 'Warning events:');
    for (const e of events) {
      const times = e.count > 1 ? ` ×${e.count}` : '';
      lines.push(`• ${escapeHtml(e.object)} ${b(e.reason)}${times}: ${escapeHtml(clip(e.message, 300))}`);
    }
  }
  lines.push(
    '',
    `The objects are left in place to look into (${code(`kubectl -n ${h.namespace} get pods -l app.kubernetes.io/instance=${h.app}`)}); /undeploy ${escapeHtml(h.app)} removes them.`,
  );
  return clip(lines.join('\n'), MESSAGE_LIMIT);
}

function statusWord(app: AppDeployment, live: string | undefined): string {
  if (app.status === 'ready') return live ? `ready, ${live}` : 'ready';
  if (app.status === 'deploying') return live ? `deploying, ${live}` : 'deploying';
  if (app.status === 'failed') return `failed: ${clip(app.reason ?? 'unknown reason', 200)}`;
  return 'removed';
}

export function appsText(
  apps: readonly AppDeployment[],
  titles: ReadonlyMap<string, string>,
  live: ReadonlyMap<number, string>,
  showOwner: boolean,
): string {
  if (apps.length === 0) return 'You have no apps deployed. Start one with /deploy.';
  const lines = [showOwner ? '<b>Apps deployed from chat</b>' : '<b>Your apps</b>'];
  for (const app of apps) {
    const owner = showOwner ? ` · by ${escapeHtml(app.ownerName)}` : '';
    lines.push(
      '',
      `${b(app.name)} — ${escapeHtml(titles.get(app.template) ?? app.template)} in ${b(app.namespace)} on ${escapeHtml(app.cluster)}${owner}`,
      `Status: ${escapeHtml(statusWord(app, live.get(app.id)))}`,
    );
    if (app.url && app.status !== 'failed') lines.push(escapeHtml(app.url));
  }
  return clip(lines.join('\n'), MESSAGE_LIMIT);
}
