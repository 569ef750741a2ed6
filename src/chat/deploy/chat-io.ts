// The small chat mechanics every deploy handler shares: HTML replies, turning a question into the
// next one (edit when a button was pressed, a new message when text was sent), refusals, and a guard.
import { GrammyError, type Api, type InlineKeyboard, type NextFunction } from 'grammy';
import { LookoutError, errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { BotContext, ChatUser } from '../context.js';
import { Refusal } from '../refusal.js';

/** Members and admins may deploy; pending, blocked and unknown people may not. */
export function mayDeploy(user: ChatUser | undefined): user is ChatUser {
  return user !== undefined && (user.role === 'admin' || user.role === 'member');
}

/** Sends an HTML message (link previews off); answers its id. */
export async function replyHtml(ctx: BotContext, text: string, keyboard?: InlineKeyboard): Promise<number> {
  const sent = await ctx.reply(text, {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    ...(keyboard ? { reply_markup: keyboard } : {}),
  });
  return sent.message_id;
}

/** Removes the buttons under a message, if it still has any. */
export async function stripButtons(api: Api, chatId: number, messageId: number): Promise<void> {
  try {
    await api.editMessageReplyMarkup(chatId, messageId, { reply_markup: { inline_keyboard: [] } });
  } catch {
    // Already without buttons, or deleted: nothing to tidy.
  }
}

/**
 * Shows `text`: by editing `messageId` when its button was just pressed, otherwise as a new
 * message below the person's answer (the old one then loses its buttons). Answers the message id.
 */
export async function editOrSend(
  ctx: BotContext,
  messageId: number | undefined,
  text: string,
  keyboard?: InlineKeyboard,
): Promise<number> {
  const chatId = ctx.chat?.id;
  const pressed = ctx.callbackQuery?.message?.message_id;
  if (chatId !== undefined && messageId !== undefined && pressed === messageId) {
    try {
      await ctx.api.editMessageText(chatId, messageId, text, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: keyboard ?? { inline_keyboard: [] },
      });
      return messageId;
    } catch (error) {
      if (error instanceof GrammyError && error.description.includes('message is not modified'))
        return messageId;
      throw error;
    }
  }
  if (chatId !== undefined && messageId !== undefined) await stripButtons(ctx.api, chatId, messageId);
  return replyHtml(ctx, text, keyboard);
}

/** Answers someone without the role for deploying, and audits the refusal. */
export async function refuse(
  ctx: BotContext,
  action: string,
  args: Readonly<Record<string, unknown>>,
): Promise<void> {
  const user = ctx.lookout.user;
  await ctx.lookout.audit(action, args, 'denied', user ? `role ${user.role}` : 'not registered');
  const why =
    user === undefined
      ? 'Deploying apps needs an approved account: send /register and ask an admin to approve you.'
      : user.role === 'pending'
        ? 'Your registration is waiting for an admin’s approval; deploying apps needs an approved account.'
        : 'Your account may not deploy apps.';
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: why, show_alert: true });
  else await ctx.reply(why);
}

/**
 * Catches every failure of a handler: logs it, audits it, and answers politely, so one bad
 * update never reaches grammY's error handler or leaves a button spinning.
 */
export function guarded(
  log: Logger,
  action: string,
  handler: (ctx: BotContext, next: NextFunction) => Promise<void>,
): (ctx: BotContext, next: NextFunction) => Promise<void> {
  return async (ctx, next) => {
    try {
      await handler(ctx, next);
    } catch (error) {
      const message = errorMessage(error);
      if (error instanceof Refusal) {
        try {
          await ctx.lookout.audit(action, {}, 'denied', message);
          if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: message, show_alert: true });
          else await ctx.reply(message);
        } catch (inner) {
          log.warn({ action, err: errorMessage(inner) }, 'cannot answer a refused deploy action');
        }
        return;
      }
      log.error({ action, chat: ctx.chat?.id, user: ctx.from?.id, err: message }, 'deploy handler failed');
      const shown =
        error instanceof LookoutError ? message : 'something went wrong; the details are in Lookout’s log';
      try {
        await ctx.lookout.audit(action, {}, 'error', message);
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: 'That failed.' }).catch(() => undefined);
        await ctx.reply(`Sorry, that failed: ${shown}`);
      } catch (inner) {
        log.warn({ action, err: errorMessage(inner) }, 'cannot report a failed deploy handler');
      }
    }
  };
}
