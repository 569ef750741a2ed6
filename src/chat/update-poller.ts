// Fetches Telegram updates by long polling and hands them out so that one chat's slow command
// never holds up another: each (chat, user) keeps its order, different ones run side by side up
// to a limit. The policy is stated, as grammY states its own: 401 and 409 stop polling for good
// (a wrong token, or another process polling the same token), 429 waits retry_after, anything
// else backs off and tries again. grammY's own loop handles one update at a time, hence this one.
import { GrammyError, HttpError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import { backoffDelay, sleep } from '../lib/backoff.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../telemetry/logger.js';

/** Runs jobs with per-key order and a global concurrency limit. */
export class KeyedRunner {
  readonly #limit: number;
  readonly #tails = new Map<string, Promise<void>>();
  #active = 0;
  #pending = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #idle: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Jobs accepted and not finished. */
  get size(): number {
    return this.#pending;
  }

  run(key: string, job: () => Promise<void>): void {
    this.#pending++;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const tail = previous
      .then(() => this.#slot())
      .then(async () => {
        try {
          await job();
        } finally {
          this.#release();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.#pending--;
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
        if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    this.#tails.set(key, tail);
  }

  /** Resolves once every accepted job finished. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #slot(): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.#waiting.push(() => {
        this.#active++;
        resolve();
      }),
    );
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }
}

/** The key that keeps a conversation in order: the chat and the person in it. */
export function updateKey(update: Update): string {
  const message = update.message ?? update.edited_message ?? update.callback_query?.message;
  const chat = message?.chat.id ?? update.my_chat_member?.chat.id ?? 'none';
  const from =
    update.message?.from?.id ?? update.edited_message?.from?.id ?? update.callback_query?.from.id ?? 'none';
  return `${chat}:${from}`;
}

export type PollerStop = 'stopped' | 'conflict' | 'unauthorized';

export interface UpdatePollerOptions {
  readonly api: Api;
  readonly log: Logger;
  readonly runner: KeyedRunner;
  readonly handle: (update: Update) => Promise<void>;
  /** Seconds one long poll waits for updates. */
  readonly pollTimeoutSeconds: number;
  readonly allowedUpdates: ReadonlyArray<'message' | 'callback_query' | 'my_chat_member' | 'edited_message'>;
  /** Back-pressure: no new poll while this many updates wait or run. */
  readonly maxPending?: number;
}

export class UpdatePoller {
  readonly #o: UpdatePollerOptions;
  #offset = 0;

  constructor(options: UpdatePollerOptions) {
    this.#o = options;
  }

  /** Polls until `signal` aborts or Telegram says polling cannot work; answers why it stopped. */
  async run(signal: AbortSignal): Promise<PollerStop> {
    const { api, log, runner } = this.#o;
    const maxPending = this.#o.maxPending ?? 500;
    let failures = 0;
    while (!signal.aborted) {
      if (runner.size >= maxPending) {
        await Promise.race([runner.idle(), sleep(200, signal)]);
        continue;
      }
      let updates: Update[];
      try {
        updates = await api.getUpdates(
          {
            offset: this.#offset,
            limit: 100,
            timeout: this.#o.pollTimeoutSeconds,
            allowed_updates: [...this.#o.allowedUpdates],
          },
          signal as Parameters<Api['getUpdates']>[1],
        );
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof GrammyError && error.error_code === 409) {
          log.error(
            { err: error.description },
            "Telegram answered 409 Conflict: another process is receiving this bot token's updates (another Lookout, or a webhook). Lookout's bot stops polling; run one instance per token, or use chat.telegram.mode: webhook.",
          );
          return 'conflict';
        }
        if (error instanceof GrammyError && error.error_code === 401) {
          log.error(
            "Telegram answered 401 Unauthorized: chat.telegram.bot_token is wrong or revoked. Lookout's bot stops polling.",
          );
          return 'unauthorized';
        }
        failures++;
        const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
        const delay =
          retryAfter !== undefined
            ? retryAfter * 1000
            : backoffDelay({ initialMs: 500, maxMs: 30_000 }, failures);
        log.warn(
          {
            err: error instanceof HttpError ? errorMessage(error.error) : errorMessage(error),
            retryInMs: delay,
          },
          'could not fetch Telegram updates; trying again',
        );
        await sleep(delay, signal);
        continue;
      }
      for (const update of updates) {
        this.#offset = update.update_id + 1;
        runner.run(updateKey(update), () => this.#o.handle(update));
      }
    }
    return 'stopped';
  }

  /** Tells Telegram the updates handled so far are done, so a restart does not see them again. */
  async confirm(): Promise<void> {
    if (this.#offset === 0) return;
    await this.#o.api.getUpdates({ offset: this.#offset, limit: 1, timeout: 0 }).catch(() => undefined);
  }
}
