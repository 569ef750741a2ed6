// The notification outbox and the per-group message references receivers edit in place.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64, withId } from './kit.js';

export const outboxMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await withId(db.schema.createTable('notification_outbox'), dialect)
      .addColumn('receiver', 'varchar(200)', (c) => c.notNull())
      .addColumn('integration', 'varchar(20)', (c) => c.notNull())
      .addColumn('integration_index', 'integer', (c) => c.notNull())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'varchar(200)', (c) => c.notNull().unique())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(10)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', int64(dialect), (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('sent_at', int64(dialect))
      .execute();
    await db.schema
      .createIndex('notification_outbox_due')
      .on('notification_outbox')
      .columns(['status', 'receiver', 'integration', 'integration_index', 'id'])
      .execute();
    await db.schema
      .createTable('delivery_refs')
      .addColumn('receiver', 'varchar(200)', (c) => c.notNull())
      .addColumn('integration', 'varchar(20)', (c) => c.notNull())
      .addColumn('integration_index', 'integer', (c) => c.notNull())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('delivery_refs_pk', [
        'receiver',
        'integration',
        'integration_index',
        'group_key',
      ])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('delivery_refs').execute();
    await db.schema.dropTable('notification_outbox').execute();
  },
});
