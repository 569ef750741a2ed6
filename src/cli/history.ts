// `lookout events`, `lookout crashes`, `lookout pods`: read the kept history from the store
// (works while `serve` runs, and without it).
import type { Command } from 'commander';
import { Option } from 'commander';
import type { PodSnapshot } from '../domain/kube.js';
import { parseTimePoint } from '../lib/time-range.js';
import { openStore, type Store } from '../store/index.js';
import { queryCrashes } from '../store/repos/crash-repo.js';
import { queryEvents } from '../store/repos/event-repo.js';
import { findObjects } from '../store/repos/object-repo.js';
import { queryAbnormal, queryLifecycle } from '../store/repos/pod-history-repo.js';
import { loadConfigOrExit } from './context.js';
import { ago, formatTable, oneLine, parseOutput } from './format.js';

interface Common {
  cluster?: string;
  namespace?: string;
  since?: string;
  output?: string;
  limit?: string;
}

function time(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimePoint(value);
  if (t === undefined)
    throw new Error(`${flag}: "${value}" is neither a duration (2h, 7d) nor a time (RFC 3339)`);
  return t;
}

function limit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--limit must be a positive integer, not "${value}"`);
  return n;
}

async function withStore<T>(command: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(loadConfigOrExit(command).storage);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function common(command: Command): Command {
  return command
    .option('--cluster <name>', 'only this cluster')
    .option('-n, --namespace <ns>', 'only this namespace')
    .option('--since <when>', 'from this long ago (2h, 7d) or this time (RFC 3339)')
    .addOption(new Option('-o, --output <format>', 'table or json').default('table'))
    .option('--limit <n>', 'at most this many rows');
}

export function registerHistory(program: Command): void {
  common(
    program
      .command('events')
      .description('kept Kubernetes events, newest first; filter, search, export as JSON'),
  )
    .option('--reason <reason>', 'only this reason (e.g. BackOff)')
    .option('--type <type>', 'Normal or Warning')
    .option('--object <kind/name>', 'only events about this object (e.g. pod/web-1)')
    .option('--search <text>', 'full-text search in messages')
    .action(
      async (
        opts: Common & { reason?: string; type?: string; object?: string; search?: string },
        command: Command,
      ) => {
        const output = parseOutput(opts.output);
        const page = await withStore(command, (store) =>
          queryEvents(store.db, store.dialect, {
            cluster: opts.cluster,
            namespace: opts.namespace,
            reason: opts.reason,
            type: opts.type,
            object: opts.object,
            search: opts.search,
            since: time(opts.since, '--since'),
            limit: limit(opts.limit, 100),
          }),
        );
        if (output === 'json') return void process.stdout.write(JSON.stringify(page.items, null, 2) + '\n');
        const rows = page.items.map((e) => [
          ago(e.lastAt),
          e.type,
          e.reason,
          `${e.involved.kind.toLowerCase()}/${e.involved.name}`,
          e.namespace,
          e.countFrom === e.countTo ? String(e.countTo) : `${e.countFrom}-${e.countTo}`,
          oneLine(e.message, 90),
        ]);
        process.stdout.write(
          formatTable(['last seen', 'type', 'reason', 'object', 'namespace', 'count', 'message'], rows),
        );
      },
    );

  common(
    program
      .command('crashes')
      .description('container crashes with their exit reason; --logs shows the log tails'),
  )
    .option('--pod <name>', 'only this pod')
    .option('--workload <name>', 'only pods of this workload')
    .option('--search <text>', 'full-text search in crash logs')
    .option('--logs', 'print each crash with its log tail')
    .action(
      async (
        opts: Common & { pod?: string; workload?: string; search?: string; logs?: boolean },
        command: Command,
      ) => {
        const output = parseOutput(opts.output);
        const page = await withStore(command, (store) =>
          queryCrashes(store.db, store.dialect, {
            cluster: opts.cluster,
            namespace: opts.namespace,
            pod: opts.pod,
            workload: opts.workload,
            search: opts.search,
            since: time(opts.since, '--since'),
            limit: limit(opts.limit, 50),
          }),
        );
        if (output === 'json') return void process.stdout.write(JSON.stringify(page.items, null, 2) + '\n');
        if (opts.logs) {
          for (const c of page.items) {
            process.stdout.write(
              `--- ${c.cluster} ${c.namespace}/${c.pod} container ${c.container}: ${c.reason}, exit code ${c.exitCode}, restart ${c.restartCount} (${ago(c.observedAt)} ago)\n`,
            );
            process.stdout.write(
              c.logTail ? `${c.logTail.replace(/\n?$/, '\n')}` : `(no logs: ${c.logError ?? c.logStatus})\n`,
            );
          }
          return;
        }
        const rows = page.items.map((c) => [
          ago(c.observedAt),
          c.namespace,
          c.pod,
          c.container,
          c.reason,
          String(c.exitCode),
          c.covers > 1 ? `${c.restartCount} (+${c.covers})` : String(c.restartCount),
          c.logStatus,
        ]);
        process.stdout.write(
          formatTable(['seen', 'namespace', 'pod', 'container', 'reason', 'exit', 'restarts', 'logs'], rows),
        );
      },
    );

  common(
    program
      .command('pods')
      .description('pods now; --abnormal for abnormal ones, --created for recently created'),
  )
    .option('--abnormal', 'only abnormal pods, with their reasons')
    .option('--created', 'pods created in the --since window (default 1h)')
    .action(async (opts: Common & { abnormal?: boolean; created?: boolean }, command: Command) => {
      const output = parseOutput(opts.output);
      await withStore(command, async (store) => {
        if (opts.abnormal) {
          const page = await queryAbnormal(store.db, {
            cluster: opts.cluster,
            namespace: opts.namespace,
            open: opts.since === undefined,
            since: time(opts.since, '--since'),
            limit: limit(opts.limit, 500),
          });
          if (output === 'json') return void process.stdout.write(JSON.stringify(page.items, null, 2) + '\n');
          const rows = page.items.map((p) => [
            p.namespace,
            p.pod,
            p.container || '-',
            p.reason,
            ago(p.beganAt),
            p.endedAt ? `ended ${ago(p.endedAt)} ago` : 'ongoing',
            oneLine(p.message ?? '', 60),
          ]);
          return void process.stdout.write(
            formatTable(['namespace', 'pod', 'container', 'reason', 'since', 'state', 'message'], rows),
          );
        }
        if (opts.created) {
          const items = await queryLifecycle(store.db, {
            cluster: opts.cluster,
            namespace: opts.namespace,
            action: 'created',
            since: time(opts.since ?? '1h', '--since'),
            limit: limit(opts.limit, 1000),
          });
          if (output === 'json') return void process.stdout.write(JSON.stringify(items, null, 2) + '\n');
          const rows = items.map((e) => [e.namespace, e.pod, ago(e.at), e.cluster]);
          return void process.stdout.write(formatTable(['namespace', 'pod', 'created', 'cluster'], rows));
        }
        const pods = await findObjects(store.db, {
          cluster: opts.cluster,
          kind: 'Pod',
          namespace: opts.namespace,
          limit: limit(opts.limit, 10_000),
        });
        if (output === 'json') return void process.stdout.write(JSON.stringify(pods, null, 2) + '\n');
        const rows = pods.map(({ snapshot }) => {
          const p = snapshot as PodSnapshot;
          const app = p.containers.filter((c) => c.type === 'app');
          const waiting = app.find((c) => c.state.kind === 'waiting' && c.state.reason);
          const status = p.deletingAt
            ? 'Terminating'
            : waiting?.state.kind === 'waiting'
              ? (waiting.state.reason ?? p.phase)
              : (p.reason ?? p.phase);
          return [
            p.namespace,
            p.name,
            `${app.filter((c) => c.ready).length}/${app.length}`,
            status,
            String(app.reduce((n, c) => n + c.restartCount, 0)),
            p.node ?? '',
            ago(p.createdAt),
          ];
        });
        process.stdout.write(
          formatTable(['namespace', 'name', 'ready', 'status', 'restarts', 'node', 'age'], rows),
        );
      });
    });
}
