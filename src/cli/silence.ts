// `lookout silence add|list|expire`: silences straight in the store, so they work with no server
// running; a running Lookout picks them up within seconds.
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { MatcherError, parseMatchers, type Matcher } from '../alerting/matcher.js';
import { silenceState, type Silence, type SilenceMatcher } from '../alerting/silence.js';
import { expireSilence, planSilence, SilenceRequestError } from '../alerting/silence-ops.js';
import { matcherString } from '../alerting/matcher.js';
import { parseDuration } from '../lib/duration.js';
import { openStore, type Store } from '../store/index.js';
import { getSilence, listSilences, saveSilence } from '../store/repos/silence-repo.js';
import { loadConfigOrExit } from './context.js';
import { formatTable, parseOutput } from './format.js';

/** `severity=~"crit.*"` and friends as a silence stores them. */
export function silenceMatchersOf(args: readonly string[]): SilenceMatcher[] {
  const matchers: Matcher[] = [];
  for (const arg of args) {
    try {
      matchers.push(...parseMatchers(arg));
    } catch (error) {
      if (error instanceof MatcherError) throw new Error(`matcher ${JSON.stringify(arg)}: ${error.message}`);
      throw error;
    }
  }
  return matchers.map((m) => ({
    name: m.name,
    value: m.value,
    isRegex: m.type === '=~' || m.type === '!~',
    isEqual: m.type === '=' || m.type === '=~',
  }));
}

/** Prints a silence's matchers as one would type them. */
export function describeMatchers(s: Pick<Silence, 'matchers'>): string {
  return s.matchers
    .map((m) =>
      matcherString({
        name: m.name,
        value: m.value,
        type: m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=',
      }),
    )
    .join(' ');
}

async function withStore<T>(command: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(loadConfigOrExit(command).storage);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

function fail(message: string): never {
  console.error(`Lookout: ${message}`);
  process.exit(1);
}

export function registerSilence(program: Command): void {
  const silence = program
    .command('silence')
    .description('add, list and expire silences (Alertmanager semantics)');

  silence
    .command('add')
    .description('silence alerts matching every MATCHER (e.g. alertname=Disk namespace=~"pay.*")')
    .argument('<matcher...>', 'label matchers: name=value, name!=value, name=~regex, name!~regex')
    .option('-d, --duration <duration>', 'how long the silence lasts', '1h')
    .requiredOption('--comment <text>', 'why the alerts are silenced')
    .option('--author <name>', 'who silences them (default: the current user)')
    .action(
      async (
        args: string[],
        opts: { duration: string; comment: string; author?: string },
        command: Command,
      ) => {
        const duration = parseDuration(opts.duration);
        if (duration === undefined || duration <= 0)
          fail(`--duration: "${opts.duration}" is not a duration (examples: 30m, 2h, 1d)`);
        let matchers: SilenceMatcher[];
        try {
          matchers = silenceMatchersOf(args);
        } catch (error) {
          fail((error as Error).message);
        }
        const now = Date.now();
        const author = opts.author ?? userInfo().username;
        await withStore(command, async (store) => {
          try {
            const change = planSilence(
              { matchers, startsAt: now, endsAt: now + duration, createdBy: author, comment: opts.comment },
              undefined,
              now,
            );
            for (const s of change.writes) await saveSilence(store.db, s);
            console.log(change.id);
          } catch (error) {
            if (error instanceof SilenceRequestError) fail(error.message);
            throw error;
          }
        });
      },
    );

  silence
    .command('list')
    .description('active and pending silences (with --expired, expired ones too)')
    .option('--expired', 'include expired silences')
    .addOption(new Option('-o, --output <format>', 'table or json').default('table'))
    .action(async (opts: { expired?: boolean; output: string }, command: Command) => {
      const output = parseOutput(opts.output);
      await withStore(command, async (store) => {
        const now = Date.now();
        const list = (await listSilences(store.db))
          .filter((s) => opts.expired || silenceState(s, now) !== 'expired')
          .sort((a, b) => a.endsAt - b.endsAt);
        if (output === 'json') {
          console.log(
            JSON.stringify(
              list.map((s) => ({ ...s, state: silenceState(s, now) })),
              null,
              2,
            ),
          );
          return;
        }
        process.stdout.write(
          formatTable(
            ['id', 'state', 'matchers', 'starts', 'ends', 'created by', 'comment'],
            list.map((s) => [
              s.id,
              silenceState(s, now),
              describeMatchers(s),
              new Date(s.startsAt).toISOString(),
              new Date(s.endsAt).toISOString(),
              s.createdBy,
              s.comment,
            ]),
          ),
        );
      });
    });

  silence
    .command('expire')
    .description('end silences now')
    .argument('<id...>', 'silence ids (from `lookout silence list`)')
    .action(async (ids: string[], _opts: unknown, command: Command) => {
      await withStore(command, async (store) => {
        let failed = false;
        for (const id of ids) {
          const prev = await getSilence(store.db, id);
          if (!prev) {
            console.error(`Lookout: no silence ${id}`);
            failed = true;
            continue;
          }
          try {
            await saveSilence(store.db, expireSilence(prev, Date.now()));
            console.log(`expired ${id}`);
          } catch (error) {
            if (!(error instanceof SilenceRequestError)) throw error;
            console.error(`Lookout: ${error.message}`);
            failed = true;
          }
        }
        if (failed) process.exitCode = 1;
      });
    });
}
