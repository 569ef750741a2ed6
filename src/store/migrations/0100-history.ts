// The watch pipeline's tables, with full-text search over event messages and crash logs:
// FTS5 external-content tables on SQLite, generated tsvector columns with GIN on PostgreSQL.
import { sql } from 'kysely';
import type { AnyDb, DialectMigration } from './kit.js';
import { int64, withId } from './kit.js';

export const historyMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    const i64 = int64(dialect);

    await db.schema
      .createTable('watch_checkpoints')
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('stream', 'varchar(200)', (c) => c.notNull())
      .addColumn('resource_version', 'varchar(100)', (c) => c.notNull())
      .addColumn('updated_at', i64, (c) => c.notNull())
      .addPrimaryKeyConstraint('watch_checkpoints_pk', ['cluster', 'stream'])
      .execute();

    await db.schema
      .createTable('objects')
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('kind', 'varchar(50)', (c) => c.notNull())
      .addColumn('uid', 'varchar(64)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('name', 'varchar(253)', (c) => c.notNull())
      .addColumn('resource_version', 'varchar(100)', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('created_at', i64, (c) => c.notNull())
      .addColumn('updated_at', i64, (c) => c.notNull())
      .addColumn('deleted_at', i64)
      .addPrimaryKeyConstraint('objects_pk', ['cluster', 'kind', 'uid'])
      .execute();
    await db.schema
      .createIndex('objects_by_name')
      .on('objects')
      .columns(['cluster', 'kind', 'namespace', 'name'])
      .execute();

    await withId(db.schema.createTable('event_occurrences'), dialect)
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('event_uid', 'varchar(64)', (c) => c.notNull())
      .addColumn('count_from', 'integer', (c) => c.notNull())
      .addColumn('count_to', 'integer', (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('event_name', 'varchar(253)', (c) => c.notNull())
      .addColumn('reason', 'varchar(200)', (c) => c.notNull())
      .addColumn('event_type', 'varchar(50)', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('involved_kind', 'varchar(100)', (c) => c.notNull())
      .addColumn('involved_name', 'varchar(253)', (c) => c.notNull())
      .addColumn('involved_namespace', 'varchar(253)')
      .addColumn('involved_uid', 'varchar(64)')
      .addColumn('field_path', 'varchar(500)')
      .addColumn('source', 'varchar(253)', (c) => c.notNull())
      .addColumn('host', 'varchar(253)')
      .addColumn('first_at', i64, (c) => c.notNull())
      .addColumn('last_at', i64, (c) => c.notNull())
      .addColumn('observed_at', i64, (c) => c.notNull())
      .addUniqueConstraint('event_occurrences_key', ['cluster', 'event_uid', 'count_to'])
      .execute();
    await db.schema
      .createIndex('event_occurrences_ns_time')
      .on('event_occurrences')
      .columns(['cluster', 'namespace', 'last_at'])
      .execute();
    await db.schema
      .createIndex('event_occurrences_time')
      .on('event_occurrences')
      .columns(['last_at'])
      .execute();
    await db.schema
      .createIndex('event_occurrences_involved')
      .on('event_occurrences')
      .columns(['involved_uid', 'last_at'])
      .execute();
    await db.schema
      .createIndex('event_occurrences_reason')
      .on('event_occurrences')
      .columns(['reason', 'last_at'])
      .execute();

    await db.schema
      .createTable('event_counts')
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('event_uid', 'varchar(64)', (c) => c.notNull())
      .addColumn('last_count', 'integer', (c) => c.notNull())
      .addColumn('last_at', i64, (c) => c.notNull())
      .addColumn('deleted_at', i64)
      .addPrimaryKeyConstraint('event_counts_pk', ['cluster', 'event_uid'])
      .execute();

    await withId(db.schema.createTable('pod_lifecycle'), dialect)
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('pod_uid', 'varchar(64)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('pod', 'varchar(253)', (c) => c.notNull())
      .addColumn('action', 'varchar(20)', (c) => c.notNull())
      .addColumn('detail', 'varchar(253)', (c) => c.notNull())
      .addColumn('at', i64, (c) => c.notNull())
      .addUniqueConstraint('pod_lifecycle_key', ['cluster', 'pod_uid', 'action', 'detail'])
      .execute();
    await db.schema
      .createIndex('pod_lifecycle_ns_time')
      .on('pod_lifecycle')
      .columns(['cluster', 'namespace', 'action', 'at'])
      .execute();
    await db.schema.createIndex('pod_lifecycle_time').on('pod_lifecycle').columns(['at']).execute();

    await withId(db.schema.createTable('crashes'), dialect)
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('pod_uid', 'varchar(64)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('pod', 'varchar(253)', (c) => c.notNull())
      .addColumn('container', 'varchar(253)', (c) => c.notNull())
      .addColumn('container_type', 'varchar(20)', (c) => c.notNull())
      .addColumn('restart_count', 'integer', (c) => c.notNull())
      .addColumn('covers', 'integer', (c) => c.notNull())
      .addColumn('reason', 'varchar(200)', (c) => c.notNull())
      .addColumn('exit_code', 'integer', (c) => c.notNull())
      .addColumn('signal', 'integer')
      .addColumn('message', 'text')
      .addColumn('started_at', i64)
      .addColumn('finished_at', i64)
      .addColumn('node', 'varchar(253)')
      .addColumn('workload_kind', 'varchar(100)')
      .addColumn('workload', 'varchar(253)')
      .addColumn('liveness_probe', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('log_tail', 'text')
      .addColumn('log_status', 'varchar(20)', (c) => c.notNull())
      .addColumn('log_error', 'text')
      .addColumn('log_truncated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('warning_events', 'text')
      .addColumn('observed_at', i64, (c) => c.notNull())
      .addUniqueConstraint('crashes_key', ['cluster', 'pod_uid', 'container', 'restart_count'])
      .execute();
    await db.schema
      .createIndex('crashes_ns_time')
      .on('crashes')
      .columns(['cluster', 'namespace', 'observed_at'])
      .execute();
    await db.schema.createIndex('crashes_time').on('crashes').columns(['observed_at']).execute();
    await db.schema
      .createIndex('crashes_workload')
      .on('crashes')
      .columns(['cluster', 'namespace', 'workload', 'observed_at'])
      .execute();

    await withId(db.schema.createTable('abnormal_pods'), dialect)
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('pod_uid', 'varchar(64)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('pod', 'varchar(253)', (c) => c.notNull())
      .addColumn('container', 'varchar(253)', (c) => c.notNull())
      .addColumn('reason', 'varchar(100)', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('began_at', i64, (c) => c.notNull())
      .addColumn('ended_at', i64)
      .addUniqueConstraint('abnormal_pods_key', ['cluster', 'pod_uid', 'container', 'reason', 'began_at'])
      .execute();
    await db.schema
      .createIndex('abnormal_pods_open')
      .on('abnormal_pods')
      .columns(['cluster', 'ended_at', 'namespace'])
      .execute();
    await db.schema.createIndex('abnormal_pods_time').on('abnormal_pods').columns(['began_at']).execute();

    if (dialect === 'sqlite') {
      await sql`create virtual table event_occurrences_fts using fts5(message, content='event_occurrences', content_rowid='id')`.execute(
        db,
      );
      await sql`create trigger event_occurrences_ai after insert on event_occurrences begin
        insert into event_occurrences_fts(rowid, message) values (new.id, new.message); end`.execute(db);
      await sql`create trigger event_occurrences_ad after delete on event_occurrences begin
        insert into event_occurrences_fts(event_occurrences_fts, rowid, message) values ('delete', old.id, old.message); end`.execute(
        db,
      );
      await sql`create virtual table crashes_fts using fts5(log_tail, message, content='crashes', content_rowid='id')`.execute(
        db,
      );
      await sql`create trigger crashes_ai after insert on crashes begin
        insert into crashes_fts(rowid, log_tail, message) values (new.id, coalesce(new.log_tail, ''), coalesce(new.message, '')); end`.execute(
        db,
      );
      await sql`create trigger crashes_ad after delete on crashes begin
        insert into crashes_fts(crashes_fts, rowid, log_tail, message) values ('delete', old.id, coalesce(old.log_tail, ''), coalesce(old.message, '')); end`.execute(
        db,
      );
      await sql`create trigger crashes_au after update of log_tail, message on crashes begin
        insert into crashes_fts(crashes_fts, rowid, log_tail, message) values ('delete', old.id, coalesce(old.log_tail, ''), coalesce(old.message, ''));
        insert into crashes_fts(rowid, log_tail, message) values (new.id, coalesce(new.log_tail, ''), coalesce(new.message, '')); end`.execute(
        db,
      );
    } else {
      await sql`alter table event_occurrences add column message_tsv tsvector generated always as (to_tsvector('simple', message)) stored`.execute(
        db,
      );
      await sql`create index event_occurrences_fts on event_occurrences using gin (message_tsv)`.execute(db);
      await sql`alter table crashes add column log_tsv tsvector generated always as (to_tsvector('simple', coalesce(log_tail, '') || ' ' || coalesce(message, ''))) stored`.execute(
        db,
      );
      await sql`create index crashes_fts on crashes using gin (log_tsv)`.execute(db);
    }
  },
  async down(db: AnyDb) {
    if (dialect === 'sqlite') {
      await sql`drop table if exists event_occurrences_fts`.execute(db);
      await sql`drop table if exists crashes_fts`.execute(db);
    }
    for (const table of [
      'abnormal_pods',
      'crashes',
      'pod_lifecycle',
      'event_counts',
      'event_occurrences',
      'objects',
      'watch_checkpoints',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
});
