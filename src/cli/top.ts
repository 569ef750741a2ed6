// `lookout top nodes|pods`: what `kubectl top` prints — from Lookout's latest samples (or the
// cluster's Prometheus), so it works without a metrics-server round trip and without `serve` —
// plus requests and limits as percentages.
import type { Command } from 'commander';
import { Option } from 'commander';
import { isAbsent, type Cell, type TableResult } from '../domain/query.js';
import { loadConfigOrExit } from './context.js';
import { formatTable, parseOutput } from './format.js';
import { notesText, openQuerySource, runOrExplain } from './query.js';

function text(cell: Cell | undefined): string {
  return typeof cell === 'string' ? cell : '';
}

/** CPU as kubectl top prints it: whole millicores, rounded up. */
export function kubectlCpu(cell: Cell): string {
  return typeof cell === 'number' ? `${Math.ceil(Math.round(cell * 1e9) / 1e6)}m` : '<unknown>';
}

/** Memory as kubectl top prints it: whole mebibytes, rounded down. */
export function kubectlMemory(cell: Cell): string {
  return typeof cell === 'number' ? `${Math.floor(cell / 2 ** 20)}Mi` : '<unknown>';
}

/** A percentage as kubectl top prints it: whole percent, truncated; why there is none otherwise. */
export function kubectlPercent(cell: Cell): string {
  if (typeof cell === 'number') return `${Math.floor(cell)}%`;
  if (cell !== null && isAbsent(cell)) return cell.absent === 'no-limit' ? 'no limit' : 'no request';
  return '<unknown>';
}

export function topNodesText(result: TableResult): string {
  const rows = result.rows.map((r) => [
    text(r.node),
    kubectlCpu(r.cpu ?? null),
    kubectlPercent(r.cpu_percent ?? null),
    kubectlMemory(r.memory ?? null),
    kubectlPercent(r.memory_percent ?? null),
    kubectlPercent(r.cpu_requests_percent ?? null),
    kubectlPercent(r.cpu_limits_percent ?? null),
    kubectlPercent(r.memory_requests_percent ?? null),
    kubectlPercent(r.memory_limits_percent ?? null),
  ]);
  return formatTable(
    [
      'name',
      'cpu(cores)',
      'cpu%',
      'memory(bytes)',
      'memory%',
      'cpu req%',
      'cpu lim%',
      'mem req%',
      'mem lim%',
    ],
    rows,
  );
}

export function topPodsText(result: TableResult, withNamespace: boolean): string {
  const rows = result.rows.map((r) => [
    ...(withNamespace ? [text(r.namespace)] : []),
    text(r.pod),
    kubectlCpu(r.cpu ?? null),
    kubectlMemory(r.memory ?? null),
    kubectlPercent(r.cpu_of_request ?? null),
    kubectlPercent(r.cpu_of_limit ?? null),
    kubectlPercent(r.memory_of_request ?? null),
    kubectlPercent(r.memory_of_limit ?? null),
  ]);
  return formatTable(
    [
      ...(withNamespace ? ['namespace'] : []),
      'name',
      'cpu(cores)',
      'memory(bytes)',
      'cpu/req',
      'cpu/lim',
      'mem/req',
      'mem/lim',
    ],
    rows,
  );
}

interface TopOptions {
  cluster?: string;
  namespace?: string;
  output?: string;
}

export function registerTop(program: Command): void {
  const top = program
    .command('top')
    .description(
      'CPU and memory of nodes or pods, as kubectl top prints them, plus % of requests and limits',
    );
  const common = (command: Command): Command =>
    command
      .option('--cluster <name>', 'the cluster (default: the only one)')
      .addOption(new Option('-o, --output <format>', 'table or json').default('table'));

  common(top.command('nodes').alias('node').description('usage of every node')).action(
    async (opts: TopOptions, command: Command) => {
      const output = parseOutput(opts.output);
      const opened = await openQuerySource(loadConfigOrExit(command), opts.cluster);
      try {
        const result = (await runOrExplain(opened.source, 'top-nodes', {
          cluster: opened.cluster,
          range: 'now',
        })) as TableResult;
        if (output === 'json') return void process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        process.stdout.write(
          (result.rows.length > 0 ? topNodesText(result) : 'No nodes.\n') + notesText(result),
        );
      } finally {
        await opened.close();
      }
    },
  );

  common(
    top
      .command('pods')
      .alias('pod')
      .description('usage of every pod that reports usage')
      .option('-n, --namespace <ns>', 'only this namespace (default: all namespaces)'),
  ).action(async (opts: TopOptions, command: Command) => {
    const output = parseOutput(opts.output);
    const opened = await openQuerySource(loadConfigOrExit(command), opts.cluster);
    try {
      const result = (await runOrExplain(opened.source, 'top-pods', {
        cluster: opened.cluster,
        namespaces: opts.namespace ? [opts.namespace] : [],
        range: 'now',
      })) as TableResult;
      if (output === 'json') return void process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      process.stdout.write(
        (result.rows.length > 0
          ? topPodsText(result, opts.namespace === undefined)
          : `No pods${opts.namespace ? ` in namespace ${opts.namespace}` : ''} report usage.\n`) +
          notesText(result),
      );
    } finally {
      await opened.close();
    }
  });
}
