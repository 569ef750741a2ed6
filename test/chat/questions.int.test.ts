// Questions answered from the simulated cluster through the Bot API, each for the asker's
// namespaces only: status, events, crashes, logs (paged), describe (secrets hidden), top,
// alerts and charts (real PNGs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { queryCrashes } from '../../src/store/repos/crash-repo.js';
import { crashPod, recordEvent, runningPod } from '../support/sim-api.js';
import { ADMIN, BOB, removeTempDirs, startChat, until, type ChatHarness } from './harness.js';

let h: ChatHarness;
const LONG_LOG = Array.from(
  { length: 400 },
  (_, i) => `line ${i} request handled in ${i % 97} ms for customer-${i} <ok> & done`,
).join('\n');

beforeAll(async () => {
  h = await startChat({ chatConfig: '    log_lines: 1000' });
  const store = h.api.store;
  store.create(
    'pods',
    runningPod('web-1', 'shop', 0, {
      spec: {
        nodeName: 'node-1',
        containers: [
          {
            name: 'app',
            image: 'registry.local/shop:1',
            env: [
              { name: 'LOG_LEVEL', value: 'debug' },
              { name: 'DB_PASSWORD', value: 'hunter2-very-secret' },
              { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'shop-api', key: 'token' } } },
            ],
          },
        ],
      },
    }),
  );
  store.create('pods', runningPod('db-1', 'ops'));
  await until(
    'pods watched',
    () => h.lookout.state('sim')?.pod('ops', 'db-1') && h.lookout.state('sim')?.pod('shop', 'web-1'),
  );
  h.api.previousLogs.set('shop/web-1/app', LONG_LOG);
  h.api.previousLogs.set('ops/db-1/app', 'ops secret crash log');
  crashPod(store, 'shop', 'web-1', 1);
  crashPod(store, 'ops', 'db-1', 1);
  recordEvent(store, 'shop', 'web-1.backoff', 'BackOff', 'Back-off restarting failed container app', 'web-1');
  recordEvent(store, 'ops', 'db-1.backoff', 'BackOff', 'Back-off restarting failed container in ops', 'db-1');
  await until('crashes stored with logs', async () => {
    const page = await queryCrashes(h.lookout.store.db, h.lookout.store.dialect, {});
    return page.items.length === 2 && page.items.every((c) => c.logStatus !== 'pending');
  });
  await h.say(BOB, '/register');
  await h.say(ADMIN, '/approve bob shop');
}, 60_000);
afterAll(async () => {
  await h.close();
  removeTempDirs();
});

