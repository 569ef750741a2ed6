// Chat users and their namespace grants: registration, role changes, grants and revokes.
// Config admins are not stored here; the bot's user directory adds them.
import type { ChatUser, Role } from '../../chat/context.js';
import type { Executor } from './executor.js';

export const ROLES: readonly Role[] = ['admin', 'member', 'pending', 'blocked'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

interface UserRow {
  id: number;
  name: string;
  username: string | null;
  role: string;
  created_at: number;
}

function toUser(row: UserRow, namespaces: readonly string[]): ChatUser {
  return {
    id: Number(row.id),
    name: row.name,
    username: row.username ?? undefined,
    role: isRole(row.role) ? row.role : 'blocked',
    namespaces: [...namespaces].sort(),
    createdAt: Number(row.created_at),
  };
}

async function grantsOf(db: Executor, ids: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('chat_grants')
    .select(['user_id', 'namespace'])
    .where('user_id', 'in', [...ids])
    .execute();
  for (const r of rows) {
    const id = Number(r.user_id);
    const list = out.get(id) ?? [];
    list.push(r.namespace);
    out.set(id, list);
  }
  return out;
}

export async function getUser(db: Executor, id: number): Promise<ChatUser | undefined> {
  const row = await db
    .selectFrom('chat_users')
    .select(['id', 'name', 'username', 'role', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return toUser(row, (await grantsOf(db, [id])).get(id) ?? []);
}

/** Finds a user by id (digits) or by @username / username, case-insensitively. */
export async function findUser(db: Executor, ref: string): Promise<ChatUser | undefined> {
  const trimmed = ref.trim();
  if (/^\d+$/.test(trimmed)) return getUser(db, Number(trimmed));
  const name = trimmed.replace(/^@/, '').toLowerCase();
  if (name === '') return undefined;
  const rows = await db.selectFrom('chat_users').select(['id', 'username']).execute();
  const hit = rows.find((r) => r.username?.toLowerCase() === name);
  return hit ? getUser(db, Number(hit.id)) : undefined;
}

export interface UserFilter {
  readonly role?: Role | undefined;
}

export async function listUsers(db: Executor, filter: UserFilter = {}): Promise<ChatUser[]> {
  let query = db.selectFrom('chat_users').select(['id', 'name', 'username', 'role', 'created_at']);
  if (filter.role) query = query.where('role', '=', filter.role);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  const grants = await grantsOf(
    db,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((r) => toUser(r, grants.get(Number(r.id)) ?? []));
}

/**
 * Registers a user as pending, or refreshes the name of a known one. Answers the user as
 * stored and whether they were new.
 */
export async function registerUser(
  db: Executor,
  user: { id: number; name: string; username?: string | undefined },
  now: number,
): Promise<{ user: ChatUser; created: boolean }> {
  const existing = await getUser(db, user.id);
  if (existing) {
    if (existing.name !== user.name || existing.username !== user.username) {
      await db
        .updateTable('chat_users')
        .set({ name: user.name, username: user.username ?? null })
        .where('id', '=', user.id)
        .execute();
    }
    return { user: { ...existing, name: user.name, username: user.username }, created: false };
  }
  await db
    .insertInto('chat_users')
    .values({
      id: user.id,
      name: user.name,
      username: user.username ?? null,
      role: 'pending',
      created_at: now,
      updated_at: now,
      updated_by: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return { user: (await getUser(db, user.id))!, created: true };
}

/** Creates the user if needed (for the CLI and config admins), then sets the role. */
export async function setRole(
  db: Executor,
  id: number,
  role: Role,
  change: { by: string | null; now: number; name?: string | undefined },
): Promise<ChatUser> {
  const { by, now, name } = change;
  const result = await db
    .updateTable('chat_users')
    .set({ role, updated_at: now, updated_by: by })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    await db
      .insertInto('chat_users')
      .values({
        id,
        name: name ?? String(id),
        username: null,
        role,
        created_at: now,
        updated_at: now,
        updated_by: by,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet({ role, updated_at: now, updated_by: by }))
      .execute();
  }
  return (await getUser(db, id))!;
}

export async function grantNamespaces(
  db: Executor,
  id: number,
  namespaces: readonly string[],
  by: string | null,
  now: number,
): Promise<void> {
  if (namespaces.length === 0) return;
  await db
    .insertInto('chat_grants')
    .values(namespaces.map((namespace) => ({ user_id: id, namespace, granted_by: by, granted_at: now })))
    .onConflict((oc) => oc.columns(['user_id', 'namespace']).doNothing())
    .execute();
}

export async function revokeNamespaces(
  db: Executor,
  id: number,
  namespaces: readonly string[],
): Promise<number> {
  if (namespaces.length === 0) return 0;
  const result = await db
    .deleteFrom('chat_grants')
    .where('user_id', '=', id)
    .where('namespace', 'in', [...namespaces])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes a user and their grants (a denied registration). */
export async function deleteUser(db: Executor, id: number): Promise<boolean> {
  await db.deleteFrom('chat_grants').where('user_id', '=', id).execute();
  const result = await db.deleteFrom('chat_users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
