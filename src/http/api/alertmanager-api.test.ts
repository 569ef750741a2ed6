import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../../store/index.js';
import { startAlerting, type Harness } from '../../../test/alerting/support/harness.js';

const CONFIG = `
global: { resolve_timeout: 5m }
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  routes:
    - matchers: ['team="db"']
      receiver: db
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]
  - name: db
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
`;

/** A JSON value read loosely: tests index into answers whose shape they assert. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Api = any;

describe('Alertmanager v2 API', () => {
  let store: Store;
  let h: Harness;
  let app: Hono;

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    await store.migrate();
    h = await startAlerting(store, CONFIG);
    app = new Hono();
    h.alerting.mount(app);
  });

  afterEach(async () => {
    await h.alerting.stop();
    await store.close();
  });

  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const getJson = async (path: string) => {
    const res = await app.request(path);
    // Shapes vary per endpoint; each test reads the fields it checks.
    const body: Api = await res.json();
    return { status: res.status, body };
  };
  const metric = async (name: string) => {
    const m = await h.registry.getSingleMetricAsString(name);
    return m
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  };

  it('accepts what Prometheus posts: 200 with an empty body, empty labels dropped, end = now + resolve_timeout', async () => {
    const res = await post('/api/v2/alerts', [
      { labels: { alertname: 'Disk', instance: 'a', empty: '' }, annotations: { summary: 'full' } },
      { labels: { alertname: 'Disk', instance: 'b', team: 'db' }, generatorURL: 'http://prom/graph' },
    ]);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const { body } = await getJson('/api/v2/alerts');
    const now = h.clock.now();
    expect(body).toHaveLength(2);
    const first = body.find((a: Api) => a.labels.instance === 'a');
    expect(first).toEqual({
      annotations: { summary: 'full' },
      endsAt: new Date(now + 300_000).toISOString(),
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      receivers: [{ name: 'hook' }],
      startsAt: new Date(now).toISOString(),
      status: { inhibitedBy: [], silencedBy: [], state: 'active' },
      updatedAt: new Date(now).toISOString(),
      labels: { alertname: 'Disk', instance: 'a' },
    });
    expect(body.map((a: Api) => a.fingerprint)).toEqual([...body.map((a: Api) => a.fingerprint)].sort());
    expect(body.find((a: Api) => a.labels.instance === 'b').receivers).toEqual([{ name: 'db' }]);
  });

  it('answers malformed posts with Alertmanager’s 400 and 422 shapes, counts them and keeps the valid alerts', async () => {
    let res = await post('/api/v2/alerts', { labels: { a: 'b' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 400,
      message:
        'parsing alerts body from "" failed, because json: cannot unmarshal object into Go value of type models.PostableAlerts',
    });
    res = await post('/api/v2/alerts', [{ annotations: {} }]);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ code: 602, message: '0.labels in body is required' });
    res = await post('/api/v2/alerts', 'not json');
    expect(res.status).toBe(400);
    expect(await metric('lookout_alert_payloads_rejected_total')).toBe(3);

    res = await post('/api/v2/alerts', [
      { labels: { alertname: 'Ok' } },
      { labels: { '0bad': 'x' } },
      { labels: { x: '' } },
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toBe('invalid label set: invalid name "0bad"; at least one label pair required');
    expect(await metric('lookout_alerts_invalid_total')).toBe(2);
    expect((await getJson('/api/v2/alerts')).body.map((a: Api) => a.labels.alertname)).toEqual(['Ok']);
  });

  it('filters alerts by matchers, receiver and silenced/inhibited state', async () => {
    await post('/api/v2/alerts', [
      { labels: { alertname: 'Disk', severity: 'critical' } },
      { labels: { alertname: 'Disk', severity: 'warning' } },
      { labels: { alertname: 'Cpu', team: 'db' } },
    ]);
    const names = async (query: string) =>
      (await getJson(`/api/v2/alerts${query}`)).body
        .map((a: Api) => `${a.labels.alertname}/${a.labels.severity ?? a.labels.team}`)
        .sort();
    expect(await names('?filter=alertname%3D%22Disk%22')).toEqual(['Disk/critical', 'Disk/warning']);
    expect(await names('?filter=severity%21~%22crit.*%22')).toEqual(['Cpu/db', 'Disk/warning']);
    expect(await names('?receiver=d.')).toEqual(['Cpu/db']);
    expect(await names('?inhibited=false')).toEqual(['Cpu/db', 'Disk/critical']);
    const warning = (await getJson('/api/v2/alerts?filter=severity%3Dwarning')).body[0];
    const critical = (await getJson('/api/v2/alerts?filter=severity%3Dcritical')).body[0];
    expect(warning.status).toEqual({
      inhibitedBy: [critical.fingerprint],
      silencedBy: [],
      state: 'suppressed',
    });
    expect((await app.request('/api/v2/alerts?filter=a%3D%22')).status).toBe(400);
    expect((await app.request('/api/v2/alerts?receiver=(')).status).toBe(400);
  });

  it('groups alerts the way the dispatcher does', async () => {
    await post('/api/v2/alerts', [
      { labels: { alertname: 'Disk', n: '1' } },
      { labels: { alertname: 'Disk', n: '2' } },
    ]);
    const { body } = await getJson('/api/v2/alerts/groups');
    expect(body).toHaveLength(1);
    expect(body[0].labels).toEqual({ alertname: 'Disk' });
    expect(body[0].receiver).toEqual({ name: 'hook' });
    expect(body[0].alerts.map((a: Api) => a.labels.n)).toEqual(['1', '2']);
  });

  it('creates, reads, lists and expires silences in Alertmanager’s shapes', async () => {
    const now = h.clock.now();
    const silence = {
      matchers: [{ name: 'alertname', value: 'Disk', isRegex: false }],
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      createdBy: 'ops',
      comment: 'disk swap',
    };
    const res = await post('/api/v2/silences', silence);
    expect(res.status).toBe(200);
    const { silenceID } = (await res.json()) as { silenceID: string };
    const one = await getJson(`/api/v2/silence/${silenceID}`);
    expect(one.body).toEqual({
      id: silenceID,
      status: { state: 'active' },
      updatedAt: new Date(now).toISOString(),
      comment: 'disk swap',
      createdBy: 'ops',
      endsAt: silence.endsAt,
      matchers: [{ isEqual: true, isRegex: false, name: 'alertname', value: 'Disk' }],
      startsAt: new Date(now).toISOString(),
    });
    await post('/api/v2/alerts', [{ labels: { alertname: 'Disk' } }]);
    const alerts = (await getJson('/api/v2/alerts')).body;
    expect(alerts[0].status).toEqual({ inhibitedBy: [], silencedBy: [silenceID], state: 'suppressed' });
    expect((await getJson('/api/v2/alerts?silenced=false')).body).toEqual([]);
    expect((await getJson('/api/v2/silences?filter=alertname%3DDisk')).body).toHaveLength(1);
    expect((await getJson('/api/v2/silences?filter=alertname%3DCpu')).body).toHaveLength(0);

    h.clock.advance(5000);
    expect((await app.request(`/api/v2/silence/${silenceID}`, { method: 'DELETE' })).status).toBe(200);
    const expired = (await getJson(`/api/v2/silence/${silenceID}`)).body;
    expect(expired.status.state).toBe('expired');
    expect(expired.endsAt).toBe(new Date(h.clock.now()).toISOString());
  });

  it('refuses bad silences as Alertmanager does', async () => {
    const now = h.clock.now();
    const base = {
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 60_000).toISOString(),
      createdBy: 'x',
      comment: 'y',
    };
    let res = await post('/api/v2/silences', {
      ...base,
      matchers: [{ name: 'a', value: '.*', isRegex: true }],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toBe('silence invalid: at least one matcher must not match the empty string');
    res = await post('/api/v2/silences', { ...base, matchers: [] });
    expect(await res.json()).toEqual({ code: 612, message: 'matchers in body should have at least 1 items' });
    res = await post('/api/v2/silences', {
      ...base,
      createdBy: undefined,
      matchers: [{ name: 'a', value: '1', isRegex: false }],
    });
    expect(await res.json()).toEqual({ code: 602, message: 'createdBy in body is required' });
    res = await post('/api/v2/silences', {
      ...base,
      endsAt: new Date(now - 1000).toISOString(),
      startsAt: new Date(now - 2000).toISOString(),
      matchers: [{ name: 'a', value: '1', isRegex: false }],
    });
    expect(await res.json()).toBe("Failed to create silence: end time can't be in the past");
    expect((await app.request('/api/v2/silence/nope')).status).toBe(422);
    expect((await app.request('/api/v2/silence/6f0d0c1b-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('reports status and receivers', async () => {
    const status = (await getJson('/api/v2/status')).body;
    expect(status.cluster).toEqual({ peers: [], status: 'disabled' });
    expect(status.config.original).toContain('receiver: hook');
    expect(status.versionInfo.version).toMatch(/^Lookout /);
    expect((await getJson('/api/v2/receivers')).body).toEqual([{ name: 'hook' }, { name: 'db' }]);
  });

  it('takes an Alertmanager webhook payload through the intake: firing joins, resolved ends', async () => {
    const payload = {
      version: '4',
      status: 'firing',
      receiver: 'lookout',
      groupKey: '{}:{}',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Up', job: 'x' },
          annotations: {},
          startsAt: '2026-01-05T11:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
        },
        {
          status: 'resolved',
          labels: { alertname: 'Gone' },
          annotations: {},
          startsAt: '2026-01-05T11:00:00Z',
          endsAt: '2026-01-05T11:30:00Z',
        },
      ],
    };
    const res = await post('/api/v1/intake/alertmanager', payload);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2 });
    const firing = [...h.alerting.alerts()].find((a) => a.labels.alertname === 'Up')!;
    expect(firing.endsAt).toBe(h.clock.now() + 25 * 3600_000);
    expect(firing.startsAt).toBe(Date.parse('2026-01-05T11:00:00Z'));
    const gone = [...h.alerting.alerts()].find((a) => a.labels.alertname === 'Gone')!;
    expect(gone.endsAt).toBe(Date.parse('2026-01-05T11:30:00Z'));

    const bad = await post('/api/v1/intake/alertmanager', { alerts: [{ labels: { a: 1 } }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: 'bad_request', message: 'alerts[0].labels must be an object of strings' },
    });
    expect((await post('/api/v1/intake/alertmanager', '{')).status).toBe(400);
    expect(await metric('lookout_alert_payloads_rejected_total')).toBe(2);
  });
});
