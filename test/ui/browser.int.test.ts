// The web UI in a real browser (Debian's Chromium driven by playwright-core) against Lookout
// watching the demo's simulated cluster: the overview shows the simulator's abnormal pods, an
// event search finds a known message, a crash page shows its log, a silence made from an alert
// mutes it, a viewer cannot make one, forged forms are refused, signing out works. Every page
// is photographed into docs/images/ui-*.png (the overview at phone width too).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { ACCOUNTS, startUiStack, type UiStack } from './support/ui-stack.js';

const SHOTS = join(REPO_ROOT, 'docs', 'images');
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

interface Api {
  get<T>(path: string): Promise<T>;
}

interface Crash {
  id: number;
  pod: string;
  namespace: string;
  logStatus: string;
  logLines: number;
}

interface WireAlert {
  fingerprint: string;
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[] };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the web UI in Chromium', () => {
  let stack: UiStack;
  let browser: Browser;
  let api: Api;
  const problems: string[] = [];

  async function signedIn(
    account: { name: string; password: string },
    viewport = DESKTOP,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport,
      ...(viewport === PHONE ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
    });
    await page.goto(`${stack.url}/ui/`);
    await page.waitForURL(/\/ui\/login/);
    await page.fill('[data-testid=login-name]', account.name);
    await page.fill('[data-testid=login-password]', account.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL(`${stack.url}/ui/`);
    return { context, page };
  }

  beforeAll(async () => {
    stack = await startUiStack({ timeScale: 0.02 });
    api = {
      async get<T>(path: string): Promise<T> {
        const res = await fetch(`${stack.url}${path}`, {
          headers: { authorization: `Bearer ${stack.bootstrapToken}` },
        });
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      },
    };
    browser = await chromium.launch({
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
    mkdirSync(SHOTS, { recursive: true });
    // The demo's story has begun: crashes with their logs, abnormal pods, firing alerts.
    await until('a crash with its log', async () => {
      const { items } = await api.get<{ items: Crash[] }>('/api/v1/crashes?limit=50');
      return items.find((c) => c.logStatus === 'ok' && c.logLines > 5);
    });
    await until('an abnormal pod', async () => {
      const { items } = await api.get<{ items: unknown[] }>('/api/v1/pods?abnormal=true');
      return items.length > 0 ? items : undefined;
    });
    await until('a firing alert', async () => {
      const alerts = await api.get<WireAlert[]>('/api/v2/alerts?silenced=false&inhibited=false');
      return alerts.length > 0 ? alerts : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the simulator’s abnormal pods on the overview, and refreshes it in place', async () => {
    const before = await api.get<{ items: Array<{ pod: string }> }>('/api/v1/pods?abnormal=true&limit=5000');
    const { context, page } = await signedIn(ACCOUNTS.admin);
    const shown = await page.locator('[data-testid=abnormal-pods] tbody tr td:first-child a').allInnerTexts();
    const after = await api.get<{ items: Array<{ pod: string }> }>('/api/v1/pods?abnormal=true&limit=5000');
    const known = new Set([...before.items, ...after.items].map((p) => p.pod));
    expect(shown.length).toBeGreaterThan(0);
    for (const text of shown) expect(known.has(text.split('/').at(-1)!.trim()), text).toBe(true);
    expect(Number(await page.locator('[data-testid=abnormal-count] .value').innerText())).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=nodes-ready] .value').innerText()).toMatch(/^\d+\/3$/);
    // The live part is replaced by a fresh rendering without a reload.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.waitForFunction(
      () => document.querySelector('#live')?.getAttribute('data-refreshed') !== null,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    await page
      .locator(
        '[data-testid=chart-node-cpu] [data-drawn=done], [data-testid=chart-node-cpu] [data-drawn=empty]',
      )
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'ui-overview.png'), fullPage: true });
    const phone = await signedIn(ACCOUNTS.admin, PHONE);
    await phone.page.locator('[data-testid=abnormal-pods]').waitFor();
    await phone.page.screenshot({ path: join(SHOTS, 'ui-overview-phone.png'), fullPage: true });
    // Nothing overflows the phone's width but the tables' own scrolling boxes.
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await phone.context.close();
    await context.close();
  }, 90_000);

  it('finds a known event message with the search box', async () => {
    // A message the simulated kubelet writes for the crash-looping `recommendations` container.
    const known = await until('a BackOff event', async () => {
      const { items } = await api.get<{ items: Array<{ message: string }> }>(
        '/api/v1/events?reason=BackOff&limit=5',
      );
      return items.find((e) => e.message.includes('Back-off restarting failed container'))?.message;
    });
    const { context, page } = await signedIn(ACCOUNTS.admin);
    await page.goto(`${stack.url}/ui/events`);
    await page.fill('[data-testid=event-search]', 'restarting failed container');
    await page.press('[data-testid=event-search]', 'Enter');
    await page.waitForURL(/q=restarting/);
    const messages = await page.locator('[data-testid=events] td.msg').allInnerTexts();
    expect(messages.length).toBeGreaterThan(0);
    expect(messages).toContain(known);
    for (const m of messages) expect(m.toLowerCase()).toContain('restarting failed container');
    await page.locator('[data-testid=event-histogram] .uplot').waitFor();
    await page.goto(`${stack.url}/ui/events?since=1h`);
    await page.locator('[data-testid=event-histogram] .uplot').waitFor();
    await page.screenshot({ path: join(SHOTS, 'ui-events.png'), fullPage: false });
    await context.close();
  }, 60_000);

  it('shows a crash with its log lines, finds text in them, and downloads them', async () => {
    const { items } = await api.get<{ items: Crash[] }>('/api/v1/crashes?limit=50');
    const summary = items.find((c) => c.logStatus === 'ok' && c.logLines > 5)!;
    const crash = await api.get<{ logTail: string; reason: string; exitCode: number }>(
      `/api/v1/crashes/${summary.id}`,
    );
    const lines = crash.logTail.split('\n').filter((l) => l !== '');
    const { context, page } = await signedIn(ACCOUNTS.admin);
    await page.goto(`${stack.url}/ui/crashes`);
    await page.locator(`a[href="/ui/crashes/${summary.id}"]`).first().click();
    await page.waitForURL(`${stack.url}/ui/crashes/${summary.id}`);
    expect(await page.locator('[data-testid=termination]').innerText()).toContain(crash.reason);
    const log = page.locator('[data-testid=log]');
    expect(await log.locator('.line').count()).toBe(lines.length);
    expect(await log.locator('.line').first().innerText()).toContain(lines[0]!.trim());
    expect(await log.locator('.line').last().innerText()).toContain(lines.at(-1)!.trim());
    // Find in the log: only the lines with the text stay visible.
    const word =
      lines
        .at(-1)!
        .trim()
        .split(/\s+/)
        .find((w) => w.length > 4) ?? lines.at(-1)!.trim();
    await page.fill('[data-testid=log-search]', word);
    const visible = await log.locator('.line:visible').allInnerTexts();
    expect(visible.length).toBe(lines.filter((l) => l.toLowerCase().includes(word.toLowerCase())).length);
    for (const v of visible) expect(v.toLowerCase()).toContain(word.toLowerCase());
    await page.fill('[data-testid=log-search]', '');
    await page.locator('[data-testid=crash-history] .uplot').waitFor();
    await page.screenshot({ path: join(SHOTS, 'ui-crash.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=download-log]'),
    ]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path, 'utf8')).toBe(crash.logTail);
    await context.close();
  }, 60_000);

  it('mutes an alert with a silence created from it', async () => {
    const { context, page } = await signedIn(ACCOUNTS.admin);
    let muted: WireAlert | undefined;
    // An alert may resolve while the form is filled in; then the next one is tried.
    for (let attempt = 0; attempt < 3 && !muted; attempt++) {
      await page.goto(`${stack.url}/ui/alerts`);
      const row = page.locator('[data-testid=alert-row]:has([data-testid=silence-alert])').first();
      await row.waitFor();
      const fingerprint = (await row.getAttribute('data-fingerprint'))!;
      await row.locator('[data-testid=silence-alert]').click();
      await page.waitForURL(/\/ui\/silences\/new\?fp=/);
      const matchers = await page.inputValue('[data-testid=silence-matchers]');
      expect(matchers).toMatch(/^alertname="/);
      if (attempt === 0) await page.screenshot({ path: join(SHOTS, 'ui-silence-new.png'), fullPage: true });
      await page.fill('[data-testid=silence-comment]', 'known problem, on it');
      await page.click('[data-testid=silence-submit]');
      await page.waitForURL(/\/ui\/silences\?notice=created/);
      const id = new URL(page.url()).searchParams.get('id')!;
      expect(await page.locator(`[data-silence-id="${id}"]`).innerText()).toContain('active');
      const alerts = await api.get<WireAlert[]>('/api/v2/alerts');
      muted = alerts.find((a) => a.fingerprint === fingerprint && a.status.silencedBy.includes(id));
      if (muted) expect(muted.status.state).toBe('suppressed');
    }
    expect(muted).toBeDefined();
    await page.goto(`${stack.url}/ui/alerts`);
    await page.locator(`[data-fingerprint="${muted!.fingerprint}"] [data-testid=suppressed]`).waitFor();
    await page.screenshot({ path: join(SHOTS, 'ui-alerts.png'), fullPage: true });
    await page.goto(`${stack.url}/ui/silences`);
    await page.screenshot({ path: join(SHOTS, 'ui-silences.png'), fullPage: true });
    await context.close();
  }, 90_000);

  it('does not let a viewer create a silence', async () => {
    const alerts = await api.get<WireAlert[]>('/api/v2/alerts');
    const { context, page } = await signedIn(ACCOUNTS.viewer);
    await page.goto(`${stack.url}/ui/alerts`);
    expect(await page.locator('[data-testid=silence-alert]').count()).toBe(0);
    await page.goto(`${stack.url}/ui/silences/new?fp=${alerts[0]!.fingerprint}`);
    expect(await page.locator('[data-testid=silence-submit]').isDisabled()).toBe(true);
    // Sending the form anyway is refused by the server.
    await page.fill('[data-testid=silence-comment]', 'viewer tries');
    await page.evaluate(() => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid=silence-submit]')!;
      button.disabled = false;
      button.click();
    });
    await page.locator('[data-testid=error]').waitFor();
    expect(await page.locator('[data-testid=error]').innerText()).toContain('may only read');
    const silences = await api.get<Array<{ comment: string }>>('/api/v2/silences');
    expect(silences.map((s) => s.comment)).not.toContain('viewer tries');
    await context.close();
  }, 60_000);

  it('refuses a form with a forged CSRF token and a change sent from another site', async () => {
    const { context, page } = await signedIn(ACCOUNTS.admin);
    await page.goto(`${stack.url}/ui/silences/new`);
    await page.fill('[data-testid=silence-matchers]', 'alertname="Forged"');
    await page.fill('[data-testid=silence-comment]', 'forged');
    await page.evaluate(() => {
      document.querySelector<HTMLInputElement>('[data-testid=silence-form] input[name=_csrf]')!.value =
        'forged-token';
    });
    await page.click('[data-testid=silence-submit]');
    await page.locator('[data-testid=error]').waitFor();
    expect(await page.locator('[data-testid=error]').innerText()).toContain('did not come from Lookout');
    const fromElsewhere = await page.request.post(`${stack.url}/api/v2/silences`, {
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      data: {
        matchers: [{ name: 'alertname', value: 'Forged', isRegex: false }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 60_000).toISOString(),
        createdBy: 'x',
        comment: 'forged',
      },
    });
    expect(fromElsewhere.status()).toBe(403);
    const silences = await api.get<Array<{ comment: string }>>('/api/v2/silences');
    expect(silences.map((s) => s.comment)).not.toContain('forged');
    await context.close();
  }, 60_000);

  it('re-sends a dead letter', async () => {
    await until('a dead letter', async () => {
      const { dead_letters } = await api.get<{ dead_letters: unknown[] }>('/api/v1/notifications/dead');
      return dead_letters.length > 0 ? dead_letters : undefined;
    });
    const { context, page } = await signedIn(ACCOUNTS.admin);
    await page.goto(`${stack.url}/ui/notifications`);
    await page.screenshot({ path: join(SHOTS, 'ui-notifications.png'), fullPage: true });
    const before = stack.recorder.requests.filter((r) => r.path === '/broken').length;
    await page.locator('[data-testid=resend]').first().click();
    await page.waitForURL(/notice=resent/);
    await until(
      'the re-sent notification',
      () =>
        Promise.resolve(
          stack.recorder.requests.filter((r) => r.path === '/broken').length > before ? true : undefined,
        ),
      20_000,
    );
    await context.close();
  }, 60_000);

  it('renders every page without a script error, and photographs it', async () => {
    const { items } = await api.get<{
      items: Array<{ pod: { namespace: string; name: string; workload?: { kind: string; name: string } } }>;
    }>('/api/v1/pods?namespace=shop');
    const pod = items.find((p) => p.pod.workload)!.pod;
    const { context, page } = await signedIn(ACCOUNTS.admin);
    const pages: Array<[string, string]> = [
      ['crashes', '/ui/crashes'],
      ['pods', '/ui/pods'],
      ['pod', `/ui/pods/demo/${pod.namespace}/${pod.name}?range=1h`],
      ['workloads', '/ui/workloads'],
      [
        'workload',
        `/ui/workloads/demo/${pod.workload!.kind}/${pod.namespace}/${pod.workload!.name}?range=1h`,
      ],
      ['metrics', '/ui/metrics?range=1h'],
      ['hpa', '/ui/hpa'],
      ['routes', '/ui/routes?labels=alertname%3DContainerCrashed%2Cseverity%3Dwarning%2Cnamespace%3Dshop'],
      ['users', '/ui/users'],
      ['access', '/ui/access'],
    ];
    for (const [name, path] of pages) {
      const res = await page.goto(`${stack.url}${path}`);
      expect(res?.status(), path).toBe(200);
      expect(await page.title()).toMatch(/· Lookout$/);
      // Charts and tables filled by the browser finish (drawn, or saying why not).
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-chart]')].every((el) =>
            ['done', 'empty', 'error'].includes(el.getAttribute('data-drawn') ?? ''),
          ) &&
          [...document.querySelectorAll('[data-query-table]')].every(
            (el) => !el.textContent?.includes('Loading'),
          ),
        undefined,
        { timeout: 20_000 },
      );
      await page.screenshot({
        path: join(SHOTS, `ui-${name}.png`),
        fullPage: name !== 'pods' && name !== 'workloads',
      });
    }
    // The metrics page draws its eight queries from Lookout's own samples.
    await page.goto(`${stack.url}/ui/metrics?range=1h`);
    await page.locator('[data-testid=chart-node-cpu] [data-drawn=done]').waitFor({ timeout: 20_000 });
    // The tables are filled after the charts, each by its own request.
    await page.locator('[data-testid=top-nodes] tbody tr').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=top-nodes] tbody tr').count()).toBe(3);
    const login = await browser.newContext({ viewport: DESKTOP });
    const loginPage = await login.newPage();
    await loginPage.goto(`${stack.url}/ui/login`);
    await loginPage.screenshot({ path: join(SHOTS, 'ui-login.png') });
    await login.close();
    await context.close();
  }, 120_000);

  it('names a few containers without a limit under an empty chart, and counts the rest', async () => {
    const { context, page } = await signedIn(ACCOUNTS.viewer);
    // A big cluster may have 10,000 containers without a CPU limit: the chart says so briefly.
    const unlimited = Array.from({ length: 12 }, (_, i) => ({
      name: `shop/pod-${i}/app`,
      labels: { namespace: 'shop', pod: `pod-${i}`, container: 'app' },
    }));
    await page.route('**/api/v1/query/container-cpu?*', (route) =>
      route.fulfill({
        json: { kind: 'series', query: 'container-cpu', unit: 'percent', series: [], unlimited },
      }),
    );
    await page.goto(`${stack.url}/ui/metrics?range=1h`);
    const chart = page.locator('[data-testid=chart-container-cpu] [data-drawn=empty]');
    await chart.waitFor({ timeout: 20_000 });
    expect(await chart.innerText()).toBe(
      'shop/pod-0/app, shop/pod-1/app, shop/pod-2/app, shop/pod-3/app, shop/pod-4/app and 7 more: no limit set, so there is no share of a limit to draw.',
    );
    await context.close();
  });

  it('signs out', async () => {
    const { context, page } = await signedIn(ACCOUNTS.viewer);
    expect(await page.locator('[data-testid=user]').innerText()).toContain(ACCOUNTS.viewer.name);
    await page.click('[data-testid=sign-out]');
    await page.waitForURL(/\/ui\/login\?signed_out=1/);
    expect(await page.content()).toContain('You are signed out.');
    await page.goto(`${stack.url}/ui/crashes`);
    expect(page.url()).toContain('/ui/login?next=%2Fui%2Fcrashes');
    await context.close();
  }, 30_000);

  it('logged no script errors on any page', () => {
    // The refused forms above answer 403 on purpose; the browser logs those loads.
    expect(problems.filter((p) => !/status of 403/.test(p))).toEqual([]);
  });
});
