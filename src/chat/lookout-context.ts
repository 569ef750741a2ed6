// The bot's first middleware: who sent the update (their stored role and grants), what they
// may see, and how to audit what they do — `ctx.lookout` for every handler after it.
import type { MiddlewareFn } from 'grammy';
import { errorMessage } from '../lib/errors.js';
import { appendAudit } from '../store/repos/audit-repo.js';
import type { BotServices } from './bot-services.js';
import type { BotContext, LookoutFlavor } from './context.js';
import { canAccess, displayName } from './user-directory.js';

export function lookoutContext(
  services: Pick<BotServices, 'users' | 'store' | 'log' | 'now'>,
): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    const user = from && !from.is_bot ? await services.users.resolve(from) : undefined;
    const flavor: LookoutFlavor['lookout'] = {
      user,
      canAccess: (namespace) => canAccess(user, namespace),
      audit: async (action, args, result, detail) => {
        try {
          await appendAudit(services.store.db, {
            at: services.now(),
            userId: from?.id ?? null,
            userName: user?.name ?? (from ? displayName(from) : 'unknown'),
            chatId: ctx.chat?.id ?? null,
            action,
            args,
            result,
            detail: detail ?? null,
          });
        } catch (error) {
          // A lost audit entry is logged loudly; it must not fail the answer the user waits for.
          services.log.error({ err: errorMessage(error), action }, 'could not write the chat audit log');
        }
      },
    };
    Object.defineProperty(ctx, 'lookout', { value: flavor, enumerable: true });
    await next();
  };
}
