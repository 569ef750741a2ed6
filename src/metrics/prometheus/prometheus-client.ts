// A client for Prometheus' HTTP query API (/api/v1/query, /api/v1/query_range): auth from
// files that may rotate, TLS options, a deadline per query, and every failure as a QueryError
// whose message names the server (credentials hidden) and never the token.
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Labels } from '../../domain/alert.js';
import { errorMessage } from '../../lib/errors.js';
import { Secret, redactUrl } from '../../lib/secret.js';
import type { Logger } from '../../telemetry/logger.js';
import { QueryError } from '../query-error.js';

export type PrometheusAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer-file'; readonly path: string }
  | {
      readonly kind: 'basic';
      readonly username: string;
      readonly password?: Secret | undefined;
      readonly passwordFile?: string | undefined;
    };

export interface PrometheusClientOptions {
  /** Base URL of the API; a path prefix (`/prometheus`) is kept. */
  readonly url: Secret | string;
  readonly auth?: PrometheusAuth;
  readonly caFile?: string | undefined;
  readonly insecureSkipVerify?: boolean;
  /** Deadline of one query, sent to Prometheus too so it stops working on it. */
  readonly timeoutMs?: number;
  readonly method?: 'GET' | 'POST';
  readonly log?: Logger;
  /** Largest response body accepted, in bytes. */
  readonly maxBodyBytes?: number;
}

/** One series of an answer; an instant vector has one point per series. Times in epoch ms. */
export interface PromSeries {
  readonly labels: Labels;
  readonly points: readonly (readonly [t: number, v: number])[];
}

export interface PromAnswer {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /** Vector and matrix series; a scalar is one series with no labels. */
  readonly series: readonly PromSeries[];
  /** The text of a `string` answer. */
  readonly text?: string;
  readonly warnings: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

export class PrometheusClient {
  readonly #base: URL;
  /** The base URL as logs and messages show it (password hidden). */
  readonly display: string;
  readonly #auth: PrometheusAuth;
  readonly #timeoutMs: number;
  readonly #method: 'GET' | 'POST';
  readonly #log: Logger | undefined;
  readonly #maxBody: number;
  readonly #agent: http.Agent;
  readonly #fileCache = new Map<string, { mtimeMs: number; size: number; value: string }>();

