// Benchmark: the built-in source's 24-hour queries over the `big` scenario (1,000 nodes, ~10,000
// pods). The series are the ones Lookout's poller makes of that cluster (the simulator's
// objects joined by the production tick builder); 24 h of samples every 30 s are generated
// with a realistic shape (daily wave, noise, per-container levels from requests and limits),
// inserted in batches, rolled up by the production rollup; then each catalog query is timed
// over the last 24 h at the default ~240 points, as charts, the web UI and the bot ask it (at
// most ten lines: `top=10`). Target: under 200 ms per query. The series queries are also timed
// answering every series (what an export through the API asks), for information.
// Run: npx tsx bench/queries.ts [hours=24] [sqlite|postgres] [iterations=7]
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { MetricsReading } from '../src/cluster/metrics-api.js';
import { normalize } from '../src/cluster/normalize.js';
import {
  CHART_SERIES,
  QUERY_CATALOG,
  QUERY_NAMES,
  rangeEndingAt,
  type QueryName,
} from '../src/domain/query.js';
import type { WatchedKind } from '../src/domain/kube.js';
import { ClusterState } from '../src/history/cluster-state.js';
import { BuiltinSource } from '../src/metrics/builtin/builtin-source.js';
import { MetricsMaintenance } from '../src/metrics/builtin/maintenance.js';
import { ROLLUP_WATERMARK, storeTickLeaders } from '../src/metrics/builtin/poller.js';
import { buildTick, type TickRow } from '../src/metrics/builtin/tick.js';
import { openPostgresStore, openSqliteStore, type Store } from '../src/store/index.js';
import {
  BUCKET_MS,
  initWatermark,
  insertSamples,
  insertSeries,
  loadSeriesIds,
  readWatermark,
  seriesKeyString,
  type SampleRow,
  type SampleValues,
} from '../src/store/repos/metric-repo.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { createTempDatabase } from '../test/support/postgres.js';
import { tempDir } from '../test/support/tmp.js';
import type { BenchResult } from './report.js';

const TARGET_MS = 200;
const INTERVAL_MS = 30_000;
const CLUSTER = 'big';

/** A small seeded generator (mulberry32): the same data on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The rows one tick of the `big` cluster produces (usage still to be filled in). */
async function bigTemplate(): Promise<TickRow[]> {
  const { SimCluster } = await import('../src/sim/cluster.js');
  const sim = new SimCluster({ scenario: 'big' });
  await sim.start();
  try {
    const state = new ClusterState(CLUSTER);
    const kinds: Array<[string, WatchedKind]> = [
      ['nodes', 'Node'],
      ['pods', 'Pod'],
    ];
    for (const [resource, kind] of kinds) {
      for (const item of sim.store.list(resource).items) {
        const n = normalize(kind, item);
        if (n.ok) state.set(n.snapshot);
      }
    }
    // Every node and running container reports usage, as metrics-server would.
    const reading: MetricsReading = {
      nodes: state.nodes().map((n) => ({ node: n.name, cpuNanos: 0, memoryBytes: 0 })),
      pods: state
        .pods()
        .filter((p) => p.phase === 'Running')
        .map((p) => ({
          namespace: p.namespace,
          pod: p.name,
          containers: p.containers
            .filter((c) => c.type === 'app')
            .map((c) => ({ name: c.name, cpuNanos: 0, memoryBytes: 0 })),
        })),
      skipped: 0,
    };
    return [...buildTick(state, reading, 0).rows];
  } finally {
    await sim.stop();
  }
}

interface Generated {
  readonly rows: number;
  readonly series: number;
  readonly insertMs: number;
}

