// Samples one cluster's resource usage every interval: reads metrics.k8s.io, joins it with the
// watched state and stores one sample per node, container, namespace and the cluster. A cluster
// without metrics-server is reported once (and again when that changes), never every tick.
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { KubeClient } from '../../cluster/kube-client.js';
import { metricsApiMissing, readResourceMetrics, type MetricsReading } from '../../cluster/metrics-api.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import { sleep } from '../../lib/backoff.js';
import { errorMessage } from '../../lib/errors.js';
import type { Store } from '../../store/index.js';
import type { Executor } from '../../store/repos/executor.js';
import {
  BUCKET_MS,
  TOUCH_INTERVAL_MS,
  initWatermark,
  insertSamples,
  insertSeries,
  loadSeriesIds,
  insertLeaders,
  readWatermark,
  seriesKeyString,
  touchSeries,
  type SampleRow,
} from '../../store/repos/metric-repo.js';
import { tickLeaders, type TickSample } from './measures.js';
import { buildTick, type Tick } from './tick.js';

/** Ranks a tick's samples for the wide queries and stores the leaders (see measures.ts). */
export async function storeTickLeaders(
  db: Executor,
  cluster: string,
  at: number,
  samples: readonly TickSample[],
): Promise<void> {
  for (const { key, leaders } of tickLeaders(samples)) await insertLeaders(db, cluster, key, at, leaders);
}

/** The rollup's progress marker; the first tick ever stored starts it. */
export const ROLLUP_WATERMARK = 'rollup-5m';
/** How far the bucket leaders have been ranked (they follow the rollup). */
export const LEADERS_WATERMARK = 'leaders-5m';

/**
 * Starts the rollup at `bucket` unless it has started already. A database that had no rollup
 * has no buckets to rank either, so the leaders start there too: the wide queries read the
 * tick leaders from the first tick on, instead of every series until the first maintenance
 * pass. (A database that had a rollup before leaders existed is ranked by that pass.)
 */
export async function startWatermarks(db: Executor, bucket: number): Promise<void> {
  if ((await readWatermark(db, ROLLUP_WATERMARK)) !== undefined) return;
  await initWatermark(db, ROLLUP_WATERMARK, bucket);
  // Several instances may start at once: the leaders start where the rollup that won did.
  const rolled = await readWatermark(db, ROLLUP_WATERMARK);
  if (rolled !== undefined) await initWatermark(db, LEADERS_WATERMARK, rolled);
}

export interface PollerMetrics {
  readonly polls: Counter<'cluster' | 'result'>;
  readonly samples: Counter<'cluster'>;
  readonly skipped: Counter<'cluster'>;
  readonly seconds: Histogram<'cluster'>;
}

