// How the built-in source reads each series query from the samples — raw and aggregated — and
// which queries are wide enough to keep per-bucket leaders (docs/queries.md, "The built-in
// source").
import type { QueryName } from '../../domain/query.js';
import {
  LEADERS_PER_BUCKET,
  type LeaderMeasure,
  type Measure,
  type SampleValues,
  type SeriesKind,
} from '../../store/repos/metric-repo.js';

export interface SeriesSpec {
  readonly kind: SeriesKind;
  readonly measure: Measure;
  /** Count series are 0 where there is no sample, not a gap. */
  readonly count?: boolean;
}

/** used / of in percent; null when either is unknown or `of` is not positive. */
function share(used: number | null, of: number | null): number | null {
  return used === null || of === null || of <= 0 ? null : (100 * used) / of;
}

/** A container with usage but no (positive) limit: reported, never divided by. */
function unlimited(used: number | null, limit: number | null): boolean {
  return used !== null && (limit === null || limit <= 0);
}

/** An SQL expression as an integer number of millionths (`expr` is in the measure's unit). */
function micros(expr: string): string {
  return `cast(round(1000000 * (${expr})) as bigint)`;
}

/** used / of in percent, over aggregate columns, in SQL; null where `of` is not positive. */
function sqlShare(used: string, of: string): string {
  return micros(`100 * cast(${used} as double precision) / (case when ${of} > 0 then ${of} end)`);
}

function sqlUnlimited(used: string, limit: string): string {
  return `case when ${used} is not null and coalesce(${limit}, 0) <= 0 then 1 else 0 end`;
}

/** How each series query reads the samples (docs/queries.md: "The built-in source"). */
export const SERIES: Readonly<Partial<Record<QueryName, SeriesSpec>>> = {
  'node-memory': {
    kind: 'node',
    measure: {
      raw: ['memory', 'memory_capacity'],
      value: (used, capacity) =>
        used === null || capacity === null ? null : share(capacity - used, capacity),
      aggregate: { micros: sqlShare('memory_capacity - memory_avg', 'memory_capacity') },
      reduce: 'avg',
    },
  },
  'node-memory-requests': {
    kind: 'node',
    measure: {
      raw: ['memory_request', 'memory_allocatable'],
      value: share,
      aggregate: { micros: sqlShare('memory_request', 'memory_allocatable') },
      reduce: 'avg',
    },
  },
  'node-cpu': {
    kind: 'node',
    measure: {
      raw: ['cpu', 'cpu_capacity'],
      value: share,
      aggregate: { micros: sqlShare('cpu_avg', 'cpu_capacity') },
      reduce: 'avg',
    },
  },
  'cluster-cpu': {
    kind: 'cluster',
    measure: {
      raw: ['cpu', 'cpu_allocatable'],
      value: share,
      aggregate: { micros: sqlShare('cpu_avg', 'cpu_allocatable') },
      reduce: 'avg',
    },
  },
  'container-memory': {
    kind: 'container',
    measure: {
      raw: ['memory', 'memory_limit'],
      value: share,
      flag: unlimited,
      aggregate: {
        micros: sqlShare('memory_avg', 'memory_limit'),
        flag: sqlUnlimited('memory_avg', 'memory_limit'),
      },
      reduce: 'avg',
    },
  },
  'container-cpu': {
    kind: 'container',
    measure: {
      raw: ['cpu', 'cpu_limit'],
      value: share,
      flag: unlimited,
      aggregate: { micros: sqlShare('cpu_avg', 'cpu_limit'), flag: sqlUnlimited('cpu_avg', 'cpu_limit') },
      reduce: 'avg',
    },
  },
  'pods-running': {
    kind: 'namespace',
    count: true,
    measure: {
      raw: ['running'],
      value: (n) => n,
      aggregate: { micros: 'running_max * 1000000' },
      reduce: 'max',
    },
  },
  'pods-abnormal': {
    kind: 'namespace',
    count: true,
    measure: {
      raw: ['abnormal'],
      value: (n) => n,
      aggregate: { micros: 'abnormal_max * 1000000' },
      reduce: 'max',
    },
  },
};

/** Kinds with many series (a node or a container each): their queries keep bucket leaders. */
const WIDE_KINDS: ReadonlySet<SeriesKind> = new Set(['node', 'container']);

/** The series queries whose buckets have leaders, with the measure the leaders rank by. */
export const LEADER_MEASURES: readonly LeaderMeasure[] = Object.entries(SERIES)
  .filter(([, spec]) => WIDE_KINDS.has(spec.kind))
  .map(([query, spec]) => ({ query, kind: spec.kind, micros: spec.measure.aggregate.micros }));

/**
 * Where the leaders of single ticks are kept (under the query's name with this suffix): they
 * stand in for the buckets not rolled up yet, until the rollup ranks those.
 */
export function tickLeadersKey(query: string): string {
  return `${query}@tick`;
}

export interface TickSample {
  readonly seriesId: number;
  readonly kind: SeriesKind;
  readonly values: SampleValues;
}

/** The leaders of one tick for every wide query: the highest samples, in millionths. */
export function tickLeaders(
  samples: readonly TickSample[],
): Array<{ readonly key: string; readonly leaders: Array<{ seriesId: number; micros: number }> }> {
  return LEADER_MEASURES.map((m) => {
    const measure = SERIES[m.query as QueryName]!.measure;
    const [a, b] = measure.raw;
    const values: Array<{ seriesId: number; micros: number }> = [];
    for (const s of samples) {
      if (s.kind !== m.kind) continue;
      const v = measure.value(s.values[a], b === undefined ? null : s.values[b]);
      if (v !== null && Number.isFinite(v))
        values.push({ seriesId: s.seriesId, micros: Math.round(v * 1e6) });
    }
    values.sort((x, y) => y.micros - x.micros || x.seriesId - y.seriesId);
    return { key: tickLeadersKey(m.query), leaders: values.slice(0, LEADERS_PER_BUCKET) };
  });
}
