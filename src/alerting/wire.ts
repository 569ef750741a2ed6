// Alerts and silences on the wire, in Alertmanager's JSON: RFC 3339 times (the zero time means
// "not set"), label maps of strings, and the checks Alertmanager applies to a posted alert.
import type { Labels } from '../domain/alert.js';
import type { AlertInput } from './alert-record.js';
import { isValidLabelName } from './label-set.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Go's zero time (0001-01-01T00:00:00Z), which Alertmanager sends for "no end". */
const GO_ZERO_TIME = -62135596800000;

/** Parses an RFC 3339 time to epoch ms; undefined for absent or the zero time; NaN when malformed. */
export function parseWireTime(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !RFC3339.test(value)) return NaN;
  const ms = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(ms)) return NaN;
  if (ms <= GO_ZERO_TIME) return undefined;
  return ms;
}

/** Epoch ms as Alertmanager's API writes times (millisecond precision, UTC). */
export function wireTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Whether a value is a JSON object whose values are all strings. */
export function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const v of Object.values(value)) if (typeof v !== 'string') return false;
  return true;
}

/**
 * Alertmanager's `Alert.Validate` after empty labels are dropped; returns its message or
 * undefined. `startsAt`/`endsAt` are the values after defaults are filled in.
 */
export function alertProblem(
  labels: Labels,
  annotations: Labels,
  startsAt: number,
  endsAt: number,
): string | undefined {
  const names = Object.keys(labels).filter((n) => labels[n] !== '');
  if (names.length === 0) return 'at least one label pair required';
  for (const name of names) if (!isValidLabelName(name)) return `invalid label set: invalid name "${name}"`;
  for (const name of Object.keys(annotations)) {
    if (!isValidLabelName(name)) return `invalid annotations: invalid name "${name}"`;
  }
  if (endsAt < startsAt) return 'start time must be before end time';
  return undefined;
}

/** One alert as Alertmanager's `POST /api/v2/alerts` and its webhook payload carry it. */
export interface WireAlert {
  readonly labels: Labels;
  readonly annotations?: Labels;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** Converts a checked wire alert to an ingest input. */
export function fromWire(a: WireAlert): AlertInput {
  return {
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: parseWireTime(a.startsAt),
    endsAt: parseWireTime(a.endsAt),
    generatorURL: a.generatorURL,
  };
}
