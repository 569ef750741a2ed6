// Reading API query parameters with errors that name the parameter.
import type { Context } from 'hono';
import { parseDuration } from '../../lib/duration.js';
import { parseTimePoint } from '../../lib/time-range.js';
import { ApiError } from '../errors.js';

export function stringParam(c: Context, name: string): string | undefined {
  const v = c.req.query(name);
  return v === undefined || v === '' ? undefined : v;
}

export function timeParam(c: Context, name: string): number | undefined {
  const v = stringParam(c, name);
  if (v === undefined) return undefined;
  const t = parseTimePoint(v);
  if (t === undefined)
    throw new ApiError(
      400,
      'bad_request',
      `${name}: "${v}" is neither a duration (2h, 7d) nor a time (RFC 3339)`,
    );
  return t;
}

export function durationParam(c: Context, name: string): number | undefined {
  const v = stringParam(c, name);
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined)
    throw new ApiError(400, 'bad_request', `${name}: "${v}" is not a duration (examples: 30s, 5m, 1h)`);
  return ms;
}

export function intParam(c: Context, name: string, min: number, max: number): number | undefined {
  const v = stringParam(c, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ApiError(400, 'bad_request', `${name}: must be an integer from ${min} to ${max}`);
  return n;
}

export function boolParam(c: Context, name: string): boolean {
  const v = stringParam(c, name);
  return v === 'true' || v === '1' || v === '';
}
