// Who is talking to Lookout: the stored user (role and namespace grants) with config admins
// always admins, and the one rule for namespaces: admins see all, members their grants.
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { getUser, listUsers } from '../store/repos/user-repo.js';
import type { ChatUser } from './context.js';

/** The part of a Telegram `User` Lookout reads. */
export interface TelegramPerson {
  readonly id: number;
  readonly first_name: string;
  readonly last_name?: string | undefined;
  readonly username?: string | undefined;
}

export function displayName(person: TelegramPerson): string {
  const name = [person.first_name, person.last_name].filter(Boolean).join(' ').trim();
  return name || (person.username ? `@${person.username}` : String(person.id));
}

export class UserDirectory {
  readonly #db: Kysely<Database>;
  readonly #configAdmins: ReadonlySet<number>;

  constructor(db: Kysely<Database>, configAdmins: readonly number[]) {
    this.#db = db;
    this.#configAdmins = new Set(configAdmins);
  }

  isConfigAdmin(id: number): boolean {
    return this.#configAdmins.has(id);
  }

  /** The user as Lookout sees them; config admins are admins even before they ever wrote. */
  async resolve(person: TelegramPerson | number): Promise<ChatUser | undefined> {
    const id = typeof person === 'number' ? person : person.id;
    const stored = await getUser(this.#db, id);
    if (!this.#configAdmins.has(id)) return stored;
    const name = typeof person === 'number' ? String(id) : displayName(person);
    return {
      id,
      name: stored?.name ?? name,
      username: stored?.username ?? (typeof person === 'number' ? undefined : person.username),
      role: 'admin',
      namespaces: stored?.namespaces ?? [],
      createdAt: stored?.createdAt ?? 0,
    };
  }

  /** Everyone who manages users: config admins and stored admins. */
  async adminIds(): Promise<number[]> {
    const stored = await listUsers(this.#db, { role: 'admin' });
    return [...new Set([...this.#configAdmins, ...stored.map((u) => u.id)])];
  }
}

/** Admins see every namespace, members their grants; pending and blocked users none. */
export function canAccess(user: ChatUser | undefined, namespace: string): boolean {
  if (!user) return false;
  if (user.role === 'admin') return true;
  if (user.role !== 'member') return false;
  return user.namespaces.includes(namespace);
}

/** The namespaces a user may see, `'all'` for admins. */
export function visibleNamespaces(user: ChatUser | undefined): readonly string[] | 'all' {
  if (!user) return [];
  if (user.role === 'admin') return 'all';
  if (user.role !== 'member') return [];
  return user.namespaces;
}
