// What the bot's features are built from: the stores and views of the rest of Lookout, the
// user directory, and the short-lived state of answers (pages, confirmations).
import type { AlertingView } from '../alerting/alerting.js';
import type { Charts } from '../charts/lazy-chart-renderer.js';
import type { KubeClient } from '../cluster/kube-client.js';
import type { TelegramBotConfig } from '../config/sections/chat.js';
import type { QuerySource } from '../domain/query.js';
import type { ClusterStateView } from '../history/cluster-state.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Confirmations } from './confirmations.js';
import type { ChatUser } from './context.js';
import type { Pager } from './pager.js';
import { Refusal } from './refusal.js';
import type { UserDirectory } from './user-directory.js';

export interface BotServices {
  readonly config: TelegramBotConfig;
  readonly store: Store;
  /** Names of the watched clusters, in config order. */
  readonly clusters: readonly string[];
  state(cluster: string): ClusterStateView | undefined;
  readonly queries: QuerySource;
  readonly charts: Charts;
  readonly alerting: AlertingView;
  readonly users: UserDirectory;
  readonly pager: Pager;
  readonly confirmations: Confirmations;
  readonly log: Logger;
  now(): number;
  /**
   * The Kubernetes client to act for `user` in `cluster`: with `impersonate`, one that sends
   * the user's mapped identity; throws a {@link Refusal} when there is no client or identity.
   */
  kube(cluster: string, user: ChatUser): KubeClient;
}

export interface KubeAccess {
  readonly clients: ReadonlyMap<string, KubeClient>;
  readonly config: Pick<TelegramBotConfig, 'impersonate' | 'identities'>;
}

/** Picks the client for a user, impersonating their mapped identity when configured. */
export function kubeFor(access: KubeAccess, cluster: string, user: ChatUser): KubeClient {
  const client = access.clients.get(cluster);
  if (!client) throw new Refusal(`Lookout has no connection to cluster "${cluster}".`);
  if (!access.config.impersonate) return client;
  const identity = access.config.identities[String(user.id)];
  if (!identity)
    throw new Refusal(
      'Your chat account is not mapped to a Kubernetes identity, so Lookout cannot reach the cluster for you. Ask an admin to add you under chat.telegram.identities.',
    );
  return client.withImpersonation({ user: identity.user, groups: identity.groups });
}
