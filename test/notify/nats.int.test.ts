// NATS JetStream delivery against the machine's real server on 127.0.0.1:4222: the subject
// template, the stream Lookout ensures, and JetStream dropping a re-publish with the same id.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NatsNotifier } from '../../src/notify/nats-notifier.js';
import { receiverChecks } from '../../src/notify/doctor-checks.js';
import type { DeliveryAttempt } from '../../src/notify/notifier.js';
import { receivers, startHarness, type Harness } from './harness.js';
import { waitFor } from './manual-clock.js';
import { crashAlert, notification } from './notifications.js';

const NATS_URL = 'nats://127.0.0.1:4222';
let nc: NatsConnection;
const streams: string[] = [];
let harness: Harness | undefined;

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

afterAll(async () => {
  const jsm = await nc.jetstreamManager();
  for (const name of streams) await jsm.streams.delete(name).catch(() => undefined);
  await nc.close();
});

function unique(): { stream: string; prefix: string } {
  const id = randomBytes(4).toString('hex');
  const stream = `LOOKOUT_TEST_${id}`;
  streams.push(stream);
  return { stream, prefix: `lookout-test-${id}` };
}

function attempt(n: ReturnType<typeof notification>, key: string): DeliveryAttempt {
  return {
    rows: [{ id: 1, notification: n }],
    idempotencyKey: key,
    previousRef: undefined,
    signal: new AbortController().signal,
    saveProgress: () => Promise.resolve(),
    throttle: () => Promise.resolve(),
    rateLimited: () => undefined,
  };
}

describe('NATS JetStream delivery', () => {
  it('creates the stream and publishes to the templated subject through the dispatcher', async () => {
    const { stream, prefix } = unique();
    harness = await startHarness(
      receivers([
        {
          name: 'events',
          nats_configs: [
            { url: NATS_URL, subject: `${prefix}.{cluster}.{namespace}`, stream: { name: stream } },
          ],
        },
      ]),
    );
    await harness.enqueue(notification([crashAlert('api-1')]), { key: 'nats-key-1' });
    await waitFor(async () => (await harness!.outbox())[0]!.status === 'sent', 'the publish');
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.*.*`]);
    expect(info.state.messages).toBe(1);
    const message = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(message.subject).toBe(`${prefix}.prod.payments`);
    expect(message.header.get('Nats-Msg-Id')).toBe('nats-key-1');
    const body = message.json<{ version: string; alerts: Array<{ labels: { pod: string } }> }>();
    expect(body.version).toBe('4');
    expect(body.alerts[0]!.labels.pod).toBe('api-1');
  });

  it('lets JetStream drop a re-publish of the same notification (same Nats-Msg-Id)', async () => {
    const { stream, prefix } = unique();
    const [config] = receivers([
      {
        name: 'e',
        nats_configs: [{ url: NATS_URL, subject: `${prefix}.{namespace}`, stream: { name: stream } }],
      },
    ])[0]!.nats_configs;
    const notifier = new NatsNotifier({ config: config!, version: 't' });
    try {
      const n = notification([crashAlert('api-1')]);
      await notifier.send(attempt(n, 'same-id'));
      await notifier.send(attempt(n, 'same-id'));
      await notifier.send(attempt(n, 'other-id'));
      const info = await (await nc.jetstreamManager()).streams.info(stream);
      expect(info.state.messages).toBe(2);
    } finally {
      await notifier.close();
    }
  });

  it('fills a label the group lacks with "_" and keeps tokens free of dots and wildcards', async () => {
    const { stream, prefix } = unique();
    const [config] = receivers([
      {
        name: 'e',
        nats_configs: [
          { url: NATS_URL, subject: `${prefix}.{cluster}.{namespace}`, stream: { name: stream } },
        ],
      },
    ])[0]!.nats_configs;
    const notifier = new NatsNotifier({ config: config!, version: 't' });
    try {
      const n = notification([
        crashAlert('a', { namespace: 'a.b*c' }),
        crashAlert('b', { namespace: 'other' }),
      ]);
      expect(notifier.subjectFor({ ...n, groupLabels: {}, commonLabels: { cluster: 'prod' } })).toBe(
        `${prefix}.prod._`,
      );
      expect(notifier.subjectFor({ ...n, commonLabels: { cluster: 'p.1', namespace: 'a.b*c >' } })).toBe(
        `${prefix}.p_1.a_b_c__`,
      );
    } finally {
      await notifier.close();
    }
  });

  it('reports no stream as retryable, and passes doctor with a live server', async () => {
    const { prefix } = unique();
    const [config] = receivers([
      { name: 'e', nats_configs: [{ url: NATS_URL, subject: `${prefix}.nowhere` }] },
    ])[0]!.nats_configs;
    const notifier = new NatsNotifier({ config: config!, version: 't' });
    try {
      await expect(notifier.send(attempt(notification([crashAlert('a')]), 'k'))).rejects.toMatchObject({
        retryable: true,
        message: expect.stringContaining('no stream captures the subject'),
      });
    } finally {
      await notifier.close();
    }
    const [check] = receiverChecks(receivers([{ name: 'e', nats_configs: [{ url: NATS_URL }] }]), {
      version: 't',
    });
    const result = await check!.run();
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(/^connected to .*JetStream on/);
    const [down] = receiverChecks(
      receivers([{ name: 'e', nats_configs: [{ url: 'nats://127.0.0.1:9', timeout: '1s' }] }]),
      {
        version: 't',
      },
    );
    expect((await down!.run()).ok).toBe(false);
  });
});
