// `lookout doctor` line for the chat bot: does Telegram accept the bot token (getMe)?
import type { Config } from '../config/index.js';
import { errorMessage } from '../lib/errors.js';

export interface ChatCheck {
  readonly name: string;
  run(): Promise<{ readonly ok: boolean; readonly detail: string }>;
}

export function chatChecks(config: Config): ChatCheck[] {
  const telegram = config.chat.telegram;
  if (!telegram) return [];
  return [
    {
      name: 'chat bot (Telegram)',
      async run() {
        const { Api } = await import('grammy');
        const api = new Api(telegram.bot_token.reveal(), {
          apiRoot: telegram.api_url.replace(/\/+$/, ''),
          timeoutSeconds: 10,
        });
        try {
          const me = await api.getMe();
          return {
            ok: true,
            detail: `token accepted: @${me.username} (${telegram.mode}${telegram.mode === 'webhook' ? ` at ${telegram.webhook?.path ?? ''}` : ''})`,
          };
        } catch (error) {
          return { ok: false, detail: `Telegram refused or was unreachable: ${errorMessage(error)}` };
        }
      },
    },
  ];
}
