// Chats subscribed to alerts of namespaces (`*`: every namespace): what `/subscribe` stores and
// what alert delivery reads at send time.
import type { Executor } from './executor.js';

export interface Subscription {
  readonly chatId: number;
  /** A namespace, or `*` for all (alerts without a namespace included). */
  readonly namespace: string;
  readonly chatTitle: string;
  readonly createdBy: number;
  readonly createdAt: number;
}

export async function subscribe(db: Executor, rows: readonly Subscription[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('chat_subscriptions')
    .values(
      rows.map((s) => ({
        chat_id: s.chatId,
        namespace: s.namespace,
        chat_title: s.chatTitle,
        created_by: s.createdBy,
        created_at: s.createdAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['chat_id', 'namespace']).doUpdateSet((eb) => ({
        chat_title: eb.ref('excluded.chat_title'),
        created_by: eb.ref('excluded.created_by'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .execute();
}

/** Removes a chat's subscriptions (all of them when `namespaces` is empty). */
export async function unsubscribe(
  db: Executor,
  chatId: number,
  namespaces: readonly string[] = [],
): Promise<number> {
  let query = db.deleteFrom('chat_subscriptions').where('chat_id', '=', chatId);
  if (namespaces.length > 0) query = query.where('namespace', 'in', [...namespaces]);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

function fromRow(r: {
  chat_id: number;
  namespace: string;
  chat_title: string;
  created_by: number;
  created_at: number;
}): Subscription {
  return {
    chatId: Number(r.chat_id),
    namespace: r.namespace,
    chatTitle: r.chat_title,
    createdBy: Number(r.created_by),
    createdAt: Number(r.created_at),
  };
}

export async function listSubscriptions(db: Executor, chatId?: number): Promise<Subscription[]> {
  let query = db.selectFrom('chat_subscriptions').selectAll();
  if (chatId !== undefined) query = query.where('chat_id', '=', chatId);
  const rows = await query.orderBy('chat_id').orderBy('namespace').execute();
  return rows.map(fromRow);
}

/** Subscriptions that cover an alert of `namespace` (`undefined`: a cluster-wide alert). */
export async function subscriptionsFor(db: Executor, namespace: string | undefined): Promise<Subscription[]> {
  const names = namespace === undefined || namespace === '' ? ['*'] : ['*', namespace];
  const rows = await db
    .selectFrom('chat_subscriptions')
    .selectAll()
    .where('namespace', 'in', names)
    .orderBy('chat_id')
    .execute();
  return rows.map(fromRow);
}
