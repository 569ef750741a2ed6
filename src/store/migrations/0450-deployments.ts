// Apps deployed from chat and the deploy conversations in progress.
import { sql } from 'kysely';
import type { AnyDb, DialectMigration } from './kit.js';
import { int64, withId } from './kit.js';

export const deploymentsMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await withId(db.schema.createTable('app_deployments'), dialect)
      .addColumn('cluster', 'varchar(63)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(63)', (c) => c.notNull())
      .addColumn('name', 'varchar(63)', (c) => c.notNull())
      .addColumn('template', 'varchar(63)', (c) => c.notNull())
      .addColumn('replicas', 'integer', (c) => c.notNull())
      .addColumn('owner_id', int64(dialect), (c) => c.notNull())
      .addColumn('owner_name', 'text', (c) => c.notNull())
      .addColumn('chat_id', int64(dialect), (c) => c.notNull())
      .addColumn('progress_message_id', int64(dialect))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('reason', 'text')
      .addColumn('objects', 'text', (c) => c.notNull())
      .addColumn('expose', 'text', (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .addColumn('finished_at', int64(dialect))
      .addColumn('removed_at', int64(dialect))
      .execute();
    // One live app per name and namespace; removed ones stay as history.
    await db.schema
      .createIndex('app_deployments_live_name')
      .on('app_deployments')
      .columns(['cluster', 'namespace', 'name'])
      .unique()
      .where(sql.ref('removed_at'), 'is', null)
      .execute();
    await db.schema
      .createIndex('app_deployments_owner')
      .on('app_deployments')
      .columns(['owner_id', 'created_at'])
      .execute();
    await db.schema.createIndex('app_deployments_status').on('app_deployments').column('status').execute();
    await db.schema
      .createTable('deploy_conversations')
      .addColumn('chat_id', int64(dialect), (c) => c.notNull())
      .addColumn('user_id', int64(dialect), (c) => c.notNull())
      .addColumn('session', 'varchar(16)', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('message_id', int64(dialect))
      .addColumn('updated_at', int64(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('deploy_conversations_pk', ['chat_id', 'user_id'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('deploy_conversations').execute();
    await db.schema.dropTable('app_deployments').execute();
  },
});
