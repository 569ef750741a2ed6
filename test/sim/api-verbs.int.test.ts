// The simulated API server's HTTP surface, request by request: discovery, OpenAPI, response
// forms (JSON, Table, PartialObjectMetadata, 406), and every verb and subresource with the
// status codes and Status objects the real API server answers with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, groupVersion, resourceKey } from '../../src/sim/resources.js';
import { json, startFixtureCluster, type FixtureCluster } from '../support/kubectl.js';

const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are inspected loosely
type Any = Record<string, any>;

describe('simulated API server: discovery and response forms', () => {
  let cluster: FixtureCluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startFixtureCluster();
    url = cluster.server.url;
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('serves /version, /api and /apis with every group including metrics.k8s.io', async () => {
    expect((await json(url, '/version')).body).toMatchObject({
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.4',
      platform: 'linux/amd64',
    });
    expect((await json(url, '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await json(url, '/apis')).body as Any;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: Any) => g.preferredVersion.groupVersion)).toEqual([
      'apps/v1',
      'batch/v1',
      'autoscaling/v2',
      'coordination.k8s.io/v1',
      'events.k8s.io/v1',
      'metrics.k8s.io/v1beta1',
    ]);
    expect((await json(url, '/apis/apps')).body).toMatchObject({ kind: 'APIGroup', name: 'apps' });
  });

  it('declines aggregated discovery with a plain list kubectl falls back to', async () => {
    const res = await json(url, '/apis', {
      headers: {
        accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
      },
    });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.kind).toBe('APIGroupList');
  });

  it('lists resources with verbs, short names, categories and subresources, scale pointing at autoscaling/v1', async () => {
    const core = (await json(url, '/api/v1')).body as Any;
    const pods = core.resources.find((r: Any) => r.name === 'pods');
    expect(pods).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    expect(core.resources.map((r: Any) => r.name)).toEqual(
      expect.arrayContaining(['pods/log', 'pods/status', 'pods/eviction', 'nodes/status']),
    );
    const apps = (await json(url, '/apis/apps/v1')).body as Any;
    expect(apps.resources.find((r: Any) => r.name === 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    const metrics = (await json(url, '/apis/metrics.k8s.io/v1beta1')).body as Any;
    expect(metrics.resources.map((r: Any) => `${r.name}:${r.kind}:${r.verbs.join('/')}`)).toEqual([
      'nodes:NodeMetrics:get/list',
      'pods:PodMetrics:get/list',
    ]);
    expect((await json(url, '/apis/nope/v1')).status).toBe(404);
  });

  it('serves /openapi/v2 as protobuf or JSON and answers /openapi/v3 with 404', async () => {
    const pb = await fetch(`${url}/openapi/v2`, {
      headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    expect(pb.status).toBe(200);
    expect(pb.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect((await pb.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    const doc = await fetch(`${url}/openapi/v2`, { headers: { accept: 'application/json' } });
    const swagger = (await doc.json()) as Any;
    expect(swagger.swagger).toBe('2.0');
    expect(swagger.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([
      { group: '', version: 'v1', kind: 'Pod' },
    ]);
    expect((await json(url, '/openapi/v3')).status).toBe(404);
  });

  it('answers a Table for get and list of every stored kind, with rows and default objects', async () => {
    const samples: Record<string, Any> = {
      configmaps: { metadata: { name: 'cm' }, data: { a: '1' } },
      secrets: { metadata: { name: 's' }, type: 'Opaque', data: { a: 'MQ==' } },
      endpoints: {
        metadata: { name: 'ep' },
        subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }],
      },
      persistentvolumeclaims: {
        metadata: { name: 'pvc' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
      services: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } },
      'apps/deployments': {
        metadata: { name: 'd' },
        spec: {
          selector: { matchLabels: { a: 'd' } },
          template: { metadata: { labels: { a: 'd' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        },
      },
      'apps/replicasets': {
        metadata: { name: 'rs' },
        spec: {
          selector: { matchLabels: { a: 'rs' } },
          template: { metadata: { labels: { a: 'rs' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        },
      },
      'apps/statefulsets': {
        metadata: { name: 'sts' },
        spec: {
          serviceName: 'sts',
          selector: { matchLabels: { a: 'sts' } },
          template: { metadata: { labels: { a: 'sts' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        },
      },
      'apps/daemonsets': {
        metadata: { name: 'ds' },
        spec: {
          selector: { matchLabels: { a: 'ds' } },
          template: { metadata: { labels: { a: 'ds' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        },
      },
      'batch/jobs': {
        metadata: { name: 'j' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
      },
      'autoscaling/horizontalpodautoscalers': {
        metadata: { name: 'h' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, maxReplicas: 4 },
      },
      'coordination.k8s.io/leases': {
        metadata: { name: 'l' },
        spec: { holderIdentity: 'me', leaseDurationSeconds: 15 },
      },
    };
    for (const [key, body] of Object.entries(samples))
      cluster.store.create(key, body as never, { namespace: 'shop' });
    for (const type of RESOURCE_TYPES.filter((t) => !t.virtual)) {
      const prefix = type.group ? `/apis/${groupVersion(type)}` : '/api/v1';
      const collection = type.namespaced
        ? `${prefix}/namespaces/${type.plural === 'namespaces' ? '' : 'shop/'}${type.plural}`
        : `${prefix}/${type.plural}`;
      const list = await json(url, collection, { headers: { accept: TABLE } });
      expect(list.status, collection).toBe(200);
      expect(list.body, collection).toMatchObject({
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: expect.any(String) },
      });
      const rows = (list.body as Any).rows as Any[];
      expect(rows.length, `${collection} rows`).toBeGreaterThan(0);
      const first = rows[0]!;
      expect(first.cells.length).toBe((list.body as Any).columnDefinitions.length);
      expect(first.object.kind).toBe('PartialObjectMetadata');
      const name = first.object.metadata.name as string;
      const one = await json(url, `${collection}/${name}`, { headers: { accept: TABLE } });
      expect((one.body as Any).rows, `${collection}/${name}`).toHaveLength(1);
      expect(resourceKey(type)).toBeTruthy();
    }
  });

  it('answers PartialObjectMetadataList, JSON lists without item type meta, and 406 for protobuf only', async () => {
    const partial = await json(url, '/api/v1/namespaces/shop/pods', {
      headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' },
    });
    expect(partial.body).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' });
    expect((partial.body as Any).items[0]).toEqual({
      metadata: expect.objectContaining({ name: 'api-7d9' }),
    });
    const plain = (await json(url, '/api/v1/namespaces/shop/pods')).body as Any;
    expect(plain).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(plain.items[0]).not.toHaveProperty('kind');
    expect(plain.items[0]).not.toHaveProperty('apiVersion');
    const pb = await json(url, '/api/v1/pods', {
      headers: { accept: 'application/vnd.kubernetes.protobuf' },
    });
    expect(pb).toMatchObject({ status: 406, body: { reason: 'NotAcceptable', code: 406 } });
    expect(
      (await json(url, '/api/v1/pods', { headers: { accept: 'application/vnd.kubernetes.protobuf, */*' } }))
        .status,
    ).toBe(200);
  });
});

describe('simulated API server: verbs and subresources', () => {
  let cluster: FixtureCluster;
  let url: string;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): ReturnType<typeof json> =>
    json(url, path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const send = (
    method: string,
    path: string,
    body: unknown,
    type = 'application/json',
  ): ReturnType<typeof json> =>
    json(url, path, {
      method,
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const podBody = (name: string, labels: Record<string, string> = {}): Any => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
  });

  beforeAll(async () => {
    cluster = await startFixtureCluster();
    url = cluster.server.url;
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('creates with 201, generateName and dry run; refuses duplicates with 409 AlreadyExists', async () => {
    const created = await post('/api/v1/namespaces/shop/pods', podBody('v1'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'Pod',
      metadata: { name: 'v1', namespace: 'shop', resourceVersion: expect.any(String) },
    });
    const again = await post('/api/v1/namespaces/shop/pods', podBody('v1'));
    expect(again).toMatchObject({
      status: 409,
      body: { reason: 'AlreadyExists', message: 'pods "v1" already exists' },
    });
    const generated = await post('/api/v1/namespaces/shop/pods', {
      ...podBody(''),
      metadata: { generateName: 'gen-' },
    });
    expect((generated.body as Any).metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const dry = await post('/api/v1/namespaces/shop/pods?dryRun=All', podBody('dry'));
    expect(dry.status).toBe(201);
    expect(cluster.store.get('pods', 'shop', 'dry')).toBeUndefined();
    expect((await post('/api/v1/namespaces/shop/pods?dryRun=Some', podBody('x'))).status).toBe(422);
    const wrongKind = await post('/api/v1/namespaces/shop/pods', { ...podBody('k'), kind: 'Service' });
    expect(wrongKind.status).toBe(400);
    const badJson = await send('POST', '/api/v1/namespaces/shop/pods', '{not json');
    expect(badJson).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const invalid = await post('/api/v1/namespaces/shop/pods', {
      metadata: { name: 'bad' },
      spec: { containers: [{ name: 'c' }] },
    });
    expect(invalid).toMatchObject({
      status: 422,
      body: { reason: 'Invalid', details: { causes: [{ field: 'spec.containers[0].image' }] } },
    });
  });

  it('updates with PUT: 409 on a stale resourceVersion, 400 on a name mismatch, PUT creates leases', async () => {
    const current = (await json(url, '/api/v1/namespaces/shop/pods/v1')).body as Any;
    current.metadata.labels = { v: '2' };
    const ok = await send('PUT', '/api/v1/namespaces/shop/pods/v1', current);
    expect(ok.status).toBe(200);
    const stale = await send('PUT', '/api/v1/namespaces/shop/pods/v1', current);
    expect(stale).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    expect((stale.body as Any).message).toContain('the object has been modified');
    const mismatch = await send('PUT', '/api/v1/namespaces/shop/pods/other', {
      ...current,
      metadata: { ...current.metadata, resourceVersion: undefined },
    });
    expect(mismatch).toMatchObject({
      status: 400,
      body: { message: 'the name of the object (v1) does not match the name on the URL (other)' },
    });
    const lease = await send('PUT', '/apis/coordination.k8s.io/v1/namespaces/shop/leases/leader', {
      metadata: { name: 'leader' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
    });
    expect(lease.status).toBe(201);
  });

  it('writes status only through the status subresource', async () => {
    const pod = (await json(url, '/api/v1/namespaces/shop/pods/v1')).body as Any;
    const statusPut = await send('PUT', '/api/v1/namespaces/shop/pods/v1/status', {
      ...pod,
      status: { ...pod.status, phase: 'Running' },
      metadata: { ...pod.metadata, labels: { changed: 'no' } },
    });
    expect(statusPut.body).toMatchObject({ status: { phase: 'Running' }, metadata: { labels: { v: '2' } } });
    const mainPatch = await send(
      'PATCH',
      '/api/v1/namespaces/shop/pods/v1',
      { status: { phase: 'Failed' }, metadata: { labels: { w: '1' } } },
      'application/merge-patch+json',
    );
    expect(mainPatch.body).toMatchObject({
      status: { phase: 'Running' },
      metadata: { labels: { v: '2', w: '1' } },
    });
    const statusPatch = await send(
      'PATCH',
      '/api/v1/namespaces/shop/pods/v1/status',
      { status: { phase: 'Succeeded' } },
      'application/merge-patch+json',
    );
    expect((statusPatch.body as Any).status.phase).toBe('Succeeded');
  });

  it('patches with JSON patch and refuses unknown patch types with 415', async () => {
    const res = await send(
      'PATCH',
      '/api/v1/namespaces/shop/pods/v1',
      [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }],
      'application/json-patch+json',
    );
    expect((res.body as Any).metadata.annotations).toEqual({ a: 'b' });
    expect((await send('PATCH', '/api/v1/namespaces/shop/pods/v1', {}, 'application/json')).status).toBe(415);
    expect(
      (await send('PATCH', '/api/v1/namespaces/shop/pods/missing', {}, 'application/merge-patch+json'))
        .status,
    ).toBe(404);
  });

  it('reads and writes the scale of a deployment as autoscaling/v1 Scale', async () => {
    await post('/apis/apps/v1/namespaces/shop/deployments', {
      metadata: { name: 'sc' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'sc' } },
        template: { metadata: { labels: { app: 'sc' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    });
    const scale = await json(url, '/apis/apps/v1/namespaces/shop/deployments/sc/scale');
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=sc' },
    });
    const patched = await send(
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/sc/scale',
      { spec: { replicas: 6 } },
      'application/merge-patch+json',
    );
    expect((patched.body as Any).spec.replicas).toBe(6);
    const negative = await send('PUT', '/apis/apps/v1/namespaces/shop/deployments/sc/scale', {
      ...(scale.body as Any),
      metadata: { name: 'sc' },
      spec: { replicas: -1 },
    });
    expect(negative).toMatchObject({ status: 422, body: { reason: 'Invalid' } });
    expect((cluster.store.get('apps/deployments', 'shop', 'sc')!.spec as Any).replicas).toBe(6);
  });

  it('deletes: Orphan strips owner references, deletecollection by label, Status for immediate deletes', async () => {
    const owner = (await post('/api/v1/namespaces/shop/configmaps', { metadata: { name: 'owner' } }))
      .body as Any;
    const dep = podBody('dep-1', { group: 'g' });
    dep.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid },
    ];
    await post('/api/v1/namespaces/shop/pods', dep);
    const deleted = await send('DELETE', '/api/v1/namespaces/shop/configmaps/owner', {
      propagationPolicy: 'Orphan',
    });
    expect(deleted.body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'owner', kind: 'configmaps' },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(cluster.store.get('pods', 'shop', 'dep-1')?.metadata.ownerReferences).toBeUndefined();
    await post('/api/v1/namespaces/shop/pods', podBody('dep-2', { group: 'g' }));
    const collection = await send('DELETE', '/api/v1/namespaces/shop/pods?labelSelector=group%3Dg', '');
    expect(collection.body).toMatchObject({ kind: 'PodList' });
    expect(((collection.body as Any).items as Any[]).map((p) => p.metadata.name).sort()).toEqual([
      'dep-1',
      'dep-2',
    ]);
    const podDelete = await send('DELETE', '/api/v1/namespaces/shop/pods/v1', '');
    expect(podDelete.body).toMatchObject({ kind: 'Pod', metadata: { name: 'v1' } });
    expect((await send('DELETE', '/api/v1/namespaces/shop/pods/v1', '')).status).toBe(404);
    expect(
      (await send('DELETE', '/api/v1/namespaces/shop/pods/x', { propagationPolicy: 'Sideways' })).status,
    ).toBe(422);
  });

  it('evicts a pod (policy/v1 Eviction) and binds one to a node once', async () => {
    await post('/api/v1/namespaces/shop/pods', podBody('ev'));
    const eviction = await post('/api/v1/namespaces/shop/pods/ev/eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'ev', namespace: 'shop' },
    });
    expect(eviction).toMatchObject({ status: 201, body: { kind: 'Status', status: 'Success' } });
    expect(cluster.store.get('pods', 'shop', 'ev')).toBeUndefined();
    await post('/api/v1/namespaces/shop/pods', podBody('bind'));
    const bound = await post('/api/v1/namespaces/shop/pods/bind/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bind' },
      target: { kind: 'Node', name: 'node-2' },
    });
    expect(bound.status).toBe(201);
    expect((cluster.store.get('pods', 'shop', 'bind')!.spec as Any).nodeName).toBe('node-2');
    const twice = await post('/api/v1/namespaces/shop/pods/bind/binding', { target: { name: 'node-1' } });
    expect(twice).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('is already assigned to node "node-2"') },
    });
  });

  it('lists with field selectors, including the involvedObject fields describe uses', async () => {
    const uid = cluster.store.get('pods', 'shop', 'api-7d9')!.metadata.uid!;
    const events = await json(
      url,
      `/api/v1/namespaces/shop/events?fieldSelector=${encodeURIComponent(`involvedObject.name=api-7d9,involvedObject.namespace=shop,involvedObject.uid=${uid}`)}`,
    );
    expect(((events.body as Any).items as Any[]).map((e) => e.reason).sort()).toEqual(['BackOff', 'Pulled']);
    const onNode = await json(url, '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1');
    expect(((onNode.body as Any).items as Any[]).map((p) => p.metadata.name).sort()).toEqual([
      'api-7d9',
      'web-1',
    ]);
    const bad = await json(url, '/api/v1/pods?labelSelector=a%20in%20(b');
    expect(bad.status).toBe(400);
  });

  it('serves logs with the kubelet and API server refusals', async () => {
    await post('/api/v1/namespaces/shop/pods', {
      metadata: { name: 'two' },
      spec: {
        nodeName: 'node-1',
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'x' },
        ],
      },
    });
    const which = await json(url, '/api/v1/namespaces/shop/pods/two/log');
    expect(which).toMatchObject({
      status: 400,
      body: {
        reason: 'BadRequest',
        message: 'a container name must be specified for pod two, choose one of: [a b]',
      },
    });
    expect((await json(url, '/api/v1/namespaces/shop/pods/two/log?container=zzz')).body).toMatchObject({
      message: 'container zzz is not valid for pod two',
    });
    expect((await json(url, '/api/v1/namespaces/shop/pods/two/log?container=a')).body).toMatchObject({
      message: 'container "a" in pod "two" is waiting to start: ContainerCreating',
    });
    expect((await json(url, '/api/v1/namespaces/shop/pods/web-1/log?tailLines=-1')).status).toBe(422);
    const since = await fetch(`${url}/api/v1/namespaces/shop/pods/web-1/log?limitBytes=10`);
    expect(await since.text()).toBe('GET /index');
    const empty = await fetch(`${url}/api/v1/namespaces/shop/pods/pending-1/log`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });

  it('follows logs until the container instance ends', async () => {
    const res = await fetch(`${url}/api/v1/namespaces/shop/pods/web-1/log?follow=true&tailLines=1`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readMore = async (): Promise<boolean> => {
      const chunk = await reader.read();
      if (chunk.value) text += decoder.decode(chunk.value);
      return chunk.done;
    };
    await readMore();
    expect(text).toBe('GET /index.html 200 (4)\n');
    cluster.logs.append({ ns: 'shop', pod: 'web-1', container: 'web' }, 'GET /new 200');
    while (!text.includes('GET /new')) await readMore();
    cluster.logs.restart({ ns: 'shop', pod: 'web-1', container: 'web' });
    while (!(await readMore()));
    expect(text).toBe('GET /index.html 200 (4)\nGET /new 200\n');
  });

  it('serves metrics.k8s.io nodes and pods: list, get, label selector, 404, no watch', async () => {
    const nodes = (await json(url, '/apis/metrics.k8s.io/v1beta1/nodes')).body as Any;
    expect(nodes).toMatchObject({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
    expect(nodes.items.map((n: Any) => n.metadata.name)).toEqual(['node-1', 'node-2']);
    const one = (await json(url, '/apis/metrics.k8s.io/v1beta1/nodes/node-2')).body as Any;
    expect(one).toMatchObject({ kind: 'NodeMetrics', usage: { cpu: '500m' } });
    const pods = (
      await json(url, '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dweb')
    ).body as Any;
    expect(pods.items.map((p: Any) => p.metadata.name)).toEqual(['web-1']);
    expect((await json(url, '/apis/metrics.k8s.io/v1beta1/nodes/nope')).body).toMatchObject({
      code: 404,
      message: 'nodes.metrics.k8s.io "nope" not found',
    });
    expect((await json(url, '/apis/metrics.k8s.io/v1beta1/nodes?watch=true')).status).toBe(405);
  });

  it('writes events through events.k8s.io/v1 into the same store as core events', async () => {
    const created = await post('/apis/events.k8s.io/v1/namespaces/shop/events', {
      metadata: { name: 'new-style' },
      eventTime: '2026-11-23T12:00:00.000000Z',
      reportingController: 'lookout.dev/test',
      reportingInstance: 'test-1',
      action: 'Testing',
      reason: 'Tested',
      regarding: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
      note: 'written through events.k8s.io',
      type: 'Normal',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      note: 'written through events.k8s.io',
    });
    expect(cluster.store.get('events', 'shop', 'new-style')).toMatchObject({
      message: 'written through events.k8s.io',
      involvedObject: { name: 'web-1' },
      reportingComponent: 'lookout.dev/test',
    });
    const missing = await post('/apis/events.k8s.io/v1/namespaces/shop/events', {
      metadata: { name: 'incomplete' },
      type: 'Odd',
    });
    expect(missing.status).toBe(422);
    expect((missing.body as Any).details.causes.map((c: Any) => c.field)).toEqual([
      'eventTime',
      'reportingController',
      'reportingInstance',
      'action',
      'reason',
      'type',
    ]);
  });
});
