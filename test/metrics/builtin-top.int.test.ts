// `top` on the built-in source, on SQLite and PostgreSQL: a wide query cut to a few lines is
// answered from the bucket leaders and the shown series' own samples, and gives what folding
// the full answer gives — the same series, points, folded line and containers without a limit
// — on a range whose steps are the 5-minute buckets of a cluster where nothing comes or goes.
// (Where containers stop, the full answer carries their last value a little further.) On a new
// database the leaders start with the first tick, so the wide queries take that way before any
// rollup; answers that read every series (a namespace filter, queries without leaders) fold it
// exactly as foldSeries does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryName, SeriesResult } from '../../src/domain/query.js';
import { LEADERS_WATERMARK, ROLLUP_WATERMARK, startWatermarks } from '../../src/metrics/builtin/poller.js';
import { foldSeries, peakOf } from '../../src/metrics/fold-series.js';
import type { Store } from '../../src/store/index.js';
import { readWatermark } from '../../src/store/repos/metric-repo.js';
import { STORE_TARGETS, type StoreTarget } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness } from './builtin-harness.js';

const dir = tempDir('lookout-top-');
afterAll(() => dir.remove());

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const TOP = 4;

/**
 * A harness on a fresh database of `target`, ticked `ticks` intervals after the first, with
 * one rollup pass at the end when `rollup` is set; closed after the describe block.
 */
function tickedHarness(
  target: StoreTarget,
  ticks: number,
  rollup: boolean,
): { readonly store: Store; readonly h: Harness } {
  const state = {} as { store: Store; h: Harness; cleanup?: () => Promise<void> };
  beforeAll(async () => {
    const db = await target.create();
    state.store = db.open();
    state.cleanup = () => db.cleanup();
    state.h = await startHarness({ scenario: 'steady', store: state.store, dir: dir.path, startMs: T0 });
    await state.h.step(0);
    for (let i = 0; i < ticks; i++) await state.h.step(INTERVAL_MS);
    if (rollup) await state.h.maintenance.runOnce();
  }, 240_000);
  afterAll(async () => {
    await state.h?.close();
    await state.store?.close();
    await state.cleanup?.();
  });
  return state;
}

describe.each(STORE_TARGETS)('top on $name', (target) => {
  const ctx = tickedHarness(target, 50, true);

  it('ranks every rolled-up bucket', async () => {
    const rolled = await readWatermark(ctx.store.db, ROLLUP_WATERMARK);
    expect(rolled).toBeGreaterThan(T0 + 15 * MIN);
    expect(await readWatermark(ctx.store.db, LEADERS_WATERMARK)).toBe(rolled);
    const rows = await ctx.store.db
      .selectFrom('metric_leaders')
      .select(['query', 'ts'])
      .where('query', '=', 'container-memory')
      .execute();
    expect(new Set(rows.map((r) => Number(r.ts))).size).toBe((rolled! - T0) / (5 * MIN));
  });

  it.each<QueryName>(['container-memory', 'container-cpu', 'node-cpu', 'node-memory'])(
    '%s with top gives what folding every series gives',
    async (name) => {
      const rolled = (await readWatermark(ctx.store.db, ROLLUP_WATERMARK))!;
      // Ending just before the rollup's watermark: every step holds exactly one bucket.
      const range = { start: rolled - 1 - 15 * MIN, end: rolled - 1, stepMs: 5 * MIN };
      const full = (await ctx.h.source.run(name, { cluster: CLUSTER, range })) as SeriesResult;
      const cut = (await ctx.h.source.run(name, { cluster: CLUSTER, range, top: TOP })) as SeriesResult;
      const folded = foldSeries(full.series, full.unit, TOP);
      expect(cut.series).toEqual(folded.shown);
      expect(cut.others).toEqual(folded.others);
      expect(cut.unlimited).toEqual(full.unlimited);
      if (name === 'container-memory') {
        // The scenario has enough containers for the cut to matter.
        expect(full.series.length).toBeGreaterThan(TOP);
        expect(cut.others?.count).toBe(full.series.length - (TOP - 1));
      }
    },
  );

  it.each<[QueryName, number]>([
    ['container-memory', TOP],
    ['container-memory', 2],
    ['pods-running', 2],
  ])('%s read in full and cut to top %i folds as foldSeries does', async (name, top) => {
    const now = ctx.h.clock.now();
    // Raw ticks and buckets; a namespace filter (or a query without leaders) reads every series.
    const range = { start: now - 20 * MIN, end: now, stepMs: INTERVAL_MS };
    const namespaces = name.startsWith('container') ? ['shop'] : [];
    const full = (await ctx.h.source.run(name, { cluster: CLUSTER, range, namespaces })) as SeriesResult;
    const cut = (await ctx.h.source.run(name, { cluster: CLUSTER, range, namespaces, top })) as SeriesResult;
    expect(full.series.length).toBeGreaterThan(top);
    const folded = foldSeries(full.series, full.unit, top);
    expect(cut.series).toEqual(folded.shown);
    expect(cut.others).toEqual(folded.others);
    expect(cut.unlimited).toEqual(full.unlimited);
  });

  it('carries the folded line up to the latest tick, past the rollup', async () => {
    const now = ctx.h.clock.now();
    const range = { start: now - 30 * MIN, end: now, stepMs: INTERVAL_MS };
    const cut = (await ctx.h.source.run('container-memory', {
      cluster: CLUSTER,
      range,
      top: TOP,
    })) as SeriesResult;
    expect(cut.series).toHaveLength(TOP - 1);
    const last = cut.others!.points.at(-1)!;
    expect(last[0]).toBe(now);
    expect(last[1]).not.toBeNull();
    // A folded series never peaks above a shown one: the folded line stays under every shown peak.
    const othersPeak = peakOf(cut.others!.points);
    for (const s of cut.series) expect(peakOf(s.points)).toBeGreaterThanOrEqual(othersPeak - 1e-6);
  });
});