/** Writes `ticks` samples of every series, series after series, in batches. */
async function generate(store: Store, template: TickRow[], end: number, ticks: number): Promise<Generated> {
  await insertSeries(store.db, CLUSTER, template, end);
  const ids = await loadSeriesIds(store.db, CLUSTER);
  const start = end - (ticks - 1) * INTERVAL_MS;
  await initWatermark(store.db, ROLLUP_WATERMARK, Math.floor(start / BUCKET_MS) * BUCKET_MS);
  const rnd = random(7);
  const day = 24 * 3600_000;
  const clusterCpu = new Float64Array(ticks);
  const clusterMemory = new Float64Array(ticks);
  let rows = 0;
  const t0 = performance.now();
  // Containers first (their sums make the cluster series), then everything else.
  const ordered = [...template].sort((a, b) => order(a) - order(b));
  for (const row of ordered) {
    const id = ids.get(seriesKeyString(row))!;
    const v = row.values;
    const phase = rnd() * day;
    const level = 0.3 + rnd() * 0.9;
    const batch: SampleRow[] = [];
    for (let i = 0; i < ticks; i++) {
      const ts = start + i * INTERVAL_MS;
      const wave = 1 + 0.3 * Math.sin((2 * Math.PI * (ts + phase)) / day) + 0.08 * (rnd() - 0.5);
      const values: SampleValues = { ...v };
      if (row.kind === 'container') {
        const cpuBase = (v.cpu_request ?? 50_000_000) * level;
        const memBase = (v.memory_request ?? 64 * 2 ** 20) * (0.6 + level * 0.6);
        let cpu = Math.round(cpuBase * wave);
        let memory = Math.round(memBase * (0.95 + 0.1 * wave) + rnd() * 2 ** 20);
        if (v.cpu_limit) cpu = Math.min(cpu, v.cpu_limit);
        if (v.memory_limit) memory = Math.min(memory, v.memory_limit);
        values.cpu = cpu;
        values.memory = memory;
        clusterCpu[i]! += cpu;
        clusterMemory[i]! += memory;
      } else if (row.kind === 'node') {
        values.cpu = Math.round((v.cpu_capacity ?? 8e9) * (0.15 + 0.25 * level * wave));
        values.memory = Math.round((v.memory_capacity ?? 32 * 2 ** 30) * (0.3 + 0.3 * level * wave));
      } else if (row.kind === 'namespace') {
        const dip = rnd() < 0.002 ? 1 + Math.floor(rnd() * 3) : 0;
        values.running = (v.running ?? 0) - dip;
        values.abnormal = (v.abnormal ?? 0) + dip;
      } else {
        values.cpu = Math.round(clusterCpu[i]!);
        values.memory = Math.round(clusterMemory[i]!);
      }
      batch.push({ seriesId: id, ts, values });
      if (batch.length === 2000) {
        await insertSamples(store.db, batch);
        rows += batch.length;
        batch.length = 0;
      }
    }
    await insertSamples(store.db, batch);
    rows += batch.length;
  }
  return { rows, series: template.length, insertMs: performance.now() - t0 };
}

function order(row: TickRow): number {
  return row.kind === 'container' ? 0 : row.kind === 'cluster' ? 2 : 1;
}

export interface QueriesBenchOptions {
  readonly hours?: number;
  readonly dialect?: 'sqlite' | 'postgres';
  readonly iterations?: number;
  readonly log?: (line: string) => void;
  /**
   * Keep the SQLite database at this path; when it already holds a generated history, the
   * queries run against it without generating again (for looking into query times).
   */
  readonly keepAt?: string;
}

/** Generates the history and rolls it up; returns the instant the queries run at. */
async function prepare(
  store: Store,
  hours: number,
  dialect: string,
  say: (line: string) => void,
  results: BenchResult[],
): Promise<number> {
  say('building the big scenario’s series…');
  const template = await bigTemplate();
  const ticks = Math.round((hours * 3600_000) / INTERVAL_MS) + 1;
  const end = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
  say(
    `writing ${hours} h of samples of ${template.length.toLocaleString('en')} series (${ticks} ticks each)…`,
  );
  const generated = await generate(store, template, end, ticks);
  results.push({
    name: `metrics: bulk insert (${dialect})`,
    value: Math.round(generated.rows / (generated.insertMs / 1000)),
    unit: 'samples/s',
    detail: `${generated.rows.toLocaleString('en')} samples of ${generated.series.toLocaleString('en')} series in ${(generated.insertMs / 1000).toFixed(1)} s, batches of 2,000`,
  });

  // One live tick into the full table: what the poller writes every 30 s.
  const ids = await loadSeriesIds(store.db, CLUSTER);
  const liveTick = template.map((r) => ({
    seriesId: ids.get(seriesKeyString(r))!,
    ts: end + INTERVAL_MS,
    values: r.values,
  }));
  const t1 = performance.now();
  await insertSamples(store.db, liveTick);
  await storeTickLeaders(
    store.db,
    CLUSTER,
    end + INTERVAL_MS,
    template.map((r, i) => ({ seriesId: liveTick[i]!.seriesId, kind: r.kind, values: r.values })),
  );
  results.push({
    name: `metrics: one tick of the big cluster (${dialect})`,
    value: Math.round(performance.now() - t1),
    unit: 'ms',
    detail: `${liveTick.length.toLocaleString('en')} samples into a table holding ${hours} h, statements of 500 rows`,
  });

  const now = end + 2 * INTERVAL_MS;
  const maintenance = new MetricsMaintenance({
    store,
    rawRetentionMs: (hours + 1) * 3600_000,
    aggregateRetentionMs: 30 * 24 * 3600_000,
    intervalMs: INTERVAL_MS,
    log: silentLogger(),
    now: () => now,
  });
  say('rolling up…');
  const t2 = performance.now();
  await maintenance.runOnce();
  results.push({
    name: `metrics: rollup of ${hours} h into 5-minute aggregates (${dialect})`,
    value: Math.round(performance.now() - t2),
    unit: 'ms',
    detail: `${Math.round((hours * 60) / 5)} buckets × ${generated.series.toLocaleString('en')} series at once (catching up); steady state rolls one bucket per pass`,
  });
  await store.optimize();
  return now;
}

