// Apps deployed from chat and the deploy conversations in progress: the record of who deployed
// what where (kept after removal) and each person's unfinished answers, so a restart loses neither.
import type { Selectable } from 'kysely';
import type { ObjectRef } from '../../chat/deploy/kinds.js';
import { StoreError } from '../../lib/errors.js';
import type {
  AppDeploymentStatus,
  AppDeploymentTable,
  DeployConversationTable,
} from '../tables/deployments.js';
import type { Executor } from './executor.js';

export type { AppDeploymentStatus } from '../tables/deployments.js';

/** The Service whose node port makes the app's URL. */
export interface AppExpose {
  readonly service: string;
  readonly port: string | number;
  readonly scheme: string;
  readonly path: string;
}

export interface AppDeployment {
  readonly id: number;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly template: string;
  readonly replicas: number;
  readonly ownerId: number;
  readonly ownerName: string;
  readonly chatId: number;
  readonly progressMessageId: number | undefined;
  readonly status: AppDeploymentStatus;
  readonly url: string | undefined;
  readonly reason: string | undefined;
  readonly objects: readonly ObjectRef[];
  readonly expose: AppExpose;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | undefined;
  readonly removedAt: number | undefined;
}

export type NewAppDeployment = Pick<
  AppDeployment,
  | 'cluster'
  | 'namespace'
  | 'name'
  | 'template'
  | 'replicas'
  | 'ownerId'
  | 'ownerName'
  | 'chatId'
  | 'objects'
  | 'expose'
>;

export interface AppDeploymentChange {
  readonly status?: AppDeploymentStatus;
  readonly progressMessageId?: number;
  readonly url?: string | null;
  readonly reason?: string | null;
  readonly finishedAt?: number;
  readonly removedAt?: number;
}

/** A deploy conversation: the answers so far, as JSON the conversation code owns. */
export interface DeployConversationRow {
  readonly chatId: number;
  readonly userId: number;
  readonly session: string;
  readonly state: unknown;
  readonly messageId: number | undefined;
  readonly updatedAt: number;
}

const optional = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

function fromRow(r: Selectable<AppDeploymentTable>): AppDeployment {
  return {
    id: Number(r.id),
    cluster: r.cluster,
    namespace: r.namespace,
    name: r.name,
    template: r.template,
    replicas: Number(r.replicas),
    ownerId: Number(r.owner_id),
    ownerName: r.owner_name,
    chatId: Number(r.chat_id),
    progressMessageId: optional(r.progress_message_id),
    status: r.status,
    url: r.url ?? undefined,
    reason: r.reason ?? undefined,
    objects: JSON.parse(r.objects) as ObjectRef[],
    expose: JSON.parse(r.expose) as AppExpose,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    finishedAt: optional(r.finished_at),
    removedAt: optional(r.removed_at),
  };
}

/** Whether `error` is a unique-constraint violation on SQLite or PostgreSQL. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * Records a new deployment as `deploying`. Answers undefined when a live app (not removed)
 * already has this cluster, namespace and name — also when another instance won a race for it.
 */
export async function insertDeployment(
  db: Executor,
  app: NewAppDeployment,
  now: number,
): Promise<AppDeployment | undefined> {
  try {
    const row = await db
      .insertInto('app_deployments')
      .values({
        cluster: app.cluster,
        namespace: app.namespace,
        name: app.name,
        template: app.template,
        replicas: app.replicas,
        owner_id: app.ownerId,
        owner_name: app.ownerName,
        chat_id: app.chatId,
        progress_message_id: null,
        status: 'deploying',
        url: null,
        reason: null,
        objects: JSON.stringify(app.objects),
        expose: JSON.stringify(app.expose),
        created_at: now,
        updated_at: now,
        finished_at: null,
        removed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(row);
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw new StoreError(`cannot record deployment ${app.namespace}/${app.name}`, { cause: error });
  }
}

export async function updateDeployment(
  db: Executor,
  id: number,
  change: AppDeploymentChange,
  now: number,
): Promise<void> {
  await db
    .updateTable('app_deployments')
    .set({
      updated_at: now,
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.progressMessageId !== undefined ? { progress_message_id: change.progressMessageId } : {}),
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.finishedAt !== undefined ? { finished_at: change.finishedAt } : {}),
      ...(change.removedAt !== undefined ? { removed_at: change.removedAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function getDeployment(db: Executor, id: number): Promise<AppDeployment | undefined> {
  const row = await db.selectFrom('app_deployments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The live (not removed) app of this name in a namespace. */
export async function findLiveDeployment(
  db: Executor,
  where: { readonly cluster: string; readonly namespace: string; readonly name: string },
): Promise<AppDeployment | undefined> {
  const row = await db
    .selectFrom('app_deployments')
    .selectAll()
    .where('cluster', '=', where.cluster)
    .where('namespace', '=', where.namespace)
    .where('name', '=', where.name)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export interface DeploymentFilter {
  /** Only this person's apps. */
  readonly ownerId?: number;
  /** Only these states; default every state but `removed`. */
  readonly statuses?: readonly AppDeploymentStatus[];
  readonly name?: string;
  readonly limit?: number;
}

/** Apps, newest first. */
export async function listDeployments(db: Executor, filter: DeploymentFilter = {}): Promise<AppDeployment[]> {
  let q = db.selectFrom('app_deployments').selectAll();
  if (filter.ownerId !== undefined) q = q.where('owner_id', '=', filter.ownerId);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  const statuses = filter.statuses ?? (['deploying', 'ready', 'failed'] as const);
  if (statuses.length === 0) return [];
  q = q.where('status', 'in', [...statuses]);
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 500)
    .execute();
  return rows.map(fromRow);
}

// ---------------------------------------------------------------------------------------------
// Conversations

export async function getConversation(
  db: Executor,
  chatId: number,
  userId: number,
): Promise<DeployConversationRow | undefined> {
  const row = await db
    .selectFrom('deploy_conversations')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? conversationFromRow(row) : undefined;
}

function conversationFromRow(r: Selectable<DeployConversationTable>): DeployConversationRow {
  return {
    chatId: Number(r.chat_id),
    userId: Number(r.user_id),
    session: r.session,
    state: JSON.parse(r.state) as unknown,
    messageId: optional(r.message_id),
    updatedAt: Number(r.updated_at),
  };
}

/** Inserts or replaces the conversation of this person in this chat. */
export async function saveConversation(db: Executor, c: DeployConversationRow): Promise<void> {
  const row = {
    chat_id: c.chatId,
    user_id: c.userId,
    session: c.session,
    state: JSON.stringify(c.state),
    message_id: c.messageId ?? null,
    updated_at: c.updatedAt,
  };
  await db
    .insertInto('deploy_conversations')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['chat_id', 'user_id']).doUpdateSet({
        session: row.session,
        state: row.state,
        message_id: row.message_id,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function deleteConversation(db: Executor, chatId: number, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('deploy_conversations')
    .where('chat_id', '=', chatId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Forgets conversations nobody answered since `before` (epoch ms). */
export async function deleteConversationsBefore(db: Executor, before: number): Promise<number> {
  const result = await db
    .deleteFrom('deploy_conversations')
    .where('updated_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
