// Answers every catalog query from a Prometheus: runs the PromQL of promql-queries.ts and maps
// the answers into Lookout's typed results (series on a full time grid, or tables).
import type { Labels } from '../../domain/alert.js';
import {
  TABLE_COLUMNS,
  type Absent,
  type Cell,
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
import type { PrometheusConfig } from '../../config/sections/prometheus.js';
import type { Logger } from '../../telemetry/logger.js';
import { checkQuery, type CheckedQuery } from '../query-params.js';
import { PrometheusClient, type PromAnswer, type PromSeries } from './prometheus-client.js';
import { Promql } from './promql-queries.js';

export interface PrometheusSourceOptions {
  readonly cluster: string;
  readonly client: PrometheusClient;
  /** The scrape interval of the queried series; rate() windows are at least 4× this. */
  readonly scrapeIntervalMs: number;
  readonly nodeLabel?: string | undefined;
  readonly seriesLabels?: Readonly<Record<string, string>>;
  /** How far back the hpa table looks for scale events when asked for "now". */
  readonly scaleEventLookbackMs?: number;
  /** Scale events listed per HPA, newest first. */
  readonly scaleEventsPerHpa?: number;
  readonly now?: () => number;
}

const NO_LIMIT: Absent = { absent: 'no-limit' };
const NO_REQUEST: Absent = { absent: 'no-request' };

/**
 * Series that exist whenever their exporter is scraped (so their absence explains an empty
 * answer). Series that only appear with content — waiting reasons, limits, HPAs — are not
 * listed: a cluster without crashing pods is not a misconfigured one.
 */
const NEEDS: Readonly<Record<QueryName, readonly string[]>> = {
  'node-memory': ['node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes', 'node_uname_info'],
  'node-memory-requests': ['kube_pod_status_phase', 'kube_node_status_allocatable'],
  'container-memory': ['container_memory_working_set_bytes', 'kube_pod_container_info'],
  'node-cpu': ['node_cpu_seconds_total', 'node_uname_info'],
  'cluster-cpu': ['container_cpu_usage_seconds_total', 'kube_node_status_allocatable'],
  'container-cpu': ['container_cpu_usage_seconds_total', 'kube_pod_container_info'],
  'pods-running': ['kube_pod_status_phase'],
  'pods-abnormal': ['kube_pod_status_phase'],
  'top-nodes': ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'kube_node_status_allocatable'],
  'top-pods': [
    'container_cpu_usage_seconds_total',
    'container_memory_working_set_bytes',
    'kube_pod_container_info',
  ],
  hpa: ['kube_pod_status_phase'],
};

export class PrometheusSource implements QuerySource {
  readonly #o: PrometheusSourceOptions;
  readonly #now: () => number;

