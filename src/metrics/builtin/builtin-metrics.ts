// Lookout's own resource metrics, wired together: one poller per cluster that has no
// Prometheus, the rollup/retention job, the query source over the samples, and the latest
// samples for the threshold rules.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KubeClient } from '../../cluster/kube-client.js';
import type { Config } from '../../config/index.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import type { ResourceUsage } from '../../rules/rule.js';
import type { Store } from '../../store/index.js';
import { BuiltinSource } from './builtin-source.js';
import { MetricsMaintenance } from './maintenance.js';
import { MetricsPoller, createPollerMetrics, type MetricsApiStatus } from './poller.js';
import type { Tick } from './tick.js';

export interface BuiltinMetricsDeps {
  readonly config: Config;
  readonly store: Store;
  /** The API client of each watched cluster (by name). */
  readonly clients: ReadonlyMap<string, KubeClient>;
  /** The watched state of a cluster (the watch pipeline's). */
  readonly state: (cluster: string) => ClusterStateView | undefined;
  /** Whether a cluster's watches have finished their first list. */
  readonly synced?: (cluster: string) => boolean;
  readonly log: Logger;
  readonly registry: Registry;
  readonly now?: () => number;
}

export interface BuiltinMetrics {
  /** Answers the catalog queries from the store, for any cluster whose samples it holds. */
  readonly source: BuiltinSource;
  /** Clusters sampled by this instance (those without `prometheus:`). */
  readonly clusters: readonly string[];
  readonly pollers: readonly MetricsPoller[];
  readonly maintenance: MetricsMaintenance;
  /** The latest samples of a cluster, or undefined when there are none recent enough. */
  usage(cluster: string): ResourceUsage | undefined;
  /** What the last tick learned about the cluster's metrics API. */
  status(cluster: string): MetricsApiStatus | undefined;
  start(): void;
  stop(): Promise<void>;
}

export function createBuiltinMetrics(deps: BuiltinMetricsDeps): BuiltinMetrics {
  const { config, store, log } = deps;
  const settings = config.collect.metrics;
  const now = deps.now ?? Date.now;
  const pollerMetrics = createPollerMetrics(deps.registry);
  const pollers: MetricsPoller[] = [];
  if (settings.enabled) {
    for (const cluster of config.clusters) {
      const client = deps.clients.get(cluster.name);
      if (cluster.prometheus || !client) continue;
      pollers.push(
        new MetricsPoller({
          cluster: cluster.name,
          client,
          store,
          state: () => deps.state(cluster.name),
          synced: deps.synced ? () => deps.synced!(cluster.name) : undefined,
          namespaces: cluster.namespaces.include,
          intervalMs: settings.interval,
          timeoutMs: settings.timeout,
          log: log.child({ component: 'metrics', cluster: cluster.name }),
          metrics: pollerMetrics,
          now,
        }),
      );
    }
  }
  const byCluster = new Map(pollers.map((p) => [p.cluster, p]));
  const maintenance = new MetricsMaintenance({
    store,
    rawRetentionMs: config.retention.metrics_raw,
    aggregateRetentionMs: config.retention.metrics_5m,
    intervalMs: settings.interval,
    log: log.child({ component: 'metrics-maintenance' }),
    now,
  });
  const source = new BuiltinSource({
    store,
    intervalMs: settings.interval,
    rawRetentionMs: config.retention.metrics_raw,
    now,
  });
  const controller = new AbortController();
  const runs: Array<Promise<void>> = [];
  return {
    source,
    clusters: pollers.map((p) => p.cluster),
    pollers,
    maintenance,
    usage(cluster) {
      const tick = byCluster.get(cluster)?.latest;
      if (!tick || !tick.usage || now() - tick.at > 3 * settings.interval) return undefined;
      return usageOf(tick);
    },
    status: (cluster) => byCluster.get(cluster)?.status,
    start() {
      if (!settings.enabled) return;
      for (const p of pollers) runs.push(p.run(controller.signal));
      runs.push(maintenance.run(controller.signal, settings.maintenance_interval));
    },
    async stop() {
      controller.abort();
      await Promise.allSettled(runs);
    },
  };
}

const cores = (nanos: number | null): number | undefined => (nanos === null ? undefined : nanos / 1e9);
const num = (v: number | null): number | undefined => v ?? undefined;

/** A tick in the shape the threshold rules read. */
export function usageOf(tick: Tick): ResourceUsage {
  const nodes: Array<ResourceUsage['nodes'][number]> = [];
  const containers: Array<ResourceUsage['containers'][number]> = [];
  for (const r of tick.rows) {
    const v = r.values;
    if (r.kind === 'node') {
      nodes.push({
        node: r.name,
        cpuCores: cores(v.cpu),
        memoryBytes: num(v.memory),
        cpuCapacityCores: cores(v.cpu_capacity),
        memoryCapacityBytes: num(v.memory_capacity),
      });
    } else if (r.kind === 'container') {
      containers.push({
        namespace: r.namespace,
        pod: r.name,
        container: r.container,
        cpuCores: cores(v.cpu),
        memoryBytes: num(v.memory),
        cpuLimitCores: cores(v.cpu_limit),
        memoryLimitBytes: num(v.memory_limit),
      });
    }
  }
  return { at: tick.at, nodes, containers };
}
