// The bot under test: a Lookout (real store, watch pipeline on the simulated API server,
// alerting, delivery) plus Lookout's Telegram bot polling a local Bot API server, and helpers
// to talk to it as Telegram users and wait for its answers.
import { join } from 'node:path';
import { ChartRenderer } from '../../src/charts/chart-renderer.js';
import { createTelegramBot, type TelegramBot } from '../../src/chat/telegram-bot.js';
import { parseConfig } from '../../src/config/index.js';
import type { QueryName, QueryParams, QueryResult, QuerySource } from '../../src/domain/query.js';
import { TABLE_COLUMNS } from '../../src/domain/query.js';
import { createLookout, type Lookout } from '../../src/main.js';
import { queryAudit, type AuditEntry } from '../../src/store/repos/audit-repo.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeTelegram, type FakeMessage } from '../fakes/telegram-server.js';
import { startTestApi, type TestApi } from '../support/sim-api.js';
import { tempDir } from '../support/tmp.js';

export interface Person {
  readonly id: number;
  readonly first_name: string;
  readonly username?: string;
}

export const ADMIN: Person = { id: 1001, first_name: 'Ada', username: 'ada' };
export const ALICE: Person = { id: 2001, first_name: 'Alice', username: 'alice' };
export const BOB: Person = { id: 3001, first_name: 'Bob', username: 'bob' };
/** The team's group chat, where alerts arrive. */
export const GROUP = -1001000000001;

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/**
 * Answers queries from the test's own numbers: the built-in source is another part's; this one
 * honours the namespace filter like every source must, and adds a row of a namespace nobody asked
 * for to top-pods (the bot must drop it).
 */
export class TestQuerySource implements QuerySource {
  readonly calls: Array<{ name: QueryName; params: QueryParams }> = [];
  /** Makes every answer this slow (a slow Prometheus). */
  delayMs = 0;

  async run(name: QueryName, params: QueryParams): Promise<QueryResult> {
    this.calls.push({ name, params });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return this.#answer(name, params);
  }

  #answer(name: QueryName, params: QueryParams): Promise<QueryResult> {
    const at = Date.now();
    if (name === 'top-nodes')
      return Promise.resolve({
        kind: 'table',
        query: name,
        cluster: params.cluster,
        title: 'Nodes: CPU and memory',
        at,
        columns: TABLE_COLUMNS['top-nodes'],
        rows: [
          {
            node: 'node-1',
            cpu: 0.25,
            cpu_percent: 12.5,
            memory: 1.5 * 2 ** 30,
            memory_percent: 40,
            cpu_requests_percent: 10,
            cpu_limits_percent: 20,
            memory_requests_percent: 30,
            memory_limits_percent: 50,
          },
        ],
      });
    if (name === 'top-pods') {
      const namespaces = params.namespaces?.length ? params.namespaces : ['shop', 'ops'];
      return Promise.resolve({
        kind: 'table',
        query: name,
        cluster: params.cluster,
        title: 'Pods: CPU and memory',
        at,
        columns: TABLE_COLUMNS['top-pods'],
        rows: [...namespaces, 'kube-system'].map((ns) => ({
          namespace: ns,
          pod: `${ns}-pod`,
          cpu: 0.1,
          memory: 2 ** 27,
          cpu_of_request: 50,
          cpu_of_limit: 25,
          memory_of_request: 60,
          memory_of_limit: 30,
        })),
      });
    }
    if (params.range === 'now') throw new Error('series queries need a range');
    const { start, end, stepMs } = params.range;
    const namespaces = params.namespaces?.length ? params.namespaces : ['shop', 'ops'];
    const series = namespaces.map((ns, i) => ({
      name: ns,
      labels: { namespace: ns },
      points: Array.from(
        { length: Math.floor((end - start) / stepMs) + 1 },
        (_, k) => [start + k * stepMs, i + 1 + (k % 3)] as const,
      ),
    }));
    return Promise.resolve({
      kind: 'series',
      query: name,
      cluster: params.cluster,
      title: name,
      unit: 'count',
      range: params.range,
      series,
    });
  }
}

