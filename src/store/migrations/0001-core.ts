// The installation's own facts. The schema version itself is Kysely's `kysely_migration` table.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64 } from './kit.js';

export const coreMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('lookout_meta')
      .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('lookout_meta').execute();
  },
});
