// `lookout auth …`: make a password hash for `http.auth.users`, replace a lost bootstrap admin
// token, and create API tokens for scripts from the command line (data on stdout).
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfigOrExit } from '../../cli/context.js';
import { parseDuration } from '../../lib/duration.js';
import { openStore } from '../../store/index.js';
import type { TokenRole } from '../../store/repos/web-repo.js';
import { silentLogger } from '../../telemetry/logger.js';
import { AuthService } from './auth-service.js';
import { hashPassword } from './passwords.js';

/** Reads one line from stdin; on a terminal, without echoing what is typed. */
function readSecretLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      let text = '';
      stdin.setEncoding('utf8');
      stdin.on('data', (d: string) => (text += d));
      stdin.once('end', () => resolve(text.replace(/\r?\n$/, '')));
      stdin.once('error', reject);
    });
  }
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let text = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.off('data', onData);
          stdin.pause();
          process.stderr.write('\n');
          resolve(text);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        text = ch === '\u007f' ? text.slice(0, -1) : text + ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function withService<T>(command: Command, fn: (service: AuthService) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit(command);
  const store = openStore(config.storage);
  try {
    await store.migrate();
    return await fn(
      new AuthService({ auth: config.http.auth, store, log: silentLogger(), announce: () => undefined }),
    );
  } finally {
    await store.close();
  }
}

function roleArg(value: string): TokenRole {
  if (value !== 'viewer' && value !== 'admin' && value !== 'ingest')
    throw new InvalidArgumentError('must be viewer, admin or ingest');
  return value;
}

function durationArg(value: string): number | undefined {
  if (value === 'never') return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('must be a duration such as 90d, or never');
  return ms;
}

export function registerAuth(program: Command): void {
  const auth = program.command('auth').description('web UI and API access: password hashes and tokens');

  auth
    .command('hash-password')
    .description('print the bcrypt hash of a password (read from stdin) for http.auth.users[].password_hash')
    .action(async () => {
      const password = await readSecretLine('Password: ');
      if (password.length < 8) {
        process.stderr.write('Lookout: use a password of at least 8 characters\n');
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${await hashPassword(password)}\n`);
    });

  auth
    .command('reset-token')
    .description(
      'replace the bootstrap admin token (sign-ins made with the old one end) and print the new one',
    )
    .action(async (_opts, command: Command) => {
      const token = await withService(command, (s) => s.rotateBootstrapToken('lookout auth reset-token'));
      process.stdout.write(`${token}\n`);
    });

  auth
    .command('create-token')
    .description('create an API token for a script and print it (shown only this once)')
    .requiredOption('--name <name>', 'what uses it (prometheus, grafana, ci)')
    .option('--role <role>', 'viewer, admin or ingest (may only push alerts)', roleArg, 'viewer' as TokenRole)
    .option('--expires <duration>', 'a lifetime such as 90d, or never', durationArg)
    .action(async (opts: { name: string; role: TokenRole; expires?: number }, command: Command) => {
      const created = await withService(command, (s) =>
        s.createApiToken({
          name: opts.name,
          role: opts.role,
          createdBy: 'lookout auth create-token',
          ttlMs: opts.expires,
        }),
      );
      process.stdout.write(`${created.token}\n`);
    });
}
