// Alert messages carry Silence/Acknowledge/Show logs buttons; pressing one checks the presser's
// namespace, asks to confirm what changes anything, acts (real silences, visible in the
// Alertmanager API), edits the message to say who did what, and is audited. Mutating commands
// (/deletepod, /restart, /scale) follow the same rules against the simulated cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/telegram-server.js';
import { runningPod } from '../support/sim-api.js';
import {
  ADMIN,
  BOB,
  GROUP,
  removeTempDirs,
  startChat,
  until,
  type ChatHarness,
  type Person,
} from './harness.js';

const CAROL: Person = { id: 4001, first_name: 'Carol', username: 'carol' };
let h: ChatHarness;

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const buttonsOf = (m: FakeMessage): Array<{ text: string; callback_data: string }> =>
  (m.reply_markup as Keyboard | undefined)?.inline_keyboard.flat() ?? [];

beforeAll(async () => {
  h = await startChat({
    extraConfig: [
      'alerting:',
      '  route: { receiver: team, group_wait: 0s, group_by: [alertname, namespace] }',
      '  receivers:',
      '    - name: team',
      '      telegram_configs: [ { bot_token: "FAKE_TOKEN", api_url: "FAKE_URL", chat_id: ' +
        String(GROUP) +
        ' } ]',
    ].join('\n'),
  });
  h.api.store.create('pods', runningPod('web-1', 'shop'));
  h.api.store.create('pods', runningPod('web-2', 'shop'));
  h.api.store.create('apps/deployments', {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'registry.local/web:1' }] },
      },
    },
  });
  await until(
    'objects watched',
    () =>
      h.lookout.state('sim')?.pod('shop', 'web-2') && h.lookout.state('sim')?.workloads('Deployment').length,
  );
  for (const [who, ns] of [
    [BOB, 'shop'],
    [CAROL, 'ops'],
  ] as const) {
    await h.say(who, '/register');
    await h.say(ADMIN, `/approve ${who.id} ${ns}`);
  }
}, 60_000);
afterAll(async () => {
  await h.close();
  removeTempDirs();
});

async function alertMessage(alertname: string): Promise<FakeMessage> {
  return until(`the ${alertname} message`, () =>
    h.fake.visible(GROUP).find((m) => m.text.includes(alertname) && buttonsOf(m).length > 0),
  );
}

describe('alert buttons', () => {
  it('carries Silence 1h, Silence 24h, Acknowledge and Show logs on firing alert messages', async () => {
    await h.lookout.alerting.ingest(
      [
        {
          labels: {
            alertname: 'CrashLooping',
            namespace: 'shop',
            pod: 'web-1',
            container: 'app',
            cluster: 'sim',
          },
        },
      ],
      'test',
    );
    const message = await alertMessage('CrashLooping');
    expect(buttonsOf(message).map((b) => b.text)).toEqual([
      '🔕 Silence 1h',
      '🔕 Silence 24h',
      '✅ Acknowledge',
      '📜 Show logs',
    ]);
    for (const b of buttonsOf(message)) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  });

  it('refuses a member without the namespace, then silences for one with it after confirmation', async () => {
    const message = await alertMessage('CrashLooping');
    const silence = buttonsOf(message).find((b) => b.text === '🔕 Silence 1h')!;
    const refused = await h.press(CAROL, GROUP, message.message_id, silence.callback_data);
    expect(refused).toMatchObject({ action: 'alert.silence', result: 'denied', userId: CAROL.id });
    expect(h.fake.callbackAnswers().at(-1)).toEqual({
      text: 'You have no access to namespace "shop".',
      showAlert: true,
    });

    const asked = await h.press(BOB, GROUP, message.message_id, silence.callback_data);
    expect(asked).toMatchObject({ action: 'alert.silence', result: 'ok', detail: 'asked to confirm' });
    const question = h.last(GROUP);
    expect(question.text).toContain('Silence');
    const confirm = buttonsOf(question).find((b) => b.text === '✅ Confirm')!;
    // Nobody else may confirm Bob's action.
    const stranger = await h.press(ADMIN, GROUP, question.message_id, confirm.callback_data);
    expect(stranger.result).toBe('denied');
    await h.press(BOB, GROUP, question.message_id, confirm.callback_data);

    const silences = await until('a silence in the API', async () => {
      const res = await h.lookout.app.request('/api/v2/silences');
      const list = (await res.json()) as Array<{
        id: string;
        status: { state: string };
        createdBy: string;
        matchers: Array<{ name: string; value: string }>;
      }>;
      return list.length > 0 ? list : undefined;
    });
    expect(silences[0]).toMatchObject({ status: { state: 'active' }, createdBy: `Bob (Telegram ${BOB.id})` });
    expect(silences[0]!.matchers).toContainEqual(
      expect.objectContaining({ name: 'namespace', value: 'shop' }),
    );
    await until('the alert message says who silenced it', () =>
      h.fake
        .visible(GROUP)
        .find((m) => m.message_id === message.message_id && m.text.includes('Silenced for 1h by Bob')),
    );
    // A used confirmation cannot be pressed again.
    const again = await h.press(BOB, GROUP, question.message_id, confirm.callback_data);
    expect(again.result).toBe('error');
    const audit = await h.audit();
    expect(
      audit.some(
        (e) => e.action === 'alert.silence' && e.detail === 'confirmed and done' && e.userId === BOB.id,
      ),
    ).toBe(true);
  });

  it("acknowledges (stored, shown in /alerts and on the message) and shows the pod's logs", async () => {
    await h.lookout.alerting.ingest(
      [
        {
          labels: {
            alertname: 'PodNotReady',
            namespace: 'shop',
            pod: 'web-2',
            container: 'app',
            cluster: 'sim',
          },
        },
      ],
      'test',
    );
    const message = await alertMessage('PodNotReady');
    const ack = buttonsOf(message).find((b) => b.text === '✅ Acknowledge')!;
    expect(await h.press(BOB, GROUP, message.message_id, ack.callback_data)).toMatchObject({
      action: 'alert.ack',
      result: 'ok',
    });
    await until('the ack on the message', () =>
      h.fake
        .visible(GROUP)
        .find((m) => m.message_id === message.message_id && m.text.includes('Acknowledged by Bob')),
    );
    await h.say(BOB, '/alerts');
    expect(h.last(BOB.id).text).toMatch(/PodNotReady.*ack by Bob/);

    const logs = buttonsOf(message).find((b) => b.text === '📜 Show logs')!;
    expect(await h.press(BOB, GROUP, message.message_id, logs.callback_data)).toMatchObject({
      action: 'alert.logs',
      result: 'ok',
    });
    expect(h.last(GROUP).text).toContain('Logs of shop/web-2');
    expect(h.last(GROUP).text).toContain('running');
  });
});

