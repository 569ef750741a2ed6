// Malformed watch lines and objects are counted, logged and skipped; the watch goes on.
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/cluster/kube-client.js';
import { ResourceWatcher } from '../../src/cluster/resource-watcher.js';
import { createWatchMetrics } from '../../src/cluster/watch-metrics.js';
import { WATCHED_RESOURCES } from '../../src/cluster/watched-resources.js';
import type { Observation } from '../../src/domain/kube.js';
import { BoundedQueue } from '../../src/lib/bounded-queue.js';
import { silentLogger } from '../../src/telemetry/logger.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
});

function pod(uid: string, name: string, rv: string): object {
  return {
    metadata: { uid, name, namespace: 'shop', resourceVersion: rv },
    spec: { containers: [] },
    status: { phase: 'Running' },
  };
}

describe('malformed watch input', () => {
  it('counts and skips lines that are not JSON and objects without identity, and keeps watching', async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.searchParams.get('watch') !== 'true') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            kind: 'PodList',
            metadata: { resourceVersion: '10' },
            items: [pod('u1', 'a', '9'), { metadata: { name: 'no-uid' } }],
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: pod('u2', 'b', '11') })}\n`);
      res.write('{"type": "MODIFIED", "object": {truncated\n');
      res.write(
        `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'x', resourceVersion: '12' } } })}\n`,
      );
      res.write(`${JSON.stringify({ type: 'SOMETHING', object: {} })}\n`);
      res.write(`${JSON.stringify({ type: 'ADDED', object: pod('u3', 'c', '13') })}\n`);
      // keep the stream open
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    const registry = new Registry();
    const metrics = createWatchMetrics(registry);
    const queue = new BoundedQueue<Observation>(100);
    const watcher = new ResourceWatcher({
      client: new KubeClient(kc),
      cluster: 'c',
      resource: WATCHED_RESOURCES.find((r) => r.kind === 'Pod')!,
      exclude: new Set(),
      queue,
      log: silentLogger(),
      metrics,
    });
    const controller = new AbortController();
    const run = watcher.run(controller.signal);
    const seen: Observation[] = [];
    while (seen.filter((o) => o.type === 'upsert').length < 3) seen.push(...(await queue.take(10)));
    controller.abort();
    await run;
    expect(seen.map((o) => (o.type === 'upsert' ? o.snapshot.name : o.type))).toEqual([
      'a',
      'synced',
      'b',
      'c',
    ]);
    const text = await registry.metrics();
    expect(text).toContain('lookout_watch_handler_failures_total{cluster="c",resource="Pod"} 4');
  });
});