  constructor(options: PrometheusClientOptions) {
    const raw = typeof options.url === 'string' ? options.url : options.url.reveal();
    const base = new URL(raw.endsWith('/') ? raw : `${raw}/`);
    let auth = options.auth ?? { kind: 'none' };
    // Credentials in the URL become basic auth; they never travel in the request line.
    if (base.username && auth.kind === 'none') {
      auth = {
        kind: 'basic',
        username: decodeURIComponent(base.username),
        password: new Secret(decodeURIComponent(base.password)),
      };
    }
    base.username = '';
    base.password = '';
    this.#base = base;
    this.display = redactUrl(raw);
    this.#auth = auth;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#method = options.method ?? 'POST';
    this.#log = options.log;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const ca = options.caFile ? readFileSync(options.caFile) : undefined;
    this.#agent =
      base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca, rejectUnauthorized: !options.insecureSkipVerify })
        : new http.Agent({ keepAlive: true });
  }

  /** An instant query evaluated at `timeMs`. */
  query(expr: string, timeMs: number, signal?: AbortSignal): Promise<PromAnswer> {
    return this.#call('api/v1/query', { query: expr, time: seconds(timeMs) }, signal);
  }

  /** A range query; points fall on `start + k * step`. */
  queryRange(
    expr: string,
    range: { readonly start: number; readonly end: number; readonly stepMs: number },
    signal?: AbortSignal,
  ): Promise<PromAnswer> {
    return this.#call(
      'api/v1/query_range',
      { query: expr, start: seconds(range.start), end: seconds(range.end), step: seconds(range.stepMs) },
      signal,
    );
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #call(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<PromAnswer> {
    const form = new URLSearchParams({
      ...params,
      timeout: `${Math.max(1, Math.ceil(this.#timeoutMs / 1000))}s`,
    });
    const url = new URL(path, this.#base);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'Lookout' };
    const authorization = this.#authorization();
    if (authorization) headers.Authorization = authorization;
    let body: string | undefined;
    if (this.#method === 'POST') {
      body = form.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    } else {
      url.search = form.toString();
    }
    const started = performance.now();
    const response = await this.#send(url, headers, body, signal);
    const ms = Math.round(performance.now() - started);
    this.#log?.debug({ endpoint: path, status: response.status, ms }, 'prometheus query');
    return this.#decode(response.status, response.contentType, response.body);
  }

  #authorization(): string | undefined {
    const auth = this.#auth;
    switch (auth.kind) {
      case 'none':
        return undefined;
      case 'bearer-file':
        return `Bearer ${this.#readFile(auth.path, 'bearer token')}`;
      case 'basic': {
        const password = auth.password
          ? auth.password.reveal()
          : this.#readFile(auth.passwordFile ?? '', 'password');
        return `Basic ${Buffer.from(`${auth.username}:${password}`).toString('base64')}`;
      }
    }
  }

  /** Reads a credential file, again only when it changed (service account tokens rotate). */
  #readFile(path: string, what: string): string {
    try {
      const stat = statSync(path);
      const cached = this.#fileCache.get(path);
      if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.value;
      const value = readFileSync(path, 'utf8').trim();
      this.#fileCache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, value });
      return value;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new QueryError('unauthorized', `cannot read the ${what} file ${JSON.stringify(path)} (${code})`, {
        cause: error,
      });
    }
  }

  #send(
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; contentType: string; body: Buffer }> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const fail = (error: unknown): void => {
        if (signal?.aborted) {
          reject(new QueryError('aborted', 'the query was cancelled', { cause: error }));
        } else if (timeout.aborted) {
          reject(
            new QueryError(
              'timeout',
              `Prometheus at ${this.display} did not answer within ${this.#timeoutMs} ms`,
              {
                cause: error,
              },
            ),
          );
        } else if (error instanceof QueryError) {
          reject(error);
        } else {
          reject(
            new QueryError(
              'unavailable',
              `cannot reach Prometheus at ${this.display}: ${errorMessage(error)}`,
              {
                cause: error,
              },
            ),
          );
        }
      };
      if (combined.aborted) {
        fail(combined.reason);
        return;
      }
      const request = transport.request(
        url,
        { method: this.#method, headers, agent: this.#agent, signal: combined },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.#maxBody) {
              response.destroy(
                new QueryError(
                  'bad_response',
                  `Prometheus at ${this.display} sent more than ${this.#maxBody} bytes`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', fail);
          response.on('end', () => {
            resolve({
              status: response.statusCode ?? 0,
              contentType: String(response.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks),
            });
          });
        },
      );
      request.on('error', fail);
      request.end(body);
    });
  }

  #decode(status: number, contentType: string, body: Buffer): PromAnswer {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const envelope = json as
      | { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown; warnings?: unknown }
      | undefined;
    if (status === 401 || status === 403) {
      throw new QueryError(
        'unauthorized',
        `Prometheus at ${this.display} refused the credentials (HTTP ${status})`,
      );
    }
    if (!envelope || typeof envelope !== 'object') {
      const code = status >= 500 || status === 429 ? 'unavailable' : 'bad_response';
      const what = contentType ? ` (${contentType.split(';')[0]})` : '';
      throw new QueryError(code, `Prometheus at ${this.display} answered HTTP ${status} with no JSON${what}`);
    }
    if (envelope.status !== 'success') {
      const errorType = typeof envelope.errorType === 'string' ? envelope.errorType : 'unknown';
      const message = typeof envelope.error === 'string' ? envelope.error : 'no message';
      throw new QueryError(
        errorCode(status, errorType),
        `Prometheus at ${this.display} answered ${status} ${errorType}: ${message}`,
      );
    }
    const warnings = Array.isArray(envelope.warnings) ? envelope.warnings.map(String) : [];
    return { ...this.#data(envelope.data), warnings };
  }

  #data(data: unknown): Omit<PromAnswer, 'warnings'> {
    const bad = (why: string): QueryError =>
      new QueryError(
        'bad_response',
        `Prometheus at ${this.display} sent an answer Lookout cannot read: ${why}`,
      );
    if (!data || typeof data !== 'object') throw bad('no data');
    const { resultType, result } = data as { resultType?: unknown; result?: unknown };
    switch (resultType) {
      case 'vector': {
        if (!Array.isArray(result)) throw bad('vector result is not a list');
        return {
          resultType,
          series: result.map((s: { metric?: unknown; value?: unknown }) => ({
            labels: labelsOf(s.metric, bad),
            points: [samplePair(s.value, bad)],
          })),
        };
      }
      case 'matrix': {
        if (!Array.isArray(result)) throw bad('matrix result is not a list');
        return {
          resultType,
          series: result.map((s: { metric?: unknown; values?: unknown }) => {
            if (!Array.isArray(s.values)) throw bad('a matrix series has no values');
            return { labels: labelsOf(s.metric, bad), points: s.values.map((v) => samplePair(v, bad)) };
          }),
        };
      }
      case 'scalar':
        return { resultType, series: [{ labels: {}, points: [samplePair(result, bad)] }] };
      case 'string': {
        if (!Array.isArray(result)) throw bad('string result is not a pair');
        return { resultType, series: [], text: String(result[1]) };
      }
      default:
        throw bad(`unknown result type ${JSON.stringify(resultType)}`);
    }
  }
}

function errorCode(status: number, errorType: string): QueryError['code'] {
  if (errorType === 'timeout') return 'timeout';
  if (errorType === 'bad_data' || errorType === 'execution' || status === 400 || status === 422)
    return 'rejected';
  if (status >= 500 || errorType === 'unavailable' || errorType === 'canceled' || errorType === 'internal') {
    return 'unavailable';
  }
  return 'bad_response';
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

/** Prometheus sends values as strings, with NaN, +Inf and -Inf spelt out. */
export function parseSampleValue(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    default: {
      if (text.trim() === '') return undefined;
      const n = Number(text);
      return Number.isNaN(n) ? undefined : n;
    }
  }
}

function samplePair(pair: unknown, bad: (why: string) => QueryError): readonly [number, number] {
  if (!Array.isArray(pair) || pair.length !== 2) throw bad('a sample is not a [time, value] pair');
  const [t, v] = pair as [unknown, unknown];
  const value = typeof v === 'string' ? parseSampleValue(v) : undefined;
  if (typeof t !== 'number' || value === undefined) throw bad(`sample ${JSON.stringify(pair)} is malformed`);
  return [Math.round(t * 1000), value];
}

function labelsOf(metric: unknown, bad: (why: string) => QueryError): Labels {
  if (metric === undefined) return {};
  if (!metric || typeof metric !== 'object') throw bad('a series has no labels object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) out[k] = String(v);
  return out;
}
