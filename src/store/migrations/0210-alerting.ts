// Alerting state: alerts, aggregation groups, silences and the notification log.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64 } from './kit.js';

export const alertingMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('alerts')
      .addColumn('fingerprint', 'varchar(16)', (c) => c.primaryKey())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('annotations', 'text', (c) => c.notNull())
      .addColumn('starts_at', int64(dialect), (c) => c.notNull())
      .addColumn('ends_at', int64(dialect), (c) => c.notNull())
      .addColumn('timeout', 'integer', (c) => c.notNull())
      .addColumn('generator_url', 'text', (c) => c.notNull())
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alerts_ends_at').on('alerts').column('ends_at').execute();
    await db.schema
      .createTable('alert_groups')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('route_id', 'text', (c) => c.notNull())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('receiver', 'varchar(200)', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('next_flush_at', int64(dialect), (c) => c.notNull())
      .addColumn('has_flushed', 'integer', (c) => c.notNull())
      .addColumn('last_flush_at', int64(dialect))
      .execute();
    await db.schema
      .createTable('silences')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('matchers', 'text', (c) => c.notNull())
      .addColumn('starts_at', int64(dialect), (c) => c.notNull())
      .addColumn('ends_at', int64(dialect), (c) => c.notNull())
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('silences_updated_at').on('silences').column('updated_at').execute();
    await db.schema
      .createTable('notification_log')
      .addColumn('entry_key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('receiver', 'varchar(200)', (c) => c.notNull())
      .addColumn('integration', 'varchar(20)', (c) => c.notNull())
      .addColumn('integration_index', 'integer', (c) => c.notNull())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('firing', 'text', (c) => c.notNull())
      .addColumn('resolved', 'text', (c) => c.notNull())
      .addColumn('notified_at', int64(dialect), (c) => c.notNull())
      .addColumn('expires_at', int64(dialect), (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('notification_log').execute();
    await db.schema.dropTable('silences').execute();
    await db.schema.dropTable('alert_groups').execute();
    await db.schema.dropTable('alerts').execute();
  },
});
