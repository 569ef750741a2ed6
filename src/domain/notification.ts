// One notification for one aggregation group to one receiver: the data of Alertmanager's
// webhook payload (version 4). Receivers render it (Telegram, Slack) or send it as is (webhook).
import type { AlertStatus, Labels } from './alert.js';

export interface NotificationAlert {
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339; `0001-01-01T00:00:00Z` while firing, as Alertmanager sends it. */
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

export type NotificationReason =
  | 'first notification'
  | 'new alerts added'
  | 'some alerts resolved'
  | 'all alerts resolved'
  | 'repeat interval elapsed';

export interface Notification {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: AlertStatus;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalURL: string;
  readonly alerts: readonly NotificationAlert[];
  /** Why this notification was sent (Alertmanager ≥ 0.32 names the same reasons). */
  readonly notificationReason?: NotificationReason;
}

/** Alertmanager's zero time, used as `endsAt` of firing alerts in payloads. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';
