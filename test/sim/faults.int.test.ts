// Every fault the simulated API server can inject, seen from a client: closed, failed and
// stalled watches, 5xx with Retry-After, latency, a revoked token, the HTTP control endpoint;
// and HTTPS with a bearer token, for raw requests, client-node and the real kubectl.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  json,
  KubectlSession,
  newestKubectl,
  open,
  startFixtureCluster,
  type FixtureCluster,
} from '../support/kubectl.js';

describe('fault injection', () => {
  let cluster: FixtureCluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startFixtureCluster({ bookmarkIntervalMs: 100 });
    url = cluster.server.url;
  });

  afterEach(() => cluster.server.faults.clear());

  afterAll(async () => {
    await cluster?.close();
  });

  it('closes every open watch at once; the clients see a clean end of stream', async () => {
    const a = await open(url, '/api/v1/pods?watch=true');
    const b = await open(
      url,
      '/api/v1/namespaces/shop/events?watch=1&resourceVersion=' + cluster.store.resourceVersion,
    );
    await expect.poll(() => a.lines.length).toBe(3); // ADDED for each existing pod
    expect(cluster.server.faults.state().openWatches).toBe(2);
    expect(cluster.server.faults.closeWatches()).toBe(2);
    await Promise.all([a.ended, b.ended]);
    expect(cluster.server.faults.state().openWatches).toBe(0);
  });

  it('answers the next N watches with 410 in the stream, then watches work again', async () => {
    cluster.server.faults.failWatches(2);
    for (let i = 0; i < 2; i++) {
      const w = await open(url, '/api/v1/pods?watch=true');
      await w.ended;
      expect(w.status).toBe(200);
      expect(w.lines).toEqual([
        { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
      ]);
    }
    const ok = await open(url, '/api/v1/pods?watch=true');
    await expect.poll(() => ok.lines.length).toBe(3);
    expect(ok.lines.every((l) => l.type === 'ADDED')).toBe(true);
    ok.close();
  });

  it('answers watches with an HTTP 410 Status when asked for that form', async () => {
    cluster.server.faults.failWatches(1, { form: 'http' });
    const res = await json(url, '/api/v1/pods?watch=true&resourceVersion=1');
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('fails matching requests with 503 and Retry-After for a while, others pass', async () => {
    cluster.server.faults.failRequests({
      seconds: 1,
      retryAfterSeconds: 2,
      paths: ['/api/v1/namespaces/*/pods'],
    });
    const failed = await json(url, '/api/v1/namespaces/shop/pods');
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('2');
    expect(failed.body).toMatchObject({
      kind: 'Status',
      reason: 'ServiceUnavailable',
      code: 503,
      details: { retryAfterSeconds: 2 },
    });
    expect((await json(url, '/api/v1/nodes')).status).toBe(200);
    await expect
      .poll(async () => (await json(url, '/api/v1/namespaces/shop/pods')).status, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(200);
  });

  it('fails every request with the chosen 5xx when no path is given', async () => {
    cluster.server.faults.failRequests({ seconds: 30, status: 500 });
    const res = await json(url, '/api/v1/nodes');
    expect(res).toMatchObject({ status: 500, body: { reason: 'InternalError', code: 500 } });
    expect((await json(url, '/api')).status).toBe(500);
  });

  it('adds latency to matching requests only', async () => {
    cluster.server.faults.addLatency({ ms: 400, paths: ['/api/v1/nodes'] });
    const started = performance.now();
    expect((await json(url, '/api/v1/nodes')).status).toBe(200);
    // A lower bound only: the delay was added (how fast the machine is does not matter).
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    expect(cluster.server.faults.latencyFor('/api/v1/pods')).toBe(0);
  });

  it('stalls watches: they stay open and send nothing, not even bookmarks, until the stall ends', async () => {
    const w = await open(
      url,
      `/api/v1/namespaces/shop/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${cluster.store.resourceVersion}`,
    );
    await expect.poll(() => w.lines.some((l) => l.type === 'BOOKMARK'), { timeout: 10_000 }).toBe(true);
    expect(cluster.server.faults.stallWatches()).toBe(1);
    const bytes = w.bytes;
    cluster.store.create(
      'pods',
      { metadata: { name: 'during-stall' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      { namespace: 'shop' },
    );
    await new Promise((r) => setTimeout(r, 500)); // five bookmark intervals
    expect(w.bytes).toBe(bytes);
    expect(cluster.server.faults.state().openWatches).toBe(1);
    // A new watch during the stall is stalled too.
    const late = await open(url, '/api/v1/namespaces/shop/pods?watch=true');
    await new Promise((r) => setTimeout(r, 200));
    expect(late.lines).toEqual([]);
    cluster.server.faults.clear();
    await Promise.all([w.ended, late.ended]);
    cluster.store.delete('pods', 'shop', 'during-stall');
  });

  it('ends a timed stall by itself', async () => {
    const w = await open(url, '/api/v1/pods?watch=true&resourceVersion=' + cluster.store.resourceVersion);
    cluster.server.faults.stallWatches({ seconds: 0.3 });
    await w.ended;
    expect(cluster.server.faults.state().stall).toBeUndefined();
  });

  it('is driven over HTTP: POST an action, GET the state, DELETE to clear', async () => {
    const posted = await json(url, '/_sim/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'fail-requests', seconds: 60, status: 503, paths: ['/apis/apps'] }),
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ state: { failing: { status: 503, paths: ['/apis/apps'] } } });
    expect((await json(url, '/apis/apps/v1/deployments')).status).toBe(503);
    const state = await json(url, '/_sim/faults');
    expect(state.body).toMatchObject({ failing: { status: 503 }, tokenRevoked: false });
    const bad = await json(url, '/_sim/faults', {
      method: 'POST',
      body: JSON.stringify({ action: 'explode' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_action' } });
    expect((await json(url, '/_sim/faults', { method: 'DELETE' })).body).not.toHaveProperty('failing');
    expect((await json(url, '/apis/apps/v1/deployments')).status).toBe(200);
  });
});

describe('HTTPS with a bearer token', () => {
  const TOKEN = 'sim-token-0123456789';
  let cluster: FixtureCluster;
  let ca: string;

  beforeAll(async () => {
    cluster = await startFixtureCluster({
      tls: true,
      token: TOKEN,
      version: { major: '1', minor: '33', gitVersion: 'v1.33.1' },
    });
    const kubeconfig = parse(cluster.server.kubeconfig()) as {
      clusters: Array<{ cluster: Record<string, string> }>;
    };
    ca = Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString();
  });

  afterEach(() => cluster.server.faults.clear());

  afterAll(async () => {
    await cluster?.close();
  });

  it('serves HTTPS and answers a missing or wrong token with a 401 Status', async () => {
    expect(cluster.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const none = await json(cluster.server.url, '/api/v1/pods', { ca });
    expect(none).toMatchObject({ status: 401, body: { kind: 'Status', reason: 'Unauthorized', code: 401 } });
    const wrong = await json(cluster.server.url, '/api/v1/pods', {
      ca,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await json(cluster.server.url, '/api/v1/pods', {
      ca,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ kind: 'PodList' });
  });

  it('revokes the token (401 until re-issued) and re-issues a new one', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.server.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    expect((await core.listNode()).items).toHaveLength(2);
    cluster.server.faults.revokeToken();
    const denied = (await core.listNode().catch((e: unknown) => e)) as { code?: number };
    expect(denied.code).toBe(401);
    const fresh = cluster.server.faults.reissueToken('second-token-abcdef');
    expect(fresh).toBe('second-token-abcdef');
    expect(((await core.listNode().catch((e: unknown) => e)) as { code?: number }).code).toBe(401);
    const kc2 = new KubeConfig();
    kc2.loadFromString(cluster.server.kubeconfig());
    expect((await kc2.makeApiClient(CoreV1Api).listNode()).items).toHaveLength(2);
    cluster.server.faults.reissueToken(TOKEN);
  });

  const kubectl = newestKubectl();
  it.skipIf(!kubectl)(
    'kubectl works with the generated kubeconfig over TLS, and fails with a bad token',
    async () => {
      const session = await KubectlSession.create(kubectl!, cluster.server.kubeconfig());
      try {
        const out = await session.ok(['get', 'pods', '-n', 'shop']);
        expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
        expect(out).toMatch(/web-1\s+1\/1\s+Running/);
        cluster.server.faults.revokeToken();
        const denied = await session.run(['get', 'pods', '-n', 'shop']);
        expect(denied.code).not.toBe(0);
        expect(denied.stderr).toMatch(/Unauthorized|must be logged in/);
      } finally {
        await session.dispose();
      }
    },
  );
});
