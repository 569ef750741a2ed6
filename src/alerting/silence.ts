// Silences as Alertmanager keeps them: matchers plus a time window, a state derived from the
// clock, validation with Alertmanager's messages, and the in-memory set the pipeline consults.
import type { Labels } from '../domain/alert.js';
import { isValidLabelName } from './label-set.js';
import { newMatcher, type Matcher } from './matcher.js';
import { regexError } from './regex.js';

export interface SilenceMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  /** False for the negative forms (`!=`, `!~`). */
  readonly isEqual: boolean;
}

export interface Silence {
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  /** Epoch ms. */
  readonly startsAt: number;
  readonly endsAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

export type SilenceState = 'active' | 'pending' | 'expired';

export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (s.endsAt <= now) return 'expired';
  if (s.startsAt > now) return 'pending';
  return 'active';
}

export function toMatcher(m: SilenceMatcher): Matcher {
  const type = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return newMatcher(type, m.name, m.value);
}

/** Alertmanager's silence checks; returns its message for the first problem, or undefined. */
export function silenceProblem(s: Omit<Silence, 'id' | 'updatedAt'>): string | undefined {
  if (s.matchers.length === 0) return 'at least one matcher required';
  let allMatchEmpty = true;
  for (const [i, m] of s.matchers.entries()) {
    if (!isValidLabelName(m.name)) return `invalid label matcher ${i}: invalid label name "${m.name}"`;
    if (m.isRegex) {
      const err = regexError(m.value);
      if (err !== undefined) {
        return `invalid label matcher ${i}: invalid regular expression ${JSON.stringify(m.value)}: ${err}`;
      }
    }
    allMatchEmpty = allMatchEmpty && toMatcher(m).matches('');
  }
  if (allMatchEmpty) return 'at least one matcher must not match the empty string';
  if (!Number.isFinite(s.startsAt) || s.startsAt <= 0) return 'invalid zero start timestamp';
  if (!Number.isFinite(s.endsAt) || s.endsAt <= 0) return 'invalid zero end timestamp';
  if (s.endsAt < s.startsAt) return 'end time must not be before start time';
  return undefined;
}

interface Compiled {
  readonly silence: Silence;
  readonly matchers: readonly Matcher[];
}

/** The silences a process knows, with their compiled matchers. */
export class SilenceSet {
  readonly #byId = new Map<string, Compiled>();

  /** Adds or replaces a silence (by id). */
  set(silence: Silence): void {
    this.#byId.set(silence.id, { silence, matchers: silence.matchers.map(toMatcher) });
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }

  get(id: string): Silence | undefined {
    return this.#byId.get(id)?.silence;
  }

  list(): Silence[] {
    return [...this.#byId.values()].map((c) => c.silence);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Ids of the silences active at `now` that match the labels, sorted (empty: not silenced). */
  silencedBy(labels: Labels, now: number): string[] {
    const ids: string[] = [];
    for (const { silence, matchers } of this.#byId.values()) {
      if (silence.startsAt > now || silence.endsAt <= now) continue;
      let all = true;
      for (const m of matchers) {
        if (!m.matches(labels[m.name] ?? '')) {
          all = false;
          break;
        }
      }
      if (all) ids.push(silence.id);
    }
    return ids.sort();
  }
}

/** Whether a silence matches the labels, whatever its state. */
export function silenceMatches(silence: Silence, labels: Labels): boolean {
  return silence.matchers.every((m) => toMatcher(m).matches(labels[m.name] ?? ''));
}
