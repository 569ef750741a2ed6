// Keeps the sample tables in shape: rolls completed 5-minute buckets up into aggregates
// (incrementally, from a stored watermark) and removes what is past its retention. Work is
// split into short statements so the watch pipeline's writes are never held up for long.
import type { Logger } from 'pino';
import { sleep } from '../../lib/backoff.js';
import { errorMessage } from '../../lib/errors.js';
import type { Store } from '../../store/index.js';
import {
  BUCKET_MS,
  TOUCH_INTERVAL_MS,
  firstAggregate,
  firstTickSince,
  metricClusters,
  purgeIdleSeries,
  purgeLeaders,
  purgeSamples,
  readWatermark,
  rollupLeaders,
  rollupSamples,
  seriesIdsSince,
  writeWatermark,
} from '../../store/repos/metric-repo.js';
import { LEADER_MEASURES, tickLeadersKey } from './measures.js';
import { LEADERS_WATERMARK, ROLLUP_WATERMARK } from './poller.js';

export interface MaintenanceOptions {
  readonly store: Store;
  /** Raw samples are kept this long. */
  readonly rawRetentionMs: number;
  /** Aggregates are kept this long. */
  readonly aggregateRetentionMs: number;
  /** The collection interval: a bucket is rolled up once its last tick has surely been stored. */
  readonly intervalMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface MaintenanceResult {
  /** Buckets rolled up this pass (their start times). */
  readonly rolledFrom: number | undefined;
  readonly rolledTo: number | undefined;
  readonly rawRemoved: number;
  readonly aggregatesRemoved: number;
  readonly seriesRemoved: number;
}

/** At most this much time is rolled up per statement batch (bounded work after a long pause). */
const ROLLUP_SLICE_MS = 3600_000;

export class MetricsMaintenance {
  readonly #o: MaintenanceOptions;
  readonly #now: () => number;

  constructor(options: MaintenanceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The instant up to which aggregates are complete (undefined before the first rollup). */
  async rolledUntil(): Promise<number | undefined> {
    return readWatermark(this.#o.store.db, ROLLUP_WATERMARK);
  }

  /** One pass: roll up what is complete, then apply retention. */
  async runOnce(): Promise<MaintenanceResult> {
    const db = this.#o.store.db;
    const now = this.#now();
    let rolledFrom: number | undefined;
    let rolledTo: number | undefined;
    const mark = await readWatermark(db, ROLLUP_WATERMARK);
    // A bucket is complete once a tick after its end has had time to be stored.
    const complete = Math.floor((now - this.#o.intervalMs - 10_000) / BUCKET_MS) * BUCKET_MS;
    if (mark !== undefined && complete > mark) {
      // Skip the time nothing was sampled (Lookout was stopped): no need to visit every series there.
      const first = await firstTickSince(db, mark);
      let from = first === undefined ? complete : Math.max(mark, Math.floor(first / BUCKET_MS) * BUCKET_MS);
      if (from < complete) {
        rolledFrom = from;
        rolledTo = complete;
      }
      const ids = from < complete ? await seriesIdsSince(db, from) : [];
      while (from < complete) {
        const to = Math.min(complete, from + ROLLUP_SLICE_MS);
        await rollupSamples(db, ids, from, to);
        await writeWatermark(db, ROLLUP_WATERMARK, to);
        const next = to < complete ? await firstTickSince(db, to) : undefined;
        from = next === undefined ? complete : Math.max(to, Math.floor(next / BUCKET_MS) * BUCKET_MS);
      }
      await writeWatermark(db, ROLLUP_WATERMARK, complete);
    }
    await this.#rollupLeaders();
    const rolled = (await readWatermark(db, ROLLUP_WATERMARK)) ?? 0;
    // Raw samples not rolled up yet are kept even past their retention.
    const rawBefore = Math.min(now - this.#o.rawRetentionMs, rolled);
    const aggregateBefore = now - this.#o.aggregateRetentionMs;
    const all = await seriesIdsSince(db, Math.min(rawBefore, aggregateBefore) - TOUCH_INTERVAL_MS);
    const rawRemoved = await purgeSamples(db, 'metric_samples', all, rawBefore);
    const aggregatesRemoved = await purgeSamples(db, 'metric_samples_5m', all, aggregateBefore);
    const clusters = await metricClusters(db);
    await purgeLeaders(
      db,
      clusters,
      LEADER_MEASURES.map((m) => m.query),
      aggregateBefore,
    );
    // Tick leaders stand in for buckets not ranked yet; once ranked, they are not read again.
    const ranked = await readWatermark(db, LEADERS_WATERMARK);
    if (ranked !== undefined)
      await purgeLeaders(
        db,
        clusters,
        LEADER_MEASURES.map((m) => tickLeadersKey(m.query)),
        ranked,
      );
    const seriesRemoved = await purgeIdleSeries(
      db,
      now - Math.max(this.#o.rawRetentionMs, this.#o.aggregateRetentionMs) - 2 * TOUCH_INTERVAL_MS,
    );
    return { rolledFrom, rolledTo, rawRemoved, aggregatesRemoved, seriesRemoved };
  }

  /**
   * Ranks the series of the wide queries in every bucket rolled up since the last pass. The
   * first pass after an upgrade ranks every bucket kept, an hour at a time.
   */
  async #rollupLeaders(): Promise<void> {
    const db = this.#o.store.db;
    const rolled = await readWatermark(db, ROLLUP_WATERMARK);
    if (rolled === undefined) return;
    let from = await readWatermark(db, LEADERS_WATERMARK);
    if (from === undefined) {
      from = Math.min(rolled, (await firstAggregate(db)) ?? rolled);
      await writeWatermark(db, LEADERS_WATERMARK, from);
    }
    while (from < rolled) {
      const to = Math.min(rolled, from + ROLLUP_SLICE_MS);
      for (const m of LEADER_MEASURES) await rollupLeaders(db, m, from, to);
      await writeWatermark(db, LEADERS_WATERMARK, to);
      from = to;
    }
  }

  /** Runs a pass every `everyMs` until `signal` aborts. */
  async run(signal: AbortSignal, everyMs: number): Promise<void> {
    while (!signal.aborted) {
      try {
        const result = await this.runOnce();
        this.#o.log.debug({ ...result }, 'metric rollup and retention pass done');
      } catch (error) {
        this.#o.log.error(
          { err: errorMessage(error) },
          'metric rollup or retention failed; trying again at the next pass',
        );
      }
      await sleep(everyMs, signal);
    }
  }
}
