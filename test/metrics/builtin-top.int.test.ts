// `top` on the built-in source, on SQLite and PostgreSQL: a wide query cut to a few lines is
// answered from the bucket leaders and the shown series' own samples, and gives what folding
// the full answer gives — the same series, points, folded line and containers without a limit
// — on a range whose steps are the 5-minute buckets of a cluster where nothing comes or goes.
// (Where containers stop, the full answer carries their last value a little further.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryName, SeriesResult } from '../../src/domain/query.js';
import { LEADERS_WATERMARK, ROLLUP_WATERMARK } from '../../src/metrics/builtin/poller.js';
import { foldSeries, peakOf } from '../../src/metrics/fold-series.js';
import type { Store } from '../../src/store/index.js';
import { readWatermark } from '../../src/store/repos/metric-repo.js';
import { STORE_TARGETS } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness } from './builtin-harness.js';

const dir = tempDir('lookout-top-');
afterAll(() => dir.remove());

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const TOP = 4;

describe.each(STORE_TARGETS)('top on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;

  beforeAll(async () => {
    const db = await target.create();
    store = db.open();
    cleanup = () => db.cleanup();
    h = await startHarness({ scenario: 'steady', store, dir: dir.path, startMs: T0 });
    await h.step(0);
    for (let i = 0; i < 50; i++) await h.step(INTERVAL_MS);
    await h.maintenance.runOnce();
  }, 240_000);

  afterAll(async () => {
    await h?.close();
    await store?.close();
    await cleanup?.();
  });

  it('ranks every rolled-up bucket', async () => {
    const rolled = await readWatermark(store.db, ROLLUP_WATERMARK);
    expect(rolled).toBeGreaterThan(T0 + 15 * MIN);
    expect(await readWatermark(store.db, LEADERS_WATERMARK)).toBe(rolled);
    const rows = await store.db
      .selectFrom('metric_leaders')
      .select(['query', 'ts'])
      .where('query', '=', 'container-memory')
      .execute();
    expect(new Set(rows.map((r) => Number(r.ts))).size).toBe((rolled! - T0) / (5 * MIN));
  });

  it.each<QueryName>(['container-memory', 'container-cpu', 'node-cpu', 'node-memory'])(
    '%s with top gives what folding every series gives',
    async (name) => {
      const rolled = (await readWatermark(store.db, ROLLUP_WATERMARK))!;
      // Ending just before the rollup's watermark: every step holds exactly one bucket.
      const range = { start: rolled - 1 - 15 * MIN, end: rolled - 1, stepMs: 5 * MIN };
      const full = (await h.source.run(name, { cluster: CLUSTER, range })) as SeriesResult;
      const cut = (await h.source.run(name, { cluster: CLUSTER, range, top: TOP })) as SeriesResult;
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

  it('carries the folded line up to the latest tick, past the rollup', async () => {
    const now = h.clock.now();
    const range = { start: now - 30 * MIN, end: now, stepMs: INTERVAL_MS };
    const cut = (await h.source.run('container-memory', {
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
