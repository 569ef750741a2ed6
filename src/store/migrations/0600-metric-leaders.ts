// The leaders of each 5-minute bucket: for the wide queries (every node, every container),
// the few series with the highest values in each bucket. A chart of the ten highest series
// over a day is answered from these and from the ten series' own samples, instead of from
// every series' samples (docs/queries.md, "Wide queries").
import { sql } from 'kysely';
import type { AnyDb, DialectMigration } from './kit.js';
import { int64 } from './kit.js';

export const metricLeadersMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('metric_leaders')
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('query', 'varchar(40)', (c) => c.notNull())
      .addColumn('ts', int64(dialect), (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('series_id', int64(dialect), (c) => c.notNull())
      .addColumn('micros', int64(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_leaders_pk', ['cluster', 'query', 'ts', 'rank'])
      .modifyEnd(dialect === 'sqlite' ? sql`without rowid` : sql``)
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('metric_leaders').execute();
  },
});
