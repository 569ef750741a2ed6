// Calls Lookout's own JSON API from a page handler, in process (no socket), as the person who
// asked for the page: their cookie or token goes along, so the API applies the same rules.
import type { Context, Hono } from 'hono';
import { CSRF_HEADER } from '../auth/auth-middleware.js';
import { errorMessage } from '../../lib/errors.js';

export interface ApiAnswer<T> {
  readonly ok: boolean;
  readonly status: number;
  readonly body: T | undefined;
  /** What went wrong, in the API's words (`error.message`, or Alertmanager's bare string). */
  readonly message: string;
}

function messageOf(status: number, body: unknown, text: string): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') {
    const b = body as { error?: { message?: unknown }; message?: unknown };
    if (typeof b.error?.message === 'string') return b.error.message;
    if (typeof b.message === 'string') return b.message;
  }
  return text.trim() || `HTTP ${status}`;
}

export class InProcessApi {
  #app: Hono | undefined;

  attach(app: Hono): void {
    this.#app = app;
  }

  #headers(c: Context, changing: boolean): Headers {
    const headers = new Headers({ accept: 'application/json' });
    for (const name of ['cookie', 'authorization']) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    const csrf = c.get('principal')?.csrfToken;
    if (changing && csrf) headers.set(CSRF_HEADER, csrf);
    return headers;
  }

  async #call<T>(c: Context, method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const app = this.#app;
    if (!app) return { ok: false, status: 503, body: undefined, message: 'the API is not mounted' };
    const changing = method !== 'GET';
    const headers = this.#headers(c, changing);
    if (body !== undefined) headers.set('content-type', 'application/json');
    try {
      const res = await app.request(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        parsed = undefined;
      }
      return {
        ok: res.ok,
        status: res.status,
        body: res.ok ? (parsed as T) : undefined,
        message: res.ok ? '' : messageOf(res.status, parsed, text),
      };
    } catch (error) {
      return { ok: false, status: 500, body: undefined, message: errorMessage(error) };
    }
  }

  get<T>(c: Context, path: string): Promise<ApiAnswer<T>> {
    return this.#call<T>(c, 'GET', path);
  }

  send<T>(
    c: Context,
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ApiAnswer<T>> {
    return this.#call<T>(c, method, path, body);
  }
}
