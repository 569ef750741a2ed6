// /logs and /describe: a pod's log tail and its details read live from the cluster (as the
// user's Kubernetes identity when impersonating), with secret-looking values never printed.
import { Composer } from 'grammy';
import { KubeApiError } from '../../lib/errors.js';
import { queryEvents } from '../../store/repos/event-repo.js';
import type { BotServices } from '../bot-services.js';
import type { BotContext } from '../context.js';
import { ago, escapeHtml } from '../format.js';
import { command } from '../handler.js';
import { describeEnv, redactText } from '../redact.js';
import { Refusal, UsageError } from '../refusal.js';
import { working } from '../replies.js';
import { findPod, parseArgs } from '../scope.js';

/** Logs longer than this are cut at the start (the newest lines matter). */
const LOG_BYTES = 64 * 1024;

function podPath(namespace: string, pod: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`;
}

/** What the cluster said, in words for the chat. */
export function kubeProblem(error: unknown, what: string): Error {
  if (error instanceof KubeApiError) {
    if (error.status === 403) return new Refusal(`The cluster does not let you ${what}: ${error.message}`);
    if (error.status === 404) return new UsageError(`Not found in the cluster: ${error.message}`);
    if (error.status === 400) return new UsageError(error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}

interface WireContainer {
  name?: string;
  image?: string;
  env?: unknown[];
  envFrom?: Array<{ secretRef?: { name?: string }; configMapRef?: { name?: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  ports?: Array<{ containerPort?: number; protocol?: string }>;
}

interface WireStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: Record<
    string,
    { reason?: string; startedAt?: string; exitCode?: number; message?: string } | undefined
  >;
  lastState?: Record<string, { reason?: string; exitCode?: number; finishedAt?: string } | undefined>;
}

interface WirePod {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind?: string; name?: string }>;
    creationTimestamp?: string;
  };
  spec?: {
    nodeName?: string;
    containers?: WireContainer[];
    initContainers?: WireContainer[];
    serviceAccountName?: string;
  };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    qosClass?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string }>;
    containerStatuses?: WireStatus[];
    initContainerStatuses?: WireStatus[];
  };
}

function stateText(status: WireStatus | undefined): string {
  if (!status?.state) return 'unknown';
  const [kind, detail] = Object.entries(status.state).find(([, v]) => v !== undefined) ?? [
    'unknown',
    undefined,
  ];
  const parts = [kind];
  if (detail?.reason) parts.push(detail.reason);
  if (detail?.exitCode !== undefined) parts.push(`exit ${detail.exitCode}`);
  if (detail?.startedAt) parts.push(`since ${detail.startedAt}`);
  return parts.join(', ');
}

function describeContainer(c: WireContainer, status: WireStatus | undefined, init: boolean): string[] {
  const lines = [`${init ? 'Init container' : 'Container'} ${c.name ?? '?'}`, `  Image: ${c.image ?? '?'}`];
  if (status) {
    lines.push(
      `  State: ${stateText(status)}`,
      `  Ready: ${status.ready ? 'yes' : 'no'} · Restarts: ${status.restartCount ?? 0}`,
    );
    const last = status.lastState?.terminated;
    if (last)
      lines.push(
        `  Last terminated: ${last.reason ?? '?'}, exit ${last.exitCode ?? '?'}${last.finishedAt ? ` at ${last.finishedAt}` : ''}`,
      );
  }
  const fmt = (r?: Record<string, string>) =>
    r && Object.keys(r).length > 0
      ? Object.entries(r)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : 'none';
  lines.push(`  Requests: ${fmt(c.resources?.requests)} · Limits: ${fmt(c.resources?.limits)}`);
  if (c.ports?.length)
    lines.push(`  Ports: ${c.ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ')}`);
  const env = (c.env ?? []).map((e) => `    ${describeEnv(e as Parameters<typeof describeEnv>[0])}`);
  for (const from of c.envFrom ?? []) {
    if (from.secretRef) env.push(`    <all keys of Secret ${from.secretRef.name ?? '?'}>`);
    if (from.configMapRef) env.push(`    <all keys of ConfigMap ${from.configMapRef.name ?? '?'}>`);
  }
  if (env.length > 0) lines.push('  Environment:', ...env);
  return lines;
}

export function describePod(pod: WirePod): string[] {
  const m = pod.metadata ?? {};
  const s = pod.status ?? {};
  const owner = m.ownerReferences?.[0];
  const lines = [
    `Name:       ${m.namespace ?? '?'}/${m.name ?? '?'}`,
    `Node:       ${pod.spec?.nodeName ?? '(not scheduled)'}`,
    `Status:     ${s.phase ?? '?'}${s.reason ? ` (${s.reason})` : ''}`,
    `IP:         ${s.podIP ?? '-'}`,
    `QoS:        ${s.qosClass ?? '-'}`,
    `Created:    ${m.creationTimestamp ?? '-'}`,
  ];
  if (owner) lines.push(`Controlled by: ${owner.kind ?? '?'}/${owner.name ?? '?'}`);
  if (pod.spec?.serviceAccountName) lines.push(`Service account: ${pod.spec.serviceAccountName}`);
  const labels = Object.entries(m.labels ?? {});
  if (labels.length > 0) lines.push(`Labels:     ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  // Annotations can hold a whole applied manifest (with its env values): only their count shows.
  const annotations = Object.keys(m.annotations ?? {}).length;
  if (annotations > 0) lines.push(`Annotations: ${annotations} (not shown)`);
  const byName = (list: WireStatus[] | undefined, name: string | undefined) =>
    list?.find((x) => x.name === name);
  for (const c of pod.spec?.initContainers ?? [])
    lines.push(...describeContainer(c, byName(s.initContainerStatuses, c.name), true));
  for (const c of pod.spec?.containers ?? [])
    lines.push(...describeContainer(c, byName(s.containerStatuses, c.name), false));
  if (s.conditions?.length) {
    lines.push('Conditions:');
    for (const cond of s.conditions)
      lines.push(`  ${cond.type ?? '?'}: ${cond.status ?? '?'}${cond.reason ? ` (${cond.reason})` : ''}`);
  }
  return lines;
}

export function podsFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log } = services;

  c.command(
    'logs',
    command('/logs', 'member', log, async (ctx, args) => {
      const { positional, cluster, flags } = parseArgs(args, ['previous']);
      const [podArg, containerArg] = positional;
      if (!podArg) throw new UsageError('Usage: /logs POD [CONTAINER] [--previous]');
      const user = ctx.lookout.user!;
      const ref = findPod(services, user, podArg, cluster);
      const names = ref.pod.containers.filter((x) => x.type !== 'ephemeral').map((x) => x.name);
      const app = ref.pod.containers.filter((x) => x.type === 'app').map((x) => x.name);
      const container = containerArg ?? app[0] ?? names[0];
      if (!container || !names.includes(container))
        throw new UsageError(
          `Pod ${ref.pod.name} has no container "${containerArg ?? ''}"; it has ${names.join(', ')}.`,
        );
      const previous = flags.has('previous');
      const client = services.kube(ref.cluster, user);
      const wait = await working(ctx, services.pager, 'Reading logs…');
      let text: string;
      try {
        text = await client.getText(`${podPath(ref.pod.namespace, ref.pod.name)}/log`, {
          container,
          tailLines: services.config.log_lines,
          limitBytes: LOG_BYTES,
          ...(previous ? { previous: true } : {}),
        });
      } catch (error) {
        const problem = kubeProblem(error, 'read these logs');
        await wait.done(`⚠️ ${escapeHtml(problem.message)}`);
        throw problem;
      }
      const others =
        app.length > 1 && !containerArg
          ? `\n<i>Other containers: ${escapeHtml(app.filter((n) => n !== container).join(', '))}</i>`
          : '';
      const head = `<b>Logs of ${escapeHtml(`${ref.pod.namespace}/${ref.pod.name}`)}</b> · ${escapeHtml(container)}${previous ? ' (previous instance)' : ''} · last ${services.config.log_lines} lines${others}`;
      const body =
        text.trim() === '' ? '<i>(no log lines)</i>' : `<pre>${escapeHtml(redactText(text.trimEnd()))}</pre>`;
      await wait.done(`${head}\n${body}`);
      return {
        args: { cluster: ref.cluster, namespace: ref.pod.namespace, pod: ref.pod.name, container, previous },
      };
    }),
  );

  c.command(
    'describe',
    command('/describe', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const podArg = positional[0];
      if (!podArg) throw new UsageError('Usage: /describe POD (or NAMESPACE/POD)');
      const user = ctx.lookout.user!;
      const ref = findPod(services, user, podArg, cluster);
      const client = services.kube(ref.cluster, user);
      const wait = await working(ctx, services.pager, 'Describing…');
      let pod: WirePod;
      try {
        pod = await client.getJson<WirePod>(podPath(ref.pod.namespace, ref.pod.name));
      } catch (error) {
        const problem = kubeProblem(error, 'read this pod');
        await wait.done(`⚠️ ${escapeHtml(problem.message)}`);
        throw problem;
      }
      const events = await queryEvents(services.store.db, services.store.dialect, {
        cluster: ref.cluster,
        namespace: ref.pod.namespace,
        involvedUid: ref.pod.uid,
        limit: 15,
      });
      const now = services.now();
      const eventLines = events.items.map(
        (e) =>
          `  ${ago(e.lastAt, now)} ${e.type} ${e.reason}${e.countTo > 1 ? ` ×${e.countTo}` : ''}: ${redactText(e.message)}`,
      );
      const lines = [
        ...describePod(pod),
        'Events:',
        ...(eventLines.length > 0 ? eventLines : ['  none stored']),
      ];
      await wait.done(`<pre>${escapeHtml(lines.join('\n'))}</pre>`);
      return { args: { cluster: ref.cluster, namespace: ref.pod.namespace, pod: ref.pod.name } };
    }),
  );
  return c;
}
