// The bot under stress: a second poller of the same token (409), a slow command while others
// ask, impersonation headers on the way to the cluster, and webhook mode with its secret token.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAlerting } from '../../src/alerting/alerting.js';
import { ChartRenderer } from '../../src/charts/chart-renderer.js';
import { createTelegramBot } from '../../src/chat/telegram-bot.js';
import { parseConfig } from '../../src/config/index.js';
import { QueryRouter } from '../../src/metrics/query-router.js';
import { buildKubeconfig } from '../../src/sim/server/kubeconfig.js';
import { openSqliteStore } from '../../src/store/index.js';
import { queryAudit } from '../../src/store/repos/audit-repo.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeTelegram } from '../fakes/telegram-server.js';
import { runningPod } from '../support/sim-api.js';
import { ADMIN, BOB, removeTempDirs, startChat, tempPath, until, type ChatHarness } from './harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => removeTempDirs());

async function chat(options: Parameters<typeof startChat>[0] = {}): Promise<ChatHarness> {
  const h = await startChat(options);
  cleanups.push(() => h.close());
  return h;
}

describe('bot robustness', () => {
  it('stops polling with a clear state when another process polls the same token (409)', async () => {
    const h = await chat();
    const url = `${h.fake.url}/bot${h.fake.token}/getUpdates?timeout=0`;
    await until('the bot sees the conflict', async () => {
      await fetch(url);
      return h.bot.state === 'conflict';
    });
    const polls = h.fake.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 1500));
    // No crash loop: the bot does not poll again.
    expect(h.fake.callsOf('getUpdates').length).toBe(polls);
  });

  it('answers others while a slow command is still working', async () => {
    const h = await chat();
    h.queries.delayMs = 3000;
    h.fake.userSays(ADMIN.id, ADMIN, '/top nodes');
    await until('the working message', () => h.fake.visible(ADMIN.id).some((m) => m.text.startsWith('⏳')));
    await h.say(BOB, '/me');
    expect(h.last(BOB.id).text).toContain('not registered');
    expect(h.last(ADMIN.id).text.startsWith('⏳')).toBe(true);
    await until(
      'the slow answer replaces "working…"',
      () => h.last(ADMIN.id).text.includes('node-1'),
      15_000,
    );
  });

  it("sends the user's mapped identity as impersonation headers, and refuses unmapped users", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const h = await chat({
      chatConfig: [
        '    impersonate: true',
        '    identities:',
        `      "${ADMIN.id}": { user: ada@example.com, groups: [sre, oncall] }`,
      ].join('\n'),
      botKubeconfig: async (api) => {
        // A recording proxy in front of the simulated API server (which ignores the headers).
        const target = api.server.url;
        const proxy = createServer((req, res) => {
          seen.push(req.headers);
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            const body = Buffer.concat(chunks);
            fetch(`${target}${req.url ?? '/'}`, {
              method: req.method,
              headers: {
                accept: req.headers.accept ?? '*/*',
                'content-type': req.headers['content-type'] ?? 'application/json',
              },
              ...(body.length > 0 ? { body } : {}),
            })
              .then(async (r) => {
                res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
                res.end(Buffer.from(await r.arrayBuffer()));
              })
              .catch(() => res.destroy());
          });
        });
        await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
        cleanups.push(() => new Promise<void>((r) => proxy.close(() => r())));
        const path = tempPath(`proxy-${Date.now()}.kubeconfig`);
        writeFileSync(
          path,
          buildKubeconfig({ server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` }),
        );
        return path;
      },
    });
    h.api.store.create('pods', runningPod('web-1', 'shop'));
    await until('the pod', () => h.lookout.state('sim')?.pod('shop', 'web-1'));
    const ok = await h.say(ADMIN, '/logs shop/web-1');
    expect(ok.result).toBe('ok');
    const logCall = seen.find((headers) => headers['impersonate-user'] !== undefined);
    expect(logCall?.['impersonate-user']).toBe('ada@example.com');
    expect(String(logCall?.['impersonate-group'])).toBe('sre, oncall');

    await h.say(BOB, '/register');
    await h.say(ADMIN, '/approve bob shop');
    const refused = await h.say(BOB, '/logs shop/web-1');
    expect(refused.result).toBe('denied');
    expect(h.last(BOB.id).text).toContain('not mapped to a Kubernetes identity');
  });

  it('takes updates by webhook only with the secret token, and answers them', async () => {
    const fake = await FakeTelegram.start();
    cleanups.push(() => fake.close());
    const config = parseConfig(
      [
        'chat:',
        '  telegram:',
        `    bot_token: "${fake.token}"`,
        `    api_url: "${fake.url}"`,
        `    admins: [${ADMIN.id}]`,
        '    mode: webhook',
        '    webhook: { path: /hooks/telegram, secret_token: s3cret-Token_1, url: "https://lookout.example.com/hooks/telegram" }',
      ].join('\n'),
      { env: {} },
    );
    const store = openSqliteStore(tempPath(`webhook-${Date.now()}.db`));
    await store.migrate();
    cleanups.push(() => store.close());
    const alerting = createAlerting({
      config: config.alerting,
      store,
      log: silentLogger(),
      registry: new Registry(),
    });
    const bot = createTelegramBot({
      config: config.chat.telegram!,
      store,
      clusters: [],
      state: () => undefined,
      queries: new QueryRouter(),
      charts: new ChartRenderer(),
      alerting,
      clients: new Map(),
      log: silentLogger(),
    });
    const app = new Hono();
    bot.mount!(app);
    await bot.start();
    cleanups.push(() => bot.stop());
    await until('webhook mode', () => bot.state === 'webhook');
    expect(fake.callsOf('setWebhook')[0]?.params).toMatchObject({
      url: 'https://lookout.example.com/hooks/telegram',
      secret_token: 's3cret-Token_1',
    });

    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: ADMIN.id, type: 'private' },
        from: { id: ADMIN.id, is_bot: false, first_name: 'Ada' },
        text: '/me',
        entities: [{ type: 'bot_command', offset: 0, length: 3 }],
      },
    };
    const wrong = await app.request('/hooks/telegram', {
      method: 'POST',
      body: JSON.stringify(update),
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': 'nope' },
    });
    expect(wrong.status).toBe(401);
    const bad = await app.request('/hooks/telegram', {
      method: 'POST',
      body: '{not json',
      headers: { 'X-Telegram-Bot-Api-Secret-Token': 's3cret-Token_1' },
    });
    expect(bad.status).toBe(400);
    const good = await app.request('/hooks/telegram', {
      method: 'POST',
      body: JSON.stringify(update),
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': 's3cret-Token_1' },
    });
    expect(good.status).toBe(200);
    await until('the answer', () => fake.visible(ADMIN.id).some((m) => m.text.includes('role admin')));
    expect((await queryAudit(store.db)).items[0]).toMatchObject({
      action: '/me',
      userId: ADMIN.id,
      result: 'ok',
    });
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
  });
});