export function createPollerMetrics(registry: Registry): PollerMetrics {
  const registers = [registry];
  return {
    polls: new Counter({
      name: 'lookout_metrics_polls_total',
      help: 'Resource metric collection ticks, by result: ok, no-metrics-api (metrics-server missing), error.',
      labelNames: ['cluster', 'result'],
      registers,
    }),
    samples: new Counter({
      name: 'lookout_metrics_samples_total',
      help: 'Resource samples stored (node, container, namespace and cluster rows).',
      labelNames: ['cluster'],
      registers,
    }),
    skipped: new Counter({
      name: 'lookout_metrics_skipped_items_total',
      help: 'metrics.k8s.io items that could not be read and were skipped.',
      labelNames: ['cluster'],
      registers,
    }),
    seconds: new Histogram({
      name: 'lookout_metrics_poll_seconds',
      help: 'Time to read, join and store one tick.',
      labelNames: ['cluster'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

export type MetricsApiStatus = 'unknown' | 'ok' | 'missing' | 'failing';

export interface MetricsPollerOptions {
  readonly cluster: string;
  readonly client: KubeClient;
  readonly store: Store;
  /** The watched state of the cluster; undefined until the watch pipeline has it. */
  readonly state: () => ClusterStateView | undefined;
  /** False while the watches are still listing: counts taken then would dip to zero. */
  readonly synced?: () => boolean;
  /** Read only these namespaces' pod metrics (the cluster's `namespaces.include`). */
  readonly namespaces?: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly metrics?: PollerMetrics;
  readonly now?: () => number;
}

export class MetricsPoller {
  readonly #o: MetricsPollerOptions;
  readonly #now: () => number;
  #ids: Map<string, number> | undefined;
  readonly #touched = new Map<number, number>();
  #latest: Tick | undefined;
  #status: MetricsApiStatus = 'unknown';
  #watermarkSet = false;

  constructor(options: MetricsPollerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get cluster(): string {
    return this.#o.cluster;
  }

  /** The last tick stored. */
  get latest(): Tick | undefined {
    return this.#latest;
  }

  /** What the last tick learned about the cluster's metrics API. */
  get status(): MetricsApiStatus {
    return this.#status;
  }

  /** Samples once now. Returns the tick stored, or undefined when the state is not ready yet. */
  async tick(signal?: AbortSignal): Promise<Tick | undefined> {
    const state = this.#o.state();
    if (!state || (this.#o.synced && !this.#o.synced())) return undefined;
    const at = this.#now();
    const started = performance.now();
    const reading = await this.#read(signal);
    const tick = buildTick(state, reading, at);
    await this.#store(tick);
    this.#latest = tick;
    this.#o.metrics?.samples.inc({ cluster: this.#o.cluster }, tick.rows.length);
    this.#o.metrics?.seconds.observe({ cluster: this.#o.cluster }, (performance.now() - started) / 1000);
    return tick;
  }

  /** Samples every interval until `signal` aborts. A failed tick is logged; the next one still comes. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.#now();
      try {
        await this.tick(signal);
      } catch (error) {
        if (signal.aborted) break;
        this.#o.log.error({ err: errorMessage(error) }, 'storing resource samples failed');
      }
      // Keep the ticks on a steady beat; a slow tick is followed by the next one at once.
      await sleep(Math.max(0, started + this.#o.intervalMs - this.#now()), signal);
    }
  }

  async #read(signal?: AbortSignal): Promise<MetricsReading | undefined> {
    const cluster = this.#o.cluster;
    const timeout = AbortSignal.timeout(this.#o.timeoutMs);
    try {
      const reading = await readResourceMetrics(this.#o.client, {
        namespaces: this.#o.namespaces,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (this.#status !== 'ok' && this.#status !== 'unknown')
        this.#o.log.info('the metrics API answers again; resource usage is collected');
      this.#status = 'ok';
      this.#o.metrics?.polls.inc({ cluster, result: 'ok' });
      if (reading.skipped > 0) {
        this.#o.metrics?.skipped.inc({ cluster }, reading.skipped);
        this.#o.log.debug({ skipped: reading.skipped }, 'skipped unreadable metrics.k8s.io items');
      }
      return reading;
    } catch (error) {
      if (signal?.aborted) throw error;
      const missing = metricsApiMissing(error);
      const status: MetricsApiStatus = missing ? 'missing' : 'failing';
      this.#o.metrics?.polls.inc({ cluster, result: missing ? 'no-metrics-api' : 'error' });
      if (status !== this.#status) {
        if (missing)
          this.#o.log.warn(
            { err: errorMessage(error) },
            'the cluster serves no metrics.k8s.io (is metrics-server installed?): node and container usage are not collected; requests, allocatable and pod counts still are',
          );
        else
          this.#o.log.warn(
            { err: errorMessage(error) },
            'reading metrics.k8s.io failed; usage is missing until it answers again',
          );
      }
      this.#status = status;
      return undefined;
    }
  }

  async #store(tick: Tick): Promise<void> {
    const { store, cluster } = this.#o;
    const db = store.db;
    let ids = (this.#ids ??= await loadSeriesIds(db, cluster));
    const missing = tick.rows.filter((r) => !ids.has(seriesKeyString(r)));
    if (missing.length > 0) {
      await insertSeries(db, cluster, missing, tick.at);
      ids = this.#ids = await loadSeriesIds(db, cluster);
    }
    const rows: SampleRow[] = [];
    const samples: TickSample[] = [];
    const stale: number[] = [];
    for (const r of tick.rows) {
      const id = ids.get(seriesKeyString(r));
      if (id === undefined) continue;
      rows.push({ seriesId: id, ts: tick.at, values: r.values });
      samples.push({ seriesId: id, kind: r.kind, values: r.values });
      const touched = this.#touched.get(id);
      if (touched === undefined || tick.at - touched >= TOUCH_INTERVAL_MS) stale.push(id);
    }
    await insertSamples(db, rows);
    await storeTickLeaders(db, cluster, tick.at, samples);
    if (stale.length > 0) {
      await touchSeries(db, stale, tick.at);
      for (const id of stale) this.#touched.set(id, tick.at);
      // Forget series that stopped (deleted pods), so the map does not grow with churn.
      for (const [id, at] of this.#touched)
        if (tick.at - at > 2 * TOUCH_INTERVAL_MS) this.#touched.delete(id);
    }
    if (!this.#watermarkSet) {
      await startWatermarks(db, Math.floor(tick.at / BUCKET_MS) * BUCKET_MS);
      this.#watermarkSet = true;
    }
  }
}
