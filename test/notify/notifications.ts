// Notifications shaped like the rule pack's alerts, for delivery tests.
import { fingerprint, type Labels } from '../../src/domain/alert.js';
import { ZERO_TIME, type Notification, type NotificationAlert } from '../../src/domain/notification.js';

export function alert(
  labels: Labels,
  annotations: Labels = {},
  options: { status?: 'firing' | 'resolved'; startsAt?: string; endsAt?: string } = {},
): NotificationAlert {
  const status = options.status ?? 'firing';
  return {
    status,
    labels,
    annotations,
    startsAt: options.startsAt ?? '2026-01-01T11:58:00.000Z',
    endsAt: status === 'resolved' ? (options.endsAt ?? '2026-01-01T12:05:00.000Z') : ZERO_TIME,
    generatorURL: '',
    fingerprint: fingerprint(labels),
  };
}

export function crashAlert(
  pod: string,
  extra: Partial<Record<string, string>> = {},
  status: 'firing' | 'resolved' = 'firing',
): NotificationAlert {
  return alert(
    {
      alertname: 'ContainerCrashed',
      cluster: 'prod',
      namespace: extra.namespace ?? 'payments',
      pod,
      container: 'api',
      reason: 'Error',
      node: 'worker-3',
      workload_kind: 'Deployment',
      workload: 'api',
      severity: 'critical',
    },
    {
      summary: `${pod} crashed`,
      exit_code: extra.exit_code ?? '1',
      signal: '0',
      restart_count: extra.restart_count ?? '3',
      log_tail: extra.log_tail ?? 'starting api\nconnecting to db\nError: connect ECONNREFUSED 10.0.0.7:5432',
      hint: 'The application stopped with a general error (exit code 1). Next: read the last log lines.',
      warning_events: 'BackOff: Back-off restarting failed container api',
    },
    { status },
  );
}

export function notification(
  alerts: readonly NotificationAlert[],
  overrides: Partial<Notification> = {},
): Notification {
  const firing = alerts.some((a) => a.status === 'firing');
  const common = (sets: Labels[]): Labels =>
    sets.length === 0
      ? {}
      : Object.fromEntries(Object.entries(sets[0]!).filter(([k, v]) => sets.every((s) => s[k] === v)));
  return {
    version: '4',
    groupKey: '{}:{alertname="ContainerCrashed", namespace="payments"}',
    truncatedAlerts: 0,
    status: firing ? 'firing' : 'resolved',
    receiver: 'ops',
    groupLabels: {
      alertname: alerts[0]?.labels.alertname ?? 'X',
      namespace: alerts[0]?.labels.namespace ?? '',
    },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: 'http://lookout.example:8080',
    alerts,
    ...overrides,
  };
}