export async function queriesBench(options: QueriesBenchOptions = {}): Promise<BenchResult[]> {
  const hours = options.hours ?? 24;
  const dialect = options.dialect ?? 'sqlite';
  const iterations = options.iterations ?? 7;
  const say = options.log ?? ((line: string) => console.error(line));
  const dir = tempDir('lookout-bench-queries-');
  const pg = dialect === 'postgres' ? await createTempDatabase('lookout_bench') : undefined;
  const store = pg
    ? openPostgresStore(pg.url)
    : openSqliteStore(options.keepAt ?? join(dir.path, 'metrics.db'));
  const results: BenchResult[] = [];
  try {
    await store.migrate();
    const rolled = await readWatermark(store.db, ROLLUP_WATERMARK);
    const now =
      options.keepAt && rolled !== undefined
        ? rolled + 2 * INTERVAL_MS
        : await prepare(store, hours, dialect, say, results);
    if (options.keepAt && rolled !== undefined) {
      // A kept database made by an older build may lack what its maintenance adds (leaders).
      await new MetricsMaintenance({
        store,
        rawRetentionMs: (hours + 1) * 3600_000,
        aggregateRetentionMs: 30 * 24 * 3600_000,
        intervalMs: INTERVAL_MS,
        log: silentLogger(),
        now: () => now,
      }).runOnce();
    }
    const source = new BuiltinSource({
      store,
      intervalMs: INTERVAL_MS,
      rawRetentionMs: hours * 3600_000,
      now: () => now,
    });
    const range = rangeEndingAt(now, hours * 3600_000);
    const cases: Array<{ name: QueryName; namespaces?: string[]; top?: number; full?: boolean }> = [];
    for (const name of QUERY_NAMES) {
      const series = QUERY_CATALOG[name].kind === 'series';
      const top = series ? CHART_SERIES : undefined;
      cases.push({ name, top });
      if (QUERY_CATALOG[name].scope === 'namespace') cases.push({ name, namespaces: ['team-01'], top });
      if (series) cases.push({ name, full: true });
    }
    say(
      `load average before the queries: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    for (const c of cases) {
      const params = { cluster: CLUSTER, namespaces: c.namespaces, range, top: c.top };
      const first = await source.run(c.name, params); // warm-up (and the size of the answer)
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        await source.run(c.name, params);
        times.push(performance.now() - t);
        const used = process.cpuUsage(c0);
        cpu.push((used.user + used.system) / 1000);
      }
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      const cpu50 = percentile(cpu, 50);
      const size =
        first.kind === 'series'
          ? `${first.series.length.toLocaleString('en')} series × ${first.series[0]?.points.length ?? 0} points${
              first.others ? ` and "${first.others.name}"` : ''
            }`
          : `${first.rows.length.toLocaleString('en')} rows`;
      const label = `${c.name}${c.namespaces ? ` -n ${c.namespaces.join(',')}` : ''}${
        c.full ? ' (every series)' : ''
      }`;
      say(
        `${label.padEnd(30)} p50 ${p50.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   cpu p50 ${cpu50.toFixed(1).padStart(7)} ms   ${size}`,
      );
      results.push({
        name: `query ${label}, ${hours} h (${dialect})`,
        value: Math.round(p95 * 10) / 10,
        unit: 'ms p95',
        ...(c.full ? {} : { target: `< ${TARGET_MS} ms`, pass: p95 < TARGET_MS }),
        detail: `p50 ${p50.toFixed(1)} ms, CPU p50 ${cpu50.toFixed(1)} ms; ${size}`,
      });
    }
    say(
      `load average after the queries: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    return results;
  } finally {
    await store.close();
    await pg?.drop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const hours = Number(process.argv[2] ?? 24);
  const dialect = (process.argv[3] ?? 'sqlite') as 'sqlite' | 'postgres';
  const iterations = Number(process.argv[4] ?? 7);
  const keepAt = process.argv[5];
  const results = await queriesBench({ hours, dialect, iterations, ...(keepAt ? { keepAt } : {}) });
  for (const r of results)
    console.log(
      `${r.pass === false ? 'MISS' : r.pass ? 'PASS' : '    '}  ${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target})` : ''}${r.detail ? ` — ${r.detail}` : ''}`,
    );
  process.exit(0);
}
