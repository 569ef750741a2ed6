// What the pages read and call: the store, each cluster's current state, the alerting engine,
// sign-in, Lookout's own API in process, and the clock.
import type { Context } from 'hono';
import type { AlertingView } from '../../alerting/alerting.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import type { Store } from '../../store/store.js';
import type { Logger } from '../../telemetry/logger.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Principal } from '../auth/principal.js';
import type { SessionCookies } from '../auth/session-cookie.js';
import type { ClientAddress } from '../client-address.js';
import type { InProcessApi } from './in-process-api.js';

export interface UiDeps {
  readonly store: Store;
  readonly clusters: readonly string[];
  readonly state: (cluster: string) => ClusterStateView | undefined;
  readonly alerting: AlertingView;
  readonly auth: AuthService;
  readonly cookies: SessionCookies;
  /** Where a request came from (through `http.trusted_proxies`). */
  readonly clientAddress: ClientAddress;
  readonly api: InProcessApi;
  readonly log: Logger;
  readonly now: () => number;
}

/** The cluster a page shows: `?cluster=`, else the first configured one. */
export function clusterOf(c: Context, deps: UiDeps): string | undefined {
  const asked = c.req.query('cluster');
  if (asked && deps.clusters.includes(asked)) return asked;
  return deps.clusters[0];
}

export function principalOf(c: Context): Principal | undefined {
  return c.get('principal');
}

/** A query parameter, or undefined when absent or blank. */
export function param(c: Context, name: string): string | undefined {
  const v = c.req.query(name)?.trim();
  return v ? v : undefined;
}

/** The request's path and query without `cluster` (for the cluster picker). */
export function pathWithoutCluster(c: Context): string {
  const url = new URL(c.req.url);
  url.searchParams.delete('cluster');
  const q = url.searchParams.toString();
  return q ? `${url.pathname}?${q}` : url.pathname;
}
