// How alerts are stored: one row per fingerprint while the engine holds the alert, the newest
// row read back, row ids continued after a restart, and the upgrade of an existing SQLite
// database keyed by fingerprint (migration 0620).
import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../src/alerting/alert-record.js';
import { migrationsFor } from '../../src/store/migrations/index.js';
import { AlertRowIds, listAlerts, upsertAlerts } from '../../src/store/repos/alert-repo.js';
import type { Store } from '../../src/store/index.js';
import { STORE_TARGETS } from '../support/stores.js';

const T = Date.UTC(2026, 10, 24, 12);

function alert(node: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    fingerprint: `f${node.padStart(15, '0')}`,
    labels: { alertname: 'Disk', node },
    annotations: { summary: `disk on ${node}` },
    startsAt: T,
    endsAt: T + 3_600_000,
    timeout: true,
    generatorURL: '',
    updatedAt: T,
    ...over,
  };
}

async function rowCount(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(STORE_TARGETS)('stored alerts on $name', (target) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function fresh(): Promise<Store> {
    const db = await target.create();
    const store = db.open();
    cleanup = async () => {
      await store.close();
      await db.cleanup();
    };
    await store.migrate();
    return store;
  }

  it('keeps one row per alert while it is held, and reads back the newest version', async () => {
    const store = await fresh();
    const rows = await AlertRowIds.load(store.db, store.dialect);
    await upsertAlerts(store.db, store.dialect, [alert('a'), alert('b')], rows);
    await upsertAlerts(
      store.db,
      store.dialect,
      [alert('a', { updatedAt: T + 60_000, annotations: { summary: 'still full' } })],
      rows,
    );
    expect(await rowCount(store)).toBe(2);
    const read = await listAlerts(store.db);
    expect(read.map((a) => [a.labels.node, a.annotations.summary, a.updatedAt])).toEqual([
      ['a', 'still full', T + 60_000],
      ['b', 'disk on b', T],
    ]);
  });

  it('gives a forgotten alert that returns the newest row, and continues row ids after a restart', async () => {
    const store = await fresh();
    const rows = await AlertRowIds.load(store.db, store.dialect);
    await upsertAlerts(store.db, store.dialect, [alert('a', { endsAt: T + 1 })], rows);
    rows.forget(['f00000000000000a']);
    await upsertAlerts(
      store.db,
      store.dialect,
      [alert('a', { startsAt: T + 7_200_000, updatedAt: T + 7_200_000, endsAt: T + 9_000_000 })],
      rows,
    );
    // SQLite keeps the earlier episode until retention removes it; PostgreSQL has one row per
    // fingerprint. Either way one alert is read back: the newest.
    expect(await rowCount(store)).toBe(store.dialect === 'sqlite' ? 2 : 1);
    const read = await listAlerts(store.db);
    expect(read).toHaveLength(1);
    expect(read[0]!.startsAt).toBe(T + 7_200_000);

    // A restart: the stored rows are adopted, new alerts continue after them, and an update of
    // a stored alert goes to its row instead of adding one.
    const after = await AlertRowIds.load(store.db, store.dialect);
    const live = await listAlerts(store.db, { firingAt: T + 7_200_000 }, after);
    expect(live.map((a) => a.labels.node)).toEqual(['a']);
    await upsertAlerts(
      store.db,
      store.dialect,
      [alert('a', { startsAt: T + 7_200_000, updatedAt: T + 7_300_000, endsAt: T + 9_000_000 }), alert('c')],
      after,
    );
    expect(await rowCount(store)).toBe(store.dialect === 'sqlite' ? 3 : 2);
    const all = await listAlerts(store.db);
    expect(all.map((a) => [a.labels.node, a.updatedAt])).toEqual([
      ['a', T + 7_300_000],
      ['c', T],
    ]);
    if (store.dialect === 'sqlite') {
      const ids = await store.db.selectFrom('alerts').select(['id', 'fingerprint']).orderBy('id').execute();
      expect(ids.map((r) => [r.id, r.fingerprint])).toEqual([
        [1, 'f00000000000000a'],
        [2, 'f00000000000000a'],
        [3, 'f00000000000000c'],
      ]);
    }
  });
});

describe('upgrading a SQLite database whose alerts are keyed by fingerprint', () => {
  it('keeps every alert, in arrival order, under new row ids', async () => {
    const target = STORE_TARGETS.find((t) => t.name === 'sqlite')!;
    const db = await target.create();
    const store = db.open();
    try {
      const migrator = new Migrator({
        db: store.db,
        provider: { getMigrations: () => Promise.resolve(migrationsFor('sqlite')) },
      });
      const before = await migrator.migrateTo('0610-event-histogram');
      expect(before.error).toBeUndefined();
      const old = [alert('b', { updatedAt: T + 5 }), alert('a', { updatedAt: T + 9 })];
      await store.db
        .insertInto('alerts')
        .values(
          old.map((a) => ({
            fingerprint: a.fingerprint,
            labels: JSON.stringify(a.labels),
            annotations: JSON.stringify(a.annotations),
            starts_at: a.startsAt,
            ends_at: a.endsAt,
            timeout: 1,
            generator_url: '',
            updated_at: a.updatedAt,
          })),
        )
        .execute();
      expect((await store.migrate()).applied).toContain('0620-alert-rows');
      const ids = await store.db.selectFrom('alerts').select(['id', 'fingerprint']).orderBy('id').execute();
      expect(ids.map((r) => [r.id, r.fingerprint])).toEqual([
        [1, 'f00000000000000b'],
        [2, 'f00000000000000a'],
      ]);
      const rows = await AlertRowIds.load(store.db, store.dialect);
      expect(rows.idOf('f00000000000000z')).toBe(3);
      expect((await listAlerts(store.db)).map((a) => a.labels.node).sort()).toEqual(['a', 'b']);

      // Back down: one row per fingerprint again, the newest row of a returning alert kept.
      const again = alert('a', { updatedAt: T + 20 });
      await store.db
        .insertInto('alerts')
        .values({
          id: 3,
          fingerprint: again.fingerprint,
          labels: JSON.stringify(again.labels),
          annotations: JSON.stringify(again.annotations),
          starts_at: again.startsAt,
          ends_at: again.endsAt,
          timeout: 1,
          generator_url: '',
          updated_at: again.updatedAt,
        })
        .execute();
      expect((await migrator.migrateTo('0610-event-histogram')).error).toBeUndefined();
      const keyed = await store.db
        .selectFrom('alerts')
        .select(['fingerprint', 'updated_at'])
        .orderBy('fingerprint')
        .execute();
      expect(keyed.map((r) => [r.fingerprint, Number(r.updated_at)])).toEqual([
        ['f00000000000000a', T + 20],
        ['f00000000000000b', T + 5],
      ]);
    } finally {
      await store.close();
      await db.cleanup();
    }
  });
});
