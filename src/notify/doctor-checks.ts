// `lookout doctor` lines for receivers: each integration makes one harmless call (Telegram
// getMe and getChat, Slack auth.test, a NATS connect, a HEAD to a webhook) and reports.
import type { ReceiverConfig } from '../config/sections/receivers.js';
import { errorMessage } from '../lib/errors.js';
import { silentLogger } from '../telemetry/logger.js';
import { createNotifiers } from './create-notifier.js';

/** The shape `src/cli/doctor.ts` runs (kept structural so delivery does not import the CLI). */
export interface ReceiverCheck {
  readonly name: string;
  run(): Promise<{ readonly ok: boolean; readonly detail: string }>;
}

export function receiverChecks(
  receivers: readonly ReceiverConfig[],
  options: { readonly version: string; readonly timeoutMs?: number } = { version: '0' },
): ReceiverCheck[] {
  return receivers.flatMap((receiver) =>
    createNotifiers([receiver], { version: options.version, log: silentLogger() }).map(
      ({ key, notifier }) => ({
        name: `receiver ${key.receiver} ${key.integration}[${key.integrationIndex}]`,
        async run() {
          try {
            const detail = await notifier.check(AbortSignal.timeout(options.timeoutMs ?? 10_000));
            return { ok: true, detail };
          } catch (error) {
            return { ok: false, detail: errorMessage(error) };
          } finally {
            await notifier.close().catch(() => undefined);
          }
        },
      }),
    ),
  );
}
