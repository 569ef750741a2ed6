// "since"/"until" values as people type them: a duration back from now (`2h`, `7d`) or a
// timestamp (`2026-11-23T10:00:00Z`, or epoch milliseconds).
import { parseDuration } from './duration.js';

/** Epoch ms for a relative duration or an absolute time; undefined when it is neither. */
export function parseTimePoint(text: string, now: number = Date.now()): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return now - ago;
  if (/^\d{12,}$/.test(trimmed)) return Number(trimmed);
  const t = Date.parse(trimmed);
  return Number.isNaN(t) ? undefined : t;
}
