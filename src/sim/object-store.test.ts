import { describe, expect, it } from 'vitest';
import { ObjectStore, type KubeObject, type WatchEvent } from './object-store.js';
import { RESOURCE_TYPES } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiStatusError } from './status-error.js';

function storeWithNamespace(options: ConstructorParameters<typeof ObjectStore>[1] = {}): ObjectStore {
  const store = new ObjectStore(RESOURCE_TYPES, { now: () => Date.UTC(2026, 10, 23, 12), ...options });
  store.create('namespaces', { metadata: { name: 'default' } });
  return store;
}

function pod(name: string, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

function statusOf(fn: () => unknown): ApiStatusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiStatusError) return error;
    throw error;
  }
  throw new Error('expected an API status error');
}

describe('ObjectStore', () => {
  it('gives every change one increasing resourceVersion across all resources', () => {
    const store = storeWithNamespace();
    const a = store.create('pods', pod('a'));
    const d = store.create('apps/deployments', { metadata: { name: 'd' }, spec: { replicas: 1 } });
    const a2 = store.mutate('pods', 'default', 'a', (p) => (p.metadata.labels = { x: '1' }));
    const rvs = [a, d, a2].map((o) => Number(o.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect(new Set(rvs).size).toBe(3);
    expect(store.resourceVersion).toBe(String(rvs[2]));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toBe('2026-11-23T12:00:00Z');
    expect(a).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    expect(d).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 1 } });
  });

  it('refuses duplicates (409), missing objects (404), stale writes (409) and unknown namespaces (404)', () => {
    const store = storeWithNamespace();
    const created = store.create('pods', pod('a'));
    expect(statusOf(() => store.create('pods', pod('a')))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
    expect(statusOf(() => store.getOrThrow('pods', 'default', 'zz'))).toMatchObject({
      code: 404,
      message: 'pods "zz" not found',
    });
    store.mutate('pods', 'default', 'a', (p) => (p.metadata.labels = { v: '2' }));
    expect(statusOf(() => store.update('pods', created))).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(statusOf(() => store.create('pods', pod('b'), { namespace: 'nope' }))).toMatchObject({
      code: 404,
      message: 'namespaces "nope" not found',
    });
  });

  it('bumps generation only on spec changes and keeps status out of main updates', () => {
    const store = storeWithNamespace();
    store.create('apps/deployments', { metadata: { name: 'd' }, spec: { replicas: 1 } });
    store.mutate('apps/deployments', 'default', 'd', (d) => (d.status = { replicas: 1 }), {
      subresource: 'status',
    });
    const labelled = store.mutate(
      'apps/deployments',
      'default',
      'd',
      (d) => (d.metadata.labels = { a: 'b' }),
    );
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status).toEqual({ replicas: 1 });
    const scaled = store.mutate('apps/deployments', 'default', 'd', (d) => {
      d.spec = { replicas: 3 };
      d.status = { replicas: 99 };
    });
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status).toEqual({ replicas: 1 });
  });

  it('paginates with limit and continue', () => {
    const store = storeWithNamespace();
    for (const n of ['e', 'a', 'c', 'b', 'd']) store.create('pods', pod(n));
    const first = store.list('pods', { limit: 2 });
    expect(first.items.map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(first.remainingItemCount).toBe(3);
    const second = store.list('pods', { limit: 2, continue: first.continue });
    expect(second.items.map((p) => p.metadata.name)).toEqual(['c', 'd']);
    const third = store.list('pods', { limit: 2, continue: second.continue });
    expect(third.items.map((p) => p.metadata.name)).toEqual(['e']);
    expect(third.continue).toBeUndefined();
  });

  it('filters by label and field selectors', () => {
    const store = storeWithNamespace();
    store.create('pods', pod('web-1', { app: 'web', tier: 'front' }));
    store.create('pods', pod('db-1', { app: 'db' }));
    const names = (label?: string, field?: string): string[] =>
      store
        .list('pods', { labelSelector: parseLabelSelector(label), fieldSelector: parseFieldSelector(field) })
        .items.map((p) => p.metadata.name!);
    expect(names('app=web')).toEqual(['web-1']);
    expect(names('app in (web,db),!tier')).toEqual(['db-1']);
    expect(names(undefined, 'metadata.name!=web-1')).toEqual(['db-1']);
    expect(names(undefined, 'metadata.namespace=default,metadata.name=web-1')).toEqual(['web-1']);
  });

  it('resumes a watch from a resourceVersion and answers 410 once it is compacted away', () => {
    const store = storeWithNamespace({ historyLimit: 5 });
    const start = store.resourceVersion;
    store.create('pods', pod('a'));
    store.create('pods', pod('b'));
    const seen: WatchEvent[] = [];
    const stop = store.watch('pods', { resourceVersion: start }, (e) => seen.push(e));
    expect(seen.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b']);
    store.delete('pods', 'default', 'a');
    expect(seen.at(-1)).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'a' } } });
    stop();
    for (let i = 0; i < 10; i++) store.create('pods', pod(`p${i}`));
    expect(statusOf(() => store.watch('pods', { resourceVersion: start }, () => undefined))).toMatchObject({
      code: 410,
    });
  });

  it('shows objects entering and leaving a filtered watch as ADDED and DELETED', () => {
    const store = storeWithNamespace();
    store.create('pods', pod('a', { app: 'web' }));
    const seen: string[] = [];
    store.watch(
      'pods',
      { labelSelector: parseLabelSelector('app=web'), resourceVersion: store.resourceVersion },
      (e) => seen.push(e.type),
    );
    store.mutate('pods', 'default', 'a', (p) => (p.metadata.labels = { app: 'other' }));
    store.mutate('pods', 'default', 'a', (p) => (p.metadata.labels = { app: 'web' }));
    expect(seen).toEqual(['DELETED', 'ADDED']);
  });

  it('marks instead of deleting while finalizers or a graceful policy hold the object', () => {
    const store = storeWithNamespace();
    store.setDeletionPolicy('pods', (p) =>
      (p.spec as { nodeName?: string }).nodeName ? 'graceful' : 'immediate',
    );
    store.create('pods', { ...pod('running'), spec: { nodeName: 'n1', containers: [] } });
    const marked = store.delete('pods', 'default', 'running', { gracePeriodSeconds: 30 });
    expect(marked.metadata.deletionTimestamp).toBe('2026-11-23T12:00:30Z');
    expect(store.get('pods', 'default', 'running')).toBeDefined();
    store.forceDelete('pods', 'default', 'running');
    expect(store.get('pods', 'default', 'running')).toBeUndefined();

    store.create('configmaps', { metadata: { name: 'held', finalizers: ['x/y'] } });
    store.delete('configmaps', 'default', 'held');
    expect(store.get('configmaps', 'default', 'held')?.metadata.deletionTimestamp).toBeDefined();
    store.mutate('configmaps', 'default', 'held', (c) => (c.metadata.finalizers = []));
    expect(store.get('configmaps', 'default', 'held')).toBeUndefined();
  });

  it('does not bump the version for a write that changes nothing', () => {
    const store = storeWithNamespace();
    const a = store.create('pods', pod('a'));
    const same = store.update('pods', a);
    expect(same.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });
});
