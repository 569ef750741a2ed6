// Every migration, in order. Names sort in the order they must run; each area owns a range
// (0001 core, 0100 history, 0200 alerting and delivery, 0300 metrics, 0400 chat, 0500 web).
import type { Migration } from 'kysely';
import type { Dialect } from '../dialect.js';
import { coreMigration } from './0001-core.js';
import { outboxMigration } from './0200-outbox.js';
import type { DialectMigration } from './kit.js';

const ALL: ReadonlyArray<readonly [string, DialectMigration]> = [
  ['0001-core', coreMigration],
  ['0200-outbox', outboxMigration],
];

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(ALL.map(([name, m]) => [name, m(dialect)]));
}

/** Names of all migrations this build knows, in order. */
export const MIGRATION_NAMES: readonly string[] = ALL.map(([name]) => name);
