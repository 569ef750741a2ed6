// A simulated cluster on a manual clock, watched by Lookout's real watch pipeline, sampled by
// the real metrics poller into a real store — and, at each tick, what the simulator served
// then, read straight from its wire objects, so tests can compute the exact expected answers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ClusterWatcher } from '../../src/cluster/cluster-watcher.js';
import { KubeClient } from '../../src/cluster/kube-client.js';
import { createWatchMetrics } from '../../src/cluster/watch-metrics.js';
import { parseConfig } from '../../src/config/index.js';
import { WatchPipeline } from '../../src/history/watch-pipeline.js';
import { Readiness } from '../../src/lib/readiness.js';
import { BuiltinSource } from '../../src/metrics/builtin/builtin-source.js';
import { MetricsMaintenance } from '../../src/metrics/builtin/maintenance.js';
import { MetricsPoller } from '../../src/metrics/builtin/poller.js';
import type { Tick } from '../../src/metrics/builtin/tick.js';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import type { MetricsSource } from '../../src/sim/contracts.js';
import type { KubeObject } from '../../src/sim/object-store.js';
import type { ScenarioName } from '../../src/sim/scenarios/index.js';
import { startSimServer, type SimServer } from '../../src/sim/server/index.js';
import type { Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';

export const INTERVAL_MS = 30_000;
export const CLUSTER = 'sim';

/** Quantities as the simulator writes them, parsed here independently of Lookout's parser. */
export function quantity(text: unknown): number | undefined {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(n|u|m|k|M|G|Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!m) throw new Error(`unexpected quantity ${text}`);
  const factor: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 1);
}

/** CPU in nanocores, memory in bytes, as Lookout stores them. */
export const nano = (text: unknown): number | undefined => {
  if (typeof text === 'string' && text.endsWith('n')) return Number(text.slice(0, -1));
  const v = quantity(text);
  return v === undefined ? undefined : Math.round(v * 1e9);
};
export const bytes = (text: unknown): number | undefined => {
  const v = quantity(text);
  return v === undefined ? undefined : Math.round(v);
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are read loosely
type Json = any;

export interface ServedContainer {
  readonly name: string;
  readonly cpu?: number | undefined;
  readonly memory?: number | undefined;
  readonly requests: { cpu?: number | undefined; memory?: number | undefined };
  readonly limits: { cpu?: number | undefined; memory?: number | undefined };
}

export interface ServedPod {
  readonly namespace: string;
  readonly name: string;
  readonly node: string | undefined;
  readonly phase: string;
  readonly waiting: readonly string[];
  /** Containers of the spec, with usage when metrics-server reports them. */
  readonly containers: readonly ServedContainer[];
  /** Reported by metrics.k8s.io. */
  readonly sampled: boolean;
}

export interface ServedNode {
  readonly name: string;
  readonly cpu?: number | undefined;
  readonly memory?: number | undefined;
  readonly capacity: { cpu: number; memory: number };
  readonly allocatable: { cpu: number; memory: number };
}

/** What the simulator served at one instant. */
export interface Served {
  readonly at: number;
  readonly nodes: ReadonlyMap<string, ServedNode>;
  readonly pods: readonly ServedPod[];
}

export function served(cluster: SimCluster, metrics: MetricsSource, at: number): Served {
  const usageByNode = new Map<string, Json>(metrics.nodeMetrics().map((m: Json) => [m.metadata.name, m]));
  const usageByPod = new Map<string, Json>(
    metrics.podMetrics().map((m: Json) => [`${m.metadata.namespace}/${m.metadata.name}`, m]),
  );
  const nodes = new Map<string, ServedNode>();
  for (const n of cluster.store.list('nodes').items as Json[]) {
    const u = usageByNode.get(n.metadata.name);
    nodes.set(n.metadata.name, {
      name: n.metadata.name,
      cpu: u ? nano(u.usage.cpu) : undefined,
      memory: u ? bytes(u.usage.memory) : undefined,
      capacity: { cpu: nano(n.status.capacity.cpu)!, memory: bytes(n.status.capacity.memory)! },
      allocatable: { cpu: nano(n.status.allocatable.cpu)!, memory: bytes(n.status.allocatable.memory)! },
    });
  }
  const pods: ServedPod[] = [];
  for (const p of cluster.store.list('pods').items as Json[]) {
    const u = usageByPod.get(`${p.metadata.namespace}/${p.metadata.name}`);
    const used = new Map<string, Json>((u?.containers ?? []).map((c: Json) => [c.name, c]));
    const statuses = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])];
    pods.push({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      node: p.spec.nodeName,
      phase: p.status?.phase ?? 'Pending',
      waiting: statuses
        .map((s: Json) => s.state?.waiting?.reason as string | undefined)
        .filter((r): r is string => r !== undefined),
      sampled: u !== undefined,
      containers: (p.spec.containers as Json[]).map((c) => {
        const usage = used.get(c.name);
        return {
          name: c.name,
          cpu: usage ? nano(usage.usage.cpu) : undefined,
          memory: usage ? bytes(usage.usage.memory) : undefined,
          requests: { cpu: nano(c.resources?.requests?.cpu), memory: bytes(c.resources?.requests?.memory) },
          limits: { cpu: nano(c.resources?.limits?.cpu), memory: bytes(c.resources?.limits?.memory) },
        };
      }),
    });
  }
  return { at, nodes, pods };
}

