// Chat bot state: users and their namespace grants, the command audit log, alert
// subscriptions of chats, and alert acknowledgements.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64, withId } from './kit.js';

export const chatMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('chat_users')
      .addColumn('id', int64(dialect), (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('role', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema
      .createTable('chat_grants')
      .addColumn('user_id', int64(dialect), (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('granted_by', 'text')
      .addColumn('granted_at', int64(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('chat_grants_pk', ['user_id', 'namespace'])
      .execute();
    await withId(db.schema.createTable('chat_audit'), dialect)
      .addColumn('at', int64(dialect), (c) => c.notNull())
      .addColumn('user_id', int64(dialect))
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('chat_id', int64(dialect))
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('args', 'text', (c) => c.notNull())
      .addColumn('result', 'varchar(16)', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('chat_audit_at').on('chat_audit').column('at').execute();
    await db.schema.createIndex('chat_audit_user').on('chat_audit').columns(['user_id', 'at']).execute();
    await db.schema
      .createTable('chat_subscriptions')
      .addColumn('chat_id', int64(dialect), (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('chat_title', 'text', (c) => c.notNull())
      .addColumn('created_by', int64(dialect), (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('chat_subscriptions_pk', ['chat_id', 'namespace'])
      .execute();
    await db.schema
      .createTable('chat_acks')
      .addColumn('fingerprint', 'varchar(16)', (c) => c.primaryKey())
      .addColumn('alert_starts_at', int64(dialect), (c) => c.notNull())
      .addColumn('user_id', int64(dialect), (c) => c.notNull())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('at', int64(dialect), (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    for (const table of ['chat_acks', 'chat_subscriptions', 'chat_audit', 'chat_grants', 'chat_users'])
      await db.schema.dropTable(table).execute();
  },
});
