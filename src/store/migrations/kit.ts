// Helpers that let one migration set run on SQLite and PostgreSQL alike.
// Conventions: times are epoch milliseconds in BIGINT/INTEGER columns; JSON is stored as text;
// booleans are 0/1 integers; surrogate keys are 64-bit auto-increment ids.
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

// Migrations see the database untyped: they run against every past shape of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

/** A migration written once for both dialects. */
export type DialectMigration = (dialect: Dialect) => Migration;

/** Adds an auto-increment 64-bit primary key named `id`. */
export function withId<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: Dialect,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** The column type for epoch-millisecond times and other 64-bit integers. */
export function int64(dialect: Dialect): 'bigint' | 'integer' {
  return dialect === 'postgres' ? 'bigint' : 'integer';
}

/** Text that must never be null. */
export function notNull(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder {
  return c.notNull();
}
