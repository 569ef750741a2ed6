// What repositories run their SQL on: the store's Kysely handle or a transaction of it.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';

export type Executor = Kysely<Database> | Transaction<Database>;

/** Splits rows into chunks small enough for one statement on both engines. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Turns free text into an FTS5 query that matches documents containing every word
 * (each word quoted, so user input cannot inject FTS syntax).
 */
export function ftsQuery(text: string): string {
  const words = text
    .split(/\s+/)
    .map((w) => w.replace(/"/g, ''))
    .filter((w) => w.length > 0);
  return words.map((w) => `"${w}"`).join(' ');
}
