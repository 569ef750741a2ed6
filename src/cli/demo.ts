// `lookout demo`: Lookout on its embedded defaults, watching a simulated cluster that plays the
// `mixed` scenario (crashes, OOM kills, image pull failures, HPA load, node trouble) — no
// Kubernetes needed. Notifications go through the real delivery path to a console receiver.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Hono } from 'hono';
import { stringify } from 'yaml';
import { parseConfig, type Config } from '../config/index.js';
import { isLoopbackHost } from '../config/sections/http.js';
import type { Notification } from '../domain/notification.js';
import type { Lookout } from '../main.js';
import type { SimServer } from '../sim/server/index.js';
import type { Logger } from '../telemetry/logger.js';
import { loggerFor } from './context.js';
import { runUntilSignal } from './serve.js';

interface DemoOptions {
  listen: string;
  dataDir: string;
  seed: number;
  timeScale: number;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** The demo's configuration: embedded defaults, the simulated cluster, a console receiver. */
export function demoConfig(options: { kubeconfig: string; listen: string; dataDir: string }): {
  config: Config;
  yaml: string;
} {
  const document = {
    storage: { url: `sqlite:${join(options.dataDir, 'demo.db')}` },
    // On a loopback address the demo opens without signing in; elsewhere the bootstrap token
    // printed at start signs in.
    http: {
      listen: options.listen,
      auth: {
        mode: isLoopbackHost(options.listen.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')) ? 'none' : 'login',
      },
    },
    clusters: [{ name: 'demo', kubeconfig: options.kubeconfig }],
    alerting: {
      route: {
        receiver: 'console',
        group_by: ['alertname', 'namespace'],
        group_wait: '5s',
        group_interval: '30s',
        repeat_interval: '4h',
      },
      receivers: [
        {
          name: 'console',
          webhook_configs: [{ url: `http://${options.listen}/demo/console`, send_resolved: true }],
        },
      ],
    },
  };
  const yaml = stringify(document);
  return { config: parseConfig(yaml, { env: {} }), yaml };
}

/** Prints each notification the console receiver gets, one line per alert. */
export function consoleReceiver(print: (line: string) => void) {
  return (app: Hono): void => {
    app.post('/demo/console', async (c) => {
      const n = await c.req.json<Notification>();
      for (const a of n.alerts) {
        const where = [
          a.labels.namespace,
          a.labels.pod ?? a.labels.workload ?? a.labels.node,
          a.labels.container,
        ]
          .filter(Boolean)
          .join('/');
        const mark = a.status === 'firing' ? 'FIRING  ' : 'resolved';
        print(`${mark} ${a.labels.alertname ?? 'alert'} ${where}: ${a.annotations.summary ?? ''}`.trimEnd());
      }
      return c.body(null, 200);
    });
  };
}

function listenArg(value: string): string {
  if (!/^[^:]+:\d{1,5}$/.test(value))
    throw new InvalidArgumentError('must be host:port, such as 127.0.0.1:8080');
  return value;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run Lookout on a simulated cluster (no Kubernetes needed): history, crashes, alerts, API')
    .option('--listen <host:port>', 'where Lookout listens', listenArg, '127.0.0.1:8080')
    .option('--data-dir <dir>', 'where the demo keeps its database and kubeconfig', './lookout-data')
    .option('--seed <n>', 'same seed, same cluster', (v) => Number(v), 1)
    .option(
      '--time-scale <x>',
      'speed the simulated cluster up (0.1 = ten times faster)',
      (v) => Number(v),
      1,
    )
    .action(async (opts: DemoOptions, command: Command) => {
      const { log, scrubber } = loggerFor(command);
      await runDemo(opts, log, scrubber);
    });
}

async function runDemo(
  opts: DemoOptions,
  log: Logger,
  scrubber: ReturnType<typeof loggerFor>['scrubber'],
): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  let listen = opts.listen;
  const [host, port] = listen.split(':') as [string, string];
  if (port === '0') listen = `${host}:${await freePort(host)}`;
  // Loaded here, not at the top: other commands should not pay for the simulator.
  const { createLookout } = await import('../main.js');
  const { SimCluster } = await import('../sim/cluster.js');
  const { startSimServer } = await import('../sim/server/index.js');
  const cluster = new SimCluster({
    scenario: 'mixed',
    seed: opts.seed,
    timeScale: opts.timeScale,
    log: log.child({ component: 'sim' }),
  });
  let sim: SimServer | undefined;
  const kubeconfig = join(dataDir, 'demo-kubeconfig.yaml');
  const configFile = join(dataDir, 'demo.yaml');
  const { config, yaml } = demoConfig({ kubeconfig, listen, dataDir });
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  let lookout: Lookout | undefined;
  await runUntilSignal(
    {
      async start() {
        await cluster.start();
        sim = await startSimServer({
          store: cluster.store,
          logs: cluster.logs,
          metrics: cluster.metrics,
          log: log.child({ component: 'sim' }),
        });
        writeFileSync(kubeconfig, sim.kubeconfig(), { mode: 0o600 });
        writeFileSync(configFile, yaml);
        lookout = await createLookout({
          config,
          log,
          scrubber,
          mounts: [consoleReceiver(print)],
          openPaths: ['/demo/console'],
        });
        await lookout.start();
        const url = lookout.url ?? `http://${listen}`;
        print(
          [
            '',
            `Lookout demo is running at ${url}`,
            `  watching a simulated cluster "demo" (scenario mixed) at ${sim.url}`,
            '',
            `Open ${url}/ui in a browser, or try:`,
            `  curl ${url}/api/v1/pods?abnormal=true     abnormal pods and why`,
            `  curl ${url}/api/v1/crashes                 crashes with exit reasons (…/crashes/ID for the logs)`,
            `  curl ${url}/api/v2/alerts                  firing alerts (Alertmanager's API)`,
            `  npx lookout events -c ${configFile} --type Warning`,
            `  npx lookout crashes -c ${configFile} --logs`,
            `  kubectl --kubeconfig ${kubeconfig} get pods -A`,
            '',
            'Notifications are printed here as they are sent. Stop with Ctrl-C.',
            '',
          ].join('\n'),
        );
      },
      async stop(deadlineMs?: number) {
        await lookout?.stop(deadlineMs);
        await sim?.close();
        await cluster.stop();
      },
    },
    log,
  );
}
