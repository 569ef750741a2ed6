// The composition root: builds every part of Lookout from the config, owns the start order
// and the shutdown (reverse order). Nothing else wires concrete adapters together.
import type { Hono } from 'hono';
import type { Config } from './config/index.js';
import { createHttpApp, type HttpMount } from './http/app.js';
import { startHttpServer, type RunningServer } from './http/server.js';
import { Lifecycle } from './lib/lifecycle.js';
import { Readiness } from './lib/readiness.js';
import { SecretScrubber, collectSecrets } from './lib/secret.js';
import { lookoutVersion } from './lib/version.js';
import { openStore, type Store } from './store/index.js';
import type { Logger } from './telemetry/logger.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';

export interface LookoutOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Secret values to keep out of every answer; filled from the config's secrets. */
  readonly scrubber?: SecretScrubber;
  /** Extra routes (the demo adds its hints page, tests add probes). */
  readonly mounts?: readonly HttpMount[];
}

export interface Lookout {
  readonly config: Config;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly app: Hono;
  /** The HTTP server's base URL once started. */
  readonly url: string | undefined;
  start(): Promise<void>;
  /** Stops everything in reverse start order within `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

export function createLookout(options: LookoutOptions): Lookout {
  const { config } = options;
  const log = options.log;
  const scrubber = options.scrubber ?? new SecretScrubber();
  collectSecrets(config, scrubber);
  const version = lookoutVersion();
  const startedAt = Date.now();
  const metrics = createMetrics({ version });
  const readiness = new Readiness();
  const lifecycle = new Lifecycle(log.child({ component: 'lifecycle' }));
  const store = openStore(config.storage);
  let server: RunningServer | undefined;

  readiness.register('database', async () => {
    await store.ping();
    return { ok: true };
  });

  const app = createHttpApp(
    {
      log: log.child({ component: 'http' }),
      metrics,
      readiness,
      scrubber,
      status: () => ({
        name: 'Lookout',
        version,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
        started_at: new Date(startedAt).toISOString(),
        storage: { dialect: store.dialect, location: store.location },
        clusters: config.clusters.map((c) => ({
          name: c.name,
          source: c.in_cluster ? 'in-cluster' : 'kubeconfig',
        })),
        http: { listen: `${config.http.listen.host}:${config.http.listen.port}` },
      }),
    },
    options.mounts ?? [],
  );

  lifecycle.add({
    name: 'store',
    start: async () => {
      const summary = await store.migrate();
      log.info({ storage: store.location, applied: summary.applied }, 'database ready');
    },
    stop: () => store.close(),
  });

  lifecycle.add({
    name: 'http',
    start: async () => {
      server = await startHttpServer(app, config.http.listen);
      log.info({ url: server.url }, `Lookout is listening on ${server.url}`);
    },
    stop: () => server?.close(),
  });

  return {
    config,
    store,
    metrics,
    readiness,
    app,
    get url() {
      return server?.url;
    },
    start: () => lifecycle.start(),
    stop: (deadlineMs?: number) => lifecycle.stop(deadlineMs),
  };
}
