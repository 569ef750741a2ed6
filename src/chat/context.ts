// What every chat handler knows about the person talking to Lookout: who they are, what they
// may see and do, and how to record what they did. Shared by every feature of the bot.
import type { Context } from 'grammy';

/** admin: every namespace, manages users. member: granted namespaces only. pending: nothing yet. blocked: nothing. */
export type Role = 'admin' | 'member' | 'pending' | 'blocked';

export interface ChatUser {
  /** Telegram user id. */
  readonly id: number;
  readonly name: string;
  readonly username?: string | undefined;
  readonly role: Role;
  /** Namespaces granted (members); admins see every namespace whatever this holds. */
  readonly namespaces: readonly string[];
  readonly createdAt: number;
}

export type AuditResult = 'ok' | 'denied' | 'error';

/** Lookout's additions to grammY's context, set by the bot's first middleware. */
export interface LookoutFlavor {
  readonly lookout: {
    /** The registered user sending this update; undefined for strangers. */
    readonly user: ChatUser | undefined;
    /** Whether the user may read (and, for members, act in) this namespace. */
    canAccess(namespace: string): boolean;
    /** Records a command or action in the audit log (who, what, arguments, result). */
    audit(
      action: string,
      args: Readonly<Record<string, unknown>>,
      result: AuditResult,
      detail?: string,
    ): Promise<void>;
  };
}

export type BotContext = Context & LookoutFlavor;
