// How the bot answers: HTML with link previews off, long answers paged, and slow answers as a
// "working…" message that is edited into the result, so the chat sees at once that it was heard.
import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { BotContext } from './context.js';
import type { Pager } from './pager.js';

type Keyboard = InlineKeyboardMarkup;

function replyOptions(ctx: BotContext, keyboard?: Keyboard) {
  const inGroup = ctx.chat?.type === 'group' || ctx.chat?.type === 'supergroup';
  const messageId = ctx.message?.message_id;
  return {
    parse_mode: 'HTML' as const,
    link_preview_options: { is_disabled: true },
    ...(keyboard ? { reply_markup: keyboard } : {}),
    // In a group, answers point at the question so everyone sees whose answer it is.
    ...(inGroup && messageId !== undefined
      ? { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }
      : {}),
  };
}

/** Sends an HTML answer (paged when long); answers the id of the message sent. */
export async function answer(
  ctx: BotContext,
  pager: Pager,
  html: string,
  keyboard?: Keyboard,
): Promise<number> {
  const page = pager.paginate(html);
  const message = await ctx.reply(page.text, replyOptions(ctx, page.keyboard ?? keyboard));
  return message.message_id;
}

export interface Working {
  /** Replaces "working…" with the answer (paged when long). */
  done(html: string, keyboard?: Keyboard): Promise<void>;
  /** Removes "working…" (the answer went out another way, e.g. as a photo). */
  remove(): Promise<void>;
}

/** Sends "⏳ working…" now; the caller edits it once the answer is ready. */
export async function working(ctx: BotContext, pager: Pager, what = 'Working…'): Promise<Working> {
  const message = await ctx.reply(`⏳ ${what}`, replyOptions(ctx));
  const chatId = message.chat.id;
  const id = message.message_id;
  return {
    async done(html, keyboard) {
      const page = pager.paginate(html);
      try {
        await ctx.api.editMessageText(chatId, id, page.text, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(page.keyboard || keyboard ? { reply_markup: page.keyboard ?? keyboard } : {}),
        });
      } catch (error) {
        if (error instanceof GrammyError && /not modified/i.test(error.description)) return;
        // The working message is gone (deleted by someone): answer anew.
        if (error instanceof GrammyError && /not found|can't be edited/i.test(error.description)) {
          await ctx.reply(page.text, replyOptions(ctx, page.keyboard ?? keyboard));
          return;
        }
        throw error;
      }
    },
    async remove() {
      await ctx.api.deleteMessage(chatId, id).catch(() => undefined);
    },
  };
}
