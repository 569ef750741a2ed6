// The chat users and audit API for the web UI: GET /api/v1/chat/users, PATCH
// /api/v1/chat/users/:id (role, grant, revoke), GET /api/v1/audit. Same rules as the bot's
// admin commands; who may call it is decided by the API's authentication in front of it.
import type { Hono } from 'hono';
import type { AuditResult } from '../../chat/context.js';
import { UsageError } from '../../chat/refusal.js';
import { UserAdmin } from '../../chat/user-admin.js';
import type { Store } from '../../store/index.js';
import { appendAudit, queryAudit } from '../../store/repos/audit-repo.js';
import { getUser, isRole, listUsers } from '../../store/repos/user-repo.js';
import { ApiError } from '../errors.js';
import { intParam, stringParam, timeParam } from './query-params.js';

export interface UsersApiDeps {
  readonly store: Store;
  /** `chat.telegram.admins`: always admins, their role cannot be changed here. */
  readonly configAdmins?: readonly number[];
  readonly now?: () => number;
  /** Who the caller is, for the audit log (the UI's login); `api` when unknown. */
  readonly actor?: (request: Request) => string | undefined;
}

interface PatchBody {
  role?: unknown;
  grant?: unknown;
  revoke?: unknown;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new ApiError(400, 'bad_request', `${name} must be a list of namespace names`);
  return value;
}

export function usersApi(deps: UsersApiDeps) {
  const configAdmins = deps.configAdmins ?? [];
  const now = deps.now ?? Date.now;
  const admin = new UserAdmin(deps.store.db, { configAdmins, now });
  const view = (u: Awaited<ReturnType<typeof getUser>> & object) => ({
    ...u,
    role: configAdmins.includes(u.id) ? 'admin' : u.role,
    configAdmin: configAdmins.includes(u.id),
  });
  return (app: Hono): void => {
    app.get('/api/v1/chat/users', async (c) => {
      const role = stringParam(c, 'role');
      if (role !== undefined && !isRole(role))
        throw new ApiError(400, 'bad_request', 'role must be admin, member, pending or blocked');
      const users = await listUsers(deps.store.db, role ? { role } : {});
      return c.json({ items: users.map(view) });
    });

    app.patch('/api/v1/chat/users/:id', async (c) => {
      const id = c.req.param('id');
      if (!/^\d+$/.test(id)) throw new ApiError(400, 'bad_request', 'id must be a Telegram user id');
      let body: PatchBody;
      try {
        body = await c.req.json<PatchBody>();
      } catch {
        throw new ApiError(
          400,
          'bad_request',
          'the body must be JSON: { "role"?, "grant"?: [ns], "revoke"?: [ns] }',
        );
      }
      if (body === null || typeof body !== 'object')
        throw new ApiError(400, 'bad_request', 'the body must be a JSON object');
      const unknown = Object.keys(body).filter((k) => !['role', 'grant', 'revoke'].includes(k));
      if (unknown.length > 0) throw new ApiError(400, 'bad_request', `unknown fields: ${unknown.join(', ')}`);
      if (body.role !== undefined && typeof body.role !== 'string')
        throw new ApiError(400, 'bad_request', 'role must be a string');
      const grant = stringList(body.grant, 'grant');
      const revoke = stringList(body.revoke, 'revoke');
      const actor = deps.actor?.(c.req.raw) ?? 'api';
      let result: AuditResult = 'ok';
      let detail: string | null = null;
      try {
        if (!(await getUser(deps.store.db, Number(id))))
          throw new ApiError(404, 'not_found', `no chat user ${id}`);
        if (typeof body.role === 'string') await admin.setRole(id, body.role, actor);
        if (grant.length > 0) await admin.grant(id, grant, actor);
        if (revoke.length > 0) await admin.revoke(id, revoke);
      } catch (error) {
        result = 'error';
        detail = (error as Error).message;
        throw error instanceof UsageError ? new ApiError(400, 'bad_request', error.message) : error;
      } finally {
        await appendAudit(deps.store.db, {
          at: now(),
          userId: null,
          userName: actor,
          chatId: null,
          action: 'users.update',
          args: { user: Number(id), role: body.role, grant, revoke },
          result,
          detail,
        });
      }
      return c.json(view((await getUser(deps.store.db, Number(id)))!));
    });

    app.get('/api/v1/audit', async (c) => {
      const user = stringParam(c, 'user');
      if (user !== undefined && !/^\d+$/.test(user))
        throw new ApiError(400, 'bad_request', 'user must be a Telegram user id');
      const result = stringParam(c, 'result');
      if (result !== undefined && !['ok', 'denied', 'error'].includes(result))
        throw new ApiError(400, 'bad_request', 'result must be ok, denied or error');
      const page = await queryAudit(deps.store.db, {
        userId: user === undefined ? undefined : Number(user),
        action: stringParam(c, 'action'),
        result: result as AuditResult | undefined,
        since: timeParam(c, 'since'),
        until: timeParam(c, 'until'),
        limit: intParam(c, 'limit', 1, 1000),
        cursor: stringParam(c, 'cursor'),
      });
      return c.json(page);
    });
  };
}
