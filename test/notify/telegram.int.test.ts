// Telegram delivery through grammY against a local Bot API server: escaping, splitting,
// edit-in-place, topics, retry_after, error classification and flood limits.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram, type FakeTelegramOptions } from '../fakes/telegram-server.js';
import { ManualClock, advanceUntil, waitFor } from './manual-clock.js';
import { receivers, startHarness, type Harness } from './harness.js';
import { crashAlert, notification } from './notifications.js';

const CHAT = -1001234567890;
let fake: FakeTelegram | undefined;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  await fake?.close();
  harness = undefined;
  fake = undefined;
});

async function setup(extra: Record<string, unknown> = {}, fakeOptions: FakeTelegramOptions = {}) {
  const clock = new ManualClock();
  fake = await FakeTelegram.start({ now: () => clock.now(), ...fakeOptions });
  harness = await startHarness(
    receivers([
      {
        name: 'ops',
        telegram_configs: [{ bot_token: fake.token, chat_id: CHAT, api_url: fake.url, ...extra }],
      },
    ]),
    { clock },
  );
  return { fake, harness };
}

async function outboxSettled(h: Harness): Promise<boolean> {
  return (await h.outbox()).every((r) => r.status !== 'pending');
}

describe('Telegram delivery', () => {
  it('delivers a crash with escaped hostile labels and logs that Telegram parses', async () => {
    const { fake, harness } = await setup();
    const hostile = crashAlert('api-<script>', { log_tail: 'panic: <nil> & "x"\n</pre><b>not bold' });
    await harness.enqueue(notification([hostile]));
    await waitFor(() => fake.visible(CHAT).length === 1, 'the message');
    const message = fake.visible(CHAT)[0]!;
    expect(message.text).toContain('payments/api-<script> · container api');
    expect(message.text).toContain('panic: <nil> & "x"\n</pre><b>not bold');
    expect(message.entities.some((e) => e.type === 'pre')).toBe(true);
    expect(message.entities.some((e) => e.type === 'bold')).toBe(true);
    expect(message.parse_mode).toBe('HTML');
    await waitFor(() => outboxSettled(harness), 'the row to settle');
    expect((await harness.outbox())[0]!.status).toBe('sent');
    await waitFor(
      async () => (await harness.metric('lookout_notifications_sent_total')) === 1,
      'lookout_notifications_sent_total = 1',
    );
  });

  it('keeps one message per incident: edited as alerts join and resolve, then a new one', async () => {
    const { fake, harness } = await setup();
    const a = crashAlert('api-1');
    const b = crashAlert('api-2');
    const steps = [
      notification([a]),
      notification([a, b]),
      notification([{ ...a, status: 'resolved', endsAt: '2026-01-01T12:03:00Z' }, b]),
      notification([{ ...b, status: 'resolved', endsAt: '2026-01-01T12:04:00Z' }]),
    ];
    for (const [i, step] of steps.entries()) {
      await harness.enqueue(step);
      await advanceUntil(
        harness.clock,
        async () => (await harness.outbox()).filter((r) => r.status === 'sent').length === i + 1,
        {
          what: `step ${i}`,
        },
      );
    }
    const messages = fake.visible(CHAT);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.edits).toBe(3);
    expect(messages[0]!.text.startsWith('✅ RESOLVED · ContainerCrashed ×2 · prod')).toBe(true);
    expect(messages[0]!.text).toContain('payments/api-1');
    expect(fake.callsOf('sendMessage')).toHaveLength(1);
    expect(fake.callsOf('editMessageText')).toHaveLength(3);

    // The group fires again later: a new incident, a new message.
    await harness.enqueue(notification([crashAlert('api-3')]));
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length === 2, {
      what: 'the second incident',
    });
    expect(fake.visible(CHAT)[1]!.text.startsWith('🔴 FIRING')).toBe(true);
  });

  it('splits a long message under 4,096 characters and drops parts an edit no longer needs', async () => {
    const { fake, harness } = await setup();
    const log = Array.from({ length: 40 }, (_, i) => `${'x'.repeat(60)} line ${i}`).join('\n');
    const alerts = Array.from({ length: 3 }, (_, i) => crashAlert(`api-${i}`, { log_tail: log }));
    const extra = Array.from({ length: 20 }, (_, i) => crashAlert(`worker-${i}`));
    await harness.enqueue(notification([...alerts, ...extra]));
    await advanceUntil(harness.clock, () => outboxSettled(harness), { what: 'the first send' });
    const parts = fake.visible(CHAT);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(4096);
    expect(parts.some((p) => p.entities.some((e) => e.type === 'pre'))).toBe(true);

    // Everything resolves into one short list: the first part is edited, the rest deleted.
    const resolved = [...alerts, ...extra].map((a) => ({
      ...a,
      status: 'resolved' as const,
      annotations: {},
      endsAt: '2026-01-01T12:10:00Z',
    }));
    await harness.enqueue(notification(resolved));
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length < parts.length, {
      what: 'parts to be deleted',
    });
    await waitFor(() => outboxSettled(harness), 'the edit');
    const after = fake.visible(CHAT);
    expect(after.length).toBeLessThan(parts.length);
    expect(after[0]!.text.startsWith('✅ RESOLVED')).toBe(true);
  });

  it('honours retry_after on 429 and sends once when the wait is over', async () => {
    const { fake, harness } = await setup();
    fake.rateLimit(30, 1, ['sendMessage']);
    await harness.enqueue(notification([crashAlert('api-1')]));
    await waitFor(async () => (await harness.outbox())[0]!.attempts === 1, 'the first attempt');
    const first = await harness.outbox();
    expect(first[0]!.status).toBe('pending');
    expect(first[0]!.last_error).toContain('429');
    harness.clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.callsOf('sendMessage')).toHaveLength(1);
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length === 1, { what: 'the retry' });
    expect(fake.callsOf('sendMessage')).toHaveLength(2);
    const [refused, retry] = fake.callsOf('sendMessage');
    expect(retry!.at - refused!.at).toBeGreaterThanOrEqual(30_000);
    await waitFor(
      async () => (await harness.metric('lookout_notifications_rate_limited_total')) === 1,
      'lookout_notifications_rate_limited_total = 1',
    );
  });

  it('posts into a forum topic, silently when asked', async () => {
    const { fake, harness } = await setup({ message_thread_id: 42, disable_notifications: true });
    await harness.enqueue(notification([crashAlert('api-1')]));
    await waitFor(() => fake.visible(CHAT).length === 1, 'the message');
    expect(fake.visible(CHAT)[0]).toMatchObject({ message_thread_id: 42, disable_notification: true });
  });

  it('sends a new message when the incident message was deleted', async () => {
    const { fake, harness } = await setup();
    await harness.enqueue(notification([crashAlert('api-1')]));
    await waitFor(() => fake.visible(CHAT).length === 1, 'the first message');
    fake.visible(CHAT)[0]!.deleted = true;
    await harness.enqueue(notification([crashAlert('api-1'), crashAlert('api-2')]));
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length === 1, { what: 'a replacement' });
    expect(fake.visible(CHAT)[0]!.text).toContain('api-2');
    expect(fake.callsOf('editMessageText')[0]!.status).toBe(400);
  });

  it('dead-letters what Telegram will never accept, and keeps the token out of the error', async () => {
    const { fake, harness } = await setup({}, { chats: [111] });
    await harness.enqueue(notification([crashAlert('api-1')]));
    await waitFor(() => outboxSettled(harness), 'the row to settle');
    const [row] = await harness.outbox();
    expect(row!.status).toBe('dead');
    expect(row!.last_error).toBe('Telegram answered 400: Bad Request: chat not found');
    expect(row!.last_error).not.toContain(fake.token);
    await waitFor(
      async () => (await harness.metric('lookout_notifications_dead_total')) === 1,
      'lookout_notifications_dead_total = 1',
    );
  });

  it('retries 5xx and network failures until Telegram answers', async () => {
    const { fake, harness } = await setup();
    fake.fail(2, { status: 500, description: 'Internal Server Error' }, ['sendMessage']);
    await harness.enqueue(notification([crashAlert('api-1')]));
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length === 1, { what: 'delivery after 5xx' });
    fake.setDown('502');
    await harness.enqueue(notification([crashAlert('api-9')], { groupKey: 'other' }));
    await advanceUntil(harness.clock, async () => (await harness.outbox())[1]!.attempts >= 1, {
      what: 'an attempt during the outage',
    });
    fake.setDown(false);
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length === 2, {
      what: 'delivery after the outage',
    });
    await waitFor(() => outboxSettled(harness), 'both rows to settle');
    expect((await harness.outbox()).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('falls back to plain text when a custom template produces markup Telegram refuses', async () => {
    const { fake, harness } = await setup({
      message: '<blink>{{ status }}</blink> {{ commonLabels.namespace }}',
    });
    await harness.enqueue(notification([crashAlert('api-1')]));
    await waitFor(() => fake.visible(CHAT).length === 1, 'the fallback message');
    expect(fake.visible(CHAT)[0]).toMatchObject({ text: 'firing payments', parse_mode: undefined });
    expect(fake.callsOf('sendMessage')[0]!.status).toBe(400);
  });

  it('spaces messages to one chat one second apart, across groups', async () => {
    const { fake, harness } = await setup({}, { floodLimits: true });
    for (let i = 0; i < 4; i++)
      await harness.enqueue(notification([crashAlert(`p${i}`)], { groupKey: `g${i}` }));
    await advanceUntil(harness.clock, () => fake.visible(CHAT).length === 4, {
      stepMs: 250,
      sleepers: 2,
      what: 'four messages',
    });
    const times = fake.callsOf('sendMessage').map((c) => c.at);
    // The fake enforces Telegram's flood limit on the same clock: no call was refused.
    expect(fake.callsOf('sendMessage').every((c) => c.status === 200)).toBe(true);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
  });
});
