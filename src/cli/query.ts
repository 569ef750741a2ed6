// `lookout query NAME`: any catalog query, from the store (Lookout's own samples) or from the
// cluster's Prometheus, as an aligned table, JSON, or a PNG chart. Works with or without `serve`.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Config } from '../config/index.js';
import {
  CHART_SERIES,
  QUERY_CATALOG,
  QUERY_NAMES,
  isQueryName,
  type QueryName,
  type QueryParams,
  type QueryResult,
  type QuerySource,
  type SeriesResult,
  type TableResult,
} from '../domain/query.js';
import { parseDuration } from '../lib/duration.js';
import { errorMessage } from '../lib/errors.js';
import { parseTimePoint } from '../lib/time-range.js';
import { BuiltinSource } from '../metrics/builtin/builtin-source.js';
import { resolveWindow } from '../metrics/builtin/query-window.js';
import { formatCell, formatValue } from '../metrics/format.js';
import { createPrometheusClient, PrometheusSource } from '../metrics/prometheus/prometheus-source.js';
import { openStore, type Store } from '../store/index.js';
import { metricClusters } from '../store/repos/metric-repo.js';
import { silentLogger } from '../telemetry/logger.js';
import { loadConfigOrExit } from './context.js';
import { formatTable, parseOutput } from './format.js';

