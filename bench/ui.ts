// Benchmark: how long each web UI page takes to become usable — the HTML parsed and its first
// data on screen (tables filled, charts drawn) — in Debian's Chromium, with Lookout watching
// the simulated `big` cluster (1,000 nodes, ~10,000 pods) and holding a week of history
// (150,000 event occurrences, 3,000 crashes with their logs). Target: under 1 s per page.
// Lookout and the simulated cluster run in a child process, so the browser's driver never
// waits on Lookout's event loop; times are the browser's own, from navigation start until every
// "ready" element is on the page. Run: npx tsx bench/run-one.ts ui uiPages
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { Lookout } from '../src/main.js';
import { completeCrashLog, insertCrashes, type NewCrash } from '../src/store/repos/crash-repo.js';
import { insertOccurrences, type NewEventOccurrence } from '../src/store/repos/event-repo.js';
import { openAbnormal } from '../src/store/repos/pod-history-repo.js';
import { ACCOUNTS, startUiStack } from '../test/ui/support/ui-stack.js';
import type { BenchResult } from './report.js';

const TARGET_MS = 1000;
const DAY = 24 * 3600_000;
const EVENTS = 150_000;
const CRASHES = 3_000;

const REASONS: ReadonlyArray<readonly [string, string, (pod: string, c: string) => string]> = [
  ['Warning', 'BackOff', (p, c) => `Back-off restarting failed container ${c} in pod ${p}`],
  ['Normal', 'Pulled', (_p, c) => `Container image "ghcr.io/acme/${c}:1.4.2" already present on machine`],
  ['Normal', 'Started', (_p, c) => `Started container ${c}`],
  ['Warning', 'Unhealthy', () => 'Readiness probe failed: HTTP probe failed with statuscode: 503'],
  ['Normal', 'Killing', (_p, c) => `Stopping container ${c}`],
  [
    'Warning',
    'FailedScheduling',
    () => '0/1000 nodes are available: 997 Insufficient memory, 3 node(s) had untolerated taint',
  ],
];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A week of history for the pods the cluster runs: event occurrences, crashes with logs, abnormal pods. */
async function loadHistory(lookout: Lookout, now: number): Promise<{ crashId: number }> {
  const pods = lookout.state('demo')?.pods() ?? [];
  if (pods.length === 0) throw new Error('the cluster has no pods yet');
  const rnd = seeded(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const events: NewEventOccurrence[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const pod = pick(pods);
    const container = pod.containers[0]?.name ?? 'app';
    const [type, reason, message] = pick(REASONS);
    const at = now - Math.floor(rnd() * 7 * DAY);
    events.push({
      cluster: 'demo',
      eventUid: `bench-${i}`,
      countFrom: 1,
      countTo: 1,
      namespace: pod.namespace,
      name: `${pod.name}.${i.toString(16)}`,
      reason,
      type,
      message: message(pod.name, container),
      involved: { kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: pod.uid, fieldPath: null },
      source: 'kubelet',
      host: pod.node ?? null,
      firstAt: at,
      lastAt: at,
      observedAt: at,
    });
  }
  await insertOccurrences(lookout.store.db, lookout.store.dialect, events);
  const crashes: NewCrash[] = [];
  for (let i = 0; i < CRASHES; i++) {
    const pod = pick(pods);
    const at = now - Math.floor(rnd() * 7 * DAY);
    crashes.push({
      cluster: 'demo',
      podUid: pod.uid,
      namespace: pod.namespace,
      pod: pod.name,
      container: pod.containers[0]?.name ?? 'app',
      containerType: 'app',
      restartCount: 1000 + i,
      covers: 1,
      reason: rnd() < 0.3 ? 'OOMKilled' : 'Error',
      exitCode: rnd() < 0.3 ? 137 : 1,
      signal: null,
      message: null,
      startedAt: at - 60_000,
      finishedAt: at,
      node: pod.node ?? null,
      workloadKind: pod.workload?.kind ?? null,
      workload: pod.workload?.name ?? null,
      livenessProbe: false,
      observedAt: at,
    });
  }
  const inserted = await insertCrashes(lookout.store.db, crashes);
  const log = Array.from(
    { length: 200 },
    (_, n) =>
      `{"level":"info","ts":"2026-01-01T00:00:${String(n % 60).padStart(2, '0')}Z","msg":"handled request","n":${n}}`,
  ).join('\n');
  for (const c of inserted) {
    await completeCrashLog(lookout.store.db, c.id, {
      status: 'ok',
      tail: log,
      truncated: false,
      error: null,
      warningEvents: [],
    });
  }
  await openAbnormal(
    lookout.store.db,
    pods.slice(0, 150).map((p) => ({
      cluster: 'demo',
      podUid: p.uid,
      namespace: p.namespace,
      pod: p.name,
      container: p.containers[0]?.name ?? '',
      reason: 'CrashLoopBackOff',
      message: 'back-off 5m0s restarting failed container',
      beganAt: now - 3600_000,
    })),
  );
  await lookout.store.optimize();
  return { crashId: inserted.at(-1)!.id };
}

interface PageSpec {
  readonly name: string;
  readonly path: string;
  /** What must be on screen for the page to count as usable. */
  readonly ready: readonly string[];
}

/**
 * Runs in every page before its own scripts: when the selectors named in sessionStorage are
 * all present, records `performance.now()` (ms since navigation start) as `__lookoutReadyAt`.
 */
const READY_PROBE = `(() => {
  const selectors = JSON.parse(sessionStorage.getItem('lookout-bench-ready') || '[]');
  if (selectors.length === 0) return;
  const check = () => {
    if (window.__lookoutReadyAt !== undefined) return;
    if (selectors.every((s) => document.querySelector(s))) window.__lookoutReadyAt = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

async function timeLoad(page: Page, url: string, ready: readonly string[]): Promise<number> {
  await page.evaluate((r) => sessionStorage.setItem('lookout-bench-ready', JSON.stringify(r)), [...ready]);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  for (const selector of ready) await page.locator(selector).first().waitFor({ timeout: 60_000 });
  const took = await page.evaluate(
    () => (window as unknown as { __lookoutReadyAt?: number }).__lookoutReadyAt,
  );
  if (took === undefined) throw new Error(`${url}: the ready probe saw nothing`);
  // Let the page's own background requests finish before the next load: SQLite answers one
  // query at a time, so a slow chart of this load would otherwise be charged to the next.
  await page.waitForLoadState('networkidle', { timeout: 60_000 });
  return took;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Served {
  readonly url: string;
  readonly crashId: number;
  readonly pod: { namespace: string; name: string; workload: { kind: string; name: string } };
  readonly pods: number;
}

const SELF = fileURLToPath(import.meta.url);

/** The child: the big cluster, Lookout watching it, a week of history; says where, then serves until stdin ends. */
async function serve(): Promise<void> {
  const stack = await startUiStack({ scenario: 'big', timeScale: 1, metricsInterval: '30s' });
  const deadline = Date.now() + 300_000;
  while ((stack.lookout.state('demo')?.count('Pod') ?? 0) < 9_000) {
    if (Date.now() > deadline) throw new Error('Lookout did not see the big cluster in 5 minutes');
    await new Promise((r) => setTimeout(r, 1000));
  }
  const { crashId } = await loadHistory(stack.lookout, Date.now());
  const pod = stack.lookout
    .state('demo')!
    .pods()
    .find((p) => p.workload)!;
  const served: Served = {
    url: stack.url,
    crashId,
    pod: { namespace: pod.namespace, name: pod.name, workload: pod.workload! },
    pods: stack.lookout.state('demo')?.count('Pod') ?? 0,
  };
  process.stdout.write(`${JSON.stringify(served)}\n`);
  process.stdin.resume();
  await new Promise((r) => process.stdin.once('end', r));
  await stack.close();
}

function startChild(): Promise<{ served: Served; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the Lookout child exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({
        served: JSON.parse(line) as Served,
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.stdin.end();
          }),
      });
    });
  });
}

export async function uiPages(runs = 5): Promise<BenchResult[]> {
  const { served, stop } = await startChild();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const { url, crashId, pod } = served;
    const pages: PageSpec[] = [
      {
        name: 'overview',
        path: '/ui/',
        ready: ['[data-testid=abnormal-pods] tbody tr', '[data-testid=recent-crashes] tbody tr'],
      },
      { name: 'events', path: '/ui/events?since=7d', ready: ['[data-testid=events] tbody tr'] },
      {
        name: 'events (histogram drawn)',
        path: '/ui/events?since=7d',
        ready: ['[data-testid=events] tbody tr', '[data-testid=event-histogram] .uplot'],
      },
      {
        name: 'event search',
        path: '/ui/events?since=7d&q=readiness+probe',
        ready: ['[data-testid=events] tbody tr', '[data-testid=event-histogram] .uplot'],
      },
      { name: 'crashes', path: '/ui/crashes', ready: ['[data-testid=crashes] tbody tr'] },
      {
        name: 'crash',
        path: `/ui/crashes/${crashId}`,
        ready: ['[data-testid=log] .line', '[data-testid=crash-history] .uplot'],
      },
      { name: 'pods', path: '/ui/pods', ready: ['[data-testid=pods] tbody tr'] },
      {
        name: 'pod',
        path: `/ui/pods/demo/${pod.namespace}/${pod.name}`,
        ready: ['[data-testid=pod-state]', '[data-testid=lifecycle]'],
      },
      { name: 'workloads', path: '/ui/workloads', ready: ['[data-testid=workloads] tbody tr'] },
      {
        name: 'workload',
        path: `/ui/workloads/demo/${pod.workload.kind}/${pod.namespace}/${pod.workload.name}`,
        ready: ['[data-testid=workload-pods] tbody tr'],
      },
      {
        name: 'metrics (first chart)',
        path: '/ui/metrics?range=1h',
        ready: ['[data-testid=chart-node-cpu] [data-drawn=done]'],
      },
      {
        name: 'metrics (all eight charts)',
        path: '/ui/metrics?range=1h',
        ready: ['container-memory', 'container-cpu'].map(
          (q) => `[data-testid=chart-${q}] :is([data-drawn=done], [data-drawn=empty], [data-drawn=error])`,
        ),
      },
      { name: 'hpa', path: '/ui/hpa', ready: ['[data-testid=hpas]'] },
      { name: 'alerts', path: '/ui/alerts', ready: ['h1'] },
      { name: 'silences', path: '/ui/silences', ready: ['[data-testid=silences]'] },
      { name: 'notifications', path: '/ui/notifications', ready: ['[data-testid=dead-letters]'] },
      { name: 'routes', path: '/ui/routes', ready: ['[data-testid=route]'] },
      { name: 'access', path: '/ui/access', ready: ['[data-testid=token-form]'] },
    ];
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.addInitScript(READY_PROBE);
    const page = await context.newPage();
    await page.goto(`${url}/ui/login`);
    await page.fill('[data-testid=login-name]', ACCOUNTS.admin.name);
    await page.fill('[data-testid=login-password]', ACCOUNTS.admin.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL(`${url}/ui/`);
    const results: BenchResult[] = [];
    for (const spec of pages) {
      await timeLoad(page, `${url}${spec.path}`, spec.ready); // warm-up
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await timeLoad(page, `${url}${spec.path}`, spec.ready));
      const p50 = percentile(times, 50);
      const max = Math.max(...times);
      results.push({
        name: `UI page usable: ${spec.name}`,
        value: Math.round(p50),
        unit: 'ms',
        target: `< ${TARGET_MS.toLocaleString('en')} ms`,
        pass: p50 < TARGET_MS,
        detail: `p50 of ${runs} loads (max ${Math.round(max)} ms), HTML parsed and first data shown; big cluster (${served.pods.toLocaleString('en')} pods), ${EVENTS.toLocaleString('en')} events, ${CRASHES.toLocaleString('en')} crashes`,
      });
    }
    await context.close();
    return results;
  } finally {
    await browser.close();
    await stop();
  }
}

if (process.argv.includes('--serve')) await serve();
