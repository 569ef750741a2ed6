// `lookout users list|add|approve|deny|grant|revoke|role|remove`: chat users straight in the
// store (no server needed), with the same rules as the bot's admin commands.
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import type { ChatUser, Role } from '../chat/context.js';
import { UsageError } from '../chat/refusal.js';
import { UserAdmin } from '../chat/user-admin.js';
import { openStore, type Store } from '../store/index.js';
import { isRole, listUsers } from '../store/repos/user-repo.js';
import { loadConfigOrExit } from './context.js';
import { formatTable, parseOutput } from './format.js';

function fail(message: string): never {
  console.error(`Lookout: ${message}`);
  process.exit(1);
}

async function withAdmin<T>(
  command: Command,
  fn: (admin: UserAdmin, store: Store, configAdmins: readonly number[]) => Promise<T>,
): Promise<T> {
  const config = loadConfigOrExit(command);
  const store = openStore(config.storage);
  const configAdmins = config.chat.telegram?.admins ?? [];
  try {
    await store.migrate();
    return await fn(new UserAdmin(store.db, { configAdmins }), store, configAdmins);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

function line(u: ChatUser): string {
  return `${u.id} ${u.name}: ${u.role}${u.role === 'member' ? ` (${u.namespaces.join(', ') || 'no namespaces'})` : ''}`;
}

/** Who made a change from the CLI, as the audit and the users table record it. */
function cliActor(): string {
  return `cli:${userInfo().username}`;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('chat users: roles and namespace grants');

  users
    .command('list')
    .description('every chat user with role and namespaces')
    .option('--role <role>', 'only users with this role')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts: { role?: string; output: string }, command: Command) => {
      const output = parseOutput(opts.output);
      if (opts.role !== undefined && !isRole(opts.role))
        fail(`--role must be admin, member, pending or blocked`);
      await withAdmin(command, async (_admin, store, configAdmins) => {
        const list = await listUsers(store.db, opts.role ? { role: opts.role as Role } : {});
        const rows = list.map((u) => ({
          ...u,
          role: configAdmins.includes(u.id) ? ('admin' as const) : u.role,
          configAdmin: configAdmins.includes(u.id),
        }));
        if (output === 'json') {
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        process.stdout.write(
          formatTable(
            ['id', 'name', 'username', 'role', 'namespaces', 'since'],
            rows.map((u) => [
              String(u.id),
              u.name,
              u.username ? `@${u.username}` : '',
              u.configAdmin ? 'admin (config)' : u.role,
              u.role === 'admin' ? 'all' : u.namespaces.join(',') || '-',
              new Date(u.createdAt).toISOString(),
            ]),
          ),
        );
      });
    });

  users
    .command('add')
    .description('add a user by Telegram id (e.g. the first admin) without waiting for /register')
    .argument('<id>', 'Telegram user id')
    .option('--role <role>', 'admin, member, pending or blocked', 'member')
    .option('--name <name>', 'display name until they write to the bot')
    .option('--namespace <ns...>', 'namespaces to grant (members)')
    .action(
      async (id: string, opts: { role: string; name?: string; namespace?: string[] }, command: Command) => {
        if (!/^\d+$/.test(id)) fail('<id> must be a Telegram user id (digits)');
        if (!isRole(opts.role)) fail('--role must be admin, member, pending or blocked');
        await withAdmin(command, async (admin) => {
          let user = await admin.add(Number(id), opts.role as Role, opts.name, cliActor());
          if (opts.namespace?.length) user = await admin.grant(id, opts.namespace, cliActor());
          console.log(line(user));
        });
      },
    );

  users
    .command('approve')
    .description('approve a pending user as a member, with namespaces')
    .argument('<user>', 'Telegram id or @username')
    .argument('[namespace...]', 'namespaces to grant')
    .action(async (ref: string, namespaces: string[], _o: unknown, command: Command) => {
      await withAdmin(command, async (admin) =>
        console.log(line(await admin.approve(ref, namespaces, cliActor()))),
      );
    });

  users
    .command('deny')
    .description('refuse a registration (the user becomes blocked)')
    .argument('<user>', 'Telegram id or @username')
    .action(async (ref: string, _o: unknown, command: Command) => {
      await withAdmin(command, async (admin) => console.log(line(await admin.deny(ref, cliActor()))));
    });

  users
    .command('grant')
    .description('give a user namespaces')
    .argument('<user>', 'Telegram id or @username')
    .argument('<namespace...>', 'namespaces')
    .action(async (ref: string, namespaces: string[], _o: unknown, command: Command) => {
      await withAdmin(command, async (admin) =>
        console.log(line(await admin.grant(ref, namespaces, cliActor()))),
      );
    });

  users
    .command('revoke')
    .description('take namespaces away from a user')
    .argument('<user>', 'Telegram id or @username')
    .argument('<namespace...>', 'namespaces')
    .action(async (ref: string, namespaces: string[], _o: unknown, command: Command) => {
      await withAdmin(command, async (admin) => console.log(line(await admin.revoke(ref, namespaces))));
    });

  users
    .command('role')
    .description("change a user's role")
    .argument('<user>', 'Telegram id or @username')
    .argument('<role>', 'admin, member, pending or blocked')
    .action(async (ref: string, role: string, _o: unknown, command: Command) => {
      await withAdmin(command, async (admin) =>
        console.log(line(await admin.setRole(ref, role, cliActor()))),
      );
    });

  users
    .command('remove')
    .description('forget a user and their grants (they may /register again)')
    .argument('<user>', 'Telegram id or @username')
    .action(async (ref: string, _o: unknown, command: Command) => {
      await withAdmin(command, async (admin) => {
        await admin.remove(ref);
        console.log(`removed ${ref}`);
      });
    });
}
