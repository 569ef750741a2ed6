// Routes answered on node:http ahead of Hono (the alert intake), over real sockets: they keep
// the sign-in gate, hand everything but the plain case to the Hono route with its body, count
// in the request metrics, and answer alert posts exactly as the Hono route does.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpMount } from '../../src/http/app.js';
import { startHttpServer, type RunningServer } from '../../src/http/server.js';
import type { Store } from '../../src/store/index.js';
import { startAuthStack, type AuthStack } from '../support/auth-stack.js';
import { STORE_TARGETS } from '../support/stores.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * A request as Prometheus or curl sends it, with node:http: no browser headers (Node's fetch
 * adds `sec-fetch-mode`, which marks a browser). A body given as several parts goes chunked.
 */
function send(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | string[] } = {},
): Promise<Answer> {
  const parts = options.body === undefined ? [] : [options.body].flat();
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: options.method ?? 'POST',
        headers: {
          ...(parts.length === 1 ? { 'content-length': Buffer.byteLength(parts[0]!) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.once('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

/**
 * A route with both halves: the direct one takes any body but "pass" (and throws on "throw"),
 * and each says who answered.
 */
const echo: HttpMount = (app, direct) => {
  app.post('/api/v1/echo', async (c) => c.json({ by: 'hono', body: await c.req.text() }));
  direct?.post('/api/v1/echo', (body, res) => {
    const text = body.toString();
    if (text === 'pass') return false;
    if (text === 'throw') throw new Error('a bug in the direct route');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ by: 'direct', body: text }));
    return true;
  });
};

interface Harness extends AuthStack {
  readonly server: RunningServer;
}

/** The signed-in stack with the echo route, served on a real socket. */
async function harness(store: Store, auth: Record<string, unknown>): Promise<Harness> {
  const stack = await startAuthStack(store, { auth, mounts: [echo] });
  const server = await startHttpServer(stack.app, { host: '127.0.0.1', port: 0 });
  const stopStack = stack.close.bind(stack);
  return Object.assign(stack, {
    server,
    close: async () => {
      await server.close();
      await stopStack();
    },
  });
}

const json = { 'content-type': 'application/json' };

describe('direct routes', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let login: Harness;
  let open: Harness;
  let admin: Record<string, string>;

  beforeAll(async () => {
    const db = await STORE_TARGETS[0]!.create();
    store = db.open();
    cleanup = () => db.cleanup();
    await store.migrate();
    login = await harness(store, {});
    open = await harness(store, { mode: 'none' });
    admin = { authorization: `Bearer ${login.token}` };
  });

  afterAll(async () => {
    await login?.close();
    await open?.close();
    await store?.close();
    await cleanup?.();
  });

  it('answers the plain case directly and counts it with the other requests', async () => {
    const res = await send(login.server.url, '/api/v1/echo', { headers: admin, body: 'hello' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ by: 'direct', body: 'hello' });
    // A body that arrives in several parts is read whole.
    const chunked = await send(login.server.url, '/api/v1/echo', { headers: admin, body: ['he', 'll', 'o'] });
    expect(JSON.parse(chunked.body)).toEqual({ by: 'direct', body: 'hello' });

    const metrics = await send(login.server.url, '/metrics', { method: 'GET' });
    expect(metrics.body).toMatch(
      /lookout_http_requests_total\{method="POST",route="\/api\/v1\/echo",status="200"\} 2/,
    );
    expect(metrics.body).toMatch(
      /lookout_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/echo"\} 2/,
    );
  });

  it('hands what it does not take to the Hono route, body included', async () => {
    const passed = await send(login.server.url, '/api/v1/echo', { headers: admin, body: 'pass' });
    expect(JSON.parse(passed.body)).toEqual({ by: 'hono', body: 'pass' });
    const chunked = await send(login.server.url, '/api/v1/echo', { headers: admin, body: ['pa', 'ss'] });
    expect(JSON.parse(chunked.body)).toEqual({ by: 'hono', body: 'pass' });
    // A direct route that throws is a bug: logged, and the Hono route answers.
    const thrown = await send(login.server.url, '/api/v1/echo', { headers: admin, body: 'throw' });
    expect(JSON.parse(thrown.body)).toEqual({ by: 'hono', body: 'throw' });
    // A query string is not the exact path: Hono serves it.
    const query = await send(login.server.url, '/api/v1/echo?x=1', { headers: admin, body: 'hello' });
    expect(JSON.parse(query.body)).toEqual({ by: 'hono', body: 'hello' });
  });

  it('keeps the sign-in gate: no credentials, a bad token or the wrong role go to the middleware', async () => {
    const anonymous = await send(login.server.url, '/api/v1/echo', { body: 'hello' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="Lookout"');
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'unauthorized' } });

    const bad = await send(login.server.url, '/api/v1/echo', {
      headers: { authorization: 'Bearer lk_api_not-a-token' },
      body: 'hello',
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toContain('not valid');

    const make = async (name: string, role: string): Promise<Record<string, string>> => {
      const res = await send(login.server.url, '/api/v1/auth/tokens', {
        headers: { ...admin, ...json },
        body: JSON.stringify({ name, role }),
      });
      expect(res.status).toBe(201);
      return { authorization: `Bearer ${(JSON.parse(res.body) as { token: string }).token}` };
    };
    const viewer = await make('grafana', 'viewer');
    const ingest = await make('prometheus', 'ingest');
    expect((await send(login.server.url, '/api/v1/echo', { headers: viewer, body: 'hello' })).status).toBe(
      403,
    );
    expect((await send(login.server.url, '/api/v1/echo', { headers: ingest, body: 'hello' })).status).toBe(
      403,
    );

    const pushed = await send(login.server.url, '/api/v2/alerts', {
      headers: { ...ingest, ...json },
      body: JSON.stringify([{ labels: { alertname: 'FromPrometheus' } }]),
    });
    expect(pushed).toMatchObject({ status: 200, body: '' });
    const listed = await send(login.server.url, '/api/v2/alerts', { method: 'GET', headers: admin });
    expect(JSON.parse(listed.body)).toEqual([
      expect.objectContaining({ labels: { alertname: 'FromPrometheus' } }),
    ]);
  });

  it('in mode none answers tools directly, and leaves browsers to the CSRF checks', async () => {
    const tool = await send(open.server.url, '/api/v1/echo', { body: 'hello' });
    expect(JSON.parse(tool.body)).toEqual({ by: 'direct', body: 'hello' });

    const crossSite = await send(open.server.url, '/api/v1/echo', {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: 'hello',
    });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.body)).toMatchObject({ error: { code: 'csrf' } });

    const withCookie = await send(open.server.url, '/api/v1/echo', {
      headers: { cookie: 'lookout_csrf=xxxxxxxxxxxxxxxxxxxxxxxxxxxx' },
      body: 'hello',
    });
    expect(withCookie.status).toBe(403);
    expect(JSON.parse(withCookie.body)).toMatchObject({ error: { code: 'csrf' } });
  });

  it('answers alert posts as the Hono route does, whichever takes them', async () => {
    const bodies = [
      JSON.stringify([{ labels: { alertname: 'Same', n: '1' }, annotations: { summary: 's' } }]),
      JSON.stringify([
        { labels: { alertname: 'Same', n: '2' }, startsAt: new Date(Date.now() - 60_000).toISOString() },
      ]),
      '[]',
      '[{"labels": {"alertname": "Broken"}',
      '{"labels": {"alertname": "NotAList"}}',
      JSON.stringify([{ annotations: { summary: 'no labels' } }]),
      JSON.stringify([{ labels: { 'bad-name': 'x' } }]),
      JSON.stringify([{ labels: { alertname: 'Same', n: '3' } }, { labels: {} }]),
      JSON.stringify([{ labels: { alertname: 'Same', n: '4' }, startsAt: 'yesterday' }]),
    ];
    for (const body of bodies) {
      // In process, Hono alone answers; over the socket, the direct route first.
      const inProcess = await open.app.request('/api/v2/alerts', { method: 'POST', headers: json, body });
      const overSocket = await send(open.server.url, '/api/v2/alerts', { headers: json, body });
      expect({ body, status: overSocket.status, text: overSocket.body }).toEqual({
        body,
        status: inProcess.status,
        text: await inProcess.text(),
      });
      expect(overSocket.headers['content-type']).toBe(inProcess.headers.get('content-type') ?? undefined);
      // Only the accepted posts are answered directly, without the CSRF cookie that mode none
      // hands browsers; the refusals come from the Hono route, cookie included.
      expect(overSocket.headers['set-cookie'] === undefined).toBe(overSocket.status === 200);
    }
    const listed = await send(open.server.url, '/api/v2/alerts?filter=alertname%3D%22Same%22', {
      method: 'GET',
    });
    const labels = (JSON.parse(listed.body) as Array<{ labels: Record<string, string> }>).map(
      (a) => a.labels.n,
    );
    // n=1, 2 and 3 were each posted twice (in process and over the socket); 4 was refused.
    expect(labels.sort()).toEqual(['1', '2', '3']);

    await open.alerting.stop();
    const stopped = await send(open.server.url, '/api/v2/alerts', {
      headers: json,
      body: JSON.stringify([{ labels: { alertname: 'Late' } }]),
    });
    expect(stopped.status).toBe(503);
    expect(JSON.parse(stopped.body)).toMatch(/not running|stopp/i);
  });
});
