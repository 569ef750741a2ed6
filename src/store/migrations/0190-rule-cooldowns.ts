// When each rule last fired per cooldown key, so cooldowns survive restarts.
import type { AnyDb, DialectMigration } from './kit.js';
import { int64 } from './kit.js';

export const ruleCooldownMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('rule_cooldowns')
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('rule', 'varchar(100)', (c) => c.notNull())
      .addColumn('cooldown_key', 'varchar(500)', (c) => c.notNull())
      .addColumn('fired_at', int64(dialect), (c) => c.notNull())
      .addPrimaryKeyConstraint('rule_cooldowns_pk', ['cluster', 'rule', 'cooldown_key'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('rule_cooldowns').execute();
  },
});
