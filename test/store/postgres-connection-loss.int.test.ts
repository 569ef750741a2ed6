// PostgreSQL going away under an open transaction: the statement after the loss fails with the
// connection error, and nothing escapes as an uncaught exception that would end the process.
import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/index.js';
import { createTempDatabase, POSTGRES_ADMIN_URL } from '../support/postgres.js';

it('a connection lost between two statements of a transaction fails that transaction only', async () => {
  const database = await createTempDatabase();
  const store = openPostgresStore(database.url, { poolSize: 2 });
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const inTransaction = store.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      // Between two statements, the server ends this session (as a restart or failover would).
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database.name],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`select 2`.execute(tx);
    });
    await expect(inTransaction).rejects.toThrow();
    // The pool replaces the lost client: the store works again.
    const { rows } = await sql<{ n: number }>`select 3 as n`.execute(store.db);
    expect(rows).toEqual([{ n: 3 }]);
  } finally {
    await admin.end();
    await store.close();
    await database.drop();
  }
});
