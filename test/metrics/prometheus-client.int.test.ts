// The Prometheus HTTP client at its edges: basic auth against real Prometheus (web.config.file),
// bearer tokens read from a file that rotates, and every failure — refused credentials, a
// proxy's HTML error, a hang, garbage — as a QueryError whose message never holds a secret.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { PrometheusClient, parseSampleValue } from '../../src/metrics/prometheus/prometheus-client.js';
import { QueryError } from '../../src/metrics/query-error.js';
import { tempDir } from '../support/tmp.js';
import { startRealPrometheus, type RealPrometheus } from './real-prometheus.js';

const PASSWORD = 'correct-horse-battery';
const dir = tempDir('lookout-promclient-');
let prom: RealPrometheus;

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A local server speaking the Prometheus query API; `reply` decides each answer. */
async function fakePrometheus(
  reply: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      };
      seen.push(entry);
      reply(req, res, entry);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const OK_VECTOR = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { a: '1' }, value: [1700000000.5, 'NaN'] },
      { metric: { a: '2' }, value: [1700000000.5, '+Inf'] },
      { metric: { a: '3' }, value: [1700000000.5, '-Inf'] },
      { metric: { a: '4' }, value: [1700000000.5, '1.5e3'] },
    ],
  },
  warnings: ['partial response'],
});

async function failure(promise: Promise<unknown>): Promise<QueryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueryError);
  return error as QueryError;
}

beforeAll(async () => {
  prom = await startRealPrometheus({
    basicAuth: { username: 'lookout', password: PASSWORD, bcryptHash: bcrypt.hashSync(PASSWORD, 4) },
  });
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  dir.remove();
});

