// `lookout sim`: runs a simulated Kubernetes cluster playing a scenario behind a simulated API
// server, writes a kubeconfig that kubectl and Lookout can use, and stops cleanly on
// SIGINT/SIGTERM. For demos, tests and trying Lookout without a cluster.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../lib/duration.js';
import { SCENARIOS, SCENARIO_NAMES, isScenarioName, type ScenarioName } from '../sim/scenarios/index.js';
import type { SimServer } from '../sim/server/index.js';
import type { Logger } from '../telemetry/logger.js';
import { loggerFor } from './context.js';
import { runUntilSignal } from './serve.js';

export interface SimOptions {
  readonly scenario: ScenarioName;
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly kubeconfigOut?: string;
  readonly tls: boolean;
  readonly token?: string;
  readonly timeScale: number;
  readonly eventTtlMs: number;
}

function scenarioArg(value: string): ScenarioName {
  if (!isScenarioName(value)) throw new InvalidArgumentError(`choose one of: ${SCENARIO_NAMES.join(', ')}`);
  return value;
}

function intArg(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function positiveArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number greater than 0');
  return n;
}

function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000)
    throw new InvalidArgumentError('must be a duration of at least 1s, such as 30s, 10m or 1h');
  return ms;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description(
      'run a simulated Kubernetes cluster (API server + scenario) that kubectl and Lookout can watch',
    )
    .option(
      '--scenario <name>',
      `what happens in it: ${SCENARIO_NAMES.join(', ')}`,
      scenarioArg,
      'mixed' as ScenarioName,
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', intArg(0, 65535), 6443)
    .option('--seed <n>', 'same seed, same cluster', intArg(0, 2 ** 32 - 1), 1)
    .option('--kubeconfig-out <file>', 'write a kubeconfig for this cluster to <file>')
    .option('--tls', 'serve HTTPS with a self-signed certificate (its CA goes into the kubeconfig)', false)
    .option('--token <token>', 'require this bearer token (kubectl sends it only over --tls)')
    .option(
      '--time-scale <x>',
      "multiply Kubernetes' durations (back-off, grace periods, scenario timelines) by x",
      positiveArg,
      1,
    )
    .addOption(
      new Option('--event-ttl <duration>', 'how long events live after their last update')
        .argParser(durationArg)
        .default(3_600_000, '1h'),
    )
    .addHelpText(
      'after',
      `\nScenarios:\n${SCENARIO_NAMES.map((n) => `  ${n.padEnd(13)} ${SCENARIOS[n].summary}`).join('\n')}\n`,
    )
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const { log } = loggerFor(command);
      await runSim(
        {
          scenario: opts.scenario as ScenarioName,
          host: opts.host as string,
          port: opts.port as number,
          seed: opts.seed as number,
          kubeconfigOut: opts.kubeconfigOut as string | undefined,
          tls: Boolean(opts.tls),
          token: opts.token as string | undefined,
          timeScale: opts.timeScale as number,
          eventTtlMs: opts.eventTtl as number,
        },
        log,
      );
    });
}

/** Starts the cluster and its API server, prints where to find it, and runs until a signal. */
export async function runSim(options: SimOptions, log: Logger): Promise<void> {
  if (options.token && !options.tls) {
    log.warn(
      'kubectl sends no bearer token over plain HTTP; add --tls for the token to be checked by kubectl',
    );
  }
  // The simulator is loaded only by the commands that run it.
  const { SimCluster } = await import('../sim/cluster.js');
  const { startSimServer } = await import('../sim/server/index.js');
  const cluster = new SimCluster({
    scenario: options.scenario,
    seed: options.seed,
    timeScale: options.timeScale,
    eventTtlMs: options.eventTtlMs,
    log,
  });
  let server: SimServer | undefined;
  await runUntilSignal(
    {
      async start() {
        await cluster.start();
        server = await startSimServer({
          store: cluster.store,
          logs: cluster.logs,
          metrics: cluster.metrics,
          host: options.host,
          port: options.port,
          tls: options.tls,
          ...(options.token ? { token: options.token } : {}),
          log,
        });
        announce(server, options);
      },
      async stop() {
        await server?.close();
        await cluster.stop();
      },
    },
    log,
  );
}

function announce(server: SimServer, options: SimOptions): void {
  let kubeconfigLine = '';
  if (options.kubeconfigOut) {
    const file = resolve(options.kubeconfigOut);
    writeFileSync(file, server.kubeconfig(), { mode: 0o600 });
    kubeconfigLine = `kubeconfig: ${file}\ntry:        kubectl --kubeconfig ${file} get pods -A\n`;
  }
  process.stdout.write(
    `Lookout simulated cluster "${options.scenario}" (seed ${options.seed}${options.timeScale !== 1 ? `, time scale ${options.timeScale}` : ''}) listening on ${server.url}\n${kubeconfigLine}`,
  );
}
