// Slack delivery through @slack/web-api against a local Web API server: Block Kit messages,
// chat.update in place, a channel per namespace, Retry-After, and incoming webhooks.
import { afterEach, describe, expect, it } from 'vitest';
import { receiverChecks } from '../../src/notify/doctor-checks.js';
import { FakeSlack, type FakeSlackOptions } from '../fakes/slack-server.js';
import { receivers, startHarness, type Harness } from './harness.js';
import { ManualClock, advanceUntil, waitFor } from './manual-clock.js';
import { crashAlert, notification } from './notifications.js';

let fake: FakeSlack | undefined;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  await fake?.close();
  harness = undefined;
  fake = undefined;
});

const CHANNELS = { alerts: 'C0ALERTS', payments: 'C0PAY', web: 'C0WEB' };

async function setupBot(extra: Record<string, unknown> = {}, options: FakeSlackOptions = {}) {
  fake = await FakeSlack.start({ channels: CHANNELS, ...options });
  const config = { bot_token: fake.token, api_url: fake.apiUrl, channel: '#alerts', ...extra };
  harness = await startHarness(receivers([{ name: 'team', slack_configs: [config] }]), {
    clock: new ManualClock(),
  });
  return { fake, harness, config };
}

async function settled(h: Harness): Promise<boolean> {
  return (await h.outbox()).every((r) => r.status !== 'pending');
}

function blockTexts(blocks: Array<Record<string, unknown>>): string {
  return blocks
    .map((b) => {
      const text = (b.text as { text?: string } | undefined)?.text ?? '';
      const elements =
        (b.elements as Array<{ text?: string }> | undefined)?.map((e) => e.text).join(' ') ?? '';
      return `${String(b.type)}: ${text}${elements}`;
    })
    .join('\n');
}

