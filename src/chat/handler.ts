// Wraps every command and button: checks the role, runs the handler, answers refusals and
// failures politely, and writes one audit entry (who, what, arguments, result) per use.
import { GrammyError } from 'grammy';
import { errorMessage } from '../lib/errors.js';
import { allowed, type Audience } from './command-catalog.js';
import type { AuditResult, BotContext, ChatUser } from './context.js';
import { escapeHtml } from './format.js';
import { Refusal, UsageError } from './refusal.js';
import type { Logger } from '../telemetry/logger.js';

export interface Outcome {
  readonly result?: AuditResult;
  readonly detail?: string;
  /** Arguments to audit instead of the raw ones (e.g. resolved namespace and pod). */
  readonly args?: Readonly<Record<string, unknown>>;
}

export type CommandFn = (ctx: BotContext, args: string[]) => Promise<Outcome | void>;
export type ButtonFn = (ctx: BotContext, data: string) => Promise<Outcome | void>;

/** The words after the command (grammY puts them in `ctx.match`). */
export function commandArgs(ctx: BotContext): string[] {
  const text = typeof ctx.match === 'string' ? ctx.match : '';
  return text.split(/\s+/).filter(Boolean);
}

/** Why a user may not run something of `audience`, in words for them. */
export function roleRefusal(user: ChatUser | undefined, audience: Audience): string {
  if (!user) return 'You are not registered with Lookout yet. Send /register to ask an admin for access.';
  if (user.role === 'pending') return 'Your registration is waiting for an admin to approve it.';
  if (user.role === 'blocked') return 'Your access to Lookout was withdrawn by an admin.';
  if (audience === 'admin') return 'Only Lookout admins may do this.';
  return 'You may not do this.';
}

async function safeReply(ctx: BotContext, html: string, log: Logger): Promise<void> {
  try {
    await ctx.reply(html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  } catch (error) {
    log.warn({ err: errorMessage(error) }, 'could not answer in chat');
  }
}

/** A command handler with role check, polite failures and an audit entry. */
export function command(action: string, audience: Audience, log: Logger, fn: CommandFn) {
  return async (ctx: BotContext): Promise<void> => {
    const args = commandArgs(ctx);
    const auditArgs = { args };
    const user = ctx.lookout.user;
    if (!allowed(user, audience)) {
      await safeReply(ctx, `🚫 ${escapeHtml(roleRefusal(user, audience))}`, log);
      await ctx.lookout.audit(action, auditArgs, 'denied', `role ${user?.role ?? 'unregistered'}`);
      return;
    }
    try {
      const out = await fn(ctx, args);
      await ctx.lookout.audit(action, out?.args ?? auditArgs, out?.result ?? 'ok', out?.detail);
    } catch (error) {
      await failed(ctx, action, auditArgs, error, log);
    }
  };
}

/** A button handler: answers the callback query in every case (the client's spinner stops). */
export function button(action: string, audience: Audience, log: Logger, fn: ButtonFn) {
  return async (ctx: BotContext): Promise<void> => {
    const data = ctx.callbackQuery?.data ?? '';
    const auditArgs = { data };
    const user = ctx.lookout.user;
    if (!allowed(user, audience)) {
      await ctx
        .answerCallbackQuery({ text: roleRefusal(user, audience), show_alert: true })
        .catch(() => undefined);
      await ctx.lookout.audit(action, auditArgs, 'denied', `role ${user?.role ?? 'unregistered'}`);
      return;
    }
    try {
      const out = await fn(ctx, data);
      await ctx.answerCallbackQuery().catch(() => undefined);
      await ctx.lookout.audit(action, out?.args ?? auditArgs, out?.result ?? 'ok', out?.detail);
    } catch (error) {
      if (error instanceof Refusal || error instanceof UsageError) {
        await ctx
          .answerCallbackQuery({ text: error.message.slice(0, 190), show_alert: true })
          .catch(() => undefined);
        await ctx.lookout.audit(
          action,
          auditArgs,
          error instanceof Refusal ? 'denied' : 'error',
          error.message,
        );
        return;
      }
      log.error({ err: errorMessage(error), action }, 'chat button failed');
      await ctx
        .answerCallbackQuery({
          text: `Sorry, that did not work: ${errorMessage(error)}`.slice(0, 190),
          show_alert: true,
        })
        .catch(() => undefined);
      await ctx.lookout.audit(action, auditArgs, 'error', errorMessage(error));
    }
  };
}

async function failed(
  ctx: BotContext,
  action: string,
  args: Readonly<Record<string, unknown>>,
  error: unknown,
  log: Logger,
): Promise<void> {
  if (error instanceof Refusal) {
    await safeReply(ctx, `🚫 ${escapeHtml(error.message)}`, log);
    await ctx.lookout.audit(action, args, 'denied', error.message);
    return;
  }
  if (error instanceof UsageError) {
    await safeReply(ctx, `ℹ️ ${escapeHtml(error.message)}`, log);
    await ctx.lookout.audit(action, args, 'error', error.message);
    return;
  }
  const message =
    error instanceof GrammyError ? `Telegram answered: ${error.description}` : errorMessage(error);
  log.error({ err: message, action }, 'chat command failed');
  await safeReply(ctx, `⚠️ Sorry, that did not work: ${escapeHtml(message)}`, log);
  await ctx.lookout.audit(action, args, 'error', message);
}
