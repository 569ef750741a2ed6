// Sign-in, roles, tokens and CSRF for the whole HTTP surface, in process (app.request), on
// SQLite and on the machine's PostgreSQL: the gate the web UI and the JSON API sit behind.
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { Store } from '../../src/store/index.js';
import { startAuthStack, type AuthStack } from '../support/auth-stack.js';
import { STORE_TARGETS } from '../support/stores.js';
import { ACCOUNTS, DEFAULT_AUTH } from './support/ui-stack.js';

const HOST = 'lookout.test';
const BASE = `http://${HOST}`;

type Harness = AuthStack;

/** The stack, with two routes of its own to try roles and CSRF on. */
function harness(store: Store, auth: Record<string, unknown>, listen?: string): Promise<Harness> {
  return startAuthStack(store, {
    auth,
    ...(listen ? { listen } : {}),
    mounts: [
      (a) => {
        a.get('/api/v1/things', (c) => c.json({ who: c.get('principal') }));
        a.post('/api/v1/things', (c) => c.json({ changed: true }));
      },
    ],
  });
}

/** Cookies as a browser keeps them: name=value pairs from Set-Cookie, sent back on each request. */
class Browser {
  readonly jar = new Map<string, string>();
  constructor(private readonly app: Hono) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    path: string,
    init: {
      method?: string;
      headers?: Record<string, string>;
      form?: Record<string, string>;
      json?: unknown;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'navigate',
      host: HOST,
      ...init.headers,
    };
    if (this.jar.size > 0) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await this.app.request(`${BASE}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0\b/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** Loads the login page and signs in; returns the CSRF token of the new session. */
  async signIn(fields: Record<string, string>): Promise<Response> {
    const page = await (await this.request('/ui/login')).text();
    const nonce = /name="_login" value="([^"]+)"/.exec(page)?.[1] ?? '';
    return this.request('/ui/login', {
      method: 'POST',
      form: { _login: nonce, next: '/ui/silences', ...fields },
    });
  }

  async csrf(): Promise<string> {
    const page = await (await this.request('/ui/silences')).text();
    return /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
  }
}

const silence = {
  matchers: [{ name: 'alertname', value: 'Test', isRegex: false }],
  startsAt: new Date().toISOString(),
  endsAt: new Date(Date.now() + 3600_000).toISOString(),
  createdBy: 'test',
  comment: 'test',
};

describe.each(STORE_TARGETS)('sign-in and access on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;

  beforeAll(async () => {
    const db = await target.create();
    store = db.open();
    cleanup = () => db.cleanup();
    await store.migrate();
    h = await harness(store, DEFAULT_AUTH);
  });

  afterAll(async () => {
    await h?.close();
    await store?.close();
    await cleanup?.();
  });

  it('keeps health, readiness, metrics, the login page and the API description open', async () => {
    for (const path of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/ui/login',
      '/api/openapi.json',
      '/ui/assets/lookout.css',
    ]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(200);
    }
  });

  it('sends browsers to the login page and answers scripts with 401 and the error shape', async () => {
    const page = await h.app.request('/ui/crashes?namespace=shop');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/ui/login?next=%2Fui%2Fcrashes%3Fnamespace%3Dshop');
    const api = await h.app.request('/api/v1/things');
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer realm="Lookout"');
    expect(await api.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') },
    });
    const alertmanager = await h.app.request('/api/v2/alerts', { method: 'POST', body: '[]' });
    expect(alertmanager.status).toBe(401);
  });

  it('prints a bootstrap admin token once, stored only as a hash, that works as a bearer token', async () => {
    expect(h.token).toMatch(/^lk_boot_[A-Za-z0-9_-]{43}$/);
    const rows = await store.db.selectFrom('web_api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(h.token!.slice(8));
    const res = await h.app.request('/api/v1/auth/whoami', {
      headers: { authorization: `Bearer ${h.token}` },
    });
    expect(await res.json()).toEqual({ name: 'admin', role: 'admin', via: 'token' });
    // A restart does not make (or print) another one.
    const again = await harness(store, DEFAULT_AUTH);
    expect(again.token).toBeUndefined();
    await again.close();
  });

  it('refuses a wrong password, then signs in and out with the right one', async () => {
    const b = new Browser(h.app);
    const wrong = await b.signIn({ name: ACCOUNTS.admin.name, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong name or password.');
    const ok = await b.signIn({ name: ACCOUNTS.admin.name, password: ACCOUNTS.admin.password });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/ui/silences');
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('lookout_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain HTTP on loopback
    const who = await b.request('/api/v1/auth/whoami');
    expect(await who.json()).toEqual({ name: ACCOUNTS.admin.name, role: 'admin', via: 'session' });
    // Sessions are stored hashed: the cookie's value is nowhere in the table.
    const sessionValue = b.jar.get('lookout_session')!;
    const rows = await store.db.selectFrom('web_sessions').select(['id_hash']).execute();
    expect(rows.map((r) => r.id_hash)).not.toContain(sessionValue);

    const csrf = await b.csrf();
    const out = await b.request('/ui/logout', { method: 'POST', form: { _csrf: csrf } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/ui/login?signed_out=1');
    // The old cookie no longer works, even replayed.
    const replay = await h.app.request('/api/v1/auth/whoami', {
      headers: { cookie: `lookout_session=${sessionValue}` },
    });
    expect(replay.status).toBe(401);
  });

  it('signs in with the bootstrap token on the login page', async () => {
    const b = new Browser(h.app);
    const bad = await b.signIn({ token: 'lk_boot_wrong' });
    expect(bad.status).toBe(401);
    const ok = await b.signIn({ token: h.token! });
    expect(ok.status).toBe(303);
    expect(await (await b.request('/api/v1/auth/whoami')).json()).toMatchObject({
      name: 'admin',
      role: 'admin',
    });
  });

  it('refuses a sign-in form that did not come from the login page (login CSRF)', async () => {
    const b = new Browser(h.app);
    const res = await b.request('/ui/login', {
      method: 'POST',
      form: { name: ACCOUNTS.admin.name, password: ACCOUNTS.admin.password, _login: 'forged' },
    });
    expect(res.status).toBe(400);
    expect(b.jar.has('lookout_session')).toBe(false);
  });

  it('slows down password guessing for a name', async () => {
    const b = new Browser(h.app);
    for (let i = 0; i < 5; i++)
      expect((await b.signIn({ name: 'mallory', password: `guess${i}` })).status).toBe(401);
    const sixth = await b.signIn({ name: 'mallory', password: 'guess6' });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses changes without the CSRF token, with a wrong one, or from another site', async () => {
    const b = new Browser(h.app);
    await b.signIn({ name: ACCOUNTS.admin.name, password: ACCOUNTS.admin.password });
    const csrf = await b.csrf();
    expect(csrf.length).toBeGreaterThan(20);
    const none = await b.request('/api/v1/things', { method: 'POST', json: {} });
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ error: { code: 'csrf' } });
    const wrong = await b.request('/api/v2/silences', {
      method: 'POST',
      json: silence,
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.status).toBe(403);
    const crossSite = await b.request('/api/v1/things', {
      method: 'POST',
      json: {},
      headers: { 'x-csrf-token': csrf, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const form = await b.request('/ui/silences/00000000-0000-4000-8000-000000000000/expire', {
      method: 'POST',
      form: { _csrf: 'forged' },
    });
    expect(form.status).toBe(403);
    expect(await form.text()).toContain('did not come from Lookout');
    // With the page's token, from the page's origin, the same change goes through.
    const ok = await b.request('/api/v2/silences', {
      method: 'POST',
      json: silence,
      headers: { 'x-csrf-token': csrf, origin: BASE },
    });
    expect(ok.status).toBe(200);
  });

  it('lets viewers read but not change, and keeps admin pages from them', async () => {
    const b = new Browser(h.app);
    await b.signIn({ name: ACCOUNTS.viewer.name, password: ACCOUNTS.viewer.password });
    const csrf = await b.csrf();
    expect((await b.request('/api/v2/silences')).status).toBe(200);
    expect((await b.request('/ui/alerts')).status).toBe(200);
    const create = await b.request('/api/v2/silences', {
      method: 'POST',
      json: silence,
      headers: { 'x-csrf-token': csrf },
    });
    expect(create.status).toBe(403);
    expect(await create.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('viewer') },
    });
    const form = await b.request('/ui/silences', {
      method: 'POST',
      form: { _csrf: csrf, matchers: 'alertname="X"', comment: 'x' },
    });
    expect(form.status).toBe(403);
    expect(await form.text()).toContain('may only read');
    for (const path of ['/ui/access', '/ui/users', '/api/v1/auth/tokens']) {
      expect((await b.request(path)).status, path).toBe(403);
    }
    // Signing out is theirs to do.
    expect((await b.request('/ui/logout', { method: 'POST', form: { _csrf: csrf } })).status).toBe(303);
  });

  it('gives scripts API tokens by role: viewer reads, ingest only pushes alerts, revoked stops working', async () => {
    const admin = { authorization: `Bearer ${h.token}` };
    const make = async (name: string, role: string, expires_in?: string) => {
      const res = await h.app.request('/api/v1/auth/tokens', {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name, role, ...(expires_in ? { expires_in } : {}) }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { token: string; id: number };
    };
    const viewer = await make('grafana', 'viewer');
    const ingest = await make('prometheus', 'ingest');
    expect(viewer.token).toMatch(/^lk_api_/);
    const asViewer = { authorization: `Bearer ${viewer.token}` };
    const asIngest = { authorization: `Bearer ${ingest.token}` };
    expect((await h.app.request('/api/v2/silences', { headers: asViewer })).status).toBe(200);
    // Bearer requests carry no ambient credentials: no CSRF token needed, only the role.
    expect(
      (
        await h.app.request('/api/v2/silences', {
          method: 'POST',
          headers: asViewer,
          body: JSON.stringify(silence),
        })
      ).status,
    ).toBe(403);
    const pushed = await h.app.request('/api/v2/alerts', {
      method: 'POST',
      headers: { ...asIngest, 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'FromPrometheus' } }]),
    });
    expect(pushed.status).toBe(200);
    expect((await h.app.request('/api/v2/alerts', { headers: asIngest })).status).toBe(403);
    expect(
      (
        await h.app.request('/api/v1/intake/alertmanager', {
          method: 'POST',
          headers: asIngest,
          body: '{"alerts":[]}',
        })
      ).status,
    ).toBe(200);

    const list = (await (await h.app.request('/api/v1/auth/tokens', { headers: admin })).json()) as {
      tokens: Array<Record<string, unknown>>;
    };
    expect(list.tokens.map((t) => t.name)).toEqual(
      expect.arrayContaining(['grafana', 'prometheus', 'bootstrap admin token']),
    );
    expect(JSON.stringify(list)).not.toContain(viewer.token);

    expect(
      (await h.app.request(`/api/v1/auth/tokens/${viewer.id}`, { method: 'DELETE', headers: admin })).status,
    ).toBe(200);
    const revoked = await h.app.request('/api/v2/silences', { headers: asViewer });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: { message: expect.stringContaining('not valid') } });

    const shortLived = await make('ci', 'viewer', '1h');
    h.clock.now += 2 * 3600_000;
    try {
      expect(
        (
          await h.app.request('/api/v2/silences', {
            headers: { authorization: `Bearer ${shortLived.token}` },
          })
        ).status,
      ).toBe(401);
    } finally {
      h.clock.now -= 2 * 3600_000;
    }
  });

  it('ends bootstrap-token sign-ins when the token is replaced', async () => {
    const b = new Browser(h.app);
    await b.signIn({ token: h.token! });
    expect((await b.request('/api/v1/auth/whoami')).status).toBe(200);
    const rotated = await h.app.request('/api/v1/auth/tokens/bootstrap/rotate', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}` },
    });
    const { token } = (await rotated.json()) as { token: string };
    expect(token).toMatch(/^lk_boot_/);
    expect((await b.request('/api/v1/auth/whoami')).status).toBe(401);
    expect(
      (await h.app.request('/api/v1/auth/whoami', { headers: { authorization: `Bearer ${h.token}` } }))
        .status,
    ).toBe(401);
    expect(
      (await h.app.request('/api/v1/auth/whoami', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    // Later tests in this file sign in with the new one.
    Object.defineProperty(h, 'token', { value: token });
  });

  it('ends the sessions of an account removed from the config, and applies a changed role at once', async () => {
    const b = new Browser(h.app);
    await b.signIn({ name: ACCOUNTS.viewer.name, password: ACCOUNTS.viewer.password });
    const promoted = await harness(store, {
      users: [{ name: ACCOUNTS.viewer.name, password_hash: ACCOUNTS.viewer.hash, role: 'admin' }],
    });
    const asPromoted = new Browser(promoted.app);
    for (const [k, v] of b.jar) asPromoted.jar.set(k, v);
    expect(await (await asPromoted.request('/api/v1/auth/whoami')).json()).toMatchObject({ role: 'admin' });
    const removed = await harness(store, { users: [] });
    const asRemoved = new Browser(removed.app);
    for (const [k, v] of b.jar) asRemoved.jar.set(k, v);
    expect((await asRemoved.request('/api/v1/auth/whoami')).status).toBe(401);
    await promoted.close();
    await removed.close();
  });
});

