import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventSnapshot, Observation, PodSnapshot } from '../../src/domain/kube.js';
import { HistoryWriter } from '../../src/history/history-writer.js';
import type { Store } from '../../src/store/index.js';
import { queryCrashes } from '../../src/store/repos/crash-repo.js';
import { eventHistogram, queryEvents } from '../../src/store/repos/event-repo.js';
import { queryAbnormal, queryLifecycle } from '../../src/store/repos/pod-history-repo.js';
import { STORE_TARGETS } from '../support/stores.js';

const T0 = Date.UTC(2026, 10, 23, 12);

function event(uid: string, count: number, over: Partial<EventSnapshot> = {}): EventSnapshot {
  return {
    kind: 'Event',
    uid,
    name: `web-1.${uid}`,
    namespace: 'shop',
    resourceVersion: String(count),
    labels: {},
    createdAt: T0,
    reason: 'BackOff',
    type: 'Warning',
    message: 'Back-off restarting failed container app in pod web-1',
    count,
    firstAt: T0,
    lastAt: T0 + count * 1000,
    involved: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'pod-1' },
    source: 'kubelet',
    host: 'node-1',
    ...over,
  };
}

function pod(uid: string, restarts: number, over: Partial<PodSnapshot> = {}): PodSnapshot {
  return {
    kind: 'Pod',
    uid,
    name: `web-${uid}`,
    namespace: 'shop',
    resourceVersion: '1',
    labels: {},
    createdAt: T0,
    node: 'node-1',
    phase: 'Running',
    conditions: { Ready: { status: 'True' } },
    containers: [
      {
        name: 'app',
        type: 'app',
        image: 'shop:1',
        ready: true,
        restartCount: restarts,
        state: { kind: 'running' },
        lastTerminated: restarts > 0 ? { reason: 'Error', exitCode: 1, finishedAt: T0 } : undefined,
        requests: {},
        limits: {},
        hasLivenessProbe: false,
      },
    ],
    restartPolicy: 'Always',
    ...over,
  };
}

let rv = 100;
const up = (snapshot: PodSnapshot | EventSnapshot, stream: string = snapshot.kind): Observation => ({
  type: 'upsert',
  cluster: 'c1',
  stream,
  resourceVersion: String(++rv),
  snapshot,
});
const synced = (kind: 'Pod' | 'Event', uids: string[]): Observation => ({
  type: 'synced',
  cluster: 'c1',
  stream: kind,
  kind,
  resourceVersion: String(++rv),
  uids: new Set(uids),
});

