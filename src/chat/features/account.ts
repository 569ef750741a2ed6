// Registration and "who am I": /start, /help, /register (admins get Approve/Deny buttons),
// /me, /commands (with seed aliases /au, /gu, /ac), and help for unknown commands and free text.
import { Composer } from 'grammy';
import { errorMessage } from '../../lib/errors.js';
import { registerUser } from '../../store/repos/user-repo.js';
import type { BotServices } from '../bot-services.js';
import { commandsFor, type CommandInfo } from '../command-catalog.js';
import type { BotContext, ChatUser } from '../context.js';
import { escapeHtml } from '../format.js';
import { button, command } from '../handler.js';
import { answer } from '../replies.js';
import { UserAdmin } from '../user-admin.js';
import { displayName } from '../user-directory.js';

export function describeUser(user: ChatUser): string {
  const namespaces =
    user.role === 'admin' ? 'all' : user.namespaces.length > 0 ? user.namespaces.join(', ') : 'none yet';
  return [
    `<b>${escapeHtml(user.name)}</b>${user.username ? ` (@${escapeHtml(user.username)})` : ''}`,
    `id <code>${user.id}</code> · role <b>${user.role}</b>`,
    `namespaces: ${escapeHtml(namespaces)}`,
  ].join('\n');
}

export function commandList(user: ChatUser | undefined, extra: readonly CommandInfo[]): string {
  const lines = commandsFor(user, extra).map((c) => {
    const aliases = c.aliases?.length ? ` (${c.aliases.map((a) => `/${a}`).join(', ')})` : '';
    const args = c.args ? ` ${escapeHtml(c.args)}` : '';
    return `/${c.name}${args}${aliases} — ${escapeHtml(c.summary)}`;
  });
  return lines.join('\n');
}

function intro(user: ChatUser | undefined): string {
  if (!user) return 'Lookout keeps watch over your Kubernetes clusters. Send /register to ask for access.';
  if (user.role === 'pending') return 'Your registration is waiting for an admin to approve it.';
  if (user.role === 'blocked') return 'Your access to Lookout was withdrawn by an admin.';
  return `Hello ${escapeHtml(user.name)}. Ask Lookout about your clusters:`;
}