describe('safe actions', () => {
  it('deletes a pod only after its requester confirms, and refuses other namespaces', async () => {
    const refused = await h.say(CAROL, '/deletepod shop/web-2');
    expect(refused.result).toBe('denied');
    await h.say(BOB, '/deletepod web-2');
    const question = h.last(BOB.id);
    expect(question.text).toContain('Delete pod shop/web-2?');
    expect(h.api.store.get('pods', 'shop', 'web-2')).toBeDefined();
    await h.press(
      BOB,
      BOB.id,
      question.message_id,
      buttonsOf(question).find((b) => b.text === '✖ Cancel')!.callback_data,
    );
    expect(h.api.store.get('pods', 'shop', 'web-2')).toBeDefined();
    await h.say(BOB, '/deletepod web-2');
    const again = h.last(BOB.id);
    await h.press(
      BOB,
      BOB.id,
      again.message_id,
      buttonsOf(again).find((b) => b.text === '✅ Confirm')!.callback_data,
    );
    await until('the pod is gone', () => {
      const pod = h.api.store.get('pods', 'shop', 'web-2');
      return pod === undefined || pod.metadata.deletionTimestamp !== undefined;
    });
  });

  it('restarts and scales a Deployment through the API after confirmation', async () => {
    await h.say(BOB, '/restart web');
    const restart = h.last(BOB.id);
    await h.press(BOB, BOB.id, restart.message_id, buttonsOf(restart)[0]!.callback_data);
    await until('the restart annotation', () => {
      const d = h.api.store.get('apps/deployments', 'shop', 'web') as
        { spec: { template: { metadata: { annotations?: Record<string, string> } } } } | undefined;
      return d?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
    });
    await h.say(BOB, '/scale shop/web 3');
    const scale = h.last(BOB.id);
    expect(scale.text).toContain('from 2 to 3 replicas');
    await h.press(BOB, BOB.id, scale.message_id, buttonsOf(scale)[0]!.callback_data);
    await until(
      'replicas 3',
      () =>
        (h.api.store.get('apps/deployments', 'shop', 'web') as { spec: { replicas: number } } | undefined)
          ?.spec.replicas === 3,
    );
    const members = await h.say(CAROL, '/scale shop/web 0');
    expect(members.result).toBe('denied');
  });

  it('makes members silence inside their namespaces only', async () => {
    const denied = await h.say(BOB, '/silence alertname=Anything for 2h');
    expect(denied.result).toBe('denied');
    expect(h.last(BOB.id).text).toContain('within a namespace');
    const ok = await h.say(BOB, '/silence alertname=Anything namespace=shop for 2h');
    expect(ok).toMatchObject({ result: 'ok', detail: 'asked to confirm' });
  });
});
