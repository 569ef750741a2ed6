// Lookout's HTTP surface behind its sign-in, in process: the alerting API, the web UI and its
// auth middleware (and the gate for direct routes), over a store the caller migrated. Tests of
// sign-in, roles, tokens and CSRF build on it, in process (app.request) or on a real socket.
import { createAlerting, type Alerting } from '../../src/alerting/alerting.js';
import { parseConfig } from '../../src/config/index.js';
import { createHttpApp, type HttpApp, type HttpMount } from '../../src/http/app.js';
import { createWebUi, type WebUi } from '../../src/http/ui/web-ui.js';
import { Readiness } from '../../src/lib/readiness.js';
import type { Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';

export interface AuthStack {
  readonly app: HttpApp;
  readonly web: WebUi;
  readonly store: Store;
  readonly alerting: Alerting;
  /** The bootstrap admin token, announced at start (none in mode none). */
  readonly token: string | undefined;
  /** The auth service's clock: move `now` to expire tokens and sessions. */
  readonly clock: { now: number };
  close(): Promise<void>;
}

export async function startAuthStack(
  store: Store,
  options: {
    /** `http.auth` as the config takes it. */
    readonly auth: Record<string, unknown>;
    readonly listen?: string;
    /** More `http` settings (`external_url`, say). */
    readonly http?: Record<string, unknown>;
    /** Routes of the test's own, mounted between the alerting API and the web UI. */
    readonly mounts?: readonly HttpMount[];
  },
): Promise<AuthStack> {
  const config = parseConfig(
    JSON.stringify({
      http: { listen: options.listen ?? '127.0.0.1:8080', ...options.http, auth: options.auth },
      clusters: [],
    }),
    { env: {} },
  );
  const log = silentLogger();
  const metrics = createMetrics({ version: 'test', defaultMetrics: false });
  const alerting = createAlerting({ config: config.alerting, store, log, registry: metrics.registry });
  const clock = { now: Date.now() };
  let token: string | undefined;
  const web = createWebUi({
    config,
    store,
    state: () => undefined,
    alerting,
    log,
    registry: metrics.registry,
    now: () => clock.now,
    announce: (t) => (token = t),
  });
  const app = createHttpApp(
    {
      log,
      metrics,
      readiness: new Readiness(),
      status: () => ({ name: 'Lookout' }),
      auth: web.auth,
      directGate: web.directGate,
    },
    [alerting.mount, ...(options.mounts ?? []), web.mount],
  );
  await alerting.start();
  await web.start();
  return {
    app,
    web,
    store,
    alerting,
    get token() {
      return token;
    },
    clock,
    close: () => alerting.stop(),
  };
}
