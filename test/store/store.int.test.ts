// One store suite, run against SQLite and the machine's real PostgreSQL.
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../../src/store/migrations/index.js';
import type { Store } from '../../src/store/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { STORE_TARGETS } from '../support/stores.js';

describe.each(STORE_TARGETS)('store on $name', (target) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function fresh(): Promise<{ url: string; store: Store; open: () => Store }> {
    const db = await target.create();
    const store = db.open();
    cleanups.push(
      () => db.cleanup(),
      () => store.close(),
    );
    return { url: db.url, store, open: () => db.open() };
  }

  it('applies every migration once; a second run applies nothing', async () => {
    const { store } = await fresh();
    expect(await store.pendingMigrations()).toEqual(MIGRATION_NAMES);
    const first = await store.migrate();
    expect(first.applied).toEqual(MIGRATION_NAMES);
    const second = await store.migrate();
    expect(second.applied).toEqual([]);
    expect(await store.pendingMigrations()).toEqual([]);
  });

  it('migrates safely when two processes start together', async () => {
    const { url, store } = await fresh();
    const script = `
      const { openStore } = await import('./src/store/index.js');
      const { Secret } = await import('./src/lib/secret.js');
      const store = openStore({ url: new Secret(process.argv[1]), pool_size: 2 });
      const summary = await store.migrate();
      await store.close();
      console.log(JSON.stringify(summary.applied));`;
    const runs = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
            const child = spawn(
              process.execPath,
              ['--import', 'tsx', '--input-type=module', '-e', script, url],
              { cwd: REPO_ROOT },
            );
            let out = '';
            let err = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (err += d.toString()));
            child.on('close', (code) => resolve({ code, out, err }));
          }),
      ),
    );
    for (const run of runs) expect(run.code, run.err).toBe(0);
    const applied = runs.map((r) => JSON.parse(r.out.trim()) as string[]);
    // Exactly one process applied the migrations; the other found them done.
    expect(applied.flat().sort()).toEqual([...MIGRATION_NAMES].sort());
    expect(await store.pendingMigrations()).toEqual([]);
  });

  it('answers ping and reads back what it wrote', async () => {
    const { store } = await fresh();
    await store.migrate();
    await store.ping();
    await store.db
      .insertInto('lookout_meta')
      .values({ key: 'k', value: 'v', updated_at: 1_700_000_000_123 })
      .execute();
    const row = await store.db.selectFrom('lookout_meta').selectAll().executeTakeFirstOrThrow();
    // 64-bit times come back as numbers on both engines.
    expect(row).toEqual({ key: 'k', value: 'v', updated_at: 1_700_000_000_123 });
    await store.optimize();
  });

  it('rolls back a failed transaction entirely', async () => {
    const { store } = await fresh();
    await store.migrate();
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('lookout_meta').values({ key: 'a', value: '1', updated_at: 1 }).execute();
        await sql`select * from no_such_table`.execute(trx);
      }),
    ).rejects.toThrow();
    expect(await store.db.selectFrom('lookout_meta').selectAll().execute()).toEqual([]);
  });
});
