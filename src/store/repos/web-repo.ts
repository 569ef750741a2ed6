// Sign-in sessions and API tokens of the web UI and API. Callers pass SHA-256 hashes, never
// the secrets themselves: a copy of the database lets nobody sign in.
import type { Executor } from './executor.js';

export type WebRole = 'viewer' | 'admin';
export type TokenRole = WebRole | 'ingest';

export interface WebSession {
  readonly idHash: string;
  readonly userName: string;
  readonly role: WebRole;
  readonly method: 'password' | 'token';
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lastSeenAt: number;
  readonly userAgent: string | null;
}

export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly role: TokenRole;
  readonly slot: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

/** The slot of the bootstrap admin token. */
export const BOOTSTRAP_SLOT = 'bootstrap';

export async function insertSession(db: Executor, s: WebSession): Promise<void> {
  await db
    .insertInto('web_sessions')
    .values({
      id_hash: s.idHash,
      user_name: s.userName,
      role: s.role,
      method: s.method,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      last_seen_at: s.lastSeenAt,
      user_agent: s.userAgent,
    })
    .execute();
}

/** The session with this hash, unless it has expired. */
export async function findSession(
  db: Executor,
  idHash: string,
  now: number,
): Promise<WebSession | undefined> {
  const r = await db
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    idHash: r.id_hash,
    userName: r.user_name,
    role: r.role === 'admin' ? 'admin' : 'viewer',
    method: r.method === 'token' ? 'token' : 'password',
    csrfToken: r.csrf_token,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    lastSeenAt: Number(r.last_seen_at),
    userAgent: r.user_agent,
  };
}

export async function touchSession(db: Executor, idHash: string, now: number): Promise<void> {
  await db.updateTable('web_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
}

/** Removes expired sessions; returns how many. */
export async function deleteExpiredSessions(db: Executor, now: number): Promise<number> {
  const r = await db.deleteFrom('web_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Ends every session of a user (an account removed, a token rotated). */
export async function deleteSessionsOf(db: Executor, userName: string, method?: string): Promise<number> {
  let q = db.deleteFrom('web_sessions').where('user_name', '=', userName);
  if (method) q = q.where('method', '=', method);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function countSessions(db: Executor, now: number): Promise<number> {
  const r = await db
    .selectFrom('web_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

type TokenRow = {
  id: number;
  name: string;
  role: string;
  slot: string | null;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
};

function toToken(r: TokenRow): ApiToken {
  const role: TokenRole = r.role === 'admin' ? 'admin' : r.role === 'ingest' ? 'ingest' : 'viewer';
  const num = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    name: r.name,
    role,
    slot: r.slot,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    lastUsedAt: num(r.last_used_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
  };
}

const TOKEN_COLUMNS = [
  'id',
  'name',
  'role',
  'slot',
  'created_by',
  'created_at',
  'last_used_at',
  'expires_at',
  'revoked_at',
] as const;

export interface NewApiToken {
  readonly name: string;
  readonly role: TokenRole;
  readonly tokenHash: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
}

export async function insertApiToken(db: Executor, t: NewApiToken): Promise<ApiToken> {
  const r = await db
    .insertInto('web_api_tokens')
    .values({
      name: t.name,
      role: t.role,
      token_hash: t.tokenHash,
      slot: null,
      created_by: t.createdBy,
      created_at: t.createdAt,
      last_used_at: null,
      expires_at: t.expiresAt,
      revoked_at: null,
    })
    .returning(TOKEN_COLUMNS)
    .executeTakeFirstOrThrow();
  return toToken(r);
}

/** A usable token (not revoked, not expired) with this hash. */
export async function findApiToken(
  db: Executor,
  tokenHash: string,
  now: number,
): Promise<ApiToken | undefined> {
  const r = await db
    .selectFrom('web_api_tokens')
    .select(TOKEN_COLUMNS)
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return r ? toToken(r) : undefined;
}

export async function touchApiToken(db: Executor, id: number, now: number): Promise<void> {
  await db.updateTable('web_api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** Every token, newest first (revoked ones included, so admins see what was). */
export async function listApiTokens(db: Executor): Promise<ApiToken[]> {
  const rows = await db.selectFrom('web_api_tokens').select(TOKEN_COLUMNS).orderBy('id', 'desc').execute();
  return rows.map(toToken);
}

export async function getApiToken(db: Executor, id: number): Promise<ApiToken | undefined> {
  const r = await db
    .selectFrom('web_api_tokens')
    .select(TOKEN_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toToken(r) : undefined;
}

/** Revokes a token; false when there is no such token or it was revoked already. */
export async function revokeApiToken(db: Executor, id: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('web_api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function getBootstrapToken(db: Executor): Promise<ApiToken | undefined> {
  const r = await db
    .selectFrom('web_api_tokens')
    .select(TOKEN_COLUMNS)
    .where('slot', '=', BOOTSTRAP_SLOT)
    .executeTakeFirst();
  return r ? toToken(r) : undefined;
}

/**
 * Stores the bootstrap token unless one exists. Returns true only for the caller whose token was
 * stored, so of several instances starting at once exactly one announces it.
 */
export async function claimBootstrapToken(db: Executor, tokenHash: string, now: number): Promise<boolean> {
  const r = await db
    .insertInto('web_api_tokens')
    .values({
      name: 'bootstrap admin token',
      role: 'admin',
      token_hash: tokenHash,
      slot: BOOTSTRAP_SLOT,
      created_by: 'Lookout',
      created_at: now,
      last_used_at: null,
      expires_at: null,
      revoked_at: null,
    })
    .onConflict((oc) => oc.column('slot').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Gives the bootstrap token a new value (and un-revokes it); creates it when missing. */
export async function replaceBootstrapToken(db: Executor, tokenHash: string, now: number): Promise<void> {
  const r = await db
    .updateTable('web_api_tokens')
    .set({ token_hash: tokenHash, revoked_at: null, created_at: now, last_used_at: null })
    .where('slot', '=', BOOTSTRAP_SLOT)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) await claimBootstrapToken(db, tokenHash, now);
}

/**
 * How many crashes a cluster had since `since` — the overview's count, without reading the
 * crash rows (their logs) themselves.
 */
export async function countCrashesSince(db: Executor, cluster: string, since: number): Promise<number> {
  const r = await db
    .selectFrom('crashes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cluster', '=', cluster)
    .where('observed_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
