// `lookout doctor`: one pass/fail line per check — the config, the database, each cluster (and
// its metrics API), each receiver integration and the chat bot.
import type { Command } from 'commander';
import { chatChecks } from '../chat/doctor-checks.js';
import { clusterChecks } from '../cluster/doctor-checks.js';
import { loadConfig, resolveConfigPath, type Config } from '../config/index.js';
import { CONFIG_ERROR_EXIT_CODE, ConfigError, errorMessage } from '../lib/errors.js';
import { lookoutVersion } from '../lib/version.js';
import { metricsApiChecks } from '../metrics/builtin/metrics-api-check.js';
import { receiverChecks } from '../notify/doctor-checks.js';
import { openStore } from '../store/index.js';
import { globals } from './context.js';

export interface DoctorResult {
  readonly ok: boolean;
  readonly detail: string;
}

export interface DoctorCheck {
  readonly name: string;
  run(): Promise<DoctorResult>;
}

/** Each area contributes checks built from the config. */
export type DoctorChecks = (config: Config) => DoctorCheck[];

export const storageChecks: DoctorChecks = (config) => [
  {
    name: 'database',
    async run() {
      const store = openStore(config.storage);
      try {
        await store.ping(5000);
        const pending = await store.pendingMigrations();
        return pending.length === 0
          ? { ok: true, detail: `${store.location} reachable, schema up to date` }
          : {
              ok: false,
              detail: `${store.location} reachable, ${pending.length} migrations pending (run: lookout migrate)`,
            };
      } catch (error) {
        return { ok: false, detail: errorMessage(error) };
      } finally {
        await store.close();
      }
    },
  },
];

const ALL_CHECKS: DoctorChecks[] = [
  storageChecks,
  clusterChecks,
  metricsApiChecks,
  (config) => receiverChecks(config.alerting.receivers ?? [], { version: lookoutVersion() }),
  chatChecks,
];

export async function runDoctor(
  config: Config,
  checks: readonly DoctorChecks[] = ALL_CHECKS,
  print: (line: string) => void = console.log,
): Promise<boolean> {
  let ok = true;
  for (const factory of checks) {
    for (const check of factory(config)) {
      const result = await check
        .run()
        .catch((error: unknown) => ({ ok: false, detail: errorMessage(error) }));
      ok &&= result.ok;
      print(`${result.ok ? 'PASS' : 'FAIL'}  ${check.name}: ${result.detail}`);
    }
  }
  return ok;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the config, the database, clusters and receivers; one pass/fail line each')
    .action(async (_opts, command: Command) => {
      const path = resolveConfigPath(globals(command).config);
      let config: Config;
      try {
        config = loadConfig({ path });
        console.log(`PASS  config: ${path ?? 'embedded defaults'} is valid`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.log(`FAIL  config: ${error.issues.length} problem(s)`);
        for (const line of error.message.split('\n')) console.log(`        ${line}`);
        process.exit(CONFIG_ERROR_EXIT_CODE);
      }
      const ok = await runDoctor(config);
      process.exitCode = ok ? 0 : 1;
    });
}
