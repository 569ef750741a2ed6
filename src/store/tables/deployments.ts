// Apps deployed from chat: one row per deployment (kept after removal, for the record), and the
// deploy conversations in progress (one per person and chat), so a restart loses neither.

import type { Generated } from 'kysely';

/** `deploying` while the rollout is followed; `ready` or `failed` after; `removed` once undeployed. */
export type AppDeploymentStatus = 'deploying' | 'ready' | 'failed' | 'removed';

export interface AppDeploymentTable {
  id: Generated<number>;
  cluster: string;
  namespace: string;
  /** The app name the person chose (a DNS-1123 label). */
  name: string;
  /** The template's name (`wordpress`). */
  template: string;
  replicas: number;
  /** Telegram user id of the person who deployed it. */
  owner_id: number;
  owner_name: string;
  /** Chat the deploy was confirmed in, and the message that shows its progress. */
  chat_id: number;
  progress_message_id: number | null;
  status: AppDeploymentStatus;
  /** `http://NODE_IP:NODE_PORT` once known. */
  url: string | null;
  /** Why the rollout failed (or what removal could not delete). */
  reason: string | null;
  /** JSON array of `{ apiVersion, kind, name }`: what was created, in creation order. */
  objects: string;
  /** JSON `{ service, port, scheme, path }`: the Service whose node port is the app's address. */
  expose: string;
  created_at: number;
  updated_at: number;
  /** When the rollout ended (ready or failed). */
  finished_at: number | null;
  removed_at: number | null;
}

export interface DeployConversationTable {
  chat_id: number;
  user_id: number;
  /** Random id carried in the conversation's buttons: presses on an older menu are refused. */
  session: string;
  /** JSON of the answers so far (template, app name, namespace, replicas, cluster). */
  state: string;
  /** The message with the current question and buttons. */
  message_id: number | null;
  updated_at: number;
}

export interface DeploymentTables {
  app_deployments: AppDeploymentTable;
  deploy_conversations: DeployConversationTable;
}
