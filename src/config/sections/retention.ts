// `retention:` — how long each kind of record is kept, and how often old records are removed.
import type { z } from 'zod';
import { duration, obj } from '../schema-kit.js';

export const retentionSchema = obj({
  /** Event occurrences. */
  events: duration().prefault('7d'),
  /** Crash records with their logs. */
  crashes: duration().prefault('30d'),
  /** The pod lifecycle log and ended abnormal periods. */
  pod_history: duration().prefault('30d'),
  /** Last known state of deleted objects. */
  deleted_objects: duration().prefault('7d'),
  /** Raw resource samples (one per node, container and namespace per collection interval). */
  metrics_raw: duration().prefault('24h'),
  /** 5-minute aggregates (average and peak) of the resource samples. */
  metrics_5m: duration().prefault('30d'),
  /** How often the retention job runs. */
  interval: duration().prefault('1h'),
});

export type RetentionConfig = z.output<typeof retentionSchema>;
