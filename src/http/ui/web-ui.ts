// The web UI and who may use Lookout over HTTP: builds the sign-in service, the gate every
// request passes (`auth`, for createHttpApp) and the routes (`mount`: pages, static files,
// the access API, /api/v1/overview and /api/openapi.json).
import type { MiddlewareHandler } from 'hono';
import type { Registry } from 'prom-client';
import type { AlertingView } from '../../alerting/alerting.js';
import type { Config } from '../../config/index.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import type { Store } from '../../store/store.js';
import type { Logger } from '../../telemetry/logger.js';
import { openApiRoute } from '../api/openapi.js';
import type { DirectGate, HttpMount } from '../app.js';
import { authApi } from '../auth/auth-api.js';
import { createAuthMiddleware, createDirectGate } from '../auth/auth-middleware.js';
import { AuthService } from '../auth/auth-service.js';
import { SessionCookies } from '../auth/session-cookie.js';
import { ClientAddress } from '../client-address.js';
import { assetRoutes } from './assets.js';
import { InProcessApi } from './in-process-api.js';
import { accessPages } from './pages/access-page.js';
import { alertsPages } from './pages/alerts-page.js';
import { crashesPages } from './pages/crashes-page.js';
import { deliveryPages } from './pages/delivery-pages.js';
import { eventsPages } from './pages/events-page.js';
import { loginPages } from './pages/login-page.js';
import { metricsPages } from './pages/metrics-page.js';
import { overviewPages } from './pages/overview-page.js';
import { podsPages } from './pages/pods-page.js';
import { silencesPages } from './pages/silences-page.js';
import { usersPages } from './pages/users-page.js';
import { workloadsPages } from './pages/workloads-page.js';
import { renderErrorPage } from './render.js';
import type { UiDeps } from './ui-deps.js';

export interface WebUiOptions {
  /** Reads `http` (auth, external_url) and the cluster names. */
  readonly config: Pick<Config, 'http' | 'clusters'>;
  readonly store: Store;
  readonly state: (cluster: string) => ClusterStateView | undefined;
  readonly alerting: AlertingView;
  readonly log: Logger;
  /** Sign-in counters are registered here. */
  readonly registry?: Registry | undefined;
  /**
   * Paths reachable without signing in besides health, readiness, metrics and the login page:
   * exact paths or prefixes ending in `*` (a chat webhook that carries its own secret).
   */
  readonly openPaths?: readonly string[] | undefined;
  readonly now?: (() => number) | undefined;
  /** Shows the bootstrap admin token once (default: stderr). */
  readonly announce?: ((token: string) => void) | undefined;
}

export interface WebUi {
  /** Pass as `auth` to createHttpApp: every route but /healthz, /readyz and /metrics goes through it. */
  readonly auth: MiddlewareHandler;
  /** Pass as `directGate` to createHttpApp: `auth`'s decision for directly answered routes. */
  readonly directGate: DirectGate;
  /** Pass among createHttpApp's mounts. */
  readonly mount: HttpMount;
  readonly service: AuthService;
  /** After the store is migrated: makes the bootstrap token on first start, drops old sessions. */
  start(): Promise<void>;
}

/** Headers every page gets: no inline script, no framing, no sniffing, no referrer to other sites. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function createWebUi(options: WebUiOptions): WebUi {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const authConfig = config.http.auth;
  const service = new AuthService({
    auth: authConfig,
    store: options.store,
    log: log.child({ component: 'auth' }),
    registry: options.registry,
    now,
    ...(options.announce ? { announce: options.announce } : {}),
  });
  const cookies = new SessionCookies({
    secureCookies: authConfig.secure_cookies,
    externalUrl: config.http.external_url,
  });
  const api = new InProcessApi();
  const deps: UiDeps = {
    store: options.store,
    clusters: config.clusters.map((c) => c.name),
    state: options.state,
    alerting: options.alerting,
    auth: service,
    cookies,
    clientAddress: new ClientAddress(config.http.trusted_proxies),
    api,
    log: log.child({ component: 'web-ui' }),
    now,
  };
  const auth = createAuthMiddleware({
    service,
    cookies,
    log: log.child({ component: 'auth' }),
    externalUrl: config.http.external_url,
    openPaths: options.openPaths,
    renderHtmlError: (c, status, title, message) => renderErrorPage(c, deps, status, title, message),
  });

  const areas: HttpMount[] = [
    assetRoutes(),
    loginPages(deps),
    overviewPages(deps),
    eventsPages(deps),
    crashesPages(deps),
    podsPages(deps),
    workloadsPages(deps),
    metricsPages(deps),
    alertsPages(deps),
    silencesPages(deps),
    deliveryPages(deps),
    usersPages(deps),
    accessPages(deps, {
      accounts: authConfig.users.map((u) => ({ name: u.name, role: u.role })),
      externalUrl: config.http.external_url,
    }),
    authApi(service, now),
    openApiRoute(),
  ];

  const mount: HttpMount = (app) => {
    api.attach(app);
    app.use('/ui/*', async (c, next) => {
      await next();
      if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
        for (const [k, v] of Object.entries(PAGE_HEADERS)) c.res.headers.set(k, v);
      }
    });
    for (const area of areas) area(app);
  };

  const directGate = createDirectGate({ service, openPaths: options.openPaths });
  return { auth, directGate, mount, service, start: () => service.start() };
}
