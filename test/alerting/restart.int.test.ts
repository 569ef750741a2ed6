// Restart: alerts, groups, timers, silences and the notification log survive a stop; the next
// flush after a start sends exactly what an uninterrupted Alertmanager would have sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/alerting/clock.js';
import type { Store } from '../../src/store/index.js';
import { STORE_TARGETS } from '../support/stores.js';
import { outbox, startAlerting, summary } from './support/harness.js';

const CONFIG = `
global:
  resolve_timeout: 1h
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]
`;

describe.each(STORE_TARGETS)('alerting restart on $name', (target) => {
  let db: Awaited<ReturnType<typeof target.create>>;
  let store: Store;

  beforeAll(async () => {
    db = await target.create();
    store = db.open();
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await db.cleanup();
  });

  it('sends after a restart exactly what an uninterrupted run sends, and nothing twice', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    let h = await startAlerting(store, CONFIG, clock);
    await h.alerting.ingest([{ labels: { alertname: 'Disk', node: 'a' } }], 'test');
    await h.advance(30_000); // first flush at t0 + 30 s
    await h.advance(60_000);
    await h.alerting.ingest([{ labels: { alertname: 'Disk', node: 'b' } }], 'test');
    await h.alerting.ingest([{ labels: { alertname: 'Net', node: 'c' } }], 'test'); // new group, waiting
    await h.advance(10_000);
    await h.alerting.stop(); // down with one group mid-interval and one in group_wait

    clock.advance(5_000);
    h = await startAlerting(store, CONFIG, clock);
    // Net's group_wait ends 30 s after it was created (t0 + 120 s), not 30 s after the restart.
    await h.advance(t0 + 120_000 - clock.now());
    let rows = await outbox(store);
    expect(rows.map((r) => summary(r.notification))).toEqual([
      'hook {}:{alertname="Disk"} firing [Disk/node=a:firing]',
      'hook {}:{alertname="Net"} firing [Net/node=c:firing]',
    ]);
    expect(rows[1]!.createdAt).toBe(t0 + 120_000);

    // Disk's next tick stays aligned to its first flush: t0 + 30 s + 5 min.
    await h.advance(t0 + 330_000 - clock.now());
    rows = await outbox(store);
    expect(rows).toHaveLength(3);
    expect(summary(rows[2]!.notification)).toBe(
      'hook {}:{alertname="Disk"} firing [Disk/node=a:firing Disk/node=b:firing]',
    );
    expect(rows[2]!.createdAt).toBe(t0 + 330_000);
    expect(rows[2]!.notification.notificationReason).toBe('new alerts added');

    // A resolved alert reported before a restart is not reported again after it.
    await h.alerting.ingest([{ labels: { alertname: 'Disk', node: 'a' }, endsAt: clock.now() }], 'test');
    await h.advance(300_000);
    await h.alerting.stop();
    clock.advance(1000);
    h = await startAlerting(store, CONFIG, clock);
    await h.alerting.ingest([{ labels: { alertname: 'Disk', node: 'd' } }], 'test');
    await h.advance(300_000);
    rows = await outbox(store);
    expect(rows.slice(3).map((r) => summary(r.notification))).toEqual([
      'hook {}:{alertname="Disk"} firing [Disk/node=a:resolved Disk/node=b:firing]',
      'hook {}:{alertname="Disk"} firing [Disk/node=b:firing Disk/node=d:firing]',
    ]);

    // Nothing changes for a while: still nothing new, across yet another restart.
    await h.alerting.stop();
    h = await startAlerting(store, CONFIG, clock);
    await h.advance(900_000);
    expect(await outbox(store)).toHaveLength(5);

    // Silences persist too.
    const sid = await h.alerting.putSilence({
      matchers: [{ name: 'alertname', value: 'Disk', isRegex: false, isEqual: true }],
      startsAt: clock.now(),
      endsAt: clock.now() + 3600_000,
      createdBy: 'test',
      comment: 'restart',
    });
    await h.alerting.stop();
    h = await startAlerting(store, CONFIG, clock);
    expect(h.alerting.silence(sid)?.comment).toBe('restart');
    const disk = [...h.alerting.alerts()].find((a) => a.labels.node === 'b')!;
    expect(h.alerting.statusOf(disk, clock.now()).silencedBy).toEqual([sid]);
    await h.alerting.stop();
  });
});