  constructor(options: PrometheusSourceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get cluster(): string {
    return this.#o.cluster;
  }

  async run(name: QueryName, params: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    const q = checkQuery(name, params, this.#now());
    const promql = new Promql({
      nodeLabel: this.#o.nodeLabel,
      seriesLabels: this.#o.seriesLabels,
      namespaces: q.namespaces,
    });
    const result = await this.#run(q, promql, signal);
    const empty = result.kind === 'series' ? result.series.length === 0 : result.rows.length === 0;
    if (!empty) return result;
    const needs = NEEDS[q.spec.name].filter((m) => m !== 'node_uname_info' || !this.#o.nodeLabel);
    const missing = await this.#missing(promql, needs, q.at, signal);
    if (missing.length === 0) return result;
    const note = `Prometheus has no ${missing.join(', ')} series: is ${exporterOf(missing)} scraped?`;
    return { ...result, notes: [...(result.notes ?? []), note] };
  }

  /** rate() window: at least 4 scrapes, and at least one step so no sample falls between points. */
  #window(stepMs?: number): number {
    return Math.max(4 * this.#o.scrapeIntervalMs, stepMs ?? 0);
  }

  async #run(q: CheckedQuery, p: Promql, signal?: AbortSignal): Promise<QueryResult> {
    const range = q.range;
    const w = this.#window(range?.stepMs);
    switch (q.spec.name) {
      case 'node-memory':
        return this.#series(
          q,
          await this.#range(p.nodeMemoryAvailablePercent(), q, signal),
          (l) => l.node,
          'gap',
        );
      case 'node-memory-requests':
        return this.#series(
          q,
          await this.#range(p.nodeMemoryRequestsPercent(), q, signal),
          (l) => l.node,
          'gap',
        );
      case 'node-cpu':
        return this.#series(q, await this.#range(p.nodeCpuUsedPercent(w), q, signal), (l) => l.node, 'gap');
      case 'cluster-cpu':
        return this.#series(
          q,
          await this.#range(p.clusterCpuPercent(w), q, signal),
          () => this.#o.cluster,
          'gap',
        );
      case 'container-memory':
      case 'container-cpu': {
        const resource = q.spec.name === 'container-memory' ? 'memory' : 'cpu';
        const expr =
          resource === 'memory' ? p.containerMemoryPercentOfLimit() : p.containerCpuPercentOfLimit(w);
        const [answer, unlimited] = await Promise.all([
          this.#range(expr, q, signal),
          this.#range(p.containersWithoutLimit(resource, w), q, signal),
        ]);
        const namer = containerNamer([...answer.series, ...unlimited.series]);
        const result = this.#series(q, answer, namer, 'gap');
        return { ...result, unlimited: unlimitedList(unlimited.series, namer) };
      }
      case 'pods-running':
        return this.#series(q, await this.#range(p.podsRunning(), q, signal), (l) => l.namespace, 'zero');
      case 'pods-abnormal':
        return this.#series(q, await this.#range(p.podsAbnormal(), q, signal), (l) => l.namespace, 'zero');
      case 'top-nodes':
        return this.#topNodes(q, p, signal);
      case 'top-pods':
        return this.#topPods(q, p, signal);
      case 'hpa':
        return this.#hpa(q, p, signal);
    }
  }

  #range(expr: string, q: CheckedQuery, signal?: AbortSignal): Promise<PromAnswer> {
    return this.#o.client.queryRange(expr, q.range as TimeRange, signal);
  }

  #instant(expr: string, q: CheckedQuery, signal?: AbortSignal): Promise<PromAnswer> {
    return this.#o.client.query(expr, q.at, signal);
  }

  #series(
    q: CheckedQuery,
    answer: PromAnswer,
    nameOf: (labels: Labels) => string | undefined,
    missing: 'gap' | 'zero',
  ): SeriesResult {
    const range = q.range as TimeRange;
    const grid = timeGrid(range);
    const series: Series[] = [];
    for (const s of answer.series) {
      const byTime = new Map<number, number>();
      for (const [t, v] of s.points) byTime.set(alignToGrid(t, range), v);
      const fill = missing === 'zero' ? 0 : null;
      const points: Point[] = grid.map((t) => {
        const v = byTime.get(t);
        return [t, v === undefined ? fill : Number.isFinite(v) ? v : null];
      });
      series.push({ name: nameOf(s.labels) ?? '(unnamed)', labels: identity(s.labels), points });
    }
    series.sort((a, b) => a.name.localeCompare(b.name));
    return {
      kind: 'series',
      query: q.spec.name,
      cluster: this.#o.cluster,
      title: q.spec.title,
      unit: q.spec.unit ?? 'count',
      range,
      series,
      ...(answer.warnings.length > 0 ? { notes: answer.warnings.map((w) => `Prometheus: ${w}`) } : {}),
    };
  }

  async #topNodes(q: CheckedQuery, p: Promql, signal?: AbortSignal): Promise<TableResult> {
    const w = this.#window();
    const [cpu, memory, allocatable, requests, limits] = await Promise.all([
      this.#instant(p.nodeCpuUsedCores(w), q, signal),
      this.#instant(p.nodeMemoryUsedBytes(), q, signal),
      this.#instant(p.nodeAllocatable(), q, signal),
      this.#instant(p.nodeResourceSum('requests'), q, signal),
      this.#instant(p.nodeResourceSum('limits'), q, signal),
    ]);
    const byNode = (a: PromAnswer): Map<string, number> => valueMap(a, (l) => l.node);
    const byNodeResource = (a: PromAnswer): Map<string, number> =>
      valueMap(a, (l) => `${l.node}\u0000${l.resource}`);
    const cpuUsed = byNode(cpu);
    const memoryUsed = byNode(memory);
    const alloc = byNodeResource(allocatable);
    const req = byNodeResource(requests);
    const lim = byNodeResource(limits);
    const kubeNodes = new Set([...alloc.keys()].map((k) => k.split('\u0000')[0]!));
    const nodes = [...new Set([...kubeNodes, ...cpuUsed.keys(), ...memoryUsed.keys()])].sort();
    const percent = (num: number | undefined, den: number | undefined): number | null =>
      num === undefined || den === undefined || den <= 0 ? null : (100 * num) / den;
    const rows = nodes.map((node) => {
      const a = (r: string): number | undefined => alloc.get(`${node}\u0000${r}`);
      // A node with pods but none with requests sums to nothing: 0 %, not unknown.
      const sum = (m: Map<string, number>, r: string): number | undefined =>
        a(r) === undefined ? undefined : (m.get(`${node}\u0000${r}`) ?? 0);
      return {
        node,
        cpu: cpuUsed.get(node) ?? null,
        cpu_percent: percent(cpuUsed.get(node), a('cpu')),
        memory: memoryUsed.get(node) ?? null,
        memory_percent: percent(memoryUsed.get(node), a('memory')),
        cpu_requests_percent: percent(sum(req, 'cpu'), a('cpu')),
        cpu_limits_percent: percent(sum(lim, 'cpu'), a('cpu')),
        memory_requests_percent: percent(sum(req, 'memory'), a('memory')),
        memory_limits_percent: percent(sum(lim, 'memory'), a('memory')),
      } satisfies Record<string, Cell>;
    });
    const notes = warningsOf(cpu, memory, allocatable, requests, limits);
    const unmatched = [...cpuUsed.keys()].filter((n) => kubeNodes.size > 0 && !kubeNodes.has(n));
    if (unmatched.length > 0) {
      notes.push(
        `node-exporter node names (${unmatched.slice(0, 3).join(', ')}${unmatched.length > 3 ? ', …' : ''}) match no Kubernetes node: set prometheus.node_label if your scrape config labels node-exporter series with the node name`,
      );
    }
    return this.#table(q, rows, notes);
  }

  async #topPods(q: CheckedQuery, p: Promql, signal?: AbortSignal): Promise<TableResult> {
    const w = this.#window();
    const [cpu, memory, containers, requests, limits] = await Promise.all([
      this.#instant(p.podCpuCores(w), q, signal),
      this.#instant(p.podMemoryBytes(), q, signal),
      this.#instant(p.podContainers(), q, signal),
      this.#instant(p.containerResources('requests'), q, signal),
      this.#instant(p.containerResources('limits'), q, signal),
    ]);
    const podKey = (l: Labels): string => `${l.namespace}/${l.pod}`;
    const cpuUsed = valueMap(cpu, podKey);
    const memoryUsed = valueMap(memory, podKey);
    const containersOf = new Map<string, Set<string>>();
    for (const s of containers.series) {
      const key = podKey(s.labels);
      const set = containersOf.get(key) ?? new Set<string>();
      set.add(s.labels.container ?? '');
      containersOf.set(key, set);
    }
    const perContainer = (a: PromAnswer): Map<string, number> =>
      valueMap(a, (l) => `${podKey(l)}\u0000${l.container}\u0000${l.resource}`);
    const req = perContainer(requests);
    const lim = perContainer(limits);
    // kubectl top lists the pods it has usage for; so does Lookout.
    const pods = [...new Set([...cpuUsed.keys(), ...memoryUsed.keys()])].sort();
    const rows = pods.map((key) => {
      const [namespace = '', pod = ''] = key.split('/');
      const names = containersOf.get(key) ?? new Set<string>();
      const requestOf = (r: string): number => {
        let total = 0;
        for (const c of names) total += req.get(`${key}\u0000${c}\u0000${r}`) ?? 0;
        return total;
      };
      // A pod has a limit only when every one of its containers has one.
      const limitOf = (r: string): number | undefined => {
        if (names.size === 0) return undefined;
        let total = 0;
        for (const c of names) {
          const v = lim.get(`${key}\u0000${c}\u0000${r}`);
          if (v === undefined || v <= 0) return undefined;
          total += v;
        }
        return total;
      };
      const ofRequest = (used: number | undefined, r: string): Cell => {
        const total = requestOf(r);
        if (total <= 0) return NO_REQUEST;
        return used === undefined ? null : (100 * used) / total;
      };
      const ofLimit = (used: number | undefined, r: string): Cell => {
        const total = limitOf(r);
        if (total === undefined) return NO_LIMIT;
        return used === undefined ? null : (100 * used) / total;
      };
      const c = cpuUsed.get(key);
      const m = memoryUsed.get(key);
      return {
        namespace,
        pod,
        cpu: c ?? null,
        memory: m ?? null,
        cpu_of_request: ofRequest(c, 'cpu'),
        cpu_of_limit: ofLimit(c, 'cpu'),
        memory_of_request: ofRequest(m, 'memory'),
        memory_of_limit: ofLimit(m, 'memory'),
      } satisfies Record<string, Cell>;
    });
    return this.#table(q, rows, warningsOf(cpu, memory, containers, requests, limits));
  }

  async #hpa(q: CheckedQuery, p: Promql, signal?: AbortSignal): Promise<TableResult> {
    const lookback = this.#o.scaleEventLookbackMs ?? 6 * 3600_000;
    const eventsRange: TimeRange = q.range ?? {
      start: q.at - lookback,
      end: q.at,
      // About 720 points over the window, never finer than the scrape interval.
      stepMs: Math.max(this.#o.scrapeIntervalMs, Math.ceil(lookback / 720 / 1000) * 1000),
    };
    const [gauges, desired] = await Promise.all([
      this.#instant(p.hpaGauges(), q, signal),
      this.#o.client.queryRange(p.hpaDesiredReplicas(), eventsRange, signal),
    ]);
    interface Hpa {
      namespace: string;
      hpa: string;
      reference: string;
      values: Record<string, number>;
      targets: Map<string, { spec?: number; status?: number; type: string; metric: string }>;
    }
    const hpas = new Map<string, Hpa>();
    const get = (l: Labels): Hpa => {
      const key = `${l.namespace}/${l.horizontalpodautoscaler}`;
      let h = hpas.get(key);
      if (!h) {
        h = {
          namespace: l.namespace ?? '',
          hpa: l.horizontalpodautoscaler ?? '',
          reference: '',
          values: {},
          targets: new Map(),
        };
        hpas.set(key, h);
      }
      return h;
    };
    for (const s of gauges.series) {
      const name = (s.labels.__name__ ?? '').replace('kube_horizontalpodautoscaler_', '');
      const v = s.points[0]?.[1];
      if (v === undefined || !s.labels.horizontalpodautoscaler) continue;
      const h = get(s.labels);
      if (name === 'info') {
        const kind = s.labels.scaletargetref_kind ?? '';
        const target = s.labels.scaletargetref_name ?? '';
        h.reference = kind && target ? `${kind}/${target}` : target;
      } else if (name === 'spec_target_metric' || name === 'status_target_metric') {
        const metric = s.labels.metric_name ?? '';
        const type = s.labels.metric_target_type ?? '';
        const key = `${metric}\u0000${type}`;
        const t = h.targets.get(key) ?? { metric, type };
        if (name === 'spec_target_metric') t.spec = v;
        else t.status = v;
        h.targets.set(key, t);
      } else {
        h.values[name] = v;
      }
    }
    const eventsOf = new Map<string, ScaleEvent[]>();
    for (const s of desired.series) {
      eventsOf.set(`${s.labels.namespace}/${s.labels.horizontalpodautoscaler}`, scaleEvents(s));
    }
    const keep = this.#o.scaleEventsPerHpa ?? 3;
    const rows = [...hpas.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, h]) => {
        const targets = [...h.targets.values()].filter((t) => t.spec !== undefined);
        const cpu = targets.find((t) => t.metric === 'cpu' && t.type === 'utilization');
        const num = (k: string): number | null => h.values[k] ?? null;
        return {
          namespace: h.namespace,
          hpa: h.hpa,
          reference: h.reference,
          targets: targets.length > 0 ? targets.map(formatTarget).join(', ') : '<none>',
          cpu_utilisation: cpu?.status ?? null,
          cpu_target: cpu?.spec ?? null,
          replicas: num('status_current_replicas'),
          desired: num('status_desired_replicas'),
          min: num('spec_min_replicas'),
          max: num('spec_max_replicas'),
          last_scale: (eventsOf.get(key) ?? []).slice(-keep).reverse(),
        } satisfies Record<string, Cell>;
      });
    return this.#table(q, rows, warningsOf(gauges, desired));
  }

  #table(q: CheckedQuery, rows: readonly Record<string, Cell>[], notes: readonly string[]): TableResult {
    const name = q.spec.name as 'top-nodes' | 'top-pods' | 'hpa';
    return {
      kind: 'table',
      query: name,
      cluster: this.#o.cluster,
      title: q.spec.title,
      at: q.at,
      columns: TABLE_COLUMNS[name],
      rows,
      ...(notes.length > 0 ? { notes } : {}),
    };
  }

  async #missing(p: Promql, metrics: readonly string[], at: number, signal?: AbortSignal): Promise<string[]> {
    try {
      const answer = await this.#o.client.query(p.present(metrics), at, signal);
      const present = new Set(answer.series.map((s) => s.labels.__name__));
      return metrics.filter((m) => !present.has(m));
    } catch {
      // Only an explanation is lost; the (empty) answer still stands.
      return [];
    }
  }
}

