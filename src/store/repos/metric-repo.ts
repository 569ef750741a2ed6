// Resource metric series and samples: registering series, batched sample inserts, the 5-minute
// rollup, retention, and the two reads every query needs — "these series on a time grid" and
// "everything sampled at one tick".
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { sql, type RawBuilder } from 'kysely';
import type { MetricSampleTable, SeriesKind } from '../tables/metrics.js';
import type { Dialect } from '../dialect.js';
import { chunks, type Executor } from './executor.js';

export type { SeriesKind };

/** The size of one aggregate bucket. */
export const BUCKET_MS = 5 * 60_000;

/** Series rows are refreshed at most this often (a write per series per tick would cost too much). */
export const TOUCH_INTERVAL_MS = 3600_000;

/** What identifies a series within a cluster; `''` where a name does not apply. */
export interface SeriesKey {
  readonly kind: SeriesKind;
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
}

export type SampleValues = Omit<MetricSampleTable, 'series_id' | 'ts'>;

export const SAMPLE_FIELDS: ReadonlyArray<keyof SampleValues> = [
  'cpu',
  'memory',
  'cpu_request',
  'cpu_limit',
  'memory_request',
  'memory_limit',
  'cpu_allocatable',
  'memory_allocatable',
  'cpu_capacity',
  'memory_capacity',
  'running',
  'abnormal',
];

export function seriesKeyString(k: SeriesKey): string {
  return `${k.kind}\u0000${k.namespace}\u0000${k.name}\u0000${k.container}`;
}

/** Every series of a cluster, by {@link seriesKeyString}. */
export async function loadSeriesIds(db: Executor, cluster: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('metric_series')
    .select(['id', 'kind', 'namespace', 'name', 'container'])
    .where('cluster', '=', cluster)
    .execute();
  return new Map(rows.map((r) => [seriesKeyString(r), r.id]));
}

