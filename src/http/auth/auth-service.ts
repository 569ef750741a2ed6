// Sign-in for the web UI and API: password accounts from `http.auth.users`, server-side
// sessions, API tokens admins create, and the bootstrap admin token printed at first start.
import { Counter, type Registry } from 'prom-client';
import type { HttpAuthConfig } from '../../config/sections/http.js';
import { errorMessage } from '../../lib/errors.js';
import type { Store } from '../../store/store.js';
import {
  claimBootstrapToken,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOf,
  findApiToken,
  findSession,
  getBootstrapToken,
  insertApiToken,
  insertSession,
  listApiTokens,
  replaceBootstrapToken,
  revokeApiToken,
  touchApiToken,
  touchSession,
  type ApiToken,
  type TokenRole,
  type WebRole,
} from '../../store/repos/web-repo.js';
import type { Logger } from '../../telemetry/logger.js';
import { LoginThrottle } from './login-throttle.js';
import { verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { randomToken, sha256Hex, TOKEN_PREFIX } from './token-crypto.js';

/** The name the bootstrap token signs in as. */
export const BOOTSTRAP_USER = 'admin';

/** Sessions and tokens record their last use at most this often (one write a minute, not per request). */
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthServiceOptions {
  readonly auth: HttpAuthConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly registry?: Registry | undefined;
  readonly now?: () => number;
  /**
   * Shows the bootstrap token to whoever started Lookout, once. Default: a line on stderr
   * (not through the logger, whose output is shipped and kept).
   */
  readonly announce?: (token: string) => void;
}

export interface SignInMeta {
  readonly address?: string | undefined;
  readonly userAgent?: string | undefined;
}

export type SignInResult =
  | {
      readonly ok: true;
      readonly cookieValue: string;
      readonly principal: Principal;
      readonly expiresAt: number;
    }
  | { readonly ok: false; readonly reason: 'invalid' | 'throttled'; readonly retryAfterMs?: number };

export interface CreatedToken {
  /** The token itself: shown once, never stored. */
  readonly token: string;
  readonly record: ApiToken;
}

export class AuthService {
  readonly #auth: HttpAuthConfig;
  readonly #store: Store;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #announce: (token: string) => void;
  readonly #throttle: LoginThrottle;
  readonly #signIns: Counter<'method' | 'result'> | undefined;

  constructor(options: AuthServiceOptions) {
    this.#auth = options.auth;
    this.#store = options.store;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#announce =
      options.announce ??
      ((token) =>
        void process.stderr.write(
          `\nLookout bootstrap admin token (shown once; sign in with it at /ui/login or send it as "Authorization: Bearer"):\n  ${token}\n\n`,
        ));
    this.#throttle = new LoginThrottle({ now: this.#now });
    this.#signIns = options.registry
      ? new Counter({
          name: 'lookout_http_sign_ins_total',
          help: 'Sign-in attempts to the web UI, by method (password, token) and result (ok, invalid, throttled).',
          labelNames: ['method', 'result'],
          registers: [options.registry],
        })
      : undefined;
  }

  get mode(): HttpAuthConfig['mode'] {
    return this.#auth.mode;
  }

  get sessionTtlMs(): number {
    return this.#auth.session_ttl;
  }

  /** Whether the login page offers the bootstrap token field. */
  get bootstrapEnabled(): boolean {
    return this.#auth.bootstrap_token;
  }

  /** Call after the store is migrated: makes (and announces) the bootstrap token on first start. */
  async start(): Promise<void> {
    const db = this.#store.db;
    await deleteExpiredSessions(db, this.#now());
    if (this.#auth.mode !== 'login' || !this.#auth.bootstrap_token) return;
    if (await getBootstrapToken(db)) return;
    const token = randomToken(TOKEN_PREFIX.bootstrap);
    // Several instances may start at once: only the one whose token was stored announces it.
    if (await claimBootstrapToken(db, sha256Hex(token), this.#now())) {
      this.#log.warn('made the bootstrap admin token (printed once on stderr; rotate it on the Access page)');
      this.#announce(token);
    }
  }

  #record(method: string, result: string): void {
    this.#signIns?.inc({ method, result });
  }

  async #openSession(
    userName: string,
    role: WebRole,
    method: 'password' | 'token',
    meta: SignInMeta,
  ): Promise<SignInResult> {
    const now = this.#now();
    const cookieValue = randomToken(TOKEN_PREFIX.session);
    const csrfToken = randomToken();
    const expiresAt = now + this.#auth.session_ttl;
    await deleteExpiredSessions(this.#store.db, now);
    await insertSession(this.#store.db, {
      idHash: sha256Hex(cookieValue),
      userName,
      role,
      method,
      csrfToken,
      createdAt: now,
      expiresAt,
      lastSeenAt: now,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    });
    this.#record(method, 'ok');
    this.#log.info({ user: userName, role, method }, 'signed in');
    return {
      ok: true,
      cookieValue,
      expiresAt,
      principal: { name: userName, role, via: 'session', csrfToken },
    };
  }

  #throttleKeys(name: string, meta: SignInMeta): string[] {
    return [`name:${name.toLowerCase()}`, ...(meta.address ? [`address:${meta.address}`] : [])];
  }

  async signInWithPassword(name: string, password: string, meta: SignInMeta = {}): Promise<SignInResult> {
    const keys = this.#throttleKeys(name, meta);
    const wait = this.#throttle.retryAfter(keys);
    if (wait > 0) {
      this.#record('password', 'throttled');
      return { ok: false, reason: 'throttled', retryAfterMs: wait };
    }
    const user = this.#auth.users.find((u) => u.name === name);
    const ok = await verifyPassword(password, user?.password_hash.reveal());
    if (!ok || !user) {
      this.#throttle.fail(keys);
      this.#record('password', 'invalid');
      this.#log.info({ user: name, address: meta.address }, 'sign-in refused: wrong name or password');
      return { ok: false, reason: 'invalid' };
    }
    this.#throttle.succeed(keys);
    return this.#openSession(user.name, user.role, 'password', meta);
  }

  /** Signs in with the bootstrap admin token (API tokens are for scripts, not for the UI). */
  async signInWithToken(token: string, meta: SignInMeta = {}): Promise<SignInResult> {
    const keys = this.#throttleKeys('#token', meta);
    const wait = this.#throttle.retryAfter(keys);
    if (wait > 0) {
      this.#record('token', 'throttled');
      return { ok: false, reason: 'throttled', retryAfterMs: wait };
    }
    const found = this.#auth.bootstrap_token
      ? await findApiToken(this.#store.db, sha256Hex(token.trim()), this.#now())
      : undefined;
    if (!found || found.slot === null) {
      this.#throttle.fail(keys);
      this.#record('token', 'invalid');
      this.#log.info({ address: meta.address }, 'sign-in refused: not the bootstrap token');
      return { ok: false, reason: 'invalid' };
    }
    return this.#openSession(BOOTSTRAP_USER, 'admin', 'token', meta);
  }

  /** The principal of a session cookie, or undefined when it is unknown, expired or no longer valid. */
  async session(cookieValue: string): Promise<Principal | undefined> {
    const now = this.#now();
    const idHash = sha256Hex(cookieValue);
    const s = await findSession(this.#store.db, idHash, now);
    if (!s) return undefined;
    let role: WebRole = s.role;
    if (s.method === 'password') {
      // Accounts live in the config: a removed account ends its sessions, a changed role applies now.
      const user = this.#auth.users.find((u) => u.name === s.userName);
      if (!user) {
        await deleteSession(this.#store.db, idHash);
        return undefined;
      }
      role = user.role;
    } else if (!this.#auth.bootstrap_token) {
      return undefined;
    }
    if (now - s.lastSeenAt > TOUCH_INTERVAL_MS) await touchSession(this.#store.db, idHash, now);
    return { name: s.userName, role, via: 'session', csrfToken: s.csrfToken };
  }

  /** The principal of a bearer token (an API token or the bootstrap token). */
  async bearer(token: string): Promise<Principal | undefined> {
    const now = this.#now();
    const t = await findApiToken(this.#store.db, sha256Hex(token), now);
    if (!t) return undefined;
    if (t.slot !== null && !this.#auth.bootstrap_token) return undefined;
    if (t.lastUsedAt === null || now - t.lastUsedAt > TOUCH_INTERVAL_MS) {
      await touchApiToken(this.#store.db, t.id, now).catch((error: unknown) =>
        this.#log.warn({ err: errorMessage(error) }, 'could not record the use of an API token'),
      );
    }
    return { name: t.slot !== null ? BOOTSTRAP_USER : t.name, role: t.role, via: 'token' };
  }

  async signOut(cookieValue: string): Promise<void> {
    await deleteSession(this.#store.db, sha256Hex(cookieValue));
  }

  async createApiToken(input: {
    name: string;
    role: TokenRole;
    createdBy: string;
    ttlMs?: number | undefined;
  }): Promise<CreatedToken> {
    const token = randomToken(TOKEN_PREFIX.api);
    const now = this.#now();
    const record = await insertApiToken(this.#store.db, {
      name: input.name,
      role: input.role,
      tokenHash: sha256Hex(token),
      createdBy: input.createdBy,
      createdAt: now,
      expiresAt: input.ttlMs ? now + input.ttlMs : null,
    });
    this.#log.info(
      { token: record.name, id: record.id, role: record.role, by: input.createdBy },
      'API token created',
    );
    return { token, record };
  }

  listApiTokens(): Promise<ApiToken[]> {
    return listApiTokens(this.#store.db);
  }

  /** Revokes a token; the bootstrap token's sign-ins end with it. */
  async revokeApiToken(id: number, by: string): Promise<boolean> {
    const tokens = await listApiTokens(this.#store.db);
    const target = tokens.find((t) => t.id === id);
    const done = await revokeApiToken(this.#store.db, id, this.#now());
    if (done && target && target.slot !== null) {
      await deleteSessionsOf(this.#store.db, BOOTSTRAP_USER, 'token');
    }
    if (done) this.#log.info({ id, token: target?.name, by }, 'API token revoked');
    return done;
  }

  /** A new bootstrap token (the old one stops working, and its sign-ins end). */
  async rotateBootstrapToken(by: string): Promise<string> {
    const token = randomToken(TOKEN_PREFIX.bootstrap);
    await replaceBootstrapToken(this.#store.db, sha256Hex(token), this.#now());
    await deleteSessionsOf(this.#store.db, BOOTSTRAP_USER, 'token');
    this.#log.warn({ by }, 'bootstrap admin token replaced');
    return token;
  }
}
