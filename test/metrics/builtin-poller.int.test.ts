// The metrics poller at the edges: a cluster without metrics-server (404) or with a failing one
// (5xx) is reported once, not every tick, and still has its requests, allocatable and pod counts
// sampled; unreadable metrics items are counted and skipped; the run loop stops on abort.
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/cluster/kube-client.js';
import type { TableResult } from '../../src/domain/query.js';
import { MetricsPoller, createPollerMetrics } from '../../src/metrics/builtin/poller.js';
import type { MetricsSource } from '../../src/sim/contracts.js';
import type { Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness } from './builtin-harness.js';

const dir = tempDir('lookout-poller-');
afterAll(() => dir.remove());

function collectingLogger(): {
  log: ReturnType<typeof createLogger>;
  lines: () => Array<Record<string, unknown>>;
} {
  const out: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    log: createLogger({ level: 'debug', destination }),
    lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** An API server without metrics-server: every metrics.k8s.io path is a 404 Status, as on a real one. */
async function startApiWithoutMetrics(): Promise<{ client: KubeClient; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      }),
    );
    void req;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bare', server: `http://127.0.0.1:${address.port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'bare', cluster: 'bare', user: 'u' }],
    currentContext: 'bare',
  });
  return { client: new KubeClient(kc), server, hits: () => hits };
}

describe('metrics poller', () => {
  let store: Store;
  let h: Harness;
  let broken = false;

  beforeAll(async () => {
    store = openSqliteStore(`${dir.path}/poller.db`);
    h = await startHarness({
      scenario: 'steady',
      store,
      dir: dir.path,
      // Serves, when asked to, one pod whose usage is not a quantity.
      metrics: (sim): MetricsSource => ({
        nodeMetrics: () => sim.metrics.nodeMetrics(),
        podMetrics: (ns) => {
          const items = sim.metrics.podMetrics(ns);
          if (!broken || items.length === 0) return items;
          const [first, ...rest] = items;
          return [{ ...first!, containers: [{ name: 'x', usage: { cpu: 'lots', memory: '1Mi' } }] }, ...rest];
        },
      }),
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await store?.close();
  });

  it('a cluster without metrics-server: warned about once, requests and pod counts still sampled', async () => {
    const bare = await startApiWithoutMetrics();
    const { log, lines } = collectingLogger();
    const poller = new MetricsPoller({
      cluster: 'bare',
      client: bare.client,
      store,
      state: () => h.pipeline.state(CLUSTER),
      intervalMs: INTERVAL_MS,
      timeoutMs: 5000,
      log,
      now: () => h.clock.now(),
    });
    try {
      const ticks = [];
      for (let i = 0; i < 3; i++) {
        h.clock.advance(INTERVAL_MS);
        ticks.push((await poller.tick())!);
      }
      expect(bare.hits()).toBe(3);
      expect(poller.status).toBe('missing');
      const warnings = lines().filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]!.msg)).toMatch(/metrics-server/);
      const tick = ticks.at(-1)!;
      expect(tick.usage).toBe(false);
      expect(tick.rows.filter((r) => r.kind === 'container')).toEqual([]);
      const nodes = tick.rows.filter((r) => r.kind === 'node');
      expect(nodes.length).toBe(3);
      for (const n of nodes) {
        expect(n.values.cpu).toBeNull();
        expect(n.values.memory_allocatable).toBeGreaterThan(0);
        expect(n.values.memory_request).toBeGreaterThan(0);
      }
      expect(tick.rows.filter((r) => r.kind === 'namespace').length).toBeGreaterThan(0);
      const top = (await h.source.run('top-nodes', { cluster: 'bare', range: 'now' })) as TableResult;
      expect(top.rows.map((r) => r.cpu)).toEqual([null, null, null]);
      expect(top.rows.every((r) => typeof r.memory_requests_percent === 'number')).toBe(true);
      expect(top.notes?.join(' ')).toMatch(/metrics-server/);
    } finally {
      await new Promise((r) => bare.server.close(r));
    }
  });

  it('a failing metrics API is reported once when it fails and once when it recovers', async () => {
    const { log, lines } = collectingLogger();
    const poller = new MetricsPoller({
      cluster: 'flaky',
      client: new KubeClient(kubeConfigOf(h)),
      store,
      state: () => h.pipeline.state(CLUSTER),
      intervalMs: INTERVAL_MS,
      timeoutMs: 5000,
      log,
      now: () => h.clock.now(),
    });
    h.server.faults.failRequests({ seconds: 600, status: 500, paths: ['/apis/metrics.k8s.io/**'] });
    for (let i = 0; i < 3; i++) {
      h.clock.advance(INTERVAL_MS);
      await poller.tick();
    }
    expect(poller.status).toBe('failing');
    h.server.faults.clear();
    for (let i = 0; i < 2; i++) {
      h.clock.advance(INTERVAL_MS);
      await poller.tick();
    }
    expect(poller.status).toBe('ok');
    const said = lines()
      .filter((l) => l.level === 'warn' || l.level === 'info')
      .map((l) => String(l.msg));
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/failed/);
    expect(said[1]).toMatch(/answers again/);
  });

  it('skips and counts metrics items it cannot read, and stores the rest', async () => {
    broken = true;
    try {
      const registry = new Registry();
      const poller = new MetricsPoller({
        cluster: 'skips',
        client: new KubeClient(kubeConfigOf(h)),
        store,
        state: () => h.pipeline.state(CLUSTER),
        intervalMs: INTERVAL_MS,
        timeoutMs: 5000,
        log: collectingLogger().log,
        metrics: createPollerMetrics(registry),
        now: () => h.clock.now(),
      });
      h.clock.advance(INTERVAL_MS);
      const tick = (await poller.tick())!;
      const served = h.sim.metrics.podMetrics();
      const pods = new Set(
        tick.rows.filter((r) => r.kind === 'container').map((r) => `${r.namespace}/${r.name}`),
      );
      // Every pod but the broken one (which is the first served) has its containers stored.
      expect(pods.size).toBe(served.length - 1);
      const skipped = await registry.getSingleMetricAsString('lookout_metrics_skipped_items_total');
      expect(skipped).toMatch(/lookout_metrics_skipped_items_total\{cluster="skips"\} 1/);
    } finally {
      broken = false;
    }
  });

  it('run() samples on its interval and returns promptly when aborted', async () => {
    const poller = new MetricsPoller({
      cluster: 'loop',
      client: new KubeClient(kubeConfigOf(h)),
      store,
      state: () => h.pipeline.state(CLUSTER),
      intervalMs: 200,
      timeoutMs: 5000,
      log: collectingLogger().log,
    });
    const controller = new AbortController();
    const running = poller.run(controller.signal);
    const start = Date.now();
    while (!poller.latest && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 20));
    expect(poller.latest).toBeDefined();
    controller.abort();
    await running;
  });
});

function kubeConfigOf(h: Harness): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  return kc;
}
