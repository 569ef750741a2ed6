// Team self-service end to end: a group subscribes itself with /subscribe, the alerting engine's
// implicit subscription route picks the alerts up without any config edit, they go through the
// outbox and the Telegram integration to the subscribed chats only (one message per incident,
// edited when it resolves), and revoking the subscriber's namespace stops them.
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlerting, type Alerting } from '../../src/alerting/alerting.js';
import { ChartRenderer } from '../../src/charts/chart-renderer.js';
import { SUBSCRIPTION_ROUTE } from '../../src/chat/subscription-notifier.js';
import { createTelegramBot, type TelegramBot } from '../../src/chat/telegram-bot.js';
import { parseConfig } from '../../src/config/index.js';
import { QueryRouter } from '../../src/metrics/query-router.js';
import { createDeliveryMetrics } from '../../src/notify/delivery-metrics.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { countPending } from '../../src/store/repos/outbox-repo.js';
import { queryAudit } from '../../src/store/repos/audit-repo.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeTelegram } from '../fakes/telegram-server.js';
import { tempDir } from '../support/tmp.js';
import { ADMIN, BOB, until, type Person } from './harness.js';

const TEAM = -1002000000001;
const OPS_ROOM = -1002000000002;
const dir = tempDir('lookout-subs-');
let fake: FakeTelegram;
let store: Store;
let alerting: Alerting;
let delivery: Dispatcher;
let bot: TelegramBot;

async function say(who: Person, text: string, chat: number): Promise<void> {
  const before = (await queryAudit(store.db, { limit: 1000 })).items.length;
  fake.userSays(chat, who, text);
  await until(
    'the command is handled',
    async () => (await queryAudit(store.db, { limit: 1000 })).items.length > before,
  );
}

beforeAll(async () => {
  fake = await FakeTelegram.start();
  const config = parseConfig(
    [
      `storage: { url: "sqlite:${join(dir.path, 'subs.db')}" }`,
      // The configured tree sends everything to a receiver without integrations: only
      // subscriptions reach Telegram here.
      'alerting:',
      '  route: { receiver: nowhere, group_wait: 0s, group_interval: 1s, group_by: [alertname] }',
      '  receivers: [ { name: nowhere } ]',
      'chat:',
      '  telegram:',
      `    bot_token: "${fake.token}"`,
      `    api_url: "${fake.url}"`,
      `    admins: [${ADMIN.id}]`,
      '    poll_timeout: 1s',
    ].join('\n'),
    { env: {} },
  );
  store = openSqliteStore(join(dir.path, 'subs.db'));
  await store.migrate();
  const registry = new Registry();
  const log = silentLogger();
  // Built before the bot: the route is a constant, the bot's delivery worker joins below.
  alerting = createAlerting({
    config: config.alerting,
    store,
    log,
    registry,
    implicitReceivers: [SUBSCRIPTION_ROUTE],
    onNotificationsQueued: () => delivery.wake(),
  });
  bot = createTelegramBot({
    config: config.chat.telegram!,
    store,
    clusters: ['sim'],
    state: () => undefined,
    queries: new QueryRouter(),
    charts: new ChartRenderer(),
    alerting,
    clients: new Map(),
    log,
  });
  delivery = new Dispatcher({
    db: store.db,
    workers: [bot.subscriptionWorker],
    log,
    metrics: createDeliveryMetrics({
      registry,
      queueDepth: () => countPending(store.db),
      now: () => Date.now(),
    }),
    pollIntervalMs: 200,
  });
  await alerting.start();
  await delivery.start();
  await bot.start();
  await until('the bot polls', () => bot.state === 'polling');
  await say(BOB, '/register', BOB.id);
  await say(ADMIN, '/approve bob shop', ADMIN.id);
}, 60_000);

afterAll(async () => {
  await bot.stop();
  await delivery.stop();
  await alerting.stop();
  await store.close();
  await fake.close();
  dir.remove();
});

/** No notification waits in the outbox (every one went out, or was skipped). */
async function settled(): Promise<void> {
  await until('the outbox is settled', async () => (await countPending(store.db)).length === 0);
}

const firing = (alertname: string, namespace?: string) => ({
  labels: { alertname, cluster: 'sim', ...(namespace ? { namespace } : {}) },
  annotations: { summary: `${alertname} in ${namespace ?? 'the cluster'}` },
});

describe('chat subscriptions', () => {
  it('refuses to subscribe a chat to namespaces the member lacks', async () => {
    await say(BOB, '/subscribe ops', TEAM);
    expect(fake.visible(TEAM).at(-1)?.text).toContain('no access to namespace "ops"');
    await say(BOB, '/subscriptions', TEAM);
    expect(fake.visible(TEAM).at(-1)?.text).toContain('no alert subscriptions');
  });

  it("delivers the subscribed namespaces' alerts to the chat, and only those", async () => {
    await say(BOB, '/subscribe', TEAM);
    expect(fake.visible(TEAM).at(-1)?.text).toContain('alerts of shop');
    await say(ADMIN, '/subscribe', OPS_ROOM);
    await alerting.ingest([firing('ShopSlow', 'shop'), firing('OpsSlow', 'ops'), firing('NodeDown')], 'test');

    const shop = await until('ShopSlow in the team chat', () =>
      fake.visible(TEAM).find((m) => m.text.includes('ShopSlow')),
    );
    expect(shop.text).toContain('FIRING');
    await until('all three in the ops room', () =>
      ['ShopSlow', 'OpsSlow', 'NodeDown'].every((n) =>
        fake.visible(OPS_ROOM).some((m) => m.text.includes(n)),
      ),
    );
    // Give stray deliveries a chance to show up before asserting they did not.
    await settled();
    expect(fake.visible(TEAM).some((m) => m.text.includes('OpsSlow') || m.text.includes('NodeDown'))).toBe(
      false,
    );
    await say(BOB, '/subscriptions', TEAM);
    expect(fake.visible(TEAM).at(-1)?.text).toContain('• shop');
  });

  it("edits the chat's message when the alert resolves", async () => {
    const message = await until('ShopSlow message', () =>
      fake.visible(TEAM).find((m) => m.text.includes('ShopSlow')),
    );
    await alerting.ingest([{ ...firing('ShopSlow', 'shop'), endsAt: Date.now() - 1000 }], 'test');
    await until('the message says resolved', () =>
      fake.visible(TEAM).find((m) => m.message_id === message.message_id && m.text.includes('RESOLVED')),
    );
    expect(fake.visible(TEAM).filter((m) => m.text.includes('ShopSlow'))).toHaveLength(1);
  });

  it('stops delivering once the subscriber loses the namespace, and after /unsubscribe', async () => {
    await say(ADMIN, `/revoke ${BOB.id} shop`, ADMIN.id);
    await alerting.ingest([firing('ShopBroken', 'shop')], 'test');
    await until('ShopBroken in the ops room', () =>
      fake.visible(OPS_ROOM).some((m) => m.text.includes('ShopBroken')),
    );
    await settled();
    expect(fake.visible(TEAM).some((m) => m.text.includes('ShopBroken'))).toBe(false);

    await say(ADMIN, '/unsubscribe', OPS_ROOM);
    expect(fake.visible(OPS_ROOM).at(-1)?.text).toContain('Removed 1 subscription');
    await alerting.ingest([firing('AfterUnsubscribe', 'shop')], 'test');
    await settled();
    expect(fake.visible(OPS_ROOM).some((m) => m.text.includes('AfterUnsubscribe'))).toBe(false);
  });
});
