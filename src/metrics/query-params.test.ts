import { describe, expect, it } from 'vitest';
import { rangeEndingAt } from '../domain/query.js';
import { checkQuery } from './query-params.js';
import { QueryError } from './query-error.js';

const range = { start: 0, end: 3_600_000, stepMs: 60_000 };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof QueryError ? e.code : 'other';
  }
  return undefined;
}

describe('query parameters', () => {
  it('accepts a catalog query with a range and keeps the namespace filter of namespaced queries', () => {
    const q = checkQuery('pods-running', { cluster: 'c', namespaces: ['shop', 'shop'], range }, 0);
    expect(q.namespaces).toEqual(['shop']);
    expect(q.at).toBe(range.end);
  });

  it('takes `top` from 2 to 1000 for series and refuses anything else', () => {
    expect(checkQuery('node-cpu', { cluster: 'c', range, top: 10 }, 0).top).toBe(10);
    for (const top of [1, 1001, 2.5, Number.NaN])
      expect(code(() => checkQuery('node-cpu', { cluster: 'c', range, top }, 0))).toBe('bad_params');
  });

  it('ignores the namespace filter of cluster-scoped queries', () => {
    expect(checkQuery('node-cpu', { cluster: 'c', namespaces: ['shop'], range }, 0).namespaces).toEqual([]);
  });

  it('answers tables for "now" and refuses "now" for time series', () => {
    expect(checkQuery('top-pods', { cluster: 'c', range: 'now' }, 42).at).toBe(42);
    expect(code(() => checkQuery('node-cpu', { cluster: 'c', range: 'now' }, 42))).toBe('bad_params');
  });

  it('rejects unknown names, backwards ranges, too many points and bad namespaces', () => {
    expect(code(() => checkQuery('nope', { cluster: 'c', range }, 0))).toBe('unknown_query');
    expect(code(() => checkQuery('node-cpu', { cluster: 'c', range: { ...range, end: -1 } }, 0))).toBe(
      'bad_params',
    );
    expect(code(() => checkQuery('node-cpu', { cluster: 'c', range: { ...range, stepMs: 100 } }, 0))).toBe(
      'bad_params',
    );
    expect(code(() => checkQuery('pods-running', { cluster: 'c', namespaces: ['Bad_NS'], range }, 0))).toBe(
      'bad_params',
    );
    expect(code(() => checkQuery('pods-running', { cluster: '', range }, 0))).toBe('bad_params');
  });

  it('builds a range ending now with a whole-second step', () => {
    expect(rangeEndingAt(1_000_500, 6 * 3600_000)).toEqual({
      start: 1_000_000 - 6 * 3600_000,
      end: 1_000_000,
      stepMs: 90_000,
    });
  });
});
