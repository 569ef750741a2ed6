// Turns what people type — `--range 6h`, `since=2h&until=…`, `step=1m` — into a query's time
// range, the same way for the API and the CLI: series default to the last hour on about 240
// points; tables answer for now unless a range is asked for.
import { QUERY_CATALOG, rangeEndingAt, type QueryName, type QueryParams } from '../../domain/query.js';
import { QueryError } from '../query-error.js';

export interface WindowInput {
  /** A duration back from `until` (or now), in ms. */
  readonly rangeMs?: number | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly stepMs?: number | undefined;
}

/** Points per series when no step is given. */
export const DEFAULT_POINTS = 240;
export const DEFAULT_SERIES_RANGE_MS = 3600_000;

export function resolveWindow(name: QueryName, input: WindowInput, now: number): QueryParams['range'] {
  const { rangeMs, since, until, stepMs } = input;
  if (rangeMs !== undefined && since !== undefined)
    throw new QueryError('bad_params', 'give either a range or since/until, not both');
  if (rangeMs !== undefined && rangeMs <= 0)
    throw new QueryError('bad_params', 'the range must be longer than 0s');
  if (stepMs !== undefined && stepMs < 1000)
    throw new QueryError('bad_params', 'the step must be at least 1s');
  const spec = QUERY_CATALOG[name];
  const asked = rangeMs !== undefined || since !== undefined || until !== undefined;
  if (spec.kind === 'table' && !asked) return 'now';
  const end = until ?? now;
  if (since !== undefined) {
    if (since >= end) throw new QueryError('bad_params', 'since must be before until');
    return { start: since, end, stepMs: stepMs ?? autoStep(end - since) };
  }
  const duration = rangeMs ?? DEFAULT_SERIES_RANGE_MS;
  const range = rangeEndingAt(end, duration, DEFAULT_POINTS);
  return stepMs === undefined ? range : { ...range, stepMs };
}

function autoStep(durationMs: number): number {
  return Math.max(1000, Math.round(durationMs / DEFAULT_POINTS / 1000) * 1000);
}