/** Builds the source for one cluster from its `prometheus:` config. */
export function createPrometheusSource(
  config: PrometheusConfig,
  options: { readonly cluster: string; readonly log?: Logger; readonly now?: () => number },
): PrometheusSource {
  const client = createPrometheusClient(config, options.log);
  return new PrometheusSource({
    cluster: options.cluster,
    client,
    scrapeIntervalMs: config.scrape_interval,
    nodeLabel: config.node_label,
    seriesLabels: config.series_labels,
    ...(options.now ? { now: options.now } : {}),
  });
}

/** The HTTP client for a `prometheus:` config (shared by the source and the rule evaluator). */
export function createPrometheusClient(config: PrometheusConfig, log?: Logger): PrometheusClient {
  return new PrometheusClient({
    url: config.url,
    auth: config.bearer_token_file
      ? { kind: 'bearer-file', path: config.bearer_token_file }
      : config.basic_auth
        ? {
            kind: 'basic',
            username: config.basic_auth.username,
            password: config.basic_auth.password,
            passwordFile: config.basic_auth.password_file,
          }
        : { kind: 'none' },
    caFile: config.tls_config.ca_file,
    insecureSkipVerify: config.tls_config.insecure_skip_verify,
    timeoutMs: config.timeout,
    method: config.method,
    ...(log ? { log: log.child({ component: 'prometheus' }) } : {}),
  });
}

