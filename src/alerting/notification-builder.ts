// Builds the notification for one group and receiver: Alertmanager's webhook v4 data, with the
// alerts in the order Alertmanager sends them and firing alerts' end shown as the zero time.
import type { Labels } from '../domain/alert.js';
import { ZERO_TIME, type Notification, type NotificationReason } from '../domain/notification.js';
import type { AlertRecord } from './alert-record.js';
import { commonLabels } from './label-set.js';

export interface NotificationInput {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Labels;
  /** In notification order; each alert's status is taken at `now`. */
  readonly alerts: readonly AlertRecord[];
  readonly externalURL: string;
  readonly reason: NotificationReason;
  readonly now: number;
}

export function buildNotification(input: NotificationInput): Notification {
  const { now } = input;
  let anyFiring = false;
  const alerts = input.alerts.map((a) => {
    const resolved = a.endsAt <= now;
    if (!resolved) anyFiring = true;
    return {
      status: resolved ? ('resolved' as const) : ('firing' as const),
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: resolved ? new Date(a.endsAt).toISOString() : ZERO_TIME,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    };
  });
  return {
    version: '4',
    groupKey: input.groupKey,
    truncatedAlerts: 0,
    status: anyFiring ? 'firing' : 'resolved',
    receiver: input.receiver,
    groupLabels: input.groupLabels,
    commonLabels: commonLabels(input.alerts.map((a) => a.labels)),
    commonAnnotations: commonLabels(input.alerts.map((a) => a.annotations)),
    externalURL: input.externalURL,
    alerts,
    notificationReason: input.reason,
  };
}