describe.each(STORE_TARGETS)('top on a new database, before any rollup, on $name', (target) => {
  const ctx = tickedHarness(target, 12, false);

  it('starts the leaders where the first tick starts the rollup', async () => {
    expect(await readWatermark(ctx.store.db, ROLLUP_WATERMARK)).toBe(T0);
    expect(await readWatermark(ctx.store.db, LEADERS_WATERMARK)).toBe(T0);
    expect(await ctx.store.db.selectFrom('metric_samples_5m').select('ts').execute()).toEqual([]);
  });

  it.each<QueryName>(['container-memory', 'container-cpu', 'node-cpu', 'node-memory'])(
    '%s with top gives what folding every series gives, from the tick leaders',
    async (name) => {
      const now = ctx.h.clock.now();
      const range = { start: now - 5 * MIN, end: now, stepMs: INTERVAL_MS };
      const full = (await ctx.h.source.run(name, { cluster: CLUSTER, range })) as SeriesResult;
      const cut = (await ctx.h.source.run(name, { cluster: CLUSTER, range, top: TOP })) as SeriesResult;
      const folded = foldSeries(full.series, full.unit, TOP);
      expect(cut.series).toEqual(folded.shown);
      expect(cut.unlimited).toEqual(full.unlimited);
      if (name === 'container-cpu') expect(cut.unlimited!.length).toBeGreaterThan(0);
      // Leaders hold millionths of the raw values.
      expect(cut.others?.name).toBe(folded.others?.name);
      expect(cut.others?.count).toBe(folded.others?.count);
      const points = cut.others?.points ?? [];
      expect(points.map(([t]) => t)).toEqual((folded.others?.points ?? []).map(([t]) => t));
      points.forEach(([, v], i) => expect(v).toBeCloseTo(folded.others!.points[i]![1]!, 5));
      if (name === 'container-memory') expect(points.length).toBeGreaterThan(0);
    },
  );

  it('reads the tick leaders rather than every series', async () => {
    const now = ctx.h.clock.now();
    const range = { start: now - 5 * MIN, end: now, stepMs: INTERVAL_MS };
    await ctx.store.db.deleteFrom('metric_leaders').where('query', '=', 'container-memory@tick').execute();
    const cut = (await ctx.h.source.run('container-memory', {
      cluster: CLUSTER,
      range,
      top: TOP,
    })) as SeriesResult;
    // With no leaders, nothing ranks: no line is shown and nothing is folded.
    expect(cut.series).toEqual([]);
    expect(cut.others).toBeUndefined();
  });

  it('leaves a rollup that started before alone: the maintenance ranks what it rolled up', async () => {
    await startWatermarks(ctx.store.db, T0 + 60 * MIN);
    expect(await readWatermark(ctx.store.db, ROLLUP_WATERMARK)).toBe(T0);
    expect(await readWatermark(ctx.store.db, LEADERS_WATERMARK)).toBe(T0);
    // A database rolled up before leaders existed.
    await ctx.store.db.deleteFrom('metric_watermarks').where('name', '=', LEADERS_WATERMARK).execute();
    await startWatermarks(ctx.store.db, T0 + 60 * MIN);
    expect(await readWatermark(ctx.store.db, ROLLUP_WATERMARK)).toBe(T0);
    expect(await readWatermark(ctx.store.db, LEADERS_WATERMARK)).toBeUndefined();
  });
});
