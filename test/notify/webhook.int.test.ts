// Webhook delivery: Alertmanager's v4 body exactly, Idempotency-Key, auth, max_alerts, the
// retry policy (5xx and network retried, 4xx not), and a re-send after an interrupted send.
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookRecorder } from '../fakes/webhook-recorder.js';
import { receivers, startHarness, type Harness } from './harness.js';
import { advanceUntil } from './manual-clock.js';
import { alert, crashAlert, notification } from './notifications.js';

let recorder: WebhookRecorder | undefined;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  await recorder?.close();
  harness = undefined;
  recorder = undefined;
});

async function setup(extra: Record<string, unknown> = {}, dispatcher: Record<string, unknown> = {}) {
  recorder = await WebhookRecorder.start();
  harness = await startHarness(
    receivers([{ name: 'hook', webhook_configs: [{ url: `${recorder.url}/hook`, ...extra }] }]),
    {
      dispatcher,
    },
  );
  return { recorder, harness };
}

async function settled(h: Harness): Promise<boolean> {
  return (await h.outbox()).every((r) => r.status !== 'pending');
}

describe('webhook delivery', () => {
  it("sends Alertmanager's version-4 body, field for field, with Lookout's headers", async () => {
    const { recorder, harness } = await setup();
    const a = alert(
      { alertname: 'ContainerWaitingCrashLoop', namespace: 'payments', pod: 'api-2', severity: 'critical' },
      { summary: 'payments/api-2 in CrashLoopBackOff' },
    );
    const n = notification([a], {
      groupKey: '{}:{alertname="ContainerWaitingCrashLoop", namespace="payments"}',
      receiver: 'hook',
      groupLabels: { alertname: 'ContainerWaitingCrashLoop', namespace: 'payments' },
    });
    await harness.enqueue(n, { key: 'key-123' });
    await recorder.waitForRequests(1);
    const request = recorder.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hook');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('Lookout/0.1.0-test');
    expect(request.headers['idempotency-key']).toBe('key-123');
    expect(Object.keys(request.body as object)).toEqual([
      'receiver',
      'status',
      'alerts',
      'groupLabels',
      'commonLabels',
      'commonAnnotations',
      'externalURL',
      'version',
      'groupKey',
      'truncatedAlerts',
    ]);
    expect(request.body).toEqual({
      receiver: 'hook',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: a.fingerprint,
        },
      ],
      groupLabels: { alertname: 'ContainerWaitingCrashLoop', namespace: 'payments' },
      commonLabels: a.labels,
      commonAnnotations: a.annotations,
      externalURL: 'http://lookout.example:8080',
      version: '4',
      groupKey: '{}:{alertname="ContainerWaitingCrashLoop", namespace="payments"}',
      truncatedAlerts: 0,
    });
    expect(Object.keys((request.body as { alerts: object[] }).alerts[0]!)).toEqual([
      'status',
      'labels',
      'annotations',
      'startsAt',
      'endsAt',
      'generatorURL',
      'fingerprint',
    ]);
  });

  it('truncates to max_alerts and counts the rest in truncatedAlerts', async () => {
    const { recorder, harness } = await setup({ max_alerts: 2 });
    await harness.enqueue(notification([crashAlert('a'), crashAlert('b'), crashAlert('c')]));
    await recorder.waitForRequests(1);
    const body = recorder.requests[0]!.body as { alerts: unknown[]; truncatedAlerts: number };
    expect(body.alerts).toHaveLength(2);
    expect(body.truncatedAlerts).toBe(1);
  });

  it('authenticates with basic auth or a bearer token', async () => {
    const { recorder, harness } = await setup({
      http_config: { basic_auth: { username: 'lookout', password: 's3cret' } },
    });
    await harness.enqueue(notification([crashAlert('a')]));
    await recorder.waitForRequests(1);
    expect(recorder.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('lookout:s3cret').toString('base64')}`,
    );
    await harness.close();
    await recorder.close();
    const second = await setup({ http_config: { authorization: { credentials: 'tok-123' } } });
    await second.harness.enqueue(notification([crashAlert('a')]));
    await second.recorder.waitForRequests(1);
    expect(second.recorder.requests[0]!.headers.authorization).toBe('Bearer tok-123');
  });

  it('retries 5xx and network errors, and dead-letters 4xx as Alertmanager does', async () => {
    const { recorder, harness } = await setup();
    recorder.answerNext({ status: 503, body: 'busy' }, 2);
    await harness.enqueue(notification([crashAlert('a')], { groupKey: 'g1' }));
    await advanceUntil(harness.clock, () => recorder.accepted.length === 1, {
      what: 'delivery after two 503s',
    });
    recorder.answer('/hook', { status: 400, body: 'bad payload' });
    await harness.enqueue(notification([crashAlert('b')], { groupKey: 'g2' }));
    await advanceUntil(harness.clock, () => settled(harness), { what: 'the 400 row to settle' });
    const rows = await harness.outbox();
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(rows[1]!.status).toBe('dead');
    expect(rows[1]!.last_error).toMatch(
      /^webhook http:\/\/127\.0\.0\.1:\d+\/hook answered 400: bad payload$/,
    );
    expect(recorder.requests.filter((r) => r.status === 400)).toHaveLength(1);
  });

  it('leaves resolved alerts out with send_resolved: false', async () => {
    const { recorder, harness } = await setup({ send_resolved: false });
    await harness.enqueue(notification([crashAlert('a', {}, 'resolved'), crashAlert('b')]), { key: 'k1' });
    await harness.enqueue(notification([crashAlert('b', {}, 'resolved')]), { key: 'k2' });
    await advanceUntil(harness.clock, () => settled(harness), { what: 'both rows' });
    expect(recorder.requests).toHaveLength(1);
    const body = recorder.requests[0]!.body as { alerts: Array<{ labels: { pod: string } }> };
    expect(body.alerts.map((a) => a.labels.pod)).toEqual(['b']);
  });

  it('re-sends an interrupted delivery with the same Idempotency-Key, and settles it once', async () => {
    const { recorder, harness } = await setup({}, { claimLeaseMs: 30_000 });
    // The receiver takes the request but Lookout stops before the answer: like kill -9 mid-send.
    recorder.answerNext({ status: 200, delayMs: 2000 });
    await harness.enqueue(notification([crashAlert('a')]), { key: 'once-key' });
    await recorder.waitForRequests(1);
    await harness.restart();
    await advanceUntil(harness.clock, () => settled(harness), { what: 'the re-send' });
    expect(recorder.requests.map((r) => r.headers['idempotency-key'])).toEqual(['once-key', 'once-key']);
    expect(new Set(recorder.accepted.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect((await harness.outbox())[0]).toMatchObject({ status: 'sent' });
  });

  it('passes doctor when the URL answers, fails when nothing listens', async () => {
    const { recorder } = await setup();
    const { receiverChecks } = await import('../../src/notify/doctor-checks.js');
    const [ok] = receiverChecks(
      receivers([{ name: 'hook', webhook_configs: [{ url: `${recorder.url}/hook` }] }]),
      { version: 't' },
    );
    expect((await ok!.run()).ok).toBe(true);
    expect(recorder.requests[0]!.method).toBe('HEAD');
    const [down] = receiverChecks(
      receivers([{ name: 'hook', webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }] }]),
      { version: 't' },
    );
    const result = await down!.run();
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('could not be reached');
  });
});
