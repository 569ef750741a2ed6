// The query API over the built-in source of a sampled simulated cluster: JSON answers equal
// what the source computes, charts are PNGs of the right size with ink in the plot area and
// cache headers, and every failure has the standard error shape and status.
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartRenderer } from '../../src/charts/chart-renderer.js';
import type { QueryResult, SeriesResult, TableResult } from '../../src/domain/query.js';
import { createHttpApp } from '../../src/http/app.js';
import { queryApi } from '../../src/http/api/query-api.js';
import { Readiness } from '../../src/lib/readiness.js';
import { QueryError } from '../../src/metrics/query-error.js';
import { QueryRouter } from '../../src/metrics/query-router.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness } from './builtin-harness.js';

const dir = tempDir('lookout-query-api-');
afterAll(() => dir.remove());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Api = any;

let store: Store;
let h: Harness;
let app: ReturnType<typeof createHttpApp>;
const renderer = new ChartRenderer();

beforeAll(async () => {
  store = openSqliteStore(`${dir.path}/api.db`);
  h = await startHarness({ scenario: 'imagepull', store, dir: dir.path });
  for (let i = 0; i < 6; i++) await h.step(INTERVAL_MS);
  const router = new QueryRouter();
  router.register(CLUSTER, h.source);
  router.register('down', {
    run: () =>
      Promise.reject(new QueryError('unavailable', 'Prometheus at http://prometheus:9090 is unreachable')),
  });
  app = createHttpApp(
    {
      log: silentLogger(),
      metrics: createMetrics({ version: 'test', defaultMetrics: false }),
      readiness: new Readiness(),
      status: () => ({}),
    },
    [queryApi({ source: router, renderer, clusters: [CLUSTER, 'down'], now: () => h.clock.now() })],
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
  await store?.close();
});

async function json(path: string): Promise<{ status: number; body: Api }> {
  const res = await app.request(path);
  return { status: res.status, body: await res.json() };
}

describe('query API', () => {
  it('GET /api/v1/query/{name} answers what the source computes for the same range', async () => {
    const { status, body } = await json(`/api/v1/query/node-memory?cluster=${CLUSTER}&range=3m&step=30s`);
    expect(status).toBe(200);
    const end = Math.floor(h.clock.now() / 1000) * 1000;
    const direct = await h.source.run('node-memory', {
      cluster: CLUSTER,
      range: { start: end - 180_000, end, stepMs: INTERVAL_MS },
    });
    expect(body).toEqual(JSON.parse(JSON.stringify(direct)) as QueryResult);
    expect((body as SeriesResult).series[0]!.points).toHaveLength(7);
  });

  it('takes since/until and a namespace filter; tables answer for now', async () => {
    const since = new Date(h.clock.now() - 120_000).toISOString();
    const until = new Date(h.clock.now()).toISOString();
    const series = await json(
      `/api/v1/query/container-memory?cluster=${CLUSTER}&since=${since}&until=${until}&namespace=shop`,
    );
    expect(series.status).toBe(200);
    expect((series.body as SeriesResult).range).toMatchObject({
      start: h.clock.now() - 120_000,
      end: h.clock.now(),
    });
    for (const s of (series.body as SeriesResult).series) expect(s.labels.namespace).toBe('shop');
    const table = await json(`/api/v1/query/top-pods?cluster=${CLUSTER}&namespace=shop,kube-system`);
    expect(table.status).toBe(200);
    expect((table.body as TableResult).at).toBe(h.clock.now());
    expect(new Set((table.body as TableResult).rows.map((r) => r.namespace))).toEqual(
      new Set(['shop', 'kube-system']),
    );
  });

  it('GET /api/v1/charts/{name}.png: a decodable PNG of the announced size, ink in the plot, cacheable', async () => {
    const res = await app.request(`/api/v1/charts/node-cpu.png?cluster=${CLUSTER}&range=3m&step=30s`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('private, max-age=30');
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    expect(`${png.width}x${png.height}`).toBe(res.headers.get('x-lookout-chart-size'));
    expect(png.width).toBeGreaterThanOrEqual(900);
    // The renderer says where the plot is; the lines are drawn there.
    const result = await h.source.run('node-cpu', {
      cluster: CLUSTER,
      range: { start: h.clock.now() - 180_000, end: h.clock.now(), stepMs: INTERVAL_MS },
    });
    const image = await renderer.render(result);
    const plot = image.plot!;
    let ink = 0;
    for (let y = plot.y; y < plot.y + plot.height; y++)
      for (let x = plot.x; x < plot.x + plot.width; x++) {
        const i = (y * png.width + x) * 4;
        const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) ink++;
      }
    expect(ink).toBeGreaterThan(200);
  });

  it('draws tables as images and caches a range that ended long ago for longer', async () => {
    const table = await app.request(`/api/v1/charts/top-nodes.png?cluster=${CLUSTER}`);
    expect(table.status).toBe(200);
    const png = PNG.sync.read(Buffer.from(await table.arrayBuffer()));
    expect(png.height).toBeGreaterThan(100);
    const old = await app.request(
      `/api/v1/charts/pods-running.png?cluster=${CLUSTER}&since=${new Date(h.clock.now() - 7200_000).toISOString()}&until=${new Date(h.clock.now() - 3600_000).toISOString()}`,
    );
    expect(old.status).toBe(200);
    expect(old.headers.get('cache-control')).toBe('private, max-age=3600');
  });

  it('errors: unknown query 404, bad range 400, unreachable source 503, unknown cluster 404', async () => {
    const unknown = await json(`/api/v1/query/node-disk?cluster=${CLUSTER}`);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'unknown_query' } } });
    const badRange = await json(`/api/v1/query/node-cpu?cluster=${CLUSTER}&range=soon`);
    expect(badRange).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(badRange.body.error.message).toMatch(/range/);
    const backwards = await json(
      `/api/v1/query/node-cpu?cluster=${CLUSTER}&since=2026-01-12T10:00:00Z&until=2026-01-12T09:00:00Z`,
    );
    expect(backwards).toMatchObject({ status: 400, body: { error: { code: 'bad_params' } } });
    const tooFine = await json(`/api/v1/query/node-cpu?cluster=${CLUSTER}&range=30d&step=1s`);
    expect(tooFine).toMatchObject({ status: 400, body: { error: { code: 'bad_params' } } });
    const down = await json('/api/v1/query/node-cpu?cluster=down');
    expect(down).toEqual({
      status: 503,
      body: {
        error: { code: 'unavailable', message: 'Prometheus at http://prometheus:9090 is unreachable' },
      },
    });
    const chartDown = await app.request('/api/v1/charts/node-cpu.png?cluster=down');
    expect(chartDown.status).toBe(503);
    const nowhere = await json('/api/v1/query/node-cpu?cluster=elsewhere');
    expect(nowhere).toMatchObject({ status: 404, body: { error: { code: 'no_source' } } });
    const which = await json('/api/v1/query/node-cpu');
    expect(which).toMatchObject({ status: 400 });
    expect(which.body.error.message).toBe(`cluster is required: one of ${CLUSTER}, down`);
    const zone = await json(`/api/v1/charts/node-cpu.png?cluster=${CLUSTER}&tz=Mars/Olympus`);
    expect(zone).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    const notPng = await json(`/api/v1/charts/node-cpu.svg?cluster=${CLUSTER}`);
    expect(notPng.status).toBe(404);
  });

  it('lists the catalog and the clusters', async () => {
    const { status, body } = await json('/api/v1/query');
    expect(status).toBe(200);
    expect(body.clusters).toEqual([CLUSTER, 'down']);
    expect(body.queries.map((q: Api) => q.name)).toContain('top-pods');
  });
});
