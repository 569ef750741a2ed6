// Signing in and out: a name and password from `http.auth.users`, or the bootstrap admin
// token. The form is tied to the browser that loaded it (a nonce cookie), so another site
// cannot sign someone in under its own account.
import type { Context, Hono } from 'hono';
import type { SignInResult } from '../../auth/auth-service.js';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../auth/session-cookie.js';
import { randomToken, safeEqual } from '../../auth/token-crypto.js';
import { Notice } from '../components.js';
import { Layout } from '../layout.js';
import type { UiDeps } from '../ui-deps.js';

/** Where to go after signing in: a local path only (never another site). */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/ui/';
  return next;
}

export function loginPages(deps: UiDeps) {
  const { auth, cookies } = deps;

  const form = (
    c: Context,
    options: { next: string; error?: string; notice?: string; status?: 200 | 400 | 401 | 429 },
  ) => {
    const nonce = randomToken();
    cookies.set(c, LOGIN_COOKIE, nonce, { maxAgeSeconds: 3600, strict: true });
    c.header('cache-control', 'no-store');
    return c.html(
      <Layout title="Sign in">
        <div class="login">
          <h1>Sign in to Lookout</h1>
          {options.notice ? <Notice tone="ok">{options.notice}</Notice> : null}
          {options.error ? (
            <Notice tone="bad" testid="login-error">
              {options.error}
            </Notice>
          ) : null}
          <form method="post" action="/ui/login" class="stack card" data-testid="login-form">
            <input type="hidden" name="_login" value={nonce} />
            <input type="hidden" name="next" value={options.next} />
            <label>
              Name
              <input name="name" autocomplete="username" autofocus data-testid="login-name" />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autocomplete="current-password"
                data-testid="login-password"
              />
            </label>
            <button type="submit" data-testid="login-submit">
              Sign in
            </button>
          </form>
          {auth.bootstrapEnabled ? (
            <details class="card">
              <summary>Sign in with the admin token</summary>
              <form method="post" action="/ui/login" class="stack">
                <input type="hidden" name="_login" value={nonce} />
                <input type="hidden" name="next" value={options.next} />
                <label>
                  Token <span class="muted small">(printed when Lookout first started)</span>
                  <input name="token" type="password" autocomplete="off" data-testid="login-token" />
                </label>
                <button type="submit" data-testid="login-token-submit">
                  Sign in as admin
                </button>
              </form>
            </details>
          ) : null}
        </div>
      </Layout>,
      options.status ?? 200,
    );
  };

  return (app: Hono): void => {
    app.get('/ui/login', async (c) => {
      const next = safeNext(c.req.query('next'));
      if (auth.mode === 'none') return c.redirect(next, 303);
      const cookie = cookies.read(c, SESSION_COOKIE);
      if (cookie && (await auth.session(cookie))) return c.redirect(next, 303);
      return form(c, { next, notice: c.req.query('signed_out') ? 'You are signed out.' : undefined });
    });

    app.post('/ui/login', async (c) => {
      if (auth.mode === 'none') return c.redirect('/ui/', 303);
      const body = await c.req.parseBody();
      const field = (k: string): string => (typeof body[k] === 'string' ? body[k] : '');
      const next = safeNext(field('next'));
      const nonce = cookies.read(c, LOGIN_COOKIE);
      const site = c.req.header('sec-fetch-site');
      if (!nonce || !safeEqual(nonce, field('_login')) || site === 'cross-site' || site === 'same-site') {
        return form(c, {
          next,
          error: 'The sign-in form expired or came from somewhere else. Please try again.',
          status: 400,
        });
      }
      const meta = { address: deps.clientAddress.of(c), userAgent: c.req.header('user-agent') };
      let result: SignInResult;
      if (field('token')) result = await auth.signInWithToken(field('token'), meta);
      else if (field('name')) result = await auth.signInWithPassword(field('name'), field('password'), meta);
      else return form(c, { next, error: 'Enter your name and password.', status: 400 });
      if (!result.ok) {
        if (result.reason === 'throttled') {
          const seconds = Math.ceil((result.retryAfterMs ?? 60_000) / 1000);
          c.header('retry-after', String(seconds));
          return form(c, {
            next,
            error: `Too many failed sign-ins. Try again in ${seconds} s.`,
            status: 429,
          });
        }
        return form(c, {
          next,
          error: field('token') ? 'That is not the admin token.' : 'Wrong name or password.',
          status: 401,
        });
      }
      cookies.clear(c, LOGIN_COOKIE);
      cookies.set(c, SESSION_COOKIE, result.cookieValue, {
        maxAgeSeconds: (result.expiresAt - deps.now()) / 1000,
      });
      return c.redirect(next, 303);
    });

    app.post('/ui/logout', async (c) => {
      const cookie = cookies.read(c, SESSION_COOKIE);
      if (cookie) await auth.signOut(cookie);
      cookies.clear(c, SESSION_COOKIE);
      deps.log.info({ user: c.get('principal')?.name }, 'signed out');
      return c.redirect('/ui/login?signed_out=1', 303);
    });
  };
}
