// The alerting engine's durable state: alerts by fingerprint, aggregation groups with their
// timers, silences, and the notification log (what each receiver integration was last told).

export interface AlertTable {
  /**
   * SQLite only: the row, in arrival order, assigned by the alerting engine (one row per
   * fingerprint while the engine holds the alert; see migration 0620). PostgreSQL keys alerts
   * by fingerprint.
   */
  id?: number;
  /** Alertmanager's label-set fingerprint, 16 hex digits. */
  fingerprint: string;
  /** JSON object. */
  labels: string;
  /** JSON object. */
  annotations: string;
  starts_at: number;
  ends_at: number;
  /** 1 when ends_at came from resolve_timeout rather than from the sender. */
  timeout: number;
  generator_url: string;
  updated_at: number;
}

export interface AlertGroupTable {
  /** Hash of the route id and the group labels. */
  id: string;
  route_id: string;
  group_key: string;
  receiver: string;
  /** JSON object: the group labels. */
  labels: string;
  created_at: number;
  next_flush_at: number;
  has_flushed: number;
  last_flush_at: number | null;
}

export interface SilenceTable {
  /** UUID. */
  id: string;
  /** JSON array of { name, value, isRegex, isEqual }. */
  matchers: string;
  starts_at: number;
  ends_at: number;
  updated_at: number;
  created_by: string;
  comment: string;
}

export interface NotificationLogTable {
  /** Hash of receiver, integration, integration index and group key. */
  entry_key: string;
  receiver: string;
  integration: string;
  integration_index: number;
  group_key: string;
  /** JSON array of fingerprints firing when the receiver was last notified. */
  firing: string;
  /** JSON array of fingerprints resolved when the receiver was last notified. */
  resolved: string;
  notified_at: number;
  expires_at: number;
}

export interface AlertingTables {
  alerts: AlertTable;
  alert_groups: AlertGroupTable;
  silences: SilenceTable;
  notification_log: NotificationLogTable;
}
