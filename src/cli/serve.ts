// `lookout serve`: run Lookout until SIGINT/SIGTERM, then stop cleanly (exit 0).
import type { Command } from 'commander';
import type { Lookout } from '../main.js';
import type { Logger } from '../telemetry/logger.js';
import { loadConfigOrExit, loggerFor } from './context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Lookout: watch the configured clusters, alert, answer, serve the web UI and API')
    .action(async (_opts, command: Command) => {
      const config = loadConfigOrExit(command);
      const { log, scrubber } = loggerFor(command, config);
      const { createLookout } = await import('../main.js');
      const lookout = await createLookout({ config, log, scrubber });
      await runUntilSignal(lookout, log);
    });
}

/** Starts Lookout, waits for SIGINT/SIGTERM, stops within 10 s and exits 0 (1 if stopping failed). */
export async function runUntilSignal(lookout: Pick<Lookout, 'start' | 'stop'>, log: Logger): Promise<void> {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    const hardStop = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    hardStop.unref();
    lookout
      .stop(9000)
      .then(() => {
        log.info('stopped');
        log.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await lookout.start();
  } catch (error) {
    log.fatal({ err: error }, 'Lookout could not start');
    log.flush();
    process.exit(1);
  }
}