describe('Prometheus client', () => {
  it('authenticates to real Prometheus with basic auth, from the config or a password file', async () => {
    const inline = new PrometheusClient({
      url: prom.url,
      auth: { kind: 'basic', username: 'lookout', password: new Secret(PASSWORD) },
    });
    const file = join(dir.path, 'password');
    writeFileSync(file, `${PASSWORD}\n`);
    const fromFile = new PrometheusClient({
      url: prom.url,
      auth: { kind: 'basic', username: 'lookout', passwordFile: file },
    });
    try {
      expect((await inline.query('1 + 1', Date.now())).series[0]!.points[0]![1]).toBe(2);
      expect((await fromFile.query('vector(3)', Date.now())).series[0]!.points[0]![1]).toBe(3);
    } finally {
      inline.close();
      fromFile.close();
    }
  });

  it('takes credentials written in the URL, and never shows the password', async () => {
    const client = new PrometheusClient({
      url: Secret.fromUrl(prom.url.replace('//', `//lookout:${PASSWORD}@`)),
    });
    try {
      expect(client.display).not.toContain(PASSWORD);
      expect(client.display).toContain('<redacted>');
      expect((await client.query('vector(1)', Date.now())).resultType).toBe('vector');
    } finally {
      client.close();
    }
  });

  it('says the credentials were refused, without repeating them', async () => {
    const client = new PrometheusClient({
      url: prom.url,
      auth: { kind: 'basic', username: 'lookout', password: new Secret('wrong-password-123') },
    });
    try {
      const error = await failure(client.query('up', Date.now()));
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(error.message).not.toContain('wrong-password-123');
    } finally {
      client.close();
    }
  });

  it('sends a bearer token from a file and picks up a rotated token', async () => {
    const tokenFile = join(dir.path, 'token');
    writeFileSync(tokenFile, 'token-one-abcdef\n');
    const fake = await fakePrometheus((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(OK_VECTOR),
    );
    const client = new PrometheusClient({
      url: `${fake.url}/prefix`,
      auth: { kind: 'bearer-file', path: tokenFile },
    });
    try {
      await client.query('up', 1_700_000_000_000);
      // Rotation: same size and possibly the same mtime second, so change size too.
      writeFileSync(tokenFile, 'token-two-abcdefgh\n');
      await client.queryRange('up', { start: 1_700_000_000_000, end: 1_700_000_060_000, stepMs: 15_000 });
      expect(fake.seen.map((s) => s.authorization)).toEqual([
        'Bearer token-one-abcdef',
        'Bearer token-two-abcdefgh',
      ]);
      expect(fake.seen[0]!.url).toBe('/prefix/api/v1/query');
      expect(fake.seen[0]!.method).toBe('POST');
      expect(new URLSearchParams(fake.seen[0]!.body).get('time')).toBe('1700000000');
      const range = new URLSearchParams(fake.seen[1]!.body);
      expect([range.get('start'), range.get('end'), range.get('step')]).toEqual([
        '1700000000',
        '1700000060',
        '15',
      ]);
      expect(range.get('timeout')).toBe('30s');
    } finally {
      client.close();
      await fake.close();
    }
  });

  it('reads values as Prometheus writes them: strings, NaN and ±Inf, seconds to milliseconds', async () => {
    const fake = await fakePrometheus((_req, res) => res.writeHead(200).end(OK_VECTOR));
    const client = new PrometheusClient({ url: fake.url, method: 'GET' });
    try {
      const answer = await client.query('x', 1_700_000_000_500);
      expect(fake.seen[0]!.url).toMatch(/^\/api\/v1\/query\?query=x&time=1700000000.5/);
      expect(answer.series.map((s) => s.points[0])).toEqual([
        [1_700_000_000_500, NaN],
        [1_700_000_000_500, Infinity],
        [1_700_000_000_500, -Infinity],
        [1_700_000_000_500, 1500],
      ]);
      expect(answer.warnings).toEqual(['partial response']);
      expect(parseSampleValue('garbage')).toBeUndefined();
    } finally {
      client.close();
      await fake.close();
    }
  });

  it('turns each kind of failure into the right QueryError', async () => {
    const fake = await fakePrometheus((req, res) => {
      const query = new URLSearchParams(req.url?.split('?')[1] ?? '').get('query') ?? '';
      switch (query) {
        case 'proxy':
          res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>');
          return;
        case 'timeout':
          res.writeHead(503).end(
            JSON.stringify({
              status: 'error',
              errorType: 'timeout',
              error: 'query timed out in expression evaluation',
            }),
          );
          return;
        case 'execution':
          res.writeHead(422).end(
            JSON.stringify({
              status: 'error',
              errorType: 'execution',
              error: 'query processing would load too many samples',
            }),
          );
          return;
        case 'garbage':
          res.writeHead(200).end(
            JSON.stringify({
              status: 'success',
              data: { resultType: 'vector', result: [{ metric: {}, value: [1, 2] }] },
            }),
          );
          return;
        case 'hang':
          return; // never answers
        default:
          res.writeHead(200).end(OK_VECTOR);
      }
    });
    const client = new PrometheusClient({ url: fake.url, method: 'GET', timeoutMs: 500 });
    try {
      const proxy = await failure(client.query('proxy', 0));
      expect([proxy.code, proxy.retryable]).toEqual(['unavailable', true]);
      expect(proxy.message).toContain('HTTP 502 with no JSON (text/html)');
      expect((await failure(client.query('timeout', 0))).code).toBe('timeout');
      const execution = await failure(client.query('execution', 0));
      expect([execution.code, execution.retryable]).toEqual(['rejected', false]);
      expect(execution.message).toContain('too many samples');
      expect((await failure(client.query('garbage', 0))).code).toBe('bad_response');
      const hang = await failure(client.query('hang', 0));
      expect(hang.code).toBe('timeout');
      expect(hang.message).toContain('did not answer within 500 ms');
      const caller = new AbortController();
      const pending = client.query('hang', 0, caller.signal);
      caller.abort();
      expect((await failure(pending)).code).toBe('aborted');
    } finally {
      client.close();
      await fake.close();
    }
    const closed = new PrometheusClient({ url: fake.url });
    const unreachable = await failure(closed.query('up', 0));
    expect(unreachable.code).toBe('unavailable');
    expect(unreachable.message).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\//);
    closed.close();
  });

  it('says which credential file it cannot read', async () => {
    const client = new PrometheusClient({
      url: prom.url,
      auth: { kind: 'bearer-file', path: join(dir.path, 'missing') },
    });
    const error = await failure(client.query('up', 0));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/cannot read the bearer token file .*missing.* \(ENOENT\)/);
    client.close();
  });
});
