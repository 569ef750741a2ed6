// @kubernetes/client-node 1.4, unchanged, against the simulated API server: typed list calls
// with selectors and pagination, Watch with resume from a resourceVersion and a 410 in both
// forms (in-stream ERROR, HTTP status), pod logs (previous, tail), and AppsV1 create/patch.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  EventsV1Api,
  KubeConfig,
  Log,
  type LogOptions,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Deployment,
} from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureCluster, type FixtureCluster } from '../support/kubectl.js';

interface WatchResult {
  events: Array<{
    type: string;
    object: {
      kind?: string;
      code?: number;
      reason?: string;
      metadata?: { name?: string; resourceVersion?: string };
    };
  }>;
  done: Promise<unknown>;
  abort: () => void;
}

async function watch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): Promise<WatchResult> {
  const events: WatchResult['events'] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object: WatchResult['events'][number]['object']) => events.push({ type, object }),
    (err) => finish(err),
  );
  return { events, done, abort: () => controller.abort() };
}

function pod(
  name: string,
  labels: Record<string, string> = {},
): {
  metadata: { name: string; labels: Record<string, string> };
  spec: { containers: Array<{ name: string; image: string }> };
} {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } };
}

describe('client-node against the simulated API server', () => {
  let cluster: FixtureCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startFixtureCluster({ historyLimit: 50 });
    kc = new KubeConfig();
    kc.loadFromString(cluster.server.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('lists pods across namespaces and by label selector, with typed results', async () => {
    const all = await core.listPodForAllNamespaces();
    expect(all.items.map((p) => p.metadata?.name)).toEqual(['api-7d9', 'pending-1', 'web-1']);
    expect(all.metadata?.resourceVersion).toMatch(/^\d+$/);
    const web = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' });
    expect(web.items).toHaveLength(1);
    expect(web.items[0]?.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeInstanceOf(Date);
    const crash = await core.readNamespacedPod({ namespace: 'shop', name: 'api-7d9' });
    expect(crash.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
    });
  });

  it('pages through a list with limit and continue', async () => {
    const first = await core.listNamespacedPod({ namespace: 'shop', limit: 2 });
    expect(first.items.map((p) => p.metadata?.name)).toEqual(['api-7d9', 'pending-1']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const second = await core.listNamespacedPod({
      namespace: 'shop',
      limit: 2,
      _continue: first.metadata!._continue!,
    });
    expect(second.items.map((p) => p.metadata?.name)).toEqual(['web-1']);
    expect(second.metadata?._continue).toBeUndefined();
  });

  it('answers an unknown object with a 404 Status and an unsupported field selector with a 400', async () => {
    const missing = await core
      .readNamespacedPod({ namespace: 'shop', name: 'nope' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiException);
    expect((missing as ApiException<string>).code).toBe(404);
    expect(JSON.parse((missing as ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });
    const bad = await core
      .listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.image=x' })
      .catch((e: unknown) => e);
    expect((bad as ApiException<string>).code).toBe(400);
    expect((bad as ApiException<string>).body).toContain('field label not supported: spec.image');
  });

  it('watches from a resourceVersion: only later changes arrive, in order', async () => {
    const list = await core.listNamespacedPod({ namespace: 'shop' });
    const from = list.metadata!.resourceVersion!;
    cluster.store.create('pods', pod('w-1', { app: 'w' }), { namespace: 'shop' });
    const w = await watch(kc, '/api/v1/namespaces/shop/pods', {
      resourceVersion: from,
      labelSelector: 'app=w',
    });
    await expect.poll(() => w.events.length, { timeout: 10_000 }).toBe(1);
    cluster.store.mutate('pods', 'shop', 'w-1', (p) => (p.metadata.annotations = { touched: 'yes' }));
    cluster.store.delete('pods', 'shop', 'w-1');
    await expect
      .poll(() => w.events.map((e) => e.type), { timeout: 10_000 })
      .toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(w.events.every((e) => e.object.kind === 'Pod' && e.object.metadata?.name === 'w-1')).toBe(true);
    const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(from));
    w.abort();
  });

  it('sends 410 Expired in the stream for a compacted resourceVersion, then ends the watch', async () => {
    const old = (await core.listNamespacedPod({ namespace: 'shop' })).metadata!.resourceVersion!;
    for (let i = 0; i < 60; i++)
      cluster.store.mutate(
        'namespaces',
        undefined,
        'shop',
        (n) => (n.metadata.annotations = { i: String(i) }),
      );
    const w = await watch(kc, '/api/v1/namespaces/shop/pods', { resourceVersion: old });
    expect(await w.done).toBeNull();
    expect(w.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
  });

  it('reports an HTTP 410 to done() when the fault answers the watch before streaming', async () => {
    cluster.server.faults.failWatches(1, { form: 'http' });
    const w = await watch(kc, '/api/v1/namespaces/shop/pods', {
      resourceVersion: cluster.store.resourceVersion,
    });
    const err = (await w.done) as { statusCode?: number };
    expect(err.statusCode).toBe(410);
    expect(w.events).toEqual([]);
  });

  it('reads logs: the previous instance, and the last lines of the current one', async () => {
    const read = async (container: string, pod: string, options: LogOptions): Promise<string> => {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (d: Buffer) => (text += d.toString()));
      const ended = new Promise((resolve) => stream.on('end', resolve));
      await new Log(kc).log('shop', pod, container, stream, options);
      await ended;
      return text;
    };
    expect(await read('api', 'api-7d9', { previous: true })).toBe(
      'starting api 2.1\npanic: database "orders" unreachable\n',
    );
    expect(await read('web', 'web-1', { tailLines: 1 })).toBe('GET /index.html 200 (4)\n');
    expect(await read('web', 'web-1', { tailLines: 1, timestamps: true })).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z GET \/index\.html 200 \(4\)\n$/,
    );
  });

  it('creates and patches a Deployment with AppsV1Api (strategic merge keeps other containers)', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const body: V1Deployment = {
      metadata: { name: 'shop-web', labels: { app: 'shop-web' } },
      spec: {
        selector: { matchLabels: { app: 'shop-web' } },
        template: {
          metadata: { labels: { app: 'shop-web' } },
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.27' },
              { name: 'sidecar', image: 'envoy:1.30' },
            ],
          },
        },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace: 'shop', body });
    expect(created.spec?.replicas).toBe(1);
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    expect(created.metadata?.generation).toBe(1);
    const patched = await apps.patchNamespacedDeployment(
      {
        namespace: 'shop',
        name: 'shop-web',
        body: {
          spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.replicas).toBe(3);
    expect(patched.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      'web=nginx:1.28',
      'sidecar=envoy:1.30',
    ]);
    expect(patched.metadata?.generation).toBe(2);
    const merged = await apps.patchNamespacedDeployment(
      { namespace: 'shop', name: 'shop-web', body: { metadata: { labels: { tier: 'front' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ app: 'shop-web', tier: 'front' });
    expect(merged.metadata?.generation).toBe(2);
    const invalid = await apps
      .createNamespacedDeployment({
        namespace: 'shop',
        body: { ...body, metadata: { name: 'bad' }, spec: { ...body.spec!, replicas: -1 } },
      })
      .catch((e: unknown) => e);
    expect((invalid as ApiException<string>).code).toBe(422);
    expect(JSON.parse((invalid as ApiException<string>).body)).toMatchObject({
      reason: 'Invalid',
      details: { causes: [{ field: 'spec.replicas', reason: 'FieldValueInvalid' }] },
    });
  });

  it('serves events.k8s.io/v1 as a view of the same core events', async () => {
    const events = kc.makeApiClient(EventsV1Api);
    const list = await events.listNamespacedEvent({
      namespace: 'shop',
      fieldSelector: 'regarding.name=api-7d9',
    });
    const backoff = list.items.find((e) => e.reason === 'BackOff');
    expect(backoff).toMatchObject({
      note: 'Back-off restarting failed container api in pod api-7d9_shop(uid)',
      regarding: { kind: 'Pod', name: 'api-7d9' },
      deprecatedCount: 5,
      deprecatedSource: { component: 'kubelet', host: 'node-1' },
      reportingController: 'kubelet',
      type: 'Warning',
    });
    expect(list.items.map((e) => e.reason).sort()).toEqual(['BackOff', 'Pulled']);
  });
});