/** A source for one cluster, and how to let go of it. */
export interface OpenSource {
  readonly cluster: string;
  readonly source: QuerySource;
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * The source that answers for a cluster: its Prometheus when it has one, else Lookout's own
 * samples in the store. Without `--cluster`, the only configured (or, failing that, the only
 * sampled) cluster.
 */
export async function openQuerySource(config: Config, cluster: string | undefined): Promise<OpenSource> {
  const store = openStore(config.storage);
  try {
    const name = cluster ?? (await onlyCluster(config, store));
    const configured = config.clusters.find((c) => c.name === name);
    if (configured?.prometheus) {
      const client = createPrometheusClient(configured.prometheus, silentLogger());
      const p = configured.prometheus;
      const source = new PrometheusSource({
        cluster: name,
        client,
        scrapeIntervalMs: p.scrape_interval,
        nodeLabel: p.node_label,
        seriesLabels: p.series_labels,
      });
      return {
        cluster: name,
        source,
        store,
        close: async () => {
          client.close();
          await store.close();
        },
      };
    }
    const source = new BuiltinSource({
      store,
      intervalMs: config.collect.metrics.interval,
      rawRetentionMs: config.retention.metrics_raw,
    });
    return { cluster: name, source, store, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function onlyCluster(config: Config, store: Store): Promise<string> {
  if (config.clusters.length === 1) return config.clusters[0]!.name;
  const names =
    config.clusters.length > 0 ? config.clusters.map((c) => c.name) : await metricClusters(store.db);
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw new Error('no cluster is configured and Lookout has no samples yet');
  throw new Error(`several clusters: choose one with --cluster (${names.join(', ')})`);
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`${flag}: "${value}" is not a duration (examples: 30s, 5m, 6h)`);
  return ms;
}

function time(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimePoint(value);
  if (t === undefined)
    throw new Error(`${flag}: "${value}" is neither a duration (2h) nor a time (RFC 3339)`);
  return t;
}

/** A series result as a table: one row per line with its latest, lowest, average and highest value. */
export function seriesTable(result: SeriesResult): string {
  const first = result.series[0]?.labels ?? {};
  const what =
    first.container !== undefined
      ? 'container'
      : first.node !== undefined
        ? 'node'
        : first.namespace !== undefined
          ? 'namespace'
          : 'cluster';
  const fmt = (v: number | undefined): string => (v === undefined ? '–' : formatValue(v, result.unit));
  const lines = result.others ? [...result.series, result.others] : result.series;
  const rows = lines.map((s) => {
    const values = s.points.map(([, v]) => v).filter((v): v is number => v !== null);
    const avg = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
    return [
      s.name,
      fmt(values.at(-1)),
      fmt(values.length > 0 ? Math.min(...values) : undefined),
      fmt(avg),
      fmt(values.length > 0 ? Math.max(...values) : undefined),
    ];
  });
  let out = rows.length > 0 ? formatTable([what, 'now', 'min', 'avg', 'max'], rows) : 'No data.\n';
  if (result.unlimited && result.unlimited.length > 0)
    out += `No limit, not drawn (${result.unlimited.length}): ${result.unlimited.map((u) => u.name).join(', ')}\n`;
  return out;
}

/** A table result as kubectl-style columns. */
export function tableText(result: TableResult, now = Date.now()): string {
  const rows = result.rows.map((r) => result.columns.map((c) => formatCell(r[c.key] ?? null, c, 'UTC', now)));
  return rows.length > 0
    ? formatTable(
        result.columns.map((c) => c.title),
        rows,
      )
    : 'No data.\n';
}

export function notesText(result: QueryResult): string {
  return (result.notes ?? []).map((n) => `Note: ${n}\n`).join('');
}

interface QueryOptions {
  cluster?: string;
  namespace: string[];
  range?: string;
  since?: string;
  until?: string;
  step?: string;
  output?: string;
  png?: string;
  tz?: string;
  top?: string;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description(`resource queries as tables, JSON or PNG charts (${QUERY_NAMES.join(', ')})`)
    .argument('<name>', 'the query (lookout query --help lists them)')
    .option('--cluster <name>', 'the cluster (default: the only one)')
    .option('-n, --namespace <ns>', 'only this namespace (repeat or comma-separate for several)', collect, [])
    .option('--range <duration>', 'the last … (default: 1h for charts; tables answer for now)')
    .option('--since <when>', 'from this long ago (2h) or this time (RFC 3339)')
    .option('--until <when>', 'until this long ago or this time (default: now)')
    .option('--step <duration>', 'time between points (default: about 240 points)')
    .option('--top <n>', 'at most n series: the highest, the rest folded into one line (charts: 10)')
    .addOption(new Option('-o, --output <format>', 'table or json').default('table'))
    .option('--png <file>', 'write the chart as a PNG image to this file')
    .option('--tz <zone>', 'time zone of the chart (IANA name; default UTC)')
    .addHelpText(
      'after',
      `\nQueries:\n${QUERY_NAMES.map((n) => `  ${n.padEnd(22)}${QUERY_CATALOG[n].summary}`).join('\n')}\n`,
    )
    .action(async (name: string, opts: QueryOptions, command: Command) => {
      if (!isQueryName(name)) throw new Error(`unknown query "${name}" (one of: ${QUERY_NAMES.join(', ')})`);
      const output = parseOutput(opts.output);
      const config = loadConfigOrExit(command);
      const range = resolveWindow(
        name,
        {
          rangeMs: duration(opts.range, '--range'),
          since: time(opts.since, '--since'),
          until: time(opts.until, '--until'),
          stepMs: duration(opts.step, '--step'),
        },
        Date.now(),
      );
      const opened = await openQuerySource(config, opts.cluster);
      try {
        const top = opts.top !== undefined ? Number(opts.top) : opts.png ? CHART_SERIES : undefined;
        const params: QueryParams = { cluster: opened.cluster, namespaces: opts.namespace, range, top };
        const result = await runOrExplain(opened.source, name, params);
        if (opts.png) {
          const { ChartRenderer } = await import('../charts/chart-renderer.js');
          const image = await new ChartRenderer().render(result, opts.tz ? { timeZone: opts.tz } : {});
          await writeFile(opts.png, image.png);
          process.stdout.write(`Lookout wrote ${name} to ${opts.png} (${image.width}×${image.height} PNG)\n`);
          return;
        }
        if (output === 'json') return void process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        process.stdout.write(
          (result.kind === 'series' ? seriesTable(result) : tableText(result)) + notesText(result),
        );
      } finally {
        await opened.close();
      }
    });
}

/** Runs a query; a failure reads as what went wrong, not as a stack. */
export async function runOrExplain(
  source: QuerySource,
  name: QueryName,
  params: QueryParams,
): Promise<QueryResult> {
  try {
    return await source.run(name, params);
  } catch (error) {
    throw new Error(`${name}: ${errorMessage(error)}`);
  }
}
