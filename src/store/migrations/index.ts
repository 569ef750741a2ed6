// Every migration, in order. Names sort in the order they must run; each area owns a range
// (0001 core, 0100 history, 0200 alerting and delivery, 0300 metrics, 0400 chat, 0500 web); later
// additions sort after every earlier one (0600, 0610 …) so existing databases apply them in order.
import type { Migration } from 'kysely';
import type { Dialect } from '../dialect.js';
import { coreMigration } from './0001-core.js';
import { historyMigration } from './0100-history.js';
import { ruleCooldownMigration } from './0190-rule-cooldowns.js';
import { outboxMigration } from './0200-outbox.js';
import { alertingMigration } from './0210-alerting.js';
import { outboxClaimsMigration } from './0250-outbox-claims.js';
import { metricsMigration } from './0300-metrics.js';
import { chatMigration } from './0400-chat.js';
import { deploymentsMigration } from './0450-deployments.js';
import { webMigration } from './0500-web.js';
import { metricLeadersMigration } from './0600-metric-leaders.js';
import { eventHistogramMigration } from './0610-event-histogram.js';
import { alertRowsMigration } from './0620-alert-rows.js';
import type { DialectMigration } from './kit.js';

const ALL: ReadonlyArray<readonly [string, DialectMigration]> = [
  ['0001-core', coreMigration],
  ['0100-history', historyMigration],
  ['0190-rule-cooldowns', ruleCooldownMigration],
  ['0200-outbox', outboxMigration],
  ['0210-alerting', alertingMigration],
  ['0250-outbox-claims', outboxClaimsMigration],
  ['0300-metrics', metricsMigration],
  ['0400-chat', chatMigration],
  ['0450-deployments', deploymentsMigration],
  ['0500-web', webMigration],
  ['0600-metric-leaders', metricLeadersMigration],
  ['0610-event-histogram', eventHistogramMigration],
  ['0620-alert-rows', alertRowsMigration],
];

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(ALL.map(([name, m]) => [name, m(dialect)]));
}

/** Names of all migrations this build knows, in order. */
export const MIGRATION_NAMES: readonly string[] = ALL.map(([name]) => name);
