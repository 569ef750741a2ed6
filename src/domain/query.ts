// The resource queries Lookout answers (their names are public API) and the one typed result
// every consumer — CLI, chat, API, UI, charts — reads, whichever source computed it.
import type { Labels } from './alert.js';

/** The catalog's query names, in the order help texts list them. */
export const QUERY_NAMES = [
  'node-memory',
  'node-memory-requests',
  'container-memory',
  'node-cpu',
  'cluster-cpu',
  'container-cpu',
  'pods-running',
  'pods-abnormal',
  'top-nodes',
  'top-pods',
  'hpa',
] as const;

export type QueryName = (typeof QUERY_NAMES)[number];

/** What a number means; charts label axes and tables format cells by it. */
export type Unit = 'percent' | 'bytes' | 'cores' | 'count';

/**
 * `cluster`: about nodes or the whole cluster; the namespace filter does not apply.
 * `namespace`: about pods, containers, namespaces or HPAs; the namespace filter narrows it.
 */
export type QueryScope = 'cluster' | 'namespace';

export interface QuerySpec {
  readonly name: QueryName;
  readonly kind: 'series' | 'table';
  readonly scope: QueryScope;
  /** Chart or table title. */
  readonly title: string;
  /** Unit of every series value (series queries only). */
  readonly unit?: Unit;
  /** One line on what the query answers, for help texts. */
  readonly summary: string;
}

export const QUERY_CATALOG: Readonly<Record<QueryName, QuerySpec>> = {
  'node-memory': {
    name: 'node-memory',
    kind: 'series',
    scope: 'cluster',
    title: 'Node memory available',
    unit: 'percent',
    summary: "each node's available memory, % of its total memory",
  },
  'node-memory-requests': {
    name: 'node-memory-requests',
    kind: 'series',
    scope: 'cluster',
    title: 'Pod memory requests per node',
    unit: 'percent',
    summary: "per node, the sum of its pods' memory requests, % of the node's allocatable memory",
  },
  'container-memory': {
    name: 'container-memory',
    kind: 'series',
    scope: 'namespace',
    title: 'Container memory use of limit',
    unit: 'percent',
    summary: "each container's memory working set, % of its memory limit",
  },
  'node-cpu': {
    name: 'node-cpu',
    kind: 'series',
    scope: 'cluster',
    title: 'Node CPU used',
    unit: 'percent',
    summary: "each node's CPU busy time, % of its CPUs",
  },
  'cluster-cpu': {
    name: 'cluster-cpu',
    kind: 'series',
    scope: 'cluster',
    title: 'Cluster CPU used by containers',
    unit: 'percent',
    summary: "all containers' CPU use, % of all nodes' allocatable CPU",
  },
  'container-cpu': {
    name: 'container-cpu',
    kind: 'series',
    scope: 'namespace',
    title: 'Container CPU use of limit',
    unit: 'percent',
    summary: "each container's CPU use, % of its CPU limit",
  },
  'pods-running': {
    name: 'pods-running',
    kind: 'series',
    scope: 'namespace',
    title: 'Running pods per namespace',
    unit: 'count',
    summary: 'pods in phase Running, per namespace',
  },
  'pods-abnormal': {
    name: 'pods-abnormal',
    kind: 'series',
    scope: 'namespace',
    title: 'Abnormal pods per namespace',
    unit: 'count',
    summary:
      'pods Pending, Failed or Unknown, or with a container stuck waiting (CrashLoopBackOff, image pull errors …), per namespace',
  },
  'top-nodes': {
    name: 'top-nodes',
    kind: 'table',
    scope: 'cluster',
    title: 'Nodes: CPU and memory',
    summary: 'what `kubectl top nodes` prints, plus requests and limits as % of allocatable',
  },
  'top-pods': {
    name: 'top-pods',
    kind: 'table',
    scope: 'namespace',
    title: 'Pods: CPU and memory',
    summary: 'what `kubectl top pods` prints, plus use as % of requests and limits',
  },
  hpa: {
    name: 'hpa',
    kind: 'table',
    scope: 'namespace',
    title: 'Horizontal pod autoscalers',
    summary:
      'each HPA: current/target utilisation, current/desired/min/max replicas and its last scale events',
  },
};

