// The outbox dispatcher on SQLite and PostgreSQL: a ten-minute receiver outage with
// notifications still coming, a restart in the middle of it, dead letters and their resend,
// claims held by a dispatcher that died, and bad rows that must not stop the queue.
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.js';
import { deadLetterRoutes } from '../../src/notify/dead-letter-routes.js';
import { claimRows, listDeadLetters, resendDeadLetter } from '../../src/store/repos/outbox-repo.js';
import { FakeTelegram } from '../fakes/telegram-server.js';
import { WebhookRecorder } from '../fakes/webhook-recorder.js';
import { STORE_TARGETS } from '../support/stores.js';
import { receivers, startHarness, type Harness } from './harness.js';
import { ManualClock, advanceUntil, tick, waitFor } from './manual-clock.js';
import { crashAlert, notification } from './notifications.js';

const MINUTE = 60_000;

describe.each(STORE_TARGETS)('dispatcher on $name', (target) => {
  let recorder: WebhookRecorder | undefined;
  let telegram: FakeTelegram | undefined;
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    await recorder?.close();
    await telegram?.close();
    harness = undefined;
    recorder = undefined;
    telegram = undefined;
  });

  async function webhookHarness(
    extra: Record<string, unknown> = {},
    dispatcher: Record<string, unknown> = {},
  ) {
    recorder = await WebhookRecorder.start();
    harness = await startHarness(
      receivers([{ name: 'hook', webhook_configs: [{ url: `${recorder.url}/hook` }], ...extra }]),
      { target, dispatcher },
    );
    return { recorder, harness };
  }

  function seqOf(body: unknown): { group: string; seq: number } {
    const b = body as { groupKey: string; alerts: Array<{ annotations: { seq: string } }> };
    return { group: b.groupKey, seq: Number(b.alerts[0]!.annotations.seq) };
  }

  /** Enqueues `count` notifications round-robin over `groups`, one every `everyMs` of clock time. */
  async function trickle(
    h: Harness,
    count: number,
    groups: number,
    everyMs: number,
    from = 0,
  ): Promise<void> {
    for (let i = from; i < from + count; i++) {
      const a = crashAlert(`pod-${i % groups}`);
      await h.enqueue(
        notification([{ ...a, annotations: { ...a.annotations, seq: String(i) } }], {
          groupKey: `group-${i % groups}`,
        }),
        { key: `seq-${i}` },
      );
      h.clock.advance(everyMs);
      await tick(1);
    }
  }

  function assertOncePerKeyInOrder(r: WebhookRecorder, total: number): void {
    const accepted = r.accepted;
    const keys = accepted.map((req) => req.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(total);
    expect(keys).toHaveLength(total);
    const lastSeq = new Map<string, number>();
    for (const req of accepted) {
      const { group, seq } = seqOf(req.body);
      expect(seq).toBeGreaterThan(lastSeq.get(group) ?? -1);
      lastSeq.set(group, seq);
    }
  }

  it('delivers every notification once, in order per group, after a ten-minute outage', async () => {
    const { recorder, harness } = await webhookHarness();
    recorder.setDown(true);
    await trickle(harness, 60, 3, 10_000);
    expect(harness.clock.now() - new ManualClock().now()).toBe(10 * MINUTE);
    const probes = (await harness.outbox()).reduce((sum, r) => sum + r.attempts, 0);
    const pending = await harness.metric('lookout_notification_queue_depth');
    expect(pending).toBe(60);
    recorder.setDown(false);
    await advanceUntil(
      harness.clock,
      async () => (await harness.outbox()).every((r) => r.status === 'sent'),
      {
        what: 'the queue to drain',
      },
    );
    assertOncePerKeyInOrder(recorder, 60);
    // While down, the worker probed with backoff (capped at a minute) instead of trying every
    // group's head on its own schedule: about one attempt per backoff period in ten minutes.
    expect(probes).toBeGreaterThan(5);
    expect(probes).toBeLessThan(30);
    await waitFor(
      async () => (await harness.metric('lookout_notifications_sent_total')) === 60,
      'lookout_notifications_sent_total = 60',
    );
  });

  it('loses nothing when the dispatcher restarts in the middle of the outage', async () => {
    const { recorder, harness } = await webhookHarness();
    recorder.setDown(true);
    await trickle(harness, 30, 3, 10_000);
    await harness.restart();
    await trickle(harness, 30, 3, 10_000, 30);
    recorder.setDown(false);
    await advanceUntil(
      harness.clock,
      async () => (await harness.outbox()).every((r) => r.status === 'sent'),
      {
        what: 'the queue to drain',
      },
    );
    assertOncePerKeyInOrder(recorder, 60);
  });

  it('sends rows written while it was stopped once it starts', async () => {
    const { recorder, harness } = await webhookHarness();
    await harness.delivery.stop();
    await trickle(harness, 6, 2, 1000);
    expect(recorder.requests).toHaveLength(0);
    await harness.delivery.start();
    await waitFor(
      async () => (await harness.outbox()).every((r) => r.status === 'sent'),
      'rows from before the start',
    );
    assertOncePerKeyInOrder(recorder, 6);
  });

  it('merges an outage into one edited Telegram message per incident', async () => {
    const clock = new ManualClock();
    telegram = await FakeTelegram.start({ now: () => clock.now() });
    harness = await startHarness(
      receivers([
        { name: 'ops', telegram_configs: [{ bot_token: telegram.token, chat_id: 5, api_url: telegram.url }] },
      ]),
      { target, clock },
    );
    telegram.setDown('reset');
    const alerts = Array.from({ length: 5 }, (_, i) => crashAlert(`api-${i}`));
    for (let i = 1; i <= 5; i++) {
      await harness.enqueue(notification(alerts.slice(0, i)));
      clock.advance(MINUTE);
      await tick(2);
    }
    await harness.enqueue(notification(alerts.map((a) => ({ ...a, status: 'resolved' as const }))));
    telegram.setDown(false);
    await advanceUntil(clock, async () => (await harness!.outbox()).every((r) => r.status === 'sent'), {
      what: 'the merge',
    });
    const messages = telegram.visible(5);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text.startsWith('✅ RESOLVED · ContainerCrashed ×5')).toBe(true);
    for (let i = 0; i < 5; i++) expect(messages[0]!.text).toContain(`payments/api-${i}`);
    // All six rows went out in one send.
    expect(telegram.callsOf('sendMessage').filter((c) => c.status === 200)).toHaveLength(1);
  });

  it('dead-letters after dead_letter_after, lists them, and resends on request', async () => {
    const { recorder, harness } = await webhookHarness({ dead_letter_after: '30m' });
    recorder.setDown(true);
    await harness.enqueue(notification([crashAlert('a')], { groupKey: 'g' }), { key: 'doomed' });
    await advanceUntil(harness.clock, async () => (await harness.outbox())[0]!.status === 'dead', {
      stepMs: 30_000,
      what: 'the dead letter',
    });
    const [dead] = await listDeadLetters(harness.store.db);
    expect(dead).toMatchObject({
      idempotencyKey: 'doomed',
      receiver: 'hook',
      integration: 'webhook',
      status: 'firing',
      alerts: 1,
    });
    expect(dead!.lastError).toMatch(/could not be reached.*gave up/);
    expect(harness.clock.now() - dead!.createdAt).toBeGreaterThanOrEqual(30 * MINUTE);
    await waitFor(
      async () => (await harness.metric('lookout_notifications_dead_total')) === 1,
      'lookout_notifications_dead_total = 1',
    );

    // The HTTP API lists it and puts it back; the receiver is up again.
    const app = new Hono();
    deadLetterRoutes({
      db: harness.store.db,
      now: () => harness.clock.now(),
      wake: () => harness.delivery.wake(),
    })(app);
    app.onError((e, c) =>
      e instanceof ApiError
        ? c.json({ error: { code: e.code, message: e.message } }, e.status)
        : c.text('x', 500),
    );
    const listed = (await (await app.request('/api/v1/notifications/dead?receiver=hook')).json()) as {
      dead_letters: Array<{ id: number; last_error: string }>;
    };
    expect(listed.dead_letters.map((d) => d.id)).toEqual([dead!.id]);
    recorder.setDown(false);
    const resend = await app.request(`/api/v1/notifications/${dead!.id}/resend`, { method: 'POST' });
    expect(resend.status).toBe(200);
    await waitFor(() => recorder.accepted.length === 1, 'the resent notification');
    expect(recorder.accepted[0]!.headers['idempotency-key']).toBe('doomed');
    await waitFor(async () => (await harness.outbox())[0]!.status === 'sent', 'the row to be sent');
    const again = await app.request(`/api/v1/notifications/${dead!.id}/resend`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await app.request('/api/v1/notifications/999999/resend', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/api/v1/notifications/abc/resend', { method: 'POST' })).status).toBe(400);
    expect(await resendDeadLetter(harness.store.db, dead!.id, harness.clock.now())).toBe(false);
  });

  it('dead-letters an unreadable row and goes on with the rest of its group', async () => {
    const { recorder, harness } = await webhookHarness();
    await harness.delivery.stop();
    await harness.enqueue(notification([crashAlert('a')], { groupKey: 'g' }), { key: 'bad' });
    await harness.store.db
      .updateTable('notification_outbox')
      .set({ payload: '{not json' })
      .where('idempotency_key', '=', 'bad')
      .execute();
    await harness.enqueue(notification([crashAlert('b')], { groupKey: 'g' }), { key: 'good' });
    await harness.delivery.start();
    await waitFor(async () => (await harness.outbox()).every((r) => r.status !== 'pending'), 'both rows');
    const rows = await harness.outbox();
    expect(rows[0]).toMatchObject({ status: 'dead' });
    expect(rows[0]!.last_error).toMatch(/^unreadable payload/);
    expect(rows[1]).toMatchObject({ status: 'sent' });
    expect(recorder.accepted.map((r) => r.headers['idempotency-key'])).toEqual(['good']);
  });

  it('waits for the claim of a dispatcher that died, then sends, keeping the group in order', async () => {
    const { recorder, harness } = await webhookHarness({}, { claimLeaseMs: 60_000 });
    await harness.delivery.stop();
    await harness.enqueue(notification([crashAlert('a')], { groupKey: 'g' }), { key: 'first' });
    await harness.enqueue(notification([crashAlert('b')], { groupKey: 'g' }), { key: 'second' });
    const [first] = await harness.outbox();
    // A dispatcher claimed the head and was killed (-9) before settling it.
    expect(
      await claimRows(
        harness.store.db,
        [first!.id],
        'killed',
        harness.clock.now() + 60_000,
        harness.clock.now(),
      ),
    ).toEqual([first!.id]);
    await harness.delivery.start();
    await tick(100);
    expect(recorder.requests).toHaveLength(0);
    await advanceUntil(harness.clock, () => recorder.accepted.length === 2, {
      stepMs: 5000,
      what: 'both after the lease',
    });
    expect(recorder.accepted.map((r) => r.headers['idempotency-key'])).toEqual(['first', 'second']);
  });

  it('dead-letters rows of a receiver that is no longer configured', async () => {
    const { harness } = await webhookHarness();
    await harness.delivery.stop();
    await harness.enqueue(notification([crashAlert('a')]), { receiver: 'removed', integration: 'webhook' });
    await harness.delivery.start();
    const [dead] = await listDeadLetters(harness.store.db, { receiver: 'removed' });
    expect(dead!.lastError).toBe('receiver "removed" has no webhook_configs[0] in the configuration');
  });
});
