// Answers every catalog query from Lookout's own store: the samples the poller took (raw for
// short ranges, 5-minute aggregates for long ones), the watched HPAs and their scale events.
// Needs no running Lookout: the CLI reads the same store.
import type { Labels } from '../../domain/alert.js';
import type { HpaSnapshot } from '../../domain/kube.js';
import {
  TABLE_COLUMNS,
  type Absent,
  type Cell,
  type FoldedSeries,
  type Point,
  type QueryName,
  type QueryParams,
  type QueryResult,
  type QuerySource,
  type ScaleEvent,
  type Series,
  type SeriesResult,
  type TableResult,
  type TimeRange,
  type Unlimited,
} from '../../domain/query.js';
import { errorMessage } from '../../lib/errors.js';
import type { Store } from '../../store/index.js';
import { queryEvents } from '../../store/repos/event-repo.js';
import {
  BUCKET_MS,
  LEADERS_PER_BUCKET,
  flaggedIn,
  latestTick,
  readLeaders,
  readWatermark,
  samplesAt,
  seriesGrid,
  seriesSampledSince,
  TOUCH_INTERVAL_MS,
  type GridSeries,
  type LeaderMeasure,
  type SampleAt,
  type SeriesKey,
  type SeriesKind,
  type Measure,
} from '../../store/repos/metric-repo.js';
import type { Executor } from '../../store/repos/executor.js';
import { byPeak, othersName } from '../fold-series.js';
import { loadLiveObjects } from '../../store/repos/object-repo.js';
import { checkQuery, type CheckedQuery } from '../query-params.js';
import { QueryError } from '../query-error.js';
import { LEADER_MEASURES, SERIES, tickLeadersKey, type SeriesSpec } from './measures.js';
import { LEADERS_WATERMARK, ROLLUP_WATERMARK } from './poller.js';

export interface BuiltinSourceOptions {
  readonly store: Store;
  /** The collection interval (how far apart raw samples are). */
  readonly intervalMs: number;
  /** How long raw samples are kept; older parts of a range come from the aggregates. */
  readonly rawRetentionMs: number;
  /** How far back the hpa table looks for scale events when asked for "now". */
  readonly scaleEventLookbackMs?: number;
  /** Scale events listed per HPA, newest first. */
  readonly scaleEventsPerHpa?: number;
  readonly now?: () => number;
}

const NO_LIMIT: Absent = { absent: 'no-limit' };
const NO_REQUEST: Absent = { absent: 'no-request' };
const NANO = 1e9;

export class BuiltinSource implements QuerySource {
  readonly #o: BuiltinSourceOptions;
  readonly #now: () => number;