export function isQueryName(value: string): value is QueryName {
  return (QUERY_NAMES as readonly string[]).includes(value);
}

/** A time range in epoch ms; points fall on `start + k * stepMs` up to `end`. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
  readonly stepMs: number;
}

export interface QueryParams {
  readonly cluster: string;
  /** Only these namespaces (empty or absent: all). Ignored by cluster-scoped queries. */
  readonly namespaces?: readonly string[] | undefined;
  /**
   * A range for series queries. Table queries answer for the range's end and look for events
   * (HPA scale events) inside it. `'now'` asks a table query for the present moment.
   */
  readonly range: TimeRange | 'now';
  /**
   * Series queries: answer at most this many lines — the `top − 1` series with the highest
   * peaks, and the rest folded into {@link SeriesResult.others} — as charts draw them.
   * Absent: every series.
   */
  readonly top?: number | undefined;
}

/** Lines a chart draws at most (the last one folds the rest); what charts ask as `top`. */
export const CHART_SERIES = 10;

/** One timestamped value; `null` is a gap (no sample at that step). */
export type Point = readonly [t: number, value: number | null];

export interface Series {
  /** Legend text: the node, `namespace/pod/container`, the namespace … */
  readonly name: string;
  /** Identifying labels (`node`, `namespace`, `pod`, `container`). */
  readonly labels: Labels;
  readonly points: readonly Point[];
}

/**
 * The series a `top` query left out, as one line: at each step the highest of them for
 * percentages (a sum of percentages means nothing), their sum otherwise.
 */
export interface FoldedSeries extends Series {
  /** How many series it stands for. */
  readonly count: number;
}

/** A container that has no limit for the resource a query divides by: reported, never divided. */
export interface Unlimited {
  readonly name: string;
  readonly labels: Labels;
}

export interface SeriesResult {
  readonly kind: 'series';
  readonly query: QueryName;
  readonly cluster: string;
  readonly title: string;
  readonly unit: Unit;
  readonly range: TimeRange;
  readonly series: readonly Series[];
  /** With `top`: the series not listed in `series`, folded into one line. */
  readonly others?: FoldedSeries;
  /** Containers left out of a `% of limit` query because they have no limit. */
  readonly unlimited?: readonly Unlimited[];
  /** Things the reader should know (a source that lacks a series, a truncated answer). */
  readonly notes?: readonly string[];
}

/** A cell that has no number for a reason the reader must see: no limit or no request set. */
export interface Absent {
  readonly absent: 'no-limit' | 'no-request';
}

/** One change of an HPA's desired replicas. */
export interface ScaleEvent {
  /** Epoch ms. */
  readonly at: number;
  /** Replicas before; null when the change happened before the first sample seen. */
  readonly from: number | null;
  readonly to: number;
  /** Why, when the source knows (a Kubernetes event message). */
  readonly reason?: string;
}

export type Cell = string | number | null | Absent | readonly ScaleEvent[];

export type ColumnType = 'text' | 'number' | 'scale-events';

export interface Column {
  readonly key: string;
  /** Header text. */
  readonly title: string;
  readonly type: ColumnType;
  readonly unit?: Unit;
}

