// Lookout's watch pipeline against the simulated API server, with the server's faults.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/index.js';
import { createLookout, type Lookout } from '../../src/main.js';
import { queryCrashes } from '../../src/store/repos/crash-repo.js';
import { queryEvents } from '../../src/store/repos/event-repo.js';
import { queryLifecycle } from '../../src/store/repos/pod-history-repo.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { crashPod, recordEvent, runningPod, startTestApi, type TestApi } from '../support/sim-api.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-watch-');
afterAll(() => dir.remove());

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function lookoutFor(api: TestApi, db: string, extra = ''): Promise<Lookout> {
  const config = parseConfig(
    [
      `storage: { url: "sqlite:${db}" }`,
      'http: { listen: "127.0.0.1:0", auth: { mode: none } }',
      `clusters: [ { name: sim, kubeconfig: "${api.kubeconfigPath}" } ]`,
      'collect:',
      '  watch: { watchdog: 2s, backoff_initial: 50ms, backoff_max: 500ms, timeout: 30s }',
      '  crash_logs: { retry_for: 5s }',
      extra,
    ].join('\n'),
    { env: {} },
  );
  const lookout = await createLookout({ config, log: silentLogger() });
  running.push(lookout);
  return lookout;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

async function counts(
  lookout: Lookout,
  uidOf: (name: string) => string | undefined,
  name: string,
): Promise<number[]> {
  const uid = uidOf(name);
  const page = await queryEvents(lookout.store.db, lookout.store.dialect, { limit: 1000 });
  const out: number[] = [];
  for (const o of page.items)
    if (o.eventUid === uid) for (let c = o.countFrom; c <= o.countTo; c++) out.push(c);
  return out.sort((a, b) => a - b);
}

describe('watch pipeline', () => {
  it('syncs every resource, then /readyz turns 200', async () => {
    const api = await startTestApi(dir.path);
    running.push({ stop: () => api.close() });
    api.store.create('pods', runningPod('web-1'));
    const lookout = await lookoutFor(api, join(dir.path, 'ready.db'));
    await lookout.start();
    await until('ready', async () => (await fetch(`${lookout.url}/readyz`)).status === 200);
    await until('the pod in state', () => lookout.state('sim')?.pod('shop', 'web-1'));
    const created = await queryLifecycle(lookout.store.db, { action: 'created' });
    expect(created.map((e) => e.pod)).toEqual(['web-1']);
  });

  it('stores every Event count exactly once through closed watches, 410s, stalls and 5xx', async () => {
    const api = await startTestApi(dir.path);
    running.push({ stop: () => api.close() });
    api.store.create('pods', runningPod('web-1'));
    const lookout = await lookoutFor(api, join(dir.path, 'chaos.db'));
    await lookout.start();
    await until('synced', async () => (await fetch(`${lookout.url}/readyz`)).status === 200);
    const uid = (name: string): string | undefined => api.store.get('events', 'shop', name)?.metadata.uid;
    let expected = 0;
    // Each step bumps the Event three times, applies a fault, and waits until everything so
    // far is stored — so every fault hits a live watch.
    const step = async (fault: () => unknown, faultFirst = false): Promise<void> => {
      if (faultFirst) fault();
      for (let i = 0; i < 3; i++)
        recordEvent(
          api.store,
          'shop',
          'web-1.backoff',
          'BackOff',
          'Back-off restarting failed container',
          'web-1',
        );
      expected += 3;
      if (!faultFirst) fault();
      await until(
        `${expected} counts stored`,
        async () => (await counts(lookout, uid, 'web-1.backoff')).length === expected,
        30_000,
      );
    };
    await step(() => api.server.faults.closeWatches());
    await step(() => {
      api.server.faults.failWatches(2, { form: 'event' });
      api.server.faults.closeWatches();
    });
    await step(() => {
      api.server.faults.failWatches(1, { form: 'http' });
      api.server.faults.closeWatches();
    });
    // A stalled watch sends nothing (not even bookmarks): the watchdog (2s) must rebuild it.
    await step(() => api.server.faults.stallWatches({ seconds: 4 }), true);
    await step(() => {
      api.server.faults.failRequests({ seconds: 1, status: 503 });
      api.server.faults.closeWatches();
    });
    await step(() => undefined);
    expect(await counts(lookout, uid, 'web-1.backoff')).toEqual([...Array(18).keys()].map((i) => i + 1));
    const metrics = await (await fetch(`${lookout.url}/metrics`)).text();
    const total = (name: string): number =>
      [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'gm'))].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    // The three forced 410s hit whichever watches reconnected first; each led to a relist.
    expect(total('lookout_watch_gone_total')).toBeGreaterThanOrEqual(3);
    expect(total('lookout_watch_watchdog_restarts_total')).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/lookout_watch_reconnects_total\{cluster="sim",resource="Event"\} [1-9]/);
    expect(metrics).toMatch(/lookout_watch_last_event_age_seconds\{cluster="sim",resource="Pod"\}/);
  });

  it('records a crash with the previous container log and the warning events around it', async () => {
    const api = await startTestApi(dir.path);
    running.push({ stop: () => api.close() });
    api.store.create('pods', runningPod('api-1', 'shop', 2));
    const lookout = await lookoutFor(api, join(dir.path, 'crash.db'));
    await lookout.start();
    await until('synced', async () => (await fetch(`${lookout.url}/readyz`)).status === 200);
    // Restarts before the first sync are the baseline: no crash records.
    expect((await queryCrashes(lookout.store.db, lookout.store.dialect, {})).items).toEqual([]);
    recordEvent(
      api.store,
      'shop',
      'api-1.backoff',
      'BackOff',
      'Back-off restarting failed container app',
      'api-1',
    );
    api.previousLogs.set('shop/api-1/app', 'listening on :8080\nFATAL: config key db.url missing\n');
    crashPod(api.store, 'shop', 'api-1', 2, 'Error', 1);
    const crash = await until('crash with logs', async () => {
      const [c] = (await queryCrashes(lookout.store.db, lookout.store.dialect, {})).items;
      return c?.logStatus === 'ok' ? c : undefined;
    });
    expect(crash).toMatchObject({
      pod: 'api-1',
      container: 'app',
      restartCount: 2,
      covers: 1,
      reason: 'Error',
      exitCode: 1,
    });
    expect(crash.logTail).toContain('FATAL: config key db.url missing');
    expect(crash.warningEvents.map((e) => e.reason)).toEqual(['BackOff']);
  });

  it('resumes from the stored resourceVersion after a restart and catches up on what it missed', async () => {
    const api = await startTestApi(dir.path);
    running.push({ stop: () => api.close() });
    api.store.create('pods', runningPod('a-1'));
    api.store.create('pods', runningPod('b-1'));
    const db = join(dir.path, 'resume.db');
    const first = await lookoutFor(api, db);
    await first.start();
    await until('synced', async () => (await fetch(`${first.url}/readyz`)).status === 200);
    recordEvent(api.store, 'shop', 'a-1.ev', 'Unhealthy', 'Readiness probe failed', 'a-1');
    await until(
      'first occurrence',
      async () => (await queryEvents(first.store.db, first.store.dialect, {})).items.length === 1,
    );
    await first.stop();
    running.splice(running.indexOf(first), 1);

    // While Lookout is down: two bumps, a crash, a deleted pod and a new pod.
    recordEvent(api.store, 'shop', 'a-1.ev', 'Unhealthy', 'Readiness probe failed', 'a-1');
    recordEvent(api.store, 'shop', 'a-1.ev', 'Unhealthy', 'Readiness probe failed', 'a-1');
    crashPod(api.store, 'shop', 'a-1', 0);
    api.store.delete('pods', 'shop', 'b-1');
    api.store.create('pods', runningPod('c-1', 'shop', 0));

    const second = await lookoutFor(api, db);
    await second.start();
    const uid = (name: string): string | undefined => api.store.get('events', 'shop', name)?.metadata.uid;
    await until('caught up', async () => (await counts(second, uid, 'a-1.ev')).length === 3);
    expect(await counts(second, uid, 'a-1.ev')).toEqual([1, 2, 3]);
    await until(
      'crash',
      async () => (await queryCrashes(second.store.db, second.store.dialect, {})).items.length === 1,
    );
    await until(
      'b-1 deleted',
      () => second.state('sim')?.pod('shop', 'b-1') === undefined && second.state('sim')?.pod('shop', 'c-1'),
    );
    const deleted = await queryLifecycle(second.store.db, { action: 'deleted' });
    expect(deleted.map((e) => e.pod)).toEqual(['b-1']);
    // Resumed, not relisted.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).not.toMatch(/lookout_watch_relists_total\{cluster="sim",resource="Pod"\}/);
  });

  it('relists and reconciles when its checkpoint has expired while it was down', async () => {
    const api = await startTestApi(dir.path, { historyLimit: 20 });
    running.push({ stop: () => api.close() });
    api.store.create('pods', runningPod('keep-1'));
    api.store.create('pods', runningPod('gone-1'));
    const db = join(dir.path, 'expired.db');
    const first = await lookoutFor(api, db);
    await first.start();
    await until('synced', async () => (await fetch(`${first.url}/readyz`)).status === 200);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    api.store.delete('pods', 'shop', 'gone-1');
    for (let i = 0; i < 40; i++)
      api.store.create('configmaps', { metadata: { name: `churn-${i}`, namespace: 'ops' } });
    const second = await lookoutFor(api, db);
    await second.start();
    await until(
      'gone-1 reconciled away',
      () =>
        second.state('sim')?.pod('shop', 'gone-1') === undefined &&
        second.state('sim')?.pod('shop', 'keep-1'),
    );
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/lookout_watch_gone_total\{cluster="sim",resource="Pod"\} [1-9]/);
  });
});
