// `collect:` — how Lookout watches its clusters: queue and batch sizes, watch timings,
// crash-log capture, the grace periods that make a pod abnormal, and resource-metric sampling.
import { z } from 'zod';
import { parseQuantity } from '../../domain/quantity.js';
import { duration, obj } from '../schema-kit.js';

const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseQuantity(value);
  if (bytes === undefined || bytes < 1) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a size (examples: 262144, 256Ki, 1Mi)`,
    });
    return z.NEVER;
  }
  return Math.round(bytes);
});

const watchSchema = obj({
  /** Items per LIST page. */
  page_size: z.number().int().min(10).max(10_000).default(500),
  /** Server-side timeout of each watch request (a random value between this and twice it is used). */
  timeout: duration().prefault('5m'),
  /** A watch that receives nothing (no event, no bookmark) for this long is rebuilt. */
  watchdog: duration().prefault('3m'),
  /** A full relist this often, as a safety net. */
  relist_interval: duration().prefault('1h'),
  /** Backoff after errors: the first delay and the cap (equal jitter: between half and all of each delay). */
  backoff_initial: duration().prefault('1s'),
  backoff_max: duration().prefault('30s'),
});

const crashLogsSchema = obj({
  /** Lines of the previous container's log kept with each crash. */
  tail_lines: z.number().int().min(1).max(100_000).default(200),
  /** Size cap of the kept log tail (the start is cut). */
  max_bytes: byteSize.prefault(256 * 1024),
  /** How long Lookout keeps trying to read a crashed container's logs. */
  retry_for: duration().prefault('30s'),
  /** Warning events of the pod from this long before the crash are attached to it. */
  events_window: duration().prefault('10m'),
});

const abnormalSchema = obj({
  /** A pod Pending (or unschedulable) longer than this is abnormal. */
  pending_grace: duration().prefault('5m'),
  /** A Running pod not Ready longer than this is abnormal. */
  not_ready_grace: duration().prefault('5m'),
  /** A container OOM-killed this recently keeps its pod abnormal. */
  oom_window: duration().prefault('10m'),
  /** A crash-looping container counts as crash-looping until it has run this long. */
  crash_loop_settle: duration().prefault('5m'),
});

const metricsSchema = obj({
  /** Poll metrics.k8s.io (what `kubectl top` reads) for clusters without a `prometheus:`. */
  enabled: z.boolean().default(true),
  /** How often nodes' and pods' usage is sampled (metrics-server itself refreshes every 15–60 s). */
  interval: duration().prefault('30s'),
  /** How long one poll of a cluster may take before it is abandoned. */
  timeout: duration().prefault('20s'),
  /** How often samples are rolled up into 5-minute aggregates and old samples removed. */
  maintenance_interval: duration().prefault('5m'),
}).superRefine((m, ctx) => {
  if (m.interval < 1000) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'must be at least 1s' });
});

export const collectSchema = obj({
  /** Observations waiting to be written; a full queue slows the watches down (nothing is dropped). */
  queue_size: z.number().int().min(100).max(1_000_000).default(10_000),
  /** Observations written per transaction. */
  batch_size: z.number().int().min(1).max(10_000).default(500),
  watch: watchSchema.prefault({}),
  crash_logs: crashLogsSchema.prefault({}),
  abnormal: abnormalSchema.prefault({}),
  metrics: metricsSchema.prefault({}),
});

export type CollectConfig = z.output<typeof collectSchema>;
