// SQLite: alerts are stored in arrival order under a row id Lookout assigns, instead of under
// their fingerprint. A fingerprint is a hash, so every new alert landed on a random page of the
// key index, and each 10 ms write-behind commit rewrote one 4 KiB page per alert (then again at
// the WAL checkpoint): 12–15 µs of the event loop per alert, against about 1 µs in arrival order.
// The alerting engine is the only writer of this table in a SQLite deployment and keeps the
// fingerprint → row map in memory (src/store/repos/alert-repo.ts, AlertRowIds).
// PostgreSQL keeps the fingerprint as the key: several Lookout instances may share it, and
// they must agree on one row per fingerprint without a shared counter.
import { sql, type RawBuilder } from 'kysely';
import type { AnyDb, DialectMigration } from './kit.js';

const COLUMNS = sql.raw(
  'fingerprint, labels, annotations, starts_at, ends_at, timeout, generator_url, updated_at',
);

/**
 * Rebuilds `alerts` keyed by a row id (`row`) or by fingerprint, filled by `select` (which
 * reads the current table), and recreates its index.
 */
async function rebuildAlerts(
  db: AnyDb,
  key: 'row' | 'fingerprint',
  select: RawBuilder<unknown>,
): Promise<void> {
  let table = db.schema.createTable('alerts_rebuilt');
  table =
    key === 'row'
      ? table
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('fingerprint', 'varchar(16)', (c) => c.notNull())
      : table.addColumn('fingerprint', 'varchar(16)', (c) => c.primaryKey());
  await table
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'integer', (c) => c.notNull())
    .addColumn('ends_at', 'integer', (c) => c.notNull())
    .addColumn('timeout', 'integer', (c) => c.notNull())
    .addColumn('generator_url', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into alerts_rebuilt (${COLUMNS}) ${select}`.execute(db);
  await db.schema.dropTable('alerts').execute();
  await db.schema.alterTable('alerts_rebuilt').renameTo('alerts').execute();
  await db.schema.createIndex('alerts_ends_at').on('alerts').column('ends_at').execute();
}

export const alertRowsMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    if (dialect !== 'sqlite') return;
    await rebuildAlerts(db, 'row', sql`select ${COLUMNS} from alerts order by updated_at, fingerprint`);
  },
  async down(db: AnyDb) {
    if (dialect !== 'sqlite') return;
    // Keeps the newest row of each fingerprint (the engine starts a new row when an alert
    // returns after it was forgotten).
    await rebuildAlerts(
      db,
      'fingerprint',
      sql`select ${COLUMNS} from alerts where id in (select max(id) from alerts group by fingerprint)`,
    );
  },
});
