// Watch semantics of the simulated API server over a real socket: resume, selector transitions,
// bookmarks, timeouts, initial events, legacy /watch/ paths, Table watch events, events.k8s.io
// watches, and the two 410 forms (in-stream for a compacted watch, HTTP for a stale list).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/sim/object-store.js';
import { json, open, startFixtureCluster, type FixtureCluster } from '../support/kubectl.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are inspected loosely
type Any = Record<string, any>;

describe('simulated API server: watches', () => {
  let cluster: FixtureCluster;
  let url: string;
  const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
  });

  beforeAll(async () => {
    cluster = await startFixtureCluster({ historyLimit: 40, bookmarkIntervalMs: 150 });
    url = cluster.server.url;
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('streams chunked JSON lines and resumes after a resourceVersion', async () => {
    const rv = cluster.store.resourceVersion;
    cluster.store.create('pods', pod('r1'), { namespace: 'shop' });
    const w = await open(url, `/api/v1/namespaces/shop/pods?watch=true&resourceVersion=${rv}`);
    expect(w.headers['transfer-encoding']).toBe('chunked');
    expect(w.headers['content-type']).toBe('application/json');
    cluster.store.mutate('pods', 'shop', 'r1', (p) => (p.metadata.labels = { x: '1' }));
    await expect
      .poll(() => w.lines.map((l) => `${l.type} ${l.object.metadata?.name}`))
      .toEqual(['ADDED r1', 'MODIFIED r1']);
    expect(w.lines[0]!.object.kind).toBe('Pod');
    w.close();
  });

  it('without a resourceVersion starts with ADDED for every existing object', async () => {
    const w = await open(url, '/api/v1/nodes?watch=1');
    await expect
      .poll(() => w.lines.map((l) => `${l.type} ${l.object.metadata?.name}`))
      .toEqual(['ADDED node-1', 'ADDED node-2']);
    w.close();
  });

  it('shows objects leaving and entering a label selector as DELETED and ADDED', async () => {
    cluster.store.create('pods', pod('sel', { tier: 'a' }), { namespace: 'shop' });
    const w = await open(
      url,
      `/api/v1/namespaces/shop/pods?watch=true&labelSelector=tier%3Da&resourceVersion=${cluster.store.resourceVersion}`,
    );
    cluster.store.mutate('pods', 'shop', 'sel', (p) => (p.metadata.labels = { tier: 'b' }));
    cluster.store.mutate('pods', 'shop', 'sel', (p) => (p.metadata.labels = { tier: 'a' }));
    await expect.poll(() => w.lines.map((l) => l.type)).toEqual(['DELETED', 'ADDED']);
    w.close();
  });

  it('sends BOOKMARK events with the current resourceVersion when asked', async () => {
    const w = await open(
      url,
      `/api/v1/namespaces/kube-system/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${cluster.store.resourceVersion}`,
    );
    cluster.store.create('configmaps', { metadata: { name: 'bump' } }, { namespace: 'shop' });
    const expected = cluster.store.resourceVersion;
    await expect.poll(() => w.lines.find((l) => l.type === 'BOOKMARK'), { timeout: 10_000 }).toBeDefined();
    const bookmark = w.lines.find((l) => l.type === 'BOOKMARK')!;
    expect(bookmark.object).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { resourceVersion: expected },
    });
    w.close();
    const none = await open(
      url,
      `/api/v1/namespaces/kube-system/pods?watch=true&resourceVersion=${cluster.store.resourceVersion}`,
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(none.lines).toEqual([]);
    none.close();
  });

  it('ends the stream after timeoutSeconds', async () => {
    const w = await open(url, '/api/v1/namespaces/kube-system/pods?watch=true&timeoutSeconds=1');
    await w.ended;
    expect(w.status).toBe(200);
  });

  it('sends initial events then a bookmark marking their end (sendInitialEvents)', async () => {
    const w = await open(
      url,
      '/api/v1/nodes?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
    );
    await expect.poll(() => w.lines.length).toBeGreaterThanOrEqual(3);
    expect(w.lines.slice(0, 2).map((l) => l.type)).toEqual(['ADDED', 'ADDED']);
    expect(w.lines[2]).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
    w.close();
  });

  it('supports the legacy /watch/ path for one object', async () => {
    const w = await open(
      url,
      `/api/v1/watch/namespaces/shop/pods/web-1?resourceVersion=${cluster.store.resourceVersion}`,
    );
    cluster.store.mutate('pods', 'shop', 'api-7d9', (p) => (p.metadata.annotations = { other: 'pod' }));
    cluster.store.mutate('pods', 'shop', 'web-1', (p) => (p.metadata.annotations = { seen: 'yes' }));
    await expect
      .poll(() => w.lines.map((l) => `${l.type} ${l.object.metadata?.name}`))
      .toEqual(['MODIFIED web-1']);
    w.close();
  });

  it('sends one-row Tables with column definitions only in the first event', async () => {
    const w = await open(
      url,
      `/api/v1/namespaces/shop/pods?watch=true&resourceVersion=${cluster.store.resourceVersion}`,
      {
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
      },
    );
    cluster.store.create('pods', pod('t1'), { namespace: 'shop' });
    cluster.store.create('pods', pod('t2'), { namespace: 'shop' });
    await expect.poll(() => w.lines.length).toBe(2);
    const [first, second] = w.lines.map((l) => l.object as Any);
    expect(first).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      rows: [
        { cells: ['t1', '0/1', 'Pending', '0', expect.any(String), '<none>', '<none>', '<none>', '<none>'] },
      ],
    });
    expect(first!.columnDefinitions).toHaveLength(9);
    expect(second!.columnDefinitions).toEqual([]);
    expect(second!.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 't2' } });
    w.close();
  });

  it('watches events.k8s.io as a view of core events, with its field selectors', async () => {
    const w = await open(
      url,
      `/apis/events.k8s.io/v1/namespaces/shop/events?watch=true&fieldSelector=regarding.name%3Dweb-1&resourceVersion=${cluster.store.resourceVersion}`,
    );
    cluster.store.create(
      'events',
      {
        metadata: { name: 'other.1' },
        involvedObject: { kind: 'Pod', name: 'api-7d9' },
        reason: 'X',
        message: 'x',
        type: 'Normal',
      },
      { namespace: 'shop' },
    );
    cluster.store.create(
      'events',
      {
        metadata: { name: 'web.1' },
        involvedObject: { kind: 'Pod', name: 'web-1' },
        reason: 'Killing',
        message: 'Stopping container web',
        type: 'Normal',
        count: 1,
      },
      { namespace: 'shop' },
    );
    await expect.poll(() => w.lines.length).toBe(1);
    expect(w.lines[0]).toMatchObject({
      type: 'ADDED',
      object: {
        apiVersion: 'events.k8s.io/v1',
        note: 'Stopping container web',
        regarding: { name: 'web-1' },
        deprecatedCount: 1,
      },
    });
    w.close();
  });

  it('answers a compacted resourceVersion with 410 in the stream; a stale list with HTTP 410', async () => {
    const old = cluster.store.resourceVersion;
    for (let i = 0; i < 45; i++)
      cluster.store.mutate(
        'namespaces',
        undefined,
        'shop',
        (n) => (n.metadata.annotations = { i: String(i) }),
      );
    const w = await open(url, `/api/v1/namespaces/shop/pods?watch=true&resourceVersion=${old}`);
    await w.ended;
    expect(w.status).toBe(200);
    expect(w.lines).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          code: 410,
          reason: 'Expired',
          message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
        }),
      },
    ]);
    const exact = await json(
      url,
      `/api/v1/namespaces/shop/pods?resourceVersion=${old}&resourceVersionMatch=Exact`,
    );
    expect(exact).toMatchObject({ status: 410, body: { code: 410, reason: 'Expired' } });
    expect((await json(url, '/api/v1/pods?watch=true&resourceVersion=abc')).status).toBe(400);
  });

  it('expires a continue token whose list version was compacted', async () => {
    const first = (await json(url, '/api/v1/namespaces/shop/pods?limit=1')).body as Any;
    for (let i = 0; i < 45; i++)
      cluster.store.mutate(
        'namespaces',
        undefined,
        'shop',
        (n) => (n.metadata.annotations = { j: String(i) }),
      );
    const next = await json(
      url,
      `/api/v1/namespaces/shop/pods?limit=1&continue=${encodeURIComponent(first.metadata.continue)}`,
    );
    expect(next).toMatchObject({ status: 410, body: { reason: 'Expired' } });
  });
});
