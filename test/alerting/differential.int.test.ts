// Differential test: Debian's real Alertmanager 0.25 and Lookout get the same configuration and
// the same alert sequence (and silences through each one's own API); the notifications each
// sends — groups, members, statuses and their order per group — must be the same.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlerting } from '../../src/alerting/alerting.js';
import { labelSetString } from '../../src/alerting/label-set.js';
import type { Notification } from '../../src/domain/notification.js';
import { createHttpApp } from '../../src/http/app.js';
import { startHttpServer } from '../../src/http/server.js';
import { Readiness } from '../../src/lib/readiness.js';
import { createDelivery } from '../../src/notify/delivery.js';
import { openSqliteStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { tempDir } from '../support/tmp.js';
import { startAlertmanager, startRecorder, type Recorder } from './support/alertmanager-process.js';
import { alertingConfig, outbox } from './support/harness.js';

interface AlertSpec {
  readonly labels: Record<string, string>;
  readonly resolve?: boolean;
}

interface Step {
  /** Seconds after the scenario starts. */
  readonly at: number;
  readonly post?: readonly AlertSpec[];
  readonly silence?: { readonly name: string; readonly matchers: readonly SilenceMatcherSpec[] };
  readonly expire?: string;
}

interface SilenceMatcherSpec {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual?: boolean;
}

interface Scenario {
  readonly name: string;
  /** The config; `URL` is replaced by the recorder URL plus a per-side prefix. */
  readonly config: string;
  readonly steps: readonly Step[];
  /** Seconds to wait after the start before comparing. */
  readonly end: number;
  /** At least this many notifications must have been compared (guards a silent no-op). */
  readonly minNotifications: number;
}

const TIMERS = 'group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h';

/**
 * Every time in the scenarios (step times and the route's timers) is stretched by this much, so
 * a busy machine's scheduling delays stay well inside the margins between ticks and steps.
 */
const SCALE = 2;

function scaleTimers(config: string): string {
  return config.replace(
    /\b(group_wait|group_interval|repeat_interval): (\d+(?:\.\d+)?)(ms|s|m|h)\b/g,
    (_m, key: string, value: string, unit: string) => `${key}: ${Number(value) * SCALE}${unit}`,
  );
}

// Timing rule that keeps both sides away from tick boundaries: groups are created at whole
// seconds (ticks then fall on whole seconds too) and existing groups are touched at x.5 s.
const SCENARIOS: readonly Scenario[] = [
  {
    name: 'nested routes with continue, nested group_by (incl. ...) and resolves',
    config: `
route:
  receiver: root
  group_by: [alertname]
  ${TIMERS}
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - matchers: ['team=~"a|b"']
      receiver: teams
      group_by: [team, alertname]
      routes:
        - matchers: ['env="prod"']
          receiver: prod
          group_by: ['...']
        - matchers: ['env="dev"']
          receiver: dev
          group_by: []
    - matchers: ['team="c"']
      receiver: c
      continue: true
    - match: { team: c }
      match_re: { env: 'pr.*' }
      receiver: c2
receivers:
  - { name: root, webhook_configs: [{ url: 'URL/root/0' }] }
  - { name: pager, webhook_configs: [{ url: 'URL/pager/0' }] }
  - { name: teams, webhook_configs: [{ url: 'URL/teams/0' }] }
  - { name: prod, webhook_configs: [{ url: 'URL/prod/0' }] }
  - { name: dev, webhook_configs: [{ url: 'URL/dev/0' }] }
  - { name: c, webhook_configs: [{ url: 'URL/c/0' }] }
  - { name: c2, webhook_configs: [{ url: 'URL/c2/0' }] }
`,
    steps: [
      {
        at: 0,
        post: [
          { labels: { alertname: 'Disk', severity: 'critical', team: 'a', env: 'prod', instance: 'i1' } },
          { labels: { alertname: 'Disk', severity: 'warning', team: 'a', env: 'dev', instance: 'i2' } },
          { labels: { alertname: 'Disk', severity: 'warning', team: 'b', instance: 'i3' } },
          { labels: { alertname: 'Cpu', team: 'c', env: 'prod' } },
          { labels: { alertname: 'Cpu', team: 'c', env: 'dev' } },
          { labels: { alertname: 'Mem', instance: 'i9', job: 'node' } },
          { labels: { alertname: 'Mem', a0: 'x', a: 'y', empty: '' } },
        ],
      },
      {
        at: 1.5,
        post: [
          { labels: { alertname: 'Disk', severity: 'warning', team: 'a', env: 'dev', instance: 'i4' } },
          { labels: { alertname: 'Mem', instance: 'i10', job: 'node' } },
        ],
      },
      {
        at: 3.5,
        post: [
          {
            labels: { alertname: 'Disk', severity: 'critical', team: 'a', env: 'prod', instance: 'i1' },
            resolve: true,
          },
          { labels: { alertname: 'Mem', instance: 'i9', job: 'node' }, resolve: true },
        ],
      },
      {
        at: 5.5,
        post: [
          {
            labels: { alertname: 'Disk', severity: 'warning', team: 'a', env: 'dev', instance: 'i2' },
            resolve: true,
          },
          {
            labels: { alertname: 'Disk', severity: 'warning', team: 'a', env: 'dev', instance: 'i4' },
            resolve: true,
          },
          { labels: { alertname: 'Disk', severity: 'warning', team: 'b', instance: 'i3' }, resolve: true },
          { labels: { alertname: 'Cpu', team: 'c', env: 'prod' }, resolve: true },
          { labels: { alertname: 'Mem', instance: 'i10', job: 'node' }, resolve: true },
        ],
      },
    ],
    end: 7.3,
    minNotifications: 15,
  },
  {
    name: 'inhibition, including equal labels missing on both sides and the two-sided rule',
    config: `
route:
  receiver: hook
  group_by: [alertname, namespace]
  ${TIMERS}
receivers:
  - { name: hook, webhook_configs: [{ url: 'URL/hook/0' }] }
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [namespace]
  - source_matchers: ['alertname="Twin"']
    target_matchers: ['alertname="Twin"']
  - source_match: { alertname: Gate }
    target_match_re: { alertname: 'Gated.*' }
`,
    steps: [
      {
        at: 0,
        post: [
          { labels: { alertname: 'NodeDown', severity: 'critical', namespace: 'ns1' } },
          { labels: { alertname: 'PodSlow', severity: 'warning', namespace: 'ns1' } },
          { labels: { alertname: 'PodSlow', severity: 'warning', namespace: 'ns2' } },
          { labels: { alertname: 'PodSlow', severity: 'warning' } },
          { labels: { alertname: 'Twin', n: '1' } },
          { labels: { alertname: 'Twin', n: '2' } },
          { labels: { alertname: 'Gate' } },
          { labels: { alertname: 'GatedA', severity: 'info' } },
        ],
      },
      {
        at: 2.5,
        post: [
          { labels: { alertname: 'NodeDown', severity: 'critical', namespace: 'ns1' }, resolve: true },
          { labels: { alertname: 'Gate' }, resolve: true },
        ],
      },
      { at: 4.0, post: [{ labels: { alertname: 'NodeDown', severity: 'critical' } }] },
      {
        at: 5.5,
        post: [{ labels: { alertname: 'PodSlow', severity: 'warning', namespace: 'ns2' }, resolve: true }],
      },
    ],
    end: 7.3,
    minNotifications: 7,
  },
  {
    name: 'silences created and expired through each side’s API',
    config: `
route:
  receiver: hook
  group_by: [namespace]
  ${TIMERS}
receivers:
  - { name: hook, webhook_configs: [{ url: 'URL/hook/0' }] }
`,
    steps: [
      {
        at: 0,
        silence: { name: 'noisy', matchers: [{ name: 'alertname', value: 'Noisy', isRegex: false }] },
        post: [
          { labels: { alertname: 'Noisy', namespace: 'x' } },
          { labels: { alertname: 'Real', namespace: 'x' } },
          { labels: { alertname: 'Other', namespace: 'y' } },
        ],
      },
      { at: 2.5, expire: 'noisy' },
      {
        at: 4.5,
        silence: { name: 'ns', matchers: [{ name: 'namespace', value: 'x|z', isRegex: true }] },
        post: [{ labels: { alertname: 'Real', namespace: 'x' }, resolve: true }],
      },
      { at: 6.5, expire: 'ns', post: [{ labels: { alertname: 'Other', namespace: 'y' }, resolve: true }] },
      { at: 7.5, post: [{ labels: { alertname: 'Noisy', namespace: 'x' }, resolve: true }] },
    ],
    end: 9.3,
    minNotifications: 5,
  },
  {
    name: 'mute_time_intervals and active_time_intervals (always and never)',
    config: `
route:
  receiver: hook
  group_by: [alertname]
  ${TIMERS}
  routes:
    - matchers: ['r="muted"']
      receiver: hook
      mute_time_intervals: [always]
    - matchers: ['r="inactive"']
      receiver: hook
      active_time_intervals: [never]
    - matchers: ['r="active"']
      receiver: hook
      active_time_intervals: [always]
      mute_time_intervals: [never]
receivers:
  - { name: hook, webhook_configs: [{ url: 'URL/hook/0' }] }
time_intervals:
  - name: always
    time_intervals:
      - weekdays: ['sunday:saturday']
        location: Europe/Berlin
  - name: never
    time_intervals:
      - years: ['1999']
        days_of_month: ['-3:-1']
`,
    steps: [
      {
        at: 0,
        post: [
          { labels: { alertname: 'M', r: 'muted' } },
          { labels: { alertname: 'I', r: 'inactive' } },
          { labels: { alertname: 'A', r: 'active' } },
          { labels: { alertname: 'N' } },
        ],
      },
      {
        at: 2.5,
        post: [
          { labels: { alertname: 'A', r: 'active' }, resolve: true },
          { labels: { alertname: 'M', r: 'muted' }, resolve: true },
        ],
      },
    ],
    end: 4.3,
    minNotifications: 3,
  },
  {
    name: 'repeat_interval and send_resolved per integration',
    config: `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1500ms
receivers:
  - name: hook
    webhook_configs: [{ url: 'URL/hook/0' }, { url: 'URL/hook/1', send_resolved: false }]
`,
    steps: [
      { at: 0, post: [{ labels: { alertname: 'A', i: '1' } }, { labels: { alertname: 'A', i: '2' } }] },
      { at: 1.5, post: [{ labels: { alertname: 'A', i: '3' } }] },
      { at: 4.5, post: [{ labels: { alertname: 'A', i: '1' }, resolve: true }] },
      {
        at: 6.5,
        post: [
          { labels: { alertname: 'A', i: '2' }, resolve: true },
          { labels: { alertname: 'A', i: '3' }, resolve: true },
        ],
      },
    ],
    end: 8.3,
    minNotifications: 9,
  },
];

/** `receiver/index groupKey` → notifications in the order sent, each reduced to status and members. */
type Timeline = Map<string, string[]>;

function describeNotification(n: Notification): string {
  const members = n.alerts.map((a) => `${labelSetString(a.labels)}=${a.status}`);
  return `${n.status} ${members.join(' ')}`;
}

function timelineOf(items: ReadonlyArray<{ channel: string; notification: Notification }>): Timeline {
  const out: Timeline = new Map();
  for (const { channel, notification } of items) {
    const key = `${channel} ${notification.groupKey}`;
    const list = out.get(key) ?? [];
    list.push(describeNotification(notification));
    out.set(key, list);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function recorded(
  recorder: Recorder,
  prefix: string,
): Array<{ channel: string; notification: Notification }> {
  return recorder.requests
    .filter((r) => r.path.startsWith(`/${prefix}/`))
    .map((r) => ({ channel: r.path.slice(prefix.length + 2), notification: r.body as Notification }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function runScenario(scenario: Scenario, recorder: Recorder) {
  const id = Math.random().toString(36).slice(2, 8);
  const scaled = scaleTimers(scenario.config);
  const amConfig = scaled.replaceAll('URL', `${recorder.url}/am-${id}`);
  const lookoutConfig = scaled.replaceAll('URL', `${recorder.url}/lo-${id}`);
  const am = await startAlertmanager(`global: { resolve_timeout: 5m }\n${amConfig}`);
  const dir = tempDir('lookout-diff-');
  const store = openSqliteStore(join(dir.path, 'lookout.db'));
  await store.migrate();
  const config = alertingConfig(lookoutConfig);
  const metrics = createMetrics({ version: 'test', defaultMetrics: false });
  const registry = metrics.registry;
  const delivery = createDelivery({
    receivers: config.receivers,
    store,
    log: silentLogger(),
    registry,
    version: 'test',
    dispatcher: { pollIntervalMs: 100 },
  });
  const alerting = createAlerting({
    config,
    store,
    log: silentLogger(),
    registry,
    onNotificationsQueued: () => delivery.wake(),
  });
  // As `lookout serve` serves it: alert posts are answered by the direct route.
  const app = createHttpApp(
    { log: silentLogger(), metrics, readiness: new Readiness(), status: () => ({}) },
    [alerting.mount],
  );
  await alerting.start();
  await delivery.start();
  const lookout = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  const silenceIds = new Map<string, { am: string; lookout: string }>();
  try {
    const start = Date.now();
    for (const step of scenario.steps) {
      await sleep(start + step.at * 1000 * SCALE - Date.now());
      if (step.expire) {
        const ids = silenceIds.get(step.expire)!;
        for (const [base, sid] of [
          [am.url, ids.am],
          [lookout.url, ids.lookout],
        ] as const) {
          const res = await fetch(`${base}/api/v2/silence/${sid}`, { method: 'DELETE' });
          expect(res.status, `expire on ${base}`).toBe(200);
        }
      }
      if (step.silence) {
        const body = {
          matchers: step.silence.matchers.map((m) => ({ ...m, isEqual: m.isEqual ?? true })),
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3600_000).toISOString(),
          createdBy: 'differential test',
          comment: step.silence.name,
        };
        const ids = await Promise.all(
          [am.url, lookout.url].map(async (base) => {
            const res = await postJson(`${base}/api/v2/silences`, body);
            expect(res.status, `silence on ${base}`).toBe(200);
            return ((await res.json()) as { silenceID: string }).silenceID;
          }),
        );
        silenceIds.set(step.silence.name, { am: ids[0]!, lookout: ids[1]! });
      }
      if (step.post) {
        const now = new Date().toISOString();
        const alerts = step.post.map((a) => ({ labels: a.labels, ...(a.resolve ? { endsAt: now } : {}) }));
        for (const base of [am.url, lookout.url]) {
          const res = await postJson(`${base}/api/v2/alerts`, alerts);
          expect(res.status, `post on ${base}`).toBe(200);
        }
      }
    }
    await sleep(start + scenario.end * 1000 * SCALE - Date.now());
    await alerting.idle();
    const fromOutbox = (await outbox(store)).map((r) => ({
      channel: `${r.receiver}/${r.integrationIndex}`,
      notification: r.notification,
    }));
    // Give the delivery dispatcher a moment to hand the last rows to the recorder.
    const deadline = Date.now() + 10_000;
    while (recorded(recorder, `lo-${id}`).length < fromOutbox.length && Date.now() < deadline)
      await sleep(50);
    return {
      alertmanager: timelineOf(recorded(recorder, `am-${id}`)),
      outbox: timelineOf(fromOutbox),
      delivered: timelineOf(recorded(recorder, `lo-${id}`)),
      count: fromOutbox.length,
      amLog: am.output(),
    };
  } finally {
    await lookout.close();
    await delivery.stop();
    await alerting.stop();
    await store.close();
    await am.stop();
    dir.remove();
  }
}

describe('Lookout against Alertmanager 0.25 (differential)', () => {
  const recorders: Recorder[] = [];
  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.close()));
  });

  for (const scenario of SCENARIOS) {
    it.concurrent(`sends what Alertmanager sends: ${scenario.name}`, { timeout: 45_000 }, async () => {
      const recorder = await startRecorder();
      recorders.push(recorder);
      const result = await runScenario(scenario, recorder);
      expect(result.count).toBeGreaterThanOrEqual(scenario.minNotifications);
      expect(result.outbox, `Alertmanager log:\n${result.amLog}`).toEqual(result.alertmanager);
      expect(result.delivered).toEqual(result.alertmanager);
    });
  }
});
