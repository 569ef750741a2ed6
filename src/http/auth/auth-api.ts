// The access API: who am I, and API tokens for scripts (list, create, revoke) — admins only
// for the tokens. A new token is shown in the answer to its creation and never again.
import type { Context, Hono } from 'hono';
import { parseDuration } from '../../lib/duration.js';
import type { ApiToken, TokenRole } from '../../store/repos/web-repo.js';
import type { HttpMount } from '../app.js';
import { ApiError } from '../errors.js';
import type { AuthService } from './auth-service.js';

const ROLES: readonly TokenRole[] = ['viewer', 'admin', 'ingest'];

export function tokenView(t: ApiToken, now: number) {
  const iso = (v: number | null): string | null => (v === null ? null : new Date(v).toISOString());
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    bootstrap: t.slot !== null,
    created_by: t.createdBy,
    created_at: iso(t.createdAt),
    last_used_at: iso(t.lastUsedAt),
    expires_at: iso(t.expiresAt),
    revoked_at: iso(t.revokedAt),
    state:
      t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'active',
  };
}

/** Checks a new token's name, role and lifetime; throws ApiError(400) with what is wrong. */
export function readNewToken(input: { name?: unknown; role?: unknown; expires_in?: unknown }): {
  name: string;
  role: TokenRole;
  ttlMs: number | undefined;
} {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!/^[\w .@:/-]{1,100}$/.test(name)) {
    throw new ApiError(400, 'bad_request', 'name: 1-100 letters, digits, spaces and . _ - @ : /');
  }
  const role = ROLES.find((r) => r === input.role);
  if (!role) throw new ApiError(400, 'bad_request', 'role: must be "viewer", "admin" or "ingest"');
  let ttlMs: number | undefined;
  if (
    input.expires_in !== undefined &&
    input.expires_in !== null &&
    input.expires_in !== '' &&
    input.expires_in !== 'never'
  ) {
    ttlMs = typeof input.expires_in === 'string' ? parseDuration(input.expires_in) : undefined;
    if (ttlMs === undefined || ttlMs <= 0) {
      throw new ApiError(400, 'bad_request', 'expires_in: a duration such as 30d, or "never"');
    }
  }
  return { name, role, ttlMs };
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const body = (await c.req.json()) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'bad_request', 'the body must be a JSON object');
}

export function authApi(service: AuthService, now: () => number = Date.now): HttpMount {
  return (app: Hono) => {
    app.get('/api/v1/auth/whoami', (c) => {
      const p = c.get('principal');
      return c.json({ name: p.name, role: p.role, via: p.via });
    });

    app.get('/api/v1/auth/tokens', async (c) => {
      const t = now();
      return c.json({ tokens: (await service.listApiTokens()).map((x) => tokenView(x, t)) });
    });

    app.post('/api/v1/auth/tokens', async (c) => {
      const input = readNewToken(await jsonBody(c));
      const created = await service.createApiToken({ ...input, createdBy: c.get('principal').name });
      c.header('cache-control', 'no-store');
      return c.json({ token: created.token, ...tokenView(created.record, now()) }, 201);
    });

    app.delete('/api/v1/auth/tokens/:id{[0-9]+}', async (c) => {
      const id = Number(c.req.param('id'));
      if (!(await service.revokeApiToken(id, c.get('principal').name))) {
        throw new ApiError(404, 'not_found', `no active token ${id}`);
      }
      return c.json({ id, state: 'revoked' });
    });

    app.post('/api/v1/auth/tokens/bootstrap/rotate', async (c) => {
      const token = await service.rotateBootstrapToken(c.get('principal').name);
      c.header('cache-control', 'no-store');
      return c.json({ token });
    });
  };
}
