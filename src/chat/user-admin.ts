// Managing chat users — approve, deny, grant, revoke, change role — with one set of rules and
// messages for the bot's admin commands, `lookout users` and the users API.
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import {
  deleteUser,
  findUser,
  getUser,
  grantNamespaces,
  isRole,
  revokeNamespaces,
  setRole,
} from '../store/repos/user-repo.js';
import type { ChatUser, Role } from './context.js';
import { UsageError } from './refusal.js';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks namespace names (Kubernetes DNS labels); throws a {@link UsageError} naming the bad ones. */
export function checkNamespaces(namespaces: readonly string[]): string[] {
  const bad = namespaces.filter((n) => !NAMESPACE.test(n));
  if (bad.length > 0)
    throw new UsageError(
      `${bad.map((b) => JSON.stringify(b)).join(', ')} is not a namespace name (lower-case letters, digits and "-").`,
    );
  return [...new Set(namespaces)];
}

export class UserAdmin {
  readonly #db: Kysely<Database>;
  readonly #configAdmins: ReadonlySet<number>;
  readonly #now: () => number;

  constructor(db: Kysely<Database>, options: { configAdmins?: readonly number[]; now?: () => number } = {}) {
    this.#db = db;
    this.#configAdmins = new Set(options.configAdmins ?? []);
    this.#now = options.now ?? Date.now;
  }

  /** A user by id or @username; a {@link UsageError} when unknown. */
  async find(ref: string): Promise<ChatUser> {
    const user = await findUser(this.#db, ref);
    if (!user)
      throw new UsageError(
        `No user ${JSON.stringify(ref)} has registered (use their numeric id or @username).`,
      );
    return user;
  }

  /** A pending (or blocked) user becomes a member, with namespaces if given. */
  async approve(ref: string, namespaces: readonly string[], by: string | null): Promise<ChatUser> {
    const ns = checkNamespaces(namespaces);
    const user = await this.find(ref);
    if (user.role === 'admin') throw new UsageError(`${user.name} is an admin already.`);
    await this.#db.transaction().execute(async (tx) => {
      await setRole(tx, user.id, 'member', { by, now: this.#now() });
      await grantNamespaces(tx, user.id, ns, by, this.#now());
    });
    return (await getUser(this.#db, user.id))!;
  }

  /** A registration is refused: the user becomes blocked (so they are not asked about again). */
  async deny(ref: string, by: string | null): Promise<ChatUser> {
    if (/^\d+$/.test(ref.trim())) this.#guardConfigAdmin(Number(ref.trim()), 'blocked');
    const user = await this.find(ref);
    this.#guardConfigAdmin(user.id, 'blocked');
    return setRole(this.#db, user.id, 'blocked', { by, now: this.#now() });
  }

  async grant(ref: string, namespaces: readonly string[], by: string | null): Promise<ChatUser> {
    if (namespaces.length === 0) throw new UsageError('Name at least one namespace to grant.');
    const ns = checkNamespaces(namespaces);
    const user = await this.find(ref);
    await grantNamespaces(this.#db, user.id, ns, by, this.#now());
    return (await getUser(this.#db, user.id))!;
  }

  async revoke(ref: string, namespaces: readonly string[]): Promise<ChatUser> {
    if (namespaces.length === 0) throw new UsageError('Name at least one namespace to revoke.');
    const user = await this.find(ref);
    await revokeNamespaces(this.#db, user.id, checkNamespaces(namespaces));
    return (await getUser(this.#db, user.id))!;
  }

  async setRole(ref: string, role: string, by: string | null): Promise<ChatUser> {
    if (!isRole(role))
      throw new UsageError(`${JSON.stringify(role)} is not a role: use admin, member, pending or blocked.`);
    if (/^\d+$/.test(ref.trim())) this.#guardConfigAdmin(Number(ref.trim()), role);
    const user = await this.find(ref);
    this.#guardConfigAdmin(user.id, role);
    return setRole(this.#db, user.id, role, { by, now: this.#now() });
  }

  /** Adds a user by id with a role (the CLI's way to set up the first users without chat). */
  async add(id: number, role: Role, name: string | undefined, by: string | null): Promise<ChatUser> {
    this.#guardConfigAdmin(id, role);
    return setRole(this.#db, id, role, { by, now: this.#now(), name });
  }

  async remove(ref: string): Promise<void> {
    const user = await this.find(ref);
    await deleteUser(this.#db, user.id);
  }

  #guardConfigAdmin(id: number, role: Role): void {
    if (this.#configAdmins.has(id) && role !== 'admin')
      throw new UsageError(
        `User ${id} is an admin in the configuration (chat.telegram.admins); change it there.`,
      );
  }
}
