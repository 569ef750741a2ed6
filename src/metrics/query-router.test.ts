import { describe, expect, it } from 'vitest';
import type { QueryName, QueryParams, QueryResult, QuerySource } from '../domain/query.js';
import { QueryError } from './query-error.js';
import { QueryRouter } from './query-router.js';

/** A source that answers every query with an empty table named after its cluster. */
function tableSource(cluster: string): QuerySource {
  return {
    run: (name: QueryName, params: QueryParams): Promise<QueryResult> =>
      Promise.resolve({
        kind: 'table',
        query: name,
        cluster,
        title: params.cluster,
        at: 0,
        columns: [],
        rows: [],
      }),
  };
}

describe('query router', () => {
  it('hands each query to the source of its cluster', async () => {
    const router = new QueryRouter();
    router.register('a', tableSource('a'));
    router.register('b', tableSource('b'));
    expect((await router.run('hpa', { cluster: 'b', range: 'now' })).cluster).toBe('b');
    expect(router.clusters).toEqual(['a', 'b']);
  });

  it('says when no source answers for a cluster', async () => {
    const error = await new QueryRouter().run('hpa', { cluster: 'x', range: 'now' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('no_source');
    expect((error as QueryError).httpStatus).toBe(404);
  });

  it('folds a series answer to `top` lines for a source that does not', async () => {
    const series = Array.from({ length: 5 }, (_, i) => ({
      name: `n${i}`,
      labels: { node: `n${i}` },
      points: [[0, i] as const],
    }));
    const router = new QueryRouter();
    router.register('a', {
      run: (name) =>
        Promise.resolve({
          kind: 'series',
          query: name,
          cluster: 'a',
          title: '',
          unit: 'percent',
          range: { start: 0, end: 0, stepMs: 1000 },
          series,
        }),
    });
    const range = { start: 0, end: 0, stepMs: 1000 };
    const cut = await router.run('node-cpu', { cluster: 'a', range, top: 3 });
    expect(cut.kind === 'series' && cut.series.map((s) => s.name)).toEqual(['n3', 'n4']);
    expect(cut.kind === 'series' && cut.others).toEqual({
      name: 'others (3, highest)',
      labels: {},
      points: [[0, 2]],
      count: 3,
    });
    const all = await router.run('node-cpu', { cluster: 'a', range });
    expect(all.kind === 'series' && all.series).toHaveLength(5);
  });
});
