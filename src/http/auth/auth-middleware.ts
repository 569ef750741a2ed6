// The gate in front of every route but health, readiness and metrics: who is asking (session
// cookie, bearer token, or nobody in `mode: none`), whether their role allows it, and, for
// changes made by browsers, whether the request carries the page's CSRF token.
import type { Context, MiddlewareHandler } from 'hono';
import type { DirectGate } from '../app.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../../telemetry/logger.js';
import { errorBody } from '../errors.js';
import { denial, isSafeMethod } from './access-policy.js';
import type { AuthService } from './auth-service.js';
import type { Principal } from './principal.js';
import { CSRF_COOKIE, SESSION_COOKIE, type SessionCookies } from './session-cookie.js';
import { randomToken, safeEqual } from './token-crypto.js';

/** Paths anyone may reach: the login page and what it needs, and the API description. */
const ALWAYS_OPEN = ['/ui/login', '/ui/assets/*', '/api/openapi.json', '/favicon.ico'];

/** The header scripts send the CSRF token in (forms send the `_csrf` field). */
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

export type HtmlErrorRenderer = (
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  message: string,
) => Response | Promise<Response>;

export interface AuthMiddlewareOptions {
  readonly service: AuthService;
  readonly cookies: SessionCookies;
  readonly log: Logger;
  /** Origins besides the request's own that may send changes (the `external_url`'s). */
  readonly externalUrl?: string | undefined;
  /** More paths without sign-in: exact paths, or prefixes ending in `*` (a chat webhook, say). */
  readonly openPaths?: readonly string[] | undefined;
  /** How browsers are told they may not do something (the UI's error page). */
  readonly renderHtmlError?: HtmlErrorRenderer | undefined;
}

function matcher(patterns: readonly string[]): (path: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p));
}

/** Requests a person makes with a browser, who should see pages rather than JSON. */
export function wantsHtml(c: Context): boolean {
  const path = c.req.path;
  return (path === '/' || path === '/ui' || path.startsWith('/ui/')) && !path.startsWith('/ui/assets/');
}

/** The CSRF token a request carries: the header, or the `_csrf` field of a form. */
async function csrfTokenOf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    // Hono caches the parsed body: the route handler can read it again.
    const body = await c.req.parseBody();
    const value = body[CSRF_FIELD];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function originHost(value: string): string | undefined {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Who a bearer `authorization` header names; 'bad-token' for a malformed or unknown token. */
async function bearerPrincipal(
  service: AuthService,
  authorization: string,
): Promise<Principal | 'bad-token'> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const who = m ? await service.bearer(m[1]!) : undefined;
  return who ?? 'bad-token';
}

/**
 * The middleware's decision for requests answered directly on node:http (see DirectRoutes), in
 * the plain cases only: an open path; or a tool (no cookies, no browser headers) in mode none,
 * or with an API token whose role allows the request. Anything else answers false and goes
 * through the middleware, which answers it. In mode none the middleware hands every answer the
 * CSRF cookie that browsers' forms need; a tool's direct answer goes without it.
 */
export function createDirectGate(options: Pick<AuthMiddlewareOptions, 'service' | 'openPaths'>): DirectGate {
  const { service } = options;
  const isOpen = matcher([...ALWAYS_OPEN, ...(options.openPaths ?? [])]);
  return (req) => {
    const path = req.url ?? '';
    if (isOpen(path)) return true;
    const h = req.headers;
    const browser =
      h.cookie !== undefined ||
      h.origin !== undefined ||
      h['sec-fetch-site'] !== undefined ||
      h['sec-fetch-mode'] !== undefined;
    if (browser) return false;
    if (service.mode === 'none') return true;
    if (h.authorization === undefined) return false;
    return bearerPrincipal(service, h.authorization).then(
      (who) =>
        who !== 'bad-token' && who.via === 'token' && denial(who, req.method ?? '', path) === undefined,
    );
  };
}

export function createAuthMiddleware(options: AuthMiddlewareOptions): MiddlewareHandler {
  const { service, cookies, log } = options;
  const isOpen = matcher([...ALWAYS_OPEN, ...(options.openPaths ?? [])]);
  const externalHost = options.externalUrl ? originHost(options.externalUrl) : undefined;

  const fail = async (c: Context, status: 401 | 403, code: string, message: string): Promise<Response> => {
    if (wantsHtml(c) && options.renderHtmlError) {
      return options.renderHtmlError(c, status, status === 401 ? 'Sign in' : 'Not allowed', message);
    }
    if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="Lookout"');
    return c.json(errorBody(code, message), status);
  };

  /** A browser's change from another site (the cross-site half of CSRF). */
  const crossSite = (c: Context): boolean => {
    const site = c.req.header('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') return true;
    const origin = c.req.header('origin');
    if (origin === undefined) return false;
    const from = originHost(origin);
    const self = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    return from === undefined || (from !== self && from !== externalHost);
  };

  const identify = async (c: Context): Promise<Principal | 'bad-token' | undefined> => {
    if (service.mode === 'none') {
      let csrf = cookies.read(c, CSRF_COOKIE);
      if (!csrf || csrf.length < 20) {
        csrf = randomToken();
        cookies.set(c, CSRF_COOKIE, csrf, { strict: true });
      }
      return { name: 'local', role: 'admin', via: 'open', csrfToken: csrf };
    }
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) return bearerPrincipal(service, authorization);
    const cookie = cookies.read(c, SESSION_COOKIE);
    return cookie ? service.session(cookie) : undefined;
  };

  return async (c, next) => {
    const path = c.req.path;
    if (isOpen(path)) return next();
    const who = await identify(c);
    if (who === 'bad-token') {
      return fail(c, 401, 'unauthorized', 'the API token is not valid (mistyped, revoked or expired)');
    }
    if (!who) {
      if (wantsHtml(c) && isSafeMethod(c.req.method)) {
        const url = new URL(c.req.url);
        const next = `${url.pathname}${url.search}`;
        return c.redirect(
          `/ui/login${next === '/' || next === '/ui/' ? '' : `?next=${encodeURIComponent(next)}`}`,
          303,
        );
      }
      return fail(c, 401, 'unauthorized', 'sign in, or send an API token as "Authorization: Bearer <token>"');
    }
    const why = denial(who, c.req.method, path);
    if (why) return fail(c, 403, 'forbidden', why);
    if (!isSafeMethod(c.req.method) && who.via !== 'token') {
      if (crossSite(c)) {
        log.warn({ path, origin: c.req.header('origin') }, 'cross-site change refused');
        return fail(c, 403, 'csrf', 'refused: this change came from another site');
      }
      // Browsers carry the token; tools without cookies (curl, amtool) in mode none need none.
      const browser = c.req.header('cookie') !== undefined || c.req.header('sec-fetch-mode') !== undefined;
      if (who.via === 'session' || browser) {
        const sent = await csrfTokenOf(c);
        if (!sent || !who.csrfToken || !safeEqual(sent, who.csrfToken)) {
          log.warn({ path, user: who.name }, 'change without a valid CSRF token refused');
          return fail(
            c,
            403,
            'csrf',
            'refused: the form has expired or did not come from Lookout; reload the page and try again',
          );
        }
      }
    }
    c.set('principal', who);
    return next();
  };
}
