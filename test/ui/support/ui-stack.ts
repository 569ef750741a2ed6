// Lookout as `lookout demo` runs it — the simulated cluster playing the `mixed` scenario,
// Lookout watching it on SQLite with the web UI and its sign-in gate in front, as the
// composition root builds them, on a real socket. Alerts go to a local webhook recorder; a second receiver refuses everything,
// so dead letters exist.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig, type Config } from '../../../src/config/index.js';
import type { WebUi } from '../../../src/http/ui/web-ui.js';
import { createLookout, type Lookout } from '../../../src/main.js';
import { SimCluster } from '../../../src/sim/cluster.js';
import { startSimServer, type SimServer } from '../../../src/sim/server/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { WebhookRecorder } from '../../fakes/webhook-recorder.js';
import { tempDir } from '../../support/tmp.js';

export interface UiStackOptions {
  /** The `http.auth` block (default: sign-in required, one admin and one viewer). */
  readonly auth?: Record<string, unknown>;
  readonly timeScale?: number;
  readonly scenario?: 'mixed' | 'steady' | 'big';
  /** How often Lookout samples metrics.k8s.io (default 2s; the big cluster wants longer). */
  readonly metricsInterval?: string;
}

export interface UiStack {
  readonly url: string;
  readonly config: Config;
  readonly lookout: Lookout;
  readonly webUi: WebUi;
  readonly cluster: SimCluster;
  readonly recorder: WebhookRecorder;
  /** The bootstrap admin token, when one was announced at start. */
  readonly bootstrapToken: string | undefined;
  close(): Promise<void>;
}

/** bcrypt hashes (cost 4, test only) of the passwords below. */
export const ACCOUNTS = {
  admin: {
    name: 'ann',
    password: 'ann-secret-1',
    hash: '$2b$04$b3lESvwuUFsCvf36Y9/ECOslfCBuMTC.LMZeSOwt3xSUHaKF7Xboq',
  },
  viewer: {
    name: 'victor',
    password: 'victor-secret-1',
    hash: '$2b$04$R.AWqjw6AkPledzNwGhda.g4/537/tMPhYXv.abwEJunUrlqJtFiq',
  },
} as const;

export const DEFAULT_AUTH = {
  users: [
    { name: ACCOUNTS.admin.name, password_hash: ACCOUNTS.admin.hash, role: 'admin' },
    { name: ACCOUNTS.viewer.name, password_hash: ACCOUNTS.viewer.hash, role: 'viewer' },
  ],
};

export async function startUiStack(options: UiStackOptions = {}): Promise<UiStack> {
  const dir = tempDir('lookout-ui-');
  const log = silentLogger();
  const recorder = await WebhookRecorder.start();
  recorder.answer('/broken', { status: 400, body: 'refused by the test' });
  const cluster = new SimCluster({
    scenario: options.scenario ?? 'mixed',
    seed: 1,
    timeScale: options.timeScale ?? 0.02,
  });
  await cluster.start();
  const sim: SimServer = await startSimServer({
    store: cluster.store,
    logs: cluster.logs,
    metrics: cluster.metrics,
  });
  const kubeconfig = join(dir.path, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, sim.kubeconfig(), { mode: 0o600 });
  const config = parseConfig(
    stringify({
      storage: { url: `sqlite:${join(dir.path, 'lookout.db')}` },
      http: { listen: '127.0.0.1:0', auth: options.auth ?? DEFAULT_AUTH },
      collect: { metrics: { interval: options.metricsInterval ?? '2s' } },
      clusters: [{ name: 'demo', kubeconfig }],
      alerting: {
        route: {
          receiver: 'console',
          group_by: ['alertname', 'namespace'],
          group_wait: '2s',
          group_interval: '10s',
          repeat_interval: '4h',
          routes: [{ receiver: 'broken', matchers: ['severity="warning"'], continue: true }],
        },
        receivers: [
          { name: 'console', webhook_configs: [{ url: `${recorder.url}/console`, send_resolved: true }] },
          { name: 'broken', webhook_configs: [{ url: `${recorder.url}/broken` }] },
        ],
      },
    }),
    { env: {} },
  );
  let bootstrapToken: string | undefined;
  const lookout = await createLookout({
    config,
    log,
    announceBootstrapToken: (token) => (bootstrapToken = token),
  });
  await lookout.start();
  return {
    url: lookout.url!,
    config,
    lookout,
    webUi: lookout.webUi,
    cluster,
    recorder,
    get bootstrapToken() {
      return bootstrapToken;
    },
    async close() {
      await lookout.stop(5_000);
      await sim.close();
      await cluster.stop();
      await recorder.close();
      dir.remove();
    },
  };
}