/** Registers series (existing ones are left as they are). */
export async function insertSeries(
  db: Executor,
  cluster: string,
  keys: readonly SeriesKey[],
  now: number,
): Promise<void> {
  for (const part of chunks(keys, 400)) {
    await db
      .insertInto('metric_series')
      .values(
        part.map((k) => ({
          cluster,
          kind: k.kind,
          namespace: k.namespace,
          name: k.name,
          container: k.container,
          created_at: now,
          last_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['cluster', 'kind', 'namespace', 'name', 'container']).doNothing())
      .execute();
  }
}

/** Marks series as sampled at `at`. */
export async function touchSeries(db: Executor, ids: readonly number[], at: number): Promise<void> {
  for (const part of chunks(ids, 1000)) {
    await db.updateTable('metric_series').set({ last_at: at }).where('id', 'in', part).execute();
  }
}

export interface SampleRow {
  readonly seriesId: number;
  readonly ts: number;
  readonly values: SampleValues;
}

/** Inserts samples in statements of a few hundred rows; a sample already stored is kept. */
export async function insertSamples(db: Executor, rows: readonly SampleRow[]): Promise<void> {
  let first = true;
  for (const part of chunks(rows, 500)) {
    // A big cluster's tick is 20+ statements; SQLite runs each synchronously. Letting the event
    // loop run between them keeps requests and watch events moving (one statement, ~15 ms, at a
    // time) instead of stalling them for the whole tick (300–400 ms on the big scenario).
    if (!first) await setImmediatePromise();
    first = false;
    await db
      .insertInto('metric_samples')
      .values(part.map((r) => ({ series_id: r.seriesId, ts: r.ts, ...r.values })))
      .onConflict((oc) => oc.columns(['series_id', 'ts']).doNothing())
      .execute();
  }
}

export async function readWatermark(db: Executor, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('metric_watermarks')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value;
}

/** Sets a watermark only when it has none yet. */
export async function initWatermark(db: Executor, name: string, value: number): Promise<void> {
  await db
    .insertInto('metric_watermarks')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function writeWatermark(db: Executor, name: string, value: number): Promise<void> {
  await db
    .insertInto('metric_watermarks')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}

/** Ids of series sampled since about `since` (series rows are touched at most hourly). */
export async function seriesIdsSince(db: Executor, since: number): Promise<number[]> {
  const rows = await db
    .selectFrom('metric_series')
    .select('id')
    .where('last_at', '>=', since - TOUCH_INTERVAL_MS)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

const int = (n: number): RawBuilder<number> => sql<number>`cast(${Math.trunc(n)} as bigint)`;

/** A bucket's start for a sample time, in SQL. */
const BUCKET_OF_TS = sql.raw(`(ts / ${BUCKET_MS}) * ${BUCKET_MS}`);

/** The aggregate columns of one bucket from its raw samples, in `metric_samples_5m`'s order after `series_id, ts`. */
const AGGREGATE_OF_RAW = sql.raw(`count(*) as n, round(avg(cpu)) as cpu_avg, max(cpu) as cpu_max,
  round(avg(memory)) as memory_avg, max(memory) as memory_max, round(avg(cpu_request)) as cpu_request,
  round(avg(cpu_limit)) as cpu_limit, round(avg(memory_request)) as memory_request,
  round(avg(memory_limit)) as memory_limit, round(avg(cpu_allocatable)) as cpu_allocatable,
  round(avg(memory_allocatable)) as memory_allocatable, round(avg(cpu_capacity)) as cpu_capacity,
  round(avg(memory_capacity)) as memory_capacity, avg(cast(running as double precision)) as running_avg,
  max(running) as running_max, avg(cast(abnormal as double precision)) as abnormal_avg,
  max(abnormal) as abnormal_max`);

/**
 * Writes the 5-minute aggregates of the samples in [from, to) (bucket-aligned) for the given
 * series. Buckets already aggregated are left alone, so a pass cut short can simply run again.
 */
export async function rollupSamples(
  db: Executor,
  seriesIds: readonly number[],
  from: number,
  to: number,
): Promise<void> {
  for (const part of chunks(seriesIds, 500)) {
    await sql`
      insert into metric_samples_5m (series_id, ts, n, cpu_avg, cpu_max, memory_avg, memory_max,
        cpu_request, cpu_limit, memory_request, memory_limit, cpu_allocatable, memory_allocatable,
        cpu_capacity, memory_capacity, running_avg, running_max, abnormal_avg, abnormal_max)
      select series_id, ${BUCKET_OF_TS}, ${AGGREGATE_OF_RAW}
      from metric_samples
      where series_id in (${sql.join(part)}) and ts >= ${int(from)} and ts < ${int(to)}
      group by series_id, ${BUCKET_OF_TS}
      on conflict (series_id, ts) do nothing`.execute(db);
  }
}

// --- Bucket leaders ----------------------------------------------------------------------------

/** Leaders kept per bucket: a chart of ten lines shows nine series and folds the rest. */
export const LEADERS_PER_BUCKET = 10;

/** A wide query whose buckets have leaders: its name, the kind of series and its measure. */
export interface LeaderMeasure {
  readonly query: string;
  readonly kind: SeriesKind;
  /** SQL over the aggregate columns giving the value in millionths (see {@link Measure}). */
  readonly micros: string;
}

/** One leader of one bucket. */
export interface LeaderRow {
  /** The bucket's start. */
  readonly ts: number;
  readonly seriesId: number;
  readonly micros: number;
}

/**
 * The series of `m.kind` ranked within each bucket of `buckets` (a statement giving aggregate
 * rows: series_id, ts and the aggregate columns), at most {@link LEADERS_PER_BUCKET} each.
 */
function rankedLeaders(
  m: LeaderMeasure,
  buckets: RawBuilder<unknown>,
  cluster?: string,
): RawBuilder<unknown> {
  return sql`
    select cluster, ts, series_id, v, r from (
      select s.cluster as cluster, a.ts as ts, a.series_id as series_id, a.v as v,
        row_number() over (partition by s.cluster, a.ts order by a.v desc, a.series_id) as r
      from (select series_id, ts, ${sql.raw(m.micros)} as v from (${buckets}) b) a
      join metric_series s on s.id = a.series_id
      where a.v is not null${cluster === undefined ? sql`` : sql` and s.cluster = ${cluster}`}
    ) ranked
    where r <= ${LEADERS_PER_BUCKET}`;
}

function seriesOfKind(kind: SeriesKind, cluster?: string): RawBuilder<unknown> {
  return sql`select id from metric_series where kind = ${kind}${
    cluster === undefined ? sql`` : sql` and cluster = ${cluster}`
  }`;
}

/** Writes the leaders of the aggregate buckets in [from, to) for every cluster. */
export async function rollupLeaders(db: Executor, m: LeaderMeasure, from: number, to: number): Promise<void> {
  const buckets = sql`select * from metric_samples_5m where series_id in (${seriesOfKind(m.kind)})
    and ts >= ${int(from)} and ts < ${int(to)}`;
  // `where true`: SQLite would read `on conflict` as part of the select without it.
  await sql`
    insert into metric_leaders (cluster, query, ts, rank, series_id, micros)
    select cluster, ${m.query}, ts, r, series_id, v from (${rankedLeaders(m, buckets)}) leaders
    where true
    on conflict (cluster, query, ts, rank) do nothing`.execute(db);
}

/** Stores the leaders of one bucket or tick (`key` is a query, or a query's tick leaders). */
export async function insertLeaders(
  db: Executor,
  cluster: string,
  key: string,
  ts: number,
  leaders: ReadonlyArray<{ readonly seriesId: number; readonly micros: number }>,
): Promise<void> {
  if (leaders.length === 0) return;
  await db
    .insertInto('metric_leaders')
    .values(
      leaders.map((l, i) => ({
        cluster,
        query: key,
        ts,
        rank: i + 1,
        series_id: l.seriesId,
        micros: l.micros,
      })),
    )
    .onConflict((oc) => oc.columns(['cluster', 'query', 'ts', 'rank']).doNothing())
    .execute();
}

/** Stored leaders of one cluster (`key`: see {@link insertLeaders}) in [from, to), by time and rank. */
export async function readLeaders(
  db: Executor,
  cluster: string,
  query: string,
  from: number,
  to: number,
): Promise<LeaderRow[]> {
  const rows = await db
    .selectFrom('metric_leaders')
    .select(['ts', 'series_id', 'micros'])
    .where('cluster', '=', cluster)
    .where('query', '=', query)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .orderBy('ts')
    .orderBy('rank')
    .execute();
  return rows.map((r) => ({ ts: Number(r.ts), seriesId: Number(r.series_id), micros: Number(r.micros) }));
}

/** Series of one kind whose aggregate `flag` expression is 1 in the bucket starting at `bucket`. */
export async function flaggedIn(
  db: Executor,
  cluster: string,
  kind: SeriesKind,
  flag: string,
  bucket: number,
): Promise<number[]> {
  const result = await sql<{ series_id: unknown }>`
    select series_id from metric_samples_5m where series_id in (${seriesOfKind(kind, cluster)})
      and ts = ${int(bucket)} and ${sql.raw(flag)} = 1`.execute(db);
  return result.rows.map((r) => Number(r.series_id));
}

/** Removes the leaders of buckets starting before `before`; returns how many. */
export async function purgeLeaders(
  db: Executor,
  clusters: readonly string[],
  queries: readonly string[],
  before: number,
): Promise<number> {
  let removed = 0;
  for (const cluster of clusters)
    for (const query of queries) {
      const result = await db
        .deleteFrom('metric_leaders')
        .where('cluster', '=', cluster)
        .where('query', '=', query)
        .where('ts', '<', before)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
  return removed;
}

/** The start of the oldest aggregate bucket, if any. */
export async function firstAggregate(db: Executor): Promise<number | undefined> {
  const row = await db
    .selectFrom('metric_samples_5m')
    .select((eb) => eb.fn.min('ts').as('ts'))
    .executeTakeFirst();
  return row?.ts === null || row?.ts === undefined ? undefined : Number(row.ts);
}

/** Removes raw samples older than `before`; returns how many. */
export async function purgeSamples(
  db: Executor,
  table: 'metric_samples' | 'metric_samples_5m',
  seriesIds: readonly number[],
  before: number,
): Promise<number> {
  let removed = 0;
  for (const part of chunks(seriesIds, 500)) {
    const result = await db
      .deleteFrom(table)
      .where('series_id', 'in', part)
      .where('ts', '<', before)
      .executeTakeFirst();
    removed += Number(result.numDeletedRows);
  }
  return removed;
}

/** Removes series not sampled since `before` (their samples are gone by then). */
export async function purgeIdleSeries(db: Executor, before: number): Promise<number> {
  const idle = await db.selectFrom('metric_series').select('id').where('last_at', '<', before).execute();
  const ids = idle.map((r) => r.id);
  for (const part of chunks(ids, 500)) {
    await db.deleteFrom('metric_samples').where('series_id', 'in', part).execute();
    await db.deleteFrom('metric_samples_5m').where('series_id', 'in', part).execute();
    await db.deleteFrom('metric_series').where('id', 'in', part).execute();
  }
  return ids.length;
}

/** Clusters that have metric series. */
export async function metricClusters(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('metric_series').select('cluster').distinct().orderBy('cluster').execute();
  return rows.map((r) => r.cluster);
}

/** The first tick of any cluster at or after `since` (every tick writes one cluster sample). */
export async function firstTickSince(db: Executor, since: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('metric_samples as m')
    .innerJoin('metric_series as s', 's.id', 'm.series_id')
    .select((eb) => eb.fn.min('m.ts').as('ts'))
    .where('s.kind', '=', 'cluster')
    .where('m.ts', '>=', since)
    .executeTakeFirst();
  return row?.ts === null || row?.ts === undefined ? undefined : Number(row.ts);
}

/** The latest tick of a cluster at or before `at` (every tick writes one cluster sample). */
export async function latestTick(db: Executor, cluster: string, at: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('metric_samples as m')
    .innerJoin('metric_series as s', 's.id', 'm.series_id')
    .select((eb) => eb.fn.max('m.ts').as('ts'))
    .where('s.cluster', '=', cluster)
    .where('s.kind', '=', 'cluster')
    .where('m.ts', '<=', at)
    .executeTakeFirst();
  return row?.ts === null || row?.ts === undefined ? undefined : Number(row.ts);
}

export interface SampleAt extends SeriesKey {
  readonly values: SampleValues;
}

/** Every sample of one kind taken at tick `ts` (optionally only in some namespaces). */
export async function samplesAt(
  db: Executor,
  cluster: string,
  kind: SeriesKind,
  ts: number,
  namespaces: readonly string[] = [],
): Promise<SampleAt[]> {
  let query = db
    .selectFrom('metric_series as s')
    .innerJoin('metric_samples as m', (j) => j.onRef('m.series_id', '=', 's.id').on('m.ts', '=', ts))
    .select([
      's.kind',
      's.namespace',
      's.name',
      's.container',
      'm.cpu',
      'm.memory',
      'm.cpu_request',
      'm.cpu_limit',
      'm.memory_request',
      'm.memory_limit',
      'm.cpu_allocatable',
      'm.memory_allocatable',
      'm.cpu_capacity',
      'm.memory_capacity',
      'm.running',
      'm.abnormal',
    ])
    .where('s.cluster', '=', cluster)
    .where('s.kind', '=', kind)
    .where('s.last_at', '>=', ts - 2 * TOUCH_INTERVAL_MS);
  if (namespaces.length > 0) query = query.where('s.namespace', 'in', namespaces);
  const rows = await query.execute();
  return rows.map((r) => {
    const values = {} as Record<keyof SampleValues, number | null>;
    for (const f of SAMPLE_FIELDS) values[f] = r[f] === null ? null : Number(r[f]);
    return { kind: r.kind, namespace: r.namespace, name: r.name, container: r.container, values };
  });
}

/** Columns of the raw sample table a query may read. */
export type RawColumn = keyof SampleValues;

/** Columns of the aggregate table a query may read. */
/**
 * How one query reads a series. Raw samples: one or two columns (a value and what it is
 * divided by) and the value made of them — computed here, exactly. Aggregates: an SQL
 * expression over the bucket's columns giving the value in millionths as an integer (integers
 * travel much cheaper than decimals, and the unit is far below what a chart shows), and
 * optionally one giving a flag (0/1). Values within a grid step are averaged (usage) or the
 * highest is kept (counts).
 */
export interface Measure {
  readonly raw: readonly [RawColumn] | readonly [RawColumn, RawColumn];
  /** The value of one raw sample from its columns; null when it has none. */
  value(a: number | null, b: number | null): number | null;
  /** A raw sample to report (a container with usage but no limit). */
  flag?(a: number | null, b: number | null): boolean;
  readonly aggregate: { readonly micros: string; readonly flag?: string };
  /** `avg`: usage, averaged over the step (a bucket weighs as the samples it holds); `max`: pod counts. */
  readonly reduce: 'avg' | 'max';
}

export interface GridQuery {
  readonly dialect: Dialect;
  readonly cluster: string;
  readonly kind: SeriesKind;
  readonly namespaces?: readonly string[];
  readonly measure: Measure;
  readonly start: number;
  readonly end: number;
  readonly stepMs: number;
  /** Windows before `start` that are read too, so the first points can carry a value forward. */
  readonly lookbackMs: number;
  /**
   * Aggregates cover everything before this instant (the rollup watermark) and raw samples the
   * rest; undefined reads raw samples only.
   */
  readonly aggregatesUntil?: number | undefined;
  /** How many samples a bucket stands for in a step's average (buckets / collection interval). */
  readonly bucketWeight: number;
  /** Only these series (by id). */
  readonly ids?: readonly number[];
}

export interface GridSeries extends SeriesKey {
  /**
   * The value of each window, NaN where the window holds no sample. Window j ends at
   * start + (j − lookbackWindows)·step: the first `lookbackWindows` lie before the range.
   */
  readonly values: Float64Array;
  readonly lookbackWindows: number;
  readonly flagged: boolean;
}

/** One series' samples as parallel arrays: times, sample counts and the measure's columns. */
interface Columns {
  /** The grid window of each sample. */
  readonly window: number[];
  readonly values: Array<Array<number | null>>;
}

/**
 * Reads the samples of many series in one statement, one row per series holding each column
 * as a JSON array. Thousands of series × hundreds of samples would otherwise be that many row
 * objects; the database walks each series in key order without sorting, and JSON.parse reads
 * the arrays at native speed.
 */
interface ColumnRead {
  readonly table: 'metric_samples' | 'metric_samples_5m';
  /** A statement selecting the series ids. */
  readonly series: RawBuilder<unknown>;
  /** Column names, or SQL expressions written in this module's callers (never user input). */
  readonly columns: readonly string[];
  /** Exclusive. */
  readonly from: number;
  /** Inclusive. */
  readonly to: number;
  /** The grid: window j holds (lo + (j−1)·step, lo + j·step] of `ts + shift`. */
  readonly grid: { readonly lo: number; readonly step: number; readonly shift: number };
}

async function readColumns(db: Executor, dialect: Dialect, r: ColumnRead): Promise<Map<number, Columns>> {
  const { table, series, columns, from, to, grid } = r;
  // PostgreSQL needs the order spelled out; SQLite walks the primary key (series, ts) in order.
  const array = (expr: string): RawBuilder<unknown> =>
    sql.raw(dialect === 'postgres' ? `json_agg(${expr} order by ts)` : `json_group_array(${expr})`);
  // The window index is computed where the rows are: small integers are cheap to print and parse.
  const window = array(`(ts + ${grid.shift - grid.lo + grid.step - 1}) / ${grid.step}`);
  const result = await sql<Record<string, unknown>>`
    select series_id, ${window} as w${sql.join(
      columns.map((c, i) => sql`, ${array(c)} as ${sql.raw(`c${i}`)}`),
      sql``,
    )}
    from ${sql.table(table)}
    where series_id in (${series}) and ts > ${int(from)} and ts <= ${int(to)}
    group by series_id`.execute(db);
  const out = new Map<number, Columns>();
  const parse = (v: unknown): Array<number | null> =>
    (typeof v === 'string' ? JSON.parse(v) : v) as Array<number | null>;
  for (const row of result.rows) {
    out.set(Number(row.series_id), {
      window: parse(row.w) as number[],
      values: columns.map((_, i) => parse(row[`c${i}`])),
    });
  }
  return out;
}

/** Per-window sums of one series on a grid of `size` windows (index = k + offset). */
class Windows {
  readonly sum: Float64Array;
  readonly count: Float64Array;
  readonly max: Float64Array;

  constructor(size: number) {
    this.sum = new Float64Array(size);
    this.count = new Float64Array(size);
    this.max = new Float64Array(size).fill(-Infinity);
  }
}

/** Adds one series' samples to its windows; returns whether any sample was flagged. */
function accumulate(
  w: Windows,
  cols: Columns,
  weight: number,
  value: (a: number | null, b: number | null) => number | null,
  flag: ((a: number | null, b: number | null) => boolean) | undefined,
): boolean {
  let flagged = false;
  const [as, bs] = cols.values;
  const { window } = cols;
  for (let i = 0; i < window.length; i++) {
    const a = as?.[i] ?? null;
    const b = bs?.[i] ?? null;
    if (flag?.(a, b)) flagged = true;
    const v = value(a, b);
    if (v === null || !Number.isFinite(v)) continue;
    const j = window[i]!;
    if (j < 0 || j >= w.sum.length) continue;
    w.sum[j]! += v * weight;
    w.count[j]! += weight;
    if (v > w.max[j]!) w.max[j] = v;
  }
  return flagged;
}

const fromMicros = (a: number | null): number | null => (a === null ? null : a / 1e6);
const flagged01 = (_a: number | null, b: number | null): boolean => b === 1;

export interface SeriesRow extends SeriesKey {
  readonly id: number;
}

/** Which series {@link seriesSampledSince} lists. */
export interface SeriesFilter {
  readonly cluster: string;
  readonly kind: SeriesKind;
  /** Sampled since about this instant (series rows are touched at most hourly). */
  readonly since: number;
  /** Only these namespaces (empty: all). */
  readonly namespaces?: readonly string[];
  /** Only these series. */
  readonly ids?: readonly number[] | undefined;
}

export async function seriesSampledSince(db: Executor, f: SeriesFilter): Promise<SeriesRow[]> {
  const ns = f.namespaces ?? [];
  const rows = await db
    .selectFrom('metric_series')
    .select(['id', 'kind', 'namespace', 'name', 'container'])
    .where('cluster', '=', f.cluster)
    .where('kind', '=', f.kind)
    .where('last_at', '>=', f.since - TOUCH_INTERVAL_MS)
    .$if(ns.length > 0, (qb) => qb.where('namespace', 'in', ns))
    .$if(f.ids !== undefined, (qb) => qb.where('id', 'in', f.ids!.length > 0 ? f.ids! : [-1]))
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Reads series on a time grid: point k stands for the window (start + (k−1)·step, start + k·step].
 * Usage is averaged over a window (weighted by how many samples each bucket holds), counts take
 * the window's highest value.
 */
export async function seriesGrid(db: Executor, q: GridQuery): Promise<GridSeries[]> {
  const step = Math.max(1, Math.trunc(q.stepMs));
  const before = Math.ceil(q.lookbackMs / step);
  const lo = Math.trunc(q.start) - before * step;
  const from = lo - step;
  const end = q.end;
  const ns = q.namespaces ?? [];
  const keys = await seriesSampledSince(db, {
    cluster: q.cluster,
    kind: q.kind,
    since: from,
    namespaces: ns,
    ids: q.ids,
  });
  if (keys.length === 0) return [];
  const series =
    q.ids !== undefined
      ? sql`${sql.join(keys.map((k) => int(k.id)))}`
      : sql`select id from metric_series where cluster = ${q.cluster} and kind = ${q.kind} and last_at >= ${int(
          from - TOUCH_INTERVAL_MS,
        )}${ns.length > 0 ? sql` and namespace in (${sql.join(ns)})` : sql``}`;
  const boundary = q.aggregatesUntil;
  // A bucket stands at its end: every sample in it was taken before that instant.
  const buckets =
    boundary !== undefined && boundary > from
      ? await readColumns(db, q.dialect, {
          table: 'metric_samples_5m',
          series,
          columns: [
            q.measure.aggregate.micros,
            ...(q.measure.aggregate.flag ? [q.measure.aggregate.flag] : []),
          ],
          from: from - BUCKET_MS,
          to: Math.min(end, boundary) - BUCKET_MS,
          grid: { lo, step, shift: BUCKET_MS },
        })
      : new Map<number, Columns>();
  const raw =
    boundary === undefined || boundary <= end
      ? await readColumns(db, q.dialect, {
          table: 'metric_samples',
          series,
          columns: q.measure.raw,
          from: boundary === undefined ? from : Math.max(from, boundary - 1),
          to: end,
          grid: { lo, step, shift: 0 },
        })
      : new Map<number, Columns>();
  // Window j holds (lo + (j−1)·step, lo + j·step]; grid point k = j − before.
  const size = before + Math.floor((end - q.start) / step) + 1;
  const out: GridSeries[] = [];
  for (const key of keys) {
    const id = Number(key.id);
    const fromBuckets = buckets.get(id);
    const fromRaw = raw.get(id);
    if (!fromBuckets && !fromRaw) continue;
    const windows = new Windows(size);
    let flagged = false;
    const m = q.measure;
    if (
      fromBuckets &&
      accumulate(windows, fromBuckets, q.bucketWeight, fromMicros, m.aggregate.flag ? flagged01 : undefined)
    )
      flagged = true;
    const rawFlag = m.flag ? (a: number | null, b: number | null): boolean => m.flag!(a, b) : undefined;
    if (fromRaw && accumulate(windows, fromRaw, 1, (a, b) => m.value(a, b), rawFlag)) flagged = true;
    const values = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      const count = windows.count[j]!;
      values[j] = count === 0 ? NaN : q.measure.reduce === 'avg' ? windows.sum[j]! / count : windows.max[j]!;
    }
    out.push({
      kind: key.kind,
      namespace: key.namespace,
      name: key.name,
      container: key.container,
      values,
      lookbackWindows: before,
      flagged,
    });
  }
  return out;
}