export interface ChatHarness {
  readonly fake: FakeTelegram;
  readonly api: TestApi;
  readonly lookout: Lookout;
  readonly bot: TelegramBot;
  readonly queries: TestQuerySource;
  /** Sends `text` as `who` in `chat` (their private chat by default) and waits until it is audited. */
  say(who: Person, text: string, chat?: number): Promise<AuditEntry>;
  /** Presses a button under a message and waits until it is audited. */
  press(who: Person, chat: number, messageId: number, data: string): Promise<AuditEntry>;
  /** The newest visible bot message in a chat (after "working…" became the answer). */
  last(chat: number): FakeMessage;
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

const dirs = tempDir('lookout-chat-');
export function tempPath(name: string): string {
  return join(dirs.path, name);
}

export function removeTempDirs(): void {
  dirs.remove();
}

let seq = 0;

export interface ChatOptions {
  /** Top-level YAML added to the config (e.g. an `alerting:` section); `FAKE_URL`/`FAKE_TOKEN` are replaced. */
  readonly extraConfig?: string;
  /** YAML lines under `chat.telegram:` (indented four spaces). */
  readonly chatConfig?: string;
  /** Require signing in over HTTP, as in production (default: `http.auth.mode: none`). */
  readonly signIn?: boolean;
  /** The kubeconfig the bot's API clients use (default: the simulated API server's). */
  readonly botKubeconfig?: (api: TestApi) => Promise<string> | string;
}

export async function startChat(options: ChatOptions = {}): Promise<ChatHarness> {
  const fake = await FakeTelegram.start();
  const api = await startTestApi(dirs.path);
  const db = join(dirs.path, `chat-${process.pid}-${++seq}.db`);
  const config = parseConfig(
    [
      `storage: { url: "sqlite:${db}" }`,
      `http: { listen: "127.0.0.1:0", auth: { mode: ${options.signIn ? 'login' : 'none'} } }`,
      `clusters: [ { name: sim, kubeconfig: "${api.kubeconfigPath}" } ]`,
      'collect:',
      '  watch: { watchdog: 2s, backoff_initial: 50ms, backoff_max: 500ms, timeout: 30s }',
      'chat:',
      '  telegram:',
      `    bot_token: "${fake.token}"`,
      `    api_url: "${fake.url}"`,
      `    admins: [${ADMIN.id}]`,
      '    poll_timeout: 1s',
      ...(options.chatConfig ? [options.chatConfig] : []),
      ...(options.extraConfig
        ? [options.extraConfig.replaceAll('FAKE_URL', fake.url).replaceAll('FAKE_TOKEN', fake.token)]
        : []),
    ].join('\n'),
    { env: {} },
  );
  // Lookout builds and runs its own bot; a test that gives the bot other API clients gets a
  // bot of its own next to a Lookout without one.
  const separateBot = options.botKubeconfig !== undefined;
  const lookout = await createLookout({
    config: separateBot ? { ...config, chat: { ...config.chat, telegram: undefined } } : config,
    log: silentLogger(),
  });
  const queries = new TestQuerySource();
  lookout.queries.register('sim', queries);
  let bot: TelegramBot;
  if (options.botKubeconfig) {
    const { KubeClient } = await import('../../src/cluster/kube-client.js');
    bot = createTelegramBot({
      config: config.chat.telegram!,
      store: lookout.store,
      clusters: ['sim'],
      state: (c) => lookout.state(c),
      queries: lookout.queries,
      charts: new ChartRenderer(),
      alerting: lookout.alerting,
      clients: new Map([
        ['sim', KubeClient.fromConfig({ kubeconfig: await options.botKubeconfig(api), in_cluster: false })],
      ]),
      log: silentLogger(),
    });
  } else {
    bot = lookout.bot!;
  }
  await lookout.start();
  await bot.start();
  await until('the bot polls', () => bot.state === 'polling');

  const auditCount = async (): Promise<number> =>
    (await queryAudit(lookout.store.db, { limit: 1000 })).items.length;
  const waitAudit = async (before: number): Promise<AuditEntry> =>
    until('the bot to finish and audit', async () => {
      const items = (await queryAudit(lookout.store.db, { limit: 1000 })).items;
      return items.length > before ? items[0] : undefined;
    });

  return {
    fake,
    api,
    lookout,
    bot,
    queries,
    async say(who, text, chat) {
      const before = await auditCount();
      fake.userSays(chat ?? who.id, who, text);
      return waitAudit(before);
    },
    async press(who, chat, messageId, data) {
      const before = await auditCount();
      fake.userPresses(chat, who, messageId, data);
      return waitAudit(before);
    },
    last(chat) {
      const visible = fake.visible(chat);
      const m = visible.at(-1);
      if (!m) throw new Error(`no message in chat ${chat}`);
      return m;
    },
    audit: async () => (await queryAudit(lookout.store.db, { limit: 1000 })).items,
    async close() {
      if (separateBot) await bot.stop();
      await lookout.stop();
      await api.close();
      await fake.close();
    },
  };
}