describe.each(STORE_TARGETS)('history writer on $name', (target) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(): Promise<{ store: Store; writer: HistoryWriter }> {
    const db = await target.create();
    const store = db.open();
    cleanups.push(
      () => db.cleanup(),
      () => store.close(),
    );
    await store.migrate();
    const writer = new HistoryWriter(store, { now: () => T0 + 60_000 });
    await writer.loadCluster('c1');
    writer.expectStreams('c1', ['Pod', 'Event']);
    return { store, writer };
  }

  async function coverage(store: Store, uid: string): Promise<number[]> {
    const page = await queryEvents(store.db, store.dialect, { limit: 1000 });
    const counts: number[] = [];
    for (const o of page.items.filter((i) => i.eventUid === uid))
      for (let c = o.countFrom; c <= o.countTo; c++) counts.push(c);
    return counts.sort((a, b) => a - b);
  }

  it('stores every count of an Event exactly once, even when bumps were missed or re-delivered', async () => {
    const { store, writer } = await setup();
    await writer.apply([up(event('e1', 1)), up(event('e1', 2))]);
    // A relist re-delivers count 2, then the watch resumes after missing 3 and 4.
    await writer.apply([up(event('e1', 2)), synced('Event', ['e1']), up(event('e1', 5)), up(event('e1', 5))]);
    expect(await coverage(store, 'e1')).toEqual([1, 2, 3, 4, 5]);
    const rows = (await queryEvents(store.db, store.dialect, {})).items;
    expect(rows.map((r) => [r.countFrom, r.countTo])).toEqual([
      [3, 5],
      [2, 2],
      [1, 1],
    ]);
  });

  it('resumes after a restart without re-storing what it already has', async () => {
    const { store, writer } = await setup();
    await writer.apply([up(event('e2', 3))]);
    const restarted = new HistoryWriter(store, { now: () => T0 + 120_000 });
    const checkpoints = await restarted.loadCluster('c1');
    expect(checkpoints.get('Event')).toBe(String(rv));
    await restarted.apply([up(event('e2', 3)), up(event('e2', 4))]);
    expect(await coverage(store, 'e2')).toEqual([1, 2, 3, 4]);
  });

  it('finds events by full-text search and filters', async () => {
    const { store, writer } = await setup();
    await writer.apply([
      up(
        event('s1', 1, {
          message: 'Failed to pull image "registry.local/shop:v9": not found',
          reason: 'Failed',
        }),
      ),
      up(event('s2', 1, { message: 'Readiness probe failed: connection refused', reason: 'Unhealthy' })),
    ]);
    const found = await queryEvents(store.db, store.dialect, { search: 'pull image' });
    expect(found.items.map((i) => i.eventUid)).toEqual(['s1']);
    const byReason = await queryEvents(store.db, store.dialect, {
      reason: 'Unhealthy',
      namespace: 'shop',
      object: 'pod/web-1',
    });
    expect(byReason.items.map((i) => i.eventUid)).toEqual(['s2']);
  });

  it('stores messages and names with quotes, backslashes, braces, commas and non-ASCII text as given', async () => {
    const { store, writer } = await setup();
    const message = 'pull "a\\b", {x,y} NULL \'q\' — ошибка 失败 \t end';
    await writer.apply([
      up(
        event('q1', 1, {
          message,
          name: 'web-1.{1,2}',
          involved: { kind: 'Pod', name: 'NULL' },
          host: undefined,
        }),
      ),
    ]);
    const [row] = (await queryEvents(store.db, store.dialect, {})).items;
    expect(row).toMatchObject({
      message,
      name: 'web-1.{1,2}',
      involved: { kind: 'Pod', name: 'NULL', namespace: null, uid: null, fieldPath: null },
      host: null,
    });
    expect((await queryEvents(store.db, store.dialect, { search: 'ошибка' })).items).toHaveLength(1);
  });

  it('counts the histogram in whole buckets, every count an occurrence covers', async () => {
    const { store, writer } = await setup();
    const minute = 60_000;
    await writer.apply([
      up(event('h1', 1, { lastAt: T0 + 10_000 })),
      up(event('h2', 1, { lastAt: T0 + 20_000, type: 'Normal', message: 'Pulled image' })),
      up(event('h1', 4, { lastAt: T0 + minute + 5_000 })), // counts 2–4 in one row
      up(event('h3', 1, { lastAt: T0 + 3 * minute })),
    ]);
    const all = await eventHistogram(
      store.db,
      { since: T0, until: T0 + 10 * minute, bucketMs: minute },
      store.dialect,
    );
    expect(all).toEqual([
      { t: T0, count: 2 },
      { t: T0 + minute, count: 3 },
      { t: T0 + 3 * minute, count: 1 },
    ]);
    const warnings = await eventHistogram(
      store.db,
      { since: T0, until: T0 + 10 * minute, bucketMs: 2 * minute, type: 'Warning', cluster: 'c1' },
      store.dialect,
    );
    expect(warnings).toEqual([
      { t: T0, count: 4 },
      { t: T0 + 2 * minute, count: 1 },
    ]);
    const searched = await eventHistogram(
      store.db,
      { since: T0, until: T0 + 10 * minute, bucketMs: minute, search: 'pulled' },
      store.dialect,
    );
    expect(searched).toEqual([{ t: T0, count: 1 }]);
  });

  it('baselines restart counts on the first sync, then records each new crash once', async () => {
    const { store, writer } = await setup();
    await writer.apply([up(pod('a', 4)), synced('Pod', ['a'])]);
    expect((await queryCrashes(store.db, store.dialect, {})).items).toEqual([]);
    const [update] = await writer.apply([up(pod('a', 5)), up(pod('a', 5)), up(pod('b', 2))]);
    const crashes = (await queryCrashes(store.db, store.dialect, {})).items;
    // `restarts` crashes so far: the last crashed attempt is restarts - 1.
    expect(crashes.map((c) => [c.pod, c.restartCount, c.covers]).sort()).toEqual([
      ['web-a', 4, 1],
      ['web-b', 1, 2],
    ]);
    expect(update!.crashes).toHaveLength(2);
    expect(crashes[0]!.logStatus).toBe('pending');
  });

  it('turns objects missing from a relist into deletions', async () => {
    const { store, writer } = await setup();
    await writer.apply([up(pod('a', 0)), up(pod('b', 0)), synced('Pod', ['a', 'b'])]);
    const [update] = await writer.apply([synced('Pod', ['a'])]);
    expect(update!.deleted.map((d) => d.uid)).toEqual(['b']);
    expect(
      writer
        .state('c1')!
        .pods()
        .map((p) => p.uid),
    ).toEqual(['a']);
    const deleted = await queryLifecycle(store.db, { action: 'deleted' });
    expect(deleted.map((e) => e.podUid)).toEqual(['b']);
  });

  it('opens and closes abnormal periods', async () => {
    const { store, writer } = await setup();
    const looping = pod('a', 3, {
      containers: [
        {
          ...pod('a', 3).containers[0]!,
          state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 40s' },
        },
      ],
    });
    await writer.apply([up(looping)]);
    expect((await queryAbnormal(store.db, { open: true })).items.map((p) => p.reason)).toEqual([
      'CrashLoopBackOff',
    ]);
    await writer.apply([up(pod('a', 3))]);
    const all = (await queryAbnormal(store.db, {})).items;
    expect(all).toHaveLength(1);
    expect(all[0]!.endedAt).not.toBeNull();
  });

  it('keeps memory unchanged when a commit fails, so the retried batch loses nothing', async () => {
    const { store, writer } = await setup();
    await writer.apply([up(event('f1', 1))]);
    // Make the next commit fail inside the transaction.
    await sql`drop table pod_lifecycle`.execute(store.db);
    const batch = [up(event('f1', 2)), up(pod('p', 0))];
    await expect(writer.apply(batch)).rejects.toThrow();
    expect(writer.state('c1')!.pods()).toEqual([]);
    // Repair and retry the same batch: the bump to 2 is stored exactly once.
    await store.db.schema
      .createTable('pod_lifecycle')
      .addColumn('id', store.dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        store.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('cluster', 'text', (c) => c.notNull())
      .addColumn('pod_uid', 'text', (c) => c.notNull())
      .addColumn('namespace', 'text', (c) => c.notNull())
      .addColumn('pod', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('pod_lifecycle_key2', ['cluster', 'pod_uid', 'action', 'detail'])
      .execute();
    await writer.apply(batch);
    expect(await coverage(store, 'f1')).toEqual([1, 2]);
    expect(
      writer
        .state('c1')!
        .pods()
        .map((p) => p.uid),
    ).toEqual(['p']);
  });
});
