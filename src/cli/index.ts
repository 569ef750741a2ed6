#!/usr/bin/env node
// The `lookout` command line. Each command lives in its own file; this one builds the tree
// and installs the process-level safety nets.
import { Command, CommanderError } from 'commander';
import { registerAuth } from '../http/auth/auth-command.js';
import { lookoutVersion } from '../lib/version.js';
import { registerAlerts } from './alerts.js';
import { registerAudit } from './audit.js';
import { registerConfig } from './config.js';
import { validateGlobalFlags } from './context.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerHistory } from './history.js';
import { registerMigrate } from './migrate.js';
import { registerQuery } from './query.js';
import { registerServe } from './serve.js';
import { registerSim } from './sim.js';
import { registerSilence } from './silence.js';
import { registerTop } from './top.js';
import { registerUsers } from './users.js';

export function buildProgram(): Command {
  const program = new Command('lookout')
    .description(
      'Lookout keeps watch over Kubernetes clusters: history, alerts, chat and a web UI in one process.',
    )
    .version(lookoutVersion(), '-V, --version')
    .option('-c, --config <file>', 'config file (default: $LOOKOUT_CONFIG, else embedded defaults)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default: info)')
    .option('--log-format <format>', 'json or pretty (default: json)')
    .showHelpAfterError()
    .hook('preAction', (command) => {
      const problem = validateGlobalFlags(command.opts());
      if (problem) command.error(problem, { exitCode: 2 });
    });
  registerServe(program);
  registerDemo(program);
  registerMigrate(program);
  registerConfig(program);
  registerDoctor(program);
  registerSim(program);
  registerHistory(program);
  registerAlerts(program);
  registerSilence(program);
  registerUsers(program);
  registerAudit(program);
  registerTop(program);
  registerQuery(program);
  registerAuth(program);
  return program;
}

process.on('unhandledRejection', (reason) => {
  console.error('Lookout: unhandled promise rejection (a bug; please report it):', reason);
  process.exit(70);
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`Lookout: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