describe('mode none (loopback only)', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;

  beforeAll(async () => {
    const db = await STORE_TARGETS[0]!.create();
    store = db.open();
    cleanup = () => db.cleanup();
    await store.migrate();
    h = await harness(store, { mode: 'none' });
  });

  afterAll(async () => {
    await h?.close();
    await store?.close();
    await cleanup?.();
  });

  it('opens every page and the API as an admin without signing in, and makes no bootstrap token', async () => {
    expect(h.token).toBeUndefined();
    const page = await h.app.request('/ui/silences');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('New silence');
    expect(await (await h.app.request('/api/v1/auth/whoami')).json()).toEqual({
      name: 'local',
      role: 'admin',
      via: 'open',
    });
    // Tools without cookies (curl, amtool) change things as before.
    expect(
      (await h.app.request('/api/v2/silences', { method: 'POST', body: JSON.stringify(silence) })).status,
    ).toBe(200);
  });

  it('still refuses changes another site makes through the browser', async () => {
    const res = await h.app.request('/api/v2/silences', {
      method: 'POST',
      body: JSON.stringify(silence),
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    const b = new Browser(h.app);
    const csrf = await b.csrf();
    expect((await b.request('/api/v1/things', { method: 'POST', json: {} })).status).toBe(403);
    expect(
      (await b.request('/api/v1/things', { method: 'POST', json: {}, headers: { 'x-csrf-token': csrf } }))
        .status,
    ).toBe(200);
  });

  it('is refused by the config on an address other machines can reach', () => {
    expect(() =>
      parseConfig('http:\n  listen: 0.0.0.0:8080\n  auth:\n    mode: none\n', { env: {} }),
    ).toThrow(/only allowed on a loopback listen address/);
  });
});

describe('cookies behind HTTPS', () => {
  it('marks the session cookie Secure with the __Host- prefix when external_url is https', async () => {
    const db = await STORE_TARGETS[0]!.create();
    const store = db.open();
    await store.migrate();
    const h = await startAuthStack(store, {
      auth: DEFAULT_AUTH,
      http: { external_url: 'https://lookout.example.com' },
    });
    const b = new Browser(h.app);
    const res = await b.signIn({ name: ACCOUNTS.admin.name, password: ACCOUNTS.admin.password });
    const cookie = res.headers.getSetCookie().find((c) => c.includes('lookout_session='))!;
    expect(cookie).toMatch(/^__Host-lookout_session=/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect((await b.request('/api/v1/auth/whoami')).status).toBe(200);
    // A form posted from the public origin is accepted.
    const csrf = await b.csrf();
    expect(
      (
        await b.request('/ui/logout', {
          method: 'POST',
          form: { _csrf: csrf },
          headers: { origin: 'https://lookout.example.com' },
        })
      ).status,
    ).toBe(303);
    await h.close();
    await store.close();
    await db.cleanup();
  });
});
