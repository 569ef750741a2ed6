// An alert as the alerting engine keeps it: always with an end time (a timeout when the sender
// gave none), its fingerprint, and Alertmanager's rules for merging a re-sent alert.
import type { Alert, Labels } from '../domain/alert.js';
import { fastFingerprint } from './fingerprint.js';

export interface AlertRecord extends Alert {
  readonly fingerprint: string;
  /** Epoch ms; in the future while firing. */
  readonly endsAt: number;
  /** True when `endsAt` was not given by the sender but set from `resolve_timeout`. */
  readonly timeout: boolean;
  readonly generatorURL: string;
}

/** An alert as a sender posts it (Prometheus, a rule, a webhook), times in epoch ms. */
export interface AlertInput {
  readonly labels: Labels;
  readonly annotations?: Labels | undefined;
  readonly startsAt?: number | undefined;
  readonly endsAt?: number | undefined;
  readonly generatorURL?: string | undefined;
}

/**
 * Fills in what Alertmanager's API fills in: `updatedAt` = now; a missing start is now (or the
 * end, when only that is given); a missing end is now + resolve timeout, marked as a timeout.
 * Labels with empty values are dropped, as Alertmanager does.
 */
export function toAlertRecord(input: AlertInput, now: number, resolveTimeoutMs: number): AlertRecord {
  const labels: Record<string, string> = {};
  for (const name in input.labels) {
    const value = input.labels[name]!;
    if (value !== '') labels[name] = value;
  }
  const endsAt = input.endsAt;
  const startsAt = input.startsAt ?? endsAt ?? now;
  return {
    fingerprint: fastFingerprint(labels),
    labels,
    annotations: input.annotations ?? {},
    startsAt,
    endsAt: endsAt ?? now + resolveTimeoutMs,
    timeout: endsAt === undefined,
    generatorURL: input.generatorURL ?? '',
    updatedAt: now,
  };
}

/** Alertmanager's provider rule: merge only when the two activity ranges overlap. */
export function overlaps(old: AlertRecord, incoming: AlertRecord): boolean {
  return (
    (incoming.endsAt > old.startsAt && incoming.endsAt < old.endsAt) ||
    (incoming.startsAt > old.startsAt && incoming.startsAt < old.endsAt)
  );
}

/**
 * Alertmanager's `Alert.Merge`: the younger update wins, the earliest start is kept, and an
 * explicit (non-timeout) later end is kept over a timeout.
 */
export function mergeAlerts(a: AlertRecord, b: AlertRecord): AlertRecord {
  let older = a;
  let younger = b;
  if (b.updatedAt < a.updatedAt) {
    older = b;
    younger = a;
  }
  let startsAt = younger.startsAt;
  if (older.startsAt < younger.startsAt) startsAt = older.startsAt;
  let endsAt = younger.endsAt;
  const now = younger.updatedAt;
  if (younger.endsAt <= now) {
    // Both resolved: the latest explicit resolve time wins.
    if (older.endsAt <= now && older.endsAt > younger.endsAt) endsAt = older.endsAt;
  } else if (older.endsAt > younger.endsAt && !older.timeout) {
    endsAt = older.endsAt;
  }
  // Like Alertmanager, the younger alert's timeout flag is kept whichever end wins.
  return { ...younger, startsAt, endsAt };
}

/** What the store keeps when an alert is posted again: merged if it overlaps, else replaced. */
export function nextAlertState(old: AlertRecord | undefined, incoming: AlertRecord): AlertRecord {
  if (old === undefined) return incoming;
  return overlaps(old, incoming) ? mergeAlerts(old, incoming) : incoming;
}