  constructor(options: BuiltinSourceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async run(name: QueryName, params: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    const q = checkQuery(name, params, this.#now());
    if (signal?.aborted) throw new QueryError('aborted', 'the query was cancelled');
    try {
      switch (q.spec.name) {
        case 'top-nodes':
          return await this.#topNodes(q, params.cluster);
        case 'top-pods':
          return await this.#topPods(q, params.cluster);
        case 'hpa':
          return await this.#hpa(q, params.cluster);
        default:
          return await this.#series(q, params.cluster, SERIES[q.spec.name]!);
      }
    } catch (error) {
      if (error instanceof QueryError) throw error;
      throw new QueryError('unavailable', `Lookout's database could not answer: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  // --- Series -------------------------------------------------------------------------------

  async #series(q: CheckedQuery, cluster: string, spec: SeriesSpec): Promise<SeriesResult> {
    const range = q.range as TimeRange;
    const leaders = LEADER_MEASURES.find((m) => m.query === q.spec.name);
    if (q.top !== undefined && q.top - 1 <= LEADERS_PER_BUCKET && q.namespaces.length === 0 && leaders) {
      const wide = await this.#wide(q, cluster, spec, leaders, q.top);
      if (wide) return wide;
    }
    const now = this.#now();
    // Steps of half a bucket or more read buckets: a 12-hour chart would otherwise read 1,440
    // samples per line.
    const useAggregates = range.stepMs >= BUCKET_MS / 2 || range.start < now - this.#o.rawRetentionMs;
    const rolled = useAggregates ? await readWatermark(this.#o.store.db, ROLLUP_WATERMARK) : undefined;
    const resolution = rolled !== undefined && range.start < rolled ? BUCKET_MS : this.#o.intervalMs;
    const lookbackMs = 2 * Math.max(resolution, this.#o.intervalMs);
    const grid = await seriesGrid(this.#o.store.db, {
      dialect: this.#o.store.dialect,
      cluster,
      kind: spec.kind,
      namespaces: q.namespaces,
      measure: spec.measure,
      start: range.start,
      end: range.end,
      stepMs: range.stepMs,
      lookbackMs,
      aggregatesUntil: rolled,
      bucketWeight: BUCKET_MS / this.#o.intervalMs,
    });
    const namer = nameFor(spec.kind, grid, cluster);
    const count = spec.count === true;
    const unit = q.spec.unit ?? 'count';
    // Each line's values on the grid, carried forward within the look-back, are worked out in
    // one scratch array: with `top`, only the lines shown become points, and the rest are folded
    // straight from the grid (10,000 containers would otherwise be 2.4 million points to
    // allocate, rank and fold).
    const scratch = new Float64Array(gridPoints(range));
    const lines: Array<{ readonly g: GridSeries; readonly name: string; readonly peak: number }> = [];
    for (const g of grid) {
      const { sampled, peak } = carryForward(g, range, lookbackMs, count, scratch);
      if (!sampled) continue;
      // A namespace whose pods were never abnormal has no line, as with kube-state-metrics.
      if (q.spec.name === 'pods-abnormal' && peak <= 0 && scratch.every((v) => v === 0)) continue;
      lines.push({ g, name: namer(g), peak });
    }
    let shown = lines;
    let others: FoldedSeries | undefined;
    if (q.top !== undefined && lines.length > q.top) {
      // As foldSeries ranks and folds them (src/metrics/fold-series.ts), without the points.
      const ranked = [...lines].sort(byPeak((l) => l.peak));
      shown = ranked.slice(0, q.top - 1);
      const rest = ranked.slice(q.top - 1);
      const folded = new Float64Array(scratch.length).fill(NaN);
      for (const l of rest) {
        carryForward(l.g, range, lookbackMs, count, scratch);
        for (let k = 0; k < scratch.length; k++) {
          const v = scratch[k]!;
          if (Number.isNaN(v)) continue;
          const prev = folded[k]!;
          folded[k] = Number.isNaN(prev) ? v : unit === 'percent' ? Math.max(prev, v) : prev + v;
        }
      }
      others = {
        name: othersName(rest.length, unit),
        labels: {},
        points: asPoints(folded, range),
        count: rest.length,
      };
    }
    const series: Series[] = shown
      .map((l) => ({
        name: l.name,
        labels: labelsOf(l.g),
        points: toPoints(l.g, range, lookbackMs, count).points,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const unlimitedList: Unlimited[] = grid
      .filter((g) => g.flagged)
      .map((g) => ({ name: namer(g), labels: labelsOf(g) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const notes: string[] = [];
    if (lines.length === 0 && unlimitedList.length === 0 && !(await this.#hasTicks(cluster, range))) {
      notes.push(
        `Lookout has no resource samples of cluster "${cluster}" in this time range: was Lookout running and watching it then?`,
      );
    }
    return {
      kind: 'series',
      query: q.spec.name,
      cluster,
      title: q.spec.title,
      unit,
      range,
      series,
      ...(others ? { others } : {}),
      ...(spec.measure.flag ? { unlimited: unlimitedList } : {}),
      ...(notes.length > 0 ? { notes } : {}),
    };
  }

  /**
   * A wide query cut to `top` lines, without reading every series: the bucket leaders rank
   * the series by their highest 5-minute value and give the folded line (at each bucket the
   * highest series not shown); only the shown series' own samples are read. Undefined when the
   * leaders cannot answer (still being ranked after an upgrade) or there are few series.
   */
  async #wide(
    q: CheckedQuery,
    cluster: string,
    spec: SeriesSpec,
    m: LeaderMeasure,
    top: number,
  ): Promise<SeriesResult | undefined> {
    const db = this.#o.store.db;
    const range = q.range as TimeRange;
    const rolled = await readWatermark(db, ROLLUP_WATERMARK);
    const ranked = await readWatermark(db, LEADERS_WATERMARK);
    if (rolled === undefined || ranked === undefined || ranked < rolled) return undefined;
    const step = range.stepMs;
    const lookbackMs = 2 * BUCKET_MS;
    const before = Math.ceil(lookbackMs / step);
    const lo = range.start - before * step;
    const keys = await seriesSampledSince(db, { cluster, kind: spec.kind, since: lo - step });
    if (keys.length <= top) return undefined;

    // A bucket stands at its end, as in the full answer; after the rollup, single ticks stand
    // at their own time.
    const first = Math.floor((lo - step) / BUCKET_MS) * BUCKET_MS - BUCKET_MS;
    const buckets = await readLeaders(
      db,
      cluster,
      m.query,
      first,
      Math.min(rolled, range.end - BUCKET_MS + 1),
    );
    const ticks =
      range.end >= rolled
        ? await readLeaders(db, cluster, tickLeadersKey(m.query), rolled, range.end + 1)
        : [];
    const rows = [
      ...buckets.map((r) => ({ ...r, at: r.ts + BUCKET_MS })),
      ...ticks.map((r) => ({ ...r, at: r.ts })),
    ];
    const peaks = new Map<number, number>();
    for (const r of rows) {
      const t = r.at;
      if (t <= range.start - step || t > range.end) continue;
      if (r.micros > (peaks.get(r.seriesId) ?? -Infinity)) peaks.set(r.seriesId, r.micros);
    }
    const byId = new Map(keys.map((k) => [k.id, k]));
    const namer = nameFor(spec.kind, keys, cluster);
    const shownIds = [...peaks.keys()]
      .filter((id) => byId.has(id))
      .map((id) => ({ id, name: namer(byId.get(id)!) }))
      .sort(byPeak((s) => peaks.get(s.id)!))
      .slice(0, top - 1)
      .map((s) => s.id);
    const shownSet = new Set(shownIds);

    // The folded line: per bucket, the highest leader not shown; per window, the highest bucket.
    const size = before + Math.floor((range.end - range.start) / step) + 1;
    const folded = new Float64Array(size).fill(NaN);
    let bucket = NaN;
    let taken = false;
    for (const r of rows) {
      if (r.ts !== bucket) {
        bucket = r.ts;
        taken = false;
      }
      if (taken || shownSet.has(r.seriesId)) continue;
      taken = true;
      const j = Math.ceil((r.at - lo) / step);
      const v = r.micros / 1e6;
      if (j >= 0 && j < size && !(folded[j]! >= v)) folded[j] = v;
    }
    const othersPoints = toPoints({ values: folded, lookbackWindows: before }, range, lookbackMs, false);

    const rawLookbackMs =
      2 * Math.max(range.start < rolled ? BUCKET_MS : this.#o.intervalMs, this.#o.intervalMs);
    const grid = await seriesGrid(db, {
      dialect: this.#o.store.dialect,
      cluster,
      kind: spec.kind,
      measure: spec.measure,
      start: range.start,
      end: range.end,
      stepMs: step,
      lookbackMs: rawLookbackMs,
      aggregatesUntil: rolled,
      bucketWeight: BUCKET_MS / this.#o.intervalMs,
      ids: shownIds,
    });
    const series: Series[] = grid
      .map((g) => ({
        name: namer(g),
        labels: labelsOf(g),
        points: toPoints(g, range, rawLookbackMs, false).points,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const flag = spec.measure.aggregate.flag;
    const flagged = flag
      ? (await this.#flaggedIds(cluster, spec, range, rolled, lo - step)).filter((id) => byId.has(id))
      : [];
    const unlimitedList: Unlimited[] = flagged
      .map((id) => byId.get(id)!)
      .map((k) => ({ name: namer(k), labels: labelsOf(k) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const count = keys.length - series.length - flagged.length;
    return {
      kind: 'series',
      query: q.spec.name,
      cluster,
      title: q.spec.title,
      unit: q.spec.unit ?? 'count',
      range,
      series,
      ...(othersPoints.sampled && count > 0
        ? {
            others: {
              name: othersName(count, q.spec.unit ?? 'count'),
              labels: {},
              points: othersPoints.points,
              count,
            },
          }
        : {}),
      ...(flag ? { unlimited: unlimitedList } : {}),
    };
  }

  /**
   * The series flagged (containers without a limit) for a `top` answer: those of the last
   * bucket rolled up in the range; when that bucket holds no tick (nothing is rolled up yet on
   * a new database, or Lookout was stopped then), those of the latest tick in the range — from
   * its bucket when that is rolled up, else from the raw samples.
   */
  async #flaggedIds(
    cluster: string,
    spec: SeriesSpec,
    range: TimeRange,
    rolled: number,
    since: number,
  ): Promise<number[]> {
    const flag = spec.measure.aggregate.flag;
    if (!flag) return [];
    const db = this.#o.store.db;
    const lastBucket = Math.floor(Math.min(range.end, rolled) / BUCKET_MS) * BUCKET_MS - BUCKET_MS;
    const inLastBucket = await latestTick(db, cluster, lastBucket + BUCKET_MS - 1);
    if (inLastBucket !== undefined && inLastBucket >= lastBucket)
      return flaggedIn(db, cluster, spec.kind, flag, lastBucket);
    const last = await latestTick(db, cluster, range.end);
    if (last === undefined || last <= since) return [];
    const bucket = Math.floor(last / BUCKET_MS) * BUCKET_MS;
    if (bucket + BUCKET_MS <= rolled) return flaggedIn(db, cluster, spec.kind, flag, bucket);
    return flaggedAtTick(db, cluster, spec.kind, spec.measure, last);
  }

  async #hasTicks(cluster: string, range: TimeRange): Promise<boolean> {
    const tick = await latestTick(this.#o.store.db, cluster, range.end);
    return tick !== undefined && tick >= range.start - 2 * this.#o.intervalMs;
  }

  // --- Tables -------------------------------------------------------------------------------

  /** The tick a table answers from: the latest at or before `at`, with a note when it is old. */
  async #tick(cluster: string, at: number): Promise<{ ts: number | undefined; notes: string[] }> {
    const ts = await latestTick(this.#o.store.db, cluster, at);
    if (ts === undefined)
      return {
        ts,
        notes: [`Lookout has no resource samples of cluster "${cluster}" yet.`],
      };
    const notes: string[] = [];
    if (at - ts > 3 * this.#o.intervalMs)
      notes.push(
        `The latest resource samples are from ${new Date(ts).toISOString()}: is Lookout collecting?`,
      );
    return { ts, notes };
  }

  #table(
    q: CheckedQuery,
    cluster: string,
    at: number,
    rows: Record<string, Cell>[],
    notes: string[],
  ): TableResult {
    const name = q.spec.name as 'top-nodes' | 'top-pods' | 'hpa';
    return {
      kind: 'table',
      query: name,
      cluster,
      title: q.spec.title,
      at,
      columns: TABLE_COLUMNS[name],
      rows,
      ...(notes.length > 0 ? { notes } : {}),
    };
  }

  async #topNodes(q: CheckedQuery, cluster: string): Promise<TableResult> {
    const { ts, notes } = await this.#tick(cluster, q.at);
    if (ts === undefined) return this.#table(q, cluster, q.at, [], notes);
    const samples = await samplesAt(this.#o.store.db, cluster, 'node', ts);
    const rows = samples
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => {
        const v = s.values;
        return {
          node: s.name,
          cpu: v.cpu === null ? null : v.cpu / NANO,
          cpu_percent: percent(v.cpu, v.cpu_allocatable),
          memory: v.memory,
          memory_percent: percent(v.memory, v.memory_allocatable),
          cpu_requests_percent: percent(v.cpu_request, v.cpu_allocatable),
          cpu_limits_percent: percent(v.cpu_limit, v.cpu_allocatable),
          memory_requests_percent: percent(v.memory_request, v.memory_allocatable),
          memory_limits_percent: percent(v.memory_limit, v.memory_allocatable),
        } satisfies Record<string, Cell>;
      });
    if (rows.length > 0 && rows.every((r) => r.cpu === null && r.memory === null))
      notes.push(
        'No node usage in these samples: does the cluster serve metrics.k8s.io (is metrics-server installed)?',
      );
    return this.#table(q, cluster, ts, rows, notes);
  }

  async #topPods(q: CheckedQuery, cluster: string): Promise<TableResult> {
    const { ts, notes } = await this.#tick(cluster, q.at);
    if (ts === undefined) return this.#table(q, cluster, q.at, [], notes);
    const samples = await samplesAt(this.#o.store.db, cluster, 'container', ts, q.namespaces);
    // Ordered by namespace, then pod, as kubectl top pods -A lists them.
    samples.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const pods = new Map<string, SampleAt[]>();
    for (const s of samples) {
      const key = `${s.namespace}\u0000${s.name}`;
      const list = pods.get(key) ?? [];
      list.push(s);
      pods.set(key, list);
    }
    const rows: Array<Record<string, Cell>> = [];
    for (const containers of pods.values()) {
      const first = containers[0]!;
      const used = containers.filter((c) => c.values.cpu !== null || c.values.memory !== null);
      // kubectl top lists the pods it has usage for; so does Lookout.
      if (used.length === 0) continue;
      const cpu = sumOf(containers.map((c) => c.values.cpu));
      const memory = sumOf(containers.map((c) => c.values.memory));
      const ofRequest = (value: number | null, field: 'cpu_request' | 'memory_request'): Cell => {
        const total = sumOf(containers.map((c) => c.values[field])) ?? 0;
        if (total <= 0) return NO_REQUEST;
        return value === null ? null : (100 * value) / total;
      };
      // A pod has a limit only when every one of its containers has one.
      const ofLimit = (value: number | null, field: 'cpu_limit' | 'memory_limit'): Cell => {
        let total = 0;
        for (const c of containers) {
          const limit = c.values[field];
          if (limit === null || limit <= 0) return NO_LIMIT;
          total += limit;
        }
        return value === null ? null : (100 * value) / total;
      };
      rows.push({
        namespace: first.namespace,
        pod: first.name,
        cpu: cpu === null ? null : cpu / NANO,
        memory,
        cpu_of_request: ofRequest(cpu, 'cpu_request'),
        cpu_of_limit: ofLimit(cpu, 'cpu_limit'),
        memory_of_request: ofRequest(memory, 'memory_request'),
        memory_of_limit: ofLimit(memory, 'memory_limit'),
      });
    }
    return this.#table(q, cluster, ts, rows, notes);
  }

  async #hpa(q: CheckedQuery, cluster: string): Promise<TableResult> {
    const db = this.#o.store.db;
    const lookback = this.#o.scaleEventLookbackMs ?? 6 * 3600_000;
    const since = q.range?.start ?? q.at - lookback;
    const keep = this.#o.scaleEventsPerHpa ?? 3;
    const hpas = (await loadLiveObjects(db, cluster, ['HorizontalPodAutoscaler'])) as HpaSnapshot[];
    const wanted = q.namespaces.length > 0 ? new Set(q.namespaces) : undefined;
    const rows: Array<Record<string, Cell>> = [];
    for (const h of hpas.sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
    )) {
      if (wanted && !wanted.has(h.namespace)) continue;
      const cpuTarget = h.targetCpuUtilization;
      const cpuNow = h.currentCpuUtilization;
      rows.push({
        namespace: h.namespace,
        hpa: h.name,
        reference: `${h.target.kind}/${h.target.name}`,
        targets:
          cpuTarget === undefined
            ? '<none>'
            : `cpu: ${cpuNow === undefined ? '<unknown>' : `${Math.round(cpuNow)}%`}/${Math.round(cpuTarget)}%`,
        cpu_utilisation: cpuNow ?? null,
        cpu_target: cpuTarget ?? null,
        replicas: h.currentReplicas,
        desired: h.desiredReplicas,
        min: h.minReplicas,
        max: h.maxReplicas,
        last_scale: await this.#scaleEvents(cluster, h, since, q.at, keep),
      });
    }
    return this.#table(q, cluster, q.at, rows, []);
  }

  /**
   * The HPA's SuccessfulRescale events inside [since, until], newest first. `from` is the size
   * the event before it set (looked up even when that one is older than the window).
   */
  async #scaleEvents(
    cluster: string,
    h: HpaSnapshot,
    since: number,
    until: number,
    keep: number,
  ): Promise<ScaleEvent[]> {
    const page = await queryEvents(this.#o.store.db, this.#o.store.dialect, {
      cluster,
      namespace: h.namespace,
      reason: 'SuccessfulRescale',
      object: `horizontalpodautoscaler/${h.name}`,
      until,
      limit: keep + 1,
    });
    const parsed = page.items
      .map((o) => ({ at: o.lastAt, ...parseRescale(o.message) }))
      .filter((e): e is { at: number; to: number; reason: string | undefined } => e.to !== undefined);
    const out: ScaleEvent[] = [];
    for (let i = 0; i < parsed.length && out.length < keep; i++) {
      const e = parsed[i]!;
      if (e.at < since) break;
      const older = parsed[i + 1];
      out.push({
        at: e.at,
        from: older ? older.to : null,
        to: e.to,
        ...(e.reason ? { reason: e.reason } : {}),
      });
    }
    return out;
  }
}

/**
 * The series of one kind that `measure.flag` marks in the raw samples of tick `ts` (containers
 * with usage but no limit): two columns of one sample per series, flagged here as the full
 * answer flags them.
 */
async function flaggedAtTick(
  db: Executor,
  cluster: string,
  kind: SeriesKind,
  measure: Measure,
  ts: number,
): Promise<number[]> {
  if (!measure.flag) return [];
  const [a, b] = measure.raw;
  const rows = await db
    .selectFrom('metric_series as s')
    .innerJoin('metric_samples as m', (j) => j.onRef('m.series_id', '=', 's.id').on('m.ts', '=', ts))
    .select((eb) => ['s.id', eb.ref(`m.${a}`).as('a'), eb.ref(`m.${b ?? a}`).as('b')])
    .where('s.cluster', '=', cluster)
    .where('s.kind', '=', kind)
    .where('s.last_at', '>=', ts - 2 * TOUCH_INTERVAL_MS)
    .execute();
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return rows
    .filter((r) => measure.flag!(num(r.a), b === undefined ? null : num(r.b)))
    .map((r) => Number(r.id));
}

/** `New size: 4; reason: cpu resource utilization (percentage of request) above target`. */
export function parseRescale(message: string): { to: number | undefined; reason: string | undefined } {
  const m = /New size:\s*(\d+)(?:;\s*reason:\s*(.*))?/.exec(message);
  if (!m) return { to: undefined, reason: undefined };
  return { to: Number(m[1]), reason: m[2]?.trim() || undefined };
}

function percent(value: number | null, of: number | null): number | null {
  return value === null || of === null || of <= 0 ? null : (100 * value) / of;
}

function sumOf(values: ReadonlyArray<number | null>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null) total = (total ?? 0) + v;
  return total;
}

function labelsOf(g: SeriesKey): Labels {
  switch (g.kind) {
    case 'node':
      return { node: g.name };
    case 'container':
      return { namespace: g.namespace, pod: g.name, container: g.container };
    case 'namespace':
      return { namespace: g.namespace };
    case 'cluster':
      return {};
  }
}

/** Legend names: node, namespace, the cluster, or `pod/container` (with the namespace when several appear). */
function nameFor(kind: SeriesKind, all: readonly SeriesKey[], cluster: string): (g: SeriesKey) => string {
  if (kind === 'container') {
    const several = new Set(all.map((g) => g.namespace)).size > 1;
    return (g) => (several ? `${g.namespace}/${g.name}/${g.container}` : `${g.name}/${g.container}`);
  }
  if (kind === 'cluster') return () => cluster;
  return (g) => g.name;
}

/** How many points a range's grid has. */
function gridPoints(range: TimeRange): number {
  return Math.floor((range.end - range.start) / range.stepMs) + 1;
}

/**
 * A series' value at each point of the range's grid, written into `out` (NaN for none). A step
 * with samples has their value; a step without (steps shorter than the collection interval, a
 * missed tick) takes the latest value seen within the look-back; otherwise none — or 0 for
 * counts. Returns whether any point has a value, and the highest.
 */
function carryForward(
  g: Pick<GridSeries, 'values' | 'lookbackWindows'>,
  range: TimeRange,
  lookbackMs: number,
  count: boolean,
  out: Float64Array,
): { sampled: boolean; peak: number } {
  const { values, lookbackWindows: before } = g;
  const carrySteps = Math.ceil(lookbackMs / range.stepMs);
  let carried = NaN;
  let carriedAt = -Infinity;
  for (let j = 0; j < before; j++) {
    if (!Number.isNaN(values[j]!)) {
      carried = values[j]!;
      carriedAt = j;
    }
  }
  let sampled = false;
  let peak = -Infinity;
  for (let k = 0, j = before; k < out.length; k++, j++) {
    let v = values[j]!;
    if (!Number.isNaN(v)) {
      carried = v;
      carriedAt = j;
    } else if (j - carriedAt < carrySteps) {
      v = carried;
    }
    if (!Number.isNaN(v)) sampled = true;
    else if (count) v = 0;
    if (v > peak) peak = v;
    out[k] = v;
  }
  return { sampled, peak };
}

/** Grid values as points (NaN: null). */
function asPoints(values: Float64Array, range: TimeRange): Point[] {
  const points: Point[] = new Array<Point>(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    points[k] = [range.start + k * range.stepMs, Number.isNaN(v) ? null : v];
  }
  return points;
}

/** The points of a series on the range's grid (see {@link carryForward}). */
function toPoints(
  g: Pick<GridSeries, 'values' | 'lookbackWindows'>,
  range: TimeRange,
  lookbackMs: number,
  count: boolean,
): { points: Point[]; sampled: boolean } {
  const values = new Float64Array(gridPoints(range));
  const { sampled } = carryForward(g, range, lookbackMs, count, values);
  return { points: asPoints(values, range), sampled };
}
