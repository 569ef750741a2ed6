// Checks a query's name and parameters before any source runs it, so every source rejects the
// same bad input with the same message, and resolves "now" into a concrete instant.
import {
  QUERY_CATALOG,
  isQueryName,
  type QueryParams,
  type QuerySpec,
  type TimeRange,
} from '../domain/query.js';
import { QueryError } from './query-error.js';

/** Prometheus' own limit on points per series; no source answers more. */
export const MAX_POINTS = 11_000;

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface CheckedQuery {
  readonly spec: QuerySpec;
  /** Namespaces to filter on; empty when the filter does not apply or is absent. */
  readonly namespaces: readonly string[];
  /** The range for series queries and for the events of table queries. */
  readonly range: TimeRange | undefined;
  /** The instant a table query answers for. */
  readonly at: number;
  /** Series queries: at most this many lines (the rest folded). */
  readonly top: number | undefined;
}

/** The least `top` asked: one series and the line folding the rest. */
export const MIN_TOP = 2;
/** The most: beyond it a chart is unreadable, and the answer is every series anyway. */
export const MAX_TOP = 1000;

/**
 * Validates `name` and `params` against the catalog. `now` answers `range: 'now'`.
 * Throws {@link QueryError} (`unknown_query`, `bad_params`).
 */
export function checkQuery(name: string, params: QueryParams, now: number): CheckedQuery {
  if (!isQueryName(name)) {
    throw new QueryError('unknown_query', `unknown query "${name}"`);
  }
  const spec = QUERY_CATALOG[name];
  if (typeof params.cluster !== 'string' || params.cluster === '') {
    throw new QueryError('bad_params', 'a cluster is required');
  }
  const namespaces = spec.scope === 'namespace' ? [...new Set(params.namespaces ?? [])] : [];
  for (const ns of namespaces) {
    if (!NAMESPACE_RE.test(ns)) {
      throw new QueryError('bad_params', `"${ns}" is not a namespace name`);
    }
  }
  if (params.range === 'now') {
    if (spec.kind === 'series') {
      throw new QueryError('bad_params', `${name} draws a time series and needs a time range, not "now"`);
    }
    return { spec, namespaces, range: undefined, at: now, top: undefined };
  }
  const range = params.range;
  if (![range.start, range.end, range.stepMs].every(Number.isFinite)) {
    throw new QueryError('bad_params', 'the time range must have a numeric start, end and step');
  }
  if (range.end <= range.start) {
    throw new QueryError('bad_params', 'the time range ends before it starts');
  }
  if (range.stepMs < 1) {
    throw new QueryError('bad_params', 'the step must be at least 1 ms');
  }
  const points = Math.floor((range.end - range.start) / range.stepMs) + 1;
  if (points > MAX_POINTS) {
    throw new QueryError(
      'bad_params',
      `the range has ${points} points per series; at most ${MAX_POINTS} (use a larger step)`,
    );
  }
  const top = params.top;
  if (top !== undefined && (!Number.isInteger(top) || top < MIN_TOP || top > MAX_TOP)) {
    throw new QueryError('bad_params', `top must be an integer from ${MIN_TOP} to ${MAX_TOP}`);
  }
  return { spec, namespaces, range, at: range.end, top: spec.kind === 'series' ? top : undefined };
}
