// The events histogram over a week of history (150,000 occurrences) read every row it counted.
// The time index now also holds the histogram's filters and counts, so the histogram is
// answered from the index alone, whatever the planner's statistics (without them SQLite fetched
// each row for a namespace or type filter: 250 ms instead of 12–25 ms). It replaces the plain
// `last_at` index, of which it is an extension; inserts measured no slower.
import type { AnyDb, DialectMigration } from './kit.js';

export const eventHistogramMigration: DialectMigration = () => ({
  async up(db: AnyDb) {
    await db.schema
      .createIndex('event_occurrences_time_counts')
      .on('event_occurrences')
      .columns(['last_at', 'cluster', 'namespace', 'event_type', 'reason', 'count_from', 'count_to'])
      .execute();
    await db.schema.dropIndex('event_occurrences_time').execute();
  },
  async down(db: AnyDb) {
    await db.schema
      .createIndex('event_occurrences_time')
      .on('event_occurrences')
      .columns(['last_at'])
      .execute();
    await db.schema.dropIndex('event_occurrences_time_counts').execute();
  },
});
