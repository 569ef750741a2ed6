// Aggregation, retention and the hpa table of the built-in source, on SQLite and PostgreSQL:
// twelve simulated minutes of the php-apache autoscaling example sampled every 30 s, rolled up
// into 5-minute buckets that hold exactly the average and peak of their ticks, raw samples
// removed past their retention (but only once rolled up), long ranges answered from the
// aggregates, and scale events read from the stored SuccessfulRescale events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Point, SeriesResult, TableResult } from '../../src/domain/query.js';
import { MetricsMaintenance } from '../../src/metrics/builtin/maintenance.js';
import { ROLLUP_WATERMARK } from '../../src/metrics/builtin/poller.js';
import type { Store } from '../../src/store/index.js';
import { queryEvents } from '../../src/store/repos/event-repo.js';
import { readWatermark, writeWatermark } from '../../src/store/repos/metric-repo.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { STORE_TARGETS } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness, type Served } from './builtin-harness.js';

const dir = tempDir('lookout-rollup-');
afterAll(() => dir.remove());

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const RAW_RETENTION = 6 * MIN;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are read loosely
type Json = any;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(STORE_TARGETS)('rollup, retention and hpa on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;
  const ticks: Served[] = [];

  beforeAll(async () => {
    const db = await target.create();
    store = db.open();
    cleanup = () => db.cleanup();
    h = await startHarness({
      scenario: 'hpa-load',
      store,
      dir: dir.path,
      rawRetentionMs: RAW_RETENTION,
      startMs: T0,
    });
    ticks.push((await h.step(0)).served);
    for (let i = 0; i < 24; i++) ticks.push((await h.step(INTERVAL_MS)).served);
    expect(h.clock.now()).toBe(T0 + 12 * MIN);
    await h.maintenance.runOnce();
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await store?.close();
    await cleanup?.();
  });

  const inBucket = (start: number): Served[] => ticks.filter((t) => t.at >= start && t.at < start + 5 * MIN);
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

  it('rolls each completed 5-minute bucket into the count, average and peak of its ticks', async () => {
    const rows = await store.db
      .selectFrom('metric_samples_5m as a')
      .innerJoin('metric_series as s', 's.id', 'a.series_id')
      .select([
        's.name',
        'a.ts',
        'a.n',
        'a.cpu_avg',
        'a.cpu_max',
        'a.memory_avg',
        'a.memory_max',
        'a.cpu_capacity',
      ])
      .where('s.kind', '=', 'node')
      .orderBy('s.name')
      .orderBy('a.ts')
      .execute();
    const nodes = [...ticks[0]!.nodes.keys()].sort();
    // 09:10 is still open at 09:12 (its ticks may not all be stored): only two buckets.
    expect(rows.map((r) => [r.name, Number(r.ts)])).toEqual(
      nodes.flatMap((n) => [
        [n, T0],
        [n, T0 + 5 * MIN],
      ]),
    );
    for (const r of rows) {
      const samples = inBucket(Number(r.ts)).map((t) => t.nodes.get(r.name)!);
      expect(Number(r.n)).toBe(10);
      expect(Number(r.cpu_avg)).toBe(Math.round(mean(samples.map((s) => s.cpu!))));
      expect(Number(r.cpu_max)).toBe(Math.max(...samples.map((s) => s.cpu!)));
      expect(Number(r.memory_avg)).toBe(Math.round(mean(samples.map((s) => s.memory!))));
      expect(Number(r.memory_max)).toBe(Math.max(...samples.map((s) => s.memory!)));
      expect(Number(r.cpu_capacity)).toBe(samples[0]!.capacity.cpu);
    }
  });

  it('removes raw samples past their retention, keeping the rest', async () => {
    const ts = await store.db.selectFrom('metric_samples').select('ts').distinct().orderBy('ts').execute();
    const expected = ticks.filter((t) => t.at >= T0 + 12 * MIN - RAW_RETENTION).map((t) => t.at);
    expect(ts.map((r) => Number(r.ts))).toEqual(expected);
  });

  it('answers a range older than the raw retention from the aggregates, and the rest from raw samples', async () => {
    const range = { start: T0 + 5 * MIN, end: T0 + 12 * MIN, stepMs: MIN };
    const result = (await h.source.run('node-cpu', { cluster: CLUSTER, range })) as SeriesResult;
    const node = [...ticks[0]!.nodes.keys()].sort()[0]!;
    const line = result.series.find((s) => s.name === node)!;
    const capacity = ticks[0]!.nodes.get(node)!.capacity.cpu;
    const cpuAt = (t: number): number => ticks.find((x) => x.at === t)!.nodes.get(node)!.cpu!;
    const bucketPercent = (start: number): number =>
      (100 * Math.round(mean(inBucket(start).map((t) => t.nodes.get(node)!.cpu!)))) / capacity;
    const first = bucketPercent(T0);
    const points = new Map<number, Point[1]>(line.points.map(([t, v]) => [t, v]));
    // The first bucket stands at its end (09:05) and carries over the minutes after it.
    // Aggregates travel as millionths of a percent.
    for (const m of [5, 6, 7, 8, 9]) expect(points.get(T0 + m * MIN)).toBeCloseTo(first, 6);
    // 09:10: the second bucket plus the raw tick at 09:10:00, weighted by sample count.
    const tenth = (bucketPercent(T0 + 5 * MIN) * 10 + (100 * cpuAt(T0 + 10 * MIN)) / capacity) / 11;
    expect(points.get(T0 + 10 * MIN)).toBeCloseTo(tenth, 6);
    // After the watermark: the raw ticks of each minute, averaged.
    for (const m of [11, 12]) {
      const raw = [T0 + m * MIN - INTERVAL_MS, T0 + m * MIN].map((t) => (100 * cpuAt(t)) / capacity);
      expect(points.get(T0 + m * MIN)).toBeCloseTo(mean(raw), 9);
    }
  });

  it('pods-running over aggregates takes the highest count of each step', async () => {
    const range = { start: T0 + 5 * MIN, end: T0 + 10 * MIN, stepMs: 5 * MIN };
    const result = (await h.source.run('pods-running', {
      cluster: CLUSTER,
      range,
      namespaces: ['default'],
    })) as SeriesResult;
    const running = (s: Served): number =>
      s.pods.filter((p) => p.namespace === 'default' && p.phase === 'Running').length;
    const peak = (from: number, to: number): number =>
      Math.max(...ticks.filter((t) => t.at >= from && t.at <= to).map(running));
    expect(result.series.map((s) => s.name)).toEqual(['default']);
    expect(result.series[0]!.points).toEqual([
      [T0 + 5 * MIN, peak(T0, T0 + 5 * MIN - 1)],
      [T0 + 10 * MIN, peak(T0 + 5 * MIN, T0 + 10 * MIN)],
    ]);
    // The autoscaler ran four replicas plus the load generator at the peak.
    expect(result.series[0]!.points[0]![1]).toBeGreaterThanOrEqual(5);
  });

  it('hpa: the autoscaler as kubectl get hpa shows it, with its last scale events from the stored events', async () => {
    const events = await until('both SuccessfulRescale events stored', async () => {
      const page = await queryEvents(store.db, store.dialect, {
        cluster: CLUSTER,
        reason: 'SuccessfulRescale',
      });
      return page.items.length >= 2 ? page.items : undefined;
    });
    const wire = h.sim.store.get('autoscaling/horizontalpodautoscalers', 'default', 'php-apache') as Json;
    const rescales = (h.sim.store.list('events', { namespace: 'default' }).items as Json[])
      .filter((e) => e.reason === 'SuccessfulRescale')
      .sort((a, b) => Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp));
    expect(rescales.map((e) => e.message)).toEqual([
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'New size: 1; reason: All metrics below target',
    ]);
    expect(events).toHaveLength(2);
    const result = (await h.source.run('hpa', { cluster: CLUSTER, range: 'now' })) as TableResult;
    const current = wire.status.currentMetrics?.[0]?.resource?.current?.averageUtilization as number;
    const target = wire.spec.metrics[0].resource.target.averageUtilization as number;
    expect(result.rows).toEqual([
      {
        namespace: 'default',
        hpa: 'php-apache',
        reference: 'Deployment/php-apache',
        targets: `cpu: ${current}%/${target}%`,
        cpu_utilisation: current,
        cpu_target: target,
        replicas: wire.status.currentReplicas,
        desired: wire.status.desiredReplicas,
        min: 1,
        max: 4,
        last_scale: [
          {
            at: Date.parse(rescales[1].lastTimestamp),
            from: 4,
            to: 1,
            reason: 'All metrics below target',
          },
          {
            at: Date.parse(rescales[0].lastTimestamp),
            from: null,
            to: 4,
            reason: 'cpu resource utilization (percentage of request) above target',
          },
        ],
      },
    ]);
    // A range that ends before the scale-down shows only the scale-up.
    const earlier = (await h.source.run('hpa', {
      cluster: CLUSTER,
      range: { start: T0, end: T0 + 6 * MIN, stepMs: MIN },
    })) as TableResult;
    expect((earlier.rows[0]!.last_scale as unknown[]).length).toBe(1);
  });

  it('rolling up a bucket again (a pass cut short, then repeated) changes nothing', async () => {
    const before = await store.db
      .selectFrom('metric_samples_5m')
      .selectAll()
      .orderBy('series_id')
      .orderBy('ts')
      .execute();
    await writeWatermark(store.db, ROLLUP_WATERMARK, T0);
    await h.maintenance.runOnce();
    expect(await readWatermark(store.db, ROLLUP_WATERMARK)).toBe(T0 + 10 * MIN);
    const after = await store.db
      .selectFrom('metric_samples_5m')
      .selectAll()
      .orderBy('series_id')
      .orderBy('ts')
      .execute();
    expect(after).toEqual(before);
  });

  it('drops aggregates and idle series past the aggregate retention', async () => {
    const later = new MetricsMaintenance({
      store,
      rawRetentionMs: RAW_RETENTION,
      aggregateRetentionMs: 30 * 24 * 3600_000,
      intervalMs: INTERVAL_MS,
      log: silentLogger(),
      now: () => T0 + 31 * 24 * 3600_000,
    });
    const result = await later.runOnce();
    expect(result.seriesRemoved).toBeGreaterThan(0);
    const count = async (table: 'metric_samples' | 'metric_samples_5m' | 'metric_series'): Promise<number> =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('metric_samples')).toBe(0);
    expect(await count('metric_samples_5m')).toBe(0);
    expect(await count('metric_series')).toBe(0);
  });
});
