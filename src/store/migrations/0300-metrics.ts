// Resource metric series, raw samples and 5-minute aggregates. Samples are keyed by
// (series, time): SQLite stores them WITHOUT ROWID (the key is the row, no second b-tree),
// PostgreSQL as a table with that primary key. Reads are always "these series over a time
// range", which is one index range per series.
import { sql } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { AnyDb, DialectMigration } from './kit.js';
import { int64, withId } from './kit.js';

const SAMPLE_COLUMNS = [
  'cpu',
  'memory',
  'cpu_request',
  'cpu_limit',
  'memory_request',
  'memory_limit',
  'cpu_allocatable',
  'memory_allocatable',
  'cpu_capacity',
  'memory_capacity',
  'running',
  'abnormal',
] as const;

const AGGREGATE_INT_COLUMNS = [
  'cpu_avg',
  'cpu_max',
  'memory_avg',
  'memory_max',
  'cpu_request',
  'cpu_limit',
  'memory_request',
  'memory_limit',
  'cpu_allocatable',
  'memory_allocatable',
  'cpu_capacity',
  'memory_capacity',
  'running_max',
  'abnormal_max',
] as const;

function withoutRowid(dialect: Dialect) {
  return dialect === 'sqlite' ? sql`without rowid` : sql``;
}

export const metricsMigration: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await withId(db.schema.createTable('metric_series'), dialect)
      .addColumn('cluster', 'varchar(100)', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
      .addColumn('name', 'varchar(253)', (c) => c.notNull())
      .addColumn('container', 'varchar(253)', (c) => c.notNull())
      .addColumn('created_at', int64(dialect), (c) => c.notNull())
      .addColumn('last_at', int64(dialect), (c) => c.notNull())
      .addUniqueConstraint('metric_series_key', ['cluster', 'kind', 'namespace', 'name', 'container'])
      .execute();

    let samples = db.schema
      .createTable('metric_samples')
      .addColumn('series_id', int64(dialect), (c) => c.notNull())
      .addColumn('ts', int64(dialect), (c) => c.notNull());
    for (const column of SAMPLE_COLUMNS) samples = samples.addColumn(column, int64(dialect));
    await samples
      .addPrimaryKeyConstraint('metric_samples_pk', ['series_id', 'ts'])
      .modifyEnd(withoutRowid(dialect))
      .execute();

    let aggregates = db.schema
      .createTable('metric_samples_5m')
      .addColumn('series_id', int64(dialect), (c) => c.notNull())
      .addColumn('ts', int64(dialect), (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull());
    for (const column of AGGREGATE_INT_COLUMNS) aggregates = aggregates.addColumn(column, int64(dialect));
    // Average pod counts are fractions; everything else is rounded to whole nanocores and bytes.
    await aggregates
      .addColumn('running_avg', 'double precision')
      .addColumn('abnormal_avg', 'double precision')
      .addPrimaryKeyConstraint('metric_samples_5m_pk', ['series_id', 'ts'])
      .modifyEnd(withoutRowid(dialect))
      .execute();

    await db.schema
      .createTable('metric_watermarks')
      .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('value', int64(dialect), (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('metric_watermarks').execute();
    await db.schema.dropTable('metric_samples_5m').execute();
    await db.schema.dropTable('metric_samples').execute();
    await db.schema.dropTable('metric_series').execute();
  },
});
