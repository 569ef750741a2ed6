// Long answers split into pages under Telegram's 4,096 characters (never mid-word, tags kept
// balanced), shown one at a time with ◀ ▶ buttons that edit the same message.
import { randomBytes } from 'node:crypto';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { splitTelegramHtml } from '../notify/split.js';

/** Room left under the limit for the "page 2/5" line. */
export const PAGE_LIMIT = 3900;

interface Entry {
  readonly pages: readonly string[];
  readonly expiresAt: number;
}

export interface Page {
  readonly text: string;
  readonly keyboard: InlineKeyboardMarkup | undefined;
}

export class Pager {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 3600_000;
    this.#max = options.max ?? 500;
    this.#now = options.now ?? Date.now;
  }

  /** Splits an HTML answer; one page needs no buttons and is not kept. */
  paginate(html: string): Page {
    const pages = splitTelegramHtml(html, PAGE_LIMIT);
    if (pages.length <= 1) return { text: pages[0] ?? html, keyboard: undefined };
    const id = randomBytes(6).toString('hex');
    this.#prune();
    this.#entries.set(id, { pages, expiresAt: this.#now() + this.#ttlMs });
    return this.#render(id, pages, 0);
  }

  /** Page `index` of a kept answer; undefined once it expired. */
  page(id: string, index: number): Page | undefined {
    const entry = this.#entries.get(id);
    if (!entry || entry.expiresAt <= this.#now()) return undefined;
    const at = Math.min(Math.max(index, 0), entry.pages.length - 1);
    return this.#render(id, entry.pages, at);
  }

  #render(id: string, pages: readonly string[], at: number): Page {
    const nav = [];
    if (at > 0) nav.push({ text: '◀ Prev', callback_data: `pg:${id}:${at - 1}` });
    nav.push({ text: `${at + 1}/${pages.length}`, callback_data: `pg:${id}:${at}` });
    if (at < pages.length - 1) nav.push({ text: 'Next ▶', callback_data: `pg:${id}:${at + 1}` });
    return {
      text: `${pages[at]!}\n\n<i>page ${at + 1} of ${pages.length}</i>`,
      keyboard: { inline_keyboard: [nav] },
    };
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(id);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
