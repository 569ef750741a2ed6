// `lookout migrate`: apply pending database migrations and say what was applied.
import type { Command } from 'commander';
import { openStore } from '../store/index.js';
import { loadConfigOrExit } from './context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (serve also does this at start)')
    .action(async (_opts, command: Command) => {
      const config = loadConfigOrExit(command);
      const store = openStore(config.storage);
      try {
        const summary = await store.migrate();
        if (summary.applied.length === 0)
          console.log(`${store.location}: up to date (${summary.total} migrations)`);
        else {
          for (const name of summary.applied) console.log(`applied ${name}`);
          console.log(`${store.location}: ${summary.applied.length} applied, ${summary.total} in total`);
        }
      } finally {
        await store.close();
      }
    });
}
