// Creating, updating and expiring silences with Alertmanager's rules: an update keeps the id
// only when the matchers are unchanged and the times allow it; otherwise the old silence is
// expired and a new one takes its place. Shared by the API and the CLI.
import { randomUUID } from 'node:crypto';
import { silenceProblem, silenceState, type Silence, type SilenceMatcher } from './silence.js';

export interface SilenceInput {
  readonly id?: string | undefined;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** A silence request Alertmanager would refuse; `status` is the HTTP status it answers with. */
export class SilenceRequestError extends Error {
  readonly status: 400 | 404 | 500;

  constructor(status: 400 | 404 | 500, message: string) {
    super(message);
    this.status = status;
  }
}

export interface SilenceChange {
  /** The silence's id after the change (new when the old one could not be updated). */
  readonly id: string;
  /** Silences to store: the new or updated one, and the expired predecessor if any. */
  readonly writes: readonly Silence[];
}

function sameMatchers(a: readonly SilenceMatcher[], b: readonly SilenceMatcher[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (m, i) =>
        m.name === b[i]!.name &&
        m.value === b[i]!.value &&
        m.isRegex === b[i]!.isRegex &&
        m.isEqual === b[i]!.isEqual,
    )
  );
}

function canUpdate(prev: Silence, next: SilenceInput, now: number): boolean {
  if (!sameMatchers(prev.matchers, next.matchers)) return false;
  switch (silenceState(prev, now)) {
    case 'active':
      return next.startsAt === prev.startsAt && next.endsAt >= now;
    case 'pending':
      return next.startsAt >= now;
    case 'expired':
      return false;
  }
}

/** Expiring: an active silence ends now; a pending one starts and ends now. */
export function expireSilence(prev: Silence, now: number): Silence {
  const state = silenceState(prev, now);
  if (state === 'expired') throw new SilenceRequestError(500, `silence ${prev.id} already expired`);
  return {
    ...prev,
    startsAt: state === 'pending' ? now : prev.startsAt,
    endsAt: now,
    updatedAt: now,
  };
}

/** Plans a create or update as Alertmanager's `POST /api/v2/silences` does. */
export function planSilence(input: SilenceInput, prev: Silence | undefined, now: number): SilenceChange {
  if (input.startsAt >= input.endsAt) {
    throw new SilenceRequestError(400, 'Failed to create silence: start time must be before end time');
  }
  if (input.endsAt < now)
    throw new SilenceRequestError(400, "Failed to create silence: end time can't be in the past");
  if (input.id && !prev) throw new SilenceRequestError(404, 'silence not found');
  const problem = silenceProblem(input);
  if (problem) throw new SilenceRequestError(400, `silence invalid: ${problem}`);
  const writes: Silence[] = [];
  if (prev) {
    if (canUpdate(prev, input, now)) {
      const updated: Silence = { ...input, id: prev.id, matchers: [...input.matchers], updatedAt: now };
      return { id: prev.id, writes: [updated] };
    }
    if (silenceState(prev, now) !== 'expired') writes.push(expireSilence(prev, now));
  }
  const created: Silence = {
    id: randomUUID(),
    matchers: [...input.matchers],
    startsAt: Math.max(input.startsAt, now),
    endsAt: input.endsAt,
    updatedAt: now,
    createdBy: input.createdBy,
    comment: input.comment,
  };
  writes.push(created);
  return { id: created.id, writes };
}
