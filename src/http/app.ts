// The Hono application: health, readiness, metrics, status, and whatever API and UI routes
// the composition root mounts. Every error leaves as { "error": { "code", "message" } }.
// A route hot enough for the framework's own cost to show (Prometheus posting alerts one at a
// time) can also be answered directly on node:http, ahead of Hono: see DirectRoutes.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
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
  /**
   * The same check for requests answered directly (see DirectRoutes): true when `auth` would
   * let the request through as it stands. Without it, and with `auth` set, nothing is answered
   * directly: every request goes through `auth`.
   */
  readonly directGate?: DirectGate;
}

/**
 * True when a request may be answered directly, as it stands; false sends it through Hono,
 * whose auth middleware then answers (sign in, forbidden, CSRF…).
 */
export type DirectGate = (req: IncomingMessage) => boolean | Promise<boolean>;

/**
 * Answers a request whose body has been read, and returns true; or returns false, having
 * written nothing, to hand the request (body included) to the Hono route of the same path.
 * Only the plain case belongs here; errors are answered by the Hono route, in one place.
 */
export type DirectHandler = (body: Buffer, res: ServerResponse) => boolean;

/**
 * Routes answered on node:http before Hono sees the request: exact method and path (a query
 * string sends the request to Hono), after the auth gate. Each must have a Hono route of the
 * same method and path that gives the same answers, for whatever the direct one hands over.
 */
export class DirectRoutes {
  readonly #routes = new Map<string, DirectHandler>();

  post(path: string, handler: DirectHandler): void {
    this.#routes.set(`POST ${path}`, handler);
  }

  get size(): number {
    return this.#routes.size;
  }

  /** The handler for a request, if it is one of these (its URL is then the route's path). */
  find(req: IncomingMessage): DirectHandler | undefined {
    return this.#routes.get(`${req.method} ${req.url}`);
  }
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
export type HttpMount = (app: Hono, direct?: DirectRoutes) => void;

/**
 * The app, and how to serve it on node:http: `listener` puts the direct routes in front of
 * `hono`, node-server's adaptor of this same app.
 */
export type HttpApp = Hono & {
  readonly listener: (hono: RequestListener) => RequestListener;
};

export function createHttpApp(deps: HttpDeps, mounts: readonly HttpMount[] = []): HttpApp {
  const app = new Hono();
  const direct = new DirectRoutes();
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

  for (const mount of mounts) mount(app, direct);

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

  // With auth and no gate for it, nothing may skip the middleware.
  const gate: DirectGate | undefined = deps.auth ? deps.directGate : () => true;
  const listener = (hono: RequestListener): RequestListener =>
    gate && direct.size > 0
      ? directListener({ direct, gate, hono, log, answered: (...a) => requestMetrics.record(...a) })
      : hono;
  return Object.assign(app, { listener });
}

/**
 * Answers what the direct routes take, after the gate; hands everything else, body included
 * once read, to `hono`. `answered` counts a direct answer as the app counts its own.
 */
function directListener(o: {
  direct: DirectRoutes;
  gate: DirectGate;
  hono: RequestListener;
  log: Logger;
  answered: (method: string, route: string, status: number, seconds: number) => void;
}): RequestListener {
  const { direct, gate, hono, log } = o;
  return (req, res) => {
    const handler = direct.find(req);
    if (!handler) return hono(req, res);
    const start = performance.now();
    const answer = (body: Buffer): void => {
      let handled = false;
      try {
        handled = handler(body, res);
      } catch (error) {
        // A bug, not a bad request: the Hono route answers (or, past the headers, the
        // connection is cut) instead of the exception ending the process.
        log.error({ err: error, path: req.url }, 'direct route failed');
        if (res.headersSent) return void res.destroy();
      }
      if (!handled) {
        // node-server reads a request's body from `rawBody` when there is one.
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
        return void hono(req, res);
      }
      const seconds = (performance.now() - start) / 1000;
      o.answered(req.method!, req.url!, res.statusCode, seconds);
      log.debug(
        { method: req.method, path: req.url, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'request',
      );
    };
    // Not allowed: Hono answers, and reads the body only if its route wants it.
    const admit = (allowed: boolean): void => (allowed ? readBody(req, answer) : void hono(req, res));
    const allowed = gate(req);
    if (typeof allowed === 'boolean') return admit(allowed);
    allowed.then(admit, (error: unknown) => {
      log.error({ err: error, path: req.url }, 'request check failed');
      void hono(req, res);
    });
  };
}

/** Reads a whole request body; a request that fails (the client went away) is dropped. */
function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  req.once('error', () => req.destroy());
}
