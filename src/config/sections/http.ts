// `http:` — the HTTP server: API, web UI, /metrics, /healthz, /readyz, and who may use them
// (`auth:` accounts, sessions and the bootstrap admin token).
import { z } from 'zod';
import { parseAddressRange } from '../../lib/cidr.js';
import type { Secret } from '../../lib/secret.js';
import { duration, listenAddress, obj, readSecretFile, secret } from '../schema-kit.js';

/** bcrypt's modular format: `$2a$`, `$2b$` or `$2y$`, a two-digit cost, 53 characters of salt and hash. */
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const HASH_HINT =
  'must be a bcrypt hash ($2b$10$…, 60 characters); make one with `lookout auth hash-password`';

const userSchema = obj({
  /** The login name. */
  name: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_", "@" or "-"'),
  /** bcrypt hash of the password (never the password itself). */
  password_hash: secret()
    .refine((s) => BCRYPT_HASH.test(s.reveal()), { message: HASH_HINT })
    .optional(),
  /** A file holding the bcrypt hash (a mounted Kubernetes Secret). */
  password_hash_file: z.string().min(1).optional(),
  /** `viewer` reads everything; `admin` may also change things (silences, re-sends, API tokens). */
  role: z.enum(['viewer', 'admin'], { error: 'must be "viewer" or "admin"' }).default('viewer'),
}).transform((u, ctx) => {
  const { password_hash_file: file, ...rest } = u;
  if (u.password_hash && file) {
    ctx.addIssue({
      code: 'custom',
      path: ['password_hash'],
      message: 'set either password_hash or password_hash_file, not both',
    });
  }
  let hash: Secret | undefined = u.password_hash;
  if (file) {
    hash = readSecretFile(file, ctx, 'password_hash_file');
    if (hash && !BCRYPT_HASH.test(hash.reveal())) {
      ctx.addIssue({
        code: 'custom',
        path: ['password_hash_file'],
        message: `the file's content ${HASH_HINT}`,
      });
    }
  }
  if (!u.password_hash && !file) {
    ctx.addIssue({ code: 'custom', path: ['password_hash'], message: 'is required (or password_hash_file)' });
  }
  return { ...rest, password_hash: hash as Secret };
});

const authSchema = obj({
  /**
   * `login` (default): every page and API call needs a session, an API token or the bootstrap
   * token. `none`: no login, everyone is an admin — only allowed when `listen` is a loopback
   * address (what `lookout demo` uses).
   */
  mode: z.enum(['login', 'none'], { error: 'must be "login" or "none"' }).default('login'),
  /** Accounts that can sign in to the web UI. */
  users: z.array(userSchema).default([]),
  /**
   * Make an admin token at first start and print it once (stored hashed). It signs in as
   * `admin` and works as an API bearer token until it is rotated or revoked on the Access page.
   */
  bootstrap_token: z.boolean().default(true),
  /** How long a sign-in lasts. */
  session_ttl: duration().prefault('12h'),
  /**
   * `auto`: session cookies are `Secure` when the request came over HTTPS or `external_url`
   * is an https URL (Lookout behind a TLS-terminating proxy).
   */
  secure_cookies: z
    .enum(['auto', 'always', 'never'], { error: 'must be "auto", "always" or "never"' })
    .default('auto'),
}).superRefine((auth, ctx) => {
  const seen = new Set<string>();
  auth.users.forEach((u, i) => {
    if (seen.has(u.name)) {
      ctx.addIssue({ code: 'custom', path: ['users', i, 'name'], message: `"${u.name}" is listed twice` });
    }
    seen.add(u.name);
  });
});

/** Addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export const httpSchema = obj({
  /** `host:port` to listen on. Default: loopback only. */
  listen: listenAddress().prefault('127.0.0.1:8080'),
  /** The URL users reach Lookout at; used for links in notifications. */
  external_url: z.url().optional(),
  /** Who may use the web UI and the API. */
  auth: authSchema.prefault({}),
  /**
   * Addresses or CIDR ranges of reverse proxies in front of Lookout (an ingress controller).
   * For requests from them, the client address (for the sign-in throttle and log) is taken from
   * X-Forwarded-For; from anyone else that header is ignored.
   */
  trusted_proxies: z
    .array(
      z.string().superRefine((entry, ctx) => {
        const range = parseAddressRange(entry);
        if ('problem' in range) ctx.addIssue({ code: 'custom', message: range.problem });
      }),
    )
    .default([]),
}).superRefine((http, ctx) => {
  if (http.auth.mode === 'none' && !isLoopbackHost(http.listen.host)) {
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'mode'],
      message: `"none" (no login) is only allowed on a loopback listen address such as 127.0.0.1:8080; Lookout would listen on ${http.listen.host}:${http.listen.port}, so set up accounts or use the bootstrap token instead`,
    });
  }
});

export type HttpConfig = z.output<typeof httpSchema>;
export type HttpAuthConfig = HttpConfig['auth'];