describe("questions, for the asker's namespaces only", () => {
  it("/status counts pods and abnormal pods of the member's namespaces, all of them for admins", async () => {
    await h.say(BOB, '/status');
    const bob = h.last(BOB.id).text;
    expect(bob).toContain('Cluster sim');
    expect(bob).toContain('Pods in your namespaces: 1');
    expect(bob).toContain('shop/web-1');
    expect(bob).not.toContain('db-1');
    await h.say(ADMIN, '/status');
    const admin = h.last(ADMIN.id).text;
    expect(admin).toMatch(/Pods: 2/);
    expect(admin).toContain('ops/db-1');
  });

  it("/events and /crashes show the member's namespaces and refuse others", async () => {
    await h.say(BOB, '/events');
    const events = h.last(BOB.id).text;
    expect(events).toContain('Back-off restarting failed container app');
    expect(events).not.toContain('in ops');
    const refused = await h.say(BOB, '/events ops');
    expect(refused.result).toBe('denied');
    expect(h.last(BOB.id).text).toContain('You have no access to namespace "ops"');
    await h.say(BOB, '/events shop BackOff');
    expect(h.last(BOB.id).text).toContain('reason BackOff');

    await h.say(BOB, '/crashes');
    const crashes = h.last(BOB.id).text;
    expect(crashes).toContain('shop/web-1');
    expect(crashes).not.toContain('db-1');
    await h.say(ADMIN, '/crashes ops');
    expect(h.last(ADMIN.id).text).toContain('ops/db-1');
  });

  it('/logs pages a long log under 4,096 characters without cutting words, and refuses other namespaces', async () => {
    const entry = await h.say(BOB, '/logs web-1 --previous');
    expect(entry).toMatchObject({ result: 'ok', args: { namespace: 'shop', pod: 'web-1', previous: true } });
    const first = h.last(BOB.id);
    expect(first.text).toContain('Logs of shop/web-1');
    expect(first.text).toMatch(/page 1 of \d+/);
    const nav = (
      first.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard[0]!;
    const next = nav.find((b) => b.text.startsWith('Next'))!;
    // Turning a page is not a command: it edits the answer and is not audited.
    h.fake.userPresses(BOB.id, BOB, first.message_id, next.callback_data);
    const second = await until('page 2', () =>
      h.fake.visible(BOB.id).find((m) => m.message_id === first.message_id && m.text.includes('page 2 of')),
    );
    const pages = [first.text, second.text];
    for (const text of pages) {
      expect(text.length).toBeLessThanOrEqual(4096);
      // Every log line in a page is whole: pages break between lines.
      for (const line of text.split('\n').filter((l) => l.startsWith('line ')))
        expect(line).toMatch(/^line \d+ request handled in \d+ ms for customer-\d+ <ok> & done$/);
    }
    const denied = await h.say(BOB, '/logs db-1');
    expect(denied.result).toBe('denied');
    expect(h.last(BOB.id).text).not.toContain('ops secret crash log');
  });

  it('/describe prints the pod with its events and never a secret value', async () => {
    await h.say(BOB, '/describe shop/web-1');
    const text = h.last(BOB.id).text;
    expect(text).toContain('Name:       shop/web-1');
    expect(text).toContain('LOG_LEVEL: debug');
    expect(text).toContain('DB_PASSWORD: <hidden>');
    expect(text).toContain('API_TOKEN: <from Secret shop-api, key token>');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('BackOff');
  });

  it('/top pods drops rows of namespaces the member lacks; /top nodes shows nodes', async () => {
    await h.say(BOB, '/top pods');
    const pods = h.last(BOB.id).text;
    expect(pods).toContain('shop-pod');
    expect(pods).not.toContain('kube-system');
    expect(h.queries.calls.at(-1)?.params.namespaces).toEqual(['shop']);
    await h.say(BOB, '/top nodes');
    expect(h.last(BOB.id).text).toContain('node-1');
    const usage = await h.say(BOB, '/top things');
    expect(usage.result).toBe('error');
  });

  it("/alerts lists firing alerts of the member's namespaces only", async () => {
    await h.lookout.alerting.ingest(
      [
        {
          labels: { alertname: 'ShopDown', namespace: 'shop', cluster: 'sim' },
          annotations: { summary: 'shop is down' },
        },
        { labels: { alertname: 'OpsDown', namespace: 'ops', cluster: 'sim' } },
        { labels: { alertname: 'NodeNotReady', node: 'node-1', cluster: 'sim' } },
      ],
      'test',
    );
    await h.say(BOB, '/alerts');
    const bob = h.last(BOB.id).text;
    expect(bob).toContain('ShopDown');
    expect(bob).not.toContain('OpsDown');
    expect(bob).not.toContain('NodeNotReady');
    await h.say(ADMIN, '/alerts');
    expect(h.last(ADMIN.id).text).toContain('NodeNotReady');
  });

  it('/chart offers the eight charts and ranges as buttons and answers with a real PNG', async () => {
    await h.say(BOB, '/chart');
    const menu = h.last(BOB.id);
    const rows = (
      menu.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard;
    expect(rows.flat()).toHaveLength(8);
    const running = rows.flat().find((b) => b.text === 'Running pods per namespace')!;
    await h.press(BOB, BOB.id, menu.message_id, running.callback_data);
    const ranges = await until('the range menu', () => {
      const m = h.fake
        .visible(BOB.id)
        .find((x) => x.message_id === menu.message_id && x.text.includes('which time range'));
      return (
        m &&
        (m.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> })
          .inline_keyboard[0]
      );
    });
    expect(ranges.map((b) => b.text)).toEqual(['1h', '6h', '24h', '7d']);
    const entry = await h.press(BOB, BOB.id, menu.message_id, ranges[2]!.callback_data);
    expect(entry).toMatchObject({
      action: '/chart',
      result: 'ok',
      args: { query: 'pods-running', range: '24h' },
    });
    const photo = await until('the photo', () =>
      h.fake.visible(BOB.id).find((m) => m.file?.field === 'photo'),
    );
    const png = PNG.sync.read(photo.file!.bytes!);
    expect(png.width).toBeGreaterThan(400);
    expect(photo.caption).toContain('Running pods per namespace · sim · last 24h · shop');
    expect(h.queries.calls.at(-1)).toMatchObject({ name: 'pods-running', params: { namespaces: ['shop'] } });
    expect(h.fake.visible(BOB.id).some((m) => m.text.startsWith('⏳'))).toBe(false);
  });
});
