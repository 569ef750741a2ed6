// Resource samples from metrics.k8s.io joined with the watched state: one series per node,
// container, namespace and cluster; raw samples per collection tick and 5-minute aggregates.
import type { Generated } from 'kysely';

/**
 * What a series describes. `node`: a node's usage and what is scheduled on it; `container`:
 * one container of one pod; `namespace`: pod counts; `cluster`: totals (one row per tick,
 * which also marks when Lookout sampled).
 */
export type SeriesKind = 'node' | 'container' | 'namespace' | 'cluster';

/** One series, identified by cluster, kind and names; `''` where a name does not apply. */
export interface MetricSeriesTable {
  id: Generated<number>;
  cluster: string;
  kind: SeriesKind;
  namespace: string;
  /** Node, pod, namespace name; `''` for the cluster series. */
  name: string;
  container: string;
  created_at: number;
  /** Last sample time, refreshed at most hourly (see metric-repo touchSeries). */
  last_at: number;
}

/**
 * One raw sample. CPU is in integer nanocores and memory in bytes (exactly what metrics-server
 * serves, and compact on disk); `null` is "not known at this tick" (no metrics, no limit set).
 *
 * - node: `cpu`/`memory` used; `*_request`/`*_limit` sums over its Pending and Running pods;
 *   allocatable and capacity.
 * - container: `cpu`/`memory` used; its own requests and limits.
 * - namespace: `running` and `abnormal` pod counts.
 * - cluster: `cpu`/`memory` of all sampled containers; allocatable and capacity of all nodes.
 */
export interface MetricSampleTable {
  series_id: number;
  ts: number;
  cpu: number | null;
  memory: number | null;
  cpu_request: number | null;
  cpu_limit: number | null;
  memory_request: number | null;
  memory_limit: number | null;
  cpu_allocatable: number | null;
  memory_allocatable: number | null;
  cpu_capacity: number | null;
  memory_capacity: number | null;
  running: number | null;
  abnormal: number | null;
}

/**
 * The samples of one series in one 5-minute bucket (`ts` is the bucket's start): how many,
 * the average and the peak of usage and counts, and the average of the rest.
 */
export interface MetricAggregateTable {
  series_id: number;
  ts: number;
  n: number;
  cpu_avg: number | null;
  cpu_max: number | null;
  memory_avg: number | null;
  memory_max: number | null;
  cpu_request: number | null;
  cpu_limit: number | null;
  memory_request: number | null;
  memory_limit: number | null;
  cpu_allocatable: number | null;
  memory_allocatable: number | null;
  cpu_capacity: number | null;
  memory_capacity: number | null;
  running_avg: number | null;
  running_max: number | null;
  abnormal_avg: number | null;
  abnormal_max: number | null;
}

/** Progress markers of the metric jobs (how far the rollup has come). */
export interface MetricWatermarkTable {
  name: string;
  value: number;
}

/**
 * The series with the highest values of one wide query in one 5-minute bucket (`ts` is the
 * bucket's start), rank 1 the highest; values in millionths of the query's unit.
 */
export interface MetricLeaderTable {
  cluster: string;
  query: string;
  ts: number;
  rank: number;
  series_id: number;
  micros: number;
}

export interface MetricsTables {
  metric_series: MetricSeriesTable;
  metric_samples: MetricSampleTable;
  metric_samples_5m: MetricAggregateTable;
  metric_watermarks: MetricWatermarkTable;
  metric_leaders: MetricLeaderTable;
}
