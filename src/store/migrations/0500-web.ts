// The web UI's sign-in sessions and API tokens.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64, withId } from './kit.js';

export const webMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('web_sessions')
      .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_name', 'varchar(100)', (c) => c.notNull())
      .addColumn('role', 'varchar(10)', (c) => c.notNull())
      .addColumn('method', 'varchar(10)', (c) => c.notNull())
      .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('expires_at', int64(dialect), (c) => c.notNull())
      .addColumn('last_seen_at', int64(dialect), (c) => c.notNull())
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('web_sessions_expires').on('web_sessions').column('expires_at').execute();
    await withId(db.schema.createTable('web_api_tokens'), dialect)
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('role', 'varchar(10)', (c) => c.notNull())
      .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
      // NULL for ordinary tokens (NULLs never collide); "bootstrap" for the one bootstrap token.
      .addColumn('slot', 'varchar(20)', (c) => c.unique())
      .addColumn('created_by', 'varchar(100)', (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('last_used_at', int64(dialect))
      .addColumn('expires_at', int64(dialect))
      .addColumn('revoked_at', int64(dialect))
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('web_api_tokens').execute();
    await db.schema.dropTable('web_sessions').execute();
  },
});
