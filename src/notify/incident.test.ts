import { describe, expect, it } from 'vitest';
import { crashAlert, notification } from '../../test/notify/notifications.js';
import { planIncident } from './incident.js';

describe('planIncident', () => {
  it('starts an incident, adds alerts as they join and marks them resolved in place', () => {
    const a = crashAlert('a');
    const b = crashAlert('b');
    const first = planIncident(undefined, [{ id: 1, notification: notification([a]) }]);
    expect(first.fresh).toBe(true);
    const second = planIncident(first.state, [{ id: 2, notification: notification([a, b]) }]);
    expect(second.fresh).toBe(false);
    expect(second.view.alerts.map((x) => x.labels.pod)).toEqual(['a', 'b']);
    const third = planIncident(second.state, [
      { id: 3, notification: notification([{ ...a, status: 'resolved' }, b]) },
    ]);
    expect(third.view.status).toBe('firing');
    expect(third.view.alerts.map((x) => x.status)).toEqual(['resolved', 'firing']);
    // Alertmanager's last notification carries only the newly resolved alerts; a stays resolved.
    const last = planIncident(third.state, [
      { id: 4, notification: notification([{ ...b, status: 'resolved' }]) },
    ]);
    expect(last.view.status).toBe('resolved');
    expect(last.view.alerts.map((x) => `${x.labels.pod}:${x.status}`)).toEqual(['a:resolved', 'b:resolved']);
  });

  it('merges several pending rows into one view, in order', () => {
    const a = crashAlert('a');
    const b = crashAlert('b');
    const plan = planIncident(undefined, [
      { id: 10, notification: notification([a]) },
      { id: 11, notification: notification([a, b]) },
      { id: 12, notification: notification([{ ...a, status: 'resolved' }, b]) },
    ]);
    expect(plan.consumed).toBe(3);
    expect(plan.view.alerts.map((x) => `${x.labels.pod}:${x.status}`)).toEqual(['a:resolved', 'b:firing']);
    expect(plan.state.lastRowId).toBe(12);
  });

  it('stops merging where a new incident begins, so the old one gets its resolved edit first', () => {
    const a = crashAlert('a');
    const ended = planIncident(undefined, [{ id: 1, notification: notification([a]) }]);
    const plan = planIncident(ended.state, [
      { id: 2, notification: notification([{ ...a, status: 'resolved' }]) },
      { id: 3, notification: notification([crashAlert('a2')]) },
    ]);
    expect(plan.consumed).toBe(1);
    expect(plan.view.status).toBe('resolved');
    const next = planIncident(plan.state, [{ id: 3, notification: notification([crashAlert('a2')]) }]);
    expect(next.fresh).toBe(true);
    expect(next.view.alerts.map((x) => x.labels.pod)).toEqual(['a2']);
  });

  it('lets a resent old row add only alerts the message does not show yet', () => {
    const a = crashAlert('a');
    const now = planIncident(undefined, [
      { id: 5, notification: notification([{ ...a, status: 'resolved' }, crashAlert('b')]) },
    ]);
    const stale = planIncident(now.state, [{ id: 2, notification: notification([a, crashAlert('c')]) }]);
    expect(stale.view.alerts.map((x) => `${x.labels.pod}:${x.status}`)).toEqual([
      'a:resolved',
      'b:firing',
      'c:firing',
    ]);
    expect(stale.state.lastRowId).toBe(5);
  });

  it('keeps at most the given number of alerts, dropping resolved ones first', () => {
    const alerts = Array.from({ length: 8 }, (_, i) =>
      crashAlert(`p${i}`, {}, i < 3 ? 'resolved' : 'firing'),
    );
    const plan = planIncident(undefined, [{ id: 1, notification: notification(alerts) }], 6);
    expect(plan.view.alerts).toHaveLength(6);
    expect(plan.view.alerts.filter((a) => a.status === 'resolved')).toHaveLength(1);
    expect(plan.view.truncatedAlerts).toBe(2);
  });
});
