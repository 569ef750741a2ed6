// Deploying WordPress from a Telegram chat, end to end: a grammY bot long-polls a local server
// speaking the Bot API, the deploy feature creates real objects in the simulated cluster (whose
// controllers, scheduler and kubelets roll them out), and the answers are checked against the
// cluster's own state: the URL's port is the one the Service got, the IP the node's InternalIP.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Bot } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploySchema } from '../../src/chat/deploy/config.js';
import { appNameProblem } from '../../src/chat/deploy/app-name.js';
import { createDeployFeature, type DeployFeature } from '../../src/chat/deploy/deploy-feature.js';
import { DeployRunner } from '../../src/chat/deploy/deploy-runner.js';
import { renderApp } from '../../src/chat/deploy/render-app.js';
import type { AppTemplate } from '../../src/chat/deploy/template.js';
import type { AuditResult, BotContext, ChatUser } from '../../src/chat/context.js';
import { KubeClient } from '../../src/cluster/kube-client.js';
import { SimCluster } from '../../src/sim/cluster.js';
import { parseLabelSelector } from '../../src/sim/selectors.js';
import { startSimServer, type SimServer } from '../../src/sim/server/index.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { getDeployment, listDeployments } from '../../src/store/repos/deployment-repo.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeTelegram, type FakeMessage } from '../fakes/telegram-server.js';
import { KubectlSession, newestKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Any = Record<string, any>;

// A second template from `templates_dir`, on an image no node has pulled yet (a cached image
// needs no pull, so breaking it in the registry would change nothing).
const EDGE_IMAGE = 'docker.io/library/wordpress:6.7-beta-apache';

const ADMIN = { id: 1001, first_name: 'Ada' };
const MEMBER = { id: 2002, first_name: 'Mia' };
const PENDING = { id: 3003, first_name: 'Pat' };

const USERS = new Map<number, ChatUser>([
  [ADMIN.id, { id: ADMIN.id, name: 'Ada', role: 'admin', namespaces: [], createdAt: 0 }],
  [MEMBER.id, { id: MEMBER.id, name: 'Mia', role: 'member', namespaces: ['shop', 'default'], createdAt: 0 }],
  [PENDING.id, { id: PENDING.id, name: 'Pat', role: 'pending', namespaces: [], createdAt: 0 }],
]);

interface AuditEntry {
  readonly user: number | undefined;
  readonly action: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly result: AuditResult;
  readonly detail: string | undefined;
}

interface RecordedWrite {
  readonly method: string;
  readonly path: string;
  readonly user: string | undefined;
  readonly groups: string | undefined;
}

/** A plain HTTP proxy in front of the API server that records every write and its Impersonate-* headers. */
async function startRecordingProxy(
  target: string,
  writes: RecordedWrite[],
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const proxy = createServer((req, res) => {
    if (req.method !== 'GET') {
      writes.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0]!,
        user: req.headers['impersonate-user'] as string | undefined,
        groups: req.headers['impersonate-group'] as string | undefined,
      });
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => {
      proxy.closeAllConnections();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function buttons(m: FakeMessage): Array<{ text: string; callback_data: string }> {
  return ((m.reply_markup as Any | undefined)?.inline_keyboard ?? []).flat();
}

describe('deploying an app from chat', () => {
  let fake: FakeTelegram;
  let sim: SimCluster;
  let server: SimServer;
  let store: Store;
  let feature: DeployFeature;
  let kube: KubeClient;
  let bot: Bot<BotContext>;
  let polling: Promise<void>;
  const dir = tempDir('lookout-deploy-');
  const audits: AuditEntry[] = [];
  const writes: RecordedWrite[] = [];
  let proxy: { url: string; close(): Promise<void> };
  const handlerErrors: unknown[] = [];

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    // Kubernetes' durations at 2 %: image pulls, probes and volume binding take milliseconds.
    sim = new SimCluster({ scenario: 'steady', timeScale: 0.02 });
    await sim.start();
    server = await startSimServer({ store: sim.store, logs: sim.logs, metrics: sim.metrics });
    // Lookout reaches the API server through a recording proxy, to see whom each request acts as.
    proxy = await startRecordingProxy(server.url, writes);
    const kubeconfig = join(dir.path, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig().replace(server.url, proxy.url));
    store = openSqliteStore(join(dir.path, 'lookout.db'));
    await store.migrate();
    kube = KubeClient.fromConfig({ kubeconfig, in_cluster: false });
    const templates = join(dir.path, 'templates');
    mkdirSync(templates);
    writeFileSync(
      join(templates, 'wordpress-edge.yaml'),
      readFileSync('templates/wordpress.yaml', 'utf8')
        .replace('name: wordpress\n', 'name: wordpress-edge\n')
        .replace('title: WordPress\n', 'title: WordPress (edge)\n')
        .replace('docker.io/library/wordpress:6.6-apache', EDGE_IMAGE),
    );
    feature = createDeployFeature({
      store,
      kube: () => kube,
      clusters: ['sim'],
      config: deploySchema.parse({
        poll_interval: '150ms',
        stuck_after: '2s',
        rollout_timeout: '60s',
        templates_dir: templates,
      }),
      log: silentLogger(),
      // With impersonation on, the admin acts as a mapped Kubernetes user; the member has none.
      impersonate: (user) =>
        user.id === ADMIN.id ? { user: 'ada@example.com', groups: ['platform'] } : undefined,
    });

    bot = new Bot<BotContext>(fake.token, { client: { apiRoot: fake.url } });
    // What the bot's own first middleware provides: the user, their namespaces, the audit log.
    bot.use(async (ctx, next) => {
      const user = ctx.from ? USERS.get(ctx.from.id) : undefined;
      Object.assign(ctx, {
        lookout: {
          user,
          canAccess: (ns: string) =>
            user?.role === 'admin' || (user?.role === 'member' && user.namespaces.includes(ns)),
          audit: (
            action: string,
            args: Readonly<Record<string, unknown>>,
            result: AuditResult,
            detail?: string,
          ) => {
            audits.push({ user: user?.id, action, args, result, detail });
            return Promise.resolve();
          },
        },
      });
      await next();
    });
    bot.use(feature.composer);
    bot.on('message:text', (ctx) => ctx.reply(`fallback: ${ctx.message.text}`));
    bot.catch((error) => {
      handlerErrors.push(error.error);
    });
    polling = bot.start({ timeout: 1 });
    await until(() => fake.callsOf('getUpdates').length > 0, 'the bot to poll');
  });

  afterAll(async () => {
    await feature?.stop();
    if (bot?.isRunning()) await bot.stop();
    await polling;
    await proxy?.close();
    await server?.close();
    await sim?.stop();
    await store?.close();
    await fake?.close();
    dir.remove();
  });

  /** Sends `text` as `from` and waits for the bot's next new message in that chat. */
  async function say(from: { id: number; first_name: string }, text: string): Promise<FakeMessage> {
    const before = fake.messages(from.id).length;
    fake.userSays(from.id, from, text);
    return until(() => fake.messages(from.id)[before], `an answer to "${text}"`);
  }

  /** Presses the button labelled `label` under `message` and waits until `done` holds. */
  async function press<T>(
    from: { id: number; first_name: string },
    message: FakeMessage,
    label: string,
    done: () => T | undefined | false,
  ): Promise<T> {
    const button = buttons(message).find((b) => b.text === label);
    if (!button)
      throw new Error(
        `no button "${label}" under: ${message.text} (${JSON.stringify(message.reply_markup)})`,
      );
    fake.userPresses(from.id, from, message.message_id, button.callback_data);
    return until(done, `the effect of pressing "${label}"`);
  }

  function nodeIpOf(podName: string): string {
    const pod = sim.store.get('pods', 'shop', podName) as Any;
    const node = sim.store.get('nodes', '', pod.spec.nodeName) as Any;
    return node.status.addresses.find((a: Any) => a.type === 'InternalIP').address;
  }

  it('walks a member through template, name, namespace and replicas with retries, then deploys WordPress', async () => {
    const start = await say(MEMBER, '/deploy');
    expect(start.text).toContain('step 1 of 4');
    expect(buttons(start).map((b) => b.text)).toEqual(['WordPress', 'WordPress (edge)', '✖️ Cancel']);

    // A button answer edits the same message into the next question.
    await press(MEMBER, start, 'WordPress', () => start.text.includes('What should the app be called?'));
    expect(start.text).toContain('Template: WordPress');

    const upper = await say(MEMBER, 'My Blog');
    expect(upper.text).toContain(
      '"My Blog" may only contain lower-case letters, digits and "-"; try "my-blog"',
    );
    expect(buttons(start)).toEqual([]);
    const digit = await say(MEMBER, '2blog');
    expect(digit.text).toContain('"2blog" must start with a letter');

    const namespaces = await say(MEMBER, 'blog');
    expect(namespaces.text).toContain('Which namespace?');
    // Only the member's namespaces are offered.
    expect(buttons(namespaces).map((b) => b.text)).toEqual(['default', 'shop', '✖️ Cancel']);

    const refused = await say(MEMBER, '/ns monitoring');
    expect(refused.text).toContain('You may not use namespace "monitoring". Yours: shop, default.');
    expect(buttons(refused).map((b) => b.text)).toEqual(['default', 'shop', '✖️ Cancel']);
    expect(audits).toContainEqual(
      expect.objectContaining({
        user: MEMBER.id,
        action: 'deploy.namespace',
        args: { field: 'namespace', value: 'monitoring' },
        result: 'denied',
      }),
    );

    await press(MEMBER, refused, 'shop', () => refused.text.includes('How many replicas?'));
    expect(buttons(refused).map((b) => b.text)).toEqual(['1', '2', '3', '✖️ Cancel']);

    const outOfRange = await say(MEMBER, '7');
    expect(outOfRange.text).toContain('7 is out of range; replicas must be from 1 to 3');
    const summary = await say(MEMBER, '/rs 2');
    expect(summary.text).toContain('Deploy WordPress?');
    expect(summary.text).toContain('App name: blog');
    expect(summary.text).toContain('Namespace: shop');
    expect(summary.text).toContain('Replicas: 2');
    expect(summary.text).toContain(
      'Secret blog-db, PersistentVolumeClaim blog-db-data, Deployment blog-db, Service blog-db, Deployment blog, Service blog',
    );
    // Nothing exists before the confirmation.
    expect(sim.store.get('apps/deployments', 'shop', 'blog')).toBeUndefined();

    const before = fake.messages(MEMBER.id).length;
    const ready = await press(MEMBER, summary, '✅ Deploy', () =>
      fake
        .messages(MEMBER.id)
        .slice(before)
        .find((m) => m.text.includes('is ready')),
    );

    // The URL carries the node port the Service really got and a node's InternalIP.
    const service = sim.store.get('services', 'shop', 'blog') as Any;
    const nodePort = service.spec.ports[0].nodePort as number;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    const url = /http:\/\/([\d.]+):(\d+)/.exec(ready.text);
    expect(url?.[2]).toBe(String(nodePort));
    const webPods = sim.store
      .list('pods', { namespace: 'shop', labelSelector: parseLabelSelector('app=blog') })
      .items.filter((p) => !p.metadata.deletionTimestamp);
    expect(webPods).toHaveLength(2);
    expect(webPods.map((p) => nodeIpOf(p.metadata.name!))).toContain(url?.[1]);
    expect(ready.text).toContain('is ready with 2 replicas');

    // One progress message, edited as the rollout went on, ending as deployed.
    expect(summary.edits).toBeGreaterThanOrEqual(3);
    expect(summary.text).toContain('✅ Deployed');
    expect(summary.text).toMatch(/Deployment blog-db: 1\/1 ready/);
    expect(summary.text).toMatch(/Deployment blog: 2\/2 ready/);
    expect(buttons(summary)).toEqual([]);
    const edits = fake
      .callsOf('editMessageText')
      .filter((c) => Number(c.params.message_id) === summary.message_id);
    expect(edits.some((c) => String(c.params.text).includes('Rolling out'))).toBe(true);

    // The objects are real: WordPress reads its database password from the generated Secret.
    const secret = sim.store.get('secrets', 'shop', 'blog-db') as Any;
    const password = secret.stringData?.password ?? Buffer.from(secret.data.password, 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    const wp = sim.store.get('apps/deployments', 'shop', 'blog') as Any;
    expect(wp.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'lookout',
      'app.kubernetes.io/instance': 'blog',
    });
    expect(wp.spec.template.spec.containers[0].env).toContainEqual({
      name: 'WORDPRESS_DB_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'blog-db', key: 'password' } },
    });
    expect((sim.store.get('persistentvolumeclaims', 'shop', 'blog-db-data') as Any).status.phase).toBe(
      'Bound',
    );
    // The password never reaches the chat or the audit log.
    for (const m of fake.messages(MEMBER.id)) expect(m.raw).not.toContain(password);
    expect(JSON.stringify(audits)).not.toContain(password);

    const [record] = await listDeployments(store.db, { ownerId: MEMBER.id });
    expect(record).toMatchObject({
      name: 'blog',
      namespace: 'shop',
      status: 'ready',
      url: url?.[0],
      replicas: 2,
    });
    // A dry run of each object, then the creates, all with the bot's own identity for this member.
    const posts = writes.filter((w) => w.method === 'POST' && w.path.includes('/namespaces/shop/'));
    expect(posts).toHaveLength(12);
    expect(posts.every((w) => w.user === undefined)).toBe(true);
    expect(
      audits
        .filter((a) => a.user === MEMBER.id && a.action.startsWith('deploy.') && a.result === 'ok')
        .map((a) => a.action),
    ).toEqual(
      expect.arrayContaining([
        'deploy.template',
        'deploy.app',
        'deploy.namespace',
        'deploy.replicas',
        'deploy.confirm',
        'deploy.rollout',
      ]),
    );
    expect(handlerErrors).toEqual([]);
  }, 90_000);

  it('lists the apps with their live status and URL, then removes one after a confirm press', async () => {
    const apps = await say(MEMBER, '/apps');
    const [record] = await listDeployments(store.db, { ownerId: MEMBER.id });
    expect(apps.text).toContain('Your apps');
    expect(apps.text).toContain('blog — WordPress in shop on sim');
    expect(apps.text).toContain('Status: ready, blog-db 1/1, blog 2/2');
    expect(apps.text).toContain(record!.url!);

    const question = await say(MEMBER, '/undeploy blog');
    expect(question.text).toContain('Remove blog?');
    expect(buttons(question).map((b) => b.text)).toEqual(['🗑 Remove', 'Keep']);
    // Someone else may not press it.
    const other = { id: 4004, first_name: 'Eve' };
    USERS.set(other.id, { id: other.id, name: 'Eve', role: 'member', namespaces: ['shop'], createdAt: 0 });
    const calls = fake.callsOf('answerCallbackQuery').length;
    fake.userPresses(MEMBER.id, other, question.message_id, buttons(question)[0]!.callback_data);
    await until(() => fake.callsOf('answerCallbackQuery').length > calls, 'the refusal');
    expect(fake.callsOf('answerCallbackQuery').at(-1)!.params.text).toBe(
      'Only Mia or an admin may remove blog.',
    );
    expect(sim.store.get('apps/deployments', 'shop', 'blog')).toBeDefined();

    await press(MEMBER, question, '🗑 Remove', () => question.text.includes('Removed blog'));
    expect(question.text).toContain('Removed blog from shop (6 objects) — by Mia.');
    for (const [resource, name] of [
      ['apps/deployments', 'blog'],
      ['apps/deployments', 'blog-db'],
      ['services', 'blog'],
      ['services', 'blog-db'],
      ['secrets', 'blog-db'],
    ] as const) {
      expect(sim.store.get(resource, 'shop', name), `${resource} ${name}`).toBeUndefined();
    }
    // The cluster's garbage collector takes the pods with their ReplicaSets; the volume claim,
    // protected while a pod uses it, goes once they are gone.
    await until(
      () =>
        sim.store.list('pods', {
          namespace: 'shop',
          labelSelector: parseLabelSelector('app.kubernetes.io/instance=blog'),
        }).items.length === 0 && !sim.store.get('persistentvolumeclaims', 'shop', 'blog-db-data'),
      'the pods and the volume claim to go',
    );
    expect(await listDeployments(store.db, { ownerId: MEMBER.id })).toEqual([]);
    expect(
      (await listDeployments(store.db, { ownerId: MEMBER.id, statuses: ['removed'] }))[0]?.removedAt,
    ).toBeGreaterThan(0);
    expect((await say(MEMBER, '/apps')).text).toContain('You have no apps deployed');
  }, 60_000);

  it('takes the short /cw, /app, /ns and /rs commands, refuses a name already used in the namespace, and cancels with /clear', async () => {
    const taken = sim.store
      .list('apps/deployments', { namespace: 'shop' })
      .items.map((d) => d.metadata.name!)
      .find((n) => appNameProblem(n) === undefined)!;
    const asked = await say(MEMBER, '/cw');
    expect(asked.text).toContain('Template: WordPress');
    expect(asked.text).toContain('step 2 of 4');
    await say(MEMBER, `/app ${taken}`);
    const conflict = await say(MEMBER, '/ns shop');
    expect(conflict.text).toContain(`"${taken}" is taken in namespace shop: Deployment ${taken}`);
    expect(conflict.text).toContain('What should the app be called?');

    const cancelled = await say(MEMBER, '/clear');
    expect(cancelled.text).toBe('Deploy cancelled; nothing was created.');
    expect(audits.at(-1)).toMatchObject({ action: 'deploy.cancel', result: 'ok' });
    // With no conversation, free text goes on to the rest of the bot.
    expect((await say(MEMBER, 'hello')).text).toBe('fallback: hello');
    expect((await say(MEMBER, '/rs 2')).text).toContain('No deploy is in progress');
    expect((await say(MEMBER, '/cancel')).text).toBe('There is no deploy conversation to cancel.');
  }, 60_000);

  it('cancels with /cancel or the Cancel button, and ignores presses on a finished menu', async () => {
    const first = await say(MEMBER, '/deploy');
    const oldChoice = buttons(first)[0]!.callback_data;
    const cancelled = await say(MEMBER, '/cancel');
    expect(cancelled.text).toBe('Deploy cancelled; nothing was created.');
    expect(buttons(first)).toEqual([]);

    const second = await say(MEMBER, '/deploy wordpress');
    expect(second.text).toContain('What should the app be called?');
    await press(MEMBER, second, '✖️ Cancel', () => second.text.includes('Deploy cancelled'));

    const calls = fake.callsOf('answerCallbackQuery').length;
    fake.userPresses(MEMBER.id, MEMBER, first.message_id, oldChoice);
    await until(() => fake.callsOf('answerCallbackQuery').length > calls, 'the answer to a stale press');
    expect(String(fake.callsOf('answerCallbackQuery').at(-1)!.params.text)).toContain(
      'This menu is not active',
    );
    expect(audits.filter((a) => a.action === 'deploy.cancel').length).toBeGreaterThanOrEqual(3);
  });

  it('picks up a rollout that a stopped Lookout left unfinished and answers in the same chat', async () => {
    const config = deploySchema.parse({ poll_interval: '150ms', stuck_after: '2s', rollout_timeout: '60s' });
    const runner = (): DeployRunner =>
      new DeployRunner({
        store,
        config,
        log: silentLogger(),
        now: Date.now,
        templateTitle: () => 'WordPress',
        client: () => kube,
      });
    const before = fake.messages(MEMBER.id).length;
    const progress = await bot.api.sendMessage(MEMBER.id, 'Deploying…');
    const first = runner();
    const started = await first.start({
      api: bot.api,
      chatId: MEMBER.id,
      messageId: progress.message_id,
      user: USERS.get(MEMBER.id)!,
      client: kube,
      cluster: 'sim',
      template: feature.templates.get('wordpress')!,
      answers: { app: 'resumed', namespace: 'default', replicas: 1 },
      audit: () => Promise.resolve(),
    });
    if (!started.ok) throw new Error(started.message);
    // Lookout stops while the rollout is still going.
    await first.stop();
    expect((await getDeployment(store.db, started.app.id))?.status).toBe('deploying');

    const second = runner();
    expect(await second.resume(bot.api)).toBe(1);
    const ready = await until(
      () =>
        fake
          .messages(MEMBER.id)
          .slice(before)
          .find((m) => m.text.includes('resumed') && m.text.includes('is ready')),
      'the resumed rollout to finish',
    );
    const nodePort = (sim.store.get('services', 'default', 'resumed') as Any).spec.ports[0]
      .nodePort as number;
    expect(ready.text).toMatch(new RegExp(`http://[\\d.]+:${nodePort}$`));
    // The same progress message was edited to its end.
    expect(fake.messages(MEMBER.id).find((m) => m.message_id === progress.message_id)?.text).toContain(
      '✅ Deployed',
    );
    const record = await getDeployment(store.db, started.app.id);
    expect(record?.status).toBe('ready');
    expect(await second.remove(record!, kube)).toEqual([]);
    await second.stop();
    expect((await getDeployment(store.db, started.app.id))?.status).toBe('removed');
  }, 60_000);

  it.skipIf(!newestKubectl())(
    'renders every template to objects that real kubectl validates against the API schema',
    async () => {
      const kubectl = await KubectlSession.create(newestKubectl()!, server.kubeconfig());
      try {
        for (const template of feature.templates.list()) {
          const app = renderApp(template, { app: 'checked', namespace: 'default', replicas: 3 });
          const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: app.objects });
          const out = await kubectl.ok(
            ['apply', '--dry-run=client', '--validate=strict', '-o', 'name', '-f', '-'],
            list,
          );
          expect(out.trim().split('\n')).toHaveLength(app.objects.length);
        }
      } finally {
        await kubectl.dispose();
      }
    },
    60_000,
  );

  it('gives up after the rollout timeout, saying what is not ready', async () => {
    const image = 'docker.io/library/wordpress:6.8-never-apache';
    sim.driver.breakImage(image);
    const runner = new DeployRunner({
      store,
      // Stuck pods alone would wait ten minutes; the timeout comes first.
      config: deploySchema.parse({ poll_interval: '150ms', stuck_after: '10m', rollout_timeout: '1500ms' }),
      log: silentLogger(),
      now: Date.now,
      templateTitle: () => 'WordPress',
      client: () => kube,
    });
    const wordpress = feature.templates.get('wordpress')!;
    const template: AppTemplate = {
      ...wordpress,
      name: 'wordpress-never',
      parameters: wordpress.parameters.map((p) =>
        p.name === 'wordpress_image' && p.type === 'string' ? { ...p, default: image } : p,
      ),
    };
    const progress = await bot.api.sendMessage(ADMIN.id, 'Deploying…');
    const before = fake.messages(ADMIN.id).length;
    const started = await runner.start({
      api: bot.api,
      chatId: ADMIN.id,
      messageId: progress.message_id,
      user: USERS.get(ADMIN.id)!,
      client: kube,
      cluster: 'sim',
      template,
      answers: { app: 'slow', namespace: 'default', replicas: 1 },
      audit: () => Promise.resolve(),
    });
    if (!started.ok) throw new Error(started.message);
    const failed = await until(
      () =>
        fake
          .messages(ADMIN.id)
          .slice(before)
          .find((m) => m.text.includes('did not become ready')),
      'the timeout',
    );
    expect(failed.text).toContain('Reason: not ready after 1s500ms: Deployment slow has 0/1 ready');
    const record = await getDeployment(store.db, started.app.id);
    expect(record?.status).toBe('failed');
    expect(await runner.remove(record!, kube)).toEqual([]);
    await runner.stop();
    sim.driver.fixImage(image);
  }, 60_000);

  it('refuses a person whose registration is pending', async () => {
    const refused = await say(PENDING, '/deploy');
    expect(refused.text).toContain('waiting for an admin’s approval');
    expect(audits.at(-1)).toMatchObject({ user: PENDING.id, action: 'deploy', result: 'denied' });
  });

  it('answers a deploy whose image cannot be pulled with the reason and the warning events', async () => {
    sim.driver.breakImage(EDGE_IMAGE);
    writes.length = 0;
    try {
      await say(ADMIN, '/deploy wordpress-edge');
      await say(ADMIN, '/app broken');
      const ns = await say(ADMIN, 'default');
      expect(ns.text).toContain('How many replicas?');
      const summary = await say(ADMIN, '1');
      const before = fake.messages(ADMIN.id).length;
      const failed = await press(ADMIN, summary, '✅ Deploy', () =>
        fake
          .messages(ADMIN.id)
          .slice(before)
          .find((m) => m.text.includes('did not become ready')),
      );
      expect(failed.text).toMatch(
        /Reason: Deployment broken: pod broken-[a-z0-9]+-[a-z0-9]+, container wordpress: (ImagePullBackOff|ErrImagePull)/,
      );
      expect(failed.text).toContain('Warning events:');
      expect(failed.text).toMatch(
        /Pod broken-[a-z0-9-]+ Failed( ×\d+)?: Failed to pull image "docker.io\/library\/wordpress:6.7-beta-apache"/,
      );
      expect(failed.text).toContain('/undeploy broken removes them');
      expect(summary.text).toContain('❌ Deploy of broken (WordPress (edge))');
      const [record] = await listDeployments(store.db, { ownerId: ADMIN.id });
      expect(record).toMatchObject({ name: 'broken', status: 'failed' });
      expect(record!.reason).toContain('ImagePull');
      // The admin is mapped to a Kubernetes identity: every write went out impersonating it.
      const posts = writes.filter((w) => w.method === 'POST' && w.path.includes('/namespaces/default/'));
      expect(posts.length).toBeGreaterThanOrEqual(12);
      expect(new Set(posts.map((w) => `${w.user} ${w.groups}`))).toEqual(
        new Set(['ada@example.com platform']),
      );
      expect(audits.at(-1)).toMatchObject({ action: 'deploy.rollout', result: 'error' });

      const question = await say(ADMIN, '/undeploy broken');
      await press(ADMIN, question, '🗑 Remove', () => question.text.includes('Removed broken'));
      expect(
        writes.filter((w) => w.method === 'DELETE' && w.path.endsWith('/broken')).map((w) => w.user),
      ).toEqual(['ada@example.com', 'ada@example.com']);
      expect(sim.store.get('apps/deployments', 'default', 'broken')).toBeUndefined();
    } finally {
      sim.driver.fixImage(EDGE_IMAGE);
    }
    expect(handlerErrors).toEqual([]);
  }, 90_000);
});
