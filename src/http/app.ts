// The Hono application: health, readiness, metrics, status, and whatever API and UI routes
// the composition root mounts. Every error leaves as { "error": { "code", "message" } }.
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { errorMessage } from '../lib/errors.js';
import type { Readiness } from '../lib/readiness.js';
import type { SecretScrubber } from '../lib/secret.js';
import type { Metrics } from '../telemetry/metrics.js';
import { ApiError, errorBody } from './errors.js';

export interface HttpDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** What `/api/v1/status` shows: version, uptime, config summary (never secrets). */
  readonly status: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  readonly scrubber?: SecretScrubber;
  /**
   * Runs before every route except /healthz, /readyz and /metrics (which probes and Prometheus
   * reach without credentials): sign-in, roles and CSRF checks.
   */
  readonly auth?: MiddlewareHandler;
}

/** Paths that stay open whatever the auth settings. */
const UNAUTHENTICATED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Request counts and durations, written to their metrics after the answer has left: a
 * labelled prom-client update hashes and checks its labels, which for a small request (one
 * posted alert) costs more than the rest of the answer. Requests are collected as they end and
 * written on the next turn of the event loop, or when /metrics is read.
 */
class RequestMetrics {
  readonly #metrics: Metrics;
  #pending: Array<{ method: string; route: string; status: number; seconds: number }> = [];

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  record(method: string, route: string, status: number, seconds: number): void {
    if (this.#pending.length === 0) setImmediate(() => this.flush());
    this.#pending.push({ method, route, status, seconds });
  }

  flush(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    for (const { method, route, status, seconds } of pending) {
      this.#metrics.httpRequests.inc({ method, route, status: String(status) });
      this.#metrics.httpDuration.observe({ method, route }, seconds);
    }
  }
}

/** Adds routes to the app; areas (events, alerts, UI…) each provide one. */
export type HttpMount = (app: Hono) => void;

export function createHttpApp(deps: HttpDeps, mounts: readonly HttpMount[] = []): Hono {
  const app = new Hono();
  const { log, metrics } = deps;
  const scrub = (text: string): string => deps.scrubber?.scrub(text) ?? text;

  const requestMetrics = new RequestMetrics(metrics);
  app.use(async (c, next) => {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    requestMetrics.record(c.req.method, routePath(c) || 'unmatched', c.res.status, seconds);
    log.debug(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) },
      'request',
    );
  });

  const auth = deps.auth;
  if (auth) app.use((c, next) => (UNAUTHENTICATED.has(c.req.path) ? next() : auth(c, next)));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const report = await deps.readiness.report();
    if (report.ready) return c.json({ status: 'ready', checks: report.checks });
    const failing = Object.entries(report.checks)
      .filter(([, r]) => !r.ok)
      .map(([name, r]) => `${name}: ${r.reason ?? 'not ready'}`);
    return c.json({ status: 'not ready', reason: scrub(failing.join('; ')), checks: report.checks }, 503);
  });

  app.get('/metrics', async (c) => {
    requestMetrics.flush();
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });

  app.get('/api/v1/status', async (c) => c.json(await deps.status()));

  for (const mount of mounts) mount(app);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(errorBody(error.code, scrub(error.message)), error.status);
    if (error instanceof HTTPException) {
      return c.json(
        errorBody(error.status === 401 ? 'unauthorized' : 'bad_request', scrub(error.message)),
        error.status,
      );
    }
    log.error({ err: error, path: c.req.path }, 'request failed');
    return c.json(errorBody('internal', scrub(errorMessage(error))), 500);
  });

  return app;
}