function timeGrid(range: TimeRange): number[] {
  const out: number[] = [];
  for (let t = range.start; t <= range.end; t += range.stepMs) out.push(t);
  return out;
}

/** Prometheus returns float seconds; snap each point back onto the requested grid. */
function alignToGrid(t: number, range: TimeRange): number {
  return range.start + Math.round((t - range.start) / range.stepMs) * range.stepMs;
}

const IDENTITY_LABELS = ['node', 'namespace', 'pod', 'container', 'horizontalpodautoscaler'];

function identity(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const k of IDENTITY_LABELS) if (labels[k] !== undefined) out[k] = labels[k];
  return out;
}

/** Legend names for containers: `pod/container`, with the namespace when more than one appears. */
function containerNamer(all: readonly PromSeries[]): (l: Labels) => string {
  const namespaces = new Set(all.map((s) => s.labels.namespace));
  return (l) => (namespaces.size > 1 ? `${l.namespace}/${l.pod}/${l.container}` : `${l.pod}/${l.container}`);
}

function unlimitedList(series: readonly PromSeries[], namer: (l: Labels) => string): Unlimited[] {
  const seen = new Map<string, Unlimited>();
  for (const s of series) {
    const name = namer(s.labels);
    if (!seen.has(name)) seen.set(name, { name, labels: identity(s.labels) });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function valueMap(answer: PromAnswer, key: (l: Labels) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of answer.series) {
    const k = key(s.labels);
    const v = s.points[0]?.[1];
    if (k !== undefined && v !== undefined && Number.isFinite(v)) out.set(k, v);
  }
  return out;
}

function warningsOf(...answers: readonly PromAnswer[]): string[] {
  return [...new Set(answers.flatMap((a) => a.warnings))].map((w) => `Prometheus: ${w}`);
}

/** Each change of desired replicas between consecutive samples, oldest first. */
export function scaleEvents(series: PromSeries): ScaleEvent[] {
  const events: ScaleEvent[] = [];
  let previous: number | undefined;
  for (const [t, v] of series.points) {
    if (!Number.isFinite(v)) continue;
    if (previous !== undefined && v !== previous) events.push({ at: t, from: previous, to: v });
    previous = v;
  }
  return events;
}

function formatTarget(t: { metric: string; type: string; spec?: number; status?: number }): string {
  const show = (v: number | undefined): string => {
    if (v === undefined) return '<unknown>';
    if (t.type === 'utilization') return `${Math.round(v)}%`;
    if (t.metric === 'cpu') return v < 1 ? `${Math.round(v * 1000)}m` : `${Number(v.toFixed(2))}`;
    if (t.metric === 'memory') return `${Math.round(v / 1048576)}Mi`;
    return `${Number(v.toPrecision(4))}`;
  };
  return `${t.metric}: ${show(t.status)}/${show(t.spec)}`;
}

function exporterOf(missing: readonly string[]): string {
  const kinds = new Set<string>();
  for (const m of missing) {
    if (m.startsWith('node_')) kinds.add('node-exporter');
    else if (m.startsWith('container_')) kinds.add('cAdvisor (the kubelet)');
    else kinds.add('kube-state-metrics');
  }
  return [...kinds].join(' or ');
}
