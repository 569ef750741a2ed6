// `lookout config check|print`: validate a config file; print the effective config.
import type { Command } from 'commander';
import { printConfig, resolveConfigPath } from '../config/index.js';
import { globals, loadConfigOrExit } from './context.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check or print the configuration');

  config
    .command('check')
    .description('validate the config file and list every problem with its path (exit 78 on errors)')
    .option('--config <file>', 'config file (default: $LOOKOUT_CONFIG)')
    .action((opts: { config?: string }, command: Command) => {
      if (opts.config) globals(command).config = opts.config;
      loadConfigOrExit(command);
      const path = resolveConfigPath(globals(command).config);
      console.log(
        path ? `${path}: configuration is valid` : 'no config file given: the embedded defaults are valid',
      );
    });

  config
    .command('print')
    .description('print the effective configuration, defaults filled in and secrets redacted')
    .option('--config <file>', 'config file (default: $LOOKOUT_CONFIG)')
    .action((opts: { config?: string }, command: Command) => {
      if (opts.config) globals(command).config = opts.config;
      process.stdout.write(printConfig(loadConfigOrExit(command)));
    });
}