export interface Harness {
  readonly clock: ManualClock;
  readonly sim: SimCluster;
  readonly server: SimServer;
  readonly store: Store;
  readonly pipeline: WatchPipeline;
  readonly poller: MetricsPoller;
  readonly source: BuiltinSource;
  readonly maintenance: MetricsMaintenance;
  readonly kubeconfigPath: string;
  /** Advances the simulated clock, waits until Lookout's state has every change, samples. */
  step(ms: number): Promise<{ served: Served; tick: Tick }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly scenario: ScenarioName;
  readonly seed?: number;
  readonly store: Store;
  readonly dir: string;
  readonly rawRetentionMs?: number;
  /** What the API server serves as metrics.k8s.io (default: the simulated cluster's usage). */
  readonly metrics?: (sim: SimCluster) => MetricsSource;
  readonly startMs?: number;
}

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const clock = new ManualClock(options.startMs);
  const sim = new SimCluster({ scenario: options.scenario, seed: options.seed ?? 1, clock });
  await sim.start();
  const metrics = options.metrics?.(sim) ?? sim.metrics;
  const server = await startSimServer({ store: sim.store, logs: sim.logs, metrics });
  const kubeconfigPath = join(
    options.dir,
    `kubeconfig-${process.pid}-${Math.random().toString(16).slice(2)}`,
  );
  writeFileSync(kubeconfigPath, server.kubeconfig());
  const { store } = options;
  await store.migrate();
  const config = parseConfig(
    [
      `clusters: [ { name: ${CLUSTER}, kubeconfig: "${kubeconfigPath}" } ]`,
      'collect:',
      '  watch: { watchdog: 30s, backoff_initial: 50ms, backoff_max: 500ms }',
    ].join('\n'),
    { env: {} },
  );
  const log = silentLogger();
  const registry = new Registry();
  const client = KubeClient.fromConfig(config.clusters[0]!);
  const watcher = new ClusterWatcher({
    cluster: config.clusters[0]!,
    client,
    log,
    metrics: createWatchMetrics(registry),
  });
  const pipeline = new WatchPipeline({
    config,
    store,
    log,
    registry,
    readiness: new Readiness(),
    clusters: [watcher],
    logs: { crashLogs: () => Promise.resolve({ text: '', truncated: false }) },
  });
  await pipeline.start();
  await until('the first list of every watched kind', () => watcher.unsynced().length === 0);
  const now = (): number => clock.now();
  const poller = new MetricsPoller({
    cluster: CLUSTER,
    client,
    store,
    state: () => pipeline.state(CLUSTER),
    synced: () => watcher.unsynced().length === 0,
    intervalMs: INTERVAL_MS,
    timeoutMs: 20_000,
    log,
    now,
  });
  const rawRetentionMs = options.rawRetentionMs ?? 24 * 3600_000;
  const source = new BuiltinSource({ store, intervalMs: INTERVAL_MS, rawRetentionMs, now });
  const maintenance = new MetricsMaintenance({
    store,
    rawRetentionMs,
    aggregateRetentionMs: 30 * 24 * 3600_000,
    intervalMs: INTERVAL_MS,
    log,
    now,
  });

  /** Lookout's state holds every pod, node and HPA at the version the simulator has. */
  const caughtUp = (): boolean => {
    const state = pipeline.state(CLUSTER);
    if (!state) return false;
    const pairs: Array<[string, 'Pod' | 'Node' | 'HorizontalPodAutoscaler']> = [
      ['pods', 'Pod'],
      ['nodes', 'Node'],
      ['autoscaling/horizontalpodautoscalers', 'HorizontalPodAutoscaler'],
    ];
    for (const [resource, kind] of pairs) {
      const want: KubeObject[] = sim.store.list(resource).items;
      const have = new Map(state.list(kind).map((s) => [s.uid, s.resourceVersion]));
      if (want.length !== have.size) return false;
      for (const o of want) if (have.get(o.metadata.uid!) !== o.metadata.resourceVersion) return false;
    }
    return true;
  };

  return {
    clock,
    sim,
    server,
    store,
    pipeline,
    poller,
    source,
    maintenance,
    kubeconfigPath,
    async step(ms) {
      if (ms > 0) clock.advance(ms);
      await until('Lookout to catch up with the simulator', caughtUp);
      const expected = served(sim, metrics, clock.now());
      const tick = await poller.tick();
      if (!tick) throw new Error('the poller did not sample');
      return { served: expected, tick };
    },
    async close() {
      await pipeline.stop();
      await server.close();
      await sim.stop();
    },
  };
}
