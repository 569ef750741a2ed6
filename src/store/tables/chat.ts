// The chat bot's durable state: who may talk to Lookout and in which namespaces, what they did
// (the audit log), which chats subscribed to which namespaces' alerts, and acknowledgements.
import type { Generated } from 'kysely';

export interface ChatUserTable {
  /** Telegram user id. */
  id: number;
  name: string;
  username: string | null;
  /** admin, member, pending or blocked. */
  role: string;
  created_at: number;
  updated_at: number;
  /** Who last changed the role (a Telegram user id), null for the user themself or the CLI. */
  updated_by: string | null;
}

export interface ChatGrantTable {
  user_id: number;
  namespace: string;
  granted_by: string | null;
  granted_at: number;
}

export interface ChatAuditTable {
  id: Generated<number>;
  at: number;
  /** Telegram user id; null for strangers the bot could not identify. */
  user_id: number | null;
  user_name: string;
  /** Where it happened (a chat id), null for the CLI and the API. */
  chat_id: number | null;
  /** The command or action (`/logs`, `alert.silence`, `users.grant`…). */
  action: string;
  /** JSON object of the arguments. */
  args: string;
  /** ok, denied or error. */
  result: string;
  detail: string | null;
}

export interface ChatSubscriptionTable {
  chat_id: number;
  /** A namespace, or `*` for every namespace (and alerts without one). */
  namespace: string;
  chat_title: string;
  /** The Telegram user who subscribed the chat; their grants bound what it receives. */
  created_by: number;
  created_at: number;
}

export interface ChatAckTable {
  /** The alert's fingerprint. */
  fingerprint: string;
  /** The alert's start: a later firing of the same labels is a new problem, not acknowledged. */
  alert_starts_at: number;
  user_id: number;
  user_name: string;
  at: number;
}

export interface ChatTables {
  chat_users: ChatUserTable;
  chat_grants: ChatGrantTable;
  chat_audit: ChatAuditTable;
  chat_subscriptions: ChatSubscriptionTable;
  chat_acks: ChatAckTable;
}
