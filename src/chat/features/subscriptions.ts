// Team self-service: a chat subscribes itself to the alerts of namespaces the person asking is
// granted (/subscribe), lists (/subscriptions) and drops them (/unsubscribe). Stored in the
// database; the alerting engine's implicit subscription route delivers them, no config edit needed.
import { Composer } from 'grammy';
import { listSubscriptions, subscribe, unsubscribe } from '../../store/repos/subscription-repo.js';
import type { BotServices } from '../bot-services.js';
import type { BotContext } from '../context.js';
import { escapeHtml } from '../format.js';
import { command } from '../handler.js';
import { Refusal } from '../refusal.js';
import { answer } from '../replies.js';
import { checkNamespaces } from '../user-admin.js';
import { canAccess } from '../user-directory.js';

function chatTitle(ctx: BotContext): string {
  const chat = ctx.chat;
  if (!chat) return '';
  if ('title' in chat && chat.title) return chat.title;
  if ('first_name' in chat) return [chat.first_name, chat.last_name].filter(Boolean).join(' ');
  return String(chat.id);
}

export function subscriptionsFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log } = services;

  c.command(
    'subscribe',
    command('/subscribe', 'member', log, async (ctx, args) => {
      const user = ctx.lookout.user!;
      let namespaces: string[];
      if (args.length > 0) {
        namespaces = checkNamespaces(args);
        for (const ns of namespaces)
          if (!canAccess(user, ns))
            throw new Refusal(
              `You have no access to namespace "${ns}", so you cannot subscribe this chat to it.`,
            );
      } else if (user.role === 'admin') namespaces = ['*'];
      else if (user.namespaces.length > 0) namespaces = [...user.namespaces];
      else throw new Refusal('You have no namespaces yet. Ask an admin to /grant you some.');
      const chatId = ctx.chat!.id;
      await subscribe(
        services.store.db,
        namespaces.map((namespace) => ({
          chatId,
          namespace,
          chatTitle: chatTitle(ctx),
          createdBy: user.id,
          createdAt: services.now(),
        })),
      );
      const what = namespaces.includes('*')
        ? 'every namespace (and cluster-wide alerts)'
        : namespaces.join(', ');
      await answer(ctx, services.pager, `🔔 This chat now gets alerts of ${escapeHtml(what)}.`);
      return { args: { chat: chatId, namespaces } };
    }),
  );

  c.command(
    'unsubscribe',
    command('/unsubscribe', 'member', log, async (ctx, args) => {
      const chatId = ctx.chat!.id;
      const namespaces = args.length > 0 ? args : [];
      const removed = await unsubscribe(services.store.db, chatId, namespaces);
      await answer(
        ctx,
        services.pager,
        removed > 0
          ? `🔕 Removed ${removed} subscription${removed === 1 ? '' : 's'} of this chat.`
          : 'This chat had no such subscription.',
      );
      return { args: { chat: chatId, namespaces }, detail: `${removed} removed` };
    }),
  );

  c.command(
    'subscriptions',
    command('/subscriptions', 'member', log, async (ctx) => {
      const subs = await listSubscriptions(services.store.db, ctx.chat!.id);
      const lines = subs.map((s) => `• ${s.namespace === '*' ? 'every namespace' : escapeHtml(s.namespace)}`);
      await answer(
        ctx,
        services.pager,
        lines.length > 0
          ? `This chat gets alerts of:\n${lines.join('\n')}`
          : 'This chat has no alert subscriptions. /subscribe adds some.',
      );
      return { detail: `${subs.length} subscriptions` };
    }),
  );
  return c;
}
