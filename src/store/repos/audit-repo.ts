// The chat audit log: every command and action (who, where, what, arguments, result), newest
// first, filtered by user and time, with keyset pagination.
import type { AuditResult } from '../../chat/context.js';
import type { Executor } from './executor.js';

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly userId: number | null;
  readonly userName: string;
  readonly chatId: number | null;
  readonly action: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly result: AuditResult;
  readonly detail: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export async function appendAudit(db: Executor, entry: NewAuditEntry): Promise<void> {
  await db
    .insertInto('chat_audit')
    .values({
      at: entry.at,
      user_id: entry.userId,
      user_name: entry.userName,
      chat_id: entry.chatId,
      action: entry.action.slice(0, 64),
      args: JSON.stringify(entry.args),
      result: entry.result,
      detail: entry.detail === null ? null : entry.detail.slice(0, 2000),
    })
    .execute();
}

export interface AuditQuery {
  readonly userId?: number | undefined;
  readonly action?: string | undefined;
  readonly result?: AuditResult | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly limit?: number | undefined;
  /** From a previous page's `nextCursor` (the last id seen). */
  readonly cursor?: string | undefined;
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function asResult(value: string): AuditResult {
  return value === 'ok' || value === 'denied' ? value : 'error';
}

/** Newest first. */
export async function queryAudit(
  db: Executor,
  q: AuditQuery = {},
): Promise<{ items: AuditEntry[]; nextCursor?: string | undefined }> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  let query = db.selectFrom('chat_audit').selectAll();
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.result) query = query.where('result', '=', q.result);
  if (q.since !== undefined) query = query.where('at', '>=', q.since);
  if (q.until !== undefined) query = query.where('at', '<', q.until);
  const cursor = q.cursor === undefined ? undefined : Number(q.cursor);
  if (cursor !== undefined && Number.isInteger(cursor)) query = query.where('id', '<', cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((r): AuditEntry => ({
    id: Number(r.id),
    at: Number(r.at),
    userId: r.user_id === null ? null : Number(r.user_id),
    userName: r.user_name,
    chatId: r.chat_id === null ? null : Number(r.chat_id),
    action: r.action,
    args: parseArgs(r.args),
    result: asResult(r.result),
    detail: r.detail,
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? String(last.id) : undefined };
}

export async function purgeAudit(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('chat_audit').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
