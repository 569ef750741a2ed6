// Mutating actions wait for a confirm button pressed by the person who asked: each pending
// action is kept here (bounded, with a deadline) until confirmed, cancelled or expired.
import { randomBytes } from 'node:crypto';

export interface PendingAction {
  /** Who asked; only they may confirm. */
  readonly userId: number;
  readonly chatId: number;
  /** The audit action name (e.g. `pod.delete`) and its arguments. */
  readonly action: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** What the confirm message said (HTML). */
  readonly question: string;
  /** Carries the action out; answers the HTML that replaces the question. */
  run(): Promise<string>;
}

interface Entry extends PendingAction {
  readonly expiresAt: number;
}

export class Confirmations {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;

  constructor(options: { ttlMs: number; now?: () => number; max?: number }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#max = options.max ?? 1000;
  }

  /** Keeps an action; answers the id its buttons carry. */
  add(action: PendingAction): string {
    const now = this.#now();
    for (const [id, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(id);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const id = randomBytes(8).toString('hex');
    this.#entries.set(id, { ...action, expiresAt: now + this.#ttlMs });
    return id;
  }

  /** Looks at an action without taking it (a stranger's press must not cancel it). */
  peek(id: string): PendingAction | undefined {
    const e = this.#entries.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return e;
  }

  /** Takes the action: a second press finds nothing. */
  take(id: string): PendingAction | undefined {
    const e = this.peek(id);
    this.#entries.delete(id);
    return e;
  }

  keyboard(
    id: string,
    confirmText = '✅ Confirm',
  ): { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } {
    return {
      inline_keyboard: [
        [
          { text: confirmText, callback_data: `cf:${id}:y` },
          { text: '✖ Cancel', callback_data: `cf:${id}:n` },
        ],
      ],
    };
  }
}
