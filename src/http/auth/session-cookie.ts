// The session cookie: HttpOnly, SameSite=Lax, and Secure (with the __Host- prefix) whenever
// Lookout is reached over HTTPS, directly or behind a proxy named by `external_url`.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'lookout_session';
/** Ties the login form to the browser that loaded it (login CSRF). */
export const LOGIN_COOKIE = 'lookout_login';
/** The CSRF token of browsers in `mode: none`, where there are no sessions. */
export const CSRF_COOKIE = 'lookout_csrf';

export interface CookiePolicy {
  readonly secureCookies: 'auto' | 'always' | 'never';
  readonly externalUrl?: string | undefined;
}

export class SessionCookies {
  readonly #policy: CookiePolicy;

  constructor(policy: CookiePolicy) {
    this.#policy = policy;
  }

  /** Whether cookies set on this request's response must be Secure. */
  secure(c: Context): boolean {
    const { secureCookies, externalUrl } = this.#policy;
    if (secureCookies !== 'auto') return secureCookies === 'always';
    if (externalUrl?.startsWith('https:')) return true;
    return new URL(c.req.url).protocol === 'https:';
  }

  #name(c: Context, base: string): string {
    return this.secure(c) ? `__Host-${base}` : base;
  }

  /** A cookie's value under its plain or __Host- name. */
  read(c: Context, base: string): string | undefined {
    return getCookie(c, `__Host-${base}`) ?? getCookie(c, base);
  }

  set(
    c: Context,
    base: string,
    value: string,
    options: { maxAgeSeconds?: number; strict?: boolean } = {},
  ): void {
    setCookie(c, this.#name(c, base), value, {
      path: '/',
      httpOnly: true,
      secure: this.secure(c),
      sameSite: options.strict ? 'Strict' : 'Lax',
      ...(options.maxAgeSeconds !== undefined
        ? { maxAge: Math.max(0, Math.floor(options.maxAgeSeconds)) }
        : {}),
    });
  }

  clear(c: Context, base: string): void {
    for (const name of [base, `__Host-${base}`]) {
      if (getCookie(c, name) === undefined) continue;
      deleteCookie(c, name, { path: '/', secure: name.startsWith('__Host-') || this.secure(c) });
    }
  }
}