describe('Slack delivery with a bot token', () => {
  it('posts a Block Kit message and updates it in place until resolved', async () => {
    const { fake, harness } = await setupBot({ send_resolved: true });
    const a = crashAlert('api-1', { log_tail: 'boom <x> & y' });
    await harness.enqueue(notification([a]));
    await waitFor(() => fake.messages('alerts').length === 1, 'the message');
    const message = fake.messages('alerts')[0]!;
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 FIRING · ContainerCrashed · prod', emoji: true },
    });
    const text = blockTexts(message.blocks);
    expect(text).toContain('*payments/api-1 · container api*');
    expect(text).toContain('*Last log lines*\n```boom &lt;x&gt; &amp; y```');
    expect(text).toContain('context: Lookout · ops');
    expect(fake.callsOf('chat.postMessage')[0]!.headers.authorization).toBe(`Bearer ${fake.token}`);

    await harness.enqueue(notification([{ ...a, status: 'resolved' }]));
    await advanceUntil(harness.clock, () => fake.messages('alerts')[0]!.updates === 1, {
      what: 'the update',
    });
    expect(fake.messages('alerts')).toHaveLength(1);
    expect(fake.messages('alerts')[0]!.text).toBe('✅ RESOLVED · ContainerCrashed · prod');
    expect(fake.callsOf('chat.update')[0]!.params.channel).toBe('C0ALERTS');
  });

  it('sends each namespace to its own channel, the rest to the default one', async () => {
    const { fake, harness } = await setupBot({ namespace_channels: { payments: '#payments', web: 'C0WEB' } });
    const alerts = [
      crashAlert('pay-1', { namespace: 'payments' }),
      crashAlert('shop-1', { namespace: 'web' }),
      crashAlert('job-1', { namespace: 'batch' }),
    ];
    await harness.enqueue(notification(alerts, { groupKey: '{}:{alertname="ContainerCrashed"}' }));
    await advanceUntil(harness.clock, () => settled(harness), { what: 'three channels' });
    expect(fake.messages('payments').map((m) => blockTexts(m.blocks))).toEqual([
      expect.stringContaining('payments/pay-1'),
    ]);
    expect(fake.messages('web').map((m) => blockTexts(m.blocks))).toEqual([
      expect.stringContaining('web/shop-1'),
    ]);
    expect(fake.messages('alerts').map((m) => blockTexts(m.blocks))).toEqual([
      expect.stringContaining('batch/job-1'),
    ]);
    expect(blockTexts(fake.messages('payments')[0]!.blocks)).not.toContain('shop-1');
  });

  it('does not announce a resolved incident nobody saw fire, by default (send_resolved: false)', async () => {
    const { fake, harness } = await setupBot();
    await harness.enqueue(notification([crashAlert('api-1', {}, 'resolved')]));
    await waitFor(() => settled(harness), 'the row to settle');
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
    await waitFor(
      async () => (await harness.metric('lookout_notifications_skipped_total')) === 1,
      'lookout_notifications_skipped_total = 1',
    );
  });

  it('honours Retry-After on 429', async () => {
    const { fake, harness } = await setupBot();
    fake.rateLimit(20, 1, ['chat.postMessage']);
    await harness.enqueue(notification([crashAlert('api-1')]));
    await waitFor(async () => (await harness.outbox())[0]!.attempts === 1, 'the refused attempt');
    harness.clock.advance(19_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    await advanceUntil(harness.clock, () => fake.messages('alerts').length === 1, { what: 'the retry' });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('retries internal_error and dead-letters channel_not_found', async () => {
    const { fake, harness } = await setupBot({ namespace_channels: { ghost: '#nowhere' } });
    fake.failWith('internal_error', 1, ['chat.postMessage']);
    await harness.enqueue(notification([crashAlert('api-1')]));
    await advanceUntil(harness.clock, () => fake.messages('alerts').length === 1, {
      what: 'the retried post',
    });
    await harness.enqueue(notification([crashAlert('g-1', { namespace: 'ghost' })], { groupKey: 'ghost' }));
    await advanceUntil(harness.clock, () => settled(harness), { what: 'the second row to settle' });
    const rows = await harness.outbox();
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(rows[1]).toMatchObject({ status: 'dead', last_error: 'Slack answered channel_not_found' });
  });

  it('passes lookout doctor with auth.test, and fails it with a bad token', async () => {
    const { fake, config } = await setupBot();
    const [ok] = receiverChecks(receivers([{ name: 'team', slack_configs: [config] }]), { version: 't' });
    expect(await ok!.run()).toEqual({
      ok: true,
      detail: 'bot lookout in workspace Lookout Test (default channel #alerts)',
    });
    const [bad] = receiverChecks(
      receivers([{ name: 'team', slack_configs: [{ ...config, bot_token: 'xoxb-wrong' }] }]),
      {
        version: 't',
      },
    );
    expect(await bad!.run()).toEqual({ ok: false, detail: 'Slack answered invalid_auth' });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
  });
});

describe('Slack delivery through an incoming webhook', () => {
  it('posts every notification as a new message and retries after Retry-After', async () => {
    fake = await FakeSlack.start({
      channels: CHANNELS,
      webhook: { path: '/services/T0/B0/secret', channel: 'alerts' },
    });
    harness = await startHarness(
      receivers([{ name: 'hook', slack_configs: [{ api_url: fake.webhookUrl, send_resolved: true }] }]),
    );
    fake.rateLimit(5, 1, ['webhook']);
    const a = crashAlert('api-1');
    await harness.enqueue(notification([a]));
    await harness.enqueue(notification([{ ...a, status: 'resolved' }]));
    await advanceUntil(harness.clock, () => fake!.messages('alerts').length === 2, {
      what: 'two webhook posts',
    });
    const [first, second] = fake.messages('alerts');
    expect(first!.via).toBe('webhook');
    expect(first!.text).toBe('🔴 FIRING · ContainerCrashed · prod');
    expect(second!.text).toBe('✅ RESOLVED · ContainerCrashed · prod');
    const refused = fake.callsOf('webhook').filter((c) => c.status === 429);
    expect(refused).toHaveLength(1);
  });

  it('checks a webhook for doctor without posting anything', async () => {
    fake = await FakeSlack.start({
      channels: CHANNELS,
      webhook: { path: '/services/T0/B0/secret', channel: 'alerts' },
    });
    const [check] = receiverChecks(
      receivers([{ name: 'hook', slack_configs: [{ api_url: fake.webhookUrl }] }]),
      { version: 't' },
    );
    expect(await check!.run()).toEqual({ ok: true, detail: 'incoming webhook is live' });
    expect(fake.allMessages).toHaveLength(0);
  });
});
