// Claims on outbox rows (so two dispatchers never send one row at once, and a dead one's claim
// lapses), dead-letter bookkeeping, and the index that finds each group's oldest pending row.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64 } from './kit.js';

export const outboxClaimsMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('notification_outbox').addColumn('claimed_by', 'varchar(100)').execute();
    await db.schema.alterTable('notification_outbox').addColumn('claimed_until', int64(dialect)).execute();
    await db.schema.alterTable('notification_outbox').addColumn('resent_at', int64(dialect)).execute();
    await db.schema.alterTable('notification_outbox').addColumn('dead_at', int64(dialect)).execute();
    await db.schema
      .createIndex('notification_outbox_group_head')
      .on('notification_outbox')
      .columns(['status', 'receiver', 'integration', 'integration_index', 'group_key', 'id'])
      .execute();
    await db.schema
      .createIndex('notification_outbox_dead')
      .on('notification_outbox')
      .columns(['status', 'dead_at'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('notification_outbox_dead').execute();
    await db.schema.dropIndex('notification_outbox_group_head').execute();
    for (const column of ['dead_at', 'resent_at', 'claimed_until', 'claimed_by']) {
      await db.schema.alterTable('notification_outbox').dropColumn(column).execute();
    }
  },
});
