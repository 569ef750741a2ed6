// What every command shares: global flags, config loading with Lookout's exit codes,
// and the logger.
import type { Command } from 'commander';
import { loadConfig, processEnv, type Config } from '../config/index.js';
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from '../lib/errors.js';
import { SecretScrubber, collectSecrets } from '../lib/secret.js';
import { LOG_LEVELS, createLogger, type LogFormat, type Logger } from '../telemetry/logger.js';

export interface GlobalOptions {
  config?: string;
  logLevel?: string;
  logFormat?: string;
}

/** Global flags, read from the root command. */
export function globals(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/** Loads the config or exits 78 after printing every problem. */
export function loadConfigOrExit(command: Command): Config {
  const { config } = globals(command);
  try {
    return loadConfig({ path: config });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(
        `Lookout: the configuration has ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}:`,
      );
      for (const line of error.message.split('\n')) console.error(`  ${line}`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw error;
  }
}

export function loggerFor(command: Command, config?: Config): { log: Logger; scrubber: SecretScrubber } {
  const opts = globals(command);
  const env = processEnv();
  const level = (opts.logLevel ?? env.LOOKOUT_LOG_LEVEL ?? 'info') as (typeof LOG_LEVELS)[number];
  const format = (opts.logFormat ?? env.LOOKOUT_LOG_FORMAT ?? 'json') as LogFormat;
  const scrubber = new SecretScrubber();
  if (config) collectSecrets(config, scrubber);
  return { log: createLogger({ level, format, scrubber }), scrubber };
}

export function validateGlobalFlags(opts: GlobalOptions): string | undefined {
  if (opts.logLevel && !LOG_LEVELS.includes(opts.logLevel as (typeof LOG_LEVELS)[number])) {
    return `--log-level must be one of ${LOG_LEVELS.join(', ')}`;
  }
  if (opts.logFormat && !['json', 'pretty'].includes(opts.logFormat))
    return '--log-format must be json or pretty';
  return undefined;
}
