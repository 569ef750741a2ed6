import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../store/index.js';
import { outbox, startAlerting, type Harness } from '../../test/alerting/support/harness.js';

const CONFIG = `
route:
  receiver: hook
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['team="quiet"']
      receiver: quiet
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:9/a' }, { url: 'http://127.0.0.1:9/b', send_resolved: false }]
  - name: quiet
`;

describe('alerting service (SQLite, manual clock)', () => {
  let store: Store;
  let h: Harness;

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    await store.migrate();
    h = await startAlerting(store, CONFIG);
  });

  afterEach(async () => {
    await h.alerting.stop();
    await store.close();
  });

  const post = (alertname: string, extra: Record<string, string> = {}, endsAt?: number) =>
    h.alerting.ingest([{ labels: { alertname, namespace: 'n', ...extra }, endsAt }], 'test');

  it('follows Alertmanager’s timeline: group_wait, aligned ticks, dedup, whole-group re-send, resolve once', async () => {
    await post('A', { i: '1' });
    await h.advance(300);
    await post('A', { i: '2' });
    await h.advance(700); // t = 1000: first flush with both
    let rows = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(rows.map((r) => r.notification.alerts.map((a) => a.labels.i))).toEqual([['1', '2']]);
    expect(rows[0]!.notification.groupKey).toBe('{}:{alertname="A", namespace="n"}');
    expect(rows[0]!.notification.notificationReason).toBe('first notification');
    expect(rows[0]!.createdAt - h.clock.now()).toBe(0);

    await h.advance(2100); // t = 3100
    await post('A', { i: '3' });
    await h.advance(900); // t = 4000: tick aligned to the first flush
    rows = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.notification.alerts.map((a) => a.labels.i)).toEqual(['1', '2', '3']);

    await post('A', { i: '1' }); // unchanged re-post: nothing new
    await h.advance(2000);
    expect((await outbox(store)).filter((r) => r.integrationIndex === 0)).toHaveLength(2);

    await post('A', { i: '1' }, h.clock.now()); // resolve a1
    await h.advance(1000);
    rows = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(rows).toHaveLength(3);
    expect(rows[2]!.notification.status).toBe('firing');
    expect(rows[2]!.notification.alerts.map((a) => `${a.labels.i}:${a.status}`)).toEqual([
      '1:resolved',
      '2:firing',
      '3:firing',
    ]);

    const now = h.clock.now();
    await post('A', { i: '2' }, now);
    await post('A', { i: '3' }, now);
    await h.advance(1000);
    rows = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(rows).toHaveLength(4);
    expect(rows[3]!.notification.status).toBe('resolved');
    expect(rows[3]!.notification.alerts.map((a) => `${a.labels.i}:${a.status}`)).toEqual([
      '2:resolved',
      '3:resolved',
    ]);
    expect(rows[3]!.notification.alerts[0]!.endsAt).toBe(new Date(now).toISOString());
  });

  it('sends only firing alerts to an integration without send_resolved, and nothing when all resolved', async () => {
    await post('B');
    await h.advance(1000);
    await post('B', {}, h.clock.now());
    await h.advance(1000);
    const quiet = (await outbox(store)).filter((r) => r.integrationIndex === 1);
    expect(quiet.map((r) => r.notification.status)).toEqual(['firing']);
    const loud = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(loud.map((r) => r.notification.status)).toEqual(['firing', 'resolved']);
  });

  it('holds silenced alerts back and sends them once the silence is expired', async () => {
    const id = await h.alerting.putSilence({
      matchers: [{ name: 'alertname', value: 'C', isRegex: false, isEqual: true }],
      startsAt: h.clock.now(),
      endsAt: h.clock.now() + 3600_000,
      createdBy: 'test',
      comment: 'maintenance',
    });
    await post('C');
    await h.advance(3000);
    expect(await outbox(store)).toHaveLength(0);
    const [alert] = [...h.alerting.alerts()];
    expect(h.alerting.statusOf(alert!, h.clock.now())).toEqual({
      state: 'suppressed',
      silencedBy: [id],
      inhibitedBy: [],
    });
    await h.alerting.expireSilence(id);
    await h.advance(1000);
    expect((await outbox(store)).map((r) => r.notification.alerts.length)).toEqual([1, 1]);
  });

  it('resolves alerts without an end after resolve_timeout', async () => {
    await post('D');
    await h.advance(1000);
    await h.advance(5 * 60_000);
    const rows = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(rows.map((r) => r.notification.status)).toEqual(['firing', 'resolved']);
  });

  it('accept() answers before routing, yet readers, flushes and a stop see the accepted alerts in order', async () => {
    const t0 = h.clock.now();
    expect(h.alerting.accept([{ labels: { alertname: 'F', namespace: 'n', i: '1' } }], 'test')).toEqual({
      accepted: 1,
    });
    // Read at once, before the routing step had its turn: the reader routes what was accepted.
    expect([...h.alerting.alerts()].map((a) => a.labels.i)).toEqual(['1']);
    expect([...h.alerting.groups()].map((g) => g.alerts.size)).toEqual([1]);

    // Accepted, then ingested: routed in that order (the later post of i=2 wins its end time).
    await h.advance(100);
    h.alerting.accept([{ labels: { alertname: 'F', namespace: 'n', i: '2' } }], 'test');
    await post('F', { i: '2' }, h.clock.now());
    const two = [...h.alerting.alerts()].find((a) => a.labels.i === '2')!;
    expect(two.endsAt).toBe(h.clock.now());
    // Each accepted batch keeps the time it arrived at.
    expect([...h.alerting.alerts()].find((a) => a.labels.i === '1')!.updatedAt).toBe(t0);

    // Accepted and never read: routed on the next turn of the event loop and flushed on time.
    h.alerting.accept([{ labels: { alertname: 'G', namespace: 'n' } }], 'test');
    await new Promise((resolve) => setImmediate(resolve));
    await h.advance(1000);
    const sent = (await outbox(store)).filter((r) => r.integrationIndex === 0);
    expect(sent.map((r) => r.notification.groupLabels.alertname).sort()).toEqual(['F', 'G']);

    // Accepted just before a stop: routed and stored, not lost.
    h.alerting.accept([{ labels: { alertname: 'H', namespace: 'n' } }], 'test');
    await h.alerting.stop();
    const stored = await store.db.selectFrom('alerts').select('labels').execute();
    expect(stored.some((r) => r.labels.includes('"H"'))).toBe(true);
    expect(() => h.alerting.accept([{ labels: { alertname: 'I' } }], 'test')).toThrow(/not running/i);
    h = await startAlerting(store, CONFIG); // afterEach stops it again
  });

  it('stores a burst of accepted alerts in slices, every one of them', async () => {
    const burst = Array.from({ length: 250 }, (_, i) => ({
      labels: { alertname: 'Burst', namespace: 'n', i: String(i) },
    }));
    h.alerting.accept(burst.slice(0, 120), 'test');
    h.alerting.accept(burst.slice(120), 'test');
    await h.alerting.idle();
    const rows = await store.db.selectFrom('alerts').select('labels').execute();
    const stored = new Set(rows.map((r) => (JSON.parse(r.labels) as { i: string }).i));
    expect(stored.size).toBe(250);
  });

  it('keeps a receiver without integrations silent while the alert is still listed', async () => {
    await post('E', { team: 'quiet' });
    await h.advance(2000);
    expect(await outbox(store)).toHaveLength(0);
    expect([...h.alerting.groups()].map((g) => g.route.receiver)).toEqual(['quiet']);
  });
});
