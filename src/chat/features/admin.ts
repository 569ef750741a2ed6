// Admin commands: /users, /approve, /deny, /grant, /revoke, /role — the same operations as
// `lookout users` and the users API, with the same rules (UserAdmin).
import { Composer } from 'grammy';
import { listUsers } from '../../store/repos/user-repo.js';
import type { BotServices } from '../bot-services.js';
import type { BotContext } from '../context.js';
import { escapeHtml } from '../format.js';
import { command } from '../handler.js';
import { UsageError } from '../refusal.js';
import { answer } from '../replies.js';
import { UserAdmin } from '../user-admin.js';
import { describeUser } from './account.js';

export function adminFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log } = services;
  const admin = new UserAdmin(services.store.db, {
    configAdmins: services.config.admins,
    now: () => services.now(),
  });
  const by = (ctx: BotContext): string => String(ctx.lookout.user!.id);
  const need = (args: string[], min: number, usage: string): void => {
    if (args.length < min) throw new UsageError(`Usage: ${usage}`);
  };

  c.command(
    'users',
    command('/users', 'admin', log, async (ctx, args) => {
      const pendingOnly = args[0] === 'pending';
      const users = await listUsers(services.store.db, pendingOnly ? { role: 'pending' } : {});
      const configured = services.config.admins.filter((id) => !users.some((u) => u.id === id));
      const lines = users.map((u) => {
        const role = services.users.isConfigAdmin(u.id) ? 'admin (config)' : u.role;
        const ns = role.startsWith('admin') ? 'all' : u.namespaces.join(', ') || '—';
        return `• <b>${escapeHtml(u.name)}</b>${u.username ? ` @${escapeHtml(u.username)}` : ''} <code>${u.id}</code> — ${role} — ${escapeHtml(ns)}`;
      });
      if (!pendingOnly)
        for (const id of configured) lines.push(`• <code>${id}</code> — admin (config) — all`);
      await answer(
        ctx,
        services.pager,
        lines.length > 0
          ? `${pendingOnly ? 'Pending users' : 'Users'} (${lines.length}):\n${lines.join('\n')}`
          : pendingOnly
            ? 'Nobody is waiting for approval.'
            : 'No users yet.',
      );
      return { detail: `${lines.length} users` };
    }),
  );

  c.command(
    'approve',
    command('/approve', 'admin', log, async (ctx, args) => {
      need(args, 1, '/approve USER [NAMESPACE…]');
      const user = await admin.approve(args[0]!, args.slice(1), by(ctx));
      await answer(ctx, services.pager, `✅ Approved.\n${describeUser(user)}`);
      await ctx.api
        .sendMessage(
          user.id,
          'An admin approved your access to Lookout. Send /commands to see what you can do.',
        )
        .catch(() => undefined);
      return { args: { user: user.id, namespaces: args.slice(1) } };
    }),
  );

  c.command(
    'deny',
    command('/deny', 'admin', log, async (ctx, args) => {
      need(args, 1, '/deny USER');
      const user = await admin.deny(args[0]!, by(ctx));
      await answer(ctx, services.pager, `⛔ ${escapeHtml(user.name)} is blocked.`);
      return { args: { user: user.id } };
    }),
  );

  c.command(
    'grant',
    command('/grant', 'admin', log, async (ctx, args) => {
      need(args, 2, '/grant USER NAMESPACE…');
      const user = await admin.grant(args[0]!, args.slice(1), by(ctx));
      await answer(ctx, services.pager, `Granted.\n${describeUser(user)}`);
      return { args: { user: user.id, namespaces: args.slice(1) } };
    }),
  );

  c.command(
    'revoke',
    command('/revoke', 'admin', log, async (ctx, args) => {
      need(args, 2, '/revoke USER NAMESPACE…');
      const user = await admin.revoke(args[0]!, args.slice(1));
      await answer(ctx, services.pager, `Revoked.\n${describeUser(user)}`);
      return { args: { user: user.id, namespaces: args.slice(1) } };
    }),
  );

  c.command(
    'role',
    command('/role', 'admin', log, async (ctx, args) => {
      need(args, 2, '/role USER admin|member|pending|blocked');
      const user = await admin.setRole(args[0]!, args[1]!, by(ctx));
      await answer(ctx, services.pager, `Role changed.\n${describeUser(user)}`);
      return { args: { user: user.id, role: args[1] } };
    }),
  );
  return c;
}
