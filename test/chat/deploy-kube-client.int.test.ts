// KubeClient's writes — create, replace, the four patch types, delete — against the simulated
// API server, with the API's own status codes mapped to KubeApiError; and the headers it sends:
// the kubeconfig's bearer token and, for an impersonating client, the Impersonate-* headers.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/cluster/kube-client.js';
import { KubeApiError } from '../../src/lib/errors.js';
import { ObjectStore } from '../../src/sim/object-store.js';
import { installAdmission } from '../../src/sim/admission/index.js';
import { RESOURCE_TYPES } from '../../src/sim/resources.js';
import { startSimServer, type SimServer } from '../../src/sim/server/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Any = Record<string, any>;

const CM = '/api/v1/namespaces/shop/configmaps';

function clientFor(kubeconfig: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return new KubeClient(kc);
}

async function apiError(promise: Promise<unknown>): Promise<KubeApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KubeApiError) return error;
    throw error;
  }
  throw new Error('expected a KubeApiError');
}

describe('KubeClient writes against the simulated API server', () => {
  let store: ObjectStore;
  let server: SimServer;
  let client: KubeClient;

  beforeAll(async () => {
    store = new ObjectStore(RESOURCE_TYPES, { historyLimit: 1000 });
    installAdmission(store);
    store.create('namespaces', { metadata: { name: 'shop' } });
    server = await startSimServer({
      store,
      logs: { lines: () => undefined, follow: (_n, _p, _c, _l, end) => (end(), () => undefined) },
      metrics: { nodeMetrics: () => [], podMetrics: () => [] },
    });
    client = clientFor(server.kubeconfig());
  });

  afterAll(async () => {
    await server?.close();
  });

  it('creates an object and answers what the server stored; a dry run stores nothing', async () => {
    const dry = await client.post<Any>(
      CM,
      { metadata: { name: 'dry' }, data: { a: '1' } },
      { query: { dryRun: 'All' } },
    );
    expect(dry.metadata.name).toBe('dry');
    expect(store.get('configmaps', 'shop', 'dry')).toBeUndefined();
    const created = await client.post<Any>(CM, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app' },
      data: { a: '1' },
    });
    expect(created.metadata.uid).toBeTruthy();
    expect(store.get('configmaps', 'shop', 'app')?.data).toEqual({ a: '1' });
  });

  it('maps an existing name to 409 AlreadyExists and an invalid object to 422 Invalid with the field', async () => {
    const exists = await apiError(client.post(CM, { metadata: { name: 'app' } }));
    expect(exists).toMatchObject({ status: 409, reason: 'AlreadyExists', retryable: false });
    const invalid = await apiError(
      client.post('/api/v1/namespaces/shop/services', {
        metadata: { name: 'Bad_Name' },
        spec: { ports: [{ port: 80 }] },
      }),
    );
    expect(invalid).toMatchObject({ status: 422, reason: 'Invalid' });
    expect(invalid.message).toContain('metadata.name');
  });

  it('replaces with PUT and refuses a stale resourceVersion with 409 Conflict', async () => {
    const current = await client.getJson<Any>(`${CM}/app`);
    const updated = await client.put<Any>(`${CM}/app`, { ...current, data: { a: '2' } });
    expect(updated.data).toEqual({ a: '2' });
    const stale = await apiError(client.put(`${CM}/app`, { ...current, data: { a: '3' } }));
    expect(stale).toMatchObject({ status: 409, reason: 'Conflict' });
  });

  it('patches with merge, strategic-merge, JSON and server-side apply content types', async () => {
    await client.patch(`${CM}/app`, { data: { b: 'merge' } }, 'merge');
    await client.patch(`${CM}/app`, { data: { c: 'strategic' } }, 'strategic');
    await client.patch(`${CM}/app`, [{ op: 'replace', path: '/data/a', value: 'json' }], 'json');
    await client.patch(
      `${CM}/app`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { d: 'apply' } },
      'apply',
      { query: { fieldManager: 'lookout' } },
    );
    expect(store.get('configmaps', 'shop', 'app')?.data).toEqual({
      a: 'json',
      b: 'merge',
      c: 'strategic',
      d: 'apply',
    });
    const failedTest = await apiError(
      client.patch(`${CM}/app`, [{ op: 'test', path: '/data/a', value: 'nope' }], 'json'),
    );
    expect(failedTest.status).toBe(422);
  });

  it('deletes with options in the query and answers 404 NotFound for what is gone', async () => {
    await client.delete(`${CM}/app`, { query: { propagationPolicy: 'Background' } });
    expect(store.get('configmaps', 'shop', 'app')).toBeUndefined();
    const gone = await apiError(client.delete(`${CM}/app`));
    expect(gone).toMatchObject({ status: 404, reason: 'NotFound', retryable: false });
  });

  it('reports an unreachable server as status 0, retryable', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const error = await apiError(new KubeClient(kc).post(CM, { metadata: { name: 'x' } }));
    expect(error).toMatchObject({ status: 0, retryable: true });
  });
});

describe('KubeClient request headers', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function tokenClient(): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'bot-token-123' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return new KubeClient(kc);
  }

  it("sends the kubeconfig's bearer token on reads and writes", async () => {
    const client = tokenClient();
    seen.length = 0;
    await client.getJson('/api/v1/namespaces');
    await client.post('/api/v1/namespaces/a/configmaps', { metadata: { name: 'x' } });
    expect(seen.map((h) => h.authorization)).toEqual(['Bearer bot-token-123', 'Bearer bot-token-123']);
    expect(seen[1]!['content-type']).toBe('application/json');
  });

  it('sends Impersonate-User and one Impersonate-Group per group from an impersonating client only', async () => {
    const base = tokenClient();
    const alice = base.withImpersonation({ user: 'telegram:42', groups: ['team-a', 'lookout:members'] });
    seen.length = 0;
    await alice.patch('/api/v1/namespaces/a/configmaps/x', { data: {} }, 'merge');
    await base.getJson('/api/v1/namespaces');
    expect(seen[0]).toMatchObject({
      authorization: 'Bearer bot-token-123',
      'impersonate-user': 'telegram:42',
      'impersonate-group': 'team-a, lookout:members',
      'content-type': 'application/merge-patch+json',
    });
    expect(seen[1]!['impersonate-user']).toBeUndefined();
    expect(alice.impersonation).toEqual({ user: 'telegram:42', groups: ['team-a', 'lookout:members'] });
    expect(() => base.withImpersonation({ user: ' ' })).toThrow(RangeError);
  });
});
