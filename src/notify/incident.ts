// One message per incident: the alerts a group's message shows, merged across notifications, so
// an edit shows every alert the incident had (resolved ones marked) and a new incident starts anew.
import type { Labels } from '../domain/alert.js';
import { ZERO_TIME, type Notification, type NotificationAlert } from '../domain/notification.js';
import type { QueuedNotification } from './notifier.js';

export interface IncidentState {
  /** The incident's alerts by first appearance, each in its latest known state. */
  readonly alerts: readonly NotificationAlert[];
  /** The newest outbox row merged in; older rows (a resent dead letter) only add new alerts. */
  readonly lastRowId: number;
  /** Alerts dropped to keep the message bounded. */
  readonly dropped: number;
}

export interface IncidentPlan {
  /** How many rows (from the first) belong to this incident and were merged. */
  readonly consumed: number;
  /** True when these rows start a new incident (a new message rather than an edit). */
  readonly fresh: boolean;
  readonly state: IncidentState;
  /** The notification to render: the latest row's data with the merged alerts. */
  readonly view: Notification;
}

/** Most alerts one incident message keeps; resolved ones are dropped first beyond this. */
export const MAX_INCIDENT_ALERTS = 100;

function allResolved(alerts: readonly NotificationAlert[]): boolean {
  return alerts.every((a) => a.status === 'resolved');
}

/**
 * Merges rows into an incident. A row starts a new incident when the previous one had ended
 * (every alert resolved) and the row brings a firing alert; merging stops before such a row so
 * the ended incident gets its final edit first.
 */
export function planIncident(
  previous: IncidentState | undefined,
  rows: readonly QueuedNotification[],
  maxAlerts = MAX_INCIDENT_ALERTS,
): IncidentPlan {
  if (rows.length === 0) throw new Error('planIncident needs at least one row');
  let state = previous;
  let fresh = false;
  let consumed = 0;
  for (const row of rows) {
    const n = row.notification;
    const endsIncident =
      state !== undefined && allResolved(state.alerts) && n.alerts.some((a) => a.status === 'firing');
    const stale = state !== undefined && row.id <= state.lastRowId;
    if (endsIncident && !stale) {
      if (consumed > 0) break;
      state = undefined;
    }
    if (state === undefined) {
      fresh = true;
      state = { alerts: [], lastRowId: 0, dropped: 0 };
    }
    state = merge(state, row, stale, maxAlerts);
    consumed++;
  }
  const latest = rows[consumed - 1]!.notification;
  const alerts = state!.alerts;
  return {
    consumed,
    fresh,
    state: state!,
    view: {
      ...latest,
      status: allResolved(alerts) ? 'resolved' : 'firing',
      alerts,
      commonLabels: commonOf(alerts.map((a) => a.labels)),
      commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
      truncatedAlerts: latest.truncatedAlerts + state!.dropped,
    },
  };
}

function merge(
  state: IncidentState,
  row: QueuedNotification,
  stale: boolean,
  maxAlerts: number,
): IncidentState {
  const n = row.notification;
  const byFingerprint = new Map(state.alerts.map((a) => [a.fingerprint, a]));
  for (const alert of n.alerts) {
    if (stale && byFingerprint.has(alert.fingerprint)) continue;
    byFingerprint.set(alert.fingerprint, alert);
  }
  if (!stale && n.status === 'resolved') {
    // The whole group resolved: alerts this notification left out (silenced, truncated) end too.
    for (const [fp, alert] of byFingerprint) {
      if (alert.status === 'firing')
        byFingerprint.set(fp, { ...alert, status: 'resolved', endsAt: latestEnd(n) });
    }
  }
  let alerts = [...byFingerprint.values()];
  let dropped = state.dropped;
  if (alerts.length > maxAlerts) {
    const excess = alerts.length - maxAlerts;
    const resolvedFirst = alerts.filter((a) => a.status === 'resolved').slice(0, excess);
    const drop = new Set(resolvedFirst.map((a) => a.fingerprint));
    for (const a of alerts) {
      if (drop.size >= excess) break;
      drop.add(a.fingerprint);
    }
    alerts = alerts.filter((a) => !drop.has(a.fingerprint));
    dropped += drop.size;
  }
  return { alerts, lastRowId: Math.max(state.lastRowId, row.id), dropped };
}

function latestEnd(n: Notification): string {
  const ends = n.alerts.map((a) => a.endsAt).filter((e) => !e.startsWith('0001-'));
  return (
    ends.sort().at(-1) ??
    n.alerts
      .map((a) => a.startsAt)
      .sort()
      .at(-1) ??
    ZERO_TIME
  );
}

/** Labels every set shares with the same value (Alertmanager's commonLabels). */
export function commonOf(sets: readonly Labels[]): Labels {
  if (sets.length === 0) return {};
  const [first, ...rest] = sets;
  return Object.fromEntries(Object.entries(first!).filter(([k, v]) => rest.every((s) => s[k] === v)));
}

/** Reads a stored incident state back; anything malformed counts as no state. */
export function readIncidentState(value: unknown): IncidentState | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Partial<IncidentState>;
  if (!Array.isArray(v.alerts) || typeof v.lastRowId !== 'number') return undefined;
  return { alerts: v.alerts, lastRowId: v.lastRowId, dropped: typeof v.dropped === 'number' ? v.dropped : 0 };
}