export interface TableResult {
  readonly kind: 'table';
  readonly query: QueryName;
  readonly cluster: string;
  readonly title: string;
  /** Epoch ms the values describe. */
  readonly at: number;
  readonly columns: readonly Column[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
  readonly notes?: readonly string[];
}

export type QueryResult = SeriesResult | TableResult;

/**
 * Where answers come from: Lookout's own history, or a Prometheus. Every source answers every
 * catalog query with the same shapes, so consumers never care which one they talk to.
 * Failures are thrown as `QueryError` (src/metrics/query-error.ts).
 */
export interface QuerySource {
  run(name: QueryName, params: QueryParams, signal?: AbortSignal): Promise<QueryResult>;
}

export function isAbsent(cell: Cell): cell is Absent {
  return typeof cell === 'object' && cell !== null && !Array.isArray(cell) && 'absent' in cell;
}

/** The columns of each table query; every source fills exactly these keys. */
export const TABLE_COLUMNS: Readonly<Record<'top-nodes' | 'top-pods' | 'hpa', readonly Column[]>> = {
  'top-nodes': [
    { key: 'node', title: 'NODE', type: 'text' },
    { key: 'cpu', title: 'CPU', type: 'number', unit: 'cores' },
    { key: 'cpu_percent', title: 'CPU%', type: 'number', unit: 'percent' },
    { key: 'memory', title: 'MEMORY', type: 'number', unit: 'bytes' },
    { key: 'memory_percent', title: 'MEM%', type: 'number', unit: 'percent' },
    { key: 'cpu_requests_percent', title: 'CPU REQ%', type: 'number', unit: 'percent' },
    { key: 'cpu_limits_percent', title: 'CPU LIM%', type: 'number', unit: 'percent' },
    { key: 'memory_requests_percent', title: 'MEM REQ%', type: 'number', unit: 'percent' },
    { key: 'memory_limits_percent', title: 'MEM LIM%', type: 'number', unit: 'percent' },
  ],
  'top-pods': [
    { key: 'namespace', title: 'NAMESPACE', type: 'text' },
    { key: 'pod', title: 'POD', type: 'text' },
    { key: 'cpu', title: 'CPU', type: 'number', unit: 'cores' },
    { key: 'memory', title: 'MEMORY', type: 'number', unit: 'bytes' },
    { key: 'cpu_of_request', title: 'CPU/REQ', type: 'number', unit: 'percent' },
    { key: 'cpu_of_limit', title: 'CPU/LIM', type: 'number', unit: 'percent' },
    { key: 'memory_of_request', title: 'MEM/REQ', type: 'number', unit: 'percent' },
    { key: 'memory_of_limit', title: 'MEM/LIM', type: 'number', unit: 'percent' },
  ],
  hpa: [
    { key: 'namespace', title: 'NAMESPACE', type: 'text' },
    { key: 'hpa', title: 'NAME', type: 'text' },
    { key: 'reference', title: 'REFERENCE', type: 'text' },
    { key: 'targets', title: 'TARGETS', type: 'text' },
    { key: 'cpu_utilisation', title: 'CPU', type: 'number', unit: 'percent' },
    { key: 'cpu_target', title: 'CPU TARGET', type: 'number', unit: 'percent' },
    { key: 'replicas', title: 'REPLICAS', type: 'number', unit: 'count' },
    { key: 'desired', title: 'DESIRED', type: 'number', unit: 'count' },
    { key: 'min', title: 'MIN', type: 'number', unit: 'count' },
    { key: 'max', title: 'MAX', type: 'number', unit: 'count' },
    { key: 'last_scale', title: 'LAST SCALE', type: 'scale-events' },
  ],
};

/** The waiting reasons that make a pod abnormal (with phases Pending, Failed and Unknown). */
export const ABNORMAL_WAITING_REASONS: readonly string[] = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
];

/** Phases that make a pod abnormal. */
export const ABNORMAL_PHASES: readonly string[] = ['Pending', 'Failed', 'Unknown'];

/**
 * A range that ends at `now` (whole seconds) and spans `durationMs`, with a step of whole
 * seconds giving about `points` samples.
 */
export function rangeEndingAt(now: number, durationMs: number, points = 240): TimeRange {
  const stepMs = Math.max(1000, Math.round(durationMs / points / 1000) * 1000);
  const end = Math.floor(now / 1000) * 1000;
  return { start: end - durationMs, end, stepMs };
}
