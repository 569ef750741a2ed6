// The built-in metrics as the composition root wires them: createBuiltinMetrics over a real
// watch pipeline and a simulated cluster on the real clock samples on its interval, answers
// queries, hands the latest samples to the threshold rules, leaves Prometheus clusters alone,
// and stops cleanly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterWatcher } from '../../src/cluster/cluster-watcher.js';
import { KubeClient } from '../../src/cluster/kube-client.js';
import { createWatchMetrics } from '../../src/cluster/watch-metrics.js';
import { parseConfig } from '../../src/config/index.js';
import type { TableResult } from '../../src/domain/query.js';
import { WatchPipeline } from '../../src/history/watch-pipeline.js';
import { Readiness } from '../../src/lib/readiness.js';
import { createBuiltinMetrics } from '../../src/metrics/builtin/builtin-metrics.js';
import { metricsApiChecks } from '../../src/metrics/builtin/metrics-api-check.js';
import { SimCluster } from '../../src/sim/cluster.js';
import { startSimServer } from '../../src/sim/server/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-builtin-metrics-');
afterAll(() => dir.remove());

describe('createBuiltinMetrics', () => {
  it('samples each cluster without Prometheus on its interval, answers queries and feeds the rules', async () => {
    const sim = new SimCluster({ scenario: 'steady' });
    await sim.start();
    const server = await startSimServer({ store: sim.store, logs: sim.logs, metrics: sim.metrics });
    const kubeconfig = join(dir.path, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    const config = parseConfig(
      [
        `storage: { url: "sqlite:${join(dir.path, 'lookout.db')}" }`,
        'clusters:',
        `  - { name: sim, kubeconfig: "${kubeconfig}" }`,
        `  - { name: prom, kubeconfig: "${kubeconfig}", prometheus: { url: "http://127.0.0.1:9" } }`,
        'collect: { metrics: { interval: 1s, maintenance_interval: 1s } }',
      ].join('\n'),
      { env: {} },
    );
    const store = openSqliteStore(join(dir.path, 'lookout.db'));
    await store.migrate();
    const log = silentLogger();
    const registry = new Registry();
    const watchMetrics = createWatchMetrics(registry);
    const watchers = config.clusters.map(
      (cluster) =>
        new ClusterWatcher({
          cluster,
          client: KubeClient.fromConfig(cluster),
          log,
          metrics: watchMetrics,
        }),
    );
    const pipeline = new WatchPipeline({
      config,
      store,
      log,
      registry,
      readiness: new Readiness(),
      clusters: watchers.slice(0, 1),
      logs: { crashLogs: () => Promise.resolve({ text: '', truncated: false }) },
    });
    const metrics = createBuiltinMetrics({
      config,
      store,
      clients: new Map(watchers.map((w) => [w.name, w.client])),
      state: (c) => pipeline.state(c),
      synced: (c) => watchers.find((w) => w.name === c)?.unsynced().length === 0,
      log,
      registry,
    });
    try {
      expect(metrics.clusters).toEqual(['sim']);
      await pipeline.start();
      metrics.start();
      const deadline = Date.now() + 30_000;
      while ((metrics.pollers[0]?.latest?.at ?? 0) === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const first = metrics.pollers[0]!.latest!.at;
      while ((metrics.pollers[0]?.latest?.at ?? 0) < first + 2000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(metrics.status('sim')).toBe('ok');
      const usage = metrics.usage('sim')!;
      expect(usage.nodes.map((n) => n.node).sort()).toEqual(['control-plane', 'worker-1', 'worker-2']);
      expect(usage.containers.length).toBeGreaterThan(20);
      expect(metrics.usage('prom')).toBeUndefined();
      const top = (await metrics.source.run('top-nodes', { cluster: 'sim', range: 'now' })) as TableResult;
      expect(top.rows).toHaveLength(3);
      expect(top.rows.every((r) => typeof r.cpu === 'number')).toBe(true);
      const exported = await registry.getSingleMetricAsString('lookout_metrics_polls_total');
      expect(exported).toMatch(/lookout_metrics_polls_total\{cluster="sim",result="ok"\} ([3-9]|\d\d)/);
      const checks = metricsApiChecks(config);
      expect(checks.map((c) => c.name)).toEqual(['metrics API of cluster sim']);
      expect(await checks[0]!.run()).toEqual({
        ok: true,
        detail: expect.stringMatching(/metrics\.k8s\.io answers: usage of 3 nodes and \d+ pods/) as unknown,
      });
    } finally {
      await metrics.stop();
      await pipeline.stop();
      await server.close();
      await sim.stop();
      await store.close();
    }
  }, 60_000);
});
