// `lookout audit [--user] [--since] [--action] [--result]`: what was done from chat, newest first.
import type { Command } from 'commander';
import type { AuditResult } from '../chat/context.js';
import { parseTimePoint } from '../lib/time-range.js';
import { openStore } from '../store/index.js';
import { queryAudit } from '../store/repos/audit-repo.js';
import { findUser } from '../store/repos/user-repo.js';
import { loadConfigOrExit } from './context.js';
import { formatTable, oneLine, parseOutput } from './format.js';

function fail(message: string): never {
  console.error(`Lookout: ${message}`);
  process.exit(1);
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the chat audit log: who ran which command, with what, and the result')
    .option('--user <user>', 'Telegram id or @username')
    .option('--since <time>', 'a duration back (2h, 7d) or an RFC 3339 time', '24h')
    .option('--action <action>', 'only this command or action (e.g. /logs, alert.silence)')
    .option('--result <result>', 'ok, denied or error')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(
      async (
        opts: {
          user?: string;
          since: string;
          action?: string;
          result?: string;
          limit: string;
          output: string;
        },
        command: Command,
      ) => {
        const output = parseOutput(opts.output);
        const since = parseTimePoint(opts.since);
        if (since === undefined)
          fail(`--since: "${opts.since}" is neither a duration (2h, 7d) nor a time (RFC 3339)`);
        if (opts.result !== undefined && !['ok', 'denied', 'error'].includes(opts.result))
          fail('--result must be ok, denied or error');
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          fail('--limit must be an integer from 1 to 1000');
        const store = openStore(loadConfigOrExit(command).storage);
        try {
          await store.migrate();
          let userId: number | undefined;
          if (opts.user !== undefined) {
            userId = /^\d+$/.test(opts.user) ? Number(opts.user) : (await findUser(store.db, opts.user))?.id;
            if (userId === undefined) fail(`no user ${opts.user}`);
          }
          const page = await queryAudit(store.db, {
            userId,
            since,
            action: opts.action,
            result: opts.result as AuditResult | undefined,
            limit,
          });
          if (output === 'json') {
            console.log(JSON.stringify(page.items, null, 2));
            return;
          }
          process.stdout.write(
            formatTable(
              ['time', 'user', 'chat', 'action', 'result', 'arguments', 'detail'],
              page.items.map((e) => [
                new Date(e.at).toISOString(),
                `${e.userName}${e.userId !== null ? ` (${e.userId})` : ''}`,
                e.chatId === null ? '' : String(e.chatId),
                e.action,
                e.result,
                oneLine(JSON.stringify(e.args), 60),
                oneLine(e.detail ?? '', 60),
              ]),
            ),
          );
        } finally {
          await store.close();
        }
      },
    );
}