export function accountFeature(
  services: BotServices,
  extra: () => readonly CommandInfo[],
): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log } = services;
  const admin = new UserAdmin(services.store.db, {
    configAdmins: services.config.admins,
    now: () => services.now(),
  });

  const help = command('/help', 'anyone', log, async (ctx) => {
    const user = ctx.lookout.user;
    const body =
      user && (user.role === 'member' || user.role === 'admin') ? `\n\n${commandList(user, extra())}` : '';
    await answer(ctx, services.pager, `${intro(user)}${body}`);
  });
  c.command('start', help);
  c.command('help', help);

  c.command(
    ['register', 'au'],
    command('/register', 'anyone', log, async (ctx) => {
      const from = ctx.from!;
      const existing = ctx.lookout.user;
      if (existing && existing.role !== 'pending') {
        await answer(ctx, services.pager, `You are registered already, as <b>${existing.role}</b>.`);
        return { detail: 'already registered' };
      }
      const { user, created } = await registerUser(
        services.store.db,
        { id: from.id, name: displayName(from), username: from.username },
        services.now(),
      );
      if (!created) {
        await answer(ctx, services.pager, 'Your registration is waiting for an admin to approve it.');
        return { detail: 'still pending' };
      }
      await answer(
        ctx,
        services.pager,
        `Thanks, ${escapeHtml(user.name)}. An admin will look at your request.`,
      );
      const text = `🆕 <b>${escapeHtml(user.name)}</b>${user.username ? ` (@${escapeHtml(user.username)})` : ''} asks for access to Lookout.\nid <code>${user.id}</code>`;
      const keyboard = {
        inline_keyboard: [
          [
            { text: '✅ Approve', callback_data: `ua:${user.id}:a` },
            { text: '⛔ Deny', callback_data: `ua:${user.id}:d` },
          ],
        ],
      };
      let told = 0;
      for (const id of await services.users.adminIds()) {
        try {
          await ctx.api.sendMessage(id, text, { parse_mode: 'HTML', reply_markup: keyboard });
          told++;
        } catch (error) {
          // An admin who never opened a chat with the bot cannot be written to first.
          log.warn({ admin: id, err: errorMessage(error) }, 'could not tell an admin about a registration');
        }
      }
      return { detail: `pending; ${told} admin(s) notified` };
    }),
  );

  c.command(
    ['me', 'gu'],
    command('/me', 'anyone', log, async (ctx) => {
      const user = ctx.lookout.user;
      if (!user) {
        await answer(
          ctx,
          services.pager,
          `You are not registered (your id is <code>${ctx.from?.id ?? '?'}</code>). Send /register.`,
        );
        return;
      }
      await answer(ctx, services.pager, describeUser(user));
    }),
  );

  c.command(
    ['commands', 'ac'],
    command('/commands', 'anyone', log, async (ctx) => {
      const user = ctx.lookout.user;
      const list = commandList(user, extra());
      await answer(
        ctx,
        services.pager,
        user && (user.role === 'member' || user.role === 'admin')
          ? `Commands you may run:\n${list}`
          : `${intro(user)}\n\n${list}`,
      );
    }),
  );

  c.callbackQuery(
    /^ua:(\d+):([ad])$/,
    button('users.decide', 'admin', log, async (ctx) => {
      const [, idText, verdict] = ctx.match as RegExpMatchArray;
      const by = ctx.lookout.user!;
      const approved = verdict === 'a';
      const user = approved
        ? await admin.approve(idText!, [], String(by.id))
        : await admin.deny(idText!, String(by.id));
      const line = approved
        ? `✅ Approved by ${escapeHtml(by.name)}. Grant namespaces: <code>/grant ${user.id} NAMESPACE…</code>`
        : `⛔ Denied by ${escapeHtml(by.name)}.`;
      const original =
        ctx.callbackQuery?.message && 'text' in ctx.callbackQuery.message
          ? (ctx.callbackQuery.message.text ?? '')
          : '';
      await ctx
        .editMessageText(`${escapeHtml(original)}\n\n${line}`, {
          parse_mode: 'HTML',
          reply_markup: { inline_keyboard: [] },
        })
        .catch(() => undefined);
      await ctx.api
        .sendMessage(
          user.id,
          approved
            ? 'An admin approved your access to Lookout. Send /commands to see what you can do.'
            : 'An admin declined your access to Lookout.',
        )
        .catch(() => undefined);
      return { args: { user: user.id, verdict: approved ? 'approve' : 'deny' } };
    }),
  );
  return c;
}

/** Last in the chain: unknown commands and free text get help (in groups only commands addressed to us). */
export function fallbackFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const isCommand = text.startsWith('/');
    const inGroup = ctx.chat.type !== 'private';
    if (inGroup) {
      if (!isCommand) return;
      const target = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(text)?.[1];
      if (target && target.toLowerCase() !== ctx.me.username.toLowerCase()) return;
    }
    const user = ctx.lookout.user;
    const what = isCommand ? `I do not know ${escapeHtml(text.split(/\s/)[0]!)}.` : 'I answer commands.';
    const next =
      user && (user.role === 'member' || user.role === 'admin')
        ? 'Send /commands to see what you can run.'
        : 'Send /register to ask for access, or /help.';
    await answer(ctx, services.pager, `${what} ${next}`);
    if (isCommand)
      await ctx.lookout.audit(
        text.split(/[\s@]/)[0]!.slice(0, 64),
        { text: text.slice(0, 200) },
        'error',
        'unknown command',
      );
  });
  return c;
}
